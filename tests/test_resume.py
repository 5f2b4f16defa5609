"""Runs that die (kill -9) and runs that overlap."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import date

import pytest

from replica.server import ReplicaServer
from tests.conftest import FAST, REPLICA_SITE, ROOT, crawl


def start_crawl(urls, db, *extra):
    """Start a run in the background; its output goes to ``<db>.out`` (a pipe could fill up
    and stall it)."""
    out = open(f"{db}.out", "ab")  # noqa: SIM115 - the child owns it
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", *urls, "--db",
                             str(db), *FAST, *REPLICA_SITE, *extra],
                            cwd=ROOT, stdout=out, stderr=out)
    proc.db = db
    return proc


#: Seconds a run may go without committing one more article before a wait gives up on it: a
#: bound on a run that makes no progress at all, never on how fast a machine crawls.
STALL = 120


def stored(db) -> int:
    """Articles committed to the archive at ``db`` so far, read as any other reader would (the
    run writes in WAL mode, so reading never holds it up); 0 before the run has made it."""
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def has_a_run(db) -> bool:
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            return conn.execute("SELECT count(*) FROM crawls").fetchone()[0] > 0
    except sqlite3.Error:
        return False


def wait_for(condition, proc, what: str) -> None:
    """Poll ``condition()`` until it holds; fail if ``proc`` ends first, or if the archive gains
    no article for STALL seconds (the run is stuck, not slow)."""
    count, progress = stored(proc.db), time.monotonic()
    while not condition():
        assert proc.poll() is None, f"the run ended before {what}"
        if (now := stored(proc.db)) != count:
            count, progress = now, time.monotonic()
        assert time.monotonic() - progress < STALL, f"no article stored for {STALL} s: {what}"
        time.sleep(0.02)


def kill_when_stored(proc, more: int) -> None:
    """kill -9 the run once ``more`` articles beyond those already in its archive are
    committed: a point in the stored state, wherever the run then is in its next batch."""
    target = stored(proc.db) + more
    wait_for(lambda: stored(proc.db) >= target, proc, f"{target} articles were stored")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def snapshot(db) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT key, content_hash FROM articles"))


def integrity(db) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


@pytest.fixture(scope="module")
def server():
    with ReplicaServer(today=date(2026, 11, 26)) as s:
        yield s


@pytest.fixture(scope="module")
def uninterrupted(server, tmp_path_factory):
    db = tmp_path_factory.mktemp("full") / "full.db"
    crawl(server.url + "/", db)
    return snapshot(db)


def test_kill9_at_five_points_then_resume_equals_an_uninterrupted_crawl(
        server, uninterrupted, tmp_path):
    db = tmp_path / "killed.db"
    kept: dict[str, str] = {}
    for more in (1, 20, 20, 20, 20):  # articles committed since the last kill
        proc = start_crawl([server.url + "/"], db, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
                           "-s", "ARCHIVE_BATCH_SIZE=10")
        kill_when_stored(proc, more)
        assert "ok" == integrity(db)
        now = snapshot(db)
        assert kept.items() <= now.items()  # nothing stored is lost or altered
        kept = now
    assert 0 < len(kept) < len(uninterrupted)
    final = crawl(server.url + "/", db)
    assert uninterrupted == snapshot(db), final.stderr[-2000:]
    assert "ok" == integrity(db)


def test_killed_runs_are_marked_interrupted(server, tmp_path):
    db = tmp_path / "a.db"
    kill_when_stored(start_crawl([server.url + "/"], db), 1)
    crawl(server.url + "/", db)
    with sqlite3.connect(db) as conn:
        statuses = [r[0] for r in conn.execute("SELECT status FROM crawls ORDER BY id")]
    assert ["interrupted", "failures"] == statuses


def test_resume_picks_up_the_pending_urls_of_a_dead_run(server, tmp_path):
    """A chains-only crawl can only go on from where it died through the stored frontier:
    its start article and the chain entries already archived are not fetched again."""
    portal = server.portal
    articles = portal.category_articles(portal.seed_article.category_slug)
    start = articles[30]
    url = f"{server.url}/NewsDetail.aspx?id={start.id}"
    db = tmp_path / "chain.db"
    kill_when_stored(start_crawl([url], db, "--chains-only", "-s", "ARCHIVE_BATCH_SIZE=2",
                                 "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"), 4)
    assert len(snapshot(db)) < len(articles) - 30
    crawl(url, db, "--chains-only")
    assert {f"id:{a.id}" for a in articles[30:]} == set(snapshot(db))


def test_second_run_on_the_same_archive_exits_at_once(server, tmp_path):
    db = tmp_path / "a.db"
    slow = start_crawl([server.url + "/"], db, "-s", "DOWNLOAD_DELAY=0.2",
                       "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    try:
        wait_for(lambda: os.path.exists(f"{db}.lock") and has_a_run(db), slow,
                 "it took the lock and recorded its run")
        second = crawl(server.url + "/", db)
        assert 2 == second.returncode
        assert "another portal-archive run" in second.stderr
        assert slow.poll() is None  # the second run did not wait for the first to end
    finally:
        slow.kill()
        slow.wait()


def test_exit_code_complete(server, tmp_path):
    portal = server.portal
    oldest = portal.category_articles(portal.seed_article.category_slug)[-1]
    result = crawl(f"{server.url}/NewsDetail.aspx?id={oldest.id}", tmp_path / "a.db",
                   "--chains-only")
    assert 0 == result.returncode, result.stderr[-2000:]


def test_exit_code_interrupted(server, tmp_path):
    result = crawl(server.url + "/", tmp_path / "a.db", "-s", "CLOSESPIDER_PAGECOUNT=3")
    assert 1 == result.returncode
    assert "interrupted" in result.stdout
