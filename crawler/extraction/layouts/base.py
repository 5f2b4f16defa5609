"""What every layout shares: selector tables, URL rules, and the walk over an article body.

A layout is a page-object factory for one CMS family. Subclasses set class attributes
(``selectors``, ``article_patterns``, ``listing_patterns``, ``article_url_template``) and may
override methods; a site profile can override any selector by name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import urljoin

from form2request import Request as FormRequestData
from form2request import form2request
from lxml import etree
from lxml import html as lxml_html
from parsel import Selector

from crawler.extraction.dates import parse_date
from crawler.extraction.page import Page
from crawler.extraction.select import kind_of, select, wrap
from crawler.extraction.text import clean, nfc, text_of
from crawler.extraction.urls import canonical_url, join_url, resolve, strip_session
from crawler.items import Article, Attachment, Image, RelatedEntry

#: Photo credit at the end of a caption: "Ảnh  Huy Dương", "Ảnh: N.H", "(Ảnh: Thanh Vân/TTXVN)".
CREDIT = re.compile(
    r"[\s,;–-]*[(\[]?\s*(?:Ảnh|Nguồn ảnh|Ảnh và tin|Ảnh, tin|Ảnh tư liệu)\s*[:\-–]?\s+"
    r"(?P<credit>[^()\[\]\n]{1,60}?)\s*[)\]]?\s*\.?\s*$"
)
#: A caption that is only a credit: "Ảnh: Huy Dương", "(Ảnh: TTXVN)".
_CREDIT_ONLY = re.compile(r"^[(\[]?\s*(?:Ảnh|Nguồn ảnh)\s*[:\-–]?\s+", re.IGNORECASE)
#: Class names of caption elements: "caption", "image-caption", "chuthich", "PhotoCMS_Caption",
#: "desc", vnexpress's "Image" paragraph under a photo.
_CAPTION_CLASS = re.compile(r"caption|chuthich|chu-thich|chu_thich|^image$|photo-?desc|img-?desc"
                            r"|fig-?desc|expNoEdit|note-?image|image-?note", re.IGNORECASE)
_CENTRED = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*italic", re.IGNORECASE)
#: A caption is a line, not a paragraph of the story.
CAPTION_MAX = 400
_NOT_A_CREDIT = re.compile(r"^(minh họa|minh hoạ|tư liệu|chụp màn hình)$", re.IGNORECASE)
ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|7z|odt|ods)(?:$|[?#])", re.I)
#: A URL or file name that names a picture.
PICTURE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp|svg|tiff?)(?:$|[?#])", re.I)
#: An ASP.NET postback link: ``javascript:__doPostBack('target','argument')``.
POSTBACK = re.compile(r"javascript:\s*__doPostBack\(\s*['\"]([^'\"]+)['\"]"
                      r"\s*(?:,\s*['\"]([^'\"]*)['\"])?")
BLOCK_TAGS = {"p", "div", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "address"}
#: URLs whose answers each layout keeps (:meth:`Layout.article_id` and the other URL rules).
URL_CACHE_SIZE = 4096
#: How deep :func:`_walk` follows nested blocks; deeper ones (a page of unclosed ``<div>``s)
#: become one text block each, so the walk never reaches Python's recursion limit.
MAX_WALK_DEPTH = 64
_IMAGES = etree.XPath(".//img[@src]")
_CAPTIONS = etree.XPath(
    ".//*[contains(@class,'caption') or self::figcaption or contains(@class,'comment')]")
_LINKS = etree.XPath(".//a[@href]")


def split_credit(caption: str) -> tuple[str, str | None]:
    """Split a photo caption into (caption, credit).

    >>> split_credit("Đồng chí trao quyết định.     Ảnh  Huy Dương")
    ('Đồng chí trao quyết định.', 'Huy Dương')
    """
    text = clean(caption)
    m = CREDIT.search(text)
    if not m or _NOT_A_CREDIT.match(m.group("credit").strip()):
        return text, None
    return text[: m.start()].strip(), m.group("credit").strip(" .")


@dataclass
class Links:
    """Where a page points, sorted by what the spider may do with each link."""

    articles: list[tuple[str, str | None]] = field(default_factory=list)  # (url, title shown)
    listings: list[str] = field(default_factory=list)
    pagers: list[str] = field(default_factory=list)
    next_page: str | None = None
    postback: str | None = None  # __EVENTTARGET of an ASP.NET "next page" postback link
    postback_request: FormRequestData | None = None  # the POST that link sends (the form's)
    items: list[tuple[str, str]] = field(default_factory=list)  # listing entries, in order
    related: list[RelatedEntry] = field(default_factory=list)


def postback_request(page: Page, target: str, argument: str = "") -> FormRequestData | None:
    """The POST an ASP.NET ``__doPostBack(target)`` link sends: the page's form with its hidden
    state and ``__EVENTTARGET`` (``form2request``, which Scrapy recommends over
    ``FormRequest.from_response``). Built here, in the extraction worker, from
    :attr:`Page.html_tree` (a second parse, of the pages with such a link only), so the
    crawler never parses a listing page for its form. None when the page has no form."""
    doc = page.html_tree
    forms = doc.xpath("//form[@id='aspnetForm']") or doc.xpath("//form")
    if not forms:
        return None
    return form2request(forms[0], {"__EVENTTARGET": target, "__EVENTARGUMENT": argument},
                        click=False)


@dataclass
class Block:
    kind: str  # "text" | "image" | "attachment"
    text: str = ""
    url: str = ""
    caption: str = ""
    #: An image's ``alt`` text (never its caption: the page does not show it).
    alt: str = ""
    #: A text block set like a caption (italic, centred, a caption class); an image with no
    #: caption of its own, which the next caption-like line may caption.
    captionish: bool = False


def media_of(blocks: list[Block]) -> tuple[list[Image], list[Attachment]]:
    """The photos (caption and credit split) and the attachments among an article's blocks."""
    images = []
    for b in blocks:
        if b.kind == "image":
            caption, credit = split_credit(b.caption) if b.caption else (None, None)
            images.append(Image(url=b.url, caption=caption or None, credit=credit,
                                alt=b.alt or None))
    attachments = [Attachment(url=b.url, title=b.text or None)
                   for b in blocks if b.kind == "attachment"]
    return images, attachments


