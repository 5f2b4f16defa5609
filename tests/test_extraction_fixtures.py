"""Extraction on stored pages, offline: body.html + meta.json in, one assertion per field.

Fixtures are written by tests/fixtures/make_fixtures.py from the replica (page bytes) and its
model (expected values).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extraction.layouts import get_layout
from crawler.extraction.page import Page

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "aspnet_office").iterdir())
FIELDS = ["key", "url", "title", "published", "published_text", "category", "author", "source",
          "summary", "body"]


def extract(folder: Path):
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    page = Page(url=meta["url"], body=(folder / "body.html").read_bytes(),
                headers=meta["headers"], fetched_at=meta["fetched_at"])
    return get_layout("aspnet_office").article(page, "fixture")


def expected(folder: Path) -> dict:
    return json.loads((folder / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("folder", FIXTURES, ids=lambda p: p.name)
def test_field(folder, field):
    assert expected(folder)[field] == getattr(extract(folder), field)


@pytest.mark.parametrize("folder", FIXTURES, ids=lambda p: p.name)
def test_images(folder):
    got = [[i.url, i.caption, i.credit] for i in extract(folder).images]
    assert expected(folder)["images"] == got


@pytest.mark.parametrize("folder", FIXTURES, ids=lambda p: p.name)
def test_attachments(folder):
    got = [[a.url, a.title] for a in extract(folder).attachments]
    assert expected(folder)["attachments"] == got


@pytest.mark.parametrize("folder", FIXTURES, ids=lambda p: p.name)
def test_related(folder):
    got = [[r.url, r.title] for r in extract(folder).related]
    assert expected(folder)["related"] == got


@pytest.mark.parametrize("folder", FIXTURES, ids=lambda p: p.name)
def test_weekday_problem(folder):
    problems = extract(folder).problems
    assert expected(folder)["weekday_problem"] == any("weekday" in p for p in problems)


def test_extraction_imports_no_scrapy():
    import subprocess
    import sys

    code = ("import sys, crawler.extraction.layouts, crawler.extraction.dates; "
            "print('scrapy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "False" == out.stdout.strip()
