"""Full-text search of the archive, the way Vietnamese is typed.

A query finds the same articles with or without diacritics ("đảng viên", "dang vien"), in any
case, NFC or NFD, and FTS5's operators work: ``a OR b``, ``a NOT b``, ``"a phrase"``,
``prefix*``, ``( )``, ``NEAR(a b, 10)``. The syntax, and how a query is checked and folded, is
``crawler/query.py``'s; a query that does not add up raises :class:`MalformedQuery`.

How the folding works: the index (``articles_fts``, FTS5 with ``unicode61 remove_diacritics
2``, kept by the triggers of ``crawler/migrations.py``) holds each column as its đ→d folded
copy followed by the text itself. The tokenizer folds case and every other mark; đ is a
letter of its own, which the folded copy takes care of. The query's words are made NFC and
folded the same way (đ→d; Ð, the look-alike eth, too), then quoted one by one, so what a user
typed never reads as FTS5 syntax except the operators. The SQL is ``Archive.search`` and
``Archive.count_matches``.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from crawler.archivefile import check_archive
from crawler.query import MalformedQuery as MalformedQuery  # re-exported
from crawler.query import build_match as build_match
from crawler.query import fold as fold
from crawler.storage import Archive

#: The orders of hits ``sort`` takes (the SQL behind each is ``Archive.search``'s).
SEARCH_SORTS = Archive.SEARCH_SORTS


class Hits(list):
    """The hits of a search (a list of dicts), with ``total``: how many articles match."""

    total: int


def check_date(value: str | None, name: str) -> str | None:
    """``value`` if it is an ISO date (YYYY-MM-DD) or None; ValueError naming ``name`` if not."""
    if value is not None:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name} must be a date, YYYY-MM-DD: {value!r}") from None
    return value


def open_existing(db: str | Path) -> Archive:
    """The archive at ``db``, which must exist (reading commands never create an empty one),
    opened read-only (they never change it either);
    :class:`~crawler.archivefile.ArchiveUnusable` when it does not or is not an archive."""
    check_archive(db)
    return Archive(db, readonly=True)


def search(query: str, db: str | Path = "archive.db", *, site: str | None = None,
           category: str | None = None, since: str | None = None, until: str | None = None,
           author: str | None = None, limit: int = 20, mark: tuple[str, str] = ("[", "]"),
           sort: str = "rank") -> Hits:
    """Articles matching ``query``, best first (``sort="rank"``: bm25, the title weighs most,
    then the summary), or ``"newest"`` or ``"oldest"`` first by publication date (undated
    articles last).

    Each hit has the article's id, site, key, url, category, title, published and author, its
    bm25 ``rank`` (lower is better), ``title_highlighted`` and a ``snippet`` (of the body, or of
    the summary when only the summary matches) with the matched words between ``mark``. In
    date order ``rank`` is None: bm25 is not computed.
    ``since`` and ``until`` are inclusive publication dates. The list's ``total`` is how many
    articles match in all (counted only when the hits reach ``limit``).
    Raises :class:`MalformedQuery` (a ValueError) for a query that does not add up.

    >>> search("dang vien", "archive.db", since="2021-01-01")[0]["title"]  # doctest: +SKIP
    'Đảng bộ Văn phòng UBND tỉnh làm tốt công tác phát triển Đảng.'
    """
    match = build_match(query)
    check_date(since, "since")
    check_date(until, "until")
    if limit < 1:
        raise ValueError(f"limit must be positive: {limit}")
    filters = {"site": site, "category": category, "since": since, "until": until,
               "author": author}
    with open_existing(db) as archive:
        try:
            hits = Hits(archive.search(match, **filters, limit=limit, mark=mark, sort=sort))
            hits.total = (len(hits) if len(hits) < limit else
                          archive.count_matches(match, **filters))
        except sqlite3.OperationalError as exc:  # build_match should leave FTS5 nothing to refuse
            if "fts5" not in str(exc):
                raise
            raise MalformedQuery(str(exc), query) from None
    for hit in hits:
        body, summary = hit.pop("body_snippet"), hit.pop("summary_snippet")
        marked = [s for s in (body, summary) if s and mark[0] in s]
        hit["snippet"] = marked[0] if marked else (body or summary or "")
    return hits


def rebuild_fts(db: str | Path = "archive.db") -> int:
    """Rebuild the full-text index of the archive at ``db`` from its articles (after a bulk
    change that bypassed the triggers, or an index rebuilt by another tool); returns the number
    of articles indexed."""
    check_archive(db, write=True)
    with Archive(db) as archive:
        return archive.rebuild_fts()
