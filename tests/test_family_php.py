"""A crawl of the replica served as a legacy PHP (gws) portal, and what it left in the archive."""

from __future__ import annotations

import sqlite3
import unicodedata
import urllib.request
from datetime import date
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from crawler.extraction.layouts import get_layout
from replica.server import ReplicaServer
from tests.conftest import crawl


@pytest.fixture(scope="module")
def server():
    with ReplicaServer(family="php", today=date(2026, 11, 26)) as srv:
        yield srv


@pytest.fixture(scope="module")
def portal(server):
    return server.portal


@pytest.fixture(scope="module")
def home_crawl(server, tmp_path_factory):
    db = tmp_path_factory.mktemp("php") / "archive.db"
    result = crawl(server.url + "/", db, "--site", "php-replica")
    return result, db, list(server.log)


@pytest.fixture(scope="module")
def conn(home_crawl):
    _, db, _ = home_crawl
    c = sqlite3.connect(db)
    yield c
    c.close()


@pytest.fixture(scope="module")
def log(home_crawl):
    return home_crawl[2]


def keys(conn):
    return [r[0] for r in conn.execute("SELECT key FROM articles")]


def date_line(a):
    """The gws date line: 'Cập nhật lúc 08:30 ngày 20/04/2021', or without a time
    'Cập nhật ngày 20/04/2021'."""
    d = f"{a.published_date:%d/%m/%Y}"
    return f"Cập nhật lúc {a.published:%H:%M} ngày {d}" if a.has_time else f"Cập nhật ngày {d}"


def fetch(url):
    with urllib.request.urlopen(url, timeout=120) as resp:  # a hang guard
        return resp.read().decode("utf-8")


def test_crawl_ends_with_the_dead_link_as_its_only_failure(home_crawl):
    result, _, _ = home_crawl
    assert 3 == result.returncode, result.stderr[-3000:]


def test_every_public_article_archived_exactly_once(conn, portal):
    expected = sorted(f"id:{a.id}" for a in portal.public_articles())
    assert expected == sorted(keys(conn))


@pytest.mark.parametrize("field", ["title", "published", "published_text", "category",
                                   "author", "source", "summary", "body"])
def test_every_article_field_equals_the_replica_model(conn, portal, field):
    names = {c.slug: c.name for c in portal.categories}
    expected = {
        f"id:{a.id}": {"title": a.title, "published": a.published_iso,
                       "published_text": date_line(a), "category": names[a.category_slug],
                       "author": a.author, "source": a.source, "summary": None,
                       "body": a.body}[field]
        for a in portal.public_articles()
    }
    got = dict(conn.execute(f"SELECT key, {field} FROM articles").fetchall())
    wrong = [(k, expected[k], got.get(k)) for k in expected if expected[k] != got.get(k)]
    assert [] == wrong[:3]


def test_the_cms_user_is_never_the_author(conn):
    assert 0 == conn.execute(
        "SELECT count(*) FROM articles WHERE author IS NULL OR author LIKE '%Đăng bởi%'"
    ).fetchone()[0]


def test_captions_and_credits_equal_the_model(conn, portal):
    expected = sorted((f"id:{a.id}", img.caption, img.credit)
                      for a in portal.public_articles() for _, img in a.images)
    got = sorted(tuple(r) for r in conn.execute(
        "SELECT a.key, i.caption, i.credit FROM images i JOIN articles a ON a.id = i.article_id"))
    assert expected == got


def test_attachments_titled_by_the_words_before_tai_file_tai_day(conn, portal):
    expected = sorted((f"id:{a.id}", att.url.rsplit("/", 1)[1], att.title)
                      for a in portal.public_articles() for att in a.attachments)
    got = sorted((k, url.rsplit("/", 1)[1], title) for k, url, title in conn.execute(
        "SELECT a.key, t.url, t.title FROM attachments t JOIN articles a ON a.id = t.article_id"))
    assert expected and expected == got


def test_older_items_of_the_seed_article(conn, portal):
    art = portal.seed_article
    expected = [(f"/?code={art.category_slug}&id={i}&page=TinTuc", portal.articles[i].title,
                 portal.articles[i].published_date.isoformat()) for i in art.related_ids]
    got = [("/" + url.split("/", 3)[3], title, published) for url, title, published in
           conn.execute("SELECT r.url, r.title, r.published FROM related r JOIN articles a "
                        "ON a.id = r.article_id WHERE a.key = ? ORDER BY r.position",
                        [f"id:{art.id}"])]
    assert expected == got


