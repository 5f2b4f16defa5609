"""Scale-out: several workers crawl many portals from one Redis, each into its own shard.

``enqueue`` pushes site seeds (a start URL and a profile) to Redis. Each worker runs Scrapy with
scrapy-redis's scheduler and duplicates filter; the queue class here replaces scrapy-redis's
``PriorityQueue`` with one that makes a worker's work survive a ``kill -9`` and keeps each host
on one worker at a time (scrapy-redis 0.9.1 works with Scrapy 2.19; :class:`Scheduler` adds a
request's fingerprint when it pushes the request, not before, and drops the deprecated
``spider=`` argument to the stats):

- **Sites are leased.** A worker takes a site (a seed, or a site whose worker died) by setting
  ``<queue>:lease:<site>`` with a time to live it renews while alive; it pops only requests of
  the sites it holds, round-robin, so a portal sees one worker with the profile's manners, as
  in a single-process crawl. It releases a site when the site's queue is empty and none of its
  requests is in flight.
- **Requests in flight are kept.** A pop moves the request from ``<queue>:queue:<site>`` into
  the worker's ``<queue>:inflight:<worker>`` hash in one Lua script; the entry is deleted
  (acknowledged) only once the fetch's result is committed to the worker's shard and the
  requests it found are in Redis. A retry or a redirect replaces its entry atomically.
- **Nothing is marked scheduled before it is queued.** A request's fingerprint (the
  duplicates filter) and its article key (``<queue>:scheduled:<site>``, which a worker taking
  the site over starts from) are added by the script that queues it: a worker killed at any
  point leaves no link marked as scheduled whose request is not in Redis.
- **Dead workers are reaped.** A worker refreshes ``<queue>:alive:<worker>`` every
  ``ARCHIVE_WORKER_HEARTBEAT`` seconds (time to live ``ARCHIVE_WORKER_TIMEOUT``). Workers
  check the others on start and at each heartbeat: the in-flight requests and half-taken seeds
  of one whose key expired go back to the shared queues, and its sites' leases expire.

Settings: ``REDIS_URL`` (scrapy-redis), ``ARCHIVE_QUEUE`` (the key prefix, ``portal-archive``),
``ARCHIVE_WORKER_SITES`` (sites a worker holds at once, 8), ``ARCHIVE_WORKER_HEARTBEAT`` (5 s),
``ARCHIVE_WORKER_TIMEOUT`` (30 s), ``ARCHIVE_WORKER_EXIT_WHEN_IDLE`` (False: wait for work),
``ARCHIVE_BATCH_SIZE`` and ``ARCHIVE_BATCH_SECONDS`` (results acknowledged per batch).
Stats: ``archive/worker/sites`` (sites taken), ``archive/worker/reaped`` (dead workers'
requests returned to the queue), ``archive/worker/reaped_seeds``,
``archive/worker/acknowledged``.

The Lua scripts name keys they compute from the prefix, so the queue needs a single Redis
server (not Redis Cluster).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import redis
import scrapy_redis.scheduler
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.request import request_from_dict
from scrapy_redis import picklecompat
from twisted.internet import task

from crawler.items import AliasSeen, FetchResult
from crawler.profiles import profile_for
from crawler.seen import SeenSet

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "portal-archive"


class Keys:
    """The Redis keys of one crawl queue (all under one prefix)."""

    def __init__(self, prefix: str = DEFAULT_QUEUE) -> None:
        self.prefix = prefix
        self.seeds = f"{prefix}:seeds"          # list of JSON seeds not yet taken
        self.sites = f"{prefix}:sites"          # hash: site -> JSON definition
        self.active = f"{prefix}:active"        # set: sites leased or with queued requests
        self.workers = f"{prefix}:workers"      # set: worker ids that registered
        self.seq = f"{prefix}:seq"              # counter ordering pushed requests
        self.dupefilter = f"{prefix}:dupefilter"

    def queue(self, site: str) -> str:
        return f"{self.prefix}:queue:{site}"

    def scheduled(self, site: str) -> str:
        return f"{self.prefix}:scheduled:{site}"

    def lease(self, site: str) -> str:
        return f"{self.prefix}:lease:{site}"

    def alive(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    def inflight(self, worker: str) -> str:
        return f"{self.prefix}:inflight:{worker}"

    def seeding(self, worker: str) -> str:
        return f"{self.prefix}:seeding:{worker}"


# A queued request is the ZSET member "<id>\n<pickled request>", scored -priority; ids count down
# so that among equal priorities the newest comes first (Scrapy's default LIFO order).
# The push also records what marks the request as scheduled, its fingerprint in the duplicates
# filter and its article key (ARGV[5], ARGV[6]; '' for none), so that whatever Redis knows as
# scheduled is in the queue: a worker killed between finding a link and pushing its request
# leaves no mark, and the worker that takes the site over schedules the link again.
_PUSH = """
local n = redis.call('INCR', KEYS[4])
local id = string.format('%015d', 999999999999999 - n)
redis.call('ZADD', KEYS[1], ARGV[1], id .. '\\n' .. ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
if ARGV[4] ~= '' then redis.call('HDEL', KEYS[3], ARGV[4]) end
if ARGV[5] ~= '' then redis.call('SADD', KEYS[5], ARGV[5]) end
if ARGV[6] ~= '' then redis.call('SADD', KEYS[6], ARGV[6]) end
return id
"""

# In flight, a request is kept as "<score> <site>\n<pickled request>" under its id.
_POP = """
local got = redis.call('ZPOPMIN', KEYS[1])
if #got == 0 then return false end
local member, score = got[1], got[2]
local nl = string.find(member, '\\n', 1, true)
local id = string.sub(member, 1, nl - 1)
redis.call('HSET', KEYS[2], id, score .. ' ' .. ARGV[1] .. '\\n' .. string.sub(member, nl + 1))
return member
"""

_REAP = """
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local v = entries[i + 1]
  local nl = string.find(v, '\\n', 1, true)
  local head = string.sub(v, 1, nl - 1)
  local sp = string.find(head, ' ', 1, true)
  local site = string.sub(head, sp + 1)
  redis.call('ZADD', ARGV[1] .. ':queue:' .. site, string.sub(head, 1, sp - 1),
             entries[i] .. '\\n' .. string.sub(v, nl + 1))
  redis.call('SADD', KEYS[4], site)
end
redis.call('DEL', KEYS[1])
local seeds = 0
while redis.call('LMOVE', KEYS[2], KEYS[3], 'RIGHT', 'LEFT') do seeds = seeds + 1 end
redis.call('SREM', KEYS[5], ARGV[2])
return {#entries / 2, seeds}
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[2])
return 1
"""

_RENEW = """
local lost = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
  else
    table.insert(lost, i)
  end
end
return lost
"""


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10,
                                retry_on_timeout=True)


# --- site lists and seeds ---------------------------------------------------------------------
@dataclass
class Seed:
    """One line of a site list: the site's name, its profile and its start URLs."""

    site: str
    urls: list[str]
    profile: str | None = None

    def to_json(self) -> str:
        return json.dumps({"site": self.site, "profile": self.profile, "urls": self.urls})

    @classmethod
    def from_json(cls, raw: bytes | str) -> Seed:
        data = json.loads(raw)
        return cls(site=data["site"], urls=list(data["urls"]), profile=data.get("profile"))


def parse_site_line(line: str) -> Seed | None:
    """``URL``, ``PROFILE`` or ``URL PROFILE``; blank lines and ``#`` comments give None."""
    line = line.split("#", 1)[0].strip()
    if not line:
        return None
    parts = line.split()
    if len(parts) > 2:
        raise ValueError(f"expected 'URL', 'PROFILE' or 'URL PROFILE', got {line!r}")
    url = next((p for p in parts if p.startswith(("http://", "https://"))), None)
    name = next((p for p in parts if not p.startswith(("http://", "https://"))), None)
    if url is None:
        if name is None:
            raise ValueError(f"no URL or profile in {line!r}")
        from crawler.profiles import load_profiles

        profiles = load_profiles()
        if name not in profiles:
            raise ValueError(f"no profile named {name!r}")
        profile = profiles[name]
        urls = [_join(profile.base_url, u) for u in profile.entry_urls]
    else:
        profile = profile_for(url, name)
        urls = [url]
    return Seed(site=profile.name, urls=urls, profile=name)


def _join(base: str, path: str) -> str:
    from urllib.parse import urljoin

    return urljoin(base, path)


def read_site_list(lines: Iterable[str]) -> list[Seed]:
    """Seeds of a site list; a malformed line raises ValueError naming its number."""
    seeds = []
    for number, line in enumerate(lines, 1):
        try:
            seed = parse_site_line(line)
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from None
        if seed is not None:
            seeds.append(seed)
    return seeds


def enqueue(seeds: list[Seed], server: redis.Redis, prefix: str = DEFAULT_QUEUE,
            reset: bool = False) -> int:
    """Push ``seeds`` and reap dead workers; returns how many sites were pushed. Seeds of the
    same site (one profile named on several lines) are one site with all their start URLs,
    as ``crawl URL URL --site PROFILE`` would crawl them. ``reset`` first deletes the queue's
    keys (its duplicates filter too): do it only when no worker runs."""
    keys = Keys(prefix)
    if reset:
        for key in server.scan_iter(match=f"{prefix}:*", count=1000):
            server.delete(key)
    reap(server, keys)
    unique: dict[str, Seed] = {}
    for seed in seeds:
        if seed.site in unique:
            known = unique[seed.site]
            known.urls.extend(u for u in seed.urls if u not in known.urls)
        else:
            unique[seed.site] = Seed(site=seed.site, urls=list(seed.urls), profile=seed.profile)
    with server.pipeline() as pipe:
        for seed in unique.values():
            pipe.hset(keys.sites, seed.site, seed.to_json())
        if unique:
            pipe.rpush(keys.seeds, *[s.to_json() for s in unique.values()])
        pipe.execute()
    return len(unique)


def reap(server: redis.Redis, keys: Keys) -> tuple[int, int]:
    """Return the in-flight requests and half-taken seeds of every registered worker whose
    heartbeat expired to the shared queues; (requests, seeds) returned."""
    requests = seeds = 0
    for raw in server.smembers(keys.workers):
        worker = raw.decode()
        if server.exists(keys.alive(worker)):
            continue
        got = server.eval(_REAP, 5, keys.inflight(worker), keys.seeding(worker), keys.seeds,
                          keys.active, keys.workers, keys.prefix, worker)
        requests += int(got[0])
        seeds += int(got[1])
        if got[0] or got[1]:
            logger.warning("worker %s is gone: %d requests and %d seeds returned to the queue",
                           worker, got[0], got[1])
    return requests, seeds


def queue_status(server: redis.Redis, prefix: str = DEFAULT_QUEUE) -> dict[str, Any]:
    """Seeds waiting, sites active, requests queued and in flight, workers alive."""
    keys = Keys(prefix)
    active = [s.decode() for s in server.smembers(keys.active)]
    workers = [w.decode() for w in server.smembers(keys.workers)]
    return {
        "seeds": server.llen(keys.seeds),
        "active_sites": len(active),
        "queued": sum(server.zcard(keys.queue(s)) for s in active),
        "in_flight": sum(server.hlen(keys.inflight(w)) for w in workers),
        "seeding": sum(server.llen(keys.seeding(w)) for w in workers),
        "workers": len(workers),
        "alive": sum(1 for w in workers if server.exists(keys.alive(w))),
    }


def queue_done(server: redis.Redis, prefix: str = DEFAULT_QUEUE) -> bool:
    """True when no seed waits, no site is active and no worker has work in flight."""
    s = queue_status(server, prefix)
    return not (s["seeds"] or s["active_sites"] or s["in_flight"] or s["seeding"])


# --- the worker side: the queue scrapy-redis's scheduler uses ------------------------------
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


class Scheduler(scrapy_redis.scheduler.Scheduler):
    """scrapy-redis's scheduler with two changes. Its duplicates filter adds a fingerprint
    (``request_seen``) before the request is pushed, so a worker killed between the two calls
    loses the request: here the filter is only asked, and the push adds the fingerprint in the
    same script as the request. And its stats calls pass no ``spider=`` (Scrapy 2.19 deprecates
    it, a warning per request)."""

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = ""
        if not request.dont_filter:
            fingerprint = self.df.request_fingerprint(request)
            if self.server.sismember(self.queue.keys.dupefilter, fingerprint):
                self.df.log(request, self.spider)
                return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request, fingerprint)
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop(self.idle_before_close)
        if request and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


