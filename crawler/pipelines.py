"""The archive pipeline: writes fetch results and aliases to archive.db in batches.

Each :class:`~crawler.items.FetchResult` carries the raw capture and what extraction made of it.
A batch is written in three steps: its WARC records (flushed to disk), the payloads of
downloaded photos and attachments (content-addressed files), then one database transaction
with the captures (pointing at their records), articles, failures and files. A run that dies
between the steps leaves at most WARC records or files that no row refers to, never a row
whose record is missing.

Batches are written by a writer thread with its own connection (see :class:`ArchivePipeline`).
Settings: ``ARCHIVE_BATCH_SIZE``, ``ARCHIVE_BATCH_SECONDS``, ``ARCHIVE_WARC``,
``ARCHIVE_WARC_MAX_BYTES``. Stats: ``archive/articles/new|changed|unchanged|duplicate``,
``archive/failures``, ``archive/captures``, ``archive/bytes``, ``archive/files``,
``archive/revisits``, ``archive/warc_files``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from hashlib import sha256
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from crawler.archivefile import disk_error
from crawler.files import FileStore, mime_of
from crawler.items import AliasSeen, FetchResult
from crawler.runs import archive_for
from crawler.storage import Archive, WriteReport
from crawler.warc import WarcWriter

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Collects results into batches and writes each batch in a writer thread with its own
    connection, so that compression, WARC output and SQLite never hold up the reactor thread
    (zlib, gzip and SQLite release the GIL while they work). The queue is short: when the
    writer falls behind, the crawl waits for it instead of piling pages up in memory."""

    def __init__(self, crawler: Crawler, archive: Archive, batch_size: int,
                 batch_seconds: float, warc: WarcWriter | None = None,
                 queue_batches: int = 4) -> None:
        self.crawler = crawler
        self.archive = archive
        self.warc = warc
        self.files = FileStore(archive.folder)
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.results: list[FetchResult] = []
        self.aliases: list[AliasSeen] = []
        self.last_flush = time.monotonic()
        self.total = WriteReport()
        self.queue: queue.Queue[tuple[list[FetchResult], list[AliasSeen],
                                      Callable[[Archive], None] | None] | None] = (
            queue.Queue(maxsize=queue_batches))
        self.error: BaseException | None = None
        self.writer_done = False
        self.thread = threading.Thread(target=self._writer, name="archive-writer", daemon=True)
        self.thread.start()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        s = crawler.settings
        archive = archive_for(crawler)
        warc = (WarcWriter(archive.folder, s.getint("ARCHIVE_WARC_MAX_BYTES", 1_000_000_000),
                           info={"operator": s.get("ARCHIVE_CONTACT", "")})
                if s.getbool("ARCHIVE_WARC", True) else None)
        return cls(crawler, archive, s.getint("ARCHIVE_BATCH_SIZE", 50),
                   s.getfloat("ARCHIVE_BATCH_SECONDS", 2.0), warc)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, FetchResult):
            if item.error:  # one line a failed URL; the reason goes to ``failures`` as well
                logger.warning("failed %s: %s", item.url, item.error)
            self.results.append(item)
            self.aliases.extend(item.aliases)
        elif isinstance(item, AliasSeen):
            self.aliases.append(item)
        else:
            return item
        if (len(self.results) >= self.batch_size
                or time.monotonic() - self.last_flush >= self.batch_seconds):
            self.flush()
        return item

    def flush(self, after: Callable[[Archive], None] | None = None, wait: bool = False) -> None:
        """Hand the collected results to the writer thread; ``after`` is called (in that
        thread, with its archive) once they are committed, e.g. to acknowledge them to a
        shared queue; ``wait``: return only then. Once the pipeline is closed, results are
        written here and now."""
        results, aliases = self.results, self.aliases
        self.results, self.aliases = [], []
        self.last_flush = time.monotonic()
        if not (results or aliases or after) or self.error is not None:
            return
        if self.writer_done:
            if results or aliases:
                self._write_batch(self.archive, results, aliases)
            if after is not None:
                after(self.archive)
            return
        done = threading.Event() if wait else None
        if done is not None:
            def then(archive: Archive, after: Callable[[Archive], None] | None = after) -> None:
                try:
                    if after is not None:
                        after(archive)
                finally:
                    done.set()

            after = then
        self.queue.put((results, aliases, after))
        if done is not None:
            while not done.wait(1.0) and self.thread.is_alive():
                pass

    def _writer(self) -> None:
        archive = Archive(self.archive.path, min_body_ratio=self.archive.min_body_ratio,
                          keep_bodies=self.archive.keep_bodies)
        carry: list[AliasSeen] = []  # aliases whose article was not archived yet
        try:
            while (batch := self.queue.get()) is not None:
                results, aliases, after = batch
                if results or aliases:
                    carry = self._write_batch(archive, results, carry + aliases)
                if after is not None:
                    after(archive)
            if carry and self.error is None:
                self._write_batch(archive, [], carry)
        except BaseException as exc:  # a write that fails (disk full ...) stops the crawl
            self.error = exc
            if disk_error(exc):
                logger.error("writing to the archive failed; the crawl stops: %s", exc)
            else:
                logger.exception("writing to the archive failed; the crawl stops")
            try:
                self._stop_crawl()
            finally:
                while self.queue.get() is not None:  # let the crawl's thread finish its puts
                    pass
        finally:
            archive.close()

    def _stop_crawl(self) -> None:
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not crawling (a pipeline driven by hand)
            return
        if engine is None or getattr(engine, "spider", None) is None:
            return
        from twisted.internet import reactor

        reason = "archive write failed"
        close = getattr(engine, "close_spider_async", None)
        if close is None:  # Scrapy before 2.14
            reactor.callFromThread(engine.close_spider, engine.spider, reason)
            return
        from scrapy.utils.defer import deferred_from_coro

        reactor.callFromThread(lambda: deferred_from_coro(close(reason=reason)))

    def _write_batch(self, archive: Archive, results: list[FetchResult],
                     aliases: list[AliasSeen]) -> list[AliasSeen]:
        self._write_payloads(archive, results)
        report = archive.write(results, aliases,
                               crawl_id=self.crawler.stats.get_value("archive/crawl_id"))
        self.total.add(report)
        stats = self.crawler.stats
        for name in ("new", "changed", "unchanged"):
            stats.inc_value(f"archive/articles/{name}", getattr(report, name))
        stats.inc_value("archive/articles/duplicate", report.duplicates)
        stats.inc_value("archive/failures", report.failed)
        stats.inc_value("archive/captures", report.captures)
        stats.inc_value("archive/bytes", report.bytes)
        stats.inc_value("archive/files", report.files)
        stats.inc_value("archive/revisits", report.revisits)
        if self.warc is not None:
            stats.set_value("archive/warc_files", len(self.warc.files))
        return report.unresolved_aliases

    def _write_payloads(self, archive: Archive, results: list[FetchResult]) -> None:
        """WARC records of every answered fetch (a revisit when the payload is the one last
        archived for the URL), then the files of downloaded photos and attachments."""
        for result in results:
            result.sha256 = sha256(result.body).hexdigest()
        if self.warc is not None:
            answered = [r for r in results if r.status is not None]
            prior = archive.prior_payloads(
                (r.url, r.method, r.request_body) for r in answered if r.status == 200)
            for result in answered:
                last = prior.get((result.url, result.method, result.request_body))
                same = (last is not None and result.status == 200 and result.body
                        and last.sha256 == result.sha256)
                result.warc = self.warc.write(result, last if same else None)
            self.warc.flush()
        for result in results:
            if result.kind == "file" and result.error is None:
                mime = mime_of(result.headers.get("Content-Type"))
                result.file_path, _, _ = self.files.put(result.body, mime, result.url)

    def close_spider(self, spider: Spider | None = None) -> None:
        """Write what is left and wait for the writer (the run's record is closed after)."""
        try:
            self.flush()
            self.queue.put(None)
            self.thread.join()
            self.writer_done = True
        finally:
            if self.warc is not None:
                self.warc.close()
        if self.error is not None:
            self.crawler.stats.set_value("archive/write_error",
                                         f"{type(self.error).__name__}: {self.error}"[:300])
