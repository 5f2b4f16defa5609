"""Links: the page's own URL, every same-document link worth a visit (tool links and files left
out, a pager parameter dropped where a CMS carries it along), an ASP.NET "next page" postback,
and the older-items box (the run of rows after its Vietnamese heading, outside sidebars)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from crawler.extraction.dates import parse_date
from crawler.extraction.layouts.base import ATTACHMENT_EXT, POSTBACK, Links, postback_request
from crawler.extraction.layouts.generic.chrome import _TOOL_TEXTS, _chrome
from crawler.extraction.page import Page
from crawler.extraction.text import clean, text_of
from crawler.extraction.urls import canonical_url, join_url, strip_session
from crawler.items import RelatedEntry

#: Links not worth a visit: print views, mail forms, log-in, search, feeds, files. English tool
#: words match anywhere ("ArticlePrint.aspx", "&print=1"); Vietnamese ones and "search" only as a
#: whole path segment, file name or query name/value ("?page=TimKiem"), never inside a slug
#: ("...-tim-kiem-cuu-nan-...-3144.html": search and rescue).
_SKIP_LINKS = re.compile(
    r"(?i)(print|sendmail|send-mail|email|login|\.rss\b|/rss\b)"
    r"|(?:^|[/?&=])(gui-?email|dang-?nhap|tim-?kiem|search)(?:[./?&=_]|$)"
    r"|\.(jpe?g|png|gif|pdf|docx?|xlsx?|zip|rar|css|js)(\?|$)")
#: The text of a "next page" pager link ("Xem tin tiếp theo...", "Trang sau", "»").
_NEXT_TEXT = re.compile(r"^(?:[»›>]{1,2}|trang sau|sau|tiếp|tiếp theo|next|xem tiếp|xem thêm"
                        r"|xem tin tiếp theo|các tin tiếp)\W*$|^xem (?:tin|bài) (?:tiếp|cũ)",
                        re.IGNORECASE)
_PAGER_TEXT = re.compile(r"^(\d{1,3}|[»›>]{1,2}|trang sau|sau|tiếp|next)$", re.IGNORECASE)
_DIR_INDEX = re.compile(r"/(index|default)\.(php|html?|aspx?|jsp)$", re.IGNORECASE)


def page_url(url: str) -> str:
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


def page_links(page: Page, spell: Callable[[str], str]) -> Links:
    """Every same-document link of ``page`` as a page to visit, spelled by ``spell`` (the
    layout's ``page_url``), and its "next page" postback; the older-items box is left to the
    layout.

    Tool links (print, e-mail, PDF export) are not followed. A pager parameter (the one
    query parameter in which a numbered pager link differs from the current page, e.g.
    ``vt``) is dropped from the page's other links, where a CMS that appends to the current
    query string carries it along (``...&vt=1&id=5`` is the article ``...&id=5``)."""
    out = Links()
    here = urlsplit(spell(page.url))
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
        anchors.append((spell(url), clean(text_of(a))))
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
    return out


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


def older_items(root: etree._Element, base_url: str, headings: set[str],
                reference: date | None) -> list[RelatedEntry]:
    """The older-items box: the links that follow its heading (one of ``headings``, lower
    case: "các tin đã đăng", "tin cũ hơn"...), up to the end of the box; a sidebar's box of
    the same name is not it."""
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("a", "script", "style"):
            continue
        own = clean(" ".join(el.xpath("text()"))).lower().rstrip(": ")
        if own not in headings or _chrome(el):  # a sidebar's "Tin cùng chuyên mục"
            continue
        return [_entry(url, a, reference) for a in _box_links(el)
                if (url := join_url(base_url, a.get("href")))]
    return []


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
