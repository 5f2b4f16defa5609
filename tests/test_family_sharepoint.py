"""A crawl of the replica served as a SharePoint Publishing Portal (date-folder pages)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date

import pytest

from crawler.extraction.layouts import get_layout
from replica.families import sharepoint as sp
from replica.server import ReplicaServer
from tests.conftest import crawl


@pytest.fixture(scope="module")
def server():
    with ReplicaServer(family="sharepoint", today=date(2026, 11, 26)) as srv:
        yield srv


@pytest.fixture(scope="module")
def portal(server):
    return server.portal


@pytest.fixture(scope="module")
def home_crawl(server, tmp_path_factory):
    db = tmp_path_factory.mktemp("sharepoint") / "archive.db"
    result = crawl(server.url + "/", db, "--site", "sharepoint-replica")
    return result, db, list(server.log)


@pytest.fixture(scope="module")
def conn(home_crawl):
    _, db, _ = home_crawl
    c = sqlite3.connect(db)
    yield c
    c.close()


def keys(conn):
    return [r[0] for r in conn.execute("SELECT key FROM articles")]


def expected_date_line(article):
    """The family's date line: "20/4/2021 8:5" with a time, else "Đăng ngày 20 - 04 - 2021"."""
    p = article.published
    if article.has_time:
        return f"{p.day}/{p.month}/{p.year} {p.hour}:{p.minute}"
    return f"Đăng ngày {p.day:02d} - {p.month:02d} - {p.year}"


def path_of(url):
    return "/" + url.split("/", 3)[3]


# --------------------------------------------------------------------------- URL rules


def test_slug_is_cut_at_exactly_fifty_characters_mid_word():
    title = "Đảng bộ Văn phòng UBND tỉnh làm tốt công tác phát triển Đảng."
    assert "Dang-bo-Van-phong-UBND-tinh-lam-tot-cong-tac-phat-" == sp.slug(title)


def test_layout_reads_the_id_from_every_spelling():
    layout = get_layout("sharepoint")
    urls = ["http://h/portal/Pages/2021-4-20/Dang-bo-Van-phong-UBND-tinh-lam-tot-phat--2661.aspx",
            "http://h/portal/pages/2021-04-20/Dang-bo-2661.aspx?Source=%2Fportal",
            "http://h/portal/pages/print.aspx?p=2661"]
    assert ["2661", "2661", "2661"] == [layout.article_id(u) for u in urls]


def test_layout_canonical_url_has_pages_case_and_no_query():
    layout = get_layout("sharepoint")
    url = "http://h/portal/pages/2021-4-20/Slug-2661.aspx?title=slug.html"
    assert "http://h/portal/Pages/2021-4-20/Slug-2661.aspx" == layout.article_url(url)


def test_print_view_keys_the_same_article_as_its_page():
    layout = get_layout("sharepoint")
    assert "id:2661" == layout.article_key("http://h/portal/pages/2021-4-20/Slug-2661.aspx?Source=x")
    assert "id:2661" == layout.article_key("http://h/portal/pages/print.aspx?p=2661")


def test_print_view_is_its_own_url():
    layout = get_layout("sharepoint")
    url = "http://h/portal/pages/print.aspx?p=77"
    assert url == layout.article_url(url)


# --------------------------------------------------------------------------- the crawl


def test_crawl_completes_with_failures_exit_code(home_crawl):
    result, _, _ = home_crawl
    assert 3 == result.returncode, result.stderr[-3000:]


def test_every_public_article_archived_exactly_once(conn, portal):
    expected = sorted(f"id:{a.id}" for a in portal.public_articles())
    assert expected == sorted(keys(conn))


def test_no_duplicate_urls_or_titles(conn):
    urls = [r[0] for r in conn.execute("SELECT url FROM articles")]
    titles = [r[0] for r in conn.execute("SELECT title FROM articles")]
    assert (len(urls), len(titles)) == (len(set(urls)), len(set(titles)))


def test_articles_reachable_only_through_chains_are_archived(conn, portal):
    chain_only = {f"id:{a.id}" for a in portal.articles_only_in_chains()}
    assert chain_only and chain_only <= set(keys(conn))


def test_article_urls_are_the_date_folder_pages(conn, portal):
    expected = {f"id:{a.id}": sp.article_path(a) for a in portal.public_articles()}
    got = {k: path_of(u) for k, u in conn.execute("SELECT key, url FROM articles")}
    assert expected == got


@pytest.mark.parametrize("field", ["title", "published", "published_text", "category",
                                   "author", "source", "summary", "body"])
def test_every_article_field_equals_the_replica_model(conn, portal, field):
    names = {c.slug: c.name for c in portal.categories}
    expected = {
        f"id:{a.id}": {"title": a.title, "published": a.published_iso,
                       "published_text": expected_date_line(a),
                       "category": names[a.category_slug], "author": a.author,
                       "source": a.source, "summary": a.summary, "body": a.body}[field]
        for a in portal.public_articles()
    }
    got = dict(conn.execute(f"SELECT key, {field} FROM articles").fetchall())
    wrong = [k for k in expected if expected[k] != got.get(k)]
    assert [] == wrong[:5]


