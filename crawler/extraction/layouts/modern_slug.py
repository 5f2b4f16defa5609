"""Modern slug CMS portals (2017 on; VNPT, Viettel and local vendors): vn-portals.md §1 E.

Articles live at ``/tin-tuc/<category>/<ascii title slug>-<id>.html``; the id at the end of the
slug is the article's identity, so a retitled article (new slug), its print view (``?print=1``)
and links carrying tracking parameters (``?utm_source=zalo``, ``?fbclid=``) all fold into one
article whose canonical URL is the path without a query. Listings are
``/tin-tuc/<category>.html`` with pages ``/tin-tuc/<category>/trang-N.html`` (which the
``<slug>-<id>.html`` rule would otherwise take for article N).

The pages are semantic HTML5 with ``og:`` meta and, usually, a JSON-LD ``NewsArticle``; the
structured data is preferred (headline, datePublished, author, articleSection) and the DOM is
the fallback when the script is missing or is not valid JSON. The date line ("Ngày đăng:
08/07/2024 11:38" or "01/11/2024 - 09:50") is kept as ``published_text``; the view count
("Lượt xem: 313") and the "Mặc định Cỡ chữ" widget beside it are left out. Summary, source
("Nguồn: ...", prefix dropped) and body come from the DOM: ``og:description`` repeats the first
sentence when an article has no summary. Attachment links whose text is only "Tải file tại
đây" take their title from the label before the link. The "Tin liên quan" box is the older-items
chain; the "Tin cùng chuyên mục" sidebar is navigation only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector

from crawler.extraction.dates import VN_TZ, parse_date
from crawler.extraction.layouts.base import ATTACHMENT_EXT, Block, Layout, media_of, resolve
from crawler.extraction.page import Page
from crawler.extraction.text import clean, text_of
from crawler.extraction.urls import canonical_url
from crawler.items import Article, Attachment

#: Link texts that say "download" rather than name the file.
_GENERIC_LINK = re.compile(
    r"^(tải (file|về|xuống|tệp)( tại đây)?|tải tại đây|download|xem (file|chi tiết|tại đây)|"
    r"tại đây|file đính kèm)$", re.IGNORECASE)
_SOURCE_PREFIX = re.compile(r"^\(?\s*(?:Nguồn|Theo)\s*:\s*", re.IGNORECASE)


class ModernSlug(Layout):
    name = "modern_slug"
    valid_from = "2017-01-01"
    selectors = {
        "container": "article.article-detail",
        "category": ".breadcrumb li:last-child",
        "date": ".post-date",
        "title": "h1.article-title, h1",
        "summary": ".sapo",
        "content": ".article-content",
        "author": ".author",
        "source": ".article-source",
        "related_item": ".related-news li",
        "related_date": "span",
        "pager": ".pagination",
        "pager_next": ".pagination a.next, .pagination .active + li a",
        "listing_title": ".news-list .news-title a",
    }
    article_patterns = (
        r"/tin-tuc/[^/?#]+/(?!trang-\d+\.html)[^/?#]*-(\d+)\.html(?:[?#]|$)",
    )
    listing_patterns = (
        r"/tin-tuc\.html(?:[?#]|$)",
        r"/tin-tuc/[^/?#]+\.html(?:[?#]|$)",
        r"/tin-tuc/[^/?#]+/trang-\d+\.html(?:[?#]|$)",
        r"://[^/]+/?$",
    )
    article_url_template = None  # the canonical URL needs the slug: see article_url()
    page_rewrites = (
        (r"(/tin-tuc/[^/?#]+)/trang-1\.html$", r"\1.html"),  # page 1 is the listing itself
        (r"/(?:index|trang-chu)\.html$", "/"),
    )

    # --- URLs ---------------------------------------------------------------------------------
    def article_url(self, url: str) -> str:
        """The article path without its query: drops ``?print=1`` and tracking parameters."""
        if self.article_id(url) is None:
            return canonical_url(url)
        parts = urlsplit(url)
        return canonical_url(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))

    # --- article ------------------------------------------------------------------------------
    def article(self, page: Page, site: str = "") -> Article | None:
        s = page.selector
        found = s.css(self.sel["container"])
        if not found:
            return None
        root = found[0]
        ld = news_article_ld(s)
        title = clean(_str(ld.get("headline"))) or self._text(root, "title")
        if not title:
            return None
        problems: list[str] = []
        date_text = self._text(root, "date")
        parsed = parse_date(date_text) if date_text else None
        structured = (_iso(ld.get("datePublished"))
                      or _iso(root.css("time[datetime]::attr(datetime)").get())
                      or _iso(_meta(s, "article:published_time")))
        published = None
        if structured is not None:
            midnight = structured.endswith("T00:00:00+07:00")
            if midnight and parsed is not None and not parsed.has_time:
                structured = structured[:10]  # a midnight stamp for a page that shows no time
            published = structured
            if parsed is not None and parsed.iso()[:10] != structured[:10]:
                problems.append(f"date line {date_text!r} contradicts the page's structured "
                                f"date {structured}")
        elif parsed is not None:
            published = parsed.iso()
        elif date_text:
            problems.append(f"date not understood: {date_text!r}")
        else:
            problems.append("no date found")
        if parsed is not None and parsed.weekday_mismatch:
            problems.append(f"weekday contradicts date: {date_text!r} (published {published})")
        reference = date.fromisoformat(published[:10]) if published else None

        blocks = list(self.content_blocks(root, page.url))
        images = media_of(blocks)[0]
        source = _SOURCE_PREFIX.sub("", self._text(root, "source")).rstrip(")").strip()
        category = clean(_str(ld.get("articleSection"))) or self._text(s, "category")
        return Article(
            url=self.article_url(page.url),
            key=self.article_key(page.url),
            site=site,
            category=category or None,
            title=title,
            published=published,
            published_text=date_text or None,
            author=_author(ld) or self._text(root, "author") or None,
            source=source or None,
            summary=self._text(root, "summary") or None,
            body="\n\n".join(b.text for b in blocks if b.kind == "text"),
            body_html=self.body_html(root, page.url),
            images=images,
            attachments=[Attachment(url=b.url, title=b.text or None)
                         for b in blocks if b.kind == "attachment"],
            related=self.related_of(page, reference),
            problems=problems,
        )

    def content_blocks(self, root: Selector, base_url: str) -> Iterator[Block]:
        """The base walk, with "Tải file tại đây" links titled by the label before them."""
        labels: dict[str, str] = {}
        for a in root.css(f"{self.sel['content']} a[href]"):
            href = a.attrib.get("href", "")
            if not ATTACHMENT_EXT.search(href) or not _GENERIC_LINK.match(text_of(a.root)):
                continue
            holder = a.root.getparent()
            label = clean((holder.text or "") + "".join(
                text_of(c) + (c.tail or "") for c in holder if c is not a.root
            ) if holder is not None else "")
            label = label.rstrip(" :–-").strip()
            url = resolve(base_url, href)
            if label and url is not None:
                labels[url] = label
        for block in super().content_blocks(root, base_url):
            if block.kind == "attachment" and block.url in labels:
                block.text = labels[block.url]
            yield block


# --------------------------------------------------------------------------- structured data


def news_article_ld(s: Selector) -> dict[str, Any]:
    """The page's JSON-LD ``NewsArticle`` (or ``Article``/``BlogPosting``), else ``{}``.

    Scripts that are not valid JSON are skipped: the DOM is the fallback.
    """
    for raw in s.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for node in _nodes(data):
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(k in ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle")
                   for k in kinds):
                return node
    return {}


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _nodes(data["@graph"])


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _author(ld: dict[str, Any]) -> str:
    """The first Person named as the author (an Organization is the publisher, not a byline)."""
    value = ld.get("author")
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            return clean(item)
        if isinstance(item, dict) and item.get("@type", "Person") == "Person":
            return clean(_str(item.get("name")))
    return ""


def _meta(s: Selector, prop: str) -> str | None:
    return s.css(f'meta[property="{prop}"]::attr(content), meta[name="{prop}"]::attr(content)'
                 ).get()


def _iso(value: Any) -> str | None:
    """An ISO 8601 date or date-time as the archive stores it: "2021-04-20", or the time in
    Vietnamese local time "2021-04-20T08:30:00+07:00" (naive times are taken as local)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    stamp = stamp.replace(tzinfo=VN_TZ) if stamp.tzinfo is None else stamp.astimezone(VN_TZ)
    return stamp.isoformat(timespec="seconds")
