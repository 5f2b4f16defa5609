"""The generic fallback on real pages saved by others (tests/fixtures/real/<site>-<n>/): each
field compared with the page's truth.json, written by reading the page, never by running the
extractor. A (page, field) pair the fallback still gets wrong is listed in KNOWN_MISSES and
expected to fail (strict), so a fix shows up as a test to update."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.real import same_category
from crawler.extraction.layouts import get_layout
from crawler.extraction.page import Page

REAL = Path(__file__).parent / "fixtures" / "real"
PAGES = sorted(p for p in REAL.iterdir() if (p / "truth.json").is_file()) if REAL.is_dir() else []
#: Fields compared, by their truth.json key ("date" is the day, or day and time, shown).
FIELDS = ("title", "date", "author", "category", "captions")
#: (page folder, field) pairs the fallback still gets wrong.
KNOWN_MISSES: set[tuple[str, str]] = set()


def truth(folder: Path) -> dict:
    return json.loads((folder / "truth.json").read_text(encoding="utf-8"))


def is_article(expected: dict) -> bool:
    return expected.get("kind") == "article" or bool(expected.get("is_article"))


def extract(folder: Path):
    source = json.loads((folder / "source.json").read_text(encoding="utf-8"))
    page = Page(url=source["url"], body=(folder / "page.html").read_bytes(),
                headers={"Content-Type": "text/html"})
    return get_layout("generic").article(page, folder.name)


def value(article, field: str):
    if field == "date":
        return article.published
    if field == "captions":
        return [{"caption": i.caption, "credit": i.credit} for i in article.images
                if i.caption or i.credit]
    return getattr(article, field)


def cases():
    for folder in PAGES:
        expected = truth(folder)
        if not is_article(expected):
            continue
        for field in FIELDS:
            if field not in expected:
                continue
            marks = [pytest.mark.xfail(strict=True, reason="known miss")] if (
                folder.name, field) in KNOWN_MISSES else []
            yield pytest.param(folder, field, id=f"{folder.name}-{field}", marks=marks)


def distinct(captions: list[dict]) -> list[tuple]:
    return sorted({(c["caption"], c["credit"]) for c in captions}, key=str)


@pytest.mark.parametrize("folder", PAGES, ids=lambda p: p.name)
def test_article_pages_are_found_and_other_pages_are_not(folder):
    assert is_article(truth(folder)) == (extract(folder) is not None)


@pytest.mark.parametrize("folder, field", list(cases()))
def test_field_on_a_real_page(folder, field):
    expected = truth(folder)[field]
    article = extract(folder)
    got = value(article, field)
    if field == "category":
        # Ignoring case (a menu in capitals read back as "Chứng Khoán"); of a breadcrumb
        # "Kinh doanh > Vĩ mô", any one of its steps is the page's category.
        assert same_category(got, expected), (got, expected)
        return
    if field == "captions":
        # Photos set in a group under one <figcaption> each carry that caption, and a page
        # may print one caption under several photos: compared as the captions the page shows.
        assert distinct(expected) == distinct(got)
        return
    if field == "date" and expected and got:
        got = got[:len(expected)]  # truth gives what the page shows: a day, or a day and time
    assert expected == got
