"""The text block: the element whose paragraphs hold the most text, and a copy of it ready for
the walk (inline wrappers holding ``<br>`` breaks unwrapped, the older-items box and link-only
tool bars cut, a bold first paragraph taken out as the lead)."""

from __future__ import annotations

import re
from copy import deepcopy

from lxml import etree

from crawler.extraction.layouts.base import ATTACHMENT_EXT, CAPTION_MAX, PICTURE_EXT
from crawler.extraction.layouts.generic.chrome import _Chrome
from crawler.extraction.text import clean, text_of
from crawler.extraction.urls import join_url, registered_domain

_BLOCK_CANDIDATES = {"div", "td", "article", "section", "main"}
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.IGNORECASE)
_ATTACH_LABEL = re.compile(r"^(File|Tài liệu|Tập tin) (đính kèm|kèm theo)\s*:?", re.IGNORECASE)
_INLINE = {"font", "span", "b", "strong", "i", "em", "u", "a", "small", "big", "center"}
_BLOCKISH = {"p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
             "section", "article", "figure", "tr", "td"}


def _has_block_child(el: etree._Element) -> bool:
    return any(isinstance(c.tag, str) and c.tag in _BLOCKISH for c in el.iterdescendants())


def _drop(el: etree._Element) -> None:
    """Remove ``el`` and what it holds, keeping its tail text (lxml's ``drop_tree``)."""
    parent, prev = el.getparent(), el.getprevious()
    if parent is None:
        return
    if el.tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


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


def _beyond_photo_table(cell: etree._Element) -> etree._Element | None:
    """The block around a photo table's caption cell (a photo story sets each photo and its
    caption in a small table of its own: its text is the story's, not the cell's); ``cell``
    itself when its table is no photo table."""
    table = next(cell.iterancestors("table"), None)
    if table is None or not table.xpath(".//img") or len(table.xpath(".//tr")) > 3 or (
            len(text_of(table)) > CAPTION_MAX + 200):
        return cell
    parent = table.getparent()
    while parent is not None and parent.tag not in _BLOCK_CANDIDATES:
        parent = parent.getparent()
    return parent


def _beyond_photo_block(block: etree._Element, caption: str) -> etree._Element | None:
    """The block around a photo's own block: a photo story sets each photo group and its
    ``<figcaption>`` in a block of its own (``<div class="layout-image-2">``), whose text is
    the caption alone, so the caption counts for the story's block around it."""
    while block is not None and block.xpath(".//img") and len(text_of(block)) <= len(caption) + 20:
        block = block.getparent()
        while block is not None and block.tag not in _BLOCK_CANDIDATES:
            block = block.getparent()
    return block


#: What a reader does not see (an answer folded away until clicked, a print copy): never the
#: text block.
_HIDDEN = etree.XPath("//*[@hidden or contains(translate(@style, ' ', ''), 'display:none')"
                      " or contains(translate(@style, ' ', ''), 'visibility:hidden')]")


def main_block(root: etree._Element, chrome: _Chrome, min_text: int) -> etree._Element | None:
    """The element whose paragraphs hold the most text (at least ``min_text``); one inside a
    header, menu, sidebar or footer only when it holds far more than anything outside them (a
    newspaper's main column named ``sidebar_1``)."""
    scores: dict[etree._Element, float] = {}
    marked: dict[etree._Element, float] = {}
    hidden = {el for top in _HIDDEN(root) for el in top.iter()}
    for p in root.iter("p", "div", "td", "span", "font", "figcaption"):
        if not isinstance(p.tag, str) or p in hidden:
            continue
        table = marked if chrome(p) else scores
        paragraph = p.tag in ("p", "figcaption") or (p.tag == "div" and not _has_block_child(p))
        text = text_of(p) if paragraph else clean("".join(p.xpath("text()")))
        if len(text) < 60:
            continue
        links = sum(len(text_of(a)) for a in p.iter("a"))
        weight = max(len(text) - 2 * links, 0)
        parent = p.getparent() if paragraph or p.tag in ("span", "font") else p
        while parent is not None and parent.tag not in _BLOCK_CANDIDATES:
            parent = parent.getparent()
        if parent is not None and parent.tag == "td":
            parent = _beyond_photo_table(parent)
        elif parent is not None and p.tag == "figcaption":
            parent = _beyond_photo_block(parent, text)
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
    return best if best is not None and best_score >= min_text else None


