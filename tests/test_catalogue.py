"""The catalogue of portals at risk (sites/): the site list enqueues as it is, and every entry
says where its URL was seen."""

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.distributed import read_site_list

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("sites_build", ROOT / "sites" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

ROWS = build.load()
SITE_LIST = (ROOT / "sites" / "vn-provincial-offices.txt").read_text(encoding="utf-8")


def _host(url):
    return urlsplit(url).hostname.lower()


def test_every_site_list_line_parses():
    seeds = read_site_list(SITE_LIST.splitlines())
    assert len(ROWS) == sum(len(seed.urls) for seed in seeds)


def test_site_list_names_every_catalogue_url_once():
    urls = [line.split("#", 1)[0].strip() for line in SITE_LIST.splitlines()]
    assert sorted(row["url"] for row in ROWS) == sorted(u for u in urls if u)


def test_site_list_is_the_one_the_catalogue_writes():
    assert build.render_site_list(ROWS) == SITE_LIST


@pytest.mark.parametrize("field", ["source", "quote"])
def test_every_entry_has_a_source_and_a_quote(field):
    assert [] == [row["url"] for row in ROWS if not row[field].strip()]


def test_every_quote_contains_the_host():
    missing = [row["url"] for row in ROWS
               if _host(row["url"]) not in row["quote"].lower().replace("%2f", "/")]
    assert [] == missing


def test_no_duplicate_urls():
    assert len(ROWS) == len({row["url"] for row in ROWS})


def test_statuses_are_allowed():
    assert [] == [row["status"] for row in ROWS if row["status"] not in build.STATUSES]


def test_families_are_allowed():
    assert [] == [row["family"] for row in ROWS if row["family"] not in build.FAMILIES]


def test_a_status_other_than_unknown_names_its_source():
    assert [] == [row["url"] for row in ROWS
                  if row["status"] != "unknown" and not row["status_source"].startswith("https://")]


def test_catalogue_validates():
    assert [] == build.validate(ROWS)


def test_validate_names_a_quote_without_the_host():
    row = dict(ROWS[0], quote="a quote about something else")
    assert ["does not contain the host" in e for e in build.validate([row])] == [True]


def test_docs_show_the_current_counts():
    docs = (ROOT / "docs" / "catalogue.md").read_text(encoding="utf-8")
    assert build.stats_markdown(ROWS) in docs
