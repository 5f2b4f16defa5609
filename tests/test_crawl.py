"""A crawl of the replica portal from its home page, and what it left in the archive."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import crawl


@pytest.fixture(scope="module")
def home_crawl(replica_server, tmp_path_factory):
    db = tmp_path_factory.mktemp("home") / "archive.db"
    result = crawl(replica_server.url + "/", db)
    log = list(replica_server.log)
    return result, db, log


@pytest.fixture(scope="module")
def conn(home_crawl):
    _, db, _ = home_crawl
    c = sqlite3.connect(db)
    c.row_factory = sqlite3.Row
    yield c
    c.close()


@pytest.fixture(scope="module")
def portal(replica_server):
    return replica_server.portal


def keys(conn):
    return [r[0] for r in conn.execute("SELECT key FROM articles")]


def test_crawl_completes_with_failures_exit_code(home_crawl):
    result, _, _ = home_crawl
    assert 3 == result.returncode, result.stderr[-3000:]


def test_summary_line_printed(home_crawl):
    result, _, _ = home_crawl
    assert "articles new" in result.stdout


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


@pytest.mark.parametrize("field", ["title", "published", "published_text", "category",
                                   "author", "source", "summary", "body"])
def test_every_article_field_equals_the_replica_model(conn, portal, field):
    names = {c.slug: c.name for c in portal.categories}
    expected = {
        f"id:{a.id}": {"title": a.title, "published": a.published_iso,
                       "published_text": a.date_text, "category": names[a.category_slug],
                       "author": a.author, "source": a.source, "summary": a.summary,
                       "body": a.body}[field]
        for a in portal.public_articles()
    }
    got = dict(conn.execute(f"SELECT key, {field} FROM articles").fetchall())
    wrong = [k for k in expected if expected[k] != got.get(k)]
    assert [] == wrong[:5]


def test_captions_and_credits_equal_the_model(conn, portal):
    expected = sorted((f"id:{a.id}", img.caption, img.credit)
                      for a in portal.public_articles() for _, img in a.images)
    got = sorted(tuple(r) for r in conn.execute(
        "SELECT a.key, i.caption, i.credit FROM images i JOIN articles a ON a.id = i.article_id"))
    assert expected == got


def test_attachments_recorded(conn, portal):
    expected = sorted((f"id:{a.id}", att.title) for a in portal.public_articles()
                      for att in a.attachments)
    got = sorted(tuple(r) for r in conn.execute(
        "SELECT a.key, t.title FROM attachments t JOIN articles a ON a.id = t.article_id"))
    assert expected and expected == got


def test_related_entries_equal_the_models_chains(conn, portal):
    art = portal.seed_article
    got = [r[0] for r in conn.execute(
        "SELECT r.url FROM related r JOIN articles a ON a.id = r.article_id "
        "WHERE a.key = ? ORDER BY r.position", [f"id:{art.id}"])]
    assert [f"NewsDetail.aspx?id={i}" for i in art.related_ids] == [
        u.rsplit("/", 1)[1] for u in got]


def test_alias_urls_point_at_the_one_article(conn, portal):
    aliases = {r[0].split("/", 3)[3]: r[1] for r in conn.execute(
        "SELECT al.url, a.key FROM aliases al JOIN articles a ON a.id = al.article_id")}
    art = portal.articles[portal.popular_ids[0]]
    assert f"id:{art.id}" == aliases[f"Modules/Article/ArticlePrint.aspx?ArticleID={art.id}"]
    assert f"id:{art.id}" == aliases[f"newsdetail.aspx?ID={art.id}"]
    featured = portal.featured_ids[0]
    assert f"id:{featured}" == aliases[f"NewsDetail.aspx/?id={featured}"]


def test_session_parameters_never_reach_the_archive(conn):
    assert 0 == conn.execute(
        "SELECT count(*) FROM aliases WHERE url LIKE '%sessionid%'").fetchone()[0]


def test_dead_link_recorded_as_failure_with_reason(conn, portal):
    rows = conn.execute("SELECT reason, attempts FROM failures WHERE url LIKE ?",
                        [f"%NewsDetail.aspx?id={portal.dead_link_id}"]).fetchall()
    assert [("HTTP 404", 1)] == [tuple(r) for r in rows]


def test_server_error_twice_then_success_is_archived(conn, portal, home_crawl):
    _, _, log = home_crawl
    flaky = f"id={portal.flaky_id}"
    statuses = [e["status"] for e in log
                if e["path"].lower() == "/newsdetail.aspx" and flaky in e["query"]]
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
                  if t.startswith(("/Category.aspx?cat=noi-bo", "/Modules/SendMail/"))]


def test_user_agent_names_the_project(home_crawl):
    _, _, log = home_crawl
    assert {e["user_agent"].split("/")[0] for e in log} == {"portal-archive"}


def test_weekday_contradicting_the_date_is_a_problem(conn, portal):
    wrong = [a for a in portal.public_articles() if a.weekday_mismatch]
    problems = dict(conn.execute("SELECT key, problems FROM articles WHERE problems != '[]'"))
    assert {f"id:{a.id}" for a in wrong} == set(problems)
    assert "weekday" in json.loads(problems[f"id:{wrong[0].id}"])[0]


def test_decomposed_text_is_stored_nfc(conn, portal):
    nfd = [a for a in portal.public_articles() if a.nfd]
    titles = dict(conn.execute("SELECT key, title FROM articles"))
    assert nfd and all(titles[f"id:{a.id}"] == a.title for a in nfd)


def test_every_capture_keeps_status_and_sha256(conn):
    rows = conn.execute("SELECT status, sha256, size FROM captures").fetchall()
    assert rows and all(r["sha256"] and r["status"] for r in rows)


def test_run_recorded_with_counts(conn, portal):
    row = conn.execute("SELECT status, stats FROM crawls").fetchone()
    stats = json.loads(row["stats"])
    assert ("failures", len(portal.public_articles()), 1) == (
        row["status"], stats["archive/articles/new"], stats["archive/failures"])


def test_second_crawl_adds_no_article_rows(replica_server, home_crawl, tmp_path):
    _, db, _ = home_crawl
    copy = tmp_path / "again.db"
    src = sqlite3.connect(db)
    src.backup(sqlite3.connect(copy))
    before = sqlite3.connect(copy).execute("SELECT count(*) FROM articles").fetchone()[0]
    result = crawl(replica_server.url + "/", copy)
    after = sqlite3.connect(copy).execute("SELECT count(*) FROM articles").fetchone()[0]
    assert (before, 2) == (after, sqlite3.connect(copy).execute(
        "SELECT count(*) FROM crawls").fetchone()[0]), result.stderr[-2000:]


def test_sqlite_utils_reads_the_archive(home_crawl):
    _, db, _ = home_crawl
    tables = subprocess.run([sys.executable, "-m", "sqlite_utils", "tables", str(db), "--counts"],
                            capture_output=True, text=True)
    rows = subprocess.run([sys.executable, "-m", "sqlite_utils", "rows", str(db), "articles",
                           "--limit", "2"], capture_output=True, text=True)
    assert (0, 0) == (tables.returncode, rows.returncode)
    assert '"table": "articles"' in tables.stdout and len(json.loads(rows.stdout)) == 2


def test_robots_holds_for_every_start_request_sent_at_once(replica_server, tmp_path):
    """Six listings requested together before robots.txt is known: the disallowed one is
    still not fetched."""
    slugs = [c.slug for c in replica_server.portal.categories]
    assert "noi-bo" in slugs
    start = len(replica_server.log)
    crawl([f"{replica_server.url}/Category.aspx?cat={s}" for s in slugs], tmp_path / "a.db",
          "-s", "CLOSESPIDER_PAGECOUNT=6")
    targets = [e["target"] for e in replica_server.log[start:]]
    assert "/Category.aspx?cat=noi-bo" not in targets
    assert "/Category.aspx?cat=hoat-dong" in targets
