"""Liferay portals: Vietsoftware vPortal (VCMS portlets) and the egov asset-publisher suite.

Article URLs are portlet URLs: ``/web/guest/tin-tuc?p_p_id=vcmsviewcontent_WAR_VCMSportlet_
INSTANCE_<12>&p_p_col_pos=<n>&p_p_col_count=<n>&_<ns>_articleId=<id>&_<ns>_categoryId=<n>``.
Each box linking an article writes its own INSTANCE id and column position, so the canonical
URL keeps only the article id, under the portlet's bare id (``article_url_template``); the print
view ``print_article.jsp?printArticleId=<id>`` folds into the same article.

Two article templates share the portal:

- vPortal ``view_article.jspf``: ``h2.wd-tlh1-2`` category, ``h3.wd-tlh3-4`` title,
  ``p.wd-date`` "Ngay dang: 5/04/2021", a bold lead paragraph, "Tài liệu đính kèm" links
  (``a.wd-download-pdf`` → ``/documents/…``), then the body, which the template prints inside a
  ``<p>``: parsed, its paragraphs become siblings of the title, so the body is taken as the
  elements between the lead (or attachments) and ``p.wd-actor``. "Các tin khác" items are
  ``li > a "Title&nbsp;<span>(5/04/2021)</span>"``: the date sits inside the link.
- egov ``full_content.jsp``: the portlet title is the category, ``div.asset_title``,
  ``div.asset-publish-date`` "Thứ Ba, ngày 20/04/2021 08:30 | GMT +7", ``div.asset-abstract``,
  ``div.asset-content``; ``related_assets.jspf`` splits the related items into "Tin mới hơn"
  (newer) and "Tin cũ hơn" (older), each ``li > a + span.publish_date "(20/04)"`` with no year.

``related`` holds the older items only (what "Các tin đã đăng" means); the newer ones are
still followed as links. A yearless older date is resolved against the entry above it (the
article's own date for the first): the list runs newest first, so each item is on or before
the previous one. A gap of a year or more between neighbours cannot be seen on the page.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector

from crawler.extraction.dates import parse_date
from crawler.extraction.layouts.base import Block, Layout, Links, _walk, clean_html, resolve
from crawler.extraction.page import Page
from crawler.extraction.text import text_of
from crawler.extraction.urls import canonical_url, join_url, strip_session
from crawler.items import Article, RelatedEntry

PORTLET = "vcmsviewcontent_WAR_VCMSportlet"
_SOURCE_LABEL = re.compile(r"^\s*(?:Nguồn|Theo)\s*:\s*", re.IGNORECASE)
#: Parameters that only say where the linking portlet sat on its page.
_LAYOUT_PARAMS = frozenset({"p_p_col_pos", "p_p_col_count"})


class LiferayPortal(Layout):
    name = "liferay"
    valid_from = "2010-01-01"
    selectors = {
        "container": (
            "div.wd-boxs:has(> div.wd-introduction > p.wd-date), "
            "div.portlet-boundary:has(div.asset_publisher_view_full_content), "
            "div.wd-print-article"
        ),
        "category": "h2.wd-tlh1-2, span.portlet-title-text",
        "date": "p.wd-date, div.asset-publish-date",
        "title": "h3.wd-tlh3-4, div.asset_title",
        "summary": "div.wd-introduction > p[style*='font-weight'], div.asset-abstract",
        "content": "div.asset-content > div.journal-content-article",
        "body_start": "div.wd-introduction",  # vPortal: the body is loose in here
        "author": "p.wd-actor, div.article-author",
        "source": "p.wd-source, div.article-source",
        "attachment": "a.wd-download-pdf",
        "related_item": "ul.wd-other-news > li, div.older_related_asset li",
        "related_date": "span",
        "pager": "ul.yiiPager",
        "pager_next": "ul.yiiPager li.next > a",
        "listing_title": "ul.wd-communication h3 > a",
    }
    article_patterns = (
        rf"[?&]_{PORTLET}(?:_INSTANCE_[A-Za-z0-9]+)?_articleId=(\d+)",
        r"/print_article\.jsp\?(?:[^#]*&)?printArticleId=(\d+)",
    )
    listing_patterns = (r"/web/[^/?#;]+/[^/?#;]+/?(?:[;?#]|$)", r"://[^/]+/?$")
    article_url_template = f"/web/guest/tin-tuc?p_p_id={PORTLET}&_{PORTLET}_articleId={{id}}"

    # --- URLs ---------------------------------------------------------------------------------
    def page_url(self, url: str) -> str:
        """Listing URLs without the linking portlet's column position; page 1 of a pager
        (``_cur=1``) is the bare page."""
        url = super().page_url(url)
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        if any(k.endswith("_cur") and v == "1" for k, v in query):
            kept = []
        else:
            kept = [(k, v) for k, v in query if k not in _LAYOUT_PARAMS]
        if kept == query:
            return url
        return canonical_url(urlunsplit((parts.scheme, parts.netloc, parts.path,
                                         urlencode(kept), "")))

    # --- pages --------------------------------------------------------------------------------
    def article(self, page: Page, site: str = "") -> Article | None:
        art = super().article(page, site)
        if art is not None and art.source:
            art.source = _SOURCE_LABEL.sub("", art.source) or None
        return art

    def links(self, page: Page) -> Links:
        """As the base class, with related-box titles read without their date span."""
        out = super().links(page)
        titles = {}
        for a in page.selector.css("ul.wd-other-news a[href], div.related_asset li a[href]"):
            url = join_url(page.url, a.attrib["href"])
            if url:
                titles[strip_session(url)] = _title_without_date(a.root)
        out.articles = [(url, titles.get(url, title)) for url, title in out.articles]
        return out

    def related(self, page: Page, reference: date | None) -> list[RelatedEntry]:
        """The older items of the article's box, newest first; a yearless date takes its year
        from the entry above it (the article's own date for the first)."""
        root = self._root(page.selector)
        item_css = self.sel.get("related_item")
        if root is None or not item_css:
            return []
        entries = []
        before = reference
        for li in root.css(item_css):
            links = li.css("a[href]")
            if not links:
                continue
            url = join_url(page.url, links[0].attrib["href"])
            if url is None:
                continue
            dates = li.css(self.sel.get("related_date") or "span")
            date_text = text_of(dates[0].root) if dates else ""
            parsed = parse_date(date_text, reference=before) if date_text else None
            if parsed is not None:
                before = parsed.day
            entries.append(RelatedEntry(
                url=self.article_url(strip_session(url)),
                title=_title_without_date(links[0].root),
                published=parsed.iso() if parsed else None,
                published_text=date_text or None,
            ))
        return entries

    def content_blocks(self, root: Selector, base_url: str) -> Iterator[Block]:
        body = self._body(root)
        if body is not None:
            yield from _walk(body, base_url)
        seen = set()
        for a in root.css(self.sel.get("attachment") or "a.wd-download-pdf"):
            url = resolve(base_url, a.attrib.get("href", "").strip())
            if url is not None and url != base_url and url not in seen:
                seen.add(url)
                yield Block("attachment", url=url, text=text_of(a.root))

    def body_html(self, root: Selector, base_url: str) -> str:
        body = self._body(root)
        return clean_html(body, base_url) if body is not None else ""

    # --- helpers ------------------------------------------------------------------------------
    def _root(self, s: Selector) -> Selector | None:
        found = s.css(self.sel["container"]) if self.sel.get("container") else []
        return found[0] if found else None

    def _body(self, root: Selector) -> etree._Element | None:
        """The article body: the egov content element, or (vPortal) a copy of the elements
        of ``div.wd-introduction`` between the lead/attachments and the author line."""
        content = root.css(self.sel["content"]) if self.sel.get("content") else []
        if content:
            return content[0].root
        intro = root.css(self.sel["body_start"]) if self.sel.get("body_start") else []
        if not intro:
            return None
        body = etree.Element("div")
        lead_seen = False
        for child in intro[0].root:
            if not isinstance(child.tag, str):
                continue
            classes = (child.get("class") or "").split()
            if "wd-actor" in classes or "wd-bortop" in classes or "wd-tlh3-3" in classes:
                break
            if child.tag == "h3" or "wd-date" in classes:
                continue
            if child.xpath(".//a[contains(concat(' ', @class, ' '), ' wd-download-pdf ')]"):
                continue
            if (child.tag == "p" and not lead_seen and not len(body)
                    and "font-weight" in (child.get("style") or "")):
                lead_seen = True
                continue
            body.append(copy.deepcopy(child))
        return body


def _title_without_date(a: etree._Element) -> str:
    """Link text without a date ``<span>`` inside it ("Title&nbsp;<span>(5/04/2021)</span>")."""
    if not a.xpath(".//span"):
        return text_of(a)
    trimmed = copy.deepcopy(a)
    trimmed.tail = None
    for span in trimmed.xpath(".//span"):
        parent = span.getparent()
        tail = span.tail or ""
        previous = span.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(span)
    return text_of(trimmed)
