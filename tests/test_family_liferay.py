"""A crawl of the replica served as a Liferay portal (vPortal + egov), and what it archived.

Expected values come from the replica's model (and the replica's own date-line and URL
helpers), never from the extractor.
"""

from __future__ import annotations

import sqlite3
import urllib.request
from datetime import date
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from crawler.extraction.layouts import get_layout
from crawler.extraction.page import Page
from replica.families.liferay import (
    EGOV_CATEGORIES,
    attachment_path,
    category_path,
    date_line,
    print_href,
)
from replica.server import ReplicaServer
from tests.conftest import crawl

PORTLET = "vcmsviewcontent_WAR_VCMSportlet"


@pytest.fixture(scope="module")
def server():
    with ReplicaServer(family="liferay", today=date(2026, 11, 26)) as srv:
        yield srv


@pytest.fixture(scope="module")
def portal(server):
    return server.portal


@pytest.fixture(scope="module")
def run(server, tmp_path_factory):
    db = tmp_path_factory.mktemp("liferay") / "archive.db"
    result = crawl(server.url + "/", db, "--site", "liferay-replica")
    return result, db, list(server.log)


@pytest.fixture(scope="module")
def conn(run):
    _, db, _ = run
    c = sqlite3.connect(db)
    yield c
    c.close()


def article_id_of(url: str) -> int:
    """The article id of a canonical Liferay article URL."""
    return int(dict(parse_qsl(urlsplit(url).query))[f"_{PORTLET}_articleId"])


def model_date(portal, aid: int) -> date:
    other = portal.articles.get(aid)
    return other.published_date if other else portal.dead_link_date


def test_crawl_ends_with_failures_exit_code(run):
    result, _, _ = run
    assert 3 == result.returncode, result.stderr[-3000:]


def test_every_public_article_archived_exactly_once(conn, portal):
    got = [r[0] for r in conn.execute("SELECT key FROM articles")]
    assert sorted(f"id:{a.id}" for a in portal.public_articles()) == sorted(got)


def test_articles_reachable_only_through_older_items_are_archived(conn, portal):
    got = {r[0] for r in conn.execute("SELECT key FROM articles")}
    chain_only = {f"id:{a.id}" for a in portal.articles_only_in_chains()}
    assert chain_only and chain_only <= got


@pytest.mark.parametrize("field", ["title", "published", "published_text", "category",
                                   "author", "source", "summary", "body"])
def test_every_article_field_equals_the_model(conn, portal, field):
    names = {c.slug: c.name for c in portal.categories}
    expected = {
        f"id:{a.id}": {"title": a.title, "published": a.published_iso,
                       "published_text": date_line(portal, a),
                       "category": names[a.category_slug], "author": a.author,
                       "source": a.source, "summary": a.summary, "body": a.body}[field]
        for a in portal.public_articles()
    }
    got = dict(conn.execute(f"SELECT key, {field} FROM articles").fetchall())
    assert [] == [k for k in expected if expected[k] != got.get(k)][:5]


def test_both_date_styles_are_archived(conn):
    texts = [r[0] for r in conn.execute("SELECT published_text FROM articles")]
    assert any(t.startswith("Ngay dang: ") for t in texts)
    assert any(", ngày " in t and t.endswith("| GMT +7") for t in texts)


def test_captions_and_credits_equal_the_model(conn, portal):
    expected = sorted((f"id:{a.id}", img.caption, img.credit)
                      for a in portal.public_articles() for _, img in a.images)
    got = sorted(tuple(r) for r in conn.execute(
        "SELECT a.key, i.caption, i.credit FROM images i JOIN articles a ON a.id = i.article_id"))
    assert expected == got


def test_attachments_are_the_document_library_links(conn, portal):
    expected = sorted((f"id:{a.id}", attachment_path(att), att.title)
                      for a in portal.public_articles() for att in a.attachments)
    got = sorted((key, urlsplit(url).path, title) for key, url, title in conn.execute(
        "SELECT a.key, t.url, t.title FROM attachments t JOIN articles a "
        "ON a.id = t.article_id"))
    assert expected and expected == got


