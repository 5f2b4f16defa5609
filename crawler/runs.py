"""One crawl run: the shared archive handle, the ``crawls`` row, and how failures are named.

``RunRecorder`` is an extension: it opens the run's row in ``crawls`` when the spider opens and
closes it with the run's counts and status when it closes. Settings: ``ARCHIVE_DB``.
Stats it writes: ``archive/crawl_id``, ``archive/status``, ``archive/degraded``. Status:
``complete``, ``failures`` (completed, some URLs failed), ``degraded`` (completed, but a field's
fill rate fell far below the site's history: see :mod:`crawler.breakage`) or ``interrupted``
(stopped before its queue was empty).
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.archivefile import disk_error
from crawler.breakage import Breakage, find_breakage
from crawler.lock import ArchiveBusy, ArchiveLock
from crawler.storage import Archive, utcnow

logger = logging.getLogger(__name__)

__all__ = ["ArchiveBusy", "ArchiveLock", "RunRecorder", "archive_for", "failure_reason",
           "known_archive_for", "response_headers", "utcnow"]


def archive_for(crawler: Crawler) -> Archive:
    """The crawl's one :class:`Archive`, opened on first use and shared by its components."""
    archive = getattr(crawler, "_portal_archive", None)
    if archive is None:
        settings = crawler.settings
        archive = Archive(settings.get("ARCHIVE_DB", "archive.db"),
                          min_body_ratio=settings.getfloat("ARCHIVE_MIN_BODY_RATIO", 0.5),
                          keep_bodies=(settings.getbool("ARCHIVE_DB_BODIES", True)
                                       or not settings.getbool("ARCHIVE_WARC", True)))
        crawler._portal_archive = archive  # type: ignore[attr-defined]
    return archive


def known_archive_for(crawler: Crawler) -> Archive | None:
    """The merged archive of earlier rounds that a worker's new round counts as archived
    (``ARCHIVE_KNOWN_DB``), opened read-only on first use and closed with the crawl; None
    without the setting. Spiders read it through here and never open an archive themselves."""
    if not hasattr(crawler, "_portal_known_archive"):
        path = crawler.settings.get("ARCHIVE_KNOWN_DB") or None
        known = Archive(path, readonly=True) if path else None
        crawler._portal_known_archive = known  # type: ignore[attr-defined]
        if known is not None:
            crawler.signals.connect(lambda *_, **__: known.close(), signal=signals.engine_stopped,
                                    weak=False)
    return crawler._portal_known_archive  # type: ignore[attr-defined]


def response_headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()}


def request_headers(request: Request) -> dict[str, str]:
    """The headers a request was sent with (those Scrapy set; the HTTP client adds Host)."""
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1")
            for k, v in request.headers.items()}


def failure_reason(failure: Failure) -> str:
    """A short, stable reason for a failed fetch: "HTTP 404", "DNS lookup failed", ...

    Scrapy 2.13+ wraps Twisted's errors in its own (``DownloadFailedError`` around
    ``ConnectionDone``, ``DownloadTimeoutError`` ...); the wrapped error names the reason.
    """
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    exc: BaseException = failure.value
    name = type(exc).__name__
    if name == "DownloadFailedError" and exc.__cause__ is not None:
        exc = exc.__cause__
        name = type(exc).__name__
    if name == "DownloadFailedError":  # the wrapped failures are only in the message
        message = str(exc)
        name = next((n for n in _REASONS if n in message), name)
    return _REASONS.get(name, f"{name}: {failure.getErrorMessage()}"[:300])


_REASONS = {
    "DNSLookupError": "DNS lookup failed",
    "CannotResolveHostError": "DNS lookup failed",
    "TimeoutError": "timed out",
    "TCPTimedOutError": "timed out",
    "DownloadTimeoutError": "timed out",
    "ConnectionRefusedError": "connection refused",
    "DownloadConnectionRefusedError": "connection refused",
    "ConnectionLost": "connection lost",
    "ResponseNeverReceived": "no response (connection reset)",
    "ConnectionDone": "no response (connection closed)",
    "ResponseFailed": "response failed (truncated or reset)",
    "ResponseDataLossError": "truncated: body shorter than its Content-Length",
    "DownloadCancelledError": "too large: download cut at DOWNLOAD_MAXSIZE",
}


