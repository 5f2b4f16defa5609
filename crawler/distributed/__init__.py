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

from crawler.distributed.keys import DEFAULT_QUEUE, Keys, connect
from crawler.distributed.queue import SiteQueue, scheduled_keys
from crawler.distributed.scheduler import Scheduler
from crawler.distributed.sites import (
    Seed,
    enqueue,
    parse_site_line,
    queue_done,
    queue_status,
    read_site_list,
    reap,
)
from crawler.distributed.worker import Acknowledge, Handled, Worker, worker_id, worker_settings

__all__ = ["DEFAULT_QUEUE", "Acknowledge", "Handled", "Keys", "Scheduler", "Seed", "SiteQueue",
           "Worker", "connect", "enqueue", "parse_site_line", "queue_done", "queue_status",
           "read_site_list", "reap", "scheduled_keys", "worker_id", "worker_settings"]
