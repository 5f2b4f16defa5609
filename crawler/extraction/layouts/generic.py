"""The generic fallback: extraction for a portal that has no profile.

No selectors: the page's structure is read the way a person reads it. The main text block is
the element whose paragraphs hold the most text (link text discounted); the title is the
heading nearest before it that agrees best with ``og:title`` / ``<title>``; the date is the
date line nearest the title in document order (a header clock is far away); the author is a
short name-like line closing the text (or an element named author/tacgia/actor); the source a
"Nguồn:" line; photos and credits come from the images inside the text block; the older-items
box is found by its Vietnamese heading ("Các tin đã đăng", "Các tin khác", "Tin liên quan"...).

Articles are keyed by canonical URL, since the portal's id scheme is unknown; the archive folds
the other spellings of a page into one article by content hash.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from crawler.extraction.dates import parse_date
from crawler.extraction.layouts.base import (
    ATTACHMENT_EXT,
    Layout,
    Links,
    _walk,
    clean_html,
    split_credit,
)
from crawler.extraction.page import Page
from crawler.extraction.text import clean, text_of
from crawler.extraction.urls import canonical_url, strip_session
from crawler.items import Article, Attachment, Image, RelatedEntry

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
_SKIP_LINKS = re.compile(
    r"(?i)(print|sendmail|send-mail|email|login|dang-?nhap|tim-?kiem|search|rss|"
    r"\.(jpe?g|png|gif|pdf|docx?|xlsx?|zip|rar|css|js)(\?|$))")
_BLOCK_CANDIDATES = {"div", "td", "article", "section", "main"}


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
        PHP reads), so pagers that append to the current query string do not pile up."""
        parts = urlsplit(url)
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
            own = clean("".join(p.xpath("text()")))
            text = text_of(p) if p.tag == "p" else own
            if len(text) < 60:
                continue
            links = sum(len(text_of(a)) for a in p.iter("a"))
            weight = max(len(text) - 2 * links, 0)
            parent = p.getparent() if p.tag in ("p", "span", "font") else p
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
        hints = " ".join(root.xpath("//meta[@property='og:title']/@content")
                         + root.xpath("//title/text()"))
        hint_words = _words(hints)
        order = {el: i for i, el in enumerate(root.iter())}
        main_pos = order.get(main, 0)
        best, best_score = None, float("-inf")
        for el in root.xpath("//h1|//h2|//h3|//*[contains(@class,'title') or "
                             "contains(@class,'Title') or contains(@class,'tieude')]"):
            if _chrome(el):
                continue
            text = text_of(el)
            if not 10 <= len(text) <= 300:
                continue
            pos = order.get(el, 0)
            words = _words(text)
            overlap = len(words & hint_words) / max(len(words), 1)
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
    def article(self, page: Page, site: str = "") -> Article | None:
        root = page.selector.root
        main = self.main_block(root)
        if main is None:
            return None
        title_el = self.title(root, main)
        if title_el is None:
            return None
        found = self.date_near(root, title_el, main)
        if found is None:
            return None
        date_text, parsed = found
        problems = []
        if parsed.weekday_mismatch:
            problems.append(f"weekday contradicts date: {date_text!r} (published {parsed.iso()})")
        blocks = list(_walk(main, page.url))
        title = text_of(title_el)
        texts = [b.text for b in blocks if b.kind == "text" and b.text != title
                 and b.text != date_text and not _ATTACH_LABEL.match(b.text)]
        author, source = self._byline(root, main, texts)
        body = [t for t in texts if t not in (author, source)
                and not _SOURCE_LINE.match(t) and not _AUTHOR_LINE.match(t)]
        images = []
        for b in blocks:
            if b.kind == "image":
                caption, credit = split_credit(b.caption) if b.caption else (None, None)
                images.append(Image(url=b.url, caption=caption or None, credit=credit))
        attachments = [Attachment(url=b.url, title=b.text or None)
                       for b in blocks if b.kind == "attachment"]
        reference = date.fromisoformat(parsed.iso()[:10])
        return Article(
            url=self.article_url(page.url), key=self.article_key(page.url), site=site,
            category=self._category(root, title_el), title=title, published=parsed.iso(),
            published_text=date_text, author=author, source=source, summary=None,
            body="\n\n".join(body), body_html=clean_html(main, page.url), images=images,
            attachments=attachments, related=self.related(page, reference), problems=problems)

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
        for text in texts:
            m = _SOURCE_LINE.match(text)
            if m and source is None:
                source = m.group("src")
            m = _AUTHOR_LINE.match(text)
            if m and author is None:
                author = m.group("a")
        if author is None and texts:
            tail = [t for t in texts[-3:] if t != source]
            for candidate in reversed(tail):
                words = candidate.split()
                if (1 <= len(words) <= 6 and len(candidate) <= 50 and not candidate.endswith(".")
                        and not re.search(r"\d", candidate)
                        and all(w[:1].isupper() for w in words if w[:1].isalpha())):
                    author = candidate
                    break
        return author, source

    def _category(self, root: etree._Element, title_el: etree._Element) -> str | None:
        for meta in root.xpath("//meta[@property='article:section']/@content"):
            if clean(meta):
                return clean(meta)
        for el in title_el.itersiblings(preceding=True):
            marks = f"{el.get('id', '')} {el.get('class', '')}" if isinstance(el.tag,
                                                                                str) else ""
            if marks and _CATEGORY_HINT.search(marks):
                links = [text_of(a) for a in el.iter("a")]
                text = links[-1] if links else text_of(el)
                return text.split(">")[-1].strip() or None
        return None

    def related(self, page: Page, reference: date | None) -> list[RelatedEntry]:
        root = page.selector.root
        headings = [h.lower().rstrip(":") for h in self.related_headings]
        for el in root.iter():
            if not isinstance(el.tag, str) or el.tag in ("a", "script", "style"):
                continue
            own = clean(" ".join(el.xpath("text()"))).lower().rstrip(": ")
            if own not in headings or own in ("tin mới hơn",):
                continue
            box = el
            entries: list[RelatedEntry] = []
            while box is not None and not entries:
                for a in box.iter("a"):
                    href = a.get("href")
                    if not href or href.startswith(("javascript:", "#")):
                        continue
                    title = text_of(a)
                    tail = clean((a.tail or "") + " " + " ".join(
                        text_of(s) for s in a.itersiblings() if isinstance(s.tag, str))[:40])
                    parsed = parse_date(tail, reference=reference) if tail else None
                    url = canonical_url(strip_session(urljoin(page.url, href)))
                    if title:
                        entries.append(RelatedEntry(url=url, title=title,
                                                    published=parsed.iso() if parsed else None,
                                                    published_text=tail or None))
                box = box.getnext() if not entries else None
                if box is None:
                    break
            if not entries:
                parent = el.getparent()
                if parent is not None and parent is not root:
                    for a in parent.iter("a"):
                        href = a.get("href")
                        if href and not href.startswith(("javascript:", "#")) and text_of(a):
                            entries.append(RelatedEntry(
                                url=canonical_url(strip_session(urljoin(page.url, href))),
                                title=text_of(a)))
            if entries:
                return entries
        return []

    def links(self, page: Page) -> Links:
        """Every same-document link is a page to visit; extraction decides what is an article."""
        out = Links()
        seen: set[str] = set()
        for href in page.selector.css("a::attr(href)").getall():
            href = href.strip()
            if not href or href.startswith(("javascript:", "mailto:", "#", "data:", "tel:")):
                continue
            url = urljoin(page.url, href)
            if _SKIP_LINKS.search(url) or ATTACHMENT_EXT.search(url):
                continue
            url = self.page_url(url)
            if url not in seen:
                seen.add(url)
                out.listings.append(url)
        out.related = self.related(page, None)
        return out
