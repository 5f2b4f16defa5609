"""Is a page an article? A home page, a tag page or a search page never is (by its URL); a list
of entries (a home page, a category listing, search results) is told by its main block."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit

from lxml import etree

from crawler.extraction.text import text_of
from crawler.extraction.urls import canonical_url, join_url

#: Pages that are never one article: tag, topic and search pages.
_NEVER_ARTICLE = re.compile(
    r"(?i)/(?:tag|tags|tu-?khoa|chu-?de|topics?|search|tim-?kiem)(?:/|\.\w+$|$)"
    r"|[?&](?:q|keywords?|tu-?khoa|searchtext|search)=|[?&=/](?:tim-?kiem|search)(?:[&./]|$)")
#: A site's home page: "/", "/vi/", "/index.php", "/Pages/default.aspx", "/trang-chu".
_HOME_PATH = re.compile(
    r"(?i)^/?(?:(?:vi|vn|vi-vn|en|portal|web|guest|home|trang-?chu|index|default|pages|trang)"
    r"(?:\.\w{2,5})?/?)*$")


def _same_page_key(url: str) -> str:
    """A loose spelling of a URL for "is this link the page itself?": canonical, no scheme,
    no ``www.``, no trailing slash."""
    key = canonical_url(urldefrag(url)[0]).split("://", 1)[-1]
    return (key[4:] if key.startswith("www.") else key).rstrip("/")


def is_listing(main: etree._Element, title: etree._Element, url: str,
               aliases: tuple[str, ...] = ()) -> bool:
    """Is the page at ``url`` a list of entries (a home page, a category listing, a tag page,
    search results) rather than an article? Its main block holds several headline-like links
    to other pages, and either its "title" is one of them (an entry's headline links to its
    article; an article's headline links nowhere, or to itself: ``url`` or one of
    ``aliases``, its ``rel=canonical`` and ``og:url``) or links make most of the block's text
    and no paragraph reads on its own."""
    here = {_same_page_key(u) for u in (url, *aliases) if u}

    def elsewhere(a: etree._Element) -> bool:
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:")):
            return False
        target = join_url(url, href)
        return target is not None and _same_page_key(target) not in here

    entries = [a for a in main.iter("a") if len(text_of(a)) >= 20 and elsewhere(a)]
    if len({a.get("href") for a in entries}) < 3:
        return False
    links = [title] if title.tag == "a" else [*title.iterfind(".//a[@href]"),
                                              *(n for n in title.iterancestors() if n.tag == "a")]
    if any(elsewhere(a) for a in links):
        return True
    if len(entries) < 5:
        return False
    linked = sum(len(text_of(a)) for a in entries)
    text = len(text_of(main)) or 1
    longest = max((len(text_of(p)) for p in main.iter("p") if p.find(".//a") is None),
                  default=0)
    return linked / text > 0.6 and longest < 120


def not_an_article_url(url: str) -> bool:
    """Is ``url`` a home page, a tag page or a search page (never an article, whatever it
    shows: a home page's lead story reads like an article)?"""
    parts = urlsplit(url)
    if _NEVER_ARTICLE.search(parts.path + (f"?{parts.query}" if parts.query else "")):
        return True
    return not parts.query and _HOME_PATH.match(parts.path) is not None
