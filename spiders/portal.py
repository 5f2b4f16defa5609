"""The one portal spider: it navigates, the site profile's layout extracts.

It follows the home page, category listings, pagination and the "Các tin đã đăng" chains of
one portal, asks the layout (pure page objects, no Scrapy) for each page's article and links,
and yields one :class:`~crawler.items.FetchResult` per fetch plus :class:`AliasSeen` for URLs
that lead to an article it already has. Articles already in the archive are not fetched again
unless a listing shows them under another title (an edit hint) or ``ARCHIVE_REFRESH`` is on.

Arguments (``-a``): ``start_url`` or ``start_urls`` (space or comma separated), ``site``
(profile name). Settings: ``ARCHIVE_DB``, ``ARCHIVE_SITE``, ``ARCHIVE_FOLLOW_LISTINGS``,
``ARCHIVE_REFRESH``, ``ARCHIVE_MAX_FAILURE_ATTEMPTS``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.extraction.layouts import get_layout
from crawler.extraction.page import Page
from crawler.extraction.text import clean
from crawler.extraction.urls import canonical_url, host_of, strip_session
from crawler.items import AliasSeen, FetchResult
from crawler.profiles import profile_for
from crawler.runs import archive_for, failure_reason, response_headers, utcnow


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(self, start_url: str | None = None, start_urls: str | list[str] | None = None,
                 site: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        urls: list[str] = []
        if start_url:
            urls.append(start_url)
        if isinstance(start_urls, str):
            urls.extend(u for u in re.split(r"[\s,]+", start_urls) if u)
        elif start_urls:
            urls.extend(start_urls)
        if not urls:
            raise ValueError("give a start URL: -a start_url=http://portal.example/")
        self.start_urls = urls
        self.site_name = site

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.profile = profile_for(spider.start_urls[0],
                                     spider.site_name or settings.get("ARCHIVE_SITE") or None)
        spider.layout = get_layout(spider.profile.layout, spider.profile.selectors)
        spider.site = spider.profile.name
        spider.hosts = spider.profile.crawl_hosts(spider.start_urls)
        spider.follow_listings = settings.getbool("ARCHIVE_FOLLOW_LISTINGS", True)
        spider.refresh = settings.getbool("ARCHIVE_REFRESH", False)
        spider.max_attempts = settings.getint("ARCHIVE_MAX_FAILURE_ATTEMPTS", 5)
        archive = archive_for(crawler)
        spider.known = archive.known_articles(spider.site)
        spider.retry_urls = archive.failures_to_retry(spider.site, spider.max_attempts)
        spider.scheduled: set[str] = set()
        spider.alias_urls: set[str] = set()
        return spider

    # --- navigation ---------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls:
            for out in self._follow(url, None, force=True):
                yield out
        for url in self.retry_urls:
            if self.allowed(url):
                self.crawler.stats.inc_value("archive/failures/retried")
                for out in self._follow(url, None, force=True):
                    yield out

    def allowed(self, url: str) -> bool:
        if not url.startswith(("http://", "https://")):
            return False
        return host_of(url) in self.hosts

    def _follow(self, url: str, title: str | None, force: bool = False) -> Iterator[Any]:
        """Requests (and alias records) for one link."""
        if not self.allowed(url):
            self.crawler.stats.inc_value("archive/links/offsite")
            return
        if self.layout.article_id(url) is None:
            if force or self.follow_listings:
                yield scrapy.Request(canonical_url(url), callback=self.parse,
                                     errback=self.failed, meta={"kind": "page"})
            return
        key = self.layout.article_key(url)
        target = self.layout.article_url(url)
        link = strip_session(url)
        if link != target and link not in self.alias_urls:
            self.alias_urls.add(link)
            yield AliasSeen(url=link, site=self.site, key=key)
        if key in self.scheduled:
            return
        known_title = self.known.get(key)
        if known_title is not None and not (force or self.refresh):
            if title is None or clean(title) == known_title:
                self.crawler.stats.inc_value("archive/articles/skipped_known")
                return
            self.crawler.stats.inc_value("archive/articles/edit_hints")
        self.scheduled.add(key)
        yield scrapy.Request(target, callback=self.parse, errback=self.failed,
                             meta={"kind": "article", "key": key}, priority=1)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        page = Page(url=response.url, body=response.body, headers=response_headers(response),
                    fetched_at=utcnow())
        kind = response.meta.get("kind", "page")
        article = self.layout.article(page, self.site)
        error = None
        if article is not None:
            kind = "article"
        elif response.meta.get("kind") == "article":
            error = "no article on an article page (notice, soft 404 or changed layout)"
            kind = "failure"
        yield FetchResult(url=response.request.url, fetched_at=page.fetched_at,
                          status=response.status, headers=page.headers, body=response.body,
                          final_url=response.url, kind=kind, article=article, error=error,
                          site=self.site)
        if not self.allowed(response.url):
            return
        links = self.layout.links(page)
        if self.follow_listings:
            for url, title in links.articles:
                yield from self._follow(url, title)
            for url in (*links.listings, *links.pagers):
                yield from self._follow(url, None)
        else:
            for entry in links.related:
                yield from self._follow(entry.url, entry.title)

    def failed(self, failure: Failure) -> Iterator[FetchResult]:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.crawler.stats.inc_value("archive/links/disallowed")
            return
        response = getattr(failure.value, "response", None)
        yield FetchResult(
            url=request.url, fetched_at=utcnow(),
            status=response.status if response is not None else None,
            headers=response_headers(response) if response is not None else {},
            body=response.body if response is not None else b"",
            final_url=response.url if response is not None else None,
            kind="failure", error=failure_reason(failure), site=self.site)
