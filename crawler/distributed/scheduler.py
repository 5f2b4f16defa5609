"""The worker's scheduler: scrapy-redis's, with the duplicates filter asked, not written, so
a request's fingerprint reaches Redis with its push (:class:`~crawler.distributed.queue.
SiteQueue`)."""

from __future__ import annotations

import scrapy_redis.scheduler
from scrapy import Request


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
