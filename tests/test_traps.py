import json
import sqlite3
from datetime import date

import pytest

from crawler.traps import trap_reason


@pytest.mark.parametrize("expected, url", [
    (None, "http://x.vn/?page=TinTuc&code=hoat-dong&vt=2"),
    ("repeated-parameter", "http://x.vn/?page=TinTuc&vt=1&vt=2&vt=3"),
    (None, "http://x.vn/tin-tuc/hoat-dong/trang-2.html"),
    ("repeated-path", "http://x.vn/a/b/a/b/a/b/c.html"),
    ("repeated-path", "http://x.vn/tin/tin/tin/x"),
    ("too-deep", "http://x.vn/" + "/".join(f"s{i}" for i in range(20))),
    ("too-long", "http://x.vn/?q=" + "a" * 2000),
])
def test_trap_reason(expected, url):
    assert expected == trap_reason(url)


@pytest.mark.parametrize("expected, url", [
    ("session-id", "http://x.vn/Category.aspx?cat=hoi-dap&phien=9880b2ddfb2d2bceb547x001"),
    (None, "http://x.vn/Category.aspx?cat=hoi-dap&page=2"),
    (None, "http://x.vn/NewsDetail.aspx?id=1234567890123456789"),
    (None, "http://x.vn/?utm_campaign=abcdefgh12345678abcd&id=5"),
    (None, "http://x.vn/web/guest/tin-tuc?p_p_id=101_INSTANCE_aB3dE5fG7hJ9&_101_articleId=42"),
    ("search", "http://x.vn/Category.aspx?cat=tim-kiem&tukhoa=ubnd"),
    ("search", "http://x.vn/tim-kiem.html?page=2"),
    ("search", "http://x.vn/Search.aspx?k=x"),
    (None, "http://x.vn/tin-tuc/tim-kiem-cuu-nan-thanh-cong-12.html"),
    ("calendar", "http://x.vn/Category.aspx?cat=lich-cong-tac&ngay=2026-12-04"),
    (None, "http://x.vn/Category.aspx?cat=lich-cong-tac&ngay=2026-12-03"),
    ("calendar", "http://x.vn/lich-lam-viec/2027/01/15"),
    ("calendar", "http://x.vn/lich?ngay=15/01/2027"),
    (None, "http://x.vn/portal/Pages/2021-4-20/bai-viet-12.aspx"),
])
def test_trap_rules_for_calendars_sessions_and_searches(expected, url):
    assert expected == trap_reason(url, today=date(2026, 11, 26))


def test_trap_limits_read_from_settings():
    from crawler.api import project_settings
    from crawler.traps import trap_limits

    assert {"max_url": 1024, "max_repeats": 2, "max_depth": 15, "future_days": 3,
            "earliest": date(1990, 1, 1)} == trap_limits(
        project_settings({"ARCHIVE_TRAP_FUTURE_DAYS": "3"}))


# --- the replica's traps, crawled ---------------------------------------------------------------
#: trap -> (most requests the crawl may spend in it, the rule that cuts it (None: no URL to cut))
BOUNDS = {
    # cut by its template's budget (3 judged days: ARCHIVE_TEMPLATE_BUDGET_DATED) before it
    # reaches a date the calendar rule refuses; a day is judged when the next one answers
    "calendar": (3 + 1, None),
    "deep-path": (2, "repeated-path"),  # /a/b/ and /a/b/a/b/
    "session": (1, "session-id"),  # the entry page; every link out carries a new token
    "piled-params": (2, "repeated-parameter"),  # vt=1, vt=1&vt=2
    "search": (0, "search"),
    "js-pager": (1, None),  # the page; its pager is href="#" + onclick, nothing to follow
}


@pytest.fixture(scope="module")
def trapped(tmp_path_factory):
    from replica.server import ReplicaServer
    from tests.conftest import crawl

    with ReplicaServer(today=date.today(), n_articles=50, traps=True) as server:
        db = tmp_path_factory.mktemp("traps") / "archive.db"
        result = crawl(server.url + "/", db)
        log = list(server.log)
        portal = server.portal
    with sqlite3.connect(db) as conn:
        stats = json.loads(conn.execute("SELECT stats FROM crawls").fetchone()[0])
        keys = {k for (k,) in conn.execute("SELECT key FROM articles")}
    return {"result": result, "log": log, "stats": stats, "keys": keys, "portal": portal}


def test_every_replica_trap_has_a_bound():
    from replica.traps import TRAPS

    assert sorted(TRAPS) == sorted(BOUNDS)


@pytest.mark.parametrize("trap", sorted(BOUNDS))
def test_requests_spent_in_each_trap_bounded(trapped, trap):
    hits = [e["target"] for e in trapped["log"] if e.get("trap") == trap]
    assert len(hits) <= BOUNDS[trap][0], hits


@pytest.mark.parametrize("trap", sorted(t for t, (_, rule) in BOUNDS.items() if rule))
def test_cut_urls_counted_per_rule(trapped, trap):
    assert trapped["stats"].get(f"archive/traps/{BOUNDS[trap][1]}", 0) >= 1


def test_js_pager_endpoint_never_requested(trapped):
    assert [] == [e["target"] for e in trapped["log"] if e["path"].lower().startswith("/ajax/")]


def test_traps_cost_no_article(trapped):
    portal = trapped["portal"]
    linked = {f"id:{a.id}" for a in portal.public_articles() if a.id in portal.linked_ids()}
    assert linked <= trapped["keys"]