class Layout:
    """Base page-object factory. Subclasses describe one CMS family."""

    name = "base"
    #: First and last day the layout was live (ISO dates); re-extraction picks by capture date.
    valid_from: str | None = None
    valid_until: str | None = None
    selectors: Mapping[str, str] = {}
    #: Regexes with one group, the article id, matched against a canonical URL.
    article_patterns: tuple[str, ...] = ()
    listing_patterns: tuple[str, ...] = ()
    #: Path of the canonical article URL for an id, e.g. "/NewsDetail.aspx?id={id}".
    article_url_template: str | None = None
    related_headings: tuple[str, ...] = (
        "Các tin đã đăng", "Các tin đã đưa", "Tin đã đăng", "Các tin khác", "Tin cũ hơn",
        "Tin cùng chuyên mục", "Tin liên quan",
    )

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self.sel = {**self.selectors, **(overrides or {})}
        self._article_res = [re.compile(p, re.IGNORECASE) for p in self.article_patterns]
        self._listing_res = [re.compile(p, re.IGNORECASE) for p in self.listing_patterns]
        # The URL rules are pure functions of the URL, asked again for the menu, sidebar and
        # older-items links of every page: each instance keeps its recent answers.
        for rule in ("article_id", "article_url", "page_url", "is_listing_url"):
            setattr(self, rule, lru_cache(maxsize=URL_CACHE_SIZE)(getattr(self, rule)))

    # --- validity -----------------------------------------------------------------------------
    def valid_on(self, day: date) -> bool:
        iso = day.isoformat()
        return (self.valid_from is None or iso >= self.valid_from) and (
            self.valid_until is None or iso <= self.valid_until
        )

    # --- URLs ---------------------------------------------------------------------------------
    def article_id(self, url: str) -> str | None:
        """The article id a URL names, if it is an article (or print-view) URL."""
        for rx in self._article_res:
            m = rx.search(url)
            if m:
                return m.group(1)
        return None

    def article_key(self, url: str) -> str:
        """Identity of the article a URL leads to: its id when the URL names one."""
        art_id = self.article_id(url)
        return f"id:{art_id}" if art_id else f"url:{canonical_url(url)}"

    def article_url(self, url: str) -> str:
        """The canonical URL to fetch for an article link."""
        art_id = self.article_id(url)
        if art_id and self.article_url_template:
            return canonical_url(urljoin(url, self.article_url_template.format(id=art_id)))
        return canonical_url(url)

    #: (regex, replacement) pairs applied to canonical non-article URLs, e.g. IIS's default
    #: document: "/Default.aspx" is "/".
    page_rewrites: tuple[tuple[str, str], ...] = ()

    def page_url(self, url: str) -> str:
        """Canonical URL of a non-article page (home, listing)."""
        url = canonical_url(url)
        for pattern, replacement in self.page_rewrites:
            url = re.sub(pattern, replacement, url)
        return url

    def is_listing_url(self, url: str) -> bool:
        return any(rx.search(url) for rx in self._listing_res)

    # --- pages --------------------------------------------------------------------------------
    def article(self, page: Page, site: str = "") -> Article | None:
        """Extract the article a page holds, or None when the page holds none."""
        s = page.selector
        if self.sel.get("container"):
            found = self._containers(page)
            if not found:
                return None
            root = wrap(found[0], kind_of(s))
        else:
            root = s
        title = self._text(root, "title")
        if not title:
            return None
        problems: list[str] = []
        published = published_text = None
        date_text = self._text(root, "date")
        if date_text:
            parsed = parse_date(date_text)
            if parsed is None:
                problems.append(f"date not understood: {date_text!r}")
                published_text = date_text
            else:
                published, published_text = parsed.iso(), date_text
                if parsed.weekday_mismatch:
                    problems.append(
                        f"weekday contradicts date: {date_text!r} (published {published})"
                    )
        else:
            problems.append("no date found")
        reference = date.fromisoformat(published[:10]) if published else None

        blocks = list(self.content_blocks(root, page.url))
        body = "\n\n".join(b.text for b in blocks if b.kind == "text")
        images, attachments = media_of(blocks)
        art_url = self.article_url(page.url)
        return Article(
            url=art_url,
            key=self.article_key(page.url),
            site=site,
            category=self._text(root, "category") or None,
            title=title,
            published=published,
            published_text=published_text,
            author=self._text(root, "author") or None,
            source=self._text(root, "source") or None,
            summary=self._text(root, "summary") or None,
            body=body,
            body_html=self.body_html(root, page.url),
            images=images,
            attachments=attachments,
            related=self.related_of(page, reference),
            problems=problems,
        )

    def links(self, page: Page) -> Links:
        """Article, listing and pager links of a page, canonical and de-duplicated."""
        s = page.selector
        kind = kind_of(s)
        out = Links()
        pager_sel = self.sel.get("pager")
        in_pager = {strip_session(u) for h in (_select_each(select(s, pager_sel), "a::attr(href)",
                                                            kind) if pager_sel else [])
                    if (u := join_url(page.url, h))}
        seen: set[str] = set(in_pager)
        titles: dict[str, str] = {}
        related_links = ", ".join(part.strip() + " a" for part in
                                  (self.sel.get("related_item") or "").split(",") if part.strip())
        title_css = ", ".join(filter(None, (self.sel.get("listing_title"), related_links)))
        for a in select(s, title_css) if title_css else []:
            href = _attr(a, "href")
            url = join_url(page.url, href) if href else None
            if url:
                titles.setdefault(strip_session(url), text_of(a))
        for a in select(s, "a[href]"):
            href = (_attr(a, "href") or "").strip()
            if not href or href.startswith("#"):
                continue
            url = join_url(page.url, href)
            if url is None:  # javascript:, data:, mailto:, a malformed URL
                continue
            url = strip_session(url)
            if url in seen:
                continue
            seen.add(url)
            if self.article_id(url) is not None:
                out.articles.append((url, titles.get(url) or None))
            elif self.is_listing_url(url):
                out.listings.append(self.page_url(url))
        for a in select(s, self.sel["listing_title"]) if self.sel.get("listing_title") else []:
            href = _attr(a, "href")
            url = join_url(page.url, href) if href else None
            if url:
                out.items.append((strip_session(url), text_of(a)))
        for href in (_select_each(select(s, self.sel["pager_postback"]), "::attr(href)", kind)
                     if self.sel.get("pager_postback") else []):
            m = POSTBACK.match(href.strip())
            if m:
                out.postback = m.group(1)
                out.postback_request = postback_request(page, out.postback)
                break
        next_sel = self.sel.get("pager_next")
        for href in _select_each(select(s, next_sel), "::attr(href)", kind) if next_sel else []:
            url = join_url(page.url, href) if href.strip() else None
            if url:
                out.next_page = self.page_url(url)
                break
        out.pagers = [self.page_url(u) for u in sorted(in_pager)]
        if self.sel.get("container") and self._containers(page):
            out.related = self.related_of(page, None)
        return out

    def related_of(self, page: Page, reference: date | None) -> list[RelatedEntry]:
        """:meth:`related`, worked out once per page: the article's extraction (which knows the
        article's date, for yearless entries) and the link listing share it."""
        memo = page.memo.get("related")
        if memo is None or (reference is not None and memo[0] is None):
            memo = (reference, self.related(page, reference))
            page.memo["related"] = memo
        return memo[1]  # type: ignore[index]

    def related(self, page: Page, reference: date | None) -> list[RelatedEntry]:
        entries = []
        item_css = self.sel.get("related_item")
        kind = kind_of(page.selector)
        for li in select(page.selector, item_css) if item_css else []:
            if isinstance(li, etree._Element):  # "a" and "a::attr(href)" in one walk
                anchors = list(li.iter("a"))
                hrefs = [h for a in anchors if (h := a.get("href")) is not None]
            else:
                anchors, hrefs = select(li, "a", kind), select(li, "a::attr(href)", kind)
            url = join_url(page.url, hrefs[0]) if hrefs and hrefs[0] else None
            if not url:
                continue
            title = text_of(anchors[0])
            dates = select(li, self.sel.get("related_date", "span"), kind)
            date_text = text_of(dates[0]) if dates else ""
            parsed = parse_date(date_text, reference=reference) if date_text else None
            entries.append(
                RelatedEntry(
                    url=self.article_url(strip_session(url)),
                    title=title,
                    published=parsed.iso() if parsed else None,
                    published_text=date_text or None,
                )
            )
        return entries

    # --- helpers ------------------------------------------------------------------------------
    def _containers(self, page: Page) -> list[object]:
        """What the ``container`` selector finds on the page, looked up once per page (the
        article and the link listing both ask)."""
        key = "css:" + self.sel["container"]  # by selector: two layouts may read one page
        found = page.memo.get(key)
        if found is None:
            found = page.memo[key] = select(page.selector, self.sel["container"])
        return found  # type: ignore[return-value]

    def _text(self, root: Selector, name: str) -> str:
        css = self.sel.get(name)
        if not css:
            return ""
        found = select(root, css)
        return text_of(found[0]) if found else ""

    def content_blocks(self, root: Selector, base_url: str) -> Iterator[Block]:
        """Walk the article body in document order: paragraphs, photos, attachment links."""
        content = select(root, self.sel["content"]) if self.sel.get("content") else []
        if not content:
            return
        yield from _walk(content[0], base_url)

    def body_html(self, root: Selector, base_url: str) -> str:
        content = select(root, self.sel["content"]) if self.sel.get("content") else []
        if not content:
            return ""
        return clean_html(content[0], base_url)


