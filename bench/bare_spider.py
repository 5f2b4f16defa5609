"""The baseline of the crawl benchmark: a bare Scrapy spider that GETs a list of URLs.

    .venv/bin/python -m bench.bare_spider URLS_FILE [-s NAME=VALUE ...]

It fetches every URL of ``URLS_FILE`` (one a line) with robots.txt obeyed and does nothing
with the responses: no parsing, no items, no storage. Its wall time is what Scrapy itself
needs to download the same pages as portal-archive on the same machine. It prints one JSON
line with the requests and responses Scrapy counted.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {"HTTPERROR_ALLOW_ALL": True}

    def __init__(self, urls_file: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls_file = urls_file

    async def start(self):
        with open(self.urls_file, encoding="utf-8") as fh:
            for line in fh:
                url = line.strip()
                if url:
                    yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: scrapy.http.Response, **kwargs: Any) -> None:
        return None


def main(argv: list[str]) -> None:
    settings: dict[str, Any] = {
        "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
        "USER_AGENT": "portal-archive-bench (bare baseline)", "COOKIES_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }
    args = list(argv)
    urls_file = args.pop(0)
    while args:
        flag = args.pop(0)
        if flag != "-s" or not args:
            raise SystemExit(f"unexpected argument {flag!r}")
        name, value = args.pop(0).split("=", 1)
        settings[name] = value
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls_file=urls_file)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"requests": stats.get("downloader/request_count", 0),
                      "responses": stats.get("downloader/response_count", 0)}))


if __name__ == "__main__":
    main(sys.argv[1:])
