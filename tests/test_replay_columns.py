"""Articles name the WARC record of their capture (file, record id, WARC-Date), for replay."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from crawler.items import Article, FetchResult, WarcRef
from crawler.storage import Archive
from crawler.warc import archive_folder, read_record


def fetched(title: str, when: str, record: str | None) -> FetchResult:
    art = Article(url="http://x.vn/1", key="id:1", site="x", title=title, body=f"{title}.")
    warc = WarcRef(file="a.warc.gz", offset=0, length=10, record_id=record) if record else None
    return FetchResult(url=art.url, fetched_at=when, status=200, article=art, site="x",
                       warc=warc)


def replay_columns(archive: Archive) -> tuple:
    return archive.db.execute(
        "SELECT warc_file, warc_record_id, warc_date FROM articles").fetchone()


@pytest.mark.parametrize("second_title", ["Tin", "Tin đã sửa"])
def test_a_new_capture_moves_the_columns(tmp_path, second_title):
    with Archive(tmp_path / "archive.db") as archive:
        archive.write([fetched("Tin", "2026-11-26T00:00:00Z", "<urn:uuid:1>")])
        archive.write([fetched(second_title, "2026-11-27T00:00:00Z", "<urn:uuid:2>")])
        assert ("a.warc.gz", "<urn:uuid:2>", "2026-11-27T00:00:00Z") == replay_columns(archive)


def test_a_capture_without_a_record_leaves_them_null(tmp_path):
    with Archive(tmp_path / "archive.db") as archive:
        archive.write([fetched("Tin", "2026-11-26T00:00:00Z", None)])
        assert (None, None, None) == replay_columns(archive)


def test_every_crawled_article_names_its_capture_record(replica_archive):
    db, _ = replica_archive
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT a.warc_file, a.warc_record_id, a.warc_date, c.warc_offset, c.warc_length, "
        "c.fetched_at FROM articles a JOIN captures c ON c.id = a.capture_id").fetchall()
    assert len(rows) > 300
    wrong = []
    for file, record_id, date, offset, length, fetched_at in rows:
        record = read_record(archive_folder(db), file, offset, length)
        if (record.headers["WARC-Record-ID"], record.headers["WARC-Date"]) != (record_id, date):
            wrong.append(record_id)
        if date != fetched_at:
            wrong.append(date)
    assert [] == wrong


def test_the_migration_fills_the_rows_of_an_older_archive(replica_archive, tmp_path):
    db, _ = replica_archive
    old = tmp_path / "old.db"
    shutil.copy(db, old)
    conn = sqlite3.connect(old)
    expected = conn.execute("SELECT id, warc_file, warc_record_id, warc_date FROM articles "
                            "ORDER BY id").fetchall()
    for column in ("warc_file", "warc_record_id", "warc_date"):
        conn.execute(f"ALTER TABLE articles DROP COLUMN {column}")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm011_article_replay'")
    conn.commit()
    conn.close()
    with Archive(old) as archive:
        got = archive.db.execute("SELECT id, warc_file, warc_record_id, warc_date "
                                 "FROM articles ORDER BY id").fetchall()
    assert expected == got
    assert all(row[1] for row in got)
