"""The generic fallback: extraction for a portal that has no profile.

No selectors: the page's structure is read the way a person reads it. The main text block is
the element whose paragraphs (``<p>``, or ``<div>`` holding text and no blocks) hold the most
text, link text discounted; the title is the heading that agrees best (Dice overlap) with
``og:title`` / ``<title>``, near and before the block; the date is the date line nearest the
title in document order (a header clock is far away); the category is ``article:section`` /
JSON-LD ``articleSection``, else the label nearest before the title that the page's menu also
links (a breadcrumb's last step, a category link or portlet title above the headline); the
body is walked with inline wrappers holding ``<br>`` breaks unwrapped, the older-items box and
link-only tool bars cut, and a bold first paragraph taken as the lead; the author is an
"author"-named element, a "Tác giả:" line or a short name-like line closing the text or in the
byline cell right after it ("Bích Huệ<br>(Nguồn: X)"); the source a "Nguồn:" line; photos and
credits come from the images inside the text block; the older-items box is the run of rows
after its Vietnamese heading ("Các tin đã đăng", "CÁC TIN ĐÃ ĐƯA:", "Tin cũ hơn"...), outside
sidebars.

Articles are keyed by canonical URL, since the portal's id scheme is unknown; the archive folds
the other spellings of a page into one article by content hash.
"""

from __future__ import annotations

import re
from copy import deepcopy
from datetime import date, datetime
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

from lxml import etree

from crawler.extraction.dates import ParsedDate, parse_date
from crawler.extraction.layouts.base import (
    ATTACHMENT_EXT,
    POSTBACK,
    Layout,
    Links,
    _walk,
    clean_html,
    media_of,
    postback_request,
    split_credit,
)
from crawler.extraction.metadata import Metadata, page_metadata, parse_iso_datetime
from crawler.extraction.page import Page
from crawler.extraction.select import select
from crawler.extraction.text import clean, name_like, parse_byline, text_of
from crawler.extraction.urls import canonical_url, join_url, strip_session
from crawler.items import Article, RelatedEntry

_CHROME = re.compile(
    r"(^|[-_\s])(header|menu|nav|navbar|footer|sidebar|leftcol|rightcol|left|right|banner|"
    r"topbar|breadcrumb|quangcao|lienket|weblink)([-_\s]|$)", re.IGNORECASE)
_AUTHOR_HINT = re.compile(r"author|tacgia|tac-gia|actor|byline|writer", re.IGNORECASE)
_NOT_AUTHOR_HINT = re.compile(r"avatar|photo|img|image|list|box-?author", re.IGNORECASE)
_SOURCE_HINT = re.compile(r"source|nguon", re.IGNORECASE)
_CATEGORY_HINT = re.compile(r"cate|chuyenmuc|chuyen-muc|section|breadcrumb|path", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^\(?\s*Nguồn\s*:\s*(?P<src>.+?)\s*\)?$", re.IGNORECASE)
_AUTHOR_LINE = re.compile(r"^(?:Tác giả|Bài(?: và ảnh)?|Tin(?: và ảnh)?|T/h)\s*:\s*(?P<a>.+)$",
                          re.IGNORECASE)
_ATTACH_LABEL = re.compile(r"^(File|Tài liệu|Tập tin) (đính kèm|kèm theo)\s*:?", re.IGNORECASE)
#: Links not worth a visit: print views, mail forms, log-in, search, feeds, files. English tool
#: words match anywhere ("ArticlePrint.aspx", "&print=1"); Vietnamese ones and "search" only as a
#: whole path segment, file name or query name/value ("?page=TimKiem"), never inside a slug
#: ("...-tim-kiem-cuu-nan-...-3144.html": search and rescue).
_SKIP_LINKS = re.compile(
    r"(?i)(print|sendmail|send-mail|email|login|\.rss\b|/rss\b)"
    r"|(?:^|[/?&=])(gui-?email|dang-?nhap|tim-?kiem|search)(?:[./?&=_]|$)"
    r"|\.(jpe?g|png|gif|pdf|docx?|xlsx?|zip|rar|css|js)(\?|$)")
_BLOCK_CANDIDATES = {"div", "td", "article", "section", "main"}
#: Anchor texts of tool bars: a print view, an e-mail form, an export; never an article.
_TOOL_TEXTS = {"email", "e-mail", "print", "pdf", "in", "in bài viết", "in trang", "in bài",
               "gửi email", "gửi bài viết", "gửi bài", "quay lại", "về đầu trang", "đầu trang"}
#: The text of a "next page" pager link ("Xem tin tiếp theo...", "Trang sau", "»").
_NEXT_TEXT = re.compile(r"^(?:[»›>]{1,2}|trang sau|sau|tiếp|tiếp theo|next|xem tiếp|xem thêm"
                        r"|xem tin tiếp theo|các tin tiếp)\W*$|^xem (?:tin|bài) (?:tiếp|cũ)",
                        re.IGNORECASE)
_PAGER_TEXT = re.compile(r"^(\d{1,3}|[»›>]{1,2}|trang sau|sau|tiếp|next)$", re.IGNORECASE)
_DIR_INDEX = re.compile(r"/(index|default)\.(php|html?|aspx?|jsp)$", re.IGNORECASE)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.IGNORECASE)
_LD_SECTION = re.compile(r'"articleSection"\s*:\s*"([^"]{1,80})"')
#: How far before the title (elements, document order) a category label is looked for.
_CATEGORY_WINDOW = 40
_HOME = {"trang chủ", "home", "trang chu", "tin tức", "tin tuc"}
_SITE_ROOT_LABELS = {"trang chủ", "home", "trang chu"}
_EXTENSION = re.compile(r"\.(?:html?|aspx?|php|jsp)$", re.IGNORECASE)
#: Link texts of buttons, never a category: "Thêm", "Xem thêm", "Chi tiết", "Xem tất cả".
_BUTTON_TEXTS = {"thêm", "xem thêm", "chi tiết", "xem tất cả", "tất cả", "more", "xem chi tiết"}


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
        for node in root.iter():
            if not isinstance(node.tag, str):
                continue
            if node.tag in ("nav", "aside") or (node.tag in ("header", "footer")
                                                 and _band(node)):
                self.marked.add(node)
                continue
            marks = f"{node.get('id', '')} {node.get('class', '')}"
            if marks.strip() and _CHROME.search(marks):
                self.marked.add(node)
        self.allowed: set[etree._Element] = set()

    def around(self, main: etree._Element) -> None:
        """From now on, chrome marks on ``main`` and its ancestors do not count."""
        self.allowed = {main, *main.iterancestors()}

    def __call__(self, el: etree._Element) -> bool:
        return any(node in self.marked and node not in self.allowed
                   for node in el.iterancestors())


