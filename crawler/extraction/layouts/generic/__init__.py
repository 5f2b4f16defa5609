"""The generic fallback: extraction for a portal that has no profile.

No selectors: the page's structure is read the way a person reads it. The main text block is
the element whose paragraphs (``<p>``, or ``<div>`` holding text and no blocks) hold the most
text, link text discounted (a notice too short for that, a line and a link to its document,
is read when its headline is what the page's ``<title>`` calls it and a date line follows
it: :func:`.headline.notice`); the title is the heading that agrees best (Dice overlap) with
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

The class reads a page with the parts of this package: :mod:`.chrome` (header, menu, sidebar,
footer), :mod:`.reading` (the text block and its reading copy), :mod:`.headline` (title and
date), :mod:`.byline` (author and source), :mod:`.category`, :mod:`.listing` (is it an
article at all?) and :mod:`.links` (links to follow, the older-items box).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from lxml import etree

from crawler.extraction.dates import ParsedDate, parse_date
from crawler.extraction.layouts.base import Layout, Links, _walk, clean_html, media_of, split_credit
from crawler.extraction.layouts.generic.byline import _AUTHOR_LINE, _SOURCE_LINE, byline
from crawler.extraction.layouts.generic.category import category
from crawler.extraction.layouts.generic.chrome import _Chrome
from crawler.extraction.layouts.generic.headline import _checked_date, _site_wide, headline, notice
from crawler.extraction.layouts.generic.headline import date_lines as _date_lines
from crawler.extraction.layouts.generic.links import older_items, page_links
from crawler.extraction.layouts.generic.links import page_url as _page_url
from crawler.extraction.layouts.generic.listing import is_listing, not_an_article_url
from crawler.extraction.layouts.generic.reading import _ATTACH_LABEL, _reading_copy, lead_photos
from crawler.extraction.layouts.generic.reading import main_block as _main_block
from crawler.extraction.metadata import Metadata, page_metadata, parse_iso_datetime
from crawler.extraction.page import Page
from crawler.extraction.select import select
from crawler.extraction.text import clean, name_like, parse_byline, text_of
from crawler.extraction.urls import join_url
from crawler.items import Article, RelatedEntry

__all__ = ["Generic", "is_listing", "not_an_article_url"]


def _after(parsed: ParsedDate, fetched: date | None) -> bool:
    """Is ``parsed`` a day after the page was fetched (a day's grace for time zones)? A date
    line in the future names an event (a meeting to come, a calendar's day), never the day
    the page was published."""
    if fetched is None:
        return False
    fetched_day = fetched.date() if isinstance(fetched, datetime) else fetched
    return parsed.day > fetched_day + timedelta(days=1)


class Generic(Layout):
    name = "generic"
    valid_from = None
    min_text = 400
    #: A notice's text, when its headline, date and text sit together (:func:`.headline.notice`).
    min_notice = 40

    def article_key(self, url: str) -> str:
        return f"url:{self.page_url(url)}"

    def page_url(self, url: str) -> str:
        """Canonical URL with a repeated query parameter kept once, at its last value (what
        PHP reads), and a directory index file spelled as its directory
        (:func:`.links.page_url`)."""
        return _page_url(url)

    def article_url(self, url: str) -> str:
        return self.page_url(url)

    # --- the parts ----------------------------------------------------------------------------
    def main_block(self, root: etree._Element,
                   chrome: _Chrome | None = None) -> etree._Element | None:
        """The element whose paragraphs hold the most text; one inside a header, menu, sidebar
        or footer only when it holds far more than anything outside them (a newspaper's main
        column named ``sidebar_1``)."""
        return _main_block(root, chrome if chrome is not None else _Chrome(root), self.min_text)

    def title(self, root: etree._Element, main: etree._Element, hints: list[str] | None = None,
              chrome: _Chrome | None = None) -> etree._Element | None:
        """The headline: the heading (or a bold line at the top of the text block) that agrees
        best with the page's ``<title>``, ``og:title`` and JSON-LD headline, near and before
        the text block; a sidebar box's heading in capitals ("LỊCH CÔNG TÁC") loses."""
        return headline(root, main, hints or [], chrome if chrome is not None else _Chrome(root),
                        {h.lower() for h in self.related_headings})

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
        return _date_lines(root, title, chrome if chrome is not None else _Chrome(root))

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
        # A profile's text block counts only on a page of its template: where the profile pins a
        # headline, the page has it (a listing of the same portal has the block in a sidebar).
        fits = "title" not in self.sel or self.pinned(root, "title") is not None
        main = self.pinned(root, "content") if fits else None
        main = self.main_block(root, chrome) if main is None else main
        hints = [t for t in meta.titles if not _site_wide(t, meta)]
        title_el = self.pinned(root, "title")
        if main is None and (short := notice(root, hints, chrome, self.min_notice)):
            title_el = title_el if title_el is not None else short[0]
            main = short[1]
        if main is None:
            return None
        chrome.around(main)
        title_el = self.title(root, main, hints, chrome) if title_el is None else title_el
        aliases = tuple(join_url(page.url, h) or "" for h in root.xpath(
            "//link[@rel='canonical']/@href|//meta[@property='og:url']/@content")[:2])
        if title_el is None or is_listing(main, title_el, page.url, aliases):
            return None
        date_el = self.pinned(root, "date")
        date_text = text_of(date_el) if date_el is not None else ""
        parsed_pin = parse_date(date_text) if date_text else None
        fetched = parse_iso_datetime(page.fetched_at or "")
        if parsed_pin:
            found: tuple[str, ParsedDate] | None = (date_text, parsed_pin)
        else:
            found = _checked_date([line for line in self.date_lines(root, title_el, chrome)
                                   if not _after(line[2], fetched)], meta)
        if found is None or _after(found[1], fetched):
            return None  # no page is published after it is fetched: an event's, a calendar's
        date_text, parsed = found
        problems = []
        if parsed.weekday_mismatch:
            problems.append(f"weekday contradicts date: {date_text!r} (published {parsed.iso()})")
        headings = {h.lower().rstrip(":") for h in self.related_headings}
        title = text_of(title_el)
        reading, lead = _reading_copy(main, headings, (title, date_text), page.url)
        blocks = list(_walk(reading, page.url))
        texts = [b.text for b in blocks if b.kind == "text" and b.text != title
                 and b.text != date_text and not _ATTACH_LABEL.match(b.text)]
        author, source, byline_texts = self._byline(root, main, texts, title_el, meta, chrome)
        if (author_el := self.pinned(root, "author")) is not None and not (
                author is not None and author in texts):  # a name signed in the text wins
            shown = text_of(author_el)
            author = parse_byline(shown).author or (shown if name_like(shown) else author)
        body = [t for t in texts if t not in byline_texts and t not in (author, source)
                and not _SOURCE_LINE.match(t) and not _AUTHOR_LINE.match(t)]
        if body and parse_byline(body[-1]).author and parse_byline(body[-1]).author == author:
            body.pop()
        images, attachments = media_of(blocks)
        known = {i.url for i in images}
        above = [b for b in _walk(lead_photos(title_el, main, chrome, page.url), page.url)
                 if b.kind == "image" and b.caption and not b.captionish and b.url not in known]
        images = media_of(above)[0] + images
        names = {clean(n).casefold() for n in meta.site_names}
        # "Tin, ảnh: P.Y", "Tâm Giao - Ảnh: Cao Trung Hiếu": who took the photos
        photographer = next((b.photos for t in byline_texts
                             if (b := parse_byline(t)).photos), None)
        for image in images:  # a caption that only names the site ("VnEconomy") says nothing
            if image.caption and clean(image.caption).casefold() in names:
                image.caption = image.credit = None
            if image.credit is None and photographer:
                image.credit = photographer
        for image in images:  # a caption only the page's JSON-LD gives
            if image.caption is None and image.url in meta.captions:
                image.caption, image.credit = split_credit(meta.captions[image.url])
                image.caption = image.caption or None
        if not body:  # a photo story: its text is its captions
            body = list(dict.fromkeys(i.caption for i in images if i.caption))
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
        """(author, source, the body lines that were the byline): :func:`.byline.byline`, up
        to this layout's older-items box."""
        return byline(root, main, texts, {h.lower().rstrip(":") for h in self.related_headings},
                      title_el, meta, chrome)

    def _category(self, root: etree._Element, title_el: etree._Element,
                  meta: Metadata | None = None, url: str = "") -> str | None:
        """The page's section when the page shows it, else the label nearest before the title
        that the page also offers as a navigation link (:func:`.category.category`)."""
        return category(root, title_el, meta, url)

    def _pinned_category(self, root: etree._Element) -> str | None:
        """The category a profile's selector finds: a breadcrumb's last step."""
        el = self.pinned(root, "category")
        return (text_of(el).split(">")[-1].strip() or None) if el is not None else None

    def related(self, page: Page, reference: date | None) -> list[RelatedEntry]:
        """The older-items box: the links that follow its heading ("Các tin đã đăng",
        "CÁC TIN ĐÃ ĐƯA:", "Tin cũ hơn"...), up to the end of the box."""
        return older_items(page.selector.root, page.url,
                           {h.lower().rstrip(":") for h in self.related_headings}, reference)

    def links(self, page: Page) -> Links:
        """Every same-document link is a page to visit; extraction decides what is an article
        (:func:`.links.page_links`: tool links left out, a pager parameter dropped where the
        CMS carries it along); the older-items box."""
        out = page_links(page, self.page_url)
        out.related = self.related_of(page, None)
        return out
