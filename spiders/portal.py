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
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.budget import PageCut
from crawler.extraction.layouts import get_layout
from crawler.extraction.layouts.base import Links
from crawler.extraction.text import clean
from crawler.extraction.urls import host_of, strip_session
from crawler.extraction.work import Extracted, ExtractionPool, extract_with, workers_for
from crawler.files import mime_of, type_allowed
from crawler.items import AliasSeen, Article, FetchResult, FrontierEntry
from crawler.profiles import profile_for
from crawler.runs import (
    archive_for,
    failure_reason,
    request_headers,
    response_headers,
    utcnow,
)
from crawler.seen import KnownArticles, SeenSet, fingerprint
from crawler.templates import PageBudget
from crawler.traps import trap_limits, trap_reason

#: Redirects the spider follows itself (only on the site, loops stopped), instead of Scrapy's
#: RedirectMiddleware, which follows them to any host and drops a loop without a trace.
REDIRECTS = [301, 302, 303, 307, 308]


_BY_HAND = {"dont_redirect": True, "handle_httpstatus_list": REDIRECTS}
#: Links whose facts are cached at most: menus and sidebars repeat a few hundred of them, and a
#: page's related entries are mostly those of the page before; the rest are seen once.
LINK_FACTS_MAX = 8192


class PortalSpider(scrapy.Spider):
    name = "portal"
    #: May a run switch to the generic fallback when its profile's layout finds nothing?
    can_fall_back = True

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
        spider.known = KnownArticles(archive.known_articles(spider.site))
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

    def new_budget(self, site: str, known: int) -> PageBudget:
        """The page budgets of a run of ``site`` (:mod:`crawler.templates`), with ``known``
        archived articles and the URL templates earlier runs cut already cut (but for a
        ``--refresh`` run, which looks at everything again)."""
        settings = self.crawler.settings
        budget = PageBudget(
            budget=settings.getint("ARCHIVE_TEMPLATE_BUDGET", 10),
            dated_budget=settings.getint("ARCHIVE_TEMPLATE_BUDGET_DATED", 3),
            cap_base=settings.getint("ARCHIVE_MAX_PAGES", 500),
            cap_per_article=settings.getfloat("ARCHIVE_MAX_PAGES_PER_ARTICLE", 5.0),
            remembered=frozenset() if settings.getbool("ARCHIVE_REFRESH") else frozenset(
                self.archive.cut_templates(site, settings.getint("ARCHIVE_TEMPLATE_CUT_DAYS",
                                                                 30))),
            id_prefix=f"{getattr(self, 'worker_id', '')}:")
        budget.found_articles(known)
        return budget

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

    # --- navigation ---------------------------------------------------------------------------
    def allowed(self, url: str) -> bool:
        return url.startswith(("http://", "https://")) and host_of(url) in self.hosts

    @staticmethod
    def _entry(request: scrapy.Request) -> FrontierEntry:
        return FrontierEntry(url=request.url, kind=request.meta.get("kind", "page"),
                             key=request.meta.get("key"))

    def _facts(self, url: str) -> tuple[str | None, str | None, str, str]:
        """What the spider needs to know of a link, worked out once per URL (every page repeats
        its menus, sidebars and related links): the reason it may not be followed (off the
        site, a trap rule), the article key (None for another kind of page), the URL to
        request, and the link without session parameters."""
        facts = self._link_facts.get(url)
        if facts is None:
            if not self.allowed(url):
                facts = ("offsite", None, url, url)
            elif trap := trap_reason(url, **self.trap_limits):
                facts = (f"traps/{trap}", None, url, url)
            elif self.layout.article_id(url) is None:
                facts = (None, None, self.layout.page_url(url), url)
            else:
                facts = (None, self.layout.article_key(url), self.layout.article_url(url),
                         strip_session(url))
            if len(self._link_facts) >= LINK_FACTS_MAX:  # a cache: memory stays bounded
                self._link_facts.clear()
            self._link_facts[url] = facts
        return facts

    def _follow(self, url: str, title: str | None, force: bool = False,
                meta: dict[str, Any] | None = None) -> Iterator[Any]:
        """Requests (and alias records) for one link."""
        refused, key, target, link = self._facts(url)
        # The layout's own pager: bounded by ARCHIVE_KNOWN_RUN and the cap, never cut.
        pager = bool((meta or {}).get("pager"))
        if key is not None or (not force and self.layout.article_key(url) in self.known):
            self._article_links += 1
        if refused:
            self.crawler.stats.inc_value(f"archive/links/{refused}" if refused == "offsite"
                                         else f"archive/{refused}")
            return
        if key is None:
            # A page of unknown kind; on a layout without id rules it may be an archived article.
            if not force and self.layout.article_key(url) in self.known:
                self.crawler.stats.inc_value("archive/articles/skipped_known")
                return
            if (force or self.follow_listings) and target not in self.pages_requested:
                self.pages_requested.add(target)  # Scrapy's dupefilter would drop it again
                request = scrapy.Request(target, callback=self.parse, errback=self.failed,
                                         priority=0 if force or pager
                                         else self.budget.priority(target),
                                         meta={"kind": "page", **_BY_HAND, **(meta or {}),
                                               **({"budget_exempt": True} if force else {})})
                if not force and not self.budget.allows(target, parked=request, pager=pager):
                    self.crawler.stats.inc_value("archive/budget/unfetched")
                    return
                if not force and not pager and self.budget.is_cut(target):  # a probe
                    request.meta["budget_exempt"] = True
                yield request
            return
        if link not in self.alias_urls:
            # Every spelling that leads to the article; the archive keeps those that differ
            # from the article's canonical URL (a print view may not name it). Sent once: at
            # two spellings an article, a set of strings would hold 0.3 KB an article.
            self.alias_urls.add(link)
            yield AliasSeen(url=link, site=self.site, key=key)
        if key in self.scheduled:
            return
        known_title = self.known.archived_title(key)
        if known_title is not None and not force:
            if title is None or fingerprint(clean(title)) == known_title:
                self.crawler.stats.inc_value("archive/articles/skipped_known")
                return
            self.crawler.stats.inc_value("archive/articles/edit_hints")
        self.scheduled.add(key)
        self.budget.found_articles(1)
        yield scrapy.Request(target, callback=self.parse, errback=self.failed,
                             meta={"kind": "article", "key": key, **_BY_HAND}, priority=1)

    def _file_requests(self, urls: list[str]) -> list[scrapy.Request]:
        """Downloads of photos and attachments not fetched before (on the site only)."""
        if not self.fetch_files:
            return []
        out = []
        for url in urls:
            if url in self.known_files or not self.allowed(url):
                continue
            self.known_files.add(url)
            # Before anything else: a photo waiting in the scheduler holds memory until the
            # end of the crawl, and there is one or more an article.
            out.append(scrapy.Request(url, callback=self.parse_file, errback=self.failed,
                                      priority=2,
                                      meta={"kind": "file", **_BY_HAND,
                                            "download_maxsize": self.files_max_bytes}))
        return out

    @staticmethod
    def _media(article: Article) -> list[str]:
        return [i.url for i in article.images] + [a.url for a in article.attachments]

    def _links(self, links: Links, response: Response) -> list[Any]:
        """What to fetch next from a page: articles, listings, the next listing page."""
        out: list[Any] = []
        self._article_links = 0
        if not self.follow_listings:
            for entry in links.related:
                out.extend(self._follow(entry.url, entry.title))
            return out
        titles = {url: title for url, title in links.items}
        titles.update({r.url: r.title for r in links.related})
        for url, title in links.articles:
            out.extend(self._follow(url, titles.get(url, title)))
        for url in links.listings:
            out.extend(self._follow(url, None))
        if links.next_page or links.postback:
            run = response.meta.get("known_run", 0)
            for url, _ in links.items:
                run = run + 1 if self.layout.article_key(url) in self.known else 0
            if run >= self.known_run:
                self.crawler.stats.inc_value("archive/listings/stopped_at_known")
            elif links.next_page:
                out.extend(self._follow(links.next_page, None,
                                        meta={"known_run": run, "pager": True}))
            else:
                out.extend(self._postback(links, run))
        return out

    def _entry_page(self, found: bool) -> list[scrapy.Request]:
        """A start page was read (``found``: it held an article or a link to one). When none
        of them did and the profile names a layout, that layout does not fit the portal: the
        run goes on with the generic fallback, from the start pages again, and says so."""
        entry = self.entry_pages
        entry["seen"] += 1
        entry["found"] = entry["found"] or found
        if entry["found"] or entry["seen"] < len(self.start_urls) or not self.fall_back:
            return []
        self.fall_back = False
        layout = self.profile.layout
        self.profile = replace(self.profile, layout="generic", selectors={})
        self.layout = get_layout("generic")
        self._link_facts.clear()
        message = (f"the layout {layout!r} of profile {self.profile.name!r} found no article "
                   "and no link to one on the start pages: switched to the generic fallback")
        self.logger.warning(message)
        self.crawler.stats.set_value("archive/fallback", message)
        return [scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True,
                               meta={"kind": "page", **_BY_HAND, "budget_exempt": True})
                for url in self.start_urls]

    def _postback(self, links: Links, run: int) -> list[scrapy.Request]:
        """The POST the page's ASP.NET ``__doPostBack`` pager link would send, built by the
        layout from the page's form (``Links.postback_request``)."""
        if links.postback_request is None:
            self.crawler.stats.inc_value("archive/listings/postback_without_form")
            return []
        self.crawler.stats.inc_value("archive/listings/postbacks")
        return [links.postback_request.to_scrapy(callback=self.parse, errback=self.failed,
                                                 meta={"kind": "page", "known_run": run,
                                                       "pager": True})]

    def _read_page(self, response: Response, follow: list[Any], is_article: bool,
                   new_article: bool) -> None:
        """A page (not an article request) was read: its template's budget learns what its
        links lead to (:mod:`crawler.templates`). Pages it waits for carry it as their
        parent."""
        budget = self.budget
        url = (response.meta.get("redirect_urls") or [response.request.url])[0]
        page_id = budget.page_id()
        requests = [r for r in follow if isinstance(r, scrapy.Request)]
        pages = {r.url: r for r in requests if r.meta.get("kind") == "page"
                 and r.method == "GET"}
        if new_article:
            budget.found_articles(1)  # an article found as a page: the cap grows
        was_cut = {t for t, r in budget.templates.items() if r.cut}
        wait, released = budget.read(
            url, page_id, new_articles=sum(r.meta.get("kind") == "article" for r in requests),
            children=list(pages), is_article=is_article, new_article=new_article,
            article_links=self._article_links, parent=response.meta.get("via"))
        for child in wait:
            pages[child].meta["via"] = page_id
        follow.extend(self._released(released))
        for cut in sorted({t for t, r in budget.templates.items() if r.cut} - was_cut):
            self.crawler.stats.inc_value("archive/budget/templates_cut")
            self.logger.info("cut URL template %s: %s", cut, budget.templates[cut].cut)

    def _answered(self, meta: dict[str, Any], new_article: bool) -> list[scrapy.Request]:
        """A request a page scheduled was answered: its parent page learns whether it was a
        new article. Returns the requests of a template that reopened."""
        return self._released(self.budget.answered(meta.get("via"), new_article))

    def _released(self, requests: list[Any]) -> list[scrapy.Request]:
        if requests:
            self.crawler.stats.inc_value("archive/budget/reopened", len(requests))
        return [r.replace(dont_filter=True) for r in requests]

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
        return (key or self.layout.article_key(result.url)) not in self.known

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
