"""Crawl-trap rules in the manner of Heritrix's DecideRules: URLs no archive needs.

Pure functions over a URL; the spider drops what they flag and counts it in the crawl stats
(``archive/traps/<rule>``). The rules, in the order they are tried:

``too-long``            a URL longer than ``ARCHIVE_TRAP_MAX_URL`` (1024)
``repeated-parameter``  one query parameter more than ``ARCHIVE_TRAP_MAX_REPEATS`` (2) times:
                        a pager that appends to the current query (``&vt=1&vt=2&vt=3``)
``session-id``          a query value shaped like a session token (16+ letters and digits,
                        both present) under a name the canonicaliser does not know: a new URL
                        on every visit (known names such as ``sessionid`` are stripped instead)
``search``              a search page: a query parameter named like a search box's
                        (``tukhoa``, ``keyword``, ``q`` ...) or a path segment named
                        ``tim-kiem``, ``timkiem``, ``search`` ...: endless result pages
``calendar``            a date (``2026-11-27``, ``27/11/2026``, ``2026/11/27``) more than
                        ``ARCHIVE_TRAP_FUTURE_DAYS`` (7) days after today, or before
                        ``ARCHIVE_TRAP_EARLIEST`` (1990-01-01, before any portal): a calendar
                        whose "next day" or "previous day" link never ends. A year and
                        month (``2025-06``, ``06/2025``, ``/2025/06/``, ``?nam=1900``) counts
                        as its first day
``too-deep``            more than ``ARCHIVE_TRAP_MAX_DEPTH`` (15) path segments
``repeated-path``       a run of path segments repeated more than ``ARCHIVE_TRAP_MAX_REPEATS``
                        times (``/a/b/a/b/a/b/``: a relative link resolved on its own page)

:func:`trap_limits` reads the settings; the spider passes them to :func:`trap_reason`.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from crawler.extraction.urls import NOISE_PARAMS

#: Query parameter names of search boxes (lower-case).
SEARCH_PARAMS = frozenset({
    "tukhoa", "tu_khoa", "tu-khoa", "keyword", "keywords", "q", "query", "search", "searchtext",
    "searchterm", "searchkey", "txtsearch", "txtkeyword",
})
#: Path segments (without extension) of search pages (lower-case).
SEARCH_PAGES = frozenset({
    "search", "searchresult", "searchresults", "timkiem", "tim-kiem", "ketquatimkiem",
    "ket-qua-tim-kiem",
})
_TOKEN = re.compile(r"[A-Za-z0-9]{16,}")
#: A year and month written alone, as a whole query value or in the path: 2025-06, 06/2025,
#: /2025/06/ (document numbers such as ``1234-5`` inside a slug are not dates).
_MONTH_VALUE = (
    (re.compile(r"([12]\d{3})[-/.](0?[1-9]|1[0-2])"), (1, 2)),
    (re.compile(r"(0?[1-9]|1[0-2])[-/.]([12]\d{3})"), (2, 1)),
)
_MONTH_PATH = re.compile(r"/([12]\d{3})/(0?[1-9]|1[0-2])(?=/|$)")
#: Query keys that may hold a year and month.
_DATE_KEY = re.compile(r"ngay|thang|nam|date|day|month|year|time|ky|^[dmy]$", re.I)
#: Query keys that hold a year.
_YEAR_KEYS = frozenset({"nam", "year", "y"})
_DATES = (
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), (1, 2, 3)),
    (re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)"), (3, 2, 1)),
)


#: The earliest date a portal's calendar can plausibly show.
EARLIEST = date(1990, 1, 1)


def trap_limits(settings: Any) -> dict[str, Any]:
    """The keyword arguments of :func:`trap_reason`, from Scrapy settings."""
    earliest = settings.get("ARCHIVE_TRAP_EARLIEST") or EARLIEST.isoformat()
    return {"max_url": settings.getint("ARCHIVE_TRAP_MAX_URL", 1024),
            "max_repeats": settings.getint("ARCHIVE_TRAP_MAX_REPEATS", 2),
            "max_depth": settings.getint("ARCHIVE_TRAP_MAX_DEPTH", 15),
            "future_days": settings.getint("ARCHIVE_TRAP_FUTURE_DAYS", 7),
            "earliest": date.fromisoformat(str(earliest))}


def trap_reason(url: str, *, max_url: int = 1024, max_repeats: int = 2,
                max_depth: int = 15, future_days: int = 7, earliest: date = EARLIEST,
                today: date | None = None) -> str | None:
    """The rule ``url`` breaks, or None.

    >>> trap_reason("http://x.vn/?page=TinTuc&vt=1&vt=2&vt=3")
    'repeated-parameter'
    >>> trap_reason("http://x.vn/a/b/a/b/a/b/c")
    'repeated-path'
    >>> trap_reason("http://x.vn/lich?ngay=2026-12-31", today=date(2026, 11, 26))
    'calendar'
    >>> trap_reason("http://x.vn/lich?ngay=1784-02-11")
    'calendar'
    """
    if len(url) > max_url:
        return "too-long"
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    counts = Counter(k.lower() for k, _ in pairs)
    if counts and max(counts.values()) > max_repeats:
        return "repeated-parameter"
    if any(_is_token(k, v) for k, v in pairs):
        return "session-id"
    segments = [s for s in parts.path.split("/") if s]
    if (any(k in SEARCH_PARAMS for k in counts)
            or any(s.lower().rsplit(".", 1)[0] in SEARCH_PAGES for s in segments)):
        return "search"
    last = (today or date.today()) + timedelta(days=future_days)
    shown = _dates(unquote(f"{parts.path}?{parts.query}"), pairs)
    if any(d > last or d < earliest for d in shown):
        return "calendar"
    if len(segments) > max_depth:
        return "too-deep"
    for size in range(1, len(segments) // 2 + 1):
        for start in range(len(segments) - size * (max_repeats + 1) + 1):
            run = segments[start:start + size]
            if all(segments[start + k * size:start + (k + 1) * size] == run
                   for k in range(max_repeats + 1)):
                return "repeated-path"
    return None


def _is_token(name: str, value: str) -> bool:
    """A session-token-shaped value: 16+ ASCII letters and digits, with both in it."""
    low = name.lower()
    if low in NOISE_PARAMS or low.startswith("utm_"):
        return False  # dropped by canonicalisation anyway
    return (_TOKEN.fullmatch(value) is not None and not value.isdigit()
            and any(c.isdigit() for c in value))


def _dates(text: str, pairs: list[tuple[str, str]] = ()) -> list[date]:  # type: ignore[assignment]
    """Every valid calendar date written in ``text`` (year first, or day first), a year and
    month as its first day, and a year given in a query key named like one (``nam``,
    ``year``) as its first of January."""
    out = []
    spans: list[tuple[int, int]] = []
    for rx, (y, m, d) in _DATES:
        for match in rx.finditer(text):
            spans.append(match.span())
            try:
                out.append(date(int(match.group(y)), int(match.group(m)), int(match.group(d))))
            except ValueError:
                continue
    months = [(m.group(1), m.group(2)) for m in _MONTH_PATH.finditer(text.split("?")[0])
              if not any(a <= m.start() < b for a, b in spans)]
    for key, value in pairs:
        value = value.strip()
        for rx, (y, m) in _MONTH_VALUE:
            if _DATE_KEY.search(key) and (match := rx.fullmatch(value)):
                months.append((match.group(y), match.group(m)))
        if key.lower() in _YEAR_KEYS and value.isdigit() and len(value) == 4:
            months.append((value, "1"))
    out.extend(date(int(y), int(m), 1) for y, m in months)
    return out