def _chrome(el: etree._Element) -> bool:
    """Is ``el`` inside a header, menu, sidebar or footer (no page-wide view of the marks)?"""
    for node in el.iterancestors():
        if not isinstance(node.tag, str):
            continue
        if node.tag in ("nav", "aside") or (node.tag in ("header", "footer") and _band(node)):
            return True
        marks = f"{node.get('id', '')} {node.get('class', '')}"
        if marks.strip() and _CHROME.search(marks):
            return True
    return False


_INLINE = {"font", "span", "b", "strong", "i", "em", "u", "a", "small", "big", "center"}
_BLOCKISH = {"p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
             "section", "article", "figure", "tr", "td"}


def _has_block_child(el: etree._Element) -> bool:
    return any(isinstance(c.tag, str) and c.tag in _BLOCKISH for c in el.iterdescendants())


def _unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its children and text (lxml's ``drop_tag``)."""
    parent = el.getparent()
    if parent is None:
        return
    prev = el.getprevious()
    text = el.text or ""
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    index = parent.index(el)
    children = list(el)
    tail = el.tail or ""
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
    elif prev is not None:
        prev.tail = (prev.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent[index:index + 1] = children


def _bold(el: etree._Element) -> bool:
    """Is all of the element's text bold (a lead paragraph)?"""
    if _BOLD_STYLE.search(el.get("style", "")):
        return True
    text = clean(text_of(el))
    strong = clean(" ".join(text_of(b) for b in el.iter("b", "strong")
                            if not any(a.tag in ("b", "strong") for a in b.iterancestors())))
    return bool(text) and text == strong


def _reading_copy(main: etree._Element, headings: set[str],
                  skip: tuple[str, ...] = ()) -> tuple[etree._Element, str | None]:
    """A copy of the text block ready for the walk, and the lead paragraph taken out of it.

    Inline wrappers that hold line breaks, paragraphs or photo tables (``<font>`` around a whole
    body written with ``<br><br>``) are unwrapped, so the walk sees the breaks between
    paragraphs; the older-items box and what follows it, and tool bars made only of links
    ("In bài viết  Quay lại"), are cut; a first paragraph (after the ``skip`` lines: title
    and date) that is bold all through, followed by more text, is the lead."""
    copy = deepcopy(main)
    for el in list(copy.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        own = clean(" ".join(el.xpath("text()"))).lower().rstrip(": ")
        if own in headings:
            node = el
            while node is not None and node is not copy:
                parent = node.getparent()
                for sib in list(node.itersiblings()):
                    parent.remove(sib)
                node = parent
            el.getparent().remove(el)
            break
    for el in list(copy.iter("ul", "ol", "div", "p", "table")):
        if el.getparent() is None or el.xpath(".//img"):
            continue
        links = el.xpath(".//a[@href]")
        text = clean(text_of(el))
        if (links and len(text) < 100 and not any(ATTACHMENT_EXT.search(a.get("href"))
                                                  for a in links)
                and clean(" ".join(text_of(a) for a in links)) == text):
            el.getparent().remove(el)
    lead = None
    first = next((el for el in copy if isinstance(el.tag, str) and text_of(el)
                  and text_of(el) not in skip), None)
    if (first is not None and first.tag in ("p", "div") and _bold(first)
            and len(text_of(first)) >= 40 and len(text_of(copy)) > 2 * len(text_of(first))):
        lead = text_of(first)
        first.getparent().remove(first)
    wrappers = [el for el in copy.iterdescendants()
                if isinstance(el.tag, str) and el.tag in _INLINE
                and any(isinstance(c.tag, str) and (c.tag == "br" or c.tag in _BLOCKISH)
                        for c in el.iterdescendants())]
    for el in reversed(wrappers):
        _unwrap(el)
    return copy, lead


def _box_links(heading: etree._Element) -> list[etree._Element]:
    """Links of the box a heading opens: climb from the heading until something follows it;
    that element is the box (a list, a table body) or its first row, and rows of the same kind
    that follow it belong to it too."""
    node = heading
    for _ in range(6):
        nxt = node.getnext()
        while nxt is not None and not isinstance(nxt.tag, str):
            nxt = nxt.getnext()
        if nxt is not None:
            break
        node = node.getparent()
        if node is None:
            return []
    else:
        return []
    rows = [nxt]
    if nxt.tag in ("tr", "li", "p", "dd", "dt", "div") and len(nxt.xpath(".//a[@href]")) <= 1:
        for sib in nxt.itersiblings():
            if not isinstance(sib.tag, str) or sib.tag != nxt.tag:
                break
            rows.append(sib)
    out = []
    for row in rows:
        for a in row.iter("a"):
            href = (a.get("href") or "").strip()
            if href and not href.startswith(("javascript:", "#")) and text_of(a):
                out.append(a)
    return out


def _trailing(main: etree._Element, headings: set[str]) -> list[etree._Element]:
    """Short elements right after the text block (a byline cell, a source line), up to the
    older-items box: following siblings of the block and of its nearest ancestors."""
    out: list[etree._Element] = []
    node = main
    for _ in range(5):
        for sib in node.itersiblings():
            if not isinstance(sib.tag, str) or sib.tag in ("script", "style"):
                continue
            text = text_of(sib)
            if not text:
                continue
            if len(text) > 200 or any(
                    clean(" ".join(e.xpath("text()"))).lower().rstrip(": ") in headings
                    for e in sib.iter() if isinstance(e.tag, str)):
                return out
            out.append(sib)
            if len(out) >= 3:
                return out
        node = node.getparent()
        if node is None:
            break
    return out


def _drop_params(url: str, params: set[str], here: dict[str, str]) -> str:
    """``url`` without ``params`` when it also differs from the current page elsewhere."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    others = {k: v for k, v in pairs if k not in params}
    if not any(k in params for k, _ in pairs) or others == {
            k: v for k, v in here.items() if k not in params}:
        return url
    query = urlencode([(k, v) for k, v in pairs if k not in params])
    return canonical_url(urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")))


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


_LARGE_FONT = re.compile(r"font-size\s*:\s*(1[4-9]|[2-9]\d)(?:\.\d+)?px|font-size\s*:\s*"
                         r"(?:large|x-large|larger)", re.IGNORECASE)


def _bold_lines(root: etree._Element, main: etree._Element,
                order: dict[etree._Element, int]) -> list[etree._Element]:
    """Lines set as a headline without a heading tag (a table-layout portal's ``<b>`` or
    ``<font size="3">`` title): short, bold or large, with no block inside, in the first
    elements of the text block or in the 40 elements before it."""
    start = order.get(main, 0)
    out = []
    for el in root.iter("b", "strong", "font", "span", "td", "p", "div"):
        pos = order.get(el, 0)
        if not start - 40 <= pos <= start + 15 or _has_block_child(el):
            continue
        text = text_of(el)
        if not 10 <= len(text) <= 300 or el.find(".//a") is not None:
            continue
        size = el.get("size", "")
        if (el.tag in ("b", "strong") or _bold(el) or (size.isdigit() and int(size) >= 3)
                or _LARGE_FONT.search(el.get("style", ""))):
            out.append(el)
    return out


#: Pages that are never one article: tag, topic and search pages.
_NEVER_ARTICLE = re.compile(
    r"(?i)/(?:tag|tags|tu-?khoa|chu-?de|topics?|search|tim-?kiem)(?:/|\.\w+$|$)"
    r"|[?&](?:q|keywords?|tu-?khoa|searchtext|search)=|[?&=/](?:tim-?kiem|search)(?:[&./]|$)")
#: A site's home page: "/", "/vi/", "/index.php", "/Pages/default.aspx", "/trang-chu".
_HOME_PATH = re.compile(
    r"(?i)^/?(?:(?:vi|vn|vi-vn|en|portal|web|guest|home|trang-?chu|index|default|pages|trang)"
    r"(?:\.\w{2,5})?/?)*$")


def not_an_article_url(url: str) -> bool:
    """Is ``url`` a home page, a tag page or a search page (never an article, whatever it
    shows: a home page's lead story reads like an article)?"""
    parts = urlsplit(url)
    if _NEVER_ARTICLE.search(parts.path + (f"?{parts.query}" if parts.query else "")):
        return True
    return not parts.query and _HOME_PATH.match(parts.path) is not None


def _checked_date(lines: list[tuple[int, str, ParsedDate]],
                  meta: Metadata) -> tuple[str, ParsedDate] | None:
    """The publication date: the page's date line nearest the title, checked against the
    date the page's metadata claims. When they name different days, the nearest line of the
    claimed day is taken (the nearest one was a header clock or a related item); when the page
    shows no line of that day, or no date line at all, the claim itself."""
    claims = [(raw, v) for raw in meta.published if (v := parse_iso_datetime(raw)) is not None]
    if not claims:
        return (lines[0][1], lines[0][2]) if lines else None
    raw, value = claims[0]
    days = {value.date() if isinstance(value, datetime) else value}
    written = parse_iso_datetime(raw[:10])
    if written is not None:
        days.add(written)  # the day as written, whatever its (often wrong) UTC offset
    for _, text, parsed in lines:
        day = parsed.value.date() if isinstance(parsed.value, datetime) else parsed.value
        if day in days:
            return text, parsed
    return raw, ParsedDate(value=value, text=raw, has_time=isinstance(value, datetime),
                           year_inferred=False)


def _source_text(text: str) -> str | None:
    m = _SOURCE_LINE.match(text)
    return (m.group("src") if m else text).strip() or None


#: A title that names the site, not a page: what a portal puts in ``<title>`` and ``og:title``
#: on every page ("Cổng thông tin điện tử tỉnh X", "Trang chủ").
_SITE_WIDE = re.compile(r"(?i)^(?:cổng (?:thông tin|ttđt|giao tiếp)|trang (?:thông tin|ttđt|chủ)"
                        r"|website|home\b)")


def _site_wide(title: str, meta: Metadata) -> bool:
    folded = clean(title).casefold()
    return bool(_SITE_WIDE.match(folded)) or folded in {n.casefold() for n in meta.site_names}


def _links_home(el: etree._Element) -> bool:
    """Is a heading a link to the site's home page (a banner's site name)?"""
    links = [el] if el.tag == "a" else [*el.iterfind(".//a[@href]"),
                                        *(n for n in el.iterancestors() if n.tag == "a")]
    return any(urlsplit((a.get("href") or "").strip()).path in ("", "/")
               and not urlsplit((a.get("href") or "").strip()).query
               and (a.get("href") or "").strip() not in ("", "#") for a in links)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) > 1}


class Generic(Layout):
    name = "generic"
    valid_from = None
    min_text = 400

    def article_key(self, url: str) -> str:
        return f"url:{self.page_url(url)}"

    def page_url(self, url: str) -> str:
        """Canonical URL with a repeated query parameter kept once, at its last value (what
        PHP reads), so pagers that append to the current query string do not pile up, and a
        directory index file (``/index.php``, ``/Default.aspx``) spelled as its directory."""
        parts = urlsplit(url)
        if _DIR_INDEX.search(parts.path):  # "/index.php?x" is "/?x": the directory index
            parts = parts._replace(path=_DIR_INDEX.sub("/", parts.path))
            url = urlunsplit(parts)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        last = {k: v for k, v in pairs}
        if len(last) != len(pairs):
            kept, seen = [], set()
            for k, _ in reversed(pairs):
                if k not in seen:
                    seen.add(k)
                    kept.append((k, last[k]))
            url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept[::-1]), ""))
        return canonical_url(url)

    def article_url(self, url: str) -> str:
        return self.page_url(url)

    # --- the parts ----------------------------------------------------------------------------
    def main_block(self, root: etree._Element,
                   chrome: _Chrome | None = None) -> etree._Element | None:
        """The element whose paragraphs hold the most text; one inside a header, menu, sidebar
        or footer only when it holds far more than anything outside them (a newspaper's main
        column named ``sidebar_1``)."""
        chrome = chrome if chrome is not None else _Chrome(root)
        scores: dict[etree._Element, float] = {}
        marked: dict[etree._Element, float] = {}
        for p in root.iter("p", "div", "td", "span", "font"):
            if not isinstance(p.tag, str):
                continue
            table = marked if chrome(p) else scores
            paragraph = p.tag == "p" or (p.tag == "div" and not _has_block_child(p))
            text = text_of(p) if paragraph else clean("".join(p.xpath("text()")))
            if len(text) < 60:
                continue
            links = sum(len(text_of(a)) for a in p.iter("a"))
            weight = max(len(text) - 2 * links, 0)
            parent = p.getparent() if paragraph or p.tag in ("span", "font") else p
            while parent is not None and parent.tag not in _BLOCK_CANDIDATES:
                parent = parent.getparent()
            if parent is None:
                continue
            table[parent] = table.get(parent, 0) + weight
            grand = parent.getparent()
            if grand is not None:
                table[grand] = table.get(grand, 0) + weight * 0.3
        best = max(scores, key=scores.get) if scores else None
        best_score = scores[best] if best is not None else 0.0
        if marked:
            other = max(marked, key=marked.get)
            if marked[other] > 3 * best_score:
                best, best_score = other, marked[other]
        return best if best is not None and best_score >= self.min_text else None

    def title(self, root: etree._Element, main: etree._Element, hints: list[str] | None = None,
              chrome: _Chrome | None = None) -> etree._Element | None:
        """The headline: the heading (or a bold line at the top of the text block) that agrees
        best with the page's ``<title>``, ``og:title`` and JSON-LD headline, near and before
        the text block; a sidebar box's heading in capitals ("LỊCH CÔNG TÁC") loses."""
        chrome = chrome if chrome is not None else _Chrome(root)
        words_of = [_words(h) for h in [*(hints or []),
                                        *root.xpath("//meta[@property='og:title']/@content"),
                                        *root.xpath("//title/text()")] if not _SITE_WIDE.match(
                                            clean(h))]
        words_of = [h for h in words_of if h]
        order = {el: i for i, el in enumerate(root.iter())}
        main_pos = order.get(main, 0)
        best, best_score = None, float("-inf")
        boxes = {h.lower() for h in self.related_headings}
        candidates = root.xpath("//h1|//h2|//h3|//*[contains(@class,'title') or "
                                "contains(@class,'Title') or contains(@class,'tieude')]")
        candidates += [el for el in _bold_lines(root, main, order) if el not in candidates]
        for el in candidates:
            if chrome(el) or _links_home(el):
                continue
            text = text_of(el)
            if not 10 <= len(text) <= 300 or text.lower().rstrip(": ") in boxes:
                continue  # an older-items box heading is never the headline
            pos = order.get(el, 0)
            words = _words(text)
            # Dice agreement: a category heading whose words all occur in the page title
            # agrees less than the headline itself.
            overlap = max((2 * len(words & h) / (len(words) + len(h)) for h in words_of),
                          default=0.0)
            distance = abs(main_pos - pos)
            inside = main in el.iterancestors() or el in main.iter()
            score = overlap * 100 - distance * 0.2 + (10 if pos <= main_pos or inside else -30)
            score += {"h1": 6, "h2": 4, "h3": 2}.get(el.tag, 0)
            if text.upper() == text and len(words) <= 6 and overlap < 0.5:
                score -= 25  # "LỊCH CÔNG TÁC", "THÔNG BÁO": a box heading, not a headline
            if el.tag in ("h1", "h2", "h3") or "itle" in el.get("class", "") \
                    or "tieude" in el.get("class", ""):
                score += 3
            if score > best_score:
                best, best_score = el, score
        return best

    def date_near(self, root: etree._Element, title: etree._Element,
                  reference: etree._Element, chrome: _Chrome | None = None,
                  ) -> tuple[str, object] | None:
        """The date line nearest the title in document order."""
        found = self.date_lines(root, title, chrome)
        return (found[0][1], found[0][2]) if found else None

    def date_lines(self, root: etree._Element, title: etree._Element,
                   chrome: _Chrome | None = None) -> list[tuple[int, str, ParsedDate]]:
        """Every date line outside the page's chrome, nearest the title first (distance in
        elements, a line before the title counted a little farther)."""
        chrome = chrome if chrome is not None else _Chrome(root)
        nodes = [el for el in root.iter() if isinstance(el.tag, str)]
        index = {el: i for i, el in enumerate(nodes)}
        t = index.get(title, 0)
        out = []
        for el in nodes:
            if el.tag in ("script", "style") or chrome(el):
                continue
            own = clean(" ".join(el.xpath("text()")))
            if not own or len(own) > 120 or not re.search(r"\d", own):
                continue
            parsed = parse_date(own)
            if parsed is None:
                continue
            distance = abs(index[el] - t) + (0 if index[el] > t else 3)
            out.append((distance, own, parsed))
        out.sort(key=lambda x: x[0])
        return out

    # --- the article ------------------------------------------------------------------------
    def pinned(self, root: etree._Element, name: str) -> etree._Element | None:
        """The element a profile's ``name`` selector finds first (a learned profile pins the
        title, date, content, author and category: crawler/extraction/learn.py), else None."""
        css = self.sel.get(name)
        found = [el for el in select(root, css) if isinstance(el, etree._Element)] if css else []
        return found[0] if found else None

    def metadata(self, page: Page) -> Metadata:
        """The page's JSON-LD, Open Graph and ``itemprop`` claims (evidence to check against
        the page, never taken on trust), read once per page."""
        memo = page.memo.get("metadata")
        if memo is None:
            text = page.text
            memo = page_metadata(page.selector.root, None if not any(
                h in text for h in ("og:", "article:")) else page.html_tree, text)
            page.memo["metadata"] = memo
        return memo  # type: ignore[return-value]

    def article(self, page: Page, site: str = "") -> Article | None:
        root = page.selector.root
        if not_an_article_url(page.url):
            return None
        meta = self.metadata(page)
        chrome = _Chrome(root)
        main = self.pinned(root, "content")
        main = self.main_block(root, chrome) if main is None else main
        if main is None:
            return None
        chrome.around(main)
        hints = [t for t in meta.titles if not _site_wide(t, meta)]
        title_el = self.pinned(root, "title")
        title_el = self.title(root, main, hints, chrome) if title_el is None else title_el
        aliases = tuple(join_url(page.url, h) or "" for h in root.xpath(
            "//link[@rel='canonical']/@href|//meta[@property='og:url']/@content")[:2])
        if title_el is None or is_listing(main, title_el, page.url, aliases):
            return None
        date_el = self.pinned(root, "date")
        date_text = text_of(date_el) if date_el is not None else ""
        parsed_pin = parse_date(date_text) if date_text else None
        if parsed_pin:
            found: tuple[str, ParsedDate] | None = (date_text, parsed_pin)
        else:
            found = _checked_date(self.date_lines(root, title_el, chrome), meta)
        if found is None:
            return None
        date_text, parsed = found
        problems = []
        if parsed.weekday_mismatch:
            problems.append(f"weekday contradicts date: {date_text!r} (published {parsed.iso()})")
        headings = {h.lower().rstrip(":") for h in self.related_headings}
        title = text_of(title_el)
        reading, lead = _reading_copy(main, headings, (title, date_text))
        blocks = list(_walk(reading, page.url))
        texts = [b.text for b in blocks if b.kind == "text" and b.text != title
                 and b.text != date_text and not _ATTACH_LABEL.match(b.text)]
        author, source, byline_texts = self._byline(root, main, texts, title_el, meta, chrome)
        if (author_el := self.pinned(root, "author")) is not None:
            author = parse_byline(text_of(author_el)).author or text_of(author_el) or author
        body = [t for t in texts if t not in byline_texts and t not in (author, source)
                and not _SOURCE_LINE.match(t) and not _AUTHOR_LINE.match(t)]
        if body and parse_byline(body[-1]).author and parse_byline(body[-1]).author == author:
            body.pop()
        images, attachments = media_of(blocks)
        for image in images:  # a caption only the page's JSON-LD gives
            if image.caption is None and image.url in meta.captions:
                image.caption, image.credit = split_credit(meta.captions[image.url])
                image.caption = image.caption or None
        reference = date.fromisoformat(parsed.iso()[:10])
        return Article(
            url=self.article_url(page.url), key=self.article_key(page.url), site=site,
            category=self._pinned_category(root) or self._category(root, title_el, meta, page.url),
            title=title, published=parsed.iso(),
            published_text=date_text, author=author, source=source, summary=lead,
            body="\n\n".join(body), body_html=clean_html(main, page.url), images=images,
            attachments=attachments, related=self.related_of(page, reference), problems=problems)

    def _byline(self, root: etree._Element, main: etree._Element, texts: list[str],
                title_el: etree._Element | None = None, meta: Metadata | None = None,
                chrome: _Chrome | None = None) -> tuple[str | None, str | None, set[str]]:
        """(author, source, the body lines that were the byline).

        In order: an element marked as the author ("author", "tacgia", "byline"... in its
        class or id) between the headline and the end of the text; a labelled line ("Tác
        giả: X", "Bài và ảnh: X"); a name-like line closing the text or in the byline cell
        after it. Each is read by :func:`parse_byline` (dates, times and labels left out;
        "Theo X" and "Nguồn: X" are sources). An author named by the page's metadata is taken
        when the page prints it and no byline was found."""
        author = source = None
        used: set[str] = set()
        scope = main.getparent() if main.getparent() is not None else main
        if title_el is not None:  # from the headline down: a byline under the title
            common = {*title_el.iterancestors()}
            node = main
            while node is not None and node not in common:
                node = node.getparent()
            if node is not None and len(text_of(node)) < 3 * len(text_of(main)) + 2000:
                scope = node
        trailing = _trailing(main, {h.lower().rstrip(":") for h in self.related_headings})
        for el in [*scope.iter(), *(n for t in trailing for n in t.iter())]:
            if not isinstance(el.tag, str) or (chrome is not None and chrome(el)):
                continue
            marks = f"{el.get('id', '')} {el.get('class', '')}"
            if author is None and _AUTHOR_HINT.search(marks) and not _NOT_AUTHOR_HINT.search(
                    marks):
                line = parse_byline(text_of(el))
                author = line.author
                source = source or line.source
                if author:
                    used.add(text_of(el))
            elif source is None and _SOURCE_HINT.search(marks) and len(text_of(el)) <= 120:
                source = parse_byline(text_of(el)).source or _source_text(text_of(el))
        # A byline cell after the text: "Bích Huệ<br>(Nguồn: Trang TTĐT VP)".
        cells = [c for el in trailing for c in (el.xpath(".//td[not(.//td)]") or [el])]
        after = [b.text for c in cells for b in _walk(c, "") if b.kind == "text"]
        for text in texts + after:
            m = _SOURCE_LINE.match(text)
            if m and source is None:
                source = m.group("src")
                used.add(text)
            m = _AUTHOR_LINE.match(text)
            if m and author is None:
                author = parse_byline(text).author or m.group("a")
                used.add(text)
        if author is None and (texts or after):
            tail = [t for t in (texts[-3:] + after[:2]) if t != source
                    and not _SOURCE_LINE.match(t)]
            for candidate in reversed(tail):
                if len(candidate) > 80 or candidate.endswith((":", "?", "!")):
                    continue
                line = parse_byline(candidate)
                if line.author or line.source:
                    author, source = line.author or author, source or line.source
                    used.add(candidate)
                    if author:
                        break
        if meta is not None and meta.authors:
            page_text = text_of(scope).casefold() + " " + " ".join(after).casefold()
            names = {n.casefold() for n in meta.site_names}
            for name in meta.authors:
                if (name.casefold() not in names and name_like(name)
                        and name.casefold() in page_text):
                    if author is None or (author.casefold() in name.casefold()):
                        author = name
                    break
        return author, source, used

    def _category(self, root: etree._Element, title_el: etree._Element,
                  meta: Metadata | None = None, url: str = "") -> str | None:
        """The page's ``articleSection`` / ``article:section`` or its JSON-LD breadcrumb's last
        step when the page shows that label; else the label nearest before the title that the
        page also offers as a navigation link (a breadcrumb's last step, the category link or
        heading above the headline, a portlet title)."""
        shown = None
        claims = [*(meta.sections if meta else []), *(meta.breadcrumbs[-1:] if meta else [])]
        if not claims:
            claims = [clean(m) for m in root.xpath(
                "//meta[@property='article:section']/@content")]
            claims += [clean(m.group(1)) for script in root.xpath(
                "//script[@type='application/ld+json']/text()")
                for m in [_LD_SECTION.search(script)] if m]
        for claim in claims:
            if not claim:
                continue
            if shown is None:
                shown = {text_of(el).casefold() for el in root.xpath("//body//*[not(*)]|//a")}
            if claim.casefold() in shown:
                return claim
        title = text_of(title_el).casefold()
        links = {text_of(a).casefold() for a in root.iter("a")}
        links.discard("")
        before = []
        for el in root.iter():
            if el is title_el:
                break
            if isinstance(el.tag, str) and el.tag not in ("script", "style"):
                before.append(el)
        if url:  # a link above the title to a folder of this page's URL: its section
            path = urlsplit(url).path.rstrip("/")
            for el in reversed(before[-4 * _CATEGORY_WINDOW:]):
                if el.tag != "a" or not 2 <= len(text_of(el)) <= 60:
                    continue
                target = join_url(url, (el.get("href") or "").strip())
                folder = urlsplit(target).path.replace("//", "/").rstrip("/") if target else ""
                folder = _EXTENSION.sub("", folder)  # "/tin-tuc.html" lists "/tin-tuc/x.html"
                if (len(folder) > 1 and path.startswith(folder + "/")
                        and text_of(el).casefold() not in _SITE_ROOT_LABELS
                        and text_of(el).casefold() not in _TOOL_TEXTS | _BUTTON_TEXTS):
                    return text_of(el)
        for el in reversed(before[-_CATEGORY_WINDOW:]):
            text = text_of(el)
            if not 2 <= len(text) <= 60 or re.search(r"\d", text):
                continue
            label = text.split(">")[-1].strip()
            folded = label.casefold()
            if (folded in links and folded != title and folded not in _HOME
                    and folded not in _TOOL_TEXTS and folded not in _BUTTON_TEXTS):
                return label
        for el in title_el.itersiblings(preceding=True):  # a breadcrumb the menu lacks
            marks = f"{el.get('id', '')} {el.get('class', '')}" if isinstance(el.tag,
                                                                                str) else ""
            if marks and _CATEGORY_HINT.search(marks):
                crumbs = [text_of(a) for a in el.iter("a")]
                text = crumbs[-1] if crumbs else text_of(el)
                return text.split(">")[-1].strip() or None
        return None

    def _pinned_category(self, root: etree._Element) -> str | None:
        """The category a profile's selector finds: a breadcrumb's last step."""
        el = self.pinned(root, "category")
        return (text_of(el).split(">")[-1].strip() or None) if el is not None else None

    def related(self, page: Page, reference: date | None) -> list[RelatedEntry]:
        """The older-items box: the links that follow its heading ("Các tin đã đăng",
        "CÁC TIN ĐÃ ĐƯA:", "Tin cũ hơn"...), up to the end of the box."""
        root = page.selector.root
        headings = {h.lower().rstrip(":") for h in self.related_headings}
        for el in root.iter():
            if not isinstance(el.tag, str) or el.tag in ("a", "script", "style"):
                continue
            own = clean(" ".join(el.xpath("text()"))).lower().rstrip(": ")
            if own not in headings or _chrome(el):  # a sidebar's "Tin cùng chuyên mục"
                continue
            return [self._entry(url, a, reference) for a in _box_links(el)
                    if (url := join_url(page.url, a.get("href")))]
        return []

    @staticmethod
    def _entry(url: str, a: etree._Element, reference: date | None) -> RelatedEntry:
        tail = clean((a.tail or "") + " " + " ".join(
            text_of(s) for s in a.itersiblings() if isinstance(s.tag, str))[:40])
        inner = a.xpath(".//span")
        if not tail and inner:
            tail = text_of(inner[-1])
        parsed = parse_date(tail, reference=reference) if tail else None
        title = text_of(a)
        if inner and tail and title.endswith(tail):
            title = title[: -len(tail)].strip()
        return RelatedEntry(url=canonical_url(strip_session(url)),
                            title=title, published=parsed.iso() if parsed else None,
                            published_text=tail or None)

    def links(self, page: Page) -> Links:
        """Every same-document link is a page to visit; extraction decides what is an article.

        Tool links (print, e-mail, PDF export) are not followed. A pager parameter (the one
        query parameter in which a numbered pager link differs from the current page, e.g.
        ``vt``) is dropped from the page's other links, where a CMS that appends to the current
        query string carries it along (``...&vt=1&id=5`` is the article ``...&id=5``)."""
        out = Links()
        here = urlsplit(self.page_url(page.url))
        here_q = dict(parse_qsl(here.query, keep_blank_values=True))
        anchors = []
        for a in page.selector.root.iter("a"):
            href = (a.get("href") or "").strip()
            url = join_url(page.url, href) if href and not href.startswith("#") else None
            if url is None:  # javascript:, data:, mailto:, a malformed URL
                if out.postback is None and (m := POSTBACK.match(href)) \
                        and _NEXT_TEXT.search(clean(text_of(a))):
                    # An ASP.NET WebForms "next page" pager: the POST its link sends.
                    out.postback = m.group(1)
                    out.postback_request = postback_request(page, m.group(1), m.group(2) or "")
                continue
            parts = urlsplit(url)
            if (_SKIP_LINKS.search(f"{parts.path}?{parts.query}") or ATTACHMENT_EXT.search(url)
                    or "pdf" in parts.path.lower()
                    or clean(text_of(a)).casefold().strip("[]") in _TOOL_TEXTS):
                continue
            anchors.append((self.page_url(url), clean(text_of(a))))
        pager_params: set[str] = set()
        for url, text in anchors:
            if not _PAGER_TEXT.match(text):
                continue
            parts = urlsplit(url)
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            diff = {k for k in set(query) | set(here_q) if query.get(k) != here_q.get(k)}
            if parts.path == here.path and len(diff) == 1:
                pager_params |= diff
        seen: set[str] = set()
        for url, text in anchors:
            if pager_params and not _PAGER_TEXT.match(text):
                url = _drop_params(url, pager_params, here_q)
            if url not in seen:
                seen.add(url)
                out.listings.append(url)
        out.related = self.related_of(page, None)
        return out
