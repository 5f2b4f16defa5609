"""The worker spider: the portal spider's navigation for many sites at once, fed by a shared
queue (``portal-archive worker``, see :mod:`crawler.distributed`).

Each site keeps what the portal spider keeps for its one site (profile, layout, hosts, the
articles this shard has, the keys it scheduled); a callback runs the portal spider's own code
with those attributes read from the request's site (``meta["site"]``), through a context
variable, so callbacks of different sites may interleave. The requests a callback finds
are handed to the scheduler (into Redis) before the callback returns, and its items come back
wrapped in one :class:`~crawler.distributed.Handled` with the request's in-flight id, so the
id is acknowledged only once they are stored. The profile's ``[politeness]`` applies to its
hosts' download slots unless ``-s`` set the same setting. ``ARCHIVE_KNOWN_DB`` names the
merged archive of earlier rounds: its articles count as archived (incremental rounds).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.distributed import DEFAULT_QUEUE, Handled, Seed, worker_id, worker_settings
from crawler.extraction.layouts import get_layout
from crawler.extraction.urls import host_of
from crawler.identity import KnownIds
from crawler.profiles import Profile, profile_for
from crawler.runs import known_archive_for
from crawler.seen import KnownArticles, SeenSet
from crawler.templates import PageBudget
from spiders.portal import PortalSpider

#: Where the queue is when no REDIS_URL is given.
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"

#: The start URL of the portal spider's setup (no request is ever made to it).
PLACEHOLDER = "http://portal-worker.invalid/"

#: Profile politeness keys, the download slot's setting and the Scrapy setting that overrides it.
_SLOT_SETTINGS = {"download_delay": ("delay", "DOWNLOAD_DELAY"),
                  "concurrent_requests_per_host": ("concurrency",
                                                   "CONCURRENT_REQUESTS_PER_DOMAIN")}


@dataclass
class SiteState:
    site: str
    profile: Profile | None
    layout: Any
    hosts: set[str]
    known: KnownArticles
    scheduled: SeenSet = field(default_factory=SeenSet)
    alias_urls: SeenSet = field(default_factory=SeenSet)
    pages_requested: set[str] = field(default_factory=set)
    link_facts: dict[str, Any] = field(default_factory=dict)
    budget: PageBudget = field(default_factory=PageBudget)
    known_ids: KnownIds = field(default_factory=KnownIds)


#: The site whose callback runs. Scrapy handles each response in an asyncio task of its own,
#: and a task has its own copy of the context, so a callback that awaits (extraction in another
#: process) keeps its site while other sites' callbacks run.
_CURRENT: ContextVar[SiteState | None] = ContextVar("portal_worker_site", default=None)


def _site_attribute(name: str) -> property:
    """A portal spider attribute read from the site of the running callback (the worker's own
    idle state outside callbacks, which is also where the portal spider's setup writes)."""

    def get(self: WorkerSpider) -> Any:
        return getattr(_CURRENT.get() or self.idle_state, name)

    def set_(self: WorkerSpider, value: Any) -> None:
        setattr(self.idle_state, name, value)

    return property(get, set_)


class WorkerSpider(PortalSpider):
    name = "portal-worker"
    can_fall_back = False  # a worker's sites keep the layout their profile names

    site = _site_attribute("site")
    profile = _site_attribute("profile")
    layout = _site_attribute("layout")
    hosts = _site_attribute("hosts")
    known = _site_attribute("known")
    scheduled = _site_attribute("scheduled")
    alias_urls = _site_attribute("alias_urls")
    pages_requested = _site_attribute("pages_requested")
    _link_facts = _site_attribute("link_facts")
    budget = _site_attribute("budget")
    known_ids = _site_attribute("known_ids")

    def __init__(self, **kwargs: Any) -> None:
        self.idle_state = SiteState(site="", profile=None, layout=None, hosts=set(),
                                    known=KnownArticles())
        # The portal spider's setup runs on a placeholder site, so that whatever it sets up
        # (settings, the archive, extraction) is set up here too.
        super().__init__(start_urls=[PLACEHOLDER], site="generic", **kwargs)
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
                                        "crawler.distributed.worker.Acknowledge": 200},
                     priority="spider")
        settings.set("EXTENSIONS", {**settings.getdict("EXTENSIONS"),
                                    "crawler.distributed.worker.Worker": 50}, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WorkerSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.start_urls = []
        spider.refresh = False
        spider.idle_state = SiteState(site=f"worker:{spider.worker_id}", profile=None,
                                      layout=None, hosts=set(), known=KnownArticles())
        spider.known_archive = known_archive_for(crawler)
        return spider

    async def start(self):  # the shared queue feeds the worker
        return
        yield

    # --- sites --------------------------------------------------------------------------------
    def add_site(self, seed: Seed, scheduled: SeenSet | None = None) -> None:
        """Make a site known to this worker (called when it takes the site's lease);
        ``scheduled``: the article keys the site's earlier workers scheduled."""
        if seed.site in self.states:
            return
        profile = profile_for(seed.urls[0], seed.profile)
        known = self.known_articles(profile.name)
        self.states[seed.site] = SiteState(
            site=profile.name, profile=profile,
            layout=get_layout(profile.layout, profile.selectors),
            hosts=profile.crawl_hosts(seed.urls),
            known=known,
            scheduled=scheduled if scheduled is not None else SeenSet(),
            budget=self.new_budget(profile.name, len(known)))
        self._slot_manners(profile, seed.urls)

    def new_budget(self, site: str, known: int) -> PageBudget:
        """The page cap, without template cuts: a URL a worker parks would be lost with it (it
        left the shared queue), where a single run keeps it until its template reopens."""
        budget = super().new_budget(site, known)
        budget.cuts = False
        return budget

    def known_articles(self, site: str) -> KnownArticles:
        """The site's archived articles: the merged archive's (``ARCHIVE_KNOWN_DB``) and this
        shard's (its titles count), so that a new round fetches only what no shard has."""
        merged = self.known_archive.known_articles(site) if self.known_archive else ()
        return KnownArticles(chain(merged, self.archive.known_articles(site)))

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

    def seed_requests(self, seed: Seed) -> list[scrapy.Request]:
        """The requests a seed's start URLs make (as the portal spider's start URLs do); the
        site was added when its lease was taken."""
        token = _CURRENT.set(self.states[seed.site])
        try:
            out = [r for url in seed.urls for r in self._follow(url, None, force=True)
                   if isinstance(r, scrapy.Request)]
        finally:
            _CURRENT.reset(token)
        for request in out:
            request.meta["site"] = seed.site
        return out

    def allowed(self, url: str) -> bool:
        """In a callback, the portal spider's rule for the callback's site; elsewhere (a
        middleware checking a request) whether the URL is on a host of any site held."""
        if _CURRENT.get() is not None:
            return super().allowed(url)
        return url.startswith(("http://", "https://")) and any(
            host_of(url) in state.hosts for state in self.states.values())

    # --- callbacks ----------------------------------------------------------------------------
    async def _handled(self, request: scrapy.Request, outputs: Any) -> Handled:
        """Run a portal spider callback (a generator or an async generator) for the request's
        site; its requests go to the scheduler now, its items come back in one Handled."""
        state = self.states[request.meta["site"]]
        token = _CURRENT.set(state)
        try:
            if hasattr(outputs, "__aiter__"):
                outputs = [out async for out in outputs]
            else:
                outputs = list(outputs)
        finally:
            _CURRENT.reset(token)
        items = []
        for out in outputs:
            if isinstance(out, scrapy.Request):
                out.meta["site"] = state.site
                self.crawler.engine.crawl(out)
            else:
                items.append(out)
        return Handled(request.meta.get("pa_id"), items)

    async def parse(self, response: Response, **kwargs: Any) -> Any:
        yield await self._handled(response.request, super().parse(response, **kwargs))

    async def failed(self, failure: Failure) -> Any:
        yield await self._handled(failure.request,  # type: ignore[attr-defined]
                                  super().failed(failure))


def _wrapped(name: str) -> Any:
    async def callback(self: WorkerSpider, response: Response, **kwargs: Any) -> Any:
        parent = getattr(super(WorkerSpider, self), name)
        yield await self._handled(response.request, parent(response, **kwargs))

    callback.__name__ = name
    return callback


# The portal spider's other callbacks (downloads of files, ...) are wrapped the same way.
for _name in [n for n in vars(PortalSpider) if n.startswith("parse_")]:
    setattr(WorkerSpider, _name, _wrapped(_name))