def test_article_urls_are_one_canonical_form(conn, server):
    rows = dict(conn.execute("SELECT key, url FROM articles").fetchall())
    wrong = [url for key, url in rows.items() if url != (
        f"{server.url}/web/guest/tin-tuc?_{PORTLET}_articleId={key[3:]}&p_p_id={PORTLET}")]
    assert [] == wrong[:3]


def test_egov_older_items_are_the_related_entries_with_their_year(conn, portal):
    art = portal.seed_article
    assert art.category_slug in EGOV_CATEGORIES
    rows = conn.execute(
        "SELECT r.url, r.title, r.published, r.published_text FROM related r JOIN articles a "
        "ON a.id = r.article_id WHERE a.key = ? ORDER BY r.position", [f"id:{art.id}"]).fetchall()
    expected = [(rid, portal.articles[rid].title, portal.articles[rid].published_date.isoformat(),
                 f"({portal.articles[rid].published_date:%d/%m})") for rid in art.related_ids]
    assert expected == [(article_id_of(u), t, p, pt) for u, t, p, pt in rows]


def test_vportal_other_news_are_the_related_entries_dead_link_included(conn, portal):
    art = portal.articles[portal.dead_link_source_id]
    assert art.category_slug not in EGOV_CATEGORIES
    rows = conn.execute(
        "SELECT r.url, r.title, r.published FROM related r JOIN articles a "
        "ON a.id = r.article_id WHERE a.key = ? ORDER BY r.position", [f"id:{art.id}"]).fetchall()
    titles = [portal.articles[i].title if i in portal.articles else portal.dead_link_title
              for i in art.related_ids]
    expected = [(rid, title, model_date(portal, rid).isoformat())
                for rid, title in zip(art.related_ids, titles, strict=True)]
    assert expected == [(article_id_of(u), t, p) for u, t, p in rows]
    assert portal.dead_link_id == art.related_ids[-1]


def test_newer_items_are_not_related_entries(conn):
    rows = conn.execute("SELECT a.key, r.url FROM related r JOIN articles a "
                        "ON a.id = r.article_id").fetchall()
    assert rows and [] == [(k, u) for k, u in rows if article_id_of(u) >= int(k[3:])]


def test_every_related_entry_is_one_of_the_models_older_items(conn, portal):
    got: dict[int, list[int]] = {}
    for key, url in conn.execute("SELECT a.key, r.url FROM related r JOIN articles a "
                                 "ON a.id = r.article_id ORDER BY a.key, r.position"):
        got.setdefault(int(key[3:]), []).append(article_id_of(url))
    expected = {a.id: a.related_ids for a in portal.public_articles() if a.related_ids}
    assert expected == got


def test_yearless_dates_are_right_unless_neighbours_are_a_year_apart(conn, portal):
    """"(20/04)" takes its year from the entry above it; after a gap of a year or more between
    neighbours (which the page cannot show) the rest of the list is left out of the check."""
    got: dict[str, list[str]] = {}
    for key, published in conn.execute(
            "SELECT a.key, r.published FROM related r JOIN articles a "
            "ON a.id = r.article_id ORDER BY a.key, r.position"):
        got.setdefault(key, []).append(published)
    checked, wrong = 0, []
    for art in portal.public_articles():
        if art.category_slug not in EGOV_CATEGORIES:
            continue
        before = art.published_date
        for pos, rid in enumerate(art.related_ids):
            truth = model_date(portal, rid)
            if (before - truth).days >= 365:
                break
            checked += 1
            if got[f"id:{art.id}"][pos] != truth.isoformat():
                wrong.append((art.id, rid))
            before = truth
    assert checked > 700 and [] == wrong


