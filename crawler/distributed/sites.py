"""Site lists and seeds: what ``portal-archive enqueue`` reads and pushes to Redis, and the
queue's state as ``status`` shows it (dead workers' work returned on the way)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis

from crawler.distributed.keys import _REAP, DEFAULT_QUEUE, Keys
from crawler.profiles import profile_for

logger = logging.getLogger(__name__)


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
