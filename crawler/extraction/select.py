"""CSS selectors compiled once, evaluated on lxml elements: what parsel's ``.css()`` finds,
without its per-call cost.

``Selector.css(query)`` translates the query (cached), builds an XPath evaluator and wraps every
result in a new ``Selector``. A layout asks the same dozen queries on every page, and the
older-items box asks three more per entry, so that overhead came to more than the parse itself.
Here a query is translated with parsel's own translators (HTML or XML, as parsel picks for the
document) into an :class:`lxml.etree.XPath` built once, and the results are the lxml nodes
themselves: elements, or strings for ``::attr()`` and ``::text``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lxml import etree
from parsel import Selector
from parsel.csstranslator import GenericTranslator, HTMLTranslator

__all__ = ["css_query", "kind_of", "select", "wrap"]

#: The translator parsel uses for each kind of document.
_TRANSLATORS = {"html": HTMLTranslator(), "xml": GenericTranslator()}


@lru_cache(maxsize=1024)
def css_query(css: str, kind: str = "html") -> etree.XPath:
    """``css`` compiled into the XPath that parsel evaluates for it on a ``kind`` document
    ("html" or "xml"). Raises parsel's (cssselect's) error for a query that is not CSS."""
    return etree.XPath(_TRANSLATORS[kind].css_to_xpath(css), smart_strings=False)


def kind_of(sel: Selector) -> str:
    """The kind ("html" or "xml") of the elements a parsel Selector yields."""
    return "xml" if sel.type == "xml" else "html"


def select(node: Any, css: str, kind: str = "html") -> list[Any]:
    """What ``Selector(node).css(css)`` finds, as lxml nodes (``[x.root for x in ...]``).

    ``node`` is an lxml element of a ``kind`` document, or a parsel Selector (whose own kind is
    used). A Selector that holds no element tree (JSON, plain text) goes through parsel itself,
    so it fails or finds nothing exactly as ``.css()`` does.
    """
    if isinstance(node, etree._Element):
        return css_query(css, kind)(node)
    if isinstance(node, str):  # a ``::text`` / ``::attr()`` result, as parsel wraps it
        node = Selector(text=node, type="text")
    if node.type in _TRANSLATORS and isinstance(node.root, etree._Element):
        return css_query(css, node.type)(node.root)
    return [x.root for x in node.css(css)]


def wrap(node: Any, kind: str = "html") -> Selector:
    """A parsel Selector on a node that :func:`select` returned, as ``.css()`` would wrap it."""
    if isinstance(node, str):
        return Selector(text=node, type="text")
    return Selector(root=node, type=kind)
