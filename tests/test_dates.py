"""Tests for crawler.extraction.dates (ground truth: shared/research/vn-portals.md section 2)."""

from __future__ import annotations

import ast
import datetime
import unicodedata
from pathlib import Path

import pytest

from crawler.extraction import dates
from crawler.extraction.dates import ParsedDate, parse_date, parse_dates

D = datetime.date
# A publish date used to resolve yearless forms in body text.
REF = D(2024, 11, 5)

# --------------------------------------------------------------------------------------------
# The cases listed in the issue
# --------------------------------------------------------------------------------------------

ISSUE_CASES = [
    ("2021-04-20", "Thứ ba 20/4/2021"),
    ("2021-04-20T08:30:00+07:00", "Thứ Ba, 20/04/2021 | 08:30"),
    ("2021-05-02", "Chủ nhật, 2/5/2021"),
    ("2021-05-01", "Thứ 7, 1/5/2021"),
    ("2021-04-20", "Ngày 20 tháng 4 năm 2021"),
    ("2021-04-20", "Cập nhật: 20/04/2021"),
    ("2021-04-20T08:30:00+07:00", "Cập nhật lúc 08:30 ngày 20/04/2021"),
    ("2021-04-20", "(20/04/2021)"),
    ("2021-04-20", "20-4-2021"),
    ("2024-05-17", "Đăng ngày 17 - 05 - 2024"),
    ("2021-04-20T08:05:00+07:00", "20/4/2021 8:5"),
    ("2021-04-20T08:30:00+07:00", "20/04/2021 08:30 (GMT+7)"),
    ("2023-03-01T15:40:00+07:00", "01/03/2023 | 03:40 PM"),
]


