"""The real article page (shared/seed, copied verbatim to replica/data) archived field by field.

Expected values are literals from the page text, not the output of any project code.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import crawl

SEED_TEXT = Path(__file__).resolve().parent.parent / "replica" / "data" / "article-2021-04-20.txt"
TITLE = "Đảng bộ Văn phòng UBND tỉnh làm tốt công tác phát triển Đảng."
CAPTIONS = [
    "Đồng chí Đặng Trần Thắng - Bí thư Đảng bộ trao Quyết định chuẩn y kết nạp đảng viên cho "
    "đảng viên mới.",
    "Đồng chí Lương Chiến Công trao Quyết định công nhận đảng viên chính thức cho đảng viên "
    "Nghiêm Văn Đẳng tại buổi sinh hoạt Chi bộ HC-TC.",
]


def seed_paragraphs() -> list[str]:
    """Body paragraphs as the page text shows them: between the title and the author line,
    captions left out, white space folded as a browser renders it."""
    lines = SEED_TEXT.read_text(encoding="utf-8").splitlines()
    start = lines.index(TITLE) + 1
    end = next(i for i, line in enumerate(lines) if line.strip() == "Diệu Thúy")
    paragraphs = [" ".join(line.split()) for line in lines[start:end] if line.strip()]
    return [p for p in paragraphs if not re.search(r"Ảnh\s+Huy Dương$", p)]


@pytest.fixture(scope="module")
def seed_row(replica_server, tmp_path_factory):
    seed = replica_server.portal.seed_article
    db = tmp_path_factory.mktemp("seed") / "archive.db"
    result = crawl(f"{replica_server.url}/NewsDetail.aspx?id={seed.id}", db,
                   "--chains-only", "-s", "CLOSESPIDER_PAGECOUNT=1")
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM articles WHERE key = ?", [f"id:{seed.id}"]).fetchone()
    assert row is not None, result.stderr[-3000:]
    yield conn, row
    conn.close()


def test_seed_paragraph_count_is_what_the_page_shows():
    assert 6 == len(seed_paragraphs())


@pytest.mark.parametrize("field, expected", [
    ("title", TITLE),
    ("published", "2021-04-20"),
    ("published_text", "Thứ ba 20/4/2021"),
    ("category", "Hoạt động"),
    ("author", "Diệu Thúy"),
    ("source", "Trang TTĐT VP"),
])
def test_seed_field(seed_row, field, expected):
    _, row = seed_row
    assert expected == row[field]


def test_seed_body_is_the_pages_paragraphs(seed_row):
    _, row = seed_row
    assert seed_paragraphs() == row["body"].split("\n\n")


def test_seed_captions_with_credit(seed_row):
    conn, row = seed_row
    images = conn.execute("SELECT caption, credit FROM images WHERE article_id = ? "
                          "ORDER BY position", [row["id"]]).fetchall()
    assert [(c, "Huy Dương") for c in CAPTIONS] == [tuple(i) for i in images]


def test_seed_previously_published_entries(seed_row, replica_server):
    conn, row = seed_row
    portal = replica_server.portal
    related = conn.execute("SELECT title, published FROM related WHERE article_id = ? "
                           "ORDER BY position", [row["id"]]).fetchall()
    expected = [(portal.articles[i].title, portal.articles[i].published_date.isoformat())
                for i in portal.seed_article.related_ids]
    assert len(expected) == 10 and expected == [tuple(r) for r in related]


def test_seed_has_no_problems(seed_row):
    _, row = seed_row
    assert "[]" == row["problems"]