class Worker:
    """Extension: the worker's heartbeat (and reaping of dead workers), acknowledging what the
    shard has stored when the crawl idles, and staying open while the shared queue has work
    (closing once it has none with ``ARCHIVE_WORKER_EXIT_WHEN_IDLE``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        s = crawler.settings
        self.interval = s.getfloat("ARCHIVE_WORKER_HEARTBEAT", 5.0)
        self.exit_when_idle = s.getbool("ARCHIVE_WORKER_EXIT_WHEN_IDLE", False)
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Worker:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured("no REDIS_URL")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def queue(self) -> SiteQueue | None:
        return getattr(self.crawler.spider, "work_queue", None)

    def spider_opened(self, spider: Any) -> None:
        self.loop = task.LoopingCall(self.beat)
        self.loop.start(self.interval, now=False)

    def beat(self) -> None:
        queue = self.queue()
        if queue is None:
            return
        try:
            queue.heartbeat()
            queue.reap()
        except redis.RedisError as exc:
            logger.error("heartbeat failed: %s", exc)

    def spider_idle(self, spider: Any) -> None:
        queue = self.queue()
        if queue is None:
            return
        acknowledge = getattr(spider, "acknowledge", None)
        if acknowledge is not None:
            acknowledge.flush(wait=True)
        for site, held in list(queue.held.items()):
            if not held.in_flight:
                queue.release(site)
        queue.acquire()
        if queue.held or not self.exit_when_idle:
            raise DontCloseSpider
        if not queue_done(queue.server, queue.keys.prefix):
            queue.reap()
            raise DontCloseSpider

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        queue = self.queue()
        if queue is not None:
            acknowledge = getattr(spider, "acknowledge", None)
            if acknowledge is not None:
                acknowledge.flush(wait=True)
            queue.requeue_own()


@dataclass
class Handled:
    """What the worker spider yields for one fetch: the request's in-flight id and the items
    it produced (its fetch result, aliases), so they are stored before the id is
    acknowledged."""

    request_id: str | None
    items: list[Any] = field(default_factory=list)


class Acknowledge:
    """Item pipeline, before the archive pipeline: hands the items of each :class:`Handled`
    to the archive pipeline, records alias sightings, and acknowledges the in-flight ids once
    the archive pipeline has committed them (every ``ARCHIVE_BATCH_SIZE`` fetches or
    ``ARCHIVE_BATCH_SECONDS``, and when the crawl idles or stops)."""

    def __init__(self, crawler: Crawler, batch_size: int, batch_seconds: float) -> None:
        self.crawler = crawler
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.ids: list[str] = []
        self.sightings: list[AliasSeen] = []
        self.last = time.monotonic()
        self._archive_pipeline: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Acknowledge:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured("no REDIS_URL")
        s = crawler.settings
        return cls(crawler, s.getint("ARCHIVE_BATCH_SIZE", 50),
                   s.getfloat("ARCHIVE_BATCH_SECONDS", 2.0))

    def open_spider(self, spider: Any = None) -> None:
        self.crawler.spider.acknowledge = self

    def archive_pipeline(self) -> Any:
        if self._archive_pipeline is None:
            from crawler.pipelines import ArchivePipeline

            pipes = self.crawler.engine.scraper.itemproc.middlewares
            self._archive_pipeline = next(p for p in pipes if isinstance(p, ArchivePipeline))
        return self._archive_pipeline

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Handled):
            return item
        pipeline = self.archive_pipeline()
        for inner in item.items:
            pipeline.process_item(inner)
            if isinstance(inner, AliasSeen):
                self.sightings.append(inner)
            elif isinstance(inner, FetchResult):
                self.sightings.extend(inner.aliases)
        if item.request_id:
            self.ids.append(item.request_id)
        if len(self.ids) >= self.batch_size or time.monotonic() - self.last >= self.batch_seconds:
            self.flush()
        return item

    def flush(self, wait: bool = False) -> None:
        """Store what was handled; acknowledge its ids once committed (``wait``: before
        returning, as the idle and closing checks need)."""
        self.last = time.monotonic()
        if not self.ids and not self.sightings:
            return
        ids, sightings = self.ids, self.sightings
        self.ids, self.sightings = [], []
        queue = getattr(self.crawler.spider, "work_queue", None)

        def committed(archive: Any) -> None:  # in the archive's writer thread, after the commit
            if sightings:
                archive.add_alias_sightings(sightings)
            if queue is not None:
                queue.ack(ids)

        self.archive_pipeline().flush(after=committed, wait=wait)

    def close_spider(self, spider: Any = None) -> None:
        self.flush(wait=True)


def worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def worker_settings(redis_url: str, prefix: str = DEFAULT_QUEUE,
                    exit_when_idle: bool = False) -> dict[str, Any]:
    """The Scrapy settings that make a crawl a worker of the queue ``prefix`` at ``redis_url``."""
    return {
        "REDIS_URL": redis_url,
        "ARCHIVE_QUEUE": prefix,
        "ARCHIVE_WORKER_EXIT_WHEN_IDLE": exit_when_idle,
        "SCHEDULER": "crawler.distributed.Scheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.SiteQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:queue",
        "SCHEDULER_DUPEFILTER_KEY": Keys(prefix).dupefilter,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
    }
