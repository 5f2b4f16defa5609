"""Crawls that start from one old article and walk the "Các tin đã đăng" chains."""

from __future__ import annotations

import sqlite3

from tests.conftest import crawl


def archived(db):
    return {r[0] for r in sqlite3.connect(db).execute("SELECT key FROM articles")}


def test_chains_from_one_old_article_reach_every_older_one(replica_server, tmp_path):
    portal = replica_server.portal
    category = portal.seed_article.category_slug
    articles = portal.category_articles(category)  # newest first
    start = articles[40]
    older = {f"id:{a.id}" for a in articles[41:]}
    result = crawl(f"{replica_server.url}/NewsDetail.aspx?id={start.id}", tmp_path / "a.db",
                   "--chains-only")
    assert {f"id:{start.id}"} | older == archived(tmp_path / "a.db"), result.stderr[-2000:]


def test_chains_only_never_touch_listings(replica_server, tmp_path):
    portal = replica_server.portal
    start = portal.category_articles(portal.seed_article.category_slug)[60]
    before = len(replica_server.log)
    crawl(f"{replica_server.url}/NewsDetail.aspx?id={start.id}", tmp_path / "a.db",
          "--chains-only")
    paths = {e["path"].lower() for e in replica_server.log[before:]}
    media = {m.url.lower() for a in portal.public_articles()
             for m in [img for _, img in a.images] + a.attachments}
    assert paths - media <= {"/robots.txt", "/newsdetail.aspx"}


def test_crawl_from_an_old_article_archives_the_whole_portal(replica_server, tmp_path):
    portal = replica_server.portal
    start = portal.category_articles(portal.seed_article.category_slug)[-1]
    crawl(f"{replica_server.url}/NewsDetail.aspx?id={start.id}", tmp_path / "a.db")
    assert {f"id:{a.id}" for a in portal.public_articles()} == archived(tmp_path / "a.db")
