import pytest
from lxml import html
from parsel import Selector

from crawler.extraction.layouts.base import split_credit
from crawler.extraction.select import select
from crawler.extraction.text import clean, text_of


@pytest.mark.parametrize(
    "expected, caption",
    [
        (("Đồng chí trao quyết định.", "Huy Dương"),
         "Đồng chí trao quyết định.     Ảnh  Huy Dương"),
        (("Lãnh đạo tỉnh dự hội nghị.", "N.H"), "Lãnh đạo tỉnh dự hội nghị. Ảnh: N.H"),
        (("Quang cảnh buổi làm việc", "Thanh Vân/TTXVN"),
         "Quang cảnh buổi làm việc (Ảnh: Thanh Vân/TTXVN)"),
        (("Ảnh minh họa", None), "Ảnh minh họa"),
        (("Không có tác giả ảnh.", None), "Không có tác giả ảnh."),
    ],
)
def test_split_credit(expected, caption):
    assert expected == split_credit(caption)


def test_clean_folds_nbsp_and_nfd():
    assert "Đảng viên mới" == clean("  \u0110a\u0309ng\u00a0viên   mới ")


def test_text_of_joins_inline_tags_without_spaces():
    el = html.fromstring("<p>Ph<b>át</b> triển <i>đảng</i>.<br>Dòng hai</p>")
    assert "Phát triển đảng. Dòng hai" == text_of(el)


SELECT_PAGE = ('<div class="NewsDetail x"><h1 class=" Title ">T</h1><p id="ctl_lblContent">b</p>'
               '<ul class="OtherNews"><li><a href="/1">1</a> <span>(2/1/2021)</span></li></ul>'
               '</div><a>no href</a><A HREF="/2">2</A>')


@pytest.mark.parametrize("css", ["div.NewsDetail, [id$='_lblContent']", ".Title", ".OtherNews li",
                                 "a::attr(href)", "a[href]", "li span", "::text"])
def test_select_finds_what_parsel_css_finds(css):
    sel = Selector(text=SELECT_PAGE)
    assert [x.root for x in sel.css(css)] == select(sel, css)


def test_clean_folds_zero_width_space_and_bom_like_spaces():
    assert "a b c" == clean("\ufeff a\u200b\u3000b \u00a0\tc\u200b")
