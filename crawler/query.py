"""The search query language: what a user types, checked and rewritten as an FTS5 MATCH.

The operators are FTS5's own, with FTS5's precedence; only the words change on the way:

- ``dang vien``: every word must occur (words side by side bind tightest: ``a b NOT c d`` is
  ``(a b) NOT (c d)``);
- ``"phát triển đảng"``: a phrase, its words in this order;
- ``dang*``, ``"phát triển"*``: a prefix;
- ``a OR b``, ``a AND b``, ``a NOT b`` (uppercase; ``NOT`` binds tighter than ``AND``, which
  binds tighter than ``OR``) and ``( )`` to group;
- ``NEAR(a b, 10)``: the words or phrases at most 10 words apart (10 when no number is given).

Each word and phrase is made NFC, đ→d folded (the index holds a folded copy of each column, see
``crawler/migrations.py``) and quoted, so punctuation in a word never reads as FTS5 syntax
(``covid-19`` is the phrase "covid 19"); items with no letter or digit are dropped. A query
whose quotes, parentheses or operators do not add up raises :class:`MalformedQuery` naming
what is wrong, instead of FTS5's "syntax error" or a search for the words "AND" and "OR".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: đ and Đ, and their look-alikes ð and Ð (eth), typed by some keyboards for đ.
_FOLD = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})
OPERATORS = ("AND", "OR", "NOT")
#: One item: NEAR(...), a phrase (with a prefix star), a lone quote, a parenthesis, or a word
#: (it may hold quotes after its first character: ``x"y`` is a word).
_LEX = re.compile(r'''\s*(?:
    (?P<near>NEAR\s*\((?P<inner>(?:[^()"]|"[^"]*")*)\))
  | "(?P<phrase>[^"]*)"(?P<star>\*?)
  | (?P<quote>")
  | (?P<paren>[()])
  | (?P<word>[^\s()"][^\s()]*)
  )''', re.X)
#: The inside of NEAR(...): its items, then an optional ``, distance``.
_NEAR = re.compile(r"(?P<items>.*?)(?:,\s*(?P<distance>\d+))?\s*", re.S)


class MalformedQuery(ValueError):
    """A search query whose quotes, parentheses or operators do not add up."""

    def __init__(self, reason: str, query: str) -> None:
        super().__init__(f"malformed search query: {reason} (in {query!r})")
        self.reason = reason
        self.query = query


def fold(text: str) -> str:
    """``text`` in NFC with đ/Đ folded to d/D (the tokenizer folds every other mark)."""
    return unicodedata.normalize("NFC", text).translate(_FOLD)


@dataclass(frozen=True)
class _Term:
    text: str
    prefix: bool = False

    def fts(self) -> str:
        return '"' + self.text.replace('"', '""') + '"' + ("*" if self.prefix else "")


@dataclass(frozen=True)
class _Near:
    terms: tuple[_Term, ...]
    distance: str | None

    def fts(self) -> str:
        distance = f", {self.distance}" if self.distance else ""
        return f"NEAR({' '.join(t.fts() for t in self.terms)}{distance})"


@dataclass(frozen=True)
class _Op:
    """``op`` between ``items``; op "" is words side by side (an implicit AND)."""
    op: str
    items: tuple[_Term | _Near | _Op, ...]

    def fts(self) -> str:
        leaves = all(not isinstance(i, _Op) for i in self.items)
        # FTS5 puts only phrases and NEAR groups side by side; a group needs an explicit AND.
        joint = " " if self.op == "" and leaves else f" {self.op or 'AND'} "
        return joint.join(i.fts() if not isinstance(i, _Op) else f"({i.fts()})"
                          for i in self.items)


def _term(text: str, prefix: bool) -> _Term | None:
    """A word or phrase, or None when it has nothing to search for ("-", "*", "")."""
    return _Term(text, prefix) if re.search(r"\w", text) else None


def _terms(text: str, query: str) -> list[_Term]:
    """The words and phrases of ``text`` (no operators or parentheses allowed)."""
    terms = []
    for token in _tokens(text, query):
        if not isinstance(token, _Term):
            raise MalformedQuery("NEAR takes words and phrases: NEAR(a b, 10)", query)
        terms.append(token)
    return terms


def _tokens(text: str, query: str) -> list[_Term | _Near | str]:
    """``text`` as terms, NEAR groups, and the strings "(", ")", "AND", "OR", "NOT"."""
    tokens: list[_Term | _Near | str] = []
    pos = 0
    while (m := _LEX.match(text, pos)) and m.end() > pos:
        pos = m.end()
        if m["quote"]:
            raise MalformedQuery('a quote (") is not closed', query)
        if m["paren"]:
            tokens.append(m["paren"])
        elif m["near"] is not None:
            inner = _NEAR.fullmatch(m["inner"])
            assert inner is not None  # the pattern matches any text
            terms = _terms(inner["items"], query)
            if not terms:
                raise MalformedQuery("NEAR needs words or phrases: NEAR(a b, 10)", query)
            tokens.append(_Near(tuple(terms), inner["distance"]))
        elif m["phrase"] is not None:
            if term := _term(m["phrase"], bool(m["star"])):
                tokens.append(term)
        elif m["word"] in OPERATORS:
            tokens.append(m["word"])
        elif m["word"] == "NEAR":
            raise MalformedQuery("NEAR takes its words in parentheses: NEAR(a b, 10)", query)
        elif term := _term(m["word"].rstrip("*"), m["word"].endswith("*")):
            tokens.append(term)
    return tokens


class _Parser:
    """Recursive descent with FTS5's precedence: items side by side, then NOT, AND, OR."""

    def __init__(self, tokens: list[_Term | _Near | str], query: str) -> None:
        self.tokens, self.pos, self.query = tokens, 0, query

    def peek(self) -> _Term | _Near | str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def fail(self, reason: str) -> MalformedQuery:
        return MalformedQuery(reason, self.query)

    def parse(self) -> _Term | _Near | _Op:
        node = self.binary(0)
        if self.peek() == ")":
            raise self.fail("a ')' has no '(' before it")
        return node

    def binary(self, level: int) -> _Term | _Near | _Op:
        """ORs (level 0) of ANDs (1) of NOTs (2) of items side by side (3)."""
        if level == 3:
            items = [self.item()]
            while self.peek() not in (None, ")", *OPERATORS):
                items.append(self.item())
            return items[0] if len(items) == 1 else _Op("", tuple(items))
        op = ("OR", "AND", "NOT")[level]
        items = [self.binary(level + 1)]
        while self.peek() == op:
            self.pos += 1
            items.append(self.binary(level + 1))
        return items[0] if len(items) == 1 else _Op(op, tuple(items))

    def item(self) -> _Term | _Near | _Op:
        token = self.peek()
        before = self.tokens[self.pos - 1] if self.pos else None
        if token is None or token == ")" or token in OPERATORS:
            if before in OPERATORS or token in OPERATORS:
                raise self.fail(f"{before if before in OPERATORS else token} needs something "
                                "to search for on each side")
            if before == "(":
                raise self.fail("'()' holds nothing to search for" if token == ")" else
                                "a '(' is not closed")
            raise self.fail("a ')' has no '(' before it")
        self.pos += 1
        if token != "(":
            return token  # type: ignore[return-value]
        node = self.binary(0)
        if self.peek() != ")":
            raise self.fail("a '(' is not closed")
        self.pos += 1
        return node


def build_match(query: str) -> str:
    """The FTS5 MATCH expression for a user's query (the syntax is this module's docstring).
    Raises :class:`MalformedQuery` when its quotes, parentheses or operators do not add up,
    ValueError when it has nothing to search for.

    >>> build_match('Đảng viên "phát triển Đảng" dang*')
    '"Dảng" "viên" "phát triển Dảng" "dang"*'
    >>> build_match('dang OR (vien NOT "hoi vien") NEAR(ubnd tinh, 3)')
    '"dang" OR (("vien" NOT "hoi vien") AND NEAR("ubnd" "tinh", 3))'
    """
    tokens = _tokens(fold(query), query)
    if not tokens:
        raise ValueError(f"nothing to search for in {query!r}")
    return _Parser(tokens, query).parse().fts()
