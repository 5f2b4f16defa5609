"""A crawl of the modern slug CMS replica (vn-portals.md §1 E) with the modern_slug layout."""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.request
from datetime import date
from urllib.parse import urlsplit

import pytest

from replica.families.modern import (
    article_path,
    attachment_path,
    date_line,
    dead_link_path,
    image_path,
    jsonld_style,
)
from replica.server import ReplicaServer
from tests.conftest import crawl


@pytest.fixture(scope="module")
def server():
    with ReplicaServer(family="modern", today=date(2026, 11, 26)) as srv:
        yield srv


@pytest.fixture(scope="module")
def portal(server):
    return server.portal


@pytest.fixture(scope="module")
def home_crawl(server, tmp_path_factory):
    db = tmp_path_factory.mktemp("modern") / "archive.db"
    result = crawl(server.url + "/", db, "--site", "modern-replica")
    return result, db, list(server.log)


@pytest.fixture(scope="module")
def conn(home_crawl):
    _, db, _ = home_crawl
    c = sqlite3.connect(db)
    yield c
    c.close()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_crawl_completes_with_failures_exit_code(home_crawl):
    result, _, _ = home_crawl
    assert 3 == result.returncode, result.stderr[-3000:]


def test_every_public_article_archived_exactly_once(conn, portal):
    expected = sorted(f"id:{a.id}" for a in portal.public_articles())
    assert expected == sorted(r[0] for r in conn.execute("SELECT key FROM articles"))


def test_articles_reachable_only_through_chains_are_archived(conn, portal):
    chain_only = {f"id:{a.id}" for a in portal.articles_only_in_chains()}
    keys = {r[0] for r in conn.execute("SELECT key FROM articles")}
    assert chain_only and chain_only <= keys


def test_article_urls_are_the_canonical_slug_paths(conn, portal):
    expected = {f"id:{a.id}": article_path(portal, a) for a in portal.public_articles()}
    got = {k: path_of(u) for k, u in conn.execute("SELECT key, url FROM articles")}
    assert expected == got


@pytest.mark.parametrize("field", ["title", "published", "published_text", "category",
                                   "author", "source", "summary", "body"])
def test_every_article_field_equals_the_replica_model(conn, portal, field):
    names = {c.slug: c.name for c in portal.categories}
    expected = {
        f"id:{a.id}": {"title": a.title, "published": a.published_iso,
                       "published_text": date_line(a), "category": names[a.category_slug],
                       "author": a.author, "source": a.source, "summary": a.summary,
                       "body": a.body}[field]
        for a in portal.public_articles()
    }
    got = dict(conn.execute(f"SELECT key, {field} FROM articles").fetchall())
    wrong = [k for k in expected if expected[k] != got.get(k)]
    assert [] == wrong[:5]


def test_no_article_has_extraction_problems(conn):
    assert [] == conn.execute("SELECT key, problems FROM articles WHERE problems != '[]'"
                              ).fetchall()


def test_json_ld_is_missing_or_invalid_on_some_articles(portal):
    styles = {jsonld_style(a) for a in portal.public_articles()}
    assert {"missing", "broken", "graph", "plain"} == styles


def test_article_with_invalid_json_ld_falls_back_to_the_page(conn, server, portal):
    art = next(a for a in portal.public_articles() if jsonld_style(a) == "broken" and a.has_time)
    with urllib.request.urlopen(server.url + article_path(portal, art)) as r:
        html = r.read().decode()
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    news = [s for s in scripts if "NewsArticle" in s]
    with pytest.raises(ValueError):
        json.loads(news[0])
    got = conn.execute("SELECT title, published, author FROM articles WHERE key = ?",
                       [f"id:{art.id}"]).fetchone()
    assert (art.title, art.published_iso, art.author) == got


def test_captions_and_credits_equal_the_model(conn, portal):
    expected = sorted((f"id:{a.id}", image_path(img), img.caption, img.credit)
                      for a in portal.public_articles() for _, img in a.images)
    got = sorted((k, urlsplit(u).path, cap, cred) for k, u, cap, cred in conn.execute(
        "SELECT a.key, i.url, i.caption, i.credit FROM images i "
        "JOIN articles a ON a.id = i.article_id"))
    assert expected == got


def test_attachments_titled_by_their_label_not_the_link_text(conn, portal):
    expected = sorted((f"id:{a.id}", attachment_path(att.url), att.title)
                      for a in portal.public_articles() for att in a.attachments)
    got = sorted((k, urlsplit(u).path, t) for k, u, t in conn.execute(
        "SELECT a.key, t.url, t.title FROM attachments t JOIN articles a ON a.id = t.article_id"))
    assert expected and expected == got


