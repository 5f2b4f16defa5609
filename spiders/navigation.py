"""Navigation for the portal spider: which links of a page it follows, and how.

A mixin of :class:`spiders.portal.PortalSpider`, kept apart so the spider class stays short:
whether a URL is on the site, what a link is (off the site, a trap, an article key, a page),
the request (or alias record) a link makes, downloads of an article's photos and attachments,
the next listing page (a link or an ASP.NET postback) unless a run of ``ARCHIVE_KNOWN_RUN``
archived articles stops it, and the switch to the generic fallback when no start page held an
article. It reads the attributes ``PortalSpider.from_crawler`` sets (``hosts``, ``layout``,
``known``, ``known_ids``, ``budget``, ``follow_listings``, ``known_run``, ``fetch_files``...)
and calls its callbacks ``parse``, ``parse_file`` and ``failed``; it reads no setting itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.extraction.layouts import get_layout
from crawler.extraction.layouts.base import Links
from crawler.extraction.text import clean
from crawler.extraction.urls import host_of, strip_session
from crawler.items import AliasSeen, Article, FrontierEntry
from crawler.seen import fingerprint
from crawler.traps import trap_reason

#: Redirects the spider follows itself (only on the site, loops stopped), instead of Scrapy's
#: RedirectMiddleware, which follows them to any host and drops a loop without a trace.
REDIRECTS = [301, 302, 303, 307, 308]


_BY_HAND = {"dont_redirect": True, "handle_httpstatus_list": REDIRECTS}
#: Links whose facts are cached at most: menus and sidebars repeat a few hundred of them, and a
#: page's related entries are mostly those of the page before; the rest are seen once.
LINK_FACTS_MAX = 8192


class Navigation:
    """The portal spider's link following, pagination, postbacks and layout fallback."""

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
        if key is not None or (not force and (self.layout.article_key(url) in self.known
                                              or url in self.known_ids)):
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
            # Or another spelling of one: its URL carries the id of an article archived (a
            # portlet's new instance name; fetched when the link's text is not the archived
            # title: a retitled article's new slug) or fetched earlier in this run.
            if not force and (known_title := self.known_ids.title_of(url)) is not None:
                if (known_title == self.known_ids.NO_TITLE or title is None
                        or fingerprint(clean(title)) == known_title):
                    self.crawler.stats.inc_value("archive/articles/skipped_known_id")
                    return
                self.crawler.stats.inc_value("archive/articles/edit_hints")
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