def test_alias_spellings_fold_into_the_one_article(conn, portal):
    aliases = {r[0].split("/", 3)[3]: r[1] for r in conn.execute(
        "SELECT al.url, a.key FROM aliases al JOIN articles a ON a.id = al.article_id")}
    popular = portal.articles[portal.popular_ids[0]]
    newest = portal.newest_public(1)[0]
    q = f"code={popular.category_slug}&id={popular.id}"
    assert f"id:{popular.id}" == aliases[f"index.php?page=TinTuc&{q}"]
    assert f"id:{popular.id}" == aliases[f"?page=TinTuc&{q}&print=1"]
    assert f"id:{newest.id}" == aliases[
        f"?page=tin-tuc&code={newest.category_slug}&id={newest.id}"]


def test_no_article_fetched_twice(log, portal):
    ids = [dict(parse_qsl(e["query"])).get("id") for e in log
           if e["status"] == 200 and "id=" in e["query"] and e["path"] == "/"]
    assert len(ids) == len(set(ids)) == len(portal.public_articles())


def test_listing_pages_fetched_once_each_with_one_vt(log, portal):
    listings = [parse_qsl(e["query"]) for e in log
                if e["path"] == "/" and "code=" in e["query"] and "id=" not in e["query"]]
    pages = [(dict(q)["code"], dict(q).get("vt", "0")) for q in listings]
    expected = sorted((c.slug, str(n)) for c in portal.public_categories()
                      for n in range(min(portal.listing_depth, portal.listing_pages(c.slug))))
    assert ([], expected) == ([q for q in listings if [k for k, _ in q].count("vt") > 1],
                              sorted(pages))


def test_pager_links_pile_up_vt_on_the_replica(server, portal):
    slug = portal.public_categories()[0].slug
    html = unescape(fetch(f"{server.url}/?page=TinTuc&code={slug}&vt=1"))
    assert f'href="?page=TinTuc&code={slug}&vt=1&vt=2"' in html


def test_page_url_keeps_the_last_vt():
    layout = get_layout("php_legacy")
    assert "http://h.example.invalid/?code=k&page=TinTuc&vt=2" == layout.page_url(
        "http://h.example.invalid/index.php?page=tin-tuc&code=k&vt=1&vt=0&vt=2")
    assert "http://h.example.invalid/?code=k&page=TinTuc" == layout.page_url(
        "http://h.example.invalid/?page=TinTuc&code=k&vt=2&vt=0")


def test_robots_txt_missing_and_non_public_category_never_requested(log):
    robots = [e["status"] for e in log if e["path"] == "/robots.txt"]
    private = [e["target"] for e in log if "noi-bo" in e["query"]]
    assert ([404], []) == (robots[:1], private)


def test_no_request_to_the_offsite_host(log):
    assert [] == [e for e in log if e["server"] == "offsite"]


def test_dead_link_recorded_as_failure(conn, portal):
    rows = conn.execute("SELECT reason FROM failures WHERE url LIKE ?",
                        [f"%id={portal.dead_link_id}&page=TinTuc"]).fetchall()
    assert [("HTTP 404",)] == rows


def test_flaky_article_retried_then_archived(conn, log, portal):
    statuses = [e["status"] for e in log if f"id={portal.flaky_id}" in e["query"]]
    assert ([500, 500, 200], 1) == (statuses, keys(conn).count(f"id:{portal.flaky_id}"))


def test_pages_without_a_charset_header_decoded_by_their_meta(conn, portal):
    rows = conn.execute(
        "SELECT a.key, a.title FROM articles a JOIN captures c ON c.id = a.capture_id "
        "WHERE c.content_type = 'text/html'").fetchall()
    titles = {f"id:{a.id}": a.title for a in portal.public_articles()}
    assert len(rows) > len(titles) // 8
    assert [] == [k for k, t in rows if titles[k] != t]


def test_decomposed_articles_stored_nfc(conn, portal):
    nfd = [a for a in portal.public_articles() if a.nfd]
    bodies = dict(conn.execute("SELECT key, body FROM articles"))
    assert nfd and all(unicodedata.is_normalized("NFC", bodies[f"id:{a.id}"]) for a in nfd)


def test_no_article_has_problems(conn):
    assert [] == conn.execute("SELECT key, problems FROM articles WHERE problems != '[]'"
                              ).fetchall()


def test_article_urls_are_canonical(conn, portal):
    urls = {r[0]: r[1] for r in conn.execute("SELECT key, url FROM articles")}
    art = portal.seed_article
    assert f"/?code={art.category_slug}&id={art.id}&page=TinTuc" == urlsplit(
        urls[f"id:{art.id}"]).path + "?" + urlsplit(urls[f"id:{art.id}"]).query
