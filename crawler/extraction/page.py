"""A fetched page as extraction sees it: url, bytes, headers, time. No Scrapy here.

A Scrapy response, a stored capture and a test fixture all become a :class:`Page`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree
from lxml import html as lxml_html
from parsel import Selector
from parsel.selector import create_root_node
from w3lib.encoding import html_to_unicode

#: C0 control characters other than tab, newline and carriage return: not allowed in XML, so
#: lxml parses them into names and values that its own API then refuses to read or write.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Text that parsel would parse as HTML: it starts (after JSON white space) with a tag that is
#: not an XML declaration, so it is neither JSON nor XML to parsel.
_HTML_START = re.compile(r"[ \t\n\r]*<(?!\?xml\s)")


@dataclass
class Page:
    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: str | None = None
    #: What a layout has already worked out about this page (e.g. its older-items box), so
    #: that extracting the article and listing the links do it once.
    memo: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def text(self) -> str:
        """The body decoded with the HTTP charset, else the ``<meta>`` charset, else a guess."""
        content_type = next(
            (v for k, v in self.headers.items() if k.lower() == "content-type"), None
        )
        _, text = html_to_unicode(content_type, self.body)
        return text

    @cached_property
    def selector(self) -> Selector:
        """The parsed page; C0 control characters (binary garbage) are left out of the parse,
        the body itself is not altered.

        An HTML page is parsed as parsel parses it (its ``create_root_node``, libxml2's HTML
        parser with the same options), but into plain lxml elements: ``lxml.html``'s element
        classes are chosen by a Python callback for every element the code touches, which
        cost more than the parse. Anything else (JSON, an XML declaration) goes to parsel
        whole."""
        text = self._parse_text
        if _HTML_START.match(text):
            root = create_root_node(text, etree.HTMLParser, base_url=self.url)
            return Selector(root=root, type="html")
        return Selector(text=text, base_url=self.url)

    @cached_property
    def html_tree(self) -> lxml_html.HtmlElement:
        """The page parsed as :attr:`selector` parses it, but into ``lxml.html``'s element
        classes: for what reads a form (``form2request`` wants ``FormElement``s). A second
        parse, done only for the pages that need it."""
        return create_root_node(self._parse_text, lxml_html.HTMLParser, base_url=self.url)

    @cached_property
    def _parse_text(self) -> str:
        return _XML_UNSAFE.sub("", self.text)
