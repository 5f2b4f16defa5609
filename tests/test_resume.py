"""Runs that die (kill -9) and runs that overlap."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date

import pytest

from replica.server import ReplicaServer
from tests.conftest import FAST, ROOT, crawl


def start_crawl(urls, db, *extra):
    """Start a run in the background; its output goes to ``<db>.out`` (a pipe could fill up
    and stall it)."""
    out = open(f"{db}.out", "ab")  # noqa: SIM115 - the child owns it
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", *urls, "--db",
                             str(db), *FAST, *extra], cwd=ROOT, stdout=out, stderr=out)


def kill_after(server, proc, requests: int, timeout: float = 60) -> None:
    """kill -9 the run once the server has answered ``requests`` more requests."""
    start = len(server.log)
    deadline = time.monotonic() + timeout
    while len(server.log) - start < requests and proc.poll() is None:
        assert time.monotonic() < deadline, "the run made too few requests"
        time.sleep(0.002)
    assert proc.poll() is None, "the run ended before it could be killed"
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
    for requests in (30, 50, 50, 50, 50):
        proc = start_crawl([server.url + "/"], db, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
                           "-s", "ARCHIVE_BATCH_SIZE=10")
        kill_after(server, proc, requests)
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
    kill_after(server, start_crawl([server.url + "/"], db), 20)
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
    kill_after(server, start_crawl([url], db, "--chains-only", "-s", "ARCHIVE_BATCH_SIZE=2",
                                   "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"), 12)
    assert len(snapshot(db)) < len(articles) - 30
    crawl(url, db, "--chains-only")
    assert {f"id:{a.id}" for a in articles[30:]} == set(snapshot(db))


def test_second_run_on_the_same_archive_exits_at_once(server, tmp_path):
    db = tmp_path / "a.db"
    slow = start_crawl([server.url + "/"], db, "-s", "DOWNLOAD_DELAY=0.2",
                       "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(f"{db}.lock") or not snapshot_ready(db):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        began = time.monotonic()
        second = crawl(server.url + "/", db)
        assert 2 == second.returncode
        assert "another portal-archive run" in second.stderr
        assert time.monotonic() - began < 15
    finally:
        slow.kill()
        slow.wait()


def snapshot_ready(db) -> bool:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM crawls").fetchone()[0] > 0
    except sqlite3.Error:
        return False


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
