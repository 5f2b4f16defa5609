"""The one portal spider: it navigates, the site profile's layout extracts.

It follows the home page, category listings, pagination and the "Các tin đã đăng" chains of
one portal, asks the layout (pure page objects, no Scrapy) for each page's article and links,
and yields one :class:`~crawler.items.FetchResult` per fetch (with the URLs that fetch
scheduled, so the frontier is stored in the same transaction) plus :class:`AliasSeen` for URLs
that lead to an article it already has.

Incremental by default: archived articles are not fetched again unless a listing or a chain
shows them under another title (an edit hint); a listing stops paging after a run of
``ARCHIVE_KNOWN_RUN`` archived articles. ``ARCHIVE_REFRESH`` re-checks archived articles with
conditional requests. URLs left pending by a run that died are fetched first.

Redirects of the spider's GET requests are followed here, not by Scrapy's RedirectMiddleware:
only to a host of the site (an off-site target is recorded as a failure and never requested),
at most ``REDIRECT_MAX_TIMES`` hops, and a loop is recorded as a failure at once.

Arguments (``-a``): ``start_url`` or ``start_urls`` (space or comma separated), ``site``
(profile name). Settings: ``ARCHIVE_DB``, ``ARCHIVE_SITE``, ``ARCHIVE_FOLLOW_LISTINGS``,
``ARCHIVE_KNOWN_RUN``, ``ARCHIVE_REFRESH``, ``ARCHIVE_REFRESH_SINCE``, ``ARCHIVE_REFRESH_DAYS``,
``ARCHIVE_MAX_FAILURE_ATTEMPTS``, ``REDIRECT_MAX_TIMES``, ``ARCHIVE_FILES``,
``ARCHIVE_FILES_MAX_BYTES``, ``ARCHIVE_FILES_TYPES``.

Photos and attachments of each article (on the site's hosts only) are downloaded once per URL,
as soon as the article is read (highest priority, so they never pile up in the scheduler),
within the size limit and the allowed types; they are captured like pages and stored
content-addressed by the pipeline.

The class holds the setup and the callbacks; link following, pagination and postbacks are
its :class:`~spiders.navigation.Navigation` mixin, page budgets its
:class:`~spiders.budgeting.Budgeting` mixin.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.budget import KnownSpelling, PageCut
from crawler.extraction.layouts import get_layout
from crawler.extraction.work import Extracted, ExtractionPool, extract_with, workers_for
from crawler.files import mime_of, type_allowed
from crawler.identity import KnownIds
from crawler.items import AliasSeen, FetchResult, FrontierEntry
from crawler.profiles import profile_for
from crawler.runs import (
    archive_for,
    failure_reason,
    request_headers,
    response_headers,
    utcnow,
)
from crawler.seen import KnownArticles, SeenSet
from crawler.traps import trap_limits
from spiders.budgeting import Budgeting
from spiders.navigation import REDIRECTS, Navigation


class PortalSpider(Navigation, Budgeting, scrapy.Spider):
    name = "portal"
    #: May a run switch to the generic fallback when its profile's layout finds nothing?
    can_fall_back = True
    #: The ids of the site's articles, archived or fetched in this run
    #: (:class:`crawler.identity.KnownIds`).
    known_ids: KnownIds

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
        self.known_ids = KnownIds()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.profile = profile_for(spider.start_urls[0],
                                     spider.site_name or settings.get("ARCHIVE_SITE") or None)
        spider.layout = get_layout(spider.profile.layout, spider.profile.selectors)
        polite = (settings.getfloat("DOWNLOAD_DELAY") > 0
                  or settings.getbool("AUTOTHROTTLE_ENABLED"))
        workers = workers_for(settings.get("ARCHIVE_EXTRACT_WORKERS", "auto"), polite)
        spider.extraction = (ExtractionPool(workers, spider.profile.layout,
                                            spider.profile.selectors) if workers else None)
        spider.site = spider.profile.name
        spider.hosts = spider.profile.crawl_hosts(spider.start_urls)
        spider.follow_listings = settings.getbool("ARCHIVE_FOLLOW_LISTINGS", True)
        spider.known_run = settings.getint("ARCHIVE_KNOWN_RUN", 10)
        spider.refresh = settings.getbool("ARCHIVE_REFRESH", False)
        spider.max_attempts = settings.getint("ARCHIVE_MAX_FAILURE_ATTEMPTS", 5)
        spider.max_redirects = settings.getint("REDIRECT_MAX_TIMES", 5)
        spider.trap_limits = trap_limits(settings)
        archive = archive_for(crawler)
        spider.archive = archive
        urls: list[tuple[str, str | None]] = []  # articles archived without a profile's key
        spider.known = KnownArticles(_keeping_urls(archive.known_articles(spider.site), urls))
        spider.known_ids = KnownIds(urls)
        spider.budget = spider.new_budget(spider.site, len(spider.known))
        spider.fall_back = (spider.can_fall_back and spider.profile.layout != "generic"
                            and settings.getbool("ARCHIVE_LAYOUT_FALLBACK", True))
        spider.entry_pages = {"seen": 0, "found": False}
        spider._article_links = 0  # links to articles on the page being read
        spider.fetch_files = settings.getbool("ARCHIVE_FILES", True)
        spider.files_max_bytes = settings.getint("ARCHIVE_FILES_MAX_BYTES", 50 * 1024 * 1024)
        spider.file_types = settings.getlist("ARCHIVE_FILES_TYPES")
        # What must never be fetched twice grows with the portal: kept in 8 bytes an entry.
        spider.known_files = SeenSet(archive.known_files(spider.site) if spider.fetch_files
                                     else ())
        spider.scheduled = SeenSet()
        spider.alias_urls = SeenSet()  # link spellings already sent to the archive as aliases
        spider.pages_requested: set[str] = set()
        spider._link_facts: dict[str, tuple[str | None, str | None, str, str]] = {}
        return spider

    # --- start --------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        archive = self.archive
        pending = archive.pending_frontier(self.site)
        if pending:
            self.crawler.stats.set_value("archive/frontier/resumed", len(pending))
        entries: list[FrontierEntry] = []
        requests: list[scrapy.Request] = []
        for entry in pending:
            if entry.kind == "file":
                requests.extend(self._file_requests([entry.url]))
                continue
            for out in self._follow(entry.url, None, force=entry.kind != "article"):
                if isinstance(out, scrapy.Request):
                    requests.append(out)
        for url in self.start_urls:
            requests.extend(r for r in self._follow(url, None, force=True,
                                                    meta={"entry": True})
                            if isinstance(r, scrapy.Request))
        retry = archive.failures_to_retry(self.site, self.max_attempts)
        media = archive.media_urls(retry)
        for url in retry:
            if self.allowed(url):
                self.crawler.stats.inc_value("archive/failures/retried")
                if url in media:
                    requests.extend(self._file_requests([url]))
                    continue
                requests.extend(r for r in self._follow(url, None, force=True)
                                if isinstance(r, scrapy.Request))
        if self.refresh:
            requests.extend(self._refresh_requests())
        entries = [self._entry(r) for r in requests]
        archive.add_frontier(self.site, entries)
        for request in requests:
            yield request

    def _refresh_requests(self) -> Iterator[scrapy.Request]:
        settings = self.crawler.settings
        since = settings.get("ARCHIVE_REFRESH_SINCE") or None
        days = settings.getint("ARCHIVE_REFRESH_DAYS", 0)
        if days:
            since = max(since or "", (date.today() - timedelta(days=days)).isoformat())
        for key, url, etag, modified in self.archive.refresh_candidates(self.site, since):
            if key in self.scheduled:
                continue
            self.scheduled.add(key)
            headers = {}
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
            self.crawler.stats.inc_value("archive/refresh/requests")
            yield scrapy.Request(url, callback=self.parse, errback=self.failed, headers=headers,
                                 meta={"kind": "article", "key": key, "dont_redirect": True,
                                       "handle_httpstatus_list": [304, *REDIRECTS]})

    # --- callbacks ----------------------------------------------------------------------------
    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        headers = response_headers(response)
        fetched_at = utcnow()
        asked_article = response.meta.get("kind") == "article"
        key = response.meta.get("key")
        requested = (response.meta.get("redirect_urls") or [response.request.url])[0]
        result = FetchResult(url=requested, fetched_at=fetched_at,
                             status=response.status, headers=headers, body=response.body,
                             final_url=response.url, kind=response.meta.get("kind", "page"),
                             site=self.site, key=key, method=response.request.method,
                             request_body=response.request.body or None,
                             request_headers=request_headers(response.request))
        if response.status == 304:
            result.kind = "unchanged"
            yield result
            return
        if response.status in REDIRECTS:
            for out in self._redirected(response, result):
                yield out
            return
        if asked_article:
            result.error = self._not_the_article(response, key)
        follow: list[Any] = []
        if result.error is None:
            extracted = await self._extract(response, headers, fetched_at)
            result.article = extracted.article
            result.error = extracted.error  # logged by the pipeline, as every failed URL is
            if result.error is None and result.article is not None:
                result.kind = "article"
            elif result.error is None and asked_article:
                result.error = "no article on an article page (notice, soft 404 or new layout)"
            if result.error is None and extracted.links is not None:
                follow = self._links(extracted.links, response)
                if result.article is not None:
                    follow.extend(self._file_requests(self._media(result.article)))
                if not asked_article:
                    self._read_page(response, follow, result.article is not None,
                                    self._is_new(result, key))
                    if result.article is not None:  # its other spellings are not fetched
                        self.known_ids.add(result.url, result.article.title)
            if response.meta.get("entry") and result.error is None:
                found = result.article is not None or bool(
                    extracted.links is not None and extracted.links.articles)
                follow.extend(self._entry_page(found))
        if result.error:
            follow.extend(self._answered(response.meta, False))
        if result.error:
            result.kind = "failure"
            result.article = None
            yield result
            for request in follow:
                if isinstance(request, scrapy.Request):
                    yield request
            return
        requests = [r for r in follow if isinstance(r, scrapy.Request)]
        result.aliases = [a for a in follow if isinstance(a, AliasSeen)]
        result.discovered = [self._entry(r) for r in requests if r.method == "GET"]
        yield result  # one item a page: Scrapy's per-item cost is not paid for every alias
        for request in requests:
            yield request

    def _is_new(self, result: FetchResult, key: str | None) -> bool:
        """Is ``result`` an article the archive did not have?"""
        if result.article is None:
            return False
        key = key or self.layout.article_key(result.url)
        if key in self.known:
            return False
        if not key.startswith("url:"):
            return True
        # Another spelling of the URL of an article archived or fetched earlier in this run
        # (a retitled article's new slug, a portlet's new instance name) is not a new article:
        # the archive makes it a version of that one.
        return result.url not in self.known_ids

    async def _extract(self, response: Response, headers: dict[str, str],
                       fetched_at: str) -> Extracted:
        """The page's article and links: in a worker process when the crawl has them
        (``ARCHIVE_EXTRACT_WORKERS``), else here."""
        want_links = self.allowed(response.url)
        if self.extraction is None:
            return extract_with(self.layout, response.url, response.body, headers, fetched_at,
                                self.site, want_links)
        profile = self.profile  # a worker's spider serves several sites, each its own layout
        future = self.extraction.submit(response.url, response.body, headers, fetched_at,
                                        self.site, want_links, layout=profile.layout,
                                        selectors=profile.selectors)
        try:
            return await asyncio.wrap_future(future)
        except Exception as exc:  # the worker died under this page: recorded, never fatal
            return Extracted(error=f"extraction failed: {type(exc).__name__}: {exc}"[:300])

    def closed(self, reason: str) -> None:
        if self.extraction is not None:
            self.extraction.close()

    def parse_file(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A photo or attachment: kept when its type is allowed, else recorded as a failure."""
        requested = (response.meta.get("redirect_urls") or [response.request.url])[0]
        result = FetchResult(url=requested, fetched_at=utcnow(), status=response.status,
                             headers=response_headers(response), body=response.body,
                             final_url=response.url, kind="file", site=self.site,
                             request_headers=request_headers(response.request))
        if response.status in REDIRECTS:
            yield from self._redirected(response, result)
            return
        mime = mime_of(response.headers.get("Content-Type", b"").decode("latin-1"))
        if not type_allowed(mime, requested, self.file_types):
            result.kind = "failure"
            result.error = f"file of type {mime or 'unknown'} not kept (ARCHIVE_FILES_TYPES)"
        yield result

    def _redirected(self, response: Response, result: FetchResult) -> Iterator[Any]:
        """Follow a redirect on the site; record one off the site, a loop or too many hops as
        a failure (the off-site URL is never requested)."""
        location = response.headers.get("Location")
        target = response.urljoin(location.decode("latin-1")) if location else None
        hops = [*response.meta.get("redirect_urls", []), response.url]
        if target is None:
            result.error = f"HTTP {response.status} without a Location"
        elif not self.allowed(target):
            result.error = f"redirected off the site to {target} (not followed)"
        elif target in hops:
            result.error = f"redirect loop back to {target}"
        elif len(hops) > self.max_redirects:
            result.error = f"more than {self.max_redirects} redirects"
        if result.error is None:
            request = response.request.replace(url=target)
            request.meta["redirect_urls"] = hops
            request.meta["redirect_times"] = len(hops)
            yield request
            return
        self.crawler.stats.inc_value("archive/redirects/refused")
        result.kind = "failure"
        yield result

    def _not_the_article(self, response: Response, key: str | None) -> str | None:
        """Why a response to an article request cannot hold that article, if it cannot."""
        if not response.body.strip():
            return "empty body"
        if not self.allowed(response.url):
            return f"redirected off the site to {response.url}"
        if key and self.layout.article_key(response.url) != key:
            return f"redirected to another page: {response.url}"
        return None

    def failed(self, failure: Failure) -> Iterator[FetchResult]:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(PageCut):
            return  # parked by the guard, until its template reopens
        yield from self._answered(request.meta, False)
        if failure.check(KnownSpelling):
            return  # another spelling of an article read since it was scheduled
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.crawler.stats.inc_value("archive/links/disallowed")
            return
        response = getattr(failure.value, "response", None)
        reason = failure_reason(failure)
        if request.meta.get("kind") == "file" and reason.startswith("too large"):
            reason = (f"too large: download cut at {self.files_max_bytes} bytes "
                      f"(ARCHIVE_FILES_MAX_BYTES)")
        yield FetchResult(
            url=(request.meta.get("redirect_urls") or [request.url])[0], fetched_at=utcnow(),
            status=response.status if response is not None else None,
            headers=response_headers(response) if response is not None else {},
            body=response.body if response is not None else b"",
            final_url=response.url if response is not None else None,
            kind="failure", error=reason, site=self.site,
            key=request.meta.get("key"))


def _keeping_urls(pairs: Iterator[tuple[str, str | None]], urls: list[tuple[str, str | None]]
                  ) -> Iterator[tuple[str, str | None]]:
    """``pairs`` (key, title) as they come, (URL, title) of each URL-keyed one kept in
    ``urls``."""
    for key, title in pairs:
        if key.startswith("url:"):
            urls.append((key[4:], title))
        yield key, title