def _attr(node: object, name: str) -> str | None:
    """An attribute of a selected element (None for a ``::text`` / ``::attr()`` string)."""
    return node.get(name) if isinstance(node, etree._Element) else None


def _select_each(nodes: list[object], css: str, kind: str) -> list[object]:
    """``css`` under each of ``nodes``, results concatenated (parsel's ``SelectorList.css``)."""
    return [found for node in nodes for found in select(node, css, kind)]


def _caption_like(el: etree._Element) -> bool:
    """Is a paragraph set like a photo caption: a caption class, centred, or italic through?"""
    if _CAPTION_CLASS.search(el.get("class", "")) or el.tag == "figcaption":
        return True
    style = el.get("style", "")
    if el.get("align", "").lower() == "center" or _CENTRED.search(style):
        return True
    if _ITALIC_STYLE.search(style):
        return True
    text = text_of(el)
    italic = " ".join(text_of(i) for i in el.iter("em", "i")
                      if not any(a.tag in ("em", "i") for a in i.iterancestors()))
    if text and clean(italic) == text:
        return True
    return any(isinstance(c.tag, str) and (c.get("align", "").lower() == "center"
                                           or _CENTRED.search(c.get("style", ""))
                                           or _CAPTION_CLASS.search(c.get("class", "")))
               and text_of(c) == text for c in el)


