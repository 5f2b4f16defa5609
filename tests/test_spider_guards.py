"""What the spider makes of responses to an article request that cannot hold the article."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import AliasSeen, FetchResult
from spiders.portal import PortalSpider

SITE = "http://127.0.0.1:8080"
ARTICLE = f"{SITE}/NewsDetail.aspx?id=5"


def make_spider(db, workers: int) -> PortalSpider:
    crawler = get_crawler(PortalSpider, {"ARCHIVE_DB": str(db), "ARCHIVE_SITE": "vpubnd-replica",
                                         "ARCHIVE_EXTRACT_WORKERS": workers})
    return PortalSpider.from_crawler(crawler, start_url=SITE + "/")


@pytest.fixture(params=[0, 1], ids=["in-thread", "worker-process"])
def spider(tmp_path, request):
    """The spider parsing in its own thread, and in an extraction worker process."""
    spider = make_spider(tmp_path / "a.db", request.param)
    yield spider
    spider.closed("finished")


def respond(url: str, body: bytes, redirected_from: str | None = None) -> HtmlResponse:
    meta = {"kind": "article", "key": "id:5"}
    if redirected_from:
        meta["redirect_urls"] = [redirected_from]
    return HtmlResponse(url=url, body=body, encoding="utf-8",
                        request=Request(url, meta=meta))


def result_of(spider, response) -> FetchResult:
    async def collect():
        return [o async for o in spider.parse(response)]

    return next(o for o in asyncio.run(collect()) if isinstance(o, FetchResult))


def test_redirect_to_a_new_domains_home_page_is_a_failure(spider):
    home = "https://new-province.example.invalid/"
    result = result_of(spider, respond(home, b"<html>Home</html>", redirected_from=ARTICLE))
    assert (ARTICLE, None) == (result.url, result.article)
    assert result.error.startswith("redirected off the site")


def test_redirect_to_another_page_of_the_site_is_a_failure(spider):
    result = result_of(spider, respond(SITE + "/", b"<html>Home</html>", redirected_from=ARTICLE))
    assert result.error.startswith("redirected to another page")


def test_empty_body_is_a_failure(spider):
    assert "empty body" == result_of(spider, respond(ARTICLE, b"  \n")).error


def test_notice_page_served_with_200_is_a_failure(spider):
    body = "<html><body><p>Trang thông tin đã dừng hoạt động.</p></body></html>".encode()
    result = result_of(spider, respond(ARTICLE, body))
    assert ("failure", None) == (result.kind, result.article)
    assert result.error.startswith("no article on an article page")


def test_a_page_the_layout_cannot_read_is_recorded_not_fatal(tmp_path):
    def broken(page, site=""):
        raise RecursionError("maximum recursion depth exceeded")

    spider = make_spider(tmp_path / "a.db", 0)
    spider.layout.article = broken
    body = "<html><body><h1>Tiêu đề</h1></body></html>".encode()
    result = result_of(spider, respond(ARTICLE, body))
    assert ("failure", body) == (result.kind, result.body)
    assert result.error.startswith("extraction failed: RecursionError")


def test_each_link_spelling_is_sent_to_the_archive_once_however_many_there_are(tmp_path):
    spider = make_spider(tmp_path / "a.db", 0)
    # 60,000 spellings of one article (more than the 50,000 a capped set of strings held)
    spellings = [f"{ARTICLE}&print=1&v={i}" for i in range(60_000)]

    def aliases(urls):
        return [o for url in urls for o in spider._follow(url, None) if isinstance(o, AliasSeen)]

    assert len(aliases(spellings)) == 60_000
    assert aliases(spellings[:100] + spellings[-100:]) == []
