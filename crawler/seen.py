"""What a crawl has already seen, in 8 bytes an entry.

A crawl must remember every article key it scheduled, every photo and attachment it fetched
and every request it sent, so that nothing is fetched twice; an incremental run also holds the
key and title of every archived article. In Python sets of strings or
bytes that is 100 to 150 bytes an entry (the object, its hash-table slot, the table's slack):
about 0.5 KB an article, the part of a crawl's memory that grows with the portal.

``SeenSet`` keeps a 64-bit fingerprint of each entry in a sorted ``array('Q')`` (8 bytes an
entry) and the newest ones in a small set (an int and a table slot, about 80 bytes each)
that is merged into the array when it reaches a thirty-second of it. The fingerprint is
Python's own string hash (SipHash, keyed per process, and cached on the string), so a
SeenSet lives in one process and is never stored. Two different
entries share a fingerprint with a probability of about n²/2⁶⁵: one in 37 million for a
million entries; the cost of a collision is one URL not fetched, which a later run would
pick up. Pure Python, no Scrapy.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable

__all__ = ["KnownArticles", "SeenSet", "fingerprint"]


_MASK = (1 << 64) - 1


def fingerprint(item: str | bytes) -> int:
    """The 64-bit fingerprint of ``item`` in this process (unsigned)."""
    return hash(item) & _MASK


def _position(fingerprints: array, fp: int) -> int | None:
    """Where ``fp`` is in the sorted ``fingerprints``, or None."""
    i = bisect_left(fingerprints, fp)
    return i if i < len(fingerprints) and fingerprints[i] == fp else None


class SeenSet:
    """A set of strings or bytes supporting ``add``, ``in`` and ``len``, stored as
    fingerprints: it cannot give its entries back."""

    #: The newest entries are kept in a set of at least this many before a merge,
    MIN_RECENT = 4096
    #: or of this fraction of the array: a merge copies the array (in C) and places each of
    #: the newest by bisection, so its cost per entry does not depend on the fraction; the
    #: set's memory does (an eighth of the 226,000 request fingerprints of a crawl at 100,000
    #: articles held 2.3 MB).
    RECENT_FRACTION = 32

    def __init__(self, items: Iterable[str | bytes] = ()) -> None:
        self._sorted = array("Q")
        self._recent: set[int] = set()
        for item in items:
            self._insert(fingerprint(item))

    def _has(self, fp: int) -> bool:
        return fp in self._recent or _position(self._sorted, fp) is not None

    def __contains__(self, item: str | bytes) -> bool:
        return self._has(fingerprint(item))

    def add(self, item: str | bytes) -> None:
        self._insert(fingerprint(item))

    def _insert(self, fp: int) -> None:
        if self._has(fp):
            return
        self._recent.add(fp)
        if len(self._recent) >= max(self.MIN_RECENT, len(self._sorted) // self.RECENT_FRACTION):
            self._merge()

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    @property
    def nbytes(self) -> int:
        """Bytes held by the merged fingerprints (the recent set aside)."""
        return self._sorted.buffer_info()[1] * self._sorted.itemsize

    def _merge(self) -> None:
        # The sorted newest go into a new array of the exact size, between runs of the old
        # one copied as slices (in C): no entry of the array becomes a Python int. Sorting
        # the whole array instead made a list of every entry as an int, about 50 bytes each,
        # at each merge: 11 MB at the 226,000 request fingerprints of a crawl at 100,000
        # articles, a peak that grew with the portal.
        old, recent = self._sorted, sorted(self._recent)
        merged = array("Q", [0]) * (len(old) + len(recent))
        at = start = 0
        for fp in recent:
            end = bisect_left(old, fp, start)
            merged[at:at + end - start] = old[start:end]
            at += end - start
            merged[at] = fp
            at += 1
            start = end
        merged[at:] = old[start:]
        self._sorted = merged
        self._recent = set()


class KnownArticles:
    """The articles archived for a site, for the spider's questions: is this key archived,
    and is this the title it was archived with (an edit hint when not)? Kept as fingerprints
    of key and title in two arrays sorted by key, 16 bytes an article; a dict of keys to
    titles held about 300 (a Vietnamese title is stored two bytes a character).
    ``pairs`` are (key, title); of a key given twice, the later title counts."""

    NO_TITLE = 0  # an article archived without a title (a 1 in 2⁶⁴ collision: one refetch)

    def __init__(self, pairs: Iterable[tuple[str, str | None]] = ()) -> None:
        titles = {fingerprint(key): fingerprint(title) if title else self.NO_TITLE
                  for key, title in pairs}
        self._keys = array("Q", sorted(titles))
        self._titles = array("Q", (titles[k] for k in self._keys))

    def __contains__(self, key: str) -> bool:
        return _position(self._keys, fingerprint(key)) is not None

    def __len__(self) -> int:
        return len(self._keys)

    def archived_title(self, key: str) -> int | None:
        """The fingerprint of the title ``key`` was archived with; None when ``key`` is not
        archived or was archived without a title."""
        i = _position(self._keys, fingerprint(key))
        if i is None or self._titles[i] == self.NO_TITLE:
            return None
        return self._titles[i]
