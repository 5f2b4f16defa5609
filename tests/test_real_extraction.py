"""The generic fallback on real pages saved by others (tests/fixtures/real/<site>-<n>/): each
field, and the body's start, end and stop, compared with the page's truth.json, written by
reading the page, never by running the extractor. A (page, field) pair the fallback still
gets wrong is listed in KNOWN_MISSES and expected to fail (strict), so a fix shows up as a
test to update. Pages of a site the corpus holds enough of are also read with the profile
learned from the site's other pages."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from bench.real import (
    LEARN_FROM,
    contains,
    learned_selectors,
    load_corpus,
    same_category,
    site_of,
    stops_at_its_end,
)
from crawler.extraction.layouts import get_layout
from crawler.extraction.page import Page

REAL = Path(__file__).parent / "fixtures" / "real"
PAGES = sorted(p for p in REAL.iterdir() if (p / "truth.json").is_file()) if REAL.is_dir() else []
#: Fields compared, by their truth.json key ("date" is the day, or day and time, shown).
FIELDS = ("title", "date", "author", "category", "captions")
#: (page folder, field) pairs the fallback still gets wrong.
KNOWN_MISSES: set[tuple[str, str]] = {
    # A promotion box for the site's book series, set inside the text after its last
    # paragraph: read alone, a paragraph like the others (trafilatura keeps it too).
    ("znews-1", "body"),
}


def truth(folder: Path) -> dict:
    return json.loads((folder / "truth.json").read_text(encoding="utf-8"))


def is_article(expected: dict) -> bool:
    return expected.get("kind") == "article" or bool(expected.get("is_article"))


def page(folder: Path) -> Page:
    source = json.loads((folder / "source.json").read_text(encoding="utf-8"))
    return Page(url=source["url"], body=(folder / "page.html").read_bytes(),
                headers={"Content-Type": "text/html"})


def extract(folder: Path, selectors: dict[str, str] | None = None):
    return get_layout("generic", selectors).article(page(folder), folder.name)


def siblings(folder: Path) -> list[Path]:
    return [p for p in PAGES if site_of(p.name) == site_of(folder.name) and p != folder]


@cache
def corpus() -> list:
    return load_corpus(REAL)[0]


def learned(folder: Path):
    """The page read with the profile learned from its site's other pages (never itself), as
    the benchmark's "ours, learned" column reads it."""
    cases = corpus()
    case = next(c for c in cases if c.name == folder.name)
    return extract(folder, learned_selectors(case, cases))


def known(name: str, field: str) -> list:
    return [pytest.mark.xfail(strict=True, reason="known miss")] if (
        name, field) in KNOWN_MISSES else []


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
            yield pytest.param(folder, field, id=f"{folder.name}-{field}",
                               marks=known(folder.name, field))


def distinct(captions: list[dict]) -> list[tuple]:
    return sorted({(c["caption"], c["credit"]) for c in captions}, key=str)


@pytest.mark.parametrize("folder", [
    pytest.param(p, id=p.name, marks=known(p.name, "found")) for p in PAGES])
def test_article_pages_are_found_and_other_pages_are_not(folder):
    assert is_article(truth(folder)) == (extract(folder) is not None)


def check(article, field: str, expected) -> None:
    assert article is not None
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


@pytest.mark.parametrize("folder, field", list(cases()))
def test_field_on_a_real_page(folder, field):
    check(extract(folder), field, truth(folder)[field])


@pytest.mark.parametrize("folder", [
    pytest.param(p, id=p.name, marks=known(p.name, "body")) for p in PAGES
    if is_article(truth(p))])
def test_body_on_a_real_page_runs_from_its_start_to_its_end(folder):
    # the truth's first and last snippets, and none of what the page shows after the article
    # (the next box's heading, its first entry's title)
    found, expected = extract(folder), truth(folder)
    assert found is not None
    body = "\n".join(filter(None, (found.summary, found.body)))
    assert (True, True, True) == (contains(body, expected["body_start"]),
                                  contains(body, expected["body_end"]),
                                  stops_at_its_end(body, expected.get("not_body", [])))


@pytest.mark.parametrize("folder", [p for p in PAGES if len(siblings(p)) >= LEARN_FROM],
                         ids=lambda p: p.name)
def test_a_profile_learned_from_the_sites_other_pages_reads_the_page(folder):
    expected = truth(folder)
    article = learned(folder)
    assert is_article(expected) == (article is not None)
    for field in FIELDS if is_article(expected) else ():
        if field in expected:
            check(article, field, expected[field])
