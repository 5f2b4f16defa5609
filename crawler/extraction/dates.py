"""Parse the date strings shown on Vietnamese provincial government portals.

The forms handled are catalogued in ``shared/research/vn-portals.md`` section 2. Parsing is
done in two steps:

1. *Pre-extraction*: a compiled regular expression finds the date substring inside a longer
   string (``"Cập nhật: 20/04/2021"``, ``"Sỹ Hào - 06:16, 22/08/2024"``,
   ``"Thứ Sáu, ngày 23 tháng 08 năm 2019, 09:25:27"``, ...). Day-first is the only order; day
   and month have one or two digits; separators are ``/``, ``-`` (optionally spaced), en/em
   dash, ``.`` and the word form ``ngày D tháng M năm Y``. A time counts only when it sits
   right before or right after the date.
2. *Validation*: the pieces are rebuilt into a canonical string (``"20/04/2021 08:30"``) that is
   handed to :func:`dateparser.parse` with one explicit ``date_formats`` entry and only the
   ``custom-formats`` parser enabled, so dateparser never guesses. Impossible dates
   (``31/02/2021``, month 13) are rejected there.

Both steps are pure, so their results are cached: :func:`parse_date` per string (and per
reference, for a string with a yearless date) and the dateparser check per canonical string.
A portal repeats the same dates on every page (the older-items box, the header clock), and a
cached answer costs about a microsecond where dateparser takes some 30.

All times are local Vietnamese time (Asia/Ho_Chi_Minh, UTC+7, no DST). This module is pure
Python: it does not import scrapy.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["VN_TZ", "ParsedDate", "cache_clear", "parse_date", "parse_dates"]

#: Asia/Ho_Chi_Minh: UTC+7 all year round (no daylight saving time).
VN_TZ = datetime.timezone(datetime.timedelta(hours=7), "ICT")

#: Four-digit years outside this range are not accepted as dates.
MIN_YEAR = 1990
MAX_YEAR = 2100

_DATEPARSER_SETTINGS = {
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": False,
    # Only the explicit date_formats are tried: no fuzzy fallback to the absolute-time parser.
    "PARSERS": ["custom-formats"],
}
_LANGUAGES = ["vi"]
#: Strings longer than this are parsed without the cache (a date line is short; a page of
#: garbage in a date cell should not stay in memory).
_CACHED_LENGTH = 200


@dataclass(frozen=True)
class ParsedDate:
    """A date (or date and time) found in a portal string.

    Attributes:
        value: a ``datetime.datetime`` (naive, Vietnamese local time) when a time was shown next
            to the date, otherwise a ``datetime.date``.
        text: the substring that was matched, from the weekday or leading time (if any) to the
            date or trailing time. It is taken from the normalised input (NFC, every run of
            whitespace, including ``&nbsp;``, turned into a single plain space).
        has_time: True when a time was shown next to the date.
        year_inferred: True when the page showed no year and it was taken from ``reference``.
        weekday_text: the weekday named right before the date (``"Thứ ba"``, ``"Thứ 7"``,
            ``"Chủ nhật"``, ``"CN"``...), or None.
        weekday_mismatch: True when ``weekday_text`` names a different weekday than the date's.
    """

    value: datetime.date | datetime.datetime
    text: str
    has_time: bool
    year_inferred: bool
    weekday_text: str | None = None
    weekday_mismatch: bool = False

    @property
    def day(self) -> datetime.date:
        """The day shown, without the time."""
        value = self.value
        return value.date() if isinstance(value, datetime.datetime) else value

    def iso(self) -> str:
        """ISO 8601: ``"2021-04-20"`` for a date, ``"2021-04-20T08:30:00+07:00"`` with a time."""
        if isinstance(self.value, datetime.datetime):
            return self.value.replace(tzinfo=VN_TZ).isoformat(timespec="seconds")
        return self.value.isoformat()


# --------------------------------------------------------------------------------------------
# Regular expressions (compiled once at import)
# --------------------------------------------------------------------------------------------

_DASH = "\\-\u2013\u2014"  # hyphen-minus, en dash, em dash (escaped for a character class)

# "Thứ hai" ... "Thứ bảy"/"Thứ Bẩy", "Thứ 2" ... "Thứ 7", "Chủ nhật", "CN", and unaccented forms.
_WEEKDAY = (
    r"(?<!\w)(?P<wd>"
    r"th[uứ]\s*(?:hai|ba|t[uư]|n[aă]m|s[aá]u|b[aảẩ]y|[2-7])"
    r"|ch[uủ]\s*nh[aậ]t"
    r"|cn"
    r")(?!\w)"
)

_NGAY_LABEL = r"(?:ng[aà]y\s*:?\s*)"


def _time(p: str) -> str:
    """A clock time; group names are prefixed with ``p`` (the pattern uses it twice)."""
    return (
        rf"(?<![\d:.])(?P<{p}h>\d{{1,2}})(?::|h(?=\d))(?P<{p}mi>\d{{1,2}})"
        rf"(?::(?P<{p}s>\d{{1,2}}))?(?![\d:])"
        rf"(?:\s*(?P<{p}ap>[ap]\.?m\.?|sa|ch)(?!\w))?"
    )


_NUMERIC_DATE = (
    rf"(?<![\d/.])(?<!\d[{_DASH}])(?P<d>\d{{1,2}})"
    rf"(?:(?P<s1>\s*/\s*)|(?P<s2>\s*[{_DASH}]\s*)|(?P<s3>\.))"
    r"(?P<m>\d{1,2})(?!\d)"
    # The year repeats the day/month separator.
    rf"(?:(?(s1)\s*/\s*|(?(s2)\s*[{_DASH}]\s*|\.))(?P<y>\d{{4}})(?!\d))?"
    # Without a 4-digit year, refuse "20/04/21" (2-digit year) and "1.2.3"-like runs, but
    # allow a time to follow ("20-04 - 15:30").
    rf"(?(y)|(?!\s*[/.{_DASH}]\s*\d+(?![\d:]|h\d)))"
)

_WORD_DATE = (
    # "ngày 20 tháng 4 năm 2021", "ngày 20 tháng 4, 2021"; without "ngày" only with a year:
    # "30 tháng 8, 2024", "30 tháng 8 năm 2024" (never "3 tháng 8" alone: a duration).
    r"(?<![\w/.])(?:(?P<ng>ng[aà]y)\s*)?(?P<wdd>\d{1,2})\s+th[aá]ng\s*(?P<wdm>\d{1,2})(?!\d)"
    r"(?:(?:\s*,?\s*n[aă]m\s*|\s*,\s*)(?P<wdy>\d{4})(?!\d))?"
    r"(?(wdy)|(?(ng)(?!\s*,?\s*n[aă]m\s*\d)|(?!)))"
)

_DATE_RE = re.compile(
    # Optional weekday, e.g. "Thứ Ba, ngày " / "Thứ 3, Ngày " / "CN - ".
    rf"(?:{_WEEKDAY}\s*(?:[,{_DASH}|]\s*)?{_NGAY_LABEL}?)?"
    # Optional time before the date: "06:16, 22/08/2024", "08:30 ngày 20/04/2021".
    rf"(?:{_time('b')}(?:\s*[,|{_DASH}]\s*|\s+){_NGAY_LABEL}?)?"
    rf"(?:{_NUMERIC_DATE}|(?P<word>{_WORD_DATE}))"
    # Optional time after the date (only when none came before): "20/04/2021 | 08:30".
    rf"(?(bh)|(?:(?:\s*[,|{_DASH}]\s*|\s+)(?:l[uú]c\s+)?{_time('a')})?)",
    re.IGNORECASE,
)

# A word right before a yearless numeric date that makes it a date: "Ngày 28-10", "Sáng 12/1".
_YEARLESS_CUE_RE = re.compile(
    r"(?<!\w)(?:ng[aà]y|s[aá]ng|chi[eề]u|tr[uư]a|t[oố]i|[đd][eê]m|khuya|h[oô]m|l[uú]c)"
    r"\s*:?\s*$",
    re.IGNORECASE,
)

_WHITESPACE_RE = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))

_WEEKDAY_NUMBER = {  # Python's weekday(): Monday == 0 ... Sunday == 6
    "hai": 0, "2": 0,
    "ba": 1, "3": 1,
    "tu": 2, "4": 2,
    "nam": 3, "5": 3,
    "sau": 4, "6": 4,
    "bay": 5, "7": 5,
}  # fmt: skip


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """NFC, no invisible characters, every whitespace run (``&nbsp;``, tabs...) -> one space."""
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        text = text.translate(_INVISIBLE)
    return _WHITESPACE_RE.sub(" ", text)


def _fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics: ``"Thứ Bẩy"`` -> ``"thu bay"``."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _weekday_number(weekday_text: str) -> int | None:
    """Python weekday number (Monday=0) named by a Vietnamese weekday string."""
    folded = _fold(weekday_text)
    if folded in ("cn", "chu nhat") or folded.replace(" ", "") == "chunhat":
        return 6
    if folded.startswith("thu"):
        return _WEEKDAY_NUMBER.get(folded[3:].strip())
    return None


def _infer_year(day: int, month: int, reference: datetime.date) -> int | None:
    """The latest year such that day/month of that year is a real date on or before reference."""
    for year in range(reference.year, reference.year - 9, -1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            continue
        if candidate <= reference:
            return year
    return None


def _yearless_has_cue(text: str, match: re.Match[str]) -> bool:
    """Whether a yearless numeric date is clearly a date, not a fraction, range or score."""
    if match.group("wd") or match.group("bh") or match.group("ah"):
        return True
    start, end = match.span()
    if _YEARLESS_CUE_RE.search(text, max(0, start - 16), start):
        return True
    before = text[:start].rstrip()
    after = text[end:].lstrip()
    if before.endswith(("(", "[")) and after.startswith((")", "]")):
        return True
    return not before and not after  # the whole string is the date, e.g. "20-04"


def _clock(match: re.Match[str], p: str) -> tuple[str, str] | None:
    """(canonical time string, strptime format) for the time with prefix ``p``, or None."""
    if match.group(p + "h") is None:
        return None
    hour = int(match.group(p + "h"))
    minute = int(match.group(p + "mi"))
    second_text = match.group(p + "s")
    second = int(second_text) if second_text is not None else None
    ampm = match.group(p + "ap")
    if minute > 59 or (second is not None and second > 59):
        return None
    sec_value = f":{second:02d}" if second is not None else ""
    sec_format = ":%S" if second is not None else ""
    if ampm and 1 <= hour <= 12:
        marker = "PM" if ampm.lower().replace(".", "") in ("pm", "ch") else "AM"
        return f"{hour:02d}:{minute:02d}{sec_value} {marker}", f"%I:%M{sec_format} %p"
    if hour > 23:
        return None
    return f"{hour:02d}:{minute:02d}{sec_value}", f"%H:%M{sec_format}"


def _build(text: str, match: re.Match[str], reference: datetime.date | None) -> ParsedDate | None:
    """Turn one regex match into a ParsedDate, or None when it is not a valid date."""
    if match.group("word") is not None:
        day, month, year_text = match.group("wdd", "wdm", "wdy")
        cue = True
    else:
        day, month, year_text = match.group("d", "m", "y")
        cue = year_text is not None or _yearless_has_cue(text, match)
    if not cue:
        return None
    day_n, month_n = int(day), int(month)

    year_inferred = year_text is None
    if year_inferred:
        if reference is None:
            return None
        year = _infer_year(day_n, month_n, reference)
        if year is None:
            return None
    else:
        year = int(year_text)
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None
        try:  # cheap pre-check: dateparser takes ~10x longer to reject "31/02/2021"
            datetime.date(year, month_n, day_n)
        except ValueError:
            return None

    clock = _clock(match, "b") or _clock(match, "a")
    date_string = f"{day_n:02d}/{month_n:02d}/{year:04d}"
    date_format = "%d/%m/%Y"
    if clock is not None:
        date_string = f"{date_string} {clock[0]}"
        date_format = f"{date_format} {clock[1]}"
    parsed = _checked(date_string, date_format)
    if parsed is None or (parsed.year, parsed.month, parsed.day) != (year, month_n, day_n):
        return None
    value: datetime.date | datetime.datetime = parsed if clock else parsed.date()

    # When an adjacent "time" was matched but is not a valid clock time ("25:99"), the
    # matched text stops at the date.
    start, end = match.span()
    if clock is None:
        word = match.group("word") is not None
        if match.group("ah") is not None:
            end = match.end("wdy" if word else "y")
            if end == -1:
                end = match.end("wdm" if word else "m")
        if match.group("bh") is not None and match.group("wd") is None:
            start = match.start("word" if word else "d")

    weekday_text = match.group("wd")
    mismatch = False
    if weekday_text is not None:
        number = _weekday_number(weekday_text)
        mismatch = number is not None and number != value.weekday()
    return ParsedDate(
        value=value,
        text=text[start:end],
        has_time=clock is not None,
        year_inferred=year_inferred,
        weekday_text=weekday_text,
        weekday_mismatch=mismatch,
    )


@lru_cache(maxsize=2048)
def _checked(date_string: str, date_format: str) -> datetime.datetime | None:
    """dateparser's reading of a canonical date string with its one explicit format.
    (Imported on first use: the crawl's own process, which only navigates, never loads it.)"""
    import dateparser

    return dateparser.parse(
        date_string,
        date_formats=[date_format],
        languages=_LANGUAGES,
        settings=_DATEPARSER_SETTINGS,
    )


def _iter_dates(text: str, reference: datetime.date | None) -> Iterator[ParsedDate]:
    if isinstance(reference, datetime.datetime):
        reference = reference.date()
    normalised = _normalise(text)
    for match in _DATE_RE.finditer(normalised):
        parsed = _build(normalised, match, reference)
        if parsed is not None:
            yield parsed


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def parse_date(text: str, *, reference: datetime.date | None = None) -> ParsedDate | None:
    """Parse the first date (with its adjacent time, if any) found in ``text``.

    Args:
        text: a string from a portal page, e.g. ``"Cập nhật lúc 08:30 ngày 20/04/2021"``. It may
            be NFD or contain ``&nbsp;``; it is normalised first.
        reference: the date used to complete yearless forms (``"(20/04)"``, ``"Ngày 28-10"``,
            ``"Sáng 12/1"``): the year chosen is the latest one that puts the date on or before
            ``reference``. Without it, yearless dates are ignored.

    Returns:
        The first valid date in ``text``, or None when there is none. Day-first is the only
        order; impossible dates (``31/02/2021``) and years outside 1990-2100 are skipped.
    """
    if len(text) > _CACHED_LENGTH:
        return next(_iter_dates(text, reference), None)
    if reference is not None and not _has_yearless(text):
        reference = None  # only a yearless date reads it: one cache entry for every page
    return _first_date(text, reference)


@lru_cache(maxsize=2048)
def _has_yearless(text: str) -> bool:
    """Whether a date candidate in ``text`` lacks a year (only those use ``reference``)."""
    return any(m.group("wdy" if m.group("word") is not None else "y") is None
               for m in _DATE_RE.finditer(_normalise(text)))


@lru_cache(maxsize=2048)
def _first_date(text: str, reference: datetime.date | None) -> ParsedDate | None:
    return next(_iter_dates(text, reference), None)


def cache_clear() -> None:
    """Forget every cached result (benchmarks time a string as if seen for the first time)."""
    _first_date.cache_clear()
    _has_yearless.cache_clear()
    _checked.cache_clear()


def parse_dates(text: str, *, reference: datetime.date | None = None) -> list[ParsedDate]:
    """Every valid date in ``text``, in order of appearance (see :func:`parse_date`)."""
    return list(_iter_dates(text, reference))
