"""Text helpers shared by the layouts: Unicode normalisation and whitespace clean-up."""

from __future__ import annotations

import unicodedata

#: Folded like white space, though Python does not count them as such (``str.isspace``):
#: zero-width space and the byte-order mark.
_INVISIBLE_SPACES = ("\u200b", "\ufeff")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (editors paste decomposed Vietnamese from Word)."""
    return unicodedata.normalize("NFC", text)


def clean(text: str | None) -> str:
    r"""NFC, every run of white space (``&nbsp;``, the Unicode spaces, U+200B and U+FEFF
    included) folded to one space, stripped.

    White space is what ``\s`` matches plus those two; ``str.split`` splits on exactly the
    characters ``\s`` matches, several times faster than a regular expression on long text."""
    if not text:
        return ""
    text = nfc(text)
    for invisible in _INVISIBLE_SPACES:
        if invisible in text:
            text = text.replace(invisible, " ")
    return " ".join(text.split())


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
    separated by a space, scripts and styles left out; cleaned.

    The walk keeps its own stack, so a tree nested thousands deep (unclosed ``<font>`` tags)
    does not exhaust Python's recursion limit."""
    tag = getattr(el, "tag", None)
    if not isinstance(tag, str) or tag in _SKIP:
        return ""
    if not len(el):  # type: ignore[arg-type]  # a leaf: its own text is all there is
        return clean(el.text)  # type: ignore[attr-defined]
    parts: list[str] = []
    # (node, closing): a node is visited on the way down, then closed after its children.
    stack: list[tuple[object, bool]] = [(el, False)]
    while stack:
        node, closing = stack.pop()
        tag = getattr(node, "tag", None)
        if closing:
            if tag in _BLOCKS:
                parts.append(" ")
            if node is not el and node.tail:  # type: ignore[attr-defined]
                parts.append(node.tail)  # type: ignore[attr-defined]
            continue
        if not isinstance(tag, str) or tag in _SKIP:
            if node.tail:  # type: ignore[attr-defined]
                parts.append(node.tail)  # type: ignore[attr-defined]
            continue
        if tag in _BLOCKS:
            parts.append(" ")
        if node.text:  # type: ignore[attr-defined]
            parts.append(node.text)  # type: ignore[attr-defined]
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))  # type: ignore[call-overload]
    return clean("".join(parts))
