"""Full-text search of the archive, the way Vietnamese is typed.

A query finds the same articles with or without diacritics ("đảng viên", "dang vien"), in any
case, NFC or NFD. Query syntax:

- words: every word must occur (in the title, the summary or the body);
- ``"phát triển đảng"``: a phrase, its words in this order;
- ``dang*`` (or ``"phát triển"*``): a prefix.

How the folding works: the index (``articles_fts``, FTS5 with ``unicode61 remove_diacritics
2``, kept by the triggers of ``crawler/migrations.py``) holds each column as its đ→d folded
copy followed by the text itself. The tokenizer folds case and every other mark; đ is a
letter of its own, which the folded copy takes care of. Here the query is made NFC and
folded the same way (đ→d; Ð, the look-alike eth, too), then quoted item by item, so FTS5's
own operators never misfire on what a user typed. The SQL is ``Archive.search``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

from crawler.storage import Archive

#: The orders of hits ``sort`` takes (the SQL behind each is ``Archive.search``'s).
SEARCH_SORTS = Archive.SEARCH_SORTS
#: đ and Đ, and their look-alikes ð and Ð (eth), typed by some keyboards for đ.
_FOLD = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})
#: A quoted phrase (the closing quote may be missing), with an optional prefix star; or a word.
_ITEM = re.compile(r'"([^"]*)"?(\*?)|(\S+)')


def fold(text: str) -> str:
    """``text`` in NFC with đ/Đ folded to d/D (the tokenizer folds every other mark)."""
    return unicodedata.normalize("NFC", text).translate(_FOLD)


def build_match(query: str) -> str:
    """The FTS5 MATCH expression for a user's query: each word or phrase quoted, ``*`` kept as a
    prefix marker. Raises ValueError when the query has nothing to search for.

    >>> build_match('Đảng viên "phát triển Đảng" dang*')
    '"Dảng" "viên" "phát triển Dảng" "dang"*'
    """
    items = []
    for phrase, star, word in _ITEM.findall(fold(query)):
        text, prefix = (phrase, bool(star)) if not word else (word.rstrip("*"), word[-1] == "*")
        if not re.search(r"\w", text):
            continue
        items.append('"' + text.replace('"', '""') + '"' + ("*" if prefix else ""))
    if not items:
        raise ValueError(f"nothing to search for in {query!r}")
    return " ".join(items)


def check_date(value: str | None, name: str) -> str | None:
    """``value`` if it is an ISO date (YYYY-MM-DD) or None; ValueError naming ``name`` if not."""
    if value is not None:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name} must be a date, YYYY-MM-DD: {value!r}") from None
    return value


def open_existing(db: str | Path) -> Archive:
    """The archive at ``db``, which must exist (reading commands never create an empty one)."""
    if not Path(db).is_file():
        raise FileNotFoundError(f"no archive at {db}")
    return Archive(db)


def search(query: str, db: str | Path = "archive.db", *, site: str | None = None,
           category: str | None = None, since: str | None = None, until: str | None = None,
           author: str | None = None, limit: int = 20, mark: tuple[str, str] = ("[", "]"),
           sort: str = "rank") -> list[dict[str, Any]]:
    """Articles matching ``query``, best first (``sort="rank"``: bm25, the title weighs most,
    then the summary), or ``"newest"`` or ``"oldest"`` first by publication date (undated
    articles last).

    Each hit has the article's id, site, key, url, category, title, published and author, its
    bm25 ``rank`` (lower is better), ``title_highlighted`` and a ``snippet`` (of the body, or of
    the summary when only the summary matches) with the matched words between ``mark``. In
    date order ``rank`` is None: bm25 is not computed.
    ``since`` and ``until`` are inclusive publication dates.

    >>> search("dang vien", "archive.db", since="2021-01-01")[0]["title"]  # doctest: +SKIP
    'Đảng bộ Văn phòng UBND tỉnh làm tốt công tác phát triển Đảng.'
    """
    match = build_match(query)
    check_date(since, "since")
    check_date(until, "until")
    if limit < 1:
        raise ValueError(f"limit must be positive: {limit}")
    with open_existing(db) as archive:
        hits = archive.search(match, site=site, category=category, since=since, until=until,
                              author=author, limit=limit, mark=mark, sort=sort)
    for hit in hits:
        body, summary = hit.pop("body_snippet"), hit.pop("summary_snippet")
        marked = [s for s in (body, summary) if s and mark[0] in s]
        hit["snippet"] = marked[0] if marked else (body or summary or "")
    return hits


def rebuild_fts(db: str | Path = "archive.db") -> int:
    """Rebuild the full-text index of the archive at ``db`` from its articles (after a bulk
    change that bypassed the triggers, or an index rebuilt by another tool); returns the number
    of articles indexed."""
    with open_existing(db) as archive:
        return archive.rebuild_fts()
