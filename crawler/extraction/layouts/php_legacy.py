"""Legacy PHP portals (the ``gws_*`` CMS and its kin): everything is ``index.php?page=...``.

Articles are ``/?page=TinTuc&code=<category key>&id=<id>``, linked under several spellings
(``./?page=tin-tuc&...``, ``index.php?page=TinTuc&...``, ``&print=1`` from the tool bar, and
the current listing query with ``&id=`` appended); all fold into one article by id. The server
is PHP, so a repeated parameter keeps its LAST value: listing pagers append ``&vt=<0-based
page>`` to the current query string and parameters pile up (``...&vt=1&vt=2``), which
:meth:`PhpLegacy.page_url` collapses to one URL per page.

The article is a table: category bar, ``h3 > a`` title, "Cập nhật lúc 08:30 ngày 20/04/2021",
"Đăng bởi: <CMS user>" (not the author), the body with ``<font>`` tags (sometimes one
``<font>`` around ``<br>``-separated paragraphs), the author as a bold right-aligned line
closing the body, "Nguồn: ..." and the "CÁC TIN ĐÃ ĐƯA:" table of older items with grey
``(dd/mm/yyyy)`` dates. There is no lead paragraph, so ``summary`` stays None. Attachments are
"<title>: Tải file tại đây" links.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector

from crawler.extraction.dates import parse_date
from crawler.extraction.layouts.base import ATTACHMENT_EXT, Block, Layout, Links, _walk, clean_html
from crawler.extraction.page import Page
from crawler.extraction.text import clean, text_of
from crawler.extraction.urls import canonical_url, join_url, strip_session
from crawler.items import Article, RelatedEntry

#: ``index.php`` (or the bare ``/``) with a query string.
_INDEX = r"^[a-z][a-z0-9+.-]*://[^/?#]+/(?:index\.php)?\?"
_NEWS_PAGE = r"(?=(?:[^#]*&)?page=tin-?tuc(?:&|#|$))"
#: Link text of an attachment that says nothing about the file.
_GENERIC_LINK = re.compile(
    r"^\(?\s*(?:tải file tại đây|tải file|tải về|tải tại đây|tại đây|xem file|download)\s*\)?$",
    re.IGNORECASE,
)
_SOURCE_PREFIX = re.compile(r"^\(?\s*(?:Nguồn|Theo)\s*:\s*", re.IGNORECASE)
_NEWS_VALUES = {"tintuc", "tin-tuc"}
#: Parameters that select the same page in another form: the print layout.
_VIEW_PARAMS = {"print"}


def _last_values(query: str) -> dict[str, str]:
    """PHP's reading of a query string: a repeated parameter keeps its last value."""
    out: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        out.pop(key, None)
        out[key] = value
    return out