def test_print_view_and_portlet_variants_are_aliases_of_one_article(conn, portal, server):
    featured = portal.featured_ids[0]
    aliases = [r[0] for r in conn.execute(
        "SELECT al.url FROM aliases al JOIN articles a ON a.id = al.article_id "
        "WHERE a.key = ?", [f"id:{featured}"])]
    instances = {dict(parse_qsl(urlsplit(u).query))["p_p_id"] for u in aliases
                 if urlsplit(u).path == "/web/guest/tin-tuc"}
    assert server.url + print_href(featured) in aliases
    assert len(instances) >= 2 and all(i.startswith(PORTLET + "_INSTANCE_") for i in instances)


def test_session_ids_never_reach_the_archive(conn):
    n = conn.execute("SELECT (SELECT count(*) FROM aliases WHERE url LIKE '%jsessionid%') + "
                     "(SELECT count(*) FROM articles WHERE url LIKE '%jsessionid%')").fetchone()
    assert (0,) == n


def test_dead_link_recorded_as_failure(conn, portal):
    rows = conn.execute("SELECT url, reason FROM failures").fetchall()
    assert [(portal.dead_link_id, "HTTP 404")] == [(article_id_of(u), r) for u, r in rows]


def test_server_error_twice_then_success(run, portal):
    _, _, log = run
    statuses = [e["status"] for e in log if e["path"] == "/web/guest/tin-tuc"
                and f"_articleId={portal.flaky_id}" in e["query"]]
    assert [500, 500, 200] == statuses


def test_home_redirect_followed(run):
    _, _, log = run
    assert [("/", 302), ("/web/guest/trang-chu", 200)] == [
        (e["path"], e["status"]) for e in log if e["path"] in ("/", "/web/guest/trang-chu")]


def test_no_request_offsite_or_robots_disallowed(run, portal):
    _, _, log = run
    private = [category_path(portal, c.slug) for c in portal.categories if not c.public]
    targets = [e["target"] for e in log if e["server"] == "main"]
    assert "/robots.txt" in targets
    assert [] == [e for e in log if e["server"] == "offsite"]
    assert [] == [t for t in targets if t.startswith(("/c/", "/group/", *private))]


def test_js_pager_and_print_views_are_never_fetched(run):
    _, _, log = run
    assert [] == [e["target"] for e in log
                  if "pagenum" in e["query"] or e["path"].endswith("print_article.jsp")]


def test_listing_pager_followed_to_the_last_linked_page(run, portal):
    _, _, log = run
    for cat in portal.public_categories():
        pages = min(portal.listing_depth, portal.listing_pages(cat.slug))
        got = [e for e in log if e["path"] == category_path(portal, cat.slug)]
        assert pages == len(got), cat.slug


def test_print_page_numeric_entities_decode_to_the_article(server, portal):
    art = portal.seed_article
    url = server.url + print_href(art.id)
    with urllib.request.urlopen(url) as resp:
        body = resp.read()
    assert b"&#7893;" in body and body.isascii()
    extracted = get_layout("liferay").article(Page(url=url, body=body))
    assert (f"id:{art.id}", art.title, art.published_iso, art.body) == (
        extracted.key, extracted.title, extracted.published, extracted.body)


def test_canonical_url_ignores_instance_and_column(portal):
    layout = get_layout("liferay")
    ns_a, ns_b = f"{PORTLET}_INSTANCE_Ab12Cd34Ef56", f"{PORTLET}_INSTANCE_Zz98Yy76Xx54"
    a = (f"http://h/web/guest/tin-tuc?p_p_id={ns_a}&p_p_col_pos=1&p_p_col_count=3"
         f"&_{ns_a}_articleId=7&_{ns_a}_categoryId=12")
    b = (f"http://h/web/guest/tin-tuc?p_p_id={ns_b}&p_p_col_pos=0&p_p_col_count=1"
         f"&_{ns_b}_articleId=7")
    assert layout.article_url(a) == layout.article_url(b) == layout.article_url(
        "http://h" + print_href(7))
    assert "7" == layout.article_id(unquote(a))