@pytest.mark.parametrize(("expected", "text"), ISSUE_CASES)
def test_issue_cases(expected: str, text: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.iso() == expected


# --------------------------------------------------------------------------------------------
# Every row of the research table (section 2)
# --------------------------------------------------------------------------------------------

RESEARCH_TABLE = [
    pytest.param("2021-04-20", "Thứ ba 20/4/2021", None, id="row01"),
    # Row 2's template is "HH:ss": the shown digits are read as HH:MM.
    pytest.param(
        "2021-04-20T08:30:00+07:00", "Thứ Ba, ngày 20/04/2021 08:30 | GMT +7", None, id="row02"
    ),
    pytest.param("2015-05-14T10:06:10+07:00", "Thứ năm, 14/05/2015, 10:06:10", None, id="row03"),
    pytest.param("2024-07-16", "Thứ 3, Ngày 16/07/2024 -", None, id="row04"),
    pytest.param("2024-07-08T11:38:00+07:00", "Ngày đăng: 08/07/2024  11:38", None, id="row05"),
    pytest.param("2024-05-17", "Đăng ngày 17 - 05 - 2024", None, id="row06"),
    pytest.param("2022-09-22T15:15:00+07:00", "22/09/2022 15:15", None, id="row07"),
    pytest.param("2021-04-20T08:05:00+07:00", "20/4/2021 8:5", None, id="row08"),
    pytest.param("2021-04-20", "(Ngày 20/4/2021)", None, id="row09"),
    pytest.param("2021-04-05", "Ngay dang: 5/04/2021", None, id="row10-label"),
    pytest.param("2021-04-05", "(5/04/2021)", None, id="row10-parens"),
    pytest.param("2024-04-20", "(20/04)", REF, id="row11"),
    pytest.param(
        "2021-04-20T08:30:00+07:00", "Cập nhật lúc 08:30 ngày 20/04/2021", None, id="row12"
    ),
    pytest.param("2021-04-20", "Bản tin tuần (20/04/2021)", None, id="row13"),
    pytest.param("2024-04-20", "20-04", REF, id="row14-yearless"),
    pytest.param("2021-04-20", "20-04-2021", None, id="row14-year"),
    pytest.param("2023-03-01T15:40:00+07:00", "01/03/2023 | 03:40 PM", None, id="row15"),
    pytest.param("2020-02-06", "Tin đăng ngày: 6/2/2020 - Xem: 92", None, id="row16"),
    pytest.param("2024-11-01T09:50:00+07:00", "01/11/2024 - 09:50", None, id="row17"),
    pytest.param(
        "2019-08-23T09:25:27+07:00",
        "Thứ Sáu, ngày 23 tháng 08 năm 2019, 09:25:27",
        None,
        id="row18",
    ),
    pytest.param("2024-12-08", "Chủ nhật, ngày 08 tháng 12 năm 2024", None, id="row19-date"),
    pytest.param(
        "2024-12-08T16:02:00+07:00",
        "Chủ nhật, ngày 08 tháng 12 năm 2024 16:02 (GMT +7)",
        None,
        id="row19-datetime",
    ),
    pytest.param(
        "2024-03-29T03:46:00+07:00", "Thứ sáu, 29/03/2024, 03:46 [GMT+7]", None, id="row20"
    ),
    pytest.param("2019-04-26T11:21:00+07:00", "Thứ sáu, 26/04/2019 - 11:21'", None, id="row21"),
    pytest.param("2024-08-22T06:16:00+07:00", "Sỹ Hào - 06:16, 22/08/2024", None, id="row22"),
    pytest.param("2021-07-14T20:45:00+07:00", "14/07/2021 - 20:45", None, id="row23"),
    pytest.param("2014-12-27", "27/12/2014", None, id="row24-a"),
    pytest.param("2020-05-23", "23/05/2020", None, id="row24-b"),
    pytest.param("2011-12-30", "Ngày: 30/12/2011", None, id="row24-c"),
    pytest.param("2009-12-24", "Mỹ Tho, ngày 24 tháng 12 năm 2009", None, id="row25"),
    pytest.param("2024-10-28", "Ngày 28-10", REF, id="row26-dash"),
    pytest.param("2024-09-17", "Ngày 17 – 9", REF, id="row26-endash"),
    pytest.param("2024-01-12", "Sáng 12/1", REF, id="row26-sang"),
    pytest.param("2024-06-18", "Ngày 18.6", REF, id="row26-dot"),
]


@pytest.mark.parametrize(("expected", "text", "reference"), RESEARCH_TABLE)
def test_research_table(expected: str, text: str, reference: datetime.date | None) -> None:
    parsed = parse_date(text, reference=reference)
    assert parsed is not None
    assert parsed.iso() == expected


# --------------------------------------------------------------------------------------------
# Other accepted forms
# --------------------------------------------------------------------------------------------

MORE_FORMS = [
    ("2021-04-20", "20.04.2021"),
    ("2021-04-20", "20 / 04 / 2021"),
    ("2021-04-20", "20—04—2021"),
    ("2021-04-20", "NGÀY 20 THÁNG 4 NĂM 2021"),
    ("2021-04-20", "ngày 20 tháng 04, năm 2021"),
    ("2021-04-20", "Ngay 20 thang 4 nam 2021"),
    ("2021-04-20", "Ngày20/4/2021"),
    ("2021-04-20T08:30:15+07:00", "20/04/2021 08:30:15"),
    ("2021-04-20T08:30:00+07:00", "20/04/2021 lúc 08:30"),
    ("2021-04-20T08:30:00+07:00", "20/04/2021 8h30"),
    ("2021-04-20T08:30:00+07:00", "08:30 20/04/2021"),
    ("2021-04-20T08:30:00+07:00", "08:30 - 20/04/2021"),
    ("2021-04-20T00:15:00+07:00", "20/04/2021 12:15 AM"),
    ("2021-04-20T12:15:00+07:00", "20/04/2021 12:15 PM"),
    ("2021-04-20T15:40:00+07:00", "20/04/2021 3:40pm"),
    ("2021-04-20T15:40:00+07:00", "20/04/2021 03:40 p.m."),
    ("2021-04-20T08:30:00+07:00", "20/04/2021 08:30 SA"),
    ("2021-04-20T15:40:00+07:00", "20/04/2021 03:40 CH"),
    ("2021-04-20T15:40:00+07:00", "20/04/2021 15:40 PM"),
    ("2021-04-20T08:30:00+07:00", "20/04/2021 08:30 (GMT +7)"),
    ("2021-04-20T08:30:00+07:00", "20/04/2021 08:30 [GMT+7]"),
    ("2021-04-20T08:30:00+07:00", "20/04/2021 08:30 | GMT +7"),
    ("2021-04-20", "20/04/2021 25:99"),
    ("1990-01-01", "1/1/1990"),
    ("2100-12-31", "31/12/2100"),
    ("2024-02-29", "29/02/2024"),
]


@pytest.mark.parametrize(("expected", "text"), MORE_FORMS)
def test_more_forms(expected: str, text: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.iso() == expected


# --------------------------------------------------------------------------------------------
# Matched text and has_time
# --------------------------------------------------------------------------------------------

MATCHED_TEXT = [
    ("20/04/2021", False, "Cập nhật: 20/04/2021"),
    ("6/2/2020", False, "Tin đăng ngày: 6/2/2020 - Xem: 92"),
    ("06:16, 22/08/2024", True, "Sỹ Hào - 06:16, 22/08/2024"),
    ("08:30 ngày 20/04/2021", True, "Cập nhật lúc 08:30 ngày 20/04/2021"),
    (
        "Thứ Sáu, ngày 23 tháng 08 năm 2019, 09:25:27",
        True,
        "Thứ Sáu, ngày 23 tháng 08 năm 2019, 09:25:27",
    ),
    (
        "Chủ nhật, ngày 08 tháng 12 năm 2024 16:02",
        True,
        "Chủ nhật, ngày 08 tháng 12 năm 2024 16:02 (GMT +7)",
    ),
    ("Thứ sáu, 26/04/2019 - 11:21", True, "Thứ sáu, 26/04/2019 - 11:21'"),
    ("01/03/2023 | 03:40 PM", True, "01/03/2023 | 03:40 PM"),
    ("20/4/2021 8:5", True, "20/4/2021 8:5"),
    ("17 - 05 - 2024", False, "Đăng ngày 17 - 05 - 2024"),
    ("Thứ 3, Ngày 16/07/2024", False, "Thứ 3, Ngày 16/07/2024 -"),
    ("ngày 24 tháng 12 năm 2009", False, "Mỹ Tho, ngày 24 tháng 12 năm 2009"),
    ("20/04/2021", False, "20/04/2021 25:99"),
    ("08/07/2024 11:38", True, "Ngày đăng: 08/07/2024\u00a0\u00a011:38"),
]


@pytest.mark.parametrize(("expected_text", "expected_has_time", "text"), MATCHED_TEXT)
def test_matched_text_and_has_time(expected_text: str, expected_has_time: bool, text: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.text == expected_text
    assert parsed.has_time is expected_has_time
    assert isinstance(parsed.value, datetime.datetime) is expected_has_time


def test_value_types() -> None:
    date_only = parse_date("20/04/2021")
    with_time = parse_date("20/04/2021 08:30")
    assert date_only == ParsedDate(
        value=D(2021, 4, 20),
        text="20/04/2021",
        has_time=False,
        year_inferred=False,
        weekday_text=None,
        weekday_mismatch=False,
    )
    assert type(date_only.value) is datetime.date
    assert with_time is not None
    assert with_time.value == datetime.datetime(2021, 4, 20, 8, 30)
    assert with_time.value.tzinfo is None


# --------------------------------------------------------------------------------------------
# Yearless forms and the reference date
# --------------------------------------------------------------------------------------------

YEARLESS = [
    ("2024-04-20", "(20/04)", D(2024, 11, 5)),
    ("2024-04-20", "(20/04)", D(2024, 4, 20)),  # same day: not after the reference
    ("2023-04-20", "(20/04)", D(2024, 4, 19)),  # 20/04/2024 would be after it: previous year
    ("2023-12-28", "Ngày 28-12", D(2024, 1, 3)),
    ("2024-02-29", "Ngày 29/2", D(2024, 3, 1)),
    ("2020-02-29", "Ngày 29/2", D(2023, 6, 1)),  # latest leap year on or before the reference
    ("2024-10-28", "Ngày 28-10", datetime.datetime(2024, 11, 5, 9, 0)),  # datetime reference
    ("2024-01-12", "Sáng 12/1", REF),
    ("2024-01-12", "Chiều 12/1", REF),
    ("2024-04-20", "Ngày 20 tháng 4", REF),
    ("2024-04-20", "[20/04]", REF),
    ("2024-04-20T15:30:00+07:00", "20-04 - 15:30", REF),
    ("2024-04-20T08:30:00+07:00", "08:30 20/04", REF),
    ("2024-04-20", "Thứ bảy, 20/4", REF),
]


@pytest.mark.parametrize(("expected", "text", "reference"), YEARLESS)
def test_yearless_uses_reference(expected: str, text: str, reference: datetime.date) -> None:
    parsed = parse_date(text, reference=reference)
    assert parsed is not None
    assert parsed.iso() == expected
    assert parsed.year_inferred is True


@pytest.mark.parametrize(
    "text", ["(20/04)", "20-04", "Ngày 28-10", "Ngày 17 – 9", "Sáng 12/1", "Ngày 18.6"]
)
def test_yearless_without_reference_is_none(text: str) -> None:
    assert parse_date(text) is None


def test_reference_is_ignored_when_year_is_shown() -> None:
    parsed = parse_date("20/04/2021", reference=D(2010, 1, 1))
    assert parsed is not None
    assert parsed.iso() == "2021-04-20"
    assert parsed.year_inferred is False


# --------------------------------------------------------------------------------------------
# Weekdays
# --------------------------------------------------------------------------------------------

# (Python weekday, date): checked against datetime, not asserted from memory.
WEEKDAY_FACTS = [
    (1, "2021-04-20"),  # Tuesday
    (6, "2021-05-02"),  # Sunday
    (5, "2021-05-01"),  # Saturday
    (3, "2015-05-14"),  # Thursday
    (4, "2019-08-23"),  # Friday
    (6, "2024-12-08"),  # Sunday
    (0, "2021-04-19"),  # Monday
    (2, "2021-04-21"),  # Wednesday
]


@pytest.mark.parametrize(("expected", "iso_date"), WEEKDAY_FACTS)
def test_weekday_facts(expected: int, iso_date: str) -> None:
    assert D.fromisoformat(iso_date).weekday() == expected


WEEKDAYS = [
    # (weekday_text, weekday_mismatch, input)
    ("Thứ ba", False, "Thứ ba 20/4/2021"),
    ("Thứ hai", True, "Thứ hai 20/4/2021"),
    ("Thứ Ba", False, "Thứ Ba, 20/04/2021 | 08:30"),
    ("THỨ BA", False, "THỨ BA, 20/04/2021"),
    ("Thứ 3", False, "Thứ 3, Ngày 20/04/2021"),
    ("Thứ 2", True, "Thứ 2, 20/04/2021"),
    ("Thứ hai", False, "Thứ hai, 19/04/2021"),
    ("Thứ 2", False, "Thứ 2 - 19/04/2021"),
    ("Thứ tư", False, "Thứ tư, 21/04/2021"),
    ("Thứ Tư", False, "Thứ Tư, 21/04/2021"),
    ("Thứ 4", False, "Thứ 4, 21/04/2021"),
    ("Thứ năm", False, "Thứ năm, 14/05/2015, 10:06:10"),
    ("Thứ Sáu", False, "Thứ Sáu, ngày 23 tháng 08 năm 2019, 09:25:27"),
    ("Thứ 7", False, "Thứ 7, 1/5/2021"),
    ("Thứ bảy", False, "Thứ bảy, 1/5/2021"),
    ("Thứ Bẩy", False, "Thứ Bẩy, 1/5/2021"),
    ("Thứ 7", True, "Thứ 7, 2/5/2021"),
    ("Chủ nhật", False, "Chủ nhật, 2/5/2021"),
    ("Chủ Nhật", False, "Chủ Nhật, ngày 08 tháng 12 năm 2024"),
    ("CN", False, "CN, 2/5/2021"),
    ("CN", True, "CN, 1/5/2021"),
    ("Chủ nhật", True, "Chủ nhật, 20/4/2021"),
    ("Thu ba", False, "Thu ba 20/4/2021"),
    ("Chu nhat", False, "Chu nhat, 2/5/2021"),
    ("Thu hai", True, "Thu hai, 20/4/2021"),
    (None, False, "Cập nhật: 20/04/2021"),
]


@pytest.mark.parametrize(("expected_weekday", "expected_mismatch", "text"), WEEKDAYS)
def test_weekday(expected_weekday: str | None, expected_mismatch: bool, text: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.weekday_text == expected_weekday
    assert parsed.weekday_mismatch is expected_mismatch


# --------------------------------------------------------------------------------------------
# Unicode normalisation and whitespace
# --------------------------------------------------------------------------------------------

NORMALISATION = [
    ("2021-04-20", unicodedata.normalize("NFD", "Thứ ba 20/4/2021")),
    ("2021-04-20", unicodedata.normalize("NFD", "Ngày 20 tháng 4 năm 2021")),
    (
        "2024-12-08T16:02:00+07:00",
        unicodedata.normalize("NFD", "Chủ nhật, ngày 08 tháng 12 năm 2024 16:02"),
    ),
    ("2021-04-20T08:30:00+07:00", "Cập\u00a0nhật:\u00a020/04/2021\u00a008:30"),
    ("2021-04-20T08:30:00+07:00", "20/04/2021\t\n 08:30"),
    ("2021-04-20", "Ngày\u202f20\u2009/\u200904\u00a0/\u00a02021"),
    ("2021-04-20", "20/\u200b04/2021"),
]


@pytest.mark.parametrize(("expected", "text"), NORMALISATION)
def test_normalisation(expected: str, text: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.iso() == expected


def test_nfd_weekday_text_is_nfc() -> None:
    parsed = parse_date(unicodedata.normalize("NFD", "Thứ hai 20/4/2021"))
    assert parsed is not None
    assert parsed.weekday_text == "Thứ hai"
    assert parsed.weekday_mismatch is True


# --------------------------------------------------------------------------------------------
# No date
# --------------------------------------------------------------------------------------------

NO_DATE = [
    ("", None),
    ("Xem: 92", None),
    ("Tin tức - Sự kiện", None),
    ("31/02/2021", None),  # no 31 February
    ("29/02/2021", None),  # 2021 is not a leap year
    ("20/13/2021", None),  # month 13
    ("32/01/2021", None),
    ("0/01/2021", None),
    ("20/04/21", REF),  # a 2-digit year is not a date form
    ("20/04/1989", None),  # year outside 1990-2100
    ("20/04/2101", None),
    ("2021-04-20", None),  # year-first is not a portal form
    ("Số 12/2021/QĐ-UBND", None),
    ("tăng 3.5% so với cùng kỳ", REF),  # decimal, not "3 May"
    ("1/2 số hộ dân", REF),  # fraction without a cue
    ("từ 20-30 người", REF),
    ("ngày 31 tháng 2 năm 2021", None),
    ("ngày 20 tháng 4 năm 21", REF),
    ("08:30", REF),
]


@pytest.mark.parametrize(("text", "reference"), NO_DATE)
def test_no_date(text: str, reference: datetime.date | None) -> None:
    assert parse_date(text, reference=reference) is None
    assert parse_dates(text, reference=reference) == []


def test_invalid_date_is_skipped_for_the_next_one() -> None:
    parsed = parse_date("31/02/2021 hoặc 28/02/2021")
    assert parsed is not None
    assert parsed.iso() == "2021-02-28"


# --------------------------------------------------------------------------------------------
# parse_dates
# --------------------------------------------------------------------------------------------

MANY = [
    (
        ["2021-04-20T08:30:00+07:00", "2021-04-21"],
        "Từ 20/04/2021 08:30 đến hết ngày 21/04/2021",
        None,
    ),
    (
        ["2024-08-22T06:16:00+07:00", "2024-08-23"],
        "Sỹ Hào - 06:16, 22/08/2024. Cập nhật: 23/08/2024",
        None,
    ),
    (
        ["2024-10-28", "2024-11-01"],
        "Ngày 28-10, đoàn công tác ... (Ngày 1/11/2024)",
        REF,
    ),
    (
        ["2021-04-20"],
        "Ngày 28-10, đoàn công tác ... 20/04/2021",
        None,
    ),
    (
        ["2020-02-06", "2020-02-07"],
        "Tin đăng ngày: 6/2/2020 - Xem: 92 | Tin đăng ngày: 7/2/2020 - Xem: 15",
        None,
    ),
]


@pytest.mark.parametrize(("expected", "text", "reference"), MANY)
def test_parse_dates(expected: list[str], text: str, reference: datetime.date | None) -> None:
    assert [p.iso() for p in parse_dates(text, reference=reference)] == expected


def test_parse_dates_texts_in_order() -> None:
    found = parse_dates("Thứ ba 20/4/2021 ... Chủ nhật, 2/5/2021 | 16:02")
    assert [p.text for p in found] == ["Thứ ba 20/4/2021", "Chủ nhật, 2/5/2021 | 16:02"]
    assert [p.weekday_mismatch for p in found] == [False, False]


# --------------------------------------------------------------------------------------------
# Module constraints
# --------------------------------------------------------------------------------------------


def test_module_does_not_import_scrapy() -> None:
    tree = ast.parse(Path(dates.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "scrapy" not in imported
    assert "dateparser" in imported


def test_iso_timezone_is_plus_seven() -> None:
    parsed = parse_date("20/04/2021 23:59:59")
    assert parsed is not None
    assert parsed.iso() == "2021-04-20T23:59:59+07:00"
    assert dates.VN_TZ.utcoffset(None) == datetime.timedelta(hours=7)


def test_the_day_of_a_date_with_a_time_drops_the_time():
    assert (datetime.date(2021, 4, 20), datetime.date(2021, 4, 20)) == (
        parse_date("Thứ ba 20/4/2021 08:30").day, parse_date("Thứ ba 20/4/2021").day)
