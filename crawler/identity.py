"""Which number in a portal's article URLs names the article, learned from the site's own URLs.

A page no profile knows is archived under its canonical URL. Portals spell one article in
more than one way over the years: a retitled article gets a new slug with the same id
(``...-thu-hut-dau-tu-2009.html`` → ``...-thu-hut-dau-tu-tiep-theo-2009.html``), a path changes
case (``/Pages/`` → ``/pages/``), a query value changes spelling (``page=TinTuc`` →
``page=tin-tuc``), a Liferay portlet gets a new instance name in every parameter's key. What
stays is the article's id, somewhere in the URL. Where, the site's archived URLs tell: a place
(a query key, or the end of the path) whose number differs from one article to the next is an
id; one that many articles share (a category id) is not.

Pure functions, no I/O: the archive's write path (:mod:`crawler.storage.writes`) asks them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

#: The number ending a path's last segment: ``slug-2009.html``, ``2009.aspx``, ``/2009``.
_TAIL = re.compile(r"(?:^|[^0-9])([0-9]{3,})(?:\.[A-Za-z]{2,5})?$")
_DIGITS = re.compile(r"[0-9]{3,}")
#: The fewest URLs with a place, and the share of distinct numbers there, for it to be an id.
LEAST_URLS = 20
LEAST_DISTINCT = 0.9


def id_values(url: str) -> dict[str, str]:
    """The numbers of three digits or more in a URL that could name its article, by place:
    ``query:<key>`` for a query value of digits only (the key lower case, and only its last
    ``_`` part: a Liferay portlet's ``_x_INSTANCE_AbC_articleId`` is ``articleid``), ``path``
    for the number ending the path's last segment. Leading zeros are dropped."""
    parts = urlsplit(url)
    out: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if _DIGITS.fullmatch(value):
            out["query:" + key.rsplit("_", 1)[-1].lower()] = value.lstrip("0") or "0"
    last = unquote(parts.path).rstrip("/").rsplit("/", 1)[-1]
    if (m := _TAIL.search(last)) is not None:
        out["path"] = m.group(1).lstrip("0") or "0"
    return out


def id_places(urls: Iterable[str]) -> frozenset[str]:
    """The places (as :func:`id_values` names them) that hold an article id on a site, learned
    from its archived article URLs: present in at least :data:`LEAST_URLS` of them, with a
    different number in at least :data:`LEAST_DISTINCT` of those. A category id, shared by
    many articles, is not an id; nothing is learned from fewer URLs."""
    seen: dict[str, Counter[str]] = {}
    for url in urls:
        for place, value in id_values(url).items():
            seen.setdefault(place, Counter())[value] += 1
    places = set()
    for place, values in seen.items():
        total = sum(values.values())
        if total >= LEAST_URLS and len(values) >= LEAST_DISTINCT * total:
            places.add(place)
    return frozenset(places)


def same_id(url: str, other: str, places: frozenset[str]) -> bool:
    """Do two URLs of a site carry the same number in one of its id places?"""
    mine = id_values(url)
    theirs = id_values(other)
    return any(place in mine and mine[place] == theirs.get(place) for place in places)
