"""The generic fallback layout: a portal with no profile still yields its articles."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
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


# --- reading rules, on small hand-written pages ------------------------------------------------

PARAGRAPHS = [
    "Sáng nay, tại trụ sở UBND tỉnh đã diễn ra hội nghị trực tuyến với các địa phương trong tỉnh.",
    "Đồng chí nhấn mạnh, chuyển đổi số là nhiệm vụ trọng tâm, cần sự vào cuộc của cả hệ thống.",
    "Tỉnh đã hỗ trợ kịp thời 279 tấn gạo và nhu yếu phẩm cho người dân bị ảnh hưởng của bão.",
    "Các đại biểu đã thảo luận, đóng góp nhiều ý kiến tâm huyết, sát với thực tiễn địa phương.",
    "Kết quả này góp phần quan trọng vào việc hoàn thành các chỉ tiêu kinh tế - xã hội của tỉnh.",
]
TITLE = "Hội nghị trực tuyến về chuyển đổi số năm 2025"


def page_of(main: str, url: str = "http://portal.example/?page=TinTuc&code=cat&id=5") -> Page:
    html = (
        f"<html><head><title>{TITLE} :: Cổng TTĐT</title></head><body>"
        '<div class="menu"><a href="?page=TinTuc&code=cat">Chỉ đạo - Điều hành</a>'
        '<a href="?page=TinTuc&code=other">Hoạt động</a></div>'
        f"{main}</body></html>"
    )
    return Page(url=url, body=html.encode("utf-8"), headers={"Content-Type": "text/html"})


def detail(body: str, after: str = "", before: str = "") -> Page:
    return page_of(
        '<table class="news-detail">'
        '<tr><td class="news-cat"><a href="?page=TinTuc&code=cat"><b>Chỉ đạo - Điều hành</b></a>'
        f"</td></tr>{before}<tr><td><h3><a href=\"?id=5\">{TITLE}</a></h3></td></tr>"
        "<tr><td><i>Cập nhật ngày 03/05/2024</i></td></tr>"
        f'<tr><td class="content">{body}</td></tr>{after}</table>'
    )


def test_generic_splits_a_body_written_as_one_font_with_br_breaks():
    body = "<font>" + "<br />\n<br />".join(PARAGRAPHS) + "</font>"
    assert "\n\n".join(PARAGRAPHS) == get_layout("generic").article(detail(body)).body


def test_generic_reads_a_body_of_paragraph_divs_as_one_block():
    body = "<p>&nbsp;</p>".join(f'<div align="justify">{p}</div>' for p in PARAGRAPHS)
    assert "\n\n".join(PARAGRAPHS) == get_layout("generic").article(detail(body)).body


def test_generic_takes_the_category_label_above_the_title_that_the_menu_also_links():
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    assert "Chỉ đạo - Điều hành" == get_layout("generic").article(detail(body)).category


def test_generic_prefers_the_headline_to_a_category_heading_made_of_title_words():
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = page_of(f'<div><h2>Chuyển đổi số</h2><h3>{TITLE}</h3><p>Ngày đăng: 5/04/2025</p>'
                   f"<div>{body}</div></div>")
    assert TITLE == get_layout("generic").article(page).title


def test_generic_reads_the_author_from_a_byline_cell_after_the_text():
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    after = ('<tr><td align="right" style="font-weight: bold;"><span>Bích Huệ</span><br />'
             "(Nguồn: Trang TTĐT VP)</td></tr>")
    article = get_layout("generic").article(detail(body, after))
    assert ("Bích Huệ", "Trang TTĐT VP") == (article.author, article.source)


def test_generic_takes_a_bold_first_paragraph_as_the_lead_not_the_body():
    lead = "Tham dự có lãnh đạo Sở Nội vụ, Sở Xây dựng và đại diện UBND thị xã Đông Triều."
    body = f'<p style="font-weight:bold;">{lead}</p>' + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    article = get_layout("generic").article(detail(body))
    assert (lead, "\n\n".join(PARAGRAPHS)) == (article.summary, article.body)


def test_generic_finds_the_older_items_rows_after_a_heading_in_its_own_row():
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    rows = "".join(f'<tr><td><a href="?page=TinTuc&code=cat&id={i}">Tin số {i} của chuyên mục'
                   f'</a> <font>(0{i}/04/2021)</font></td></tr>' for i in range(1, 4))
    older = f'<tr><td><h5><font>CÁC TIN ĐÃ ĐƯA:</font></h5></td></tr>{rows}'
    article = get_layout("generic").article(detail(body, older))
    assert ["2021-04-01", "2021-04-02", "2021-04-03"] == [r.published[:10]
                                                          for r in article.related]


def test_generic_cuts_the_tool_bar_and_older_items_out_of_the_body():
    body = ("".join(f"<p>{p}</p>" for p in PARAGRAPHS)
            + '<div><a href="/print?id=5">In bài viết</a> <a href="#">Quay lại</a></div>'
            + '<h3>Các tin khác</h3><ul><li><a href="?id=4">Tin cũ</a></li></ul>')
    assert "\n\n".join(PARAGRAPHS) == get_layout("generic").article(detail(body)).body


def test_generic_links_drop_the_pager_parameter_that_the_listing_carries_along():
    url = "http://portal.example/?page=TinTuc&code=cat&vt=1"
    page = page_of('<a href="?page=TinTuc&code=cat&vt=1&id=7">Tin bảy</a>'
                   '<a href="?page=TinTuc&code=cat&vt=1&vt=0">1</a>', url)
    assert "http://portal.example/?code=cat&id=7&page=TinTuc" in get_layout(
        "generic").links(page).listings


def test_generic_links_skip_tool_links_but_not_slugs_that_contain_a_tool_word():
    page = page_of('<a href="/xuatpdf.php?id=5">Pdf</a><a href="?page=TimKiem">Tìm</a>'
                   '<a href="/tin/tim-kiem-cuu-nan-nam-2025-3144.html">Tìm kiếm cứu nạn</a>')
    assert ["http://portal.example/tin/tim-kiem-cuu-nan-nam-2025-3144.html"] == [
        u for u in get_layout("generic").links(page).listings if "code=" not in u]


def test_generic_spells_a_directory_index_as_its_directory():
    assert "http://portal.example/?id=5&page=TinTuc" == get_layout("generic").page_url(
        "http://portal.example/index.php?page=TinTuc&id=5")


def test_generic_matches_the_headline_to_a_title_stored_decomposed():
    # A CMS that stores its text NFD writes "Khánh" as "Kha" + U+0301 + "nh" in the <title>
    # while the heading is composed: the words must still agree, or the bold category label
    # above the heading ("Tin" is also a word of the title's "thông tin") wins.
    title = "Khánh thành dự án cấp nước sạch tại thành phố Uông Bí"
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = (f"<html><head><title>{unicodedata.normalize('NFD', title)} :: Trang thông tin điện"
            " tử</title></head><body><table>"
            '<tr><td><a href="?page=TinTuc&code=tt"><b>Tin tức - Sự kiện</b></a></td></tr>'
            f'<tr><td><h3><a href="?page=TinTuc&code=tt&id=5">{title}</a></h3></td></tr>'
            "<tr><td><i>Cập nhật ngày 14/12/2015</i></td></tr>"
            f'<tr><td class="content-detail">{body}</td></tr></table></body></html>')
    page = Page(url="http://portal.example/?page=TinTuc&code=tt&id=5", body=html.encode(),
                headers={"Content-Type": "text/html; charset=utf-8"})
    assert title == get_layout("generic").article(page).title