def nothing_archived(stats: dict[str, Any]) -> str | None:
    """Why a run that fetched pages is no success although nothing failed: it found no
    article at all, neither a new one nor one already archived. None when it found some."""
    pages = stats.get("response_received_count", 0) or stats.get("downloader/response_count", 0)
    found = sum(stats.get(f"archive/articles/{k}", 0)
                for k in ("new", "changed", "unchanged", "skipped_known", "edit_hints",
                          "duplicate"))
    if not pages or found:
        return None
    return (f"no article found: {pages} pages fetched, none an article or a link to one "
            "(does the profile's layout fit this portal? try --site generic)")


def crawl_status(stats: dict[str, Any]) -> str:
    if stats.get("finish_reason", "finished") != "finished" or stats.get("archive/write_error"):
        return "interrupted"
    if stats.get("archive/degraded"):
        return "degraded"
    if stats.get("archive/failures", 0):
        return "failures"
    return "complete"


class RunRecorder:
    """Writes the run's row in ``crawls``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.crawl_id: int | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        ArchiveLock.acquire(crawler.settings.get("ARCHIVE_DB", "archive.db"))
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        archive = archive_for(self.crawler)
        self.crawl_id = archive.begin_crawl(getattr(spider, "site", spider.name),
                                            list(getattr(spider, "start_urls", [])),
                                            pid=os.getpid())
        self.crawler.stats.set_value("archive/crawl_id", self.crawl_id)
        settings = self.crawler.settings
        manners = {  # the manners this run kept, for the archivist reading the run afterwards
            "download_delay": settings.getfloat("DOWNLOAD_DELAY"),
            "concurrent_requests_per_domain": settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            "autothrottle_enabled": settings.getbool("AUTOTHROTTLE_ENABLED"),
            "robotstxt_obey": settings.getbool("ROBOTSTXT_OBEY"),
        }
        for name, value in manners.items():
            self.crawler.stats.set_value(f"archive/settings/{name}", value)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.crawl_id is None:
            return
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        stats["elapsed_seconds"] = round(time.monotonic() - self.started, 3)
        self.crawler.stats.set_value("elapsed_seconds", stats["elapsed_seconds"])
        archive = archive_for(self.crawler)
        site = getattr(spider, "site", spider.name)
        degraded = [f"extraction degraded: {b.describe()}"
                    for b in self.breakage(archive, site)]
        budget = getattr(spider, "budget", None)
        if budget is not None:
            spent = budget.summary()
            stats["archive/budget"] = spent
            self.crawler.stats.set_value("archive/budget", spent)
            if spent["capped"]:
                degraded.append(
                    f"page cap reached: {spent['pages']} pages for {budget.articles} articles "
                    f"(ARCHIVE_MAX_PAGES + ARCHIVE_MAX_PAGES_PER_ARTICLE an article); "
                    f"{spent['refused_by_cap']} pages left unfetched")
            if reason == "finished":
                archive.remember_cut_templates(site, self.crawl_id, [
                    c for c in spent["templates_cut"] if c["template"] in budget.dead()])
        if nothing := nothing_archived(stats):
            degraded.append(nothing)
        if degraded:
            stats["archive/degraded"] = degraded
            self.crawler.stats.set_value("archive/degraded", degraded)
            for d in degraded:
                logger.warning("%s: %s", site, d)
        status = crawl_status(stats)
        self.crawler.stats.set_value("archive/status", status)
        try:
            archive.finish_crawl(self.crawl_id, status, _jsonable(stats))
            if status != "interrupted":
                archive.clear_frontier(site)
        except Exception as exc:
            if not disk_error(exc):
                raise
            # The next run marks this run's row interrupted (Archive.begin_crawl).
            logger.error("the end of run %s could not be recorded: %s", self.crawl_id, exc)
        finally:
            archive.close()


    def breakage(self, archive: Archive, site: str) -> list[Breakage]:
        s = self.crawler.settings
        return find_breakage(
            archive.fill_rates(site, self.crawl_id),
            min_history=s.getint("ARCHIVE_BREAKAGE_MIN_HISTORY", 20),
            min_sample=s.getint("ARCHIVE_BREAKAGE_MIN_SAMPLE", 5),
            drop=s.getfloat("ARCHIVE_BREAKAGE_DROP", 0.5),
            body_ratio=s.getfloat("ARCHIVE_BREAKAGE_BODY_RATIO", 0.2))


def _jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in stats.items()}
