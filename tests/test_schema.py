"""The researchers' views and the indexes behind the common filters."""

from __future__ import annotations

import re

import pytest

from crawler.items import Article, FetchResult
from crawler.storage import Archive


def fetched(key, category, published, author):
    art = Article(url=f"http://x.vn/{key}", key=f"id:{key}", site="x", title=f"Tin {key}",
                  body=f"Nội dung {key}.", category=category, published=published, author=author)
    return FetchResult(url=art.url, fetched_at="2026-11-26T00:00:00Z", status=200, article=art,
                       site="x")


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "archive.db") as a:
        a.write([fetched(1, "Hoạt động", "2021-04-20", "Diệu Thúy"),
                 fetched(2, "Hoạt động", "2021-04-28T08:30:00+07:00", "Thu Hà"),
                 fetched(3, "Hoạt động", "2021-06-01", "Diệu Thúy"),
                 fetched(4, "Tin tức", "2019-03-01", None),
                 fetched(5, "Tin tức", None, "")])
        yield a


def test_articles_by_month(archive):
    rows = archive.db.execute("SELECT * FROM articles_by_month ORDER BY category, month")
    assert [("x", "Hoạt động", "2021-04", 2), ("x", "Hoạt động", "2021-06", 1),
            ("x", "Tin tức", "2019-03", 1)] == rows.fetchall()


def test_authors(archive):
    rows = archive.db.execute('SELECT author, articles, "first", "last" FROM authors '
                              "ORDER BY author")
    assert [("Diệu Thúy", 2, "2021-04-20", "2021-06-01"),
            ("Thu Hà", 1, "2021-04-28", "2021-04-28")] == rows.fetchall()


@pytest.mark.parametrize("where", ["published >= '2021-01-01'", "site = 'x'",
                                   "category = 'Hoạt động'", "author = 'Thu Hà'",
                                   "site = 'x' AND published >= '2021-01-01'"])
def test_common_filters_use_an_index(archive, where):
    plan = " | ".join(r[3] for r in archive.db.execute(
        f"EXPLAIN QUERY PLAN SELECT id, title FROM articles WHERE {where}"))
    assert re.fullmatch(r"SEARCH articles USING (COVERING )?INDEX \S+ \(.+\)", plan), plan
