"""The foundation's end-to-end guarantees, on every CMS family of the replica: every article
once, a second run that adds nothing and fetches no archived article, and an incremental run
of epoch 2 that archives every new article and refreshes nothing it need not."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from replica.families import FAMILIES
from replica.server import ReplicaServer
from tests.conftest import crawl

PROFILES = {"aspnet": "vpubnd-replica", "sharepoint": "sharepoint-replica",
            "liferay": "liferay-replica", "php": "php-replica", "modern": "modern-replica"}


def keys(db):
    return {r[0] for r in sqlite3.connect(db).execute("SELECT key FROM articles")}


@pytest.fixture(scope="module", params=FAMILIES)
def family_runs(request, tmp_path_factory):
    family = request.param
    with ReplicaServer(today=date(2026, 11, 26), family=family) as server:
        db = tmp_path_factory.mktemp(family) / "archive.db"
        site = ["--site", PROFILES[family]]
        crawl(server.url + "/", db, *site)
        first = keys(db)
        mark = len(server.log)
        crawl(server.url + "/", db, *site)
        second = keys(db), server.log[mark:]
        server.set_epoch(2)
        mark = len(server.log)
        crawl(server.url + "/", db, *site)
        third = keys(db), server.log[mark:]
        yield server, first, second, third


def test_every_public_article_once(family_runs):
    server, first, _, _ = family_runs
    assert {f"id:{a.id}" for a in server.portal.public_articles()
            if a.id not in server.portal.new_ids} == first


def test_second_run_adds_nothing_and_fetches_no_archived_article(family_runs):
    server, first, (after, log), _ = family_runs
    fetched = [e for e in log if e["status"] == 200 and any(
        str(a.id) in e["target"] for a in server.portal.public_articles()
        if e["target"].endswith((f"={a.id}", f"-{a.id}.aspx", f"-{a.id}.html")))]
    assert (first, []) == (after, fetched)


def test_incremental_epoch2_archives_every_new_article(family_runs):
    server, first, _, (after, log) = family_runs
    new = {f"id:{i}" for i in server.portal.new_ids}
    assert new and after == first | new
    assert len(log) < 60