class PhpLegacy(Layout):
    name = "php_legacy"
    valid_from = "2003-01-01"
    selectors = {
        "container": "table.news-detail",
        "category": "td.news-cat a",
        "date": "td.date-update",
        "title": "h3 > a",
        "content": "td.content-detail",
        "source": "td.source",
        "pager": "td.pages",
        "pager_next": "td.pages b + a",
        "listing_title": "a.news-title",
    }
    article_patterns = (
        _INDEX + _NEWS_PAGE + r"(?:[^#]*&)?id=(\d+)(?=&|#|$)(?![^#]*&id=)",
    )
    listing_patterns = (
        _INDEX + _NEWS_PAGE,
        r"^[a-z][a-z0-9+.-]*://[^/?#]+/(?:index\.php)?$",  # the home page
    )
    article_url_template = "/?page=TinTuc&id={id}"
    related_headings = Layout.related_headings + ("READ ON",)

    # --- URLs ---------------------------------------------------------------------------------
    def article_url(self, url: str) -> str:
        """``/?page=TinTuc&code=K&id=N`` (canonical order) whatever the spelling of the link:
        ``tin-tuc``, ``index.php``, ``&print=1``, the listing's ``&vt=`` left in."""
        art_id = self.article_id(url)
        if art_id is None:
            return canonical_url(url)
        code = _last_values(urlsplit(url).query).get("code")
        path = f"/?page=TinTuc&code={quote(code, safe='')}&id={art_id}" if code else (
            self.article_url_template.format(id=art_id))
        return canonical_url(urljoin(url, path))

    def page_url(self, url: str) -> str:
        """One URL per listing page: ``index.php`` is ``/``, the last of the piled-up ``vt``
        (and of every other repeated parameter) wins, ``vt=0`` is the listing itself and
        ``page=tin-tuc`` is ``page=TinTuc``."""
        parts = urlsplit(url.strip())
        path = parts.path
        if path.lower() in ("", "/", "/index.php"):
            values = _last_values(parts.query)
            if values.get("page", "").lower() in _NEWS_VALUES:
                values["page"] = "TinTuc"
            if values.get("vt", "").strip() in ("", "0"):
                values.pop("vt", None)
            for name in _VIEW_PARAMS:
                values.pop(name, None)
            url = urlunsplit((parts.scheme, parts.netloc, "/", urlencode(list(values.items())),
                              parts.fragment))
        return super().page_url(url)

    # --- pages --------------------------------------------------------------------------------
    def article(self, page: Page, site: str = "") -> Article | None:
        art = super().article(page, site)
        if art is None:
            return None
        _, author = self._body(page.selector.css(self.sel["container"])[0])
        art.author = author
        if art.source:
            art.source = _SOURCE_PREFIX.sub("", art.source).rstrip(" )") or None
        return art

    def links(self, page: Page) -> Links:
        out = super().links(page)
        by_key = {self.article_key(r.url): r.title for r in out.related}
        out.articles = [(url, title or by_key.get(self.article_key(url)))
                        for url, title in out.articles]
        return out

    def related(self, page: Page, reference: date | None) -> list[RelatedEntry]:
        """The rows of the table headed "CÁC TIN ĐÃ ĐƯA:" (or another older-items heading):
        a link and a grey ``(dd/mm/yyyy)`` after it."""
        table = self._older_items_table(page.selector)
        if table is None:
            return []
        entries = []
        for a in table.xpath(".//a[@href]"):
            url = join_url(page.url, a.get("href"))
            if url is None or self.article_id(url := strip_session(url)) is None:
                continue
            dates = a.xpath("following-sibling::font[1]")
            date_text = text_of(dates[0]) if dates else ""
            parsed = parse_date(date_text, reference=reference) if date_text else None
            entries.append(RelatedEntry(
                url=self.article_url(url),
                title=text_of(a),
                published=parsed.iso() if parsed else None,
                published_text=date_text or None,
            ))
        return entries

    def content_blocks(self, root: Selector, base_url: str) -> Iterator[Block]:
        content, _ = self._body(root)
        if content is not None:
            yield from _walk(content, base_url)

    def body_html(self, root: Selector, base_url: str) -> str:
        content, _ = self._body(root)
        return clean_html(content, base_url) if content is not None else ""

    # --- helpers ------------------------------------------------------------------------------
    def _body(self, root: Selector) -> tuple[etree._Element | None, str | None]:
        """A copy of the body cell without its ``<font>`` wrappers and without the closing
        author line, attachment links titled by the words before them; and the author."""
        found = root.css(self.sel["content"]) if self.sel.get("content") else []
        if not found:
            return None, None
        el = copy.deepcopy(found[0].root)
        etree.strip_tags(el, "font")
        for a in el.xpath(".//a[@href]"):
            if ATTACHMENT_EXT.search(a.get("href")) and _GENERIC_LINK.match(text_of(a)):
                _title_attachment(a, el)
        author = _author_element(el)
        if author is None:
            return el, None
        _remove(author)
        return el, text_of(author)

    def _older_items_table(self, sel: Selector) -> etree._Element | None:
        wanted = {h.casefold() for h in self.related_headings}
        for heading in sel.xpath("//h5 | //h4 | //b | //strong"):
            text = text_of(heading.root).rstrip(" :").casefold()
            if text in wanted:
                tables = heading.root.xpath("ancestor::table[1]")
                if tables:
                    return tables[0]
        return None


def _author_element(el: etree._Element) -> etree._Element | None:
    """The bold line that closes the body (``<p align="right"><b>Diệu Thúy</b></p>``)."""
    for child in reversed(el):
        if clean(child.tail):
            return None  # text after the last element: no closing line
        if not isinstance(child.tag, str) or child.tag in ("script", "style", "br"):
            continue
        text = text_of(child)
        if not text:
            continue  # spacer paragraph
        if child.tag not in ("p", "div") or len(text) > 80:
            return None
        bold = clean(" ".join(text_of(b) for b in child.xpath(".//b | .//strong")))
        return child if bold == text else None
    return None


def _remove(el: etree._Element) -> None:
    """Remove ``el`` from its parent, keeping its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    prev = el.getprevious()
    if el.tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    el.tail = None
    parent.remove(el)


def _title_attachment(a: etree._Element, content: etree._Element) -> None:
    """"Quyết định số 12/QĐ-UBND: <a>Tải file tại đây</a>": the link takes the words before it
    as its text, and its paragraph keeps only the link."""
    parent = a.getparent()
    if parent is None or parent is content:
        return
    title = clean(text_of(parent).replace(text_of(a), "")).strip(" :-–(")
    title = title or clean(a.get("title"))
    if not title:
        return
    for child in list(parent):
        if child is not a:
            _remove(child)
    parent.text = None
    for child in list(a):
        a.remove(child)
    a.text, a.tail = title, None
