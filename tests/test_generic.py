"""The generic fallback layout: a portal with no profile still yields its articles."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from crawler.extraction.layouts import get_layout
from crawler.extraction.page import Page
from tests.conftest import crawl

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "aspnet_office").iterdir())


def extract(folder: Path):
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    page = Page(url=meta["url"], body=(folder / "body.html").read_bytes(), headers=meta["headers"])
    return get_layout("generic").article(page, "fixture")


@pytest.mark.parametrize("field", ["title", "published", "published_text", "author", "body"])
@pytest.mark.parametrize("folder", FIXTURES, ids=lambda p: p.name)
def test_generic_field_on_office_pages(folder, field):
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert expected[field] == getattr(extract(folder), field)


@pytest.mark.parametrize("folder", FIXTURES, ids=lambda p: p.name)
def test_generic_takes_the_date_by_the_title_not_the_header_clock(folder):
    assert not extract(folder).published.startswith("2026-11-26")


def test_generic_finds_the_older_items_box_by_its_heading():
    folder = next(f for f in FIXTURES if f.name == "seed")
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert [title for _, title in expected["related"]] == [r.title for r in extract(folder).related]


def test_generic_finds_no_article_on_a_listing(replica_server):
    import urllib.request

    url = f"{replica_server.url}/Category.aspx?cat=hoat-dong"
    page = Page(url=url, body=urllib.request.urlopen(url).read())
    assert get_layout("generic").article(page) is None


def test_crawl_without_a_profile_archives_every_article_once(replica_server, tmp_path):
    db = tmp_path / "generic.db"
    crawl(replica_server.url + "/", db, "--site", "generic")
    titles = [r[0] for r in sqlite3.connect(db).execute("SELECT title FROM articles")]
    assert sorted(a.title for a in replica_server.portal.public_articles()) == sorted(titles)
