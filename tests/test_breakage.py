"""Breakage alerts: a redesigned portal marks the crawl degraded."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from crawler.breakage import find_breakage
from replica.server import ReplicaServer
from tests.conftest import crawl


def rates(before, now, before_n=100, now_n=10):
    return {"author": {"before": before, "now": now, "before_n": before_n, "now_n": now_n,
                       "samples": ["http://x.vn/1"]}}


def test_author_falling_from_95_to_10_percent_is_breakage():
    [broken] = find_breakage(rates(0.95, 0.10))
    assert ("author", "http://x.vn/1") == (broken.field, broken.samples[0])
    assert "author" in broken.describe() and "10%" in broken.describe()


def test_small_wobble_is_not_breakage():
    assert [] == find_breakage(rates(0.95, 0.85))


def test_too_few_articles_say_nothing():
    assert [] == find_breakage(rates(0.95, 0.0, now_n=2))


def test_bodies_80_percent_shorter_is_breakage():
    body = {"body_length": {"before": 2000.0, "now": 300.0, "before_n": 100, "now_n": 10,
                            "samples": []}}
    assert ["body_length"] == [b.field for b in find_breakage(body)]


def test_redesigned_portal_marks_the_crawl_degraded(tmp_path):
    with ReplicaServer(today=date(2026, 11, 26)) as server:
        db = tmp_path / "archive.db"
        first = crawl(server.url + "/", db)
        server.set_epoch(2)
        server.set_redesign(True)
        second = crawl(server.url + "/", db)
    row = sqlite3.connect(db).execute(
        "SELECT status, stats FROM crawls ORDER BY id DESC").fetchone()
    warnings = json.loads(row[1])["archive/degraded"]
    assert (3, 3, "degraded") == (first.returncode, second.returncode, row[0])
    assert any("'author'" in w for w in warnings) and any("shorter" in w for w in warnings)
    assert "WARNING: extraction degraded" in second.stdout
    assert "NewsDetail.aspx?id=" in second.stdout


def test_unchanged_layout_is_not_degraded(tmp_path):
    with ReplicaServer(today=date(2026, 11, 26)) as server:
        db = tmp_path / "archive.db"
        crawl(server.url + "/", db)
        server.set_epoch(2)
        crawl(server.url + "/", db)
    statuses = [r[0] for r in sqlite3.connect(db).execute("SELECT status FROM crawls")]
    assert ["failures", "failures"] == statuses
