"""The worker's side of the queue: the scrapy-redis queue class (``SCHEDULER_QUEUE_CLASS``)
with per-site queues, site leases and a reliable in-flight hash (see
:mod:`crawler.distributed`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import redis
from scrapy import Request
from scrapy.utils.request import request_from_dict
from scrapy_redis import picklecompat

from crawler.distributed.keys import _POP, _PUSH, _RELEASE, _RENEW, DEFAULT_QUEUE, Keys
from crawler.distributed.sites import Seed, reap
from crawler.seen import SeenSet

logger = logging.getLogger(__name__)


def scheduled_keys(server: redis.Redis, key: str) -> SeenSet:
    """The article keys a site's earlier workers scheduled (the portal spider's ``scheduled``):
    a worker that takes a site over starts from them, and does not fetch an article again under
    another spelling of its URL (a print view) that the duplicates filter cannot know. A key
    reaches Redis with its request's push (``_PUSH``), never before."""
    return SeenSet(m.decode() for m in server.sscan_iter(key))


@dataclass
class _Held:
    site: str
    in_flight: set[str] = field(default_factory=set)


class SiteQueue:
    """scrapy-redis queue class (``SCHEDULER_QUEUE_CLASS``): per-site queues, site leases and
    a reliable in-flight hash. Built by scrapy-redis's ``Scheduler.open``."""

    def __init__(self, server: redis.Redis, spider: Any, key: str,
                 serializer: Any = None) -> None:
        settings = spider.crawler.settings
        self.server = server
        self.spider = spider
        self.serializer = serializer or picklecompat
        self.keys = Keys(settings.get("ARCHIVE_QUEUE", DEFAULT_QUEUE))
        self.worker = spider.worker_id
        self.max_sites = settings.getint("ARCHIVE_WORKER_SITES", 8)
        self.timeout_ms = int(settings.getfloat("ARCHIVE_WORKER_TIMEOUT", 30.0) * 1000)
        self.stats = spider.crawler.stats
        self.held: dict[str, _Held] = {}
        self.site_of: dict[str, str] = {}  # in-flight request id -> site
        self.turn = 0
        self.next_acquire = 0.0
        self._push = server.register_script(_PUSH)
        self._pop = server.register_script(_POP)
        self._release = server.register_script(_RELEASE)
        self._renew = server.register_script(_RENEW)
        spider.work_queue = self
        self.heartbeat()
        self.reap()

    # scrapy-redis's interface
    def __len__(self) -> int:
        """Requests queued for the sites this worker holds (what it can pop now)."""
        if not self.held:
            return 0
        with self.server.pipeline(transaction=False) as pipe:
            for site in self.held:
                pipe.zcard(self.keys.queue(site))
            return sum(pipe.execute())

    def push(self, request: Request, fingerprint: str = "") -> None:
        """Queue ``request`` for its site; ``fingerprint`` (the duplicates filter's) and the
        request's article key are marked as scheduled in the same script."""
        site = request.meta["site"]
        old = request.meta.pop("pa_id", None) or ""
        data = self.serializer.dumps(request.to_dict(spider=self.spider))
        self._push(keys=[self.keys.queue(site), self.keys.active, self.keys.inflight(self.worker),
                         self.keys.seq, self.keys.dupefilter, self.keys.scheduled(site)],
                   args=[-request.priority, data, site, old, fingerprint,
                         request.meta.get("key") or ""])
        if old:
            self._forget(old)

    def pop(self, timeout: int = 0) -> Request | None:
        if len(self.held) < self.max_sites and time.monotonic() >= self.next_acquire:
            self.next_acquire = time.monotonic() + 0.5
            self.acquire()
        sites = list(self.held)
        for i in range(len(sites)):
            site = sites[(self.turn + i) % len(sites)]
            member = self._pop(keys=[self.keys.queue(site), self.keys.inflight(self.worker)],
                               args=[site])
            if member is None:
                if not self.held[site].in_flight:
                    self.release(site)
                continue
            self.turn = (self.turn + i + 1) % max(len(sites), 1)
            rid, _, data = member.partition(b"\n")
            request = request_from_dict(self.serializer.loads(data), spider=self.spider)
            request.meta["pa_id"] = rid.decode()
            self.held[site].in_flight.add(rid.decode())
            self.site_of[rid.decode()] = site
            return request
        return None

    def clear(self) -> None:
        """Never called with SCHEDULER_PERSIST; the queue outlives a worker."""

    # leases
    def acquire(self) -> None:
        """Take sites while there is room: first sites whose worker died (queued requests and no
        lease), then new seeds."""
        sites = [raw.decode() for raw in self.server.smembers(self.keys.active)]
        sites = [site for site in sites if site not in self.held]
        if sites:
            with self.server.pipeline(transaction=False) as pipe:
                for site in sites:
                    pipe.exists(self.keys.lease(site))
                leased = pipe.execute()
            for site, taken in zip(sites, leased, strict=True):
                if len(self.held) >= self.max_sites:
                    return
                if not taken and self.server.set(self.keys.lease(site), self.worker, nx=True,
                                                 px=self.timeout_ms):
                    self._hold(site)
        while len(self.held) < self.max_sites:
            raw = self.server.lmove(self.keys.seeds, self.keys.seeding(self.worker),
                                    "LEFT", "RIGHT")
            if raw is None:
                return
            seed = Seed.from_json(raw)
            if self.server.set(self.keys.lease(seed.site), self.worker, nx=True,
                               px=self.timeout_ms):
                self.server.sadd(self.keys.active, seed.site)
                if self._hold(seed.site):
                    scheduler = self.spider.crawler.engine.scheduler
                    for request in self.spider.seed_requests(seed):
                        scheduler.enqueue_request(request)
            else:
                logger.info("site %s is being crawled by another worker; seed dropped",
                            seed.site)
            self.server.lrem(self.keys.seeding(self.worker), 1, raw)

    def _hold(self, site: str) -> bool:
        raw = self.server.hget(self.keys.sites, site)
        if raw is None:
            logger.error("site %s has no definition in %s; dropped", site, self.keys.sites)
            return False
        self.spider.add_site(Seed.from_json(raw),
                             scheduled=scheduled_keys(self.server, self.keys.scheduled(site)))
        self.held[site] = _Held(site)
        self.stats.inc_value("archive/worker/sites")
        logger.info("worker %s took site %s", self.worker, site)
        return True

    def release(self, site: str) -> None:
        if self._release(keys=[self.keys.lease(site), self.keys.queue(site), self.keys.active],
                         args=[self.worker, site]):
            del self.held[site]
            self.spider.states.pop(site, None)
            logger.info("worker %s finished site %s", self.worker, site)

    def reap(self) -> None:
        """Return dead workers' requests and seeds to the queues (counted in the stats)."""
        requests, seeds = reap(self.server, self.keys)
        if requests or seeds:
            self.stats.inc_value("archive/worker/reaped", requests)
            self.stats.inc_value("archive/worker/reaped_seeds", seeds)

    # acknowledgement, heartbeat, shutdown
    def ack(self, ids: Iterable[str]) -> None:
        ids = [i for i in ids if i]
        if not ids:
            return
        self.server.hdel(self.keys.inflight(self.worker), *ids)
        for rid in ids:
            self._forget(rid)
        self.stats.inc_value("archive/worker/acknowledged", len(ids))

    def _forget(self, rid: str) -> None:
        site = self.site_of.pop(rid, None)
        if site in self.held:
            self.held[site].in_flight.discard(rid)

    def heartbeat(self) -> None:
        # Registering again each time: a worker stalled past the timeout was reaped (its
        # requests went back to the queue) and must be known again to be reaped if it dies.
        with self.server.pipeline() as pipe:
            pipe.set(self.keys.alive(self.worker), "1", px=self.timeout_ms)
            pipe.sadd(self.keys.workers, self.worker)
            pipe.execute()
        sites = list(self.held)
        if sites:
            lost = self._renew(keys=[self.keys.lease(s) for s in sites],
                               args=[self.worker, self.timeout_ms])
            for i in lost or []:
                site = sites[int(i) - 1]
                logger.warning("worker %s lost its lease on %s", self.worker, site)
                self.held.pop(site, None)

    def requeue_own(self) -> None:
        """On a clean stop: this worker's in-flight requests go back to the shared queues."""
        self.server.delete(self.keys.alive(self.worker))
        reap(self.server, self.keys)
        for site in list(self.held):
            self.server.delete(self.keys.lease(site))