#: A related-news box a CMS sets inside the text ("Tham khảo thêm", "Tin liên quan"): its id,
#: class or type says so (``RelatedNewsBox``, ``related-posts``, ``box-tinlienquan``).
_RELATED_BOX = re.compile(r"(?i)relate|lien-?quan|xem-?them|doc-?them|tham-?khao")


#: A heading inside a block: with all the block's text in links, a teaser card of another
#: article set in the text (its headline, summary and time, all one link).
_HEADING = etree.XPath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6")


def _badge(a: etree._Element, url: str) -> bool:
    """Is a link around a picture a badge or an advert ("Theo dõi trên Google News", a
    sponsor's banner): it leads to another site, and not to a picture file?"""
    href = (a.get("href") or "").strip()
    target = join_url(url, href) if href and url else None
    if target is None or PICTURE_EXT.search(target):
        return False
    there, here = registered_domain(target), registered_domain(url)
    return bool(there and here and there != here)


def _reading_copy(main: etree._Element, headings: set[str],
                  skip: tuple[str, ...] = (), url: str = "") -> tuple[etree._Element, str | None]:
    """A copy of the text block ready for the walk, and the lead paragraph taken out of it.

    Inline wrappers that hold line breaks, paragraphs or photo tables (``<font>`` around a whole
    body written with ``<br><br>``) are unwrapped, so the walk sees the breaks between
    paragraphs; the older-items box and what follows it, related-news boxes set inside the
    text, and tool bars made only of links ("In bài viết  Quay lại"), are cut; a first
    paragraph (after the ``skip`` lines: title and date) that is bold all through, followed by
    more text, is the lead. Teaser cards of other articles set in the text (a block whose
    text is all links and holds a heading) are cut like the tool bars."""
    copy = deepcopy(main)
    for a in list(copy.iter("a")):
        if a.getparent() is not None and a.xpath(".//img") and _badge(a, url):
            _drop(a)
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
    for el in list(copy.iterdescendants("div", "aside", "section", "table", "ul")):
        if el.getparent() is not None and _RELATED_BOX.search(
                " ".join(el.get(a, "") for a in ("id", "class", "type"))) and el.xpath(
                ".//a[@href]") and len(text_of(el)) < 1000:
            el.getparent().remove(el)  # a related-news box set inside the text
    for el in list(copy.iter("ul", "ol", "div", "p", "table")):
        if el.getparent() is None:
            continue
        links = el.xpath(".//a[@href]")
        text = clean(text_of(el))
        if (links and not any(ATTACHMENT_EXT.search(a.get("href")) for a in links)
                and clean(" ".join(text_of(a) for a in links)) == text
                and (_HEADING(el) or len(text) < 100 and not el.xpath(".//img"))):
            el.getparent().remove(el)  # a tool bar, or a teaser card of another article
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



def lead_photos(title: etree._Element, main: etree._Element, chrome: _Chrome,
                url: str = "") -> etree._Element:
    """The photos set between the headline and the text block, each with the small block
    around it (a newspaper's ``<figure class="article__avatar">`` with its ``<figcaption>``, a
    portal's centred ``<p><img><span><i>caption</i></span></p>`` before the text), copied into
    one ``<div>`` to walk: they are the article's, though outside its text block."""
    holder = etree.Element("div")
    before = set(main.xpath("preceding::img"))
    shared = {title, *title.iterancestors(), *main.iterancestors()}
    taken: list[etree._Element] = []
    for img in title.xpath("following::img"):
        if img not in before:
            break
        if chrome(img) or any(_badge(a, url) for a in img.iterancestors("a")):
            continue
        box = img
        for parent in img.iterancestors():
            if parent in shared or len(text_of(parent)) > CAPTION_MAX:
                break
            box = parent
        if box is img or any(box is t or t in box.iterancestors() for t in taken):
            continue
        taken.append(box)
        holder.append(deepcopy(box))
    return holder
