"""A worker's components: the extension that keeps it alive in the queue (heartbeat, reaping,
idling), the item pipeline that acknowledges what its shard has stored, and the settings that
make a crawl a worker."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task

from crawler.distributed.keys import DEFAULT_QUEUE, Keys
from crawler.distributed.queue import SiteQueue
from crawler.distributed.sites import queue_done
from crawler.items import AliasSeen, FetchResult

logger = logging.getLogger(__name__)


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
        "SCHEDULER": "crawler.distributed.scheduler.Scheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.queue.SiteQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:queue",
        "SCHEDULER_DUPEFILTER_KEY": Keys(prefix).dupefilter,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
    }
