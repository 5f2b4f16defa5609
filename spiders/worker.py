"""The worker spider: the portal spider's navigation for many sites at once, fed by a shared
queue (``portal-archive worker``, see :mod:`crawler.distributed`).

Each site keeps what the portal spider keeps for its one site (profile, layout, hosts, the
articles this shard has, the keys it scheduled); a callback runs the portal spider's own code
with the attributes of the request's site (``meta["site"]``). The requests a callback finds
are handed to the scheduler (into Redis) before the callback returns, and its items come back
wrapped in one :class:`~crawler.distributed.Handled` with the request's in-flight id, so the
id is acknowledged only once they are stored. The profile's ``[politeness]`` applies to its
hosts' download slots unless ``-s`` set the same setting. ``ARCHIVE_KNOWN_DB`` names the
merged archive of earlier rounds: its articles count as archived (incremental rounds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.distributed import DEFAULT_QUEUE, Handled, Seed, worker_id, worker_settings
from crawler.extraction.layouts import get_layout
from crawler.extraction.urls import host_of
from crawler.profiles import Profile, profile_for
from crawler.runs import archive_for
from crawler.storage import Archive
from spiders.portal import PortalSpider

#: Where the queue is when no REDIS_URL is given.
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"

#: The portal spider's per-site attributes, swapped in for each callback.
SITE_ATTRIBUTES = ("site", "profile", "layout", "hosts", "known", "scheduled", "alias_urls")

#: Profile politeness keys, the download slot's setting and the Scrapy setting that overrides it.
_SLOT_SETTINGS = {"download_delay": ("delay", "DOWNLOAD_DELAY"),
                  "concurrent_requests_per_host": ("concurrency",
                                                   "CONCURRENT_REQUESTS_PER_DOMAIN")}


@dataclass
class SiteState:
    site: str
    profile: Profile
    layout: Any
    hosts: set[str]
    known: dict[str, str]
    scheduled: set[str] = field(default_factory=set)
    alias_urls: set[str] = field(default_factory=set)


class WorkerSpider(PortalSpider):
    name = "portal-worker"

    def __init__(self, **kwargs: Any) -> None:
        scrapy.Spider.__init__(self, **kwargs)
        self.start_urls = []
        self.site_name = None
        self.worker_id = worker_id()
        self.states: dict[str, SiteState] = {}

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        """The worker's scheduler, queue, duplicates filter, extension and pipeline, so that
        ``scrapy crawl portal-worker -s REDIS_URL=... -s ARCHIVE_DB=shard.db`` works too."""
        super().update_settings(settings)
        for name, value in worker_settings(settings.get("REDIS_URL") or DEFAULT_REDIS,
                                           settings.get("ARCHIVE_QUEUE") or DEFAULT_QUEUE,
                                           settings.getbool("ARCHIVE_WORKER_EXIT_WHEN_IDLE")
                                           ).items():
            if (settings.getpriority(name) or 0) < 40:
                settings.set(name, value, priority="spider")
        settings.set("ITEM_PIPELINES", {**settings.getdict("ITEM_PIPELINES"),
                                        "crawler.distributed.Acknowledge": 200},
                     priority="spider")
        settings.set("EXTENSIONS", {**settings.getdict("EXTENSIONS"),
                                    "crawler.distributed.Worker": 50}, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WorkerSpider:
        spider = super(PortalSpider, cls).from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.follow_listings = settings.getbool("ARCHIVE_FOLLOW_LISTINGS", True)
        spider.known_run = settings.getint("ARCHIVE_KNOWN_RUN", 10)
        spider.refresh = False
        spider.max_attempts = settings.getint("ARCHIVE_MAX_FAILURE_ATTEMPTS", 5)
        spider.max_redirects = settings.getint("REDIRECT_MAX_TIMES", 5)
        spider.trap_limits = {"max_url": settings.getint("ARCHIVE_TRAP_MAX_URL", 1024),
                              "max_repeats": settings.getint("ARCHIVE_TRAP_MAX_REPEATS", 2),
                              "max_depth": settings.getint("ARCHIVE_TRAP_MAX_DEPTH", 15)}
        spider.archive = archive_for(crawler)
        known_db = settings.get("ARCHIVE_KNOWN_DB") or None
        spider.known_archive = Archive(known_db) if known_db else None
        spider.idle_state = SiteState(site=f"worker:{spider.worker_id}",
                                      profile=profile_for("http://worker.invalid/", "generic"),
                                      layout=None, hosts=set(), known={})
        spider._use(spider.idle_state)
        return spider

    async def start(self):  # the shared queue feeds the worker
        return
        yield

    # --- sites --------------------------------------------------------------------------------
    def add_site(self, seed: Seed, scheduled: set[str] | None = None) -> None:
        """Make a site known to this worker (called when it takes the site's lease);
        ``scheduled``: the article keys the site's earlier workers scheduled."""
        if seed.site in self.states:
            return
        profile = profile_for(seed.urls[0], seed.profile)
        self.states[seed.site] = SiteState(
            site=profile.name, profile=profile,
            layout=get_layout(profile.layout, profile.selectors),
            hosts=profile.crawl_hosts(seed.urls),
            known=self.known_articles(profile.name),
            scheduled=scheduled if scheduled is not None else set())
        self._slot_manners(profile, seed.urls)

    def known_articles(self, site: str) -> dict[str, str]:
        """The site's archived articles: this shard's, and the merged archive's
        (``ARCHIVE_KNOWN_DB``), so that a new round fetches only what no shard has."""
        known = self.archive.known_articles(site)
        if self.known_archive is not None:
            known = {**self.known_archive.known_articles(site), **known}
        return known

    def closed(self, reason: str) -> None:
        if self.known_archive is not None:
            self.known_archive.close()

    def _slot_manners(self, profile: Profile, urls: list[str]) -> None:
        settings = self.crawler.settings
        manners = {}
        for key, value in profile.politeness.items():
            slot_key, setting = _SLOT_SETTINGS.get(key, (None, None))
            if slot_key and (settings.getpriority(setting) or 0) < 40:  # -s wins, as in crawl
                manners[slot_key] = int(value) if slot_key == "concurrency" else value
        if manners:
            slots = self.crawler.engine.downloader.per_slot_settings
            for host in {host_of(u).split(":")[0] for u in urls}:
                slots.setdefault(host, manners)

    def _use(self, state: SiteState) -> None:
        for name in SITE_ATTRIBUTES:
            setattr(self, name, getattr(state, name))

    def seed_requests(self, seed: Seed) -> list[scrapy.Request]:
        """The requests a seed's start URLs make (as the portal spider's start URLs do); the
        site was added when its lease was taken."""
        self._use(self.states[seed.site])
        try:
            out = [r for url in seed.urls for r in self._follow(url, None, force=True)
                   if isinstance(r, scrapy.Request)]
        finally:
            self._use(self.idle_state)
        for request in out:
            request.meta["site"] = seed.site
        return out

    # --- callbacks ----------------------------------------------------------------------------
    def _handled(self, request: scrapy.Request, outputs: Any) -> Handled:
        state = self.states[request.meta["site"]]
        self._use(state)
        try:
            outputs = list(outputs)
        finally:
            self._use(self.idle_state)
        items = []
        for out in outputs:
            if isinstance(out, scrapy.Request):
                out.meta["site"] = state.site
                self.crawler.engine.crawl(out)
            else:
                items.append(out)
        return Handled(request.meta.get("pa_id"), items)

    def parse(self, response: Response, **kwargs: Any) -> Any:
        yield self._handled(response.request, super().parse(response, **kwargs))

    def failed(self, failure: Failure) -> Any:
        yield self._handled(failure.request, super().failed(failure))  # type: ignore[attr-defined]