def is_caption_text(text: str, captionish: bool) -> bool:
    """Can a text block right after a photo be its caption? A short line set like a caption,
    or one that ends with a photo credit ("... Ảnh  Huy Dương", "(Ảnh: Thanh Vân/TTXVN)")."""
    if not text or len(text) > CAPTION_MAX:
        return False
    return captionish or CREDIT.search(text) is not None or _CREDIT_ONLY.match(text) is not None


def _with_captions(blocks: list[Block]) -> Iterator[Block]:
    """Blocks with each photo that has no caption of its own given the text block right after
    it when that block reads as a caption (the ``<p><img></p><p><em>... (Ảnh: X)</em></p>``
    pattern); that block then leaves the text."""
    i = 0
    while i < len(blocks):
        b = blocks[i]
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if (b.kind == "image" and (not b.caption or b.captionish) and nxt is not None
                and nxt.kind == "text" and is_caption_text(nxt.text, nxt.captionish)):
            yield Block("image", url=b.url, caption=nxt.text, alt=b.alt)
            i += 2
            continue
        yield b
        i += 1


#: One word of file-name characters: with a picture's extension, an ``alt`` text that is only
#: the photo's file name ("luu-van18.jpg"), which says nothing.
_ONE_WORD = re.compile(r"[\w.-]+")


