"""ASP.NET postback pagers: listings paged by __doPostBack POSTs are followed."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from replica.server import ReplicaServer
from tests.conftest import crawl


@pytest.fixture(scope="module")
def no_chains(tmp_path_factory):
    """A portal whose article pages have no "Các tin đã đăng" box: past the three GET pages of
    each listing, only the "Xem tin tiếp theo..." postback reaches the older articles."""
    with ReplicaServer(today=date(2026, 11, 26), related_box=False) as server:
        db = tmp_path_factory.mktemp("postback") / "archive.db"
        result = crawl(server.url + "/", db)
        yield server, db, result


def test_every_article_is_archived(no_chains):
    server, db, result = no_chains
    keys = {r[0] for r in sqlite3.connect(db).execute("SELECT key FROM articles")}
    assert {f"id:{a.id}" for a in server.portal.public_articles()} == keys, result.stderr[-2000:]


def test_articles_beyond_the_get_pager_came_through_postbacks(no_chains):
    server, db, _ = no_chains
    portal = server.portal
    beyond = {f"id:{a.id}" for a in portal.articles_only_in_chains()}
    keys = {r[0] for r in sqlite3.connect(db).execute("SELECT key FROM articles")}
    posts = [e for e in server.log if e["method"] == "POST"]
    assert beyond and beyond <= keys
    assert posts and all(e["path"] == "/Category.aspx" and e["status"] == 200 for e in posts)


def test_postback_captures_keep_method_and_form(no_chains):
    _, db, _ = no_chains
    rows = sqlite3.connect(db).execute(
        "SELECT request_body FROM captures WHERE method = 'POST'").fetchall()
    assert rows and all(b"__EVENTTARGET=" in r[0] and b"__VIEWSTATE=" in r[0] for r in rows)


def test_no_article_page_shows_a_chain(no_chains):
    server, db, _ = no_chains
    assert 0 == sqlite3.connect(db).execute("SELECT count(*) FROM related").fetchone()[0]
