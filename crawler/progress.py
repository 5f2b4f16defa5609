"""Progress reporting: a live status line on a terminal, a plain line a minute under cron.

Settings: ``ARCHIVE_PROGRESS`` ("auto", "tty", "log", "off"), ``ARCHIVE_PROGRESS_INTERVAL``
(seconds between plain lines, default 60). Raises ``NotConfigured`` when "off".
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


def status_line(stats: dict, queued: int | None, elapsed: float) -> str:
    """One line: pages fetched, articles new / updated, queue, failures, rate."""
    pages = stats.get("response_received_count", 0)
    rate = pages / elapsed * 60 if elapsed > 0 else 0.0
    queue = "?" if queued is None else str(queued)
    return (f"pages {pages} | articles new {stats.get('archive/articles/new', 0)} "
            f"updated {stats.get('archive/articles/changed', 0)} | queue {queue} | "
            f"failures {stats.get('archive/failures', 0)} | {rate:.0f} pages/min")


class Progress:
    def __init__(self, crawler: Crawler, mode: str, interval: float,
                 stream: TextIO = sys.stderr) -> None:
        self.crawler = crawler
        self.mode = mode
        self.interval = interval
        self.stream = stream
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        mode = crawler.settings.get("ARCHIVE_PROGRESS", "auto")
        if mode == "off":
            raise NotConfigured("ARCHIVE_PROGRESS is off")
        if mode == "auto":
            mode = "tty" if sys.stderr.isatty() else "log"
        interval = 1.0 if mode == "tty" else crawler.settings.getfloat(
            "ARCHIVE_PROGRESS_INTERVAL", 60.0)
        ext = cls(crawler, mode, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: object) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def queued(self) -> int | None:
        engine = self.crawler.engine
        scheduler = getattr(engine, "scheduler", None) if engine else None
        try:
            return len(scheduler) if scheduler is not None else None  # type: ignore[arg-type]
        except TypeError:
            return None

    def report(self) -> None:
        line = status_line(self.crawler.stats.get_stats(), self.queued(),
                           time.monotonic() - self.started)
        if self.mode == "tty":
            self.stream.write("\r\x1b[2K" + line)
        else:
            self.stream.write(time.strftime("%Y-%m-%d %H:%M:%S ") + line + "\n")
        self.stream.flush()

    def spider_closed(self, spider: object) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.mode == "tty":
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
