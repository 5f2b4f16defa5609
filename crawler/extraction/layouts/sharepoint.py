"""SharePoint "Publishing Portal" sites (MOSS 2007/2010) with date-folder article pages.

Articles are publishing pages ``/portal/Pages/<yyyy-m-d>/<slug cut at 50 chars>-<id>.aspx``
(the ``Pages`` segment's case varies between links, the date folder may or may not be
zero-padded) and print views ``/portal/pages/print.aspx?p=<id>``; both carry the numeric item
id, which keys the article. Since the canonical URL holds the date folder and slug as well as
the id, it is rebuilt from the page-name URL itself: the path case is normalised to ``Pages``
and the query (``?Source=`` return URLs, decorative ``?title=<slug>.html``) is dropped. A print
view names only the id: it keys the same article (and is archived as its alias), but its own
canonical URL is itself.

Listings are ``/portal/Pages/<category>.aspx?Page=N`` with a "Trước | Trang: N | Sau" pager of
plain links. The article page is assembled from web parts (ttqn ``NewsDetailUS.ascx`` style):
the toolbar web part holds "Đăng ngày 20 - 04 - 2021" next to "Lượt xem" and the font-size
links, or the ``lblCreatedDate`` span under the title holds "20/4/2021 8:5"; the breadcrumb
reads "Parent >> Category"; the byline cell holds the author and "(Nguồn: X)"; attachments sit
in a "Tài liệu kèm theo:" panel after the body; older items are "Các tin khác" entries
``li > a`` + ``span " (Ngày 20/4/2021)"``. DOM ids are web-part GUIDs, so selectors match id
suffixes. A header clock carries today's date in weekday style, so the date is read from its
own element, never as "the first date on the page".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector

from crawler.extraction.layouts.base import Block, Layout, resolve
from crawler.extraction.page import Page
from crawler.extraction.text import text_of
from crawler.extraction.urls import canonical_url
from crawler.items import Article

_HOST = r"^[a-z][a-z0-9+.-]*://[^/?#]+"
#: A publishing page in a date folder: groups folder, page name (slug + id), id.
_DATE_PAGE = re.compile(
    _HOST + r"/portal/pages/(\d{4}-\d{1,2}-\d{1,2})/([^/?#]*-(\d+))\.aspx(?=[?#]|$)",
    re.IGNORECASE,
)
_SOURCE = re.compile(r"\(\s*Nguồn\s*:\s*(?P<src>.+)\)\s*$", re.IGNORECASE)
_BREADCRUMB_SEP = re.compile(r"\s*(?:>>|»)\s*")


class SharePoint(Layout):
    name = "sharepoint"
    valid_from = "2009-01-01"
    selectors = {
        # The web-part zone: toolbar (date, views, print link), the article view, "Các tin khác".
        "container": "div.ms-webpartzone, div.detail_artical",
        "category": "div.detail_artical div.path",
        "date": "[id$='_lblNgayDang'], [id$='_lblCreatedDate']",
        "title": "h2.title_artical, div.detail_artical h2",
        "summary": "div.detail_artical > p > b",
        "content": "[id$='_lblContent'], td.content_artical",
        "author": "[id$='_lblAuthor']",
        "source": "div.detail_artical td[align='right']",
        "attachment": "[id$='_pnAttach'] a[href]",
        "related_item": "div.other_news li",
        "related_date": "span",
        "pager": "div.pager",
        "pager_next": "div.pager a:contains('Sau')",
        "listing_title": "div.name_artical > a",
    }
    article_patterns = (
        _HOST + r"/portal/pages/\d{4}-\d{1,2}-\d{1,2}/[^/?#]*-(\d+)\.aspx(?=[?#]|$)",
        _HOST + r"/portal/pages/print\.aspx\?(?:[^#]*&)?p=(\d+)(?=[&#]|$)",
    )
    listing_patterns = (
        _HOST + r"/?$",
        _HOST + r"/portal/?$",
        _HOST + r"/portal/pages/(?!print\.aspx)[^/?#]+\.aspx(?=[?#]|$)",
    )
    page_rewrites = (
        (r"(?i)^([^?#]*)/portal/pages/default\.aspx$", r"\1/"),  # the site's welcome page
        (r"(?i)^([^?#]*/portal/pages/[^/?#]+\.aspx)\?Page=1$", r"\1"),  # page 1 is the listing
        (r"(?i)^([^?#]*)/portal/pages/", r"\1/portal/Pages/"),
    )
    related_headings = ("Các tin khác",)

    # --- URLs ---------------------------------------------------------------------------------
    def article_url(self, url: str) -> str:
        """``/portal/Pages/<folder>/<slug>-<id>.aspx`` without its query, for any spelling of a
        date-folder page; a print view is its own canonical URL."""
        m = _DATE_PAGE.search(url)
        if not m:
            return canonical_url(url)
        parts = urlsplit(url)
        path = f"/portal/Pages/{m.group(1)}/{m.group(2)}.aspx"
        return canonical_url(urlunsplit((parts.scheme, parts.netloc, path, "", "")))

    # --- pages --------------------------------------------------------------------------------
    def article(self, page: Page, site: str = "") -> Article | None:
        art = super().article(page, site)
        if art is None:
            return None
        root = self._root(page)
        art.category = self._category(root) or art.category
        art.source = self._source(root)
        return art

    def content_blocks(self, root: Selector, base_url: str) -> Iterator[Block]:
        """The body cell, then the "Tài liệu kèm theo:" panel's links."""
        yield from super().content_blocks(root, base_url)
        css = self.sel.get("attachment")
        for a in root.css(css) if css else []:
            url = resolve(base_url, a.attrib["href"])
            if url is not None:
                yield Block("attachment", url=url, text=text_of(a.root))

    # --- helpers ------------------------------------------------------------------------------
    def _root(self, page: Page) -> Selector:
        found = page.selector.css(self.sel["container"]) if self.sel.get("container") else []
        return found[0] if found else page.selector

    def _category(self, root: Selector) -> str:
        """The last step of the "Parent >> Category" breadcrumb."""
        crumb = self._text(root, "category")
        steps = [s for s in _BREADCRUMB_SEP.split(crumb) if s]
        return steps[-1] if steps else ""

    def _source(self, root: Selector) -> str | None:
        """X from the byline's "(Nguồn: X)" line."""
        m = _SOURCE.search(self._text(root, "source"))
        return (m.group("src").strip() or None) if m else None
