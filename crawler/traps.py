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
                        ``ARCHIVE_TRAP_FUTURE_DAYS`` (7) days after today: a calendar whose
                        "next day" link never ends
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
_DATES = (
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), (1, 2, 3)),
    (re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)"), (3, 2, 1)),
)


def trap_limits(settings: Any) -> dict[str, int]:
    """The keyword arguments of :func:`trap_reason`, from Scrapy settings."""
    return {"max_url": settings.getint("ARCHIVE_TRAP_MAX_URL", 1024),
            "max_repeats": settings.getint("ARCHIVE_TRAP_MAX_REPEATS", 2),
            "max_depth": settings.getint("ARCHIVE_TRAP_MAX_DEPTH", 15),
            "future_days": settings.getint("ARCHIVE_TRAP_FUTURE_DAYS", 7)}


def trap_reason(url: str, *, max_url: int = 1024, max_repeats: int = 2,
                max_depth: int = 15, future_days: int = 7,
                today: date | None = None) -> str | None:
    """The rule ``url`` breaks, or None.

    >>> trap_reason("http://x.vn/?page=TinTuc&vt=1&vt=2&vt=3")
    'repeated-parameter'
    >>> trap_reason("http://x.vn/a/b/a/b/a/b/c")
    'repeated-path'
    >>> trap_reason("http://x.vn/lich?ngay=2026-12-31", today=date(2026, 11, 26))
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
    if any(d > last for d in _dates(unquote(f"{parts.path}?{parts.query}"))):
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


def _dates(text: str) -> list[date]:
    """Every valid calendar date written in ``text`` (year first, or day first)."""
    out = []
    for rx, (y, m, d) in _DATES:
        for match in rx.finditer(text):
            try:
                out.append(date(int(match.group(y)), int(match.group(m)), int(match.group(d))))
            except ValueError:
                continue
    return out
