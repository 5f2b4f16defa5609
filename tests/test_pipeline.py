"""The pipeline's writer thread: batches land in the archive; a failed write stops cleanly."""

from __future__ import annotations

import sqlite3

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import AliasSeen, Article, FetchResult
from crawler.pipelines import ArchivePipeline
from crawler.runs import crawl_status
from crawler.storage import Archive
from spiders.portal import PortalSpider

SITE = "replica"


def result(n: int) -> FetchResult:
    url = f"http://127.0.0.1:1/NewsDetail.aspx?id={n}"
    article = Article(url=url, key=f"id:{n}", site=SITE, title=f"Bài {n}", body=f"Nội dung {n}")
    return FetchResult(url=url, fetched_at="2026-11-26T00:00:00Z", status=200,
                       headers={"Content-Type": "text/html; charset=utf-8"},
                       body=f"<html>{n}</html>".encode(), kind="article", article=article,
                       site=SITE, key=f"id:{n}")


@pytest.fixture
def pipeline(tmp_path):
    crawler = get_crawler(PortalSpider, {"ARCHIVE_DB": str(tmp_path / "archive.db"),
                                         "ARCHIVE_BATCH_SIZE": 7})
    return ArchivePipeline.from_crawler(crawler), tmp_path / "archive.db"


def test_every_result_and_alias_is_written_by_close(pipeline):
    pipe, db = pipeline
    # An alias seen before its article: carried over until the article is archived.
    pipe.process_item(AliasSeen(url="http://127.0.0.1:1/print?id=40", site=SITE, key="id:40"))
    for n in range(1, 41):
        pipe.process_item(result(n))
    pipe.close_spider()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 40
        assert conn.execute("SELECT count(*) FROM captures WHERE warc_file IS NOT NULL"
                            ).fetchone()[0] == 40
        assert conn.execute("SELECT url FROM aliases").fetchall() == [
            ("http://127.0.0.1:1/print?id=40",)]
    assert pipe.crawler.stats.get_value("archive/articles/new") == 40


def test_a_failed_write_is_recorded_and_does_not_hang(pipeline, monkeypatch):
    pipe, db = pipeline

    def full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Archive, "write", full)
    for n in range(1, 30):  # more batches than the queue holds: puts must not block forever
        pipe.process_item(result(n))
    pipe.close_spider()
    stats = pipe.crawler.stats.get_stats()
    assert "No space left on device" in stats["archive/write_error"]
    assert crawl_status(stats) == "interrupted"


def test_after_runs_once_the_batch_is_committed_and_wait_waits(pipeline):
    pipe, db = pipeline
    seen = []
    for n in range(1, 4):
        pipe.process_item(result(n))

    def committed(archive):
        seen.append(archive.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    pipe.flush(after=committed, wait=True)
    assert seen == [3]  # the callback saw the batch committed, before flush returned
    pipe.close_spider()
    # After close, a late flush (a closing extension's) is written at once.
    pipe.process_item(result(4))
    pipe.flush(after=committed)
    assert seen == [3, 4]