def test_related_entries_are_the_tin_lien_quan_box_only(conn, portal):
    expected = {}
    for a in portal.public_articles():
        paths = []
        for rid in a.related_ids:
            other = portal.articles.get(rid)
            paths.append(article_path(portal, other) if other else dead_link_path(portal))
        expected[f"id:{a.id}"] = paths
    got: dict[str, list[str]] = {k: [] for k in expected}
    for key, url in conn.execute("SELECT a.key, r.url FROM related r JOIN articles a "
                                 "ON a.id = r.article_id ORDER BY a.key, r.position"):
        got[key].append(path_of(url))
    assert [] == [k for k in expected if expected[k] != got[k]][:5]


def test_related_entries_carry_their_dates(conn, portal):
    art = portal.seed_article
    got = [r[0] for r in conn.execute(
        "SELECT r.published FROM related r JOIN articles a ON a.id = r.article_id "
        "WHERE a.key = ? ORDER BY r.position", [f"id:{art.id}"])]
    assert [portal.articles[i].published_date.isoformat() for i in art.related_ids] == got


def aliases(conn) -> dict[str, str]:
    return {path_of(u): k for u, k in conn.execute(
        "SELECT al.url, a.key FROM aliases al JOIN articles a ON a.id = al.article_id")}


def test_print_view_is_an_alias_of_the_article(conn, portal):
    art = portal.seed_article
    assert f"id:{art.id}" == aliases(conn)[article_path(portal, art) + "?print=1"]


def test_zalo_share_link_is_an_alias_of_the_article(conn, portal):
    art = portal.articles[portal.popular_ids[0]]
    link = article_path(portal, art) + "?utm_source=zalo&utm_medium=share"
    assert f"id:{art.id}" == aliases(conn)[link]


def test_fbclid_link_from_the_home_page_is_an_alias_of_the_article(conn, portal):
    featured = portal.featured_ids[0]
    found = [k for p, k in aliases(conn).items()
             if p.startswith(article_path(portal, portal.articles[featured]) + "?fbclid=")]
    assert [f"id:{featured}"] == found


def test_alias_urls_are_never_fetched(home_crawl):
    _, _, log = home_crawl
    assert [] == [e["target"] for e in log if e["query"]]


def test_pagers_are_listings_not_articles(home_crawl, portal):
    _, _, log = home_crawl
    pagers = {e["path"] for e in log if "/trang-" in e["path"]}
    assert f"/tin-tuc/{portal.public_categories()[0].slug}/trang-3.html" in pagers


def test_dead_link_recorded_as_failure_with_reason(conn, portal):
    rows = conn.execute("SELECT url, reason FROM failures").fetchall()
    assert [(dead_link_path(portal), "HTTP 404")] == [(path_of(u), r) for u, r in rows]


def test_server_error_twice_then_success_is_archived(home_crawl, portal):
    _, _, log = home_crawl
    statuses = [e["status"] for e in log if e["path"].endswith(f"-{portal.flaky_id}.html")]
    assert [500, 500, 200] == statuses


def test_no_request_to_the_offsite_host(home_crawl):
    _, _, log = home_crawl
    assert [] == [e for e in log if e["server"] == "offsite"]


def test_no_request_to_a_path_robots_disallows(home_crawl):
    _, _, log = home_crawl
    paths = [e["path"] for e in log]
    assert "/robots.txt" in paths
    assert [] == [p for p in paths if p.startswith(("/tim-kiem", "/tin-tuc/noi-bo"))]


def test_robots_txt_disallows_search_and_the_internal_category(server):
    with urllib.request.urlopen(server.url + "/robots.txt") as r:
        lines = r.read().decode().splitlines()
    assert {"Disallow: /tim-kiem", "Disallow: /tin-tuc/noi-bo"} <= set(lines)


def test_pages_show_todays_header_clock(server):
    with urllib.request.urlopen(server.url + "/") as r:
        assert "Thứ 5, Ngày 26/11/2026 -" in r.read().decode()


def test_a_wrong_slug_redirects_to_the_canonical_path(server, portal):
    art = portal.seed_article
    req = urllib.request.Request(f"{server.url}/tin-tuc/xay-dung-dang/cu-{art.id}.html")
    with urllib.request.urlopen(req) as r:
        assert article_path(portal, art) == urlsplit(r.url).path
