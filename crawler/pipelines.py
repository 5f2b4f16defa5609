"""The archive pipeline: writes fetch results and aliases to archive.db in batches.

Each :class:`~crawler.items.FetchResult` carries the raw capture and what extraction made of it;
the storage writes the capture first and the article (or the failure) second, in one
transaction per batch. Settings: ``ARCHIVE_BATCH_SIZE``, ``ARCHIVE_BATCH_SECONDS``.
Stats: ``archive/articles/new|changed|unchanged|duplicate``, ``archive/failures``,
``archive/captures``, ``archive/bytes``.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from crawler.items import AliasSeen, FetchResult
from crawler.runs import archive_for
from crawler.storage import Archive, WriteReport


class ArchivePipeline:
    def __init__(self, crawler: Crawler, archive: Archive, batch_size: int,
                 batch_seconds: float) -> None:
        self.crawler = crawler
        self.archive = archive
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.results: list[FetchResult] = []
        self.aliases: list[AliasSeen] = []
        self.last_flush = time.monotonic()
        self.total = WriteReport()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        s = crawler.settings
        return cls(crawler, archive_for(crawler), s.getint("ARCHIVE_BATCH_SIZE", 50),
                   s.getfloat("ARCHIVE_BATCH_SECONDS", 2.0))

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, FetchResult):
            self.results.append(item)
        elif isinstance(item, AliasSeen):
            self.aliases.append(item)
        else:
            return item
        if (len(self.results) >= self.batch_size
                or time.monotonic() - self.last_flush >= self.batch_seconds):
            self.flush()
        return item

    def flush(self, final: bool = False) -> None:
        results, aliases = self.results, self.aliases
        self.results, self.aliases = [], []
        self.last_flush = time.monotonic()
        if not results and not aliases:
            return
        report = self.archive.write(results, aliases,
                                    crawl_id=self.crawler.stats.get_value("archive/crawl_id"))
        if not final:
            self.aliases = report.unresolved_aliases
        self.total.add(report)
        stats = self.crawler.stats
        for name in ("new", "changed", "unchanged"):
            stats.inc_value(f"archive/articles/{name}", getattr(report, name))
        stats.inc_value("archive/articles/duplicate", report.duplicates)
        stats.inc_value("archive/failures", report.failed)
        stats.inc_value("archive/captures", report.captures)
        stats.inc_value("archive/bytes", report.bytes)

    def close_spider(self, spider: Spider | None = None) -> None:
        self.flush()
        self.flush(final=True)
