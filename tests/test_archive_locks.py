"""A run keeps SQLite's locks on its archive while it writes, so that another process that
opens and closes the archive meanwhile (a reader, sqlite-utils, a merge of a worker's shard)
never takes itself for the last connection and deletes the -wal file the run appends to."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.archivefile import check_archive, held, read_header
from crawler.storage import Archive, in_wal_mode


def crawls_seen_by_another_process(db: Path) -> int:
    """Open the archive read-write in another process, count its runs, close it."""
    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "print(c.execute('SELECT count(*) FROM crawls').fetchone()[0]); c.close()")
    out = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True,
                         text=True, check=True, timeout=60)
    return int(out.stdout)


def test_commits_after_a_second_connection_and_a_foreign_reader_are_kept(tmp_path):
    db = tmp_path / "archive.db"
    run = Archive(db)
    writer = Archive(db)  # the pipeline's writer thread opens its own, as a run does
    try:
        run.begin_crawl("site", ["http://127.0.0.1/"])
        assert 1 == crawls_seen_by_another_process(db)
        writer.begin_crawl("site", ["http://127.0.0.1/"])
        assert (2, True) == (crawls_seen_by_another_process(db), Path(f"{db}-wal").exists())
    finally:
        writer.close()
        run.close()
    assert 2 == crawls_seen_by_another_process(db)


def test_a_held_archive_is_not_read_as_a_file(tmp_path):
    db = tmp_path / "archive.db"
    with Archive(db):
        assert held(db)
        check_archive(db, write=True)  # checked when opened: passes without reading it
        assert in_wal_mode(db)
        with pytest.raises(RuntimeError):
            read_header(db)
    assert not held(db)
    assert not in_wal_mode(db)  # rollback-journal mode at rest
    assert read_header(db).startswith(b"SQLite format 3\x00")


def test_closing_twice_lets_go_once(tmp_path):
    db = tmp_path / "archive.db"
    first, second = Archive(db), Archive(db)
    first.close()
    first.close()
    assert held(db)
    second.close()
    assert not held(db)
