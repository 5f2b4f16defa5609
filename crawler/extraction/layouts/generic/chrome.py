"""The page's chrome: which elements sit in a header, menu, sidebar or footer, and the anchor
texts of tool bars (print, e-mail, "back"), never an article's."""

from __future__ import annotations

import re

from lxml import etree

_CHROME = re.compile(
    r"(^|[-_\s])(header|menu|nav|navbar|footer|sidebar|leftcol|rightcol|left|right|banner|"
    r"topbar|breadcrumb|quangcao|lienket|weblink)([-_\s]|$)", re.IGNORECASE)
#: An article's own header or footer (its headline, date and share buttons; its tags): a
#: ``header`` or ``footer`` mark after a word that names the article is not the page's band.
_OWN = re.compile(r"(?i)\b(?:article|post|entry|detail|news|story|content|single|bai-?viet)"
                  r"[-_]{0,2}(?:header|footer)\b")
#: Anchor texts of tool bars: a print view, an e-mail form, an export; never an article.
_TOOL_TEXTS = {"email", "e-mail", "print", "pdf", "in", "in bài viết", "in trang", "in bài",
               "gửi email", "gửi bài viết", "gửi bài", "quay lại", "về đầu trang", "đầu trang"}


def _band(node: etree._Element) -> bool:
    """Is a ``<header>`` / ``<footer>`` the page's band (a menu, a search form, a logo row)
    rather than an article's own header (its date and share buttons)?"""
    return (node.find(".//nav") is not None or node.find(".//form") is not None
            or len(node.xpath(".//a[@href]")) >= 6)


class _Chrome:
    """Which elements sit in a header, menu, sidebar or footer, worked out once per page.

    Chrome marks on the ancestors of the text block itself do not count: a newspaper names its
    main column ``sidebar_1``, and its article header is a ``<header>``."""

    def __init__(self, root: etree._Element) -> None:
        self.marked: set[etree._Element] = set()
        self.marked = {node for node in root.iter() if _marked(node)}
        self.allowed: set[etree._Element] = set()

    def around(self, main: etree._Element) -> None:
        """From now on, chrome marks on ``main`` and its ancestors do not count."""
        self.allowed = {main, *main.iterancestors()}

    def __call__(self, el: etree._Element) -> bool:
        return any(node in self.marked and node not in self.allowed
                   for node in el.iterancestors())


def _marked(node: etree._Element) -> bool:
    """Is ``node`` a header, menu, sidebar or footer of the page (by its tag, or its id and
    class), and not an article's own header or footer?"""
    if not isinstance(node.tag, str):
        return False
    if node.tag in ("header", "footer") and next(node.iterancestors("article"), None) is not None:
        return False  # HTML5: a <header> inside an <article> is the article's own
    marks = f"{node.get('id', '')} {node.get('class', '')}"
    if _OWN.search(marks):
        return bool(_CHROME.search(_OWN.sub(" ", marks)))
    if node.tag in ("nav", "aside") or (node.tag in ("header", "footer") and _band(node)):
        return True
    return bool(marks.strip() and _CHROME.search(marks))


def _chrome(el: etree._Element) -> bool:
    """Is ``el`` inside a header, menu, sidebar or footer (no page-wide view of the marks)?"""
    return any(_marked(node) for node in el.iterancestors())
