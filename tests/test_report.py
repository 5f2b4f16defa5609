"""The coverage report: charts, gaps, failures and runs of a crawled replica, all escaped."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.items import Article, FetchResult
from crawler.report import gaps, report
from crawler.storage import Archive


@pytest.fixture(scope="module")
def page(replica_archive, tmp_path_factory):
    db, _ = replica_archive
    path = report(db, tmp_path_factory.mktemp("report") / "report.html")
    return path.read_text(encoding="utf-8")


def model_gaps(portal, category_name):
    """Runs of months with no article of the category, from the replica's model."""
    slug = next(c.slug for c in portal.categories if c.name == category_name)
    months = {a.published_iso[:7] for a in portal.public_articles() if a.category_slug == slug}
    runs, previous_missing = [], False
    y, m = int(min(months)[:4]), int(min(months)[5:])
    while (month := f"{y:04d}-{m:02d}") <= max(months):
        missing = month not in months
        if missing and previous_missing:
            runs[-1].append(month)
        elif missing:
            runs.append([month])
        previous_missing = missing
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return runs


def test_gaps_are_runs_of_empty_months():
    counts = {"2019-11": 1, "2020-02": 3, "2020-03": 1, "2020-05": 2}
    assert [("2019-12", "2020-01", 2), ("2020-04", "2020-04", 1)] == gaps(counts)


def test_one_chart_per_category_and_one_per_site(page, replica_archive):
    _, portal = replica_archive
    categories = {portal.category(a.category_slug).name for a in portal.public_articles()}
    assert len(categories) + 1 == page.count("<svg")


def test_bars_count_the_articles_of_each_month(page, replica_archive):
    _, portal = replica_archive
    months = Counter(a.published_iso[:7] for a in portal.public_articles())
    month, count = months.most_common(1)[0]
    assert f"<title>{month}: {count} articles</title>" in page


def test_gap_months_listed_per_category(page, replica_archive):
    _, portal = replica_archive
    name = portal.category(portal.seed_article.category_slug).name
    runs = model_gaps(portal, name)
    longest = max(runs, key=len)
    gap_list = page.split(f"<h3>{name}: ")[1].split("</p>")[0]
    listed = f"{longest[0]} – {longest[-1]} ({len(longest)})" if len(longest) > 1 else longest[0]
    assert f"{sum(map(len, runs))} months without an article" in gap_list
    assert listed in gap_list


def test_a_single_missing_month_is_listed(page, replica_archive):
    _, portal = replica_archive
    name = portal.category(portal.seed_article.category_slug).name
    single = next(r[0] for r in model_gaps(portal, name) if len(r) == 1)
    gap_list = page.split(f"<h3>{name}: ")[1].split("</p>")[0]
    assert re.search(rf"(: |; ){single}(;|$)", gap_list)


def test_failures_by_reason(page):
    assert re.search(r"<td>HTTP 404</td><td class=n>1</td>", page)


def test_last_run_with_its_counts(page, replica_archive):
    _, portal = replica_archive
    new = len(portal.public_articles())
    assert re.search(rf"<td>failures</td><td class=n>{new}</td><td class=n>0</td>", page)


def test_self_contained(page):
    assert [] == re.findall(r"<script|<link|<img|<iframe|src=|url\(|@import", page)


def test_page_strings_are_escaped(tmp_path):
    evil = '<script>alert("x")</script>'
    art = Article(url="javascript:alert(1)", key="id:1", site="x<u>", title=f"Tin {evil}",
                  category=f"Mục {evil}", published="2021-04-20", body="Nội dung.")
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.write([FetchResult(url="http://x.vn/1", fetched_at="2026-11-26T00:00:00Z",
                                   status=200, article=art, site="x<u>"),
                       FetchResult(url="http://x.vn/2", fetched_at="2026-11-26T00:00:00Z",
                                   status=500, error=f"HTTP 500 {evil}", site="x<u>")])
    html = report(db, tmp_path / "r.html").read_text(encoding="utf-8")
    assert ("<script" not in html and "<u>" not in html and "javascript:" not in html
            and "Tin &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
            and "HTTP 500 &lt;script&gt;" in html and "x&lt;u&gt;" in html)


def test_cli_writes_the_report(replica_archive, tmp_path):
    db, _ = replica_archive
    out = tmp_path / "coverage.html"
    result = CliRunner().invoke(main, ["report", "--db", str(db), "-o", str(out)])
    assert (0, True) == (result.exit_code, out.read_text(encoding="utf-8").startswith(
        "<!DOCTYPE html>"))


def test_cli_missing_archive_cannot_run(tmp_path):
    result = CliRunner().invoke(main, ["report", "--db", str(tmp_path / "none.db"),
                                       "-o", str(tmp_path / "r.html")])
    assert (2, False) == (result.exit_code, (tmp_path / "none.db").exists())