def _alt(img: etree._Element) -> str:
    """An image's ``alt`` text, unless it is only a file name."""
    alt = clean(img.get("alt") or "")
    return "" if _ONE_WORD.fullmatch(alt) and PICTURE_EXT.search(alt) else alt


#: At most this many words besides the links' own text make a label ("File đính kèm:").
_LABEL_WORDS = 4
_WORD = re.compile(r"\w+")


def _says_more_than_a_label(el: etree._Element, links: list[etree._Element]) -> bool:
    """Does a block that links documents hold more than the links and a label for them? A
    label is a few words ("File đính kèm:") or a document's name before a colon ("Kế hoạch số
    4634/KH-UBND: <a>Tải file tại đây</a>"); a sentence is more ("Chi tiết văn bản xem
    <a>tại đây</a>./.")."""
    full = text_of(el)
    rest = full
    for a in links:
        rest = rest.replace(text_of(a), " ", 1)
    if len(_WORD.findall(rest)) <= _LABEL_WORDS:
        return False
    before = full.split(text_of(links[0]), 1)[0]
    after = full.rsplit(text_of(links[-1]), 1)[-1]
    return not (before.rstrip().endswith(":") and not _WORD.search(after))


def _photo_group(el: etree._Element) -> bool:
    """Is a ``<div>`` a group of photos with one caption (``<div class="layout-image-2">``
    holding two ``<figure>`` and a ``<figcaption>``): all its text is in its caption?"""
    if el.tag != "div":
        return False
    captions = _CAPTIONS(el)
    return bool(captions) and clean(" ".join(text_of(c) for c in captions)) == text_of(el)


#: Parts of a table walked cell by cell when a photo table turns out to hold the text too.
_TABLE_PARTS = {"tbody", "thead", "tfoot", "tr", "td", "th"}


def _walk(el: etree._Element, base_url: str, depth: int = 0) -> Iterator[Block]:
    """Yield text blocks, images and attachments of an element, in document order; a photo
    without a caption of its own takes the caption line that follows it."""
    if depth:
        yield from _walk_raw(el, base_url, depth)
    else:
        yield from _with_captions(list(_walk_raw(el, base_url, 0)))


