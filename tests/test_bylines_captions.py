"""Bylines, photo captions and credits, metadata and non-article pages, on small literal pages:
one pattern per test, as Vietnamese portals and newspapers print them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crawler.extraction.layouts import get_layout
from crawler.extraction.layouts.base import split_credit
from crawler.extraction.page import Page
from crawler.extraction.text import Byline, parse_byline

PARAGRAPHS = [
    "Sáng nay, tại trụ sở UBND tỉnh đã diễn ra hội nghị trực tuyến với các địa phương trong tỉnh.",
    "Đồng chí nhấn mạnh, chuyển đổi số là nhiệm vụ trọng tâm, cần sự vào cuộc của cả hệ thống.",
    "Tỉnh đã hỗ trợ kịp thời 279 tấn gạo và nhu yếu phẩm cho người dân bị ảnh hưởng của bão.",
    "Các đại biểu đã thảo luận, đóng góp nhiều ý kiến tâm huyết, sát với thực tiễn địa phương.",
    "Kết quả này góp phần quan trọng vào việc hoàn thành các chỉ tiêu kinh tế - xã hội của tỉnh.",
]
TITLE = "Hội nghị trực tuyến về chuyển đổi số năm 2025"
URL = "https://portal.example/tin-tuc/hoi-nghi-truc-tuyen-ve-chuyen-doi-so-12345.html"
TEXT = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def page(body: str, head: str = "", url: str = URL, before: str = "", h1: str = "<h1>",
         date: str = "Thứ ba, 20/4/2021 08:30") -> Page:
    dateline = f'<div class="date">{date}</div>' if date else ""
    html = (f"<html><head><title>{TITLE} - Cổng TTĐT</title>{head}</head><body>"
            '<div class="menu"><a href="/tin-tuc/hoat-dong">Hoạt động</a>'
            '<a href="/tin-tuc/kinh-te">Kinh tế</a></div>'
            f'<div class="detail">{before}{h1}{TITLE}</h1>{dateline}'
            f'<div class="content">{body}</div></div></body></html>')
    return Page(url=url, body=html.encode("utf-8"), headers={"Content-Type": "text/html"})


def article(body: str, **kw):
    found = get_layout("generic").article(page(body, **kw), "test")
    assert found is not None
    return found


# --- bylines, as lines -------------------------------------------------------------------------

@pytest.mark.parametrize("expected, line", [
    (Byline("Diệu Thúy"), "Diệu Thúy"),
    (Byline("Nguyên Minh"), "Nguyên Minh - 07/03/2026 08:47"),
    (Byline("Nguyên Minh"), "07/03/2026 08:47 | Nguyên Minh"),
    (Byline("Sỹ Hào"), "Sỹ Hào - 06:16, 22/08/2024"),
    (Byline("Võ Hải"), "Võ Hải."),
    (Byline("Võ Hải", photos="Võ Hải"), "Bài và ảnh: Võ Hải"),
    (Byline("Tâm Giao", photos="Cao Trung Hiếu"), "Tâm Giao Ảnh: Cao Trung Hiếu"),
    (Byline("Minh Anh", photos="Hà Nội"), "Minh Anh - Ảnh: Hà Nội"),
    (Byline("Nguyễn Văn A"), "Tác giả: Nguyễn Văn A"),
    (Byline("Hoàng Anh - Minh Đức"), "Hoàng Anh - Minh Đức"),
    (Byline("Hoàng Anh, Minh Đức"), "Hoàng Anh, Minh Đức"),
    (Byline("PV"), "PV"),
    (Byline("Nhóm PV"), "Nhóm PV"),
    (Byline(None, "TTXVN"), "Theo TTXVN"),
    (Byline(None, "Báo Lào Cai"), "Nguồn: Báo Lào Cai"),
    (Byline(None, "Trang TTĐT VP"), "(Nguồn: Trang TTĐT VP)"),
    (Byline("Phương Thảo", "Robb Report"), "Phương Thảo (theo Robb Report)"),
    (Byline("Minh Anh", "VOV"), "Minh Anh - Theo VOV"),
    (Byline(), "Thứ hai, 18/2/2019, 17:34 (GMT+7)"),
    (Byline(), "Đồng chí nhấn mạnh, chuyển đổi số là nhiệm vụ."),
])
def test_parse_byline(expected, line):
    assert expected == parse_byline(line)


# --- bylines, on a page ------------------------------------------------------------------------

def test_author_is_the_name_line_closing_the_text():
    assert "Diệu Thúy" == article(TEXT + "<p>Diệu Thúy</p>").author


def test_author_line_closing_the_text_leaves_the_body():
    assert "\n\n".join(PARAGRAPHS) == article(TEXT + "<p>Diệu Thúy</p>").body


def test_author_right_aligned_in_bold_closing_the_text():
    body = TEXT + '<p class="Normal" style="text-align:right;"><strong>Võ Hải</strong></p>'
    assert "Võ Hải" == article(body).author


def test_author_closing_the_text_before_a_related_box_set_inside_it():
    box = ('<div class="VCSortableInPreviewMode" type="RelatedNewsBox"><b>Tham khảo thêm</b>'
           '<a href="/tin-tuc/bai-khac-1.html">Sửa quy định về nhập khẩu hàng hóa in, đúc tiền</a>'
           "</div>")
    found = article(TEXT + '<p style="text-align: right;"><b>Phương Nhi</b></p>' + box)
    assert ("Phương Nhi", "\n\n".join(PARAGRAPHS)) == (found.author, found.body)


def test_the_articles_own_header_is_not_the_pages_header():
    # A newspaper's <header class="article-header"> holds the headline, byline and date.
    body = (f'<header class="article-header"><h1>{TITLE}</h1><a href="/">Trang chủ</a>'
            + "".join(f'<a href="/chia-se/{n}">Chia sẻ</a>' for n in range(6))
            + '<span class="author">Hà Anh</span></header>' + TEXT)
    related = ('<div class="box-news"><h3 class="title">Hội nghị bàn về chuyển đổi số của các '
               "tỉnh phía Bắc</h3></div>")
    found = article(body + related)
    assert (TITLE, "Hà Anh") == (found.title, found.author)


def test_an_article_header_named_the_bem_way_is_not_the_pages_header():
    # Tiền Phong and Pháp Luật TP.HCM: <div class="article__header"> holds the headline, and
    # the text has subheads of its own.
    text = "<p>" + "</p><h2>Vay ngân hàng mua biệt thự</h2><p>".join(PARAGRAPHS) + "</p>"
    html = (f"<html><head><title>{TITLE} | Báo</title></head><body><div class=\"article\">"
            f'<div class="article__header"><h1 class="article__title">{TITLE}</h1>'
            '<div class="article__meta">20/4/2021 08:30</div>'
            + "".join(f'<a href="/chia-se/{n}">Chia sẻ</a>' for n in range(6))
            + f'</div><div class="article__body">{text}</div></div></body></html>')
    found = get_layout("generic").article(Page(url=URL, body=html.encode()), "test")
    assert found is not None and TITLE == found.title


def test_a_related_box_named_relate_leaves_the_body():
    # Tiền Phong sets <div class="article-relate"> teasers inside the text.
    body = (TEXT + '<div class="article-relate"><a href="/tin-tuc/khac-1.html">Tỉnh tổ chức hội '
            "nghị sơ kết công tác chuyển đổi số sáu tháng đầu năm</a><p>Hội nghị đánh giá kết "
            "quả sáu tháng và bàn nhiệm vụ trọng tâm của những tháng cuối năm.</p></div>")
    assert "\n\n".join(PARAGRAPHS) == article(body).body


def test_a_teaser_card_of_another_article_leaves_the_body():
    # Znews sets <table class="article"> cards in the text: headline, summary and time, all
    # one link to the other article
    card = ('<table class="article"><tr><td><div class="inner-article"><a href="/gia-vang-tang-'
            'lai-post1612111.html"><p class="cover"></p><h2 class="title">Giá vàng tăng lại</h2>'
            '<p class="summary">Sau cú giảm sốc khỏi mốc lịch sử, giá vàng miếng đã bật tăng '
            'trở lại trong phiên sáng nay.</p><p class="article-meta"><span>10:15 17/12/2025'
            "</span></p></a></div></td></tr></table>")
    assert "\n\n".join(PARAGRAPHS) == article(TEXT + card + card).body


def test_a_paragraph_that_is_all_one_long_link_stays_in_the_body():
    line = ('<p><a href="/tin-tuc/ke-hoach.html">Kế hoạch triển khai chuyển đổi số của tỉnh giai '
            "đoạn 2021-2025, định hướng đến năm 2030 được ban hành kèm theo quyết định</a></p>")
    assert article(TEXT + line).body.endswith("định hướng đến năm 2030 được ban hành kèm theo "
                                              "quyết định")


def test_the_name_signed_in_the_text_beats_the_cms_author_field_after_it():
    # A Liferay portal: the signature typed into the text, then the CMS's author field, which
    # names the account that posted the article (the same under articles signed by others).
    body = (TEXT + '<p class="texttacgia" style="text-align: right;"><b><em>Hoàng Linh</em></b>'
            '</p><p align="right" class="view-content-author"><strong><em>Phạm Văn Linh</em>'
            "</strong></p>")
    assert "Hoàng Linh" == article(body).author


def test_a_name_signed_at_the_end_of_the_text_beats_the_cms_author_field_after_it():
    body = (TEXT + '<p style="text-align: right;"><strong>Hoàng Linh</strong></p>'
            '<p align="right" class="view-content-author"><strong><em>Phạm Văn Linh</em>'
            "</strong></p>")
    found = article(body)
    assert ("Hoàng Linh", "\n\n".join(PARAGRAPHS)) == (found.author, found.body)


def test_a_different_name_in_a_second_author_field_does_not_replace_the_first():
    body = (TEXT + '<p class="author">Hà Anh</p><p class="author">Minh Đức</p>')
    assert "Hà Anh" == article(body).author


def test_an_alt_text_is_kept_apart_and_is_never_the_caption():
    # Bongdaplus: the only photo's description is its alt text; the page shows no caption.
    body = TEXT + '<figure><img src="/anh/2.jpg" alt="Sơ đồ giá cổ phiếu"></figure>'
    [image] = article(body).images
    assert (None, None, "Sơ đồ giá cổ phiếu") == (image.caption, image.credit, image.alt)


def test_a_caption_that_only_names_the_site_is_no_caption():
    head = '<meta property="og:site_name" content="VnEconomy">'
    body = TEXT + '<figure><img src="/anh/1.jpg"><figcaption>VnEconomy</figcaption></figure>'
    assert [(None, None)] == captions(body, head=head)


def test_an_alt_text_that_repeats_the_headline_is_no_caption():
    # GenK: a photo without a caption of its own gets "<headline> - Ảnh 2" as its alt text.
    body = TEXT + f'<figure><img src="/anh/2.jpg" alt="{TITLE} - Ảnh 2"></figure>'
    assert [(None, None)] == captions(body)


def test_a_header_inside_the_article_element_is_the_articles_own():
    # GenK: <article class="kbwcb-left"><header class="kbwc-header"> with the headline and
    # share links, and the text below it.
    html = (f"<html><head><title>{TITLE}</title></head><body><article class=\"w710 kbwcb-left\">"
            f'<header class="kbwc-header"><h1 class="kbwc-title">{TITLE}</h1>'
            + "".join(f'<a href="/chia-se/{n}">Chia sẻ</a>' for n in range(6))
            + '<span class="time">20/4/2021 08:30</span></header><p><strong>Chương trình ưu đãi '
            "giáo dục thường niên quay lại với phần quà thu hẹp đáng kể so với năm trước."
            f'</strong></p><div class="knc-content">{TEXT}</div></article></body></html>')
    found = get_layout("generic").article(Page(url=URL, body=html.encode()), "test")
    assert found is not None and TITLE == found.title


def test_a_byline_for_text_and_photos_credits_the_photos():
    body = ('<p><img src="/anh/1.jpg"></p><p><em>Quang cảnh hội nghị.</em></p>' + TEXT
            + '<p style="text-align: right;"><b>Tin, ảnh: P.Y</b></p>')
    found = article(body)
    assert ("P.Y", [("Quang cảnh hội nghị.", "P.Y")]) == (
        found.author, [(i.caption, i.credit) for i in found.images])


def test_a_share_button_above_the_title_is_not_the_category():
    before = ('<a href="/tin-tuc/kinh-te">Kinh tế</a>'
              '<a href="https://www.facebook.com/sharer/sharer.php?u=x">Chia sẻ Facebook</a>')
    assert "Kinh tế" == article(TEXT, before=before).category


def test_a_photo_story_in_photo_tables_keeps_its_captions_as_its_text():
    # Each photo and its caption in a table of its own; the author line names the photographer.
    tables = "".join(
        f'<table class="tplCaption"><tr><td><p><img src="/anh/{n}.jpg" alt="{n}.jpg"></p></td>'
        f"</tr><tr><td><p>{p}</p></td></tr></table>" for n, p in enumerate(PARAGRAPHS))
    found = article(tables + "<p><strong>Tâm Giao</strong><br><em>Ảnh:</em> Cao Trung Hiếu</p>")
    assert ("Tâm Giao", PARAGRAPHS, ["Cao Trung Hiếu"] * len(PARAGRAPHS)) == (
        found.author, [i.caption for i in found.images], [i.credit for i in found.images])
    assert "\n\n".join(PARAGRAPHS) == found.body


def test_author_never_glued_to_the_date_in_an_author_element():
    before = '<div class="author">Nguyên Minh - 07/03/2026 08:47</div>'
    assert "Nguyên Minh" == article(TEXT, before=before).author


def test_theo_line_is_a_source_not_an_author():
    found = article(TEXT + "<p>Theo TTXVN</p>")
    assert (None, "TTXVN") == (found.author, found.source)


def test_nguon_line_is_a_source_after_the_author():
    found = article(TEXT + "<p><b>Hoàng Anh</b></p><p>Nguồn: Báo Lào Cai</p>")
    assert ("Hoàng Anh", "Báo Lào Cai") == (found.author, found.source)


def test_collective_byline_pv():
    assert "Nhóm PV" == article(TEXT + "<p><strong>Nhóm PV</strong></p>").author


def test_several_authors_kept_as_written():
    assert "Hoàng Anh - Minh Đức" == article(TEXT + "<p>Hoàng Anh - Minh Đức</p>").author


def test_metadata_author_escaped_twice_is_read_as_printed():
    head = ('<meta property="article:author" content="Quỳnh V&amp;#226;n">'
            '<script type="application/ld+json">{"@type":"NewsArticle","author":'
            '{"@type":"Person","name":"Quỳnh V&#226;n"}}</script>')
    body = TEXT + "<p>Theo phóng viên Quỳnh Vân, hội nghị kết thúc tốt đẹp.</p>"
    assert "Quỳnh Vân" == article(body, head=head).author


def test_metadata_author_printed_on_the_page_is_taken():
    head = ('<script type="application/ld+json">{"@context":"https://schema.org",'
            '"@type":"NewsArticle","headline":"x","author":{"@type":"Person",'
            '"name":"Thanh Hà"}}</script>')
    body = TEXT + "<p>Bài viết của phóng viên Thanh Hà tại hội nghị.</p>"
    assert "Thanh Hà" == article(body, head=head).author


def test_metadata_author_that_is_the_site_is_not_an_author():
    head = ('<meta name="author" content="VnExpress"/>'
            '<meta property="og:site_name" content="VnExpress"/>')
    assert None is article(TEXT + "<p>Đọc thêm trên VnExpress.</p>", head=head).author


# --- captions and credits ----------------------------------------------------------------------

@pytest.mark.parametrize("expected, caption", [
    (("Quang cảnh buổi làm việc", "Thanh Vân/TTXVN"),
     "Quang cảnh buổi làm việc (Ảnh: Thanh Vân/TTXVN)"),
    (("Lãnh đạo tỉnh dự hội nghị.", "N.H"), "Lãnh đạo tỉnh dự hội nghị. Ảnh: N.H"),
    (("Đồng chí trao quyết định.", "Huy Dương"), "Đồng chí trao quyết định.     Ảnh  Huy Dương"),
    (("Mặt bia mộ ghi thông tin.", "Võ Hải"), "Mặt bia mộ ghi thông tin. Ảnh: Võ Hải."),
    (("Hội nghị.", "Báo Lào Cai"), "Hội nghị. Nguồn ảnh: Báo Lào Cai"),
    (("Toàn cảnh hội nghị", "VGP/Nhật Bắc"), "Toàn cảnh hội nghị - Ảnh: VGP/Nhật Bắc"),
    (("Ảnh minh họa", None), "Ảnh minh họa"),
])
def test_split_credit_forms(expected, caption):
    assert expected == split_credit(caption)


def captions(body: str, **kw) -> list[tuple[str | None, str | None]]:
    return [(i.caption, i.credit) for i in article(body, **kw).images]


def test_caption_in_figcaption():
    body = (TEXT + '<figure><img src="/a.jpg"><figcaption>Quang cảnh hội nghị. '
            "(Ảnh: Thanh Vân)</figcaption></figure>")
    assert [("Quang cảnh hội nghị.", "Thanh Vân")] == captions(body)


def test_caption_in_an_element_with_a_caption_class():
    body = (TEXT + '<div class="photo"><img src="/a.jpg"><p class="image-caption">Quang cảnh '
            "hội nghị. Ảnh: N.H</p></div>")
    assert [("Quang cảnh hội nghị.", "N.H")] == captions(body)


def test_caption_in_the_row_under_the_photo_of_an_image_table():
    body = (TEXT + '<table class="image"><tr><td><img src="/a.jpg"></td></tr>'
            "<tr><td>Quang cảnh hội nghị (Ảnh: Minh Đức)</td></tr></table>")
    assert [("Quang cảnh hội nghị", "Minh Đức")] == captions(body)


def test_caption_in_the_italic_paragraph_after_the_photo_paragraph():
    body = (TEXT + '<p><img src="/a.jpg"></p><p><em>Đồng chí Đặng Trần Thắng trao Quyết định '
            "chuẩn y kết nạp đảng viên. (Ảnh: Huy Dương)</em></p>")
    assert [("Đồng chí Đặng Trần Thắng trao Quyết định chuẩn y kết nạp đảng viên.",
             "Huy Dương")] == captions(body)


def test_caption_paragraph_after_the_photo_leaves_the_body():
    body = ('<p><img src="/a.jpg"></p><p><em>Quang cảnh hội nghị. (Ảnh: Huy Dương)</em></p>'
            + TEXT)
    assert "\n\n".join(PARAGRAPHS) == article(body).body


def test_caption_in_the_centred_paragraph_after_the_photo():
    body = (TEXT + '<p><img src="/a.jpg"></p><p style="text-align: center;">Quang cảnh hội '
            "nghị</p>")
    assert [("Quang cảnh hội nghị", None)] == captions(body)


def test_caption_line_ending_with_its_credit_after_the_photo():
    body = (TEXT + '<p><img src="/a.jpg"></p><p>Đồng chí Lương Chiến Công trao Quyết định.'
            "\u00a0\u00a0\u00a0\u00a0 Ảnh Huy Dương</p>")
    assert [("Đồng chí Lương Chiến Công trao Quyết định.", "Huy Dương")] == captions(body)


def test_plain_paragraph_after_the_photo_is_not_a_caption():
    body = '<p><img src="/a.jpg" alt=""></p>' + TEXT
    assert ([(None, None)], "\n\n".join(PARAGRAPHS)) == (captions(body), article(body).body)


def test_caption_inside_the_centred_paragraph_of_the_photo():
    # <p style="text-align: center"><img><span style="display: block"><i>caption</i></span></p>
    body = ('<p style="text-align: center;"><img src="/a.jpg" alt=""> <span style="display: '
            'block;"><i>Lãnh đạo Sở trao giấy chứng nhận cho các nhóm</i></span></p>' + TEXT)
    found = article(body)
    assert ([("Lãnh đạo Sở trao giấy chứng nhận cho các nhóm", None)],
            "\n\n".join(PARAGRAPHS)) == (captions(body), found.body)


def test_an_alt_text_that_is_a_file_name_is_no_caption():
    body = TEXT + '<figure><img src="/anh/luu-van18.jpg" alt="luu-van18.jpg"></figure>'
    assert [(None, None)] == captions(body)


def test_a_photo_story_of_photo_groups_each_with_one_figcaption():
    # Tiền Phong: two <figure>s and one <figcaption> in each <div class="layout-image-2">.
    groups = "".join(
        f'<div class="layout-image-2"><figure><img src="/anh/{n}a.jpg" alt="{n}a.jpg"></figure>'
        f'<figure><img src="/anh/{n}b.jpg" alt="{n}b.jpg"></figure><figcaption>{p}</figcaption>'
        "</div>" for n, p in enumerate(PARAGRAPHS))
    found = article(groups)
    assert [p for p in PARAGRAPHS for _ in "ab"] == [i.caption for i in found.images]
    assert "\n\n".join(PARAGRAPHS) == found.body


def test_the_lead_photo_between_the_headline_and_the_text_keeps_its_caption():
    # Nhân Dân: <figure class="article__avatar"> after the headline, outside the text block.
    html = (f"<html><head><title>{TITLE}</title></head><body><div class=\"article\">"
            f'<h1 class="article__title">{TITLE}</h1><div class="article__meta">20/4/2021 08:30'
            '</div><div class="article__sapo">Sáng nay, hội nghị đã diễn ra.</div>'
            '<figure class="article__avatar"><img src="/anh/dau.jpg" alt="x"><figcaption>Quang '
            'cảnh hội nghị. (Ảnh: Thanh Vân)</figcaption></figure>'
            f'<div class="article__body">{TEXT}</div>'
            '<div class="banner"><img src="/qc.jpg"><p>Quảng cáo</p></div></div></body></html>')
    found = get_layout("generic").article(Page(url=URL, body=html.encode()), "test")
    assert found is not None
    assert [("Quang cảnh hội nghị.", "Thanh Vân")] == [
        (i.caption, i.credit) for i in found.images]


def test_a_badge_linking_to_another_site_is_no_photo_of_the_article():
    body = (TEXT + '<p><a href="https://news.google.com/publications/x"><img src="/gg-news.svg" '
            'alt="Theo dõi trên Google News"></a></p>')
    assert [] == captions(body)


def test_caption_of_a_photo_linked_to_its_full_size():
    body = (TEXT + '<p><a href="/a-big.jpg"><img src="/a.jpg"></a></p>'
            "<p><i>Quang cảnh hội nghị. Ảnh: Minh Đức</i></p>")
    assert [("Quang cảnh hội nghị.", "Minh Đức")] == captions(body)


# --- metadata, checked against the page -------------------------------------------------------

def test_date_line_of_the_day_the_metadata_claims_beats_a_nearer_clock():
    head = '<meta property="article:published_time" content="2021-04-18T09:00:00+07:00"/>'
    before = '<div class="clock">Hôm nay: 20/4/2021</div>'
    body = TEXT + '<p class="meta-line">Đăng ngày 18/04/2021 09:00</p>'
    found = article(body, head=head, before=before)
    assert "2021-04-18T09:00:00+07:00" == found.published


def test_section_the_page_shows_is_the_category():
    head = '<meta property="article:section" content="Kinh tế"/>'
    assert "Kinh tế" == article(TEXT, head=head).category


def test_section_the_page_never_shows_is_not_the_category():
    head = '<meta property="article:section" content="Tin tổng hợp nội bộ"/>'
    assert "Tin tổng hợp nội bộ" != article(TEXT, head=head).category


def test_json_ld_headline_picks_the_headline_over_a_box_heading():
    head = ('<script type="application/ld+json">{"@type":"NewsArticle",'
            f'"headline":"{TITLE}"}}</script>')
    found = get_layout("generic").article(page(
        TEXT, head=head, before='<h2 class="title">LỊCH CÔNG TÁC</h2>'), "test")
    assert TITLE == found.title


# --- never articles ----------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://portal.example/", "https://portal.example/index.php",
    "https://portal.example/Pages/default.aspx", "https://portal.example/vi/trang-chu",
    "https://portal.example/tag/chuyen-doi-so", "https://portal.example/tim-kiem?q=chuyen+doi",
    "https://portal.example/search?keyword=x",
])
def test_home_tag_and_search_pages_are_never_articles(url):
    assert None is get_layout("generic").article(page(TEXT, url=url), "test")


def test_site_wide_og_title_does_not_make_the_banner_the_headline():
    head = '<meta property="og:title" content="Cổng thông tin điện tử tỉnh Lào Cai"/>'
    banner = '<h1><a href="/">Cổng thông tin điện tử tỉnh Lào Cai</a></h1>'
    html = (f"<html><head>{head}<title>Cổng thông tin điện tử tỉnh Lào Cai</title></head><body>"
            f'{banner}<div class="detail"><h2>{TITLE}</h2><div>Ngày 20/4/2021</div>'
            f"<div>{TEXT}</div></div></body></html>")
    found = get_layout("generic").article(Page(url=URL, body=html.encode("utf-8")), "test")
    assert TITLE == found.title


def test_headline_linking_to_its_own_canonical_spelling_is_still_an_article():
    canonical = URL.replace("https://", "http://www.")
    head = f'<link rel="canonical" href="{canonical}"/>'
    related = "".join(f'<p><a href="/tin-tuc/tin-so-{i}-{i}.html">Tin liên quan số {i} của '
                      "chuyên mục hoạt động</a></p>" for i in range(4))
    html = (f"<html><head><title>{TITLE}</title>{head}</head><body><div class='detail'>"
            f'<h1><a href="{canonical}">{TITLE}</a></h1><div>Ngày 20/4/2021</div>'
            f"<div>{TEXT}{related}</div></div></body></html>")
    found = get_layout("generic").article(Page(url=URL, body=html.encode("utf-8")), "test")
    assert TITLE == found.title


def test_text_hidden_until_clicked_is_never_the_text_block():
    # A Q&A page: each answer folded away (display: none) until its question is clicked.
    body = ("<p>Quý công dân thân mến, mời đặt câu hỏi.</p>"
            + f'<div class="boxhoidap" style="display: none;">{TEXT}</div>')
    assert get_layout("generic").article(page(body), "test") is None
    assert PARAGRAPHS[0] in article(body.replace("display: none;", "")).body


def test_category_listing_is_not_an_article():
    entries = "".join(
        f'<div class="item"><h3><a href="/tin-tuc/bai-{i}-{i}.html">Tin số {i}: hội nghị '
        f"tổng kết công tác năm của tỉnh</a></h3><p>{PARAGRAPHS[i % 5]}</p>"
        f"<span>0{i + 1}/04/2021</span></div>" for i in range(8))
    html = (f"<html><head><title>Hoạt động</title></head><body><h2>Hoạt động</h2>"
            f'<div class="list">{entries}</div></body></html>')
    page_ = Page(url="https://portal.example/tin-tuc/hoat-dong", body=html.encode("utf-8"))
    assert None is get_layout("generic").article(page_, "test")


def test_date_in_words_without_ngay_and_with_a_year():
    body = TEXT
    html = (f"<html><head><title>{TITLE}</title></head><body><div class='detail'><h1>{TITLE}"
            f"</h1><span class='date'> 30 tháng 8, 2024 </span><div>{body}</div></div>"
            "</body></html>")
    found = get_layout("generic").article(Page(url=URL, body=html.encode("utf-8")), "test")
    assert "2024-08-30" == found.published


def test_category_is_the_link_above_the_title_to_a_folder_of_the_article_url():
    before = ('<div class="cat"><a href="/tin-tuc/hoat-dong.html">Hoạt động</a><ul>'
              '<li><a href="/tin-tuc/hoat-dong/su-kien">Sự kiện</a></li></ul></div>')
    url = "https://portal.example/tin-tuc/hoat-dong/hoi-nghi-12345.html"
    assert "Hoạt động" == article(TEXT, before=before, url=url).category


# --- a notice too short for the text block -------------------------------------------------------
#: sotttt.hanoi.gov.vn: a line and a link to the document, under the headline and its date.
NOTICE = ("<p>Danh sách trò chơi G1 được phê duyệt nội dung kịch bản.</p><p>&nbsp;</p>"
          '<p>Chi tiết văn bản xem <a href="/documents/ds.xls">tại đây</a>./.</p>')


def test_a_short_notice_under_its_headline_and_date_is_an_article():
    found = article(NOTICE)
    assert (TITLE, "2021-04-20", "Danh sách trò chơi G1 được phê duyệt nội dung kịch bản.\n\n"
            "Chi tiết văn bản xem tại đây./.") == (found.title, found.published[:10], found.body)


def test_a_short_notice_written_in_divs_is_an_article():
    notice = NOTICE.replace("<p>", "<div>").replace("</p>", "</div>")
    assert "Chi tiết văn bản xem tại đây./." == article(notice).body.split("\n\n")[-1]


def notice_page(title: str, detail: str) -> Page:
    html = (f"<html><head><title>{title} - Kế hoạch tài chính - Sở TTTT</title></head><body>"
            f'<div class="detail">{detail}</div><div class="related"><div class="title">Các '
            'tin khác</div><ul><li><a href="/tin/1.html">Sở công khai số liệu quyết toán '
            "năm 2017</a></li></ul></div></body></html>")
    return Page(url=URL, body=html.encode("utf-8"))


def test_a_notice_written_as_bare_text_before_its_signature_is_an_article():
    # sotttt.hanoi.gov.vn's oldest items: "<div class="journal-content-article">Nội dung ...
    # <p class="view-content-author">..."
    found = get_layout("generic").article(notice_page(TITLE, (
        f'<div class="title">{TITLE}</div><div class="date">19/03/2014 | 12:00 AM</div>'
        '<div class="content">Nội dung chi tiết xem tại văn bản đính kèm của Sở./.'
        '<p class="author"><em>Pho Ban bien tap</em></p></div>')), "test")
    assert ("2014-03-19", "Nội dung chi tiết xem tại văn bản đính kèm của Sở./.") == (
        found.published[:10], found.body)


def test_a_notice_whose_headline_holds_a_title_separator_is_named_by_the_title():
    title = "Sở công khai số liệu dự toán thu - chi ngân sách lần thứ 5"
    found = get_layout("generic").article(notice_page(title, (
        f"<h1>{title}</h1><div>Ngày đăng 23/12/2018</div><div><p>Chi tiết số liệu dự toán "
        'xem tại <a href="/files/du-toan.pdf">đây</a>, kèm theo quyết định của Sở./.</p></div>'
        )), "test")
    assert (title, "Chi tiết số liệu dự toán xem tại đây, kèm theo quyết định của Sở./.") == (
        found.title, found.body)


def test_a_notices_text_may_follow_the_block_that_holds_its_headline_and_date():
    found = get_layout("generic").article(notice_page(TITLE, (
        f'<div class="head"><h1>{TITLE}</h1><span>20/4/2021</span></div>'
        '<div class="content"><p>Danh sách trò chơi G1 được phê duyệt nội dung kịch bản.</p>'
        "</div>")), "test")
    assert "Danh sách trò chơi G1 được phê duyệt nội dung kịch bản." == found.body


CALENDAR_DAY = (
    "<html><head><title>Lịch công tác ngày 19/11/2025 - Cổng TTĐT</title></head><body>"
    '<div class="detail"><h2>Lịch công tác ngày 19/11/2025</h2><p>Thứ tư, 19/11/2025</p>'
    '<div class="nav"><a href="?day=18">« Ngày trước</a> | <a href="?day=20">Ngày sau »</a>'
    "</div>{}</div></body></html>")
SCHEDULE = ["07h30: Đồng chí Chánh Văn phòng UBND tỉnh làm việc tại thành phố về môi trường.",
            "14h00: Đồng chí Chủ tịch UBND tỉnh tiếp công dân định kỳ tại trụ sở tiếp dân."]


@pytest.mark.parametrize("rows", [
    "<table><tr><th>Thời gian</th><th>Nội dung</th></tr>" + "".join(
        f"<tr><td>{r[:5]}</td><td>{r[7:]}</td></tr>" for r in SCHEDULE) + "</table>",
    "".join(f"<p>{r}</p>" for r in SCHEDULE)])
def test_a_calendars_day_is_no_notice(rows):
    # a work calendar: a page for every day, both ways without end (a crawl trap); its
    # headline names the day its date line gives, and its rows are no notice's text
    page_ = Page(url="https://portal.example/lich-cong-tac?day=19",
                 body=CALENDAR_DAY.format(rows).encode("utf-8"))
    assert None is get_layout("generic").article(page_, "test")


def test_a_table_under_a_notices_date_is_no_notice_text():
    table = "<table>" + "".join(f"<tr><td>{r}</td></tr>" for r in SCHEDULE) + "</table>"
    assert get_layout("generic").article(page(table), "test") is None


def test_a_page_dated_after_it_was_fetched_is_no_article():
    # a calendar's day to come, a meeting announced: the date names the event, and a crawl
    # walking a calendar forward would otherwise archive a page for every day
    fetched = replace(page(TEXT, date="Thứ tư, 19/11/2025"), fetched_at="2025-11-10T02:00:00Z")
    assert get_layout("generic").article(fetched, "test") is None
    assert "2025-11-19" == article(TEXT, date="Thứ tư, 19/11/2025").published[:10]  # no fetch time


def test_a_date_line_after_the_fetch_gives_way_to_the_publication_day():
    before = '<div class="meta">Cập nhật: 03/11/2025</div>'
    fetched = replace(page(TEXT, before=before, date="Hội nghị diễn ra ngày 19/11/2025"),
                      fetched_at="2025-11-10T02:00:00Z")
    assert "2025-11-03" == get_layout("generic").article(fetched, "test").published[:10]


def test_text_hidden_until_clicked_is_never_a_notices_text():
    body = f'<p>Mời đặt câu hỏi.</p><div class="boxhoidap" style="display: none;">{TEXT}</div>'
    assert get_layout("generic").article(page(body), "test") is None


def test_a_short_text_without_a_date_line_is_no_notice():
    assert get_layout("generic").article(page(NOTICE, date=""), "test") is None


def test_a_short_text_under_a_heading_the_title_does_not_name_is_no_notice():
    html = ("<html><head><title>Cổng TTĐT</title></head><body><h1>Thông báo mới của Sở</h1>"
            f'<div class="date">20/4/2021</div><div class="content">{NOTICE}</div></body></html>')
    assert get_layout("generic").article(Page(url=URL, body=html.encode("utf-8")), "test") is None
    named = html.replace("<title>Cổng TTĐT", "<title>Thông báo mới của Sở - Cổng TTĐT")
    assert "Thông báo mới của Sở" == get_layout("generic").article(
        Page(url=URL, body=named.encode("utf-8")), "test").title


@pytest.mark.parametrize("headline", ["h3", "div"])
def test_a_short_listing_is_no_notice(headline):
    # the category's heading, then the first entry's headline (a heading, or a SharePoint
    # portal's <div class="name_artical"> link), then that entry's date
    entries = "".join(
        f'<div class="item"><{headline}><a href="/tin-tuc/bai-{i}.html">Tin số {i}: thông báo '
        f"của Sở</a></{headline}><span>0{i + 1}/04/2021</span><p>{PARAGRAPHS[i][:50]}</p></div>"
        for i in range(2))
    html = ("<html><head><title>Thông báo của Sở Thông tin - Cổng TTĐT</title></head><body>"
            f'<h2>Thông báo của Sở Thông tin</h2><div class="list">{entries}</div></body></html>')
    page_ = Page(url="https://portal.example/tin-tuc/thong-bao", body=html.encode("utf-8"))
    assert None is get_layout("generic").article(page_, "test")


def test_a_breadcrumb_whose_last_step_is_no_link_names_the_category():
    # sotttt.hanoi.gov.vn: "Home" links home; the section is plain text, and no menu links it
    before = ('<div class="dd_chuyenmuc"><span><a href="/">Home</a></span><span><p>Danh sách '
              "trò chơi điện tử</p></span></div>")
    assert "Danh sách trò chơi điện tử" == article(TEXT, before=before).category


def test_a_breadcrumb_that_ends_on_the_articles_title_names_no_category_by_that_step():
    before = (f'<div class="breadcrumb"><a href="/">Trang chủ</a> &gt; <span>{TITLE}</span>'
              "</div>")
    assert TITLE != article(TEXT, before=before).category


# --- documents linked from the text --------------------------------------------------------------
def test_a_sentence_that_links_its_document_stays_in_the_text():
    # sotttt.hanoi.gov.vn: "Thực hiện Công văn số <a href="3835.pdf">3835/BTTTT</a> ngày ..."
    line = ('Thực hiện Công văn số <a href="/documents/3835.pdf">3835/BTTTT-PTTH</a> ngày '
            "29/10/2019 của Bộ Thông tin và Truyền thông.")
    found = article(f"<p>{line}</p>" + TEXT)
    assert found.body.startswith("Thực hiện Công văn số 3835/BTTTT-PTTH ngày 29/10/2019")
    assert [("https://portal.example/documents/3835.pdf", "3835/BTTTT-PTTH")] == [
        (a.url, a.title) for a in found.attachments]


def test_a_documents_label_line_is_an_attachment_only():
    found = article(TEXT + '<p>Kế hoạch số 4634/KH-UBND: <a href="/files/kh.pdf">Tải file tại '
                    "đây</a></p>")
    assert ("\n\n".join(PARAGRAPHS), 1) == (found.body, len(found.attachments))


def test_the_editorial_boards_account_is_the_author_field():
    # sotttt.hanoi.gov.vn: the author field names the deputy head of the editorial board, its
    # posting account, written without diacritics
    found = article(TEXT + '<p align="right" class="view-content-author"><strong><em>Pho Ban '
                    "bien tap</em></strong></p>")
    assert ("Pho Ban bien tap", "\n\n".join(PARAGRAPHS)) == (found.author, found.body)


# --- a learned profile's pins ----------------------------------------------------------------
def pinned(body: str, selectors: dict[str, str], headline: str = "<h1>", **kw):
    return get_layout("generic", selectors).article(page(body, h1=headline, **kw), "test")


def test_a_profiles_text_block_counts_only_on_a_page_with_its_headline():
    # Liferay: a listing page has the article template's content class in a sidebar box (and
    # no date line under its heading, which would make the box a notice's text)
    selectors = {"title": "h1.headline", "content": "div.content"}
    short = "<p>Danh sách các trò chơi G1 đã được phê duyệt.</p>"
    assert pinned(short, selectors, date="") is None
    assert "Danh sách các trò chơi G1 đã được phê duyệt." == pinned(
        short, selectors, headline="<h1 class='headline'>").body


def test_a_profiles_author_element_holding_a_sentence_is_no_author():
    lead = "<p><strong>Sở Thông tin và Truyền thông xử phạt 04 tổ chức, cá nhân.</strong></p>"
    assert pinned(lead + TEXT, {"author": "div.content strong"}).author is None


def test_a_name_signed_in_the_text_beats_a_profiles_author_field():
    body = (TEXT + '<p style="text-align: right"><b>Phạm Linh</b></p>'
            '<p class="view-content-author"><strong>Phạm Văn Linh</strong></p>')
    assert "Phạm Linh" == pinned(body, {"author": "p.view-content-author"}).author


def test_a_date_that_ends_a_document_citation_is_not_the_pages_date():
    # sotttt.hanoi.gov.vn: a procedure's record, whose only dates are those of the laws it cites
    record = TEXT + "<p>- Luật Xuất bản ngày 20/11/2012;</p>"
    assert get_layout("generic").article(page(record, date=""), "test") is None
    assert "2019-11-01" == article(record, date="Ngày đăng 01/11/2019").published
