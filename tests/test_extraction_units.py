import pytest
from lxml import html

from crawler.extraction.layouts.base import split_credit
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
