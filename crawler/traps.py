"""Crawl-trap rules in the manner of Heritrix's DecideRules: URLs no archive needs.

Pure functions over a URL; the spider drops what they flag and counts it in the crawl stats
(``archive/traps/<rule>``). Settings: ``ARCHIVE_TRAP_MAX_URL`` (longest URL, 1024),
``ARCHIVE_TRAP_MAX_REPEATS`` (most times one query parameter or one path segment run may
repeat, 2), ``ARCHIVE_TRAP_MAX_DEPTH`` (most path segments, 15).
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qsl, urlsplit


def trap_reason(url: str, *, max_url: int = 1024, max_repeats: int = 2,
                max_depth: int = 15) -> str | None:
    """The rule ``url`` breaks, or None.

    >>> trap_reason("http://x.vn/?page=TinTuc&vt=1&vt=2&vt=3")
    'repeated-parameter'
    >>> trap_reason("http://x.vn/a/b/a/b/a/b/c")
    'repeated-path'
    """
    if len(url) > max_url:
        return "too-long"
    parts = urlsplit(url)
    counts = Counter(k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    if counts and max(counts.values()) > max_repeats:
        return "repeated-parameter"
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > max_depth:
        return "too-deep"
    for size in range(1, len(segments) // 2 + 1):
        for start in range(len(segments) - size * (max_repeats + 1) + 1):
            run = segments[start:start + size]
            if all(segments[start + k * size:start + (k + 1) * size] == run
                   for k in range(max_repeats + 1)):
                return "repeated-path"
    return None
