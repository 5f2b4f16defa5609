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
from collections.abc import Hashable, Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

from crawler.seen import fingerprint

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
    return articles_id_places((url, url) for url in urls)


def articles_id_places(spellings: Iterable[tuple[str, Hashable]]) -> frozenset[str]:
    """:func:`id_places` of URLs given with the article each spells (any hashable that tells
    articles apart: a title's fingerprint): an article's several spellings, which carry its id
    each, count once."""
    seen: dict[str, dict[str, set[Hashable]]] = {}
    for url, article in spellings:
        for place, value in id_values(url).items():
            seen.setdefault(place, {}).setdefault(value, set()).add(article)
    places = set()
    for place, values in seen.items():
        total = sum(len(articles) for articles in values.values())
        if total >= LEAST_URLS and len(values) >= LEAST_DISTINCT * total:
            places.add(place)
    return frozenset(places)


def same_id(url: str, other: str, places: frozenset[str]) -> bool:
    """Do two URLs of a site carry the same number in one of its id places?"""
    mine = id_values(url)
    theirs = id_values(other)
    return any(place in mine and mine[place] == theirs.get(place) for place in places)


class KnownIds:
    """The ids of a site's articles, in the places learned from their URLs, with the
    fingerprint of each one's title: does a URL no article was fetched by carry the id of one
    that was (another spelling of an archived article's URL, a retitled article's new slug, or
    a spelling of one fetched earlier in this run)? ``pairs``: (URL, title) of the archived
    articles. Until the URLs given show an id place (:func:`id_places` needs
    :data:`LEAST_URLS`), they are kept and the places learned again each time their number
    doubles; once learned, the places stay and only fingerprints are kept."""

    NO_TITLE = 0

    def __init__(self, pairs: Iterable[tuple[str, str | None]] = ()) -> None:
        self.places: frozenset[str] = frozenset()
        self._titles: dict[int, int] = {}
        # (URL, the article it spells, title): spellings are told apart by title (by URL when
        # an article has none), so that an article's aliases count once.
        self._pending = [(url, self._title(title) or url, self._title(title))
                         for url, title in pairs]
        self._learn()

    @classmethod
    def _title(cls, title: str | None) -> int:
        return fingerprint(title) if title else cls.NO_TITLE

    def _learn(self) -> None:
        self.places = articles_id_places((url, article) for url, article, _ in self._pending)
        if self.places:
            for url, _, title in self._pending:
                self._put(url, title)
            self._pending = []
        else:
            self._next = max(LEAST_URLS, 2 * len(self._pending))

    def _ids(self, url: str) -> list[int]:
        return [fingerprint(f"{place} {value}") for place, value in id_values(url).items()
                if place in self.places]

    def _put(self, url: str, title: int) -> None:
        for fp in self._ids(url):
            self._titles[fp] = title

    def add(self, url: str, title: str | None = None) -> None:
        """An article fetched in this run, at ``url``, titled ``title``: no other spelling of
        it needs fetching in this run, whatever title a link gives it (it is kept with
        ``NO_TITLE``; ``title`` only tells its spellings apart from other articles')."""
        if self.places:
            self._put(url, self.NO_TITLE)
            return
        self._pending.append((url, self._title(title) or url, self.NO_TITLE))
        if len(self._pending) >= self._next:
            self._learn()

    def title_of(self, url: str) -> int | None:
        """The title fingerprint of the article whose id ``url`` carries (``NO_TITLE`` when it
        had none), or None when ``url`` carries no known id."""
        for fp in self._ids(url):
            if (title := self._titles.get(fp)) is not None:
                return title
        return None

    def __contains__(self, url: str) -> bool:
        return self.title_of(url) is not None

    def __len__(self) -> int:
        return len(self._titles)
