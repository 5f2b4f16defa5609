"""Text helpers shared by the layouts: Unicode normalisation and whitespace clean-up."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"[\s\u00a0\u200b\u2000-\u200a\u202f\u205f\u3000\ufeff]+")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (editors paste decomposed Vietnamese from Word)."""
    return unicodedata.normalize("NFC", text)


def clean(text: str | None) -> str:
    """NFC, every run of white space (``&nbsp;`` included) folded to one space, stripped."""
    if not text:
        return ""
    return _WS.sub(" ", nfc(text)).strip()


def clean_lines(parts: list[str]) -> str:
    """Join text nodes into one cleaned string."""
    return clean(" ".join(parts))


_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol",
    "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_SKIP = frozenset({"script", "style", "noscript", "template"})


def text_of(el: object) -> str:
    """Visible text of an lxml element: inline tags joined as they are, block tags and ``<br>``
    separated by a space, scripts and styles left out; cleaned."""
    parts: list[str] = []

    def walk(node: object) -> None:
        tag = getattr(node, "tag", None)
        if not isinstance(tag, str):
            return
        if tag in _SKIP:
            return
        block = tag in _BLOCKS
        if block:
            parts.append(" ")
        if node.text:  # type: ignore[attr-defined]
            parts.append(node.text)  # type: ignore[attr-defined]
        for child in node:  # type: ignore[attr-defined]
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append(" ")

    walk(el)
    return clean("".join(parts))
