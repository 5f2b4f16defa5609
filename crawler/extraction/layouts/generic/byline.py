"""The author and the source: an "author"-named element, a "Tác giả:" line or a short name-like
line closing the text or in the byline cell right after it ("Bích Huệ<br>(Nguồn: X)"); the
source a "Nguồn:" line."""

from __future__ import annotations

import re

from lxml import etree

from crawler.extraction.layouts.base import _walk
from crawler.extraction.layouts.generic.chrome import _Chrome
from crawler.extraction.metadata import Metadata
from crawler.extraction.text import clean, name_like, parse_byline, text_of

_AUTHOR_HINT = re.compile(r"author|tacgia|tac-gia|actor|byline|writer", re.IGNORECASE)
_NOT_AUTHOR_HINT = re.compile(r"avatar|photo|img|image|list|box-?author", re.IGNORECASE)
_SOURCE_HINT = re.compile(r"source|nguon", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^\(?\s*Nguồn\s*:\s*(?P<src>.+?)\s*\)?$", re.IGNORECASE)
_AUTHOR_LINE = re.compile(r"^(?:Tác giả|Bài(?: và ảnh)?|Tin(?: và ảnh)?|T/h)\s*:\s*(?P<a>.+)$",
                          re.IGNORECASE)


def _source_text(text: str) -> str | None:
    m = _SOURCE_LINE.match(text)
    return (m.group("src") if m else text).strip() or None


def _trailing(main: etree._Element, headings: set[str]) -> list[etree._Element]:
    """Short elements right after the text block (a byline cell, a source line), up to the
    older-items box: following siblings of the block and of its nearest ancestors."""
    out: list[etree._Element] = []
    node = main
    for _ in range(5):
        for sib in node.itersiblings():
            if not isinstance(sib.tag, str) or sib.tag in ("script", "style"):
                continue
            text = text_of(sib)
            if not text:
                continue
            if len(text) > 200 or any(
                    clean(" ".join(e.xpath("text()"))).lower().rstrip(": ") in headings
                    for e in sib.iter() if isinstance(e.tag, str)):
                return out
            out.append(sib)
            if len(out) >= 3:
                return out
        node = node.getparent()
        if node is None:
            break
    return out


def byline(root: etree._Element, main: etree._Element, texts: list[str], headings: set[str],
           title_el: etree._Element | None = None, meta: Metadata | None = None,
           chrome: _Chrome | None = None) -> tuple[str | None, str | None, set[str]]:
    """(author, source, the body lines that were the byline).

    In order: an element marked as the author ("author", "tacgia", "byline"... in its
    class or id) between the headline and the end of the text; a labelled line ("Tác
    giả: X", "Bài và ảnh: X"); a name-like line closing the text or in the byline cell
    after it (up to the older-items box, whose ``headings`` are lower case). Each is read by
    :func:`parse_byline` (dates, times and labels left out; "Theo X" and "Nguồn: X" are
    sources). An author named by the page's metadata is taken when the page prints it and no
    byline was found."""
    author = source = marked = None
    used: set[str] = set()
    scope = main.getparent() if main.getparent() is not None else main
    if title_el is not None:  # from the headline down: a byline under the title
        common = {*title_el.iterancestors()}
        node = main
        while node is not None and node not in common:
            node = node.getparent()
        if node is not None and len(text_of(node)) < 3 * len(text_of(main)) + 2000:
            scope = node
    trailing = _trailing(main, headings)
    for el in [*scope.iter(), *(n for t in trailing for n in t.iter())]:
        if not isinstance(el.tag, str) or (chrome is not None and chrome(el)):
            continue
        marks = f"{el.get('id', '')} {el.get('class', '')}"
        if author is None and _AUTHOR_HINT.search(marks) and not _NOT_AUTHOR_HINT.search(
                marks):
            line = parse_byline(text_of(el))
            author = line.author
            source = source or line.source
            if author:
                used.add(text_of(el))
                marked = text_of(el)
        elif source is None and _SOURCE_HINT.search(marks) and len(text_of(el)) <= 120:
            source = parse_byline(text_of(el)).source or _source_text(text_of(el))
    if marked is not None and len(texts) >= 2 and texts[-1] == marked:
        # The text closes with a signed name, then the CMS's author field ("Hoàng Linh", then
        # "Phạm Văn Linh", the account that posted it): the signature is the author.
        signed = parse_byline(texts[-2]).author if len(texts[-2]) <= 60 else None
        if signed and name_like(signed) and signed != author:
            author = signed
            used.add(texts[-2])
    # A byline cell after the text: "Bích Huệ<br>(Nguồn: Trang TTĐT VP)".
    cells = [c for el in trailing for c in (el.xpath(".//td[not(.//td)]") or [el])]
    after = [b.text for c in cells for b in _walk(c, "") if b.kind == "text"]
    for text in texts + after:
        m = _SOURCE_LINE.match(text)
        if m and source is None:
            source = m.group("src")
            used.add(text)
        m = _AUTHOR_LINE.match(text)
        if m and author is None:
            author = parse_byline(text).author or m.group("a")
            used.add(text)
    if author is None and (texts or after):
        tail = [t for t in (texts[-3:] + after[:2]) if t != source
                and not _SOURCE_LINE.match(t)]
        for candidate in reversed(tail):
            if len(candidate) > 80 or candidate.endswith((":", "?", "!")):
                continue
            line = parse_byline(candidate)
            if line.author or line.source:
                author, source = line.author or author, source or line.source
                used.add(candidate)
                if author:
                    break
    if meta is not None and meta.authors:
        page_text = text_of(scope).casefold() + " " + " ".join(after).casefold()
        names = {n.casefold() for n in meta.site_names}
        for name in meta.authors:
            if (name.casefold() not in names and name_like(name)
                    and name.casefold() in page_text):
                if author is None or (author.casefold() in name.casefold()):
                    author = name
                break
    return author, source, used