def test_both_date_line_styles_are_crawled(portal):
    kinds = Counter(a.has_time for a in portal.public_articles())
    assert kinds[True] and kinds[False] > kinds[True]


def test_captions_and_credits_equal_the_model(conn, portal):
    expected = sorted((f"id:{a.id}", img.caption, img.credit)
                      for a in portal.public_articles() for _, img in a.images)
    got = sorted(conn.execute(
        "SELECT a.key, i.caption, i.credit FROM images i JOIN articles a ON a.id = i.article_id"))
    assert expected == got


def test_image_urls_are_publishing_images(conn, portal):
    expected = sorted((f"id:{a.id}", sp.image_path(img.url))
                      for a in portal.public_articles() for _, img in a.images)
    got = sorted((k, path_of(u)) for k, u in conn.execute(
        "SELECT a.key, i.url FROM images i JOIN articles a ON a.id = i.article_id"))
    assert expected == got


def test_attachments_recorded_from_the_panel(conn, portal):
    expected = sorted((f"id:{a.id}", sp.attachment_path(a, att.url), att.title)
                      for a in portal.public_articles() for att in a.attachments)
    got = sorted((k, path_of(u), t) for k, u, t in conn.execute(
        "SELECT a.key, t.url, t.title FROM attachments t JOIN articles a ON a.id = t.article_id"))
    assert expected and expected == got


def test_related_entries_equal_the_models_chain(conn, portal):
    art = portal.seed_article
    rows = conn.execute(
        "SELECT r.url, r.published FROM related r JOIN articles a ON a.id = r.article_id "
        "WHERE a.key = ? ORDER BY r.position", [f"id:{art.id}"]).fetchall()
    expected = [(sp.article_path(portal.articles[i]),
                 portal.articles[i].published_date.isoformat()) for i in art.related_ids]
    assert expected == [(path_of(u), p) for u, p in rows]


def alias_map(conn):
    return {path_of(u): k for u, k in conn.execute(
        "SELECT al.url, a.key FROM aliases al JOIN articles a ON a.id = al.article_id")}


def test_print_view_is_an_alias(conn, portal):
    aid = portal.popular_ids[0]
    assert f"id:{aid}" == alias_map(conn)[f"/portal/pages/print.aspx?p={aid}"]


def test_lower_case_pages_link_is_an_alias(conn, portal):
    aid = portal.seed_article.related_ids[0]
    assert f"id:{aid}" == alias_map(conn)[sp.article_path(portal.articles[aid], "pages")]


def test_source_parameter_link_is_an_alias(conn, portal):
    art = portal.newest_public(1)[0]
    link = sp.article_path(art) + "?Source=%2Fportal%2FPages%2Fdefault%2Easpx"
    assert f"id:{art.id}" == alias_map(conn)[link]


def test_decorative_title_parameter_link_is_an_alias(conn, portal):
    art = portal.articles[portal.popular_ids[1]]
    link = f"{sp.article_path(art)}?title={sp.fold(art.title).lower()}.html"
    assert f"id:{art.id}" == alias_map(conn)[link]


def test_each_article_page_fetched_once(home_crawl, portal):
    _, _, log = home_crawl
    fetched = Counter(e["path"] for e in log
                      if e["server"] == "main" and e["path"].startswith("/portal/Pages/20"))
    twice = [p for p, n in fetched.items()
             if n > 1 and not p.endswith(f"-{portal.flaky_id}.aspx")]
    assert [] == twice


def test_print_views_are_not_fetched(home_crawl):
    _, _, log = home_crawl
    assert [] == [e["target"] for e in log if "print.aspx" in e["path"].lower()]


def test_dead_link_recorded_as_failure_with_reason(conn, portal):
    rows = conn.execute("SELECT reason, attempts FROM failures WHERE url LIKE ?",
                        [f"%-{portal.dead_link_id}.aspx"]).fetchall()
    assert [("HTTP 404", 1)] == rows


def test_server_error_twice_then_success_is_archived(conn, portal, home_crawl):
    _, _, log = home_crawl
    statuses = [e["status"] for e in log if e["path"].endswith(f"-{portal.flaky_id}.aspx")]
    assert [500, 500, 200] == statuses
    assert f"id:{portal.flaky_id}" in keys(conn)


def test_no_request_to_the_offsite_host(home_crawl):
    _, _, log = home_crawl
    assert [] == [e for e in log if e["server"] == "offsite"]


def test_no_request_to_a_path_robots_disallows(home_crawl):
    _, _, log = home_crawl
    targets = [e["target"] for e in log]
    assert "/robots.txt" in targets
    assert [] == [t for t in targets
                  if t.lower().startswith(("/_layouts/", "/_vti_bin/", "/portal/pages/noi-bo"))]


def test_non_public_articles_never_fetched(home_crawl, portal):
    _, _, log = home_crawl
    private = {f"-{a.id}.aspx" for a in portal.articles.values() if not portal.is_public(a)}
    assert [] == [e["path"] for e in log if any(e["path"].endswith(s) for s in private)]
