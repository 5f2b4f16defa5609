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
from datetime import date
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

from lxml import etree

from crawler.extraction.dates import parse_date
from crawler.extraction.layouts.base import (
    ATTACHMENT_EXT,
    POSTBACK,
    Layout,
    Links,
    _walk,
    clean_html,
    media_of,
    postback_request,
)
from crawler.extraction.page import Page
from crawler.extraction.select import select
from crawler.extraction.text import clean, text_of
from crawler.extraction.urls import canonical_url, join_url, strip_session
from crawler.items import Article, RelatedEntry

_CHROME = re.compile(
    r"(^|[-_\s])(header|menu|nav|navbar|footer|sidebar|leftcol|rightcol|left|right|banner|"
    r"topbar|breadcrumb|quangcao|lienket|weblink)([-_\s]|$)", re.IGNORECASE)
_AUTHOR_HINT = re.compile(r"author|tacgia|tac-gia|actor|byline|writer", re.IGNORECASE)
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


def _chrome(el: etree._Element) -> bool:
    """Is ``el`` inside a header, menu, sidebar or footer?"""
    for node in el.iterancestors():
        if not isinstance(node.tag, str):
            continue
        if node.tag in ("header", "nav", "footer", "aside"):
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


def is_listing(main: etree._Element, title: etree._Element, url: str) -> bool:
    """Is the page at ``url`` a list of entries (a home page, a category listing, a tag page,
    search results) rather than an article? Its main block holds several headline-like links
    to other pages, and either its "title" is one of them (an entry's headline links to its
    article; an article's headline links nowhere, or to itself) or links make most of the
    block's text and no paragraph reads on its own."""
    here = urldefrag(url)[0]

    def elsewhere(a: etree._Element) -> bool:
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:")):
            return False
        target = join_url(url, href)
        return target is not None and urldefrag(target)[0] != here

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
    def main_block(self, root: etree._Element) -> etree._Element | None:
        """The element whose paragraphs hold the most text."""
        scores: dict[etree._Element, float] = {}
        for p in root.iter("p", "div", "td", "span", "font"):
            if not isinstance(p.tag, str) or _chrome(p):
                continue
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
            scores[parent] = scores.get(parent, 0) + weight
            grand = parent.getparent()
            if grand is not None:
                scores[grand] = scores.get(grand, 0) + weight * 0.3
        if not scores:
            return None
        best = max(scores, key=scores.get)
        return best if scores[best] >= self.min_text else None

    def title(self, root: etree._Element, main: etree._Element) -> etree._Element | None:
        hints = [_words(h) for h in root.xpath("//meta[@property='og:title']/@content")
                 + root.xpath("//title/text()")]
        hints = [h for h in hints if h]
        order = {el: i for i, el in enumerate(root.iter())}
        main_pos = order.get(main, 0)
        best, best_score = None, float("-inf")
        boxes = {h.lower() for h in self.related_headings}
        for el in root.xpath("//h1|//h2|//h3|//*[contains(@class,'title') or "
                             "contains(@class,'Title') or contains(@class,'tieude')]"):
            if _chrome(el):
                continue
            text = text_of(el)
            if not 10 <= len(text) <= 300 or text.lower().rstrip(": ") in boxes:
                continue  # an older-items box heading is never the headline
            pos = order.get(el, 0)
            words = _words(text)
            # Dice agreement: a category heading whose words all occur in the page title
            # agrees less than the headline itself.
            overlap = max((2 * len(words & h) / (len(words) + len(h)) for h in hints),
                          default=0.0)
            distance = abs(main_pos - pos)
            inside = main in el.iterancestors() or el in main.iter()
            score = overlap * 100 - distance * 0.2 + (10 if pos <= main_pos or inside else -30)
            score += {"h1": 6, "h2": 4, "h3": 2}.get(el.tag, 0)
            if score > best_score:
                best, best_score = el, score
        return best

    def date_near(self, root: etree._Element, title: etree._Element,
                  reference: etree._Element) -> tuple[str, object] | None:
        """The date line nearest the title in document order."""
        nodes = [el for el in root.iter() if isinstance(el.tag, str)]
        index = {el: i for i, el in enumerate(nodes)}
        t = index.get(title, 0)
        best = None
        for el in nodes:
            if el.tag in ("script", "style") or _chrome(el):
                continue
            own = clean(" ".join(el.xpath("text()")))
            if not own or len(own) > 120 or not re.search(r"\d", own):
                continue
            parsed = parse_date(own)
            if parsed is None:
                continue
            distance = abs(index[el] - t) + (0 if index[el] > t else 3)
            if best is None or distance < best[0]:
                best = (distance, own, parsed)
        return (best[1], best[2]) if best else None

    # --- the article ------------------------------------------------------------------------
    def pinned(self, root: etree._Element, name: str) -> etree._Element | None:
        """The element a profile's ``name`` selector finds first (a learned profile pins the
        title, date, content, author and category: crawler/extraction/learn.py), else None."""
        css = self.sel.get(name)
        found = [el for el in select(root, css) if isinstance(el, etree._Element)] if css else []
        return found[0] if found else None

    def article(self, page: Page, site: str = "") -> Article | None:
        root = page.selector.root
        main = self.pinned(root, "content")
        main = self.main_block(root) if main is None else main
        if main is None:
            return None
        title_el = self.pinned(root, "title")
        title_el = self.title(root, main) if title_el is None else title_el
        if title_el is None or is_listing(main, title_el, page.url):
            return None
        date_el = self.pinned(root, "date")
        date_text = text_of(date_el) if date_el is not None else ""
        parsed_pin = parse_date(date_text) if date_text else None
        found = (date_text, parsed_pin) if parsed_pin else self.date_near(root, title_el, main)
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
        author, source = self._byline(root, main, texts)
        if (author_el := self.pinned(root, "author")) is not None:
            author = text_of(author_el) or author
        body = [t for t in texts if t not in (author, source)
                and not _SOURCE_LINE.match(t) and not _AUTHOR_LINE.match(t)]
        images, attachments = media_of(blocks)
        reference = date.fromisoformat(parsed.iso()[:10])
        return Article(
            url=self.article_url(page.url), key=self.article_key(page.url), site=site,
            category=self._pinned_category(root) or self._category(root, title_el),
            title=title, published=parsed.iso(),
            published_text=date_text, author=author, source=source, summary=lead,
            body="\n\n".join(body), body_html=clean_html(main, page.url), images=images,
            attachments=attachments, related=self.related_of(page, reference), problems=problems)

    def _byline(self, root: etree._Element, main: etree._Element,
                texts: list[str]) -> tuple[str | None, str | None]:
        author = source = None
        scope = main.getparent() if main.getparent() is not None else main
        for el in scope.iter():
            if not isinstance(el.tag, str):
                continue
            marks = f"{el.get('id', '')} {el.get('class', '')}"
            if author is None and _AUTHOR_HINT.search(marks):
                author = text_of(el) or None
            elif source is None and _SOURCE_HINT.search(marks):
                source = text_of(el) or None
        trailing = _trailing(main, {h.lower().rstrip(":") for h in self.related_headings})
        for el in trailing:
            for node in el.iter():
                if not isinstance(node.tag, str):
                    continue
                marks = f"{node.get('id', '')} {node.get('class', '')}"
                if author is None and _AUTHOR_HINT.search(marks):
                    author = text_of(node) or None
                elif source is None and _SOURCE_HINT.search(marks):
                    source = text_of(node) or None
        # A byline cell after the text: "Bích Huệ<br>(Nguồn: Trang TTĐT VP)".
        cells = [c for el in trailing for c in (el.xpath(".//td[not(.//td)]") or [el])]
        after = [b.text for c in cells for b in _walk(c, "") if b.kind == "text"]
        for text in texts + after:
            m = _SOURCE_LINE.match(text)
            if m and source is None:
                source = m.group("src")
            m = _AUTHOR_LINE.match(text)
            if m and author is None:
                author = m.group("a")
        if author is None and (texts or after):
            tail = [t for t in (texts[-3:] + after[:2]) if t != source
                    and not _SOURCE_LINE.match(t)]
            for candidate in reversed(tail):
                words = candidate.split()
                if (1 <= len(words) <= 6 and len(candidate) <= 50 and not candidate.endswith(".")
                        and not re.search(r"\d", candidate)
                        and all(w[:1].isupper() for w in words if w[:1].isalpha())):
                    author = candidate
                    break
        return author, source

    def _pinned_category(self, root: etree._Element) -> str | None:
        """The category a profile's selector finds: a breadcrumb's last step."""
        el = self.pinned(root, "category")
        return (text_of(el).split(">")[-1].strip() or None) if el is not None else None

    def _category(self, root: etree._Element, title_el: etree._Element) -> str | None:
        """``article:section`` / JSON-LD ``articleSection``, else the label nearest before the
        title that the page also offers as a navigation link (a breadcrumb's last step, the
        category link or heading above the headline, a portlet title)."""
        for meta in root.xpath("//meta[@property='article:section']/@content"):
            if clean(meta):
                return clean(meta)
        for script in root.xpath("//script[@type='application/ld+json']/text()"):
            m = _LD_SECTION.search(script)
            if m and clean(m.group(1)):
                return clean(m.group(1))
        title = text_of(title_el).casefold()
        links = {text_of(a).casefold() for a in root.iter("a")}
        links.discard("")
        before = []
        for el in root.iter():
            if el is title_el:
                break
            if isinstance(el.tag, str) and el.tag not in ("script", "style"):
                before.append(el)
        for el in reversed(before[-_CATEGORY_WINDOW:]):
            text = text_of(el)
            if not 2 <= len(text) <= 60 or re.search(r"\d", text):
                continue
            label = text.split(">")[-1].strip()
            folded = label.casefold()
            if folded in links and folded != title and folded not in _HOME:
                return label
        for el in title_el.itersiblings(preceding=True):  # a breadcrumb the menu lacks
            marks = f"{el.get('id', '')} {el.get('class', '')}" if isinstance(el.tag,
                                                                                str) else ""
            if marks and _CATEGORY_HINT.search(marks):
                crumbs = [text_of(a) for a in el.iter("a")]
                text = crumbs[-1] if crumbs else text_of(el)
                return text.split(">")[-1].strip() or None
        return None

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