def _walk_raw(el: etree._Element, base_url: str, depth: int = 0) -> Iterator[Block]:
    pending: list[str] = []
    # loose text inside a photo's own block set like a caption (``<p style="text-align:
    # center"><img><span><i>caption</i></span></p>``) reads as the photo's caption
    framed = bool(depth) and _caption_like(el)

    def flush() -> Iterator[Block]:
        text = clean("".join(pending))
        pending.clear()
        if text:
            yield Block("text", text=text, captionish=framed and len(text) <= CAPTION_MAX)

    if el.text:
        pending.append(el.text)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in ("script", "style", "noscript") or not tag:
            if child.tail:
                pending.append(child.tail)
            continue
        images = _IMAGES(child) if tag != "img" else [child]
        is_photo_table = bool(images) and (tag in ("table", "figure") or _photo_group(child))
        if is_photo_table and tag == "table" and depth < MAX_WALK_DEPTH and (
                len(text_of(child)) > CAPTION_MAX + 200):
            # A layout table holding photos and the story: its cells, one by one.
            yield from flush()
            for cell in child.iter("td", "th"):
                if not any(a.tag in ("td", "th") for a in cell.iterancestors()
                           if a is not child and child in a.iterancestors()):
                    yield from _walk_raw(cell, base_url, depth + 1)
        elif tag == "img" or is_photo_table:
            yield from flush()
            captions = _CAPTIONS(child) if tag != "img" else []
            caption = " ".join(text_of(c) for c in captions)
            if not caption and tag != "img":
                caption = text_of(child)
            for img in images:
                url = resolve(base_url, img.get("src"))
                if url is not None:
                    yield Block("image", url=url, caption=caption, alt=_alt(img),
                                captionish=not caption)
        elif tag == "br":
            yield from flush()
        elif tag in BLOCK_TAGS or tag == "table" or (depth and tag in _TABLE_PARTS):
            yield from flush()
            attach = [a for a in _LINKS(child) if ATTACHMENT_EXT.search(a.get("href"))
                      and resolve(base_url, a.get("href")) is not None]
            if attach:
                # "Thực hiện Công văn số <a href="3835.pdf">3835/BTTTT</a> ngày ...": a
                # sentence that links its documents is text too; "Tải về: <a>" is a label
                if _says_more_than_a_label(child, attach):
                    yield Block("text", text=text_of(child))
                for a in attach:
                    yield Block("attachment", url=resolve(base_url, a.get("href")),
                                text=text_of(a))
            elif depth < MAX_WALK_DEPTH and (images or any(
                isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in child
            )):
                yield from _walk_raw(child, base_url, depth + 1)
            else:
                text = text_of(child)
                if text:
                    yield Block("text", text=text,
                                captionish=len(text) <= CAPTION_MAX and _caption_like(child))
        elif images and depth < MAX_WALK_DEPTH:  # <a href="big.jpg"><img></a>, <center><img>
            yield from flush()
            yield from _walk_raw(child, base_url, depth + 1)
        else:
            pending.append("".join(child.itertext()))
        if child.tail:
            pending.append(child.tail)
    yield from flush()


_KEEP_ATTRS = {"href", "src", "alt", "title", "colspan", "rowspan"}
_UNSAFE = etree.XPath(".//script|.//style|.//noscript|.//iframe|.//object|.//embed")
_NEWLINE_RUN = re.compile(r"\s*\n\s*")


def clean_html(el: etree._Element, base_url: str) -> str:
    """The article's HTML without scripts, styles, event handlers or layout attributes."""
    frag = lxml_html.fromstring(etree.tostring(el, encoding="unicode"))
    for bad in _UNSAFE(frag):
        bad.drop_tree()
    for node in frag.iter():
        if not isinstance(node.tag, str):
            continue
        for attr in list(node.attrib):
            if attr not in _KEEP_ATTRS:
                del node.attrib[attr]
        for attr in ("href", "src"):
            value = node.get(attr)
            if value is not None:
                url = resolve(base_url, value.strip())
                if url is None or value.strip().lower().startswith(
                        ("javascript:", "data:", "vbscript:")):
                    del node.attrib[attr]
                    continue
                try:
                    node.set(attr, url)
                except ValueError:  # a character lxml refuses in an attribute (&#1;)
                    del node.attrib[attr]
    frag.attrib.clear()
    markup = etree.tostring(frag, encoding="unicode", method="html")
    return _NEWLINE_RUN.sub("\n", nfc(markup)).strip()
