"""Scheduled runs: epoch 1 then epoch 2 of the replica, incremental and --refresh."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from replica.model import build_portal
from replica.server import ReplicaServer
from tests.conftest import crawl


@pytest.fixture(scope="module")
def epochs(tmp_path_factory):
    """One server; epoch 1 crawled into db1 (copied for each scenario), then epoch 2 served."""
    with ReplicaServer(today=date(2026, 11, 26)) as server:
        db1 = tmp_path_factory.mktemp("epochs") / "epoch1.db"
        first = crawl(server.url + "/", db1)
        assert 3 == first.returncode, first.stderr[-3000:]
        server.set_epoch(2)
        yield server, db1


def copy_of(db, tmp_path, name):
    dest = tmp_path / name
    src = sqlite3.connect(db)
    with sqlite3.connect(dest) as out:
        src.backup(out)
    return dest


def incremental_budget(p1, p2, known_run: int = 10) -> int:
    """Requests an incremental run of epoch 2 needs, from the replica's model: robots.txt, the
    home page, each category's listing pages until a run of ``known_run`` archived articles,
    the new articles, the edited articles whose new title shows on a page the run reads (an
    edit hint), the photos and attachments of those articles not downloaded before, and the one
    dead link retried."""
    known = {a.id for a in p1.public_articles()}
    seen_titles: dict[int, str] = {}
    pages = 0
    for cat in p2.public_categories():
        run = 0
        for n in range(1, min(p2.listing_depth, p2.listing_pages(cat.slug)) + 1):
            pages += 1
            for a in p2.listing_page(cat.slug, n):
                seen_titles[a.id] = a.title
                run = run + 1 if a.id in known else 0
            if run >= known_run:
                break
    fetched = set(p2.new_ids)
    while True:
        for aid in list(fetched):
            for rid in p2.articles[aid].related_ids:
                if rid in p2.articles:
                    seen_titles[rid] = p2.articles[rid].title
        hinted = {aid for aid, title in seen_titles.items()
                  if aid in known and title != p1.articles[aid].title} - fetched
        if not hinted:
            break
        fetched |= hinted
    def media(portal, ids):
        return {m.url for i in ids for m in ([img for _, img in portal.articles[i].images]
                                             + portal.articles[i].attachments)}

    files = media(p2, fetched) - media(p1, known)
    return 1 + 1 + pages + len(fetched) + len(files) + 1


def test_incremental_run_fetches_only_what_is_new(epochs, tmp_path):
    server, db1 = epochs
    db = copy_of(db1, tmp_path, "inc.db")
    start = len(server.log)
    result = crawl(server.url + "/", db)
    log = server.log[start:]
    p1, p2 = build_portal(epoch=1), server.portal
    keys = {r[0] for r in sqlite3.connect(db).execute("SELECT key FROM articles")}
    assert {f"id:{i}" for i in p2.new_ids} <= keys, result.stderr[-2000:]
    assert incremental_budget(p1, p2) == len(log)


@pytest.fixture(scope="module")
def refreshed(epochs, tmp_path_factory):
    server, db1 = epochs
    db = copy_of(db1, tmp_path_factory.mktemp("refresh"), "refresh.db")
    start = len(server.log)
    result = crawl(server.url + "/", db, "--refresh")
    conn = sqlite3.connect(db)
    yield server, conn, server.log[start:], result
    conn.close()


def versions(conn):
    return dict(conn.execute("SELECT a.key, count(*) FROM article_versions v "
                             "JOIN articles a ON a.id = v.article_id GROUP BY a.key"))


def test_refresh_keeps_two_versions_of_every_edited_article(refreshed):
    server, conn, _, _ = refreshed
    counts = versions(conn)
    assert {f"id:{i}": 2 for i in server.portal.edited_ids} == {
        k: v for k, v in counts.items() if v != 1}


def test_refresh_edited_article_holds_the_new_title(refreshed):
    server, conn, _, _ = refreshed
    titles = dict(conn.execute("SELECT key, title FROM articles"))
    assert all(titles[f"id:{i}"] == server.portal.articles[i].title
               for i in server.portal.edited_ids)


def test_refresh_notice_page_does_not_replace_its_article(refreshed, epochs):
    server, conn, _, _ = refreshed
    _, db1 = epochs
    key = f"id:{server.portal.notice_id}"
    before = sqlite3.connect(db1).execute(
        "SELECT title, body, content_hash FROM articles WHERE key = ?", [key]).fetchone()
    after = conn.execute("SELECT title, body, content_hash FROM articles WHERE key = ?",
                         [key]).fetchone()
    reason = conn.execute("SELECT reason FROM failures WHERE url LIKE ?",
                          [f"%id={server.portal.notice_id}"]).fetchone()[0]
    assert before == after
    assert "no article" in reason


def test_refresh_uses_conditional_requests(refreshed):
    server, _, log, _ = refreshed
    conditional = [e for e in log if e["if_none_match"]]
    not_modified = [e for e in conditional if e["status"] == 304]
    unchanged = len(server.portal.public_articles()) - len(server.portal.new_ids) - len(
        server.portal.edited_ids) - 1  # the notice page answers 200
    assert len(not_modified) == unchanged


def test_refresh_run_counts_in_crawls(refreshed):
    server, conn, _, _ = refreshed
    import json

    stats = json.loads(conn.execute("SELECT stats FROM crawls ORDER BY id DESC").fetchone()[0])
    assert (len(server.portal.new_ids), len(server.portal.edited_ids)) == (
        stats["archive/articles/new"], stats["archive/articles/changed"])


def test_failures_are_retried_until_the_attempt_limit(epochs, tmp_path):
    server, db1 = epochs
    db = copy_of(db1, tmp_path, "retry.db")
    dead = f"id={server.portal.dead_link_id}"

    def dead_requests(since):
        return [e for e in server.log[since:] if dead in e["query"]]

    attempts = []
    for _ in range(3):
        start = len(server.log)
        crawl(server.url + "/", db, "-s", "ARCHIVE_MAX_FAILURE_ATTEMPTS=3")
        attempts.append(len(dead_requests(start)))
    row = sqlite3.connect(db).execute("SELECT attempts FROM failures WHERE url LIKE ?",
                                      [f"%{dead}"]).fetchone()
    assert ([1, 1, 0], 3) == (attempts, row[0])
