"""The headline and the date: the heading that agrees best (Dice overlap) with ``og:title`` /
``<title>``, near and before the text block; the date line nearest it in document order, checked
against the date the page's metadata claims."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree

from crawler.extraction.dates import ParsedDate, parse_date
from crawler.extraction.layouts.base import ATTACHMENT_EXT
from crawler.extraction.layouts.generic.chrome import _Chrome
from crawler.extraction.layouts.generic.reading import (
    _BLOCK_CANDIDATES,
    _BLOCKISH,
    _HIDDEN,
    _bold,
    _has_block_child,
)
from crawler.extraction.metadata import Metadata, parse_iso_datetime
from crawler.extraction.text import clean, text_of

_LARGE_FONT = re.compile(r"font-size\s*:\s*(1[4-9]|[2-9]\d)(?:\.\d+)?px|font-size\s*:\s*"
                         r"(?:large|x-large|larger)", re.IGNORECASE)
#: A title that names the site, not a page: what a portal puts in ``<title>`` and ``og:title``
#: on every page ("Cổng thông tin điện tử tỉnh X", "Trang chủ").
_SITE_WIDE = re.compile(r"(?i)^(?:cổng (?:thông tin|ttđt|giao tiếp)|trang (?:thông tin|ttđt|chủ)"
                        r"|website|home\b)")


#: The elements that may be a headline: a heading, or an element whose class names a title.
_HEADINGS = etree.XPath("//h1|//h2|//h3|//*[contains(@class,'title') or "
                        "contains(@class,'Title') or contains(@class,'tieude')]")


def _page_titles(root: etree._Element, hints: list[str]) -> list[str]:
    """What the page calls itself: the metadata's headlines (``hints``), ``og:title`` and
    ``<title>``."""
    return [*hints, *root.xpath("//meta[@property='og:title']/@content"),
            *root.xpath("//title/text()")]


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


def _site_wide(title: str, meta: Metadata) -> bool:
    folded = clean(title).casefold()
    return bool(_SITE_WIDE.match(folded)) or folded in {n.casefold() for n in meta.site_names}


def _links_home(el: etree._Element) -> bool:
    """Is a heading a link to the site's home page (a banner's site name)?"""
    links = [el] if el.tag == "a" else [*el.iterfind(".//a[@href]"),
                                        *(n for n in el.iterancestors() if n.tag == "a")]
    return any(_home_href((a.get("href") or "").strip()) for a in links)


def _home_href(href: str) -> bool:
    """Does ``href`` lead to the site's root ("/", "http://host/")? A malformed one
    ("http://[::1") leads nowhere."""
    if href in ("", "#"):
        return False
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    return parts.path in ("", "/") and not parts.query


def _words(text: str) -> set[str]:
    """The words of a text, NFC first: a CMS that stores its text decomposed (NFD) writes
    "Khánh" as "Kha" + U+0301 + "nh", which ``\\w`` would split in three."""
    return {w for w in re.findall(r"\w+", clean(text).lower()) if len(w) > 1}


def headline(root: etree._Element, main: etree._Element, hints: list[str], chrome: _Chrome,
             boxes: set[str]) -> etree._Element | None:
    """The heading (or a bold line at the top of the text block) that agrees best with the
    page's ``<title>``, ``og:title`` and JSON-LD headline (``hints``), near and before the text
    block; a sidebar box's heading in capitals ("LỊCH CÔNG TÁC") loses, and an older-items box
    heading (``boxes``, lower case) is never the headline."""
    words_of = [_words(h) for h in _page_titles(root, hints) if not _SITE_WIDE.match(clean(h))]
    words_of = [h for h in words_of if h]
    order = {el: i for i, el in enumerate(root.iter())}
    main_pos = order.get(main, 0)
    best, best_score = None, float("-inf")
    candidates = _HEADINGS(root)
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


#: A date that a document citation ends on ("Luật Xuất bản ngày 20/11/2012", "Công văn số
#: 3835/BTTTT ngày 29/10/2019") dates the document cited, never the page.
_CITATION = re.compile(
    r"(?:\b(?:luật|bộ luật|nghị định|nghị quyết|thông tư|quyết định|công văn|chỉ thị|"
    r"pháp lệnh|hiến pháp)\b|\bsố\s+\d+[\w/.-]*)[^.;:]{0,80}?\bngày\s*$", re.IGNORECASE)


def cites(line: str, date_text: str) -> bool:
    """Does ``line`` date a document it cites with ``date_text`` (:data:`_CITATION`)?"""
    at = line.find(date_text)
    return at > 0 and _CITATION.search(line[:at]) is not None


#: A separator a ``<title>`` sets between the page's name and the site's ("Tin A - Chuyên
#: mục B - Sở C", "Tin A | Báo B").
_TITLE_SEPARATOR = r"\s[-|–—:»]\s"
#: How far (in elements, document order) a notice's date line and its text may sit after its
#: headline.
_NOTICE_DATE_WITHIN = 8
_NOTICE_TEXT_WITHIN = 40
#: Rows and items (a day's schedule, a register), never a notice's text.
_TABULAR = {"table", "ul", "ol", "dl"}


def _page_names(root: etree._Element, hints: list[str]) -> list[str]:
    """What the page calls itself (:func:`_page_titles`), casefolded."""
    return [clean(n).casefold() for n in _page_titles(root, hints) if clean(n)]


def _named(heading: str, names: list[str]) -> bool:
    """Is ``heading`` (casefolded) one of the page's names, whole or between separators
    ("Tin A - Chuyên mục B - Sở C" names "Tin A", even when "Tin A" holds " - " itself)?"""
    if len(heading) < 10 or _SITE_WIDE.match(heading):
        return False
    part = re.compile(f"(?:^|{_TITLE_SEPARATOR}){re.escape(heading)}(?:{_TITLE_SEPARATOR}|$)")
    return any(part.search(n) for n in names)


def _entry_link(el: etree._Element) -> bool:
    """Is ``el`` a link standing alone that names another page, as an entry of a list names
    its article (a document file's link is part of a notice's text)?"""
    href = (el.get("href") or "").strip() if el.tag == "a" else ""
    parent = el.getparent()
    return (bool(href) and not href.startswith(("#", "javascript:"))
            and not ATTACHMENT_EXT.search(href) and len(text_of(el)) >= 20
            and parent is not None and text_of(parent) == text_of(el))


def _inline_prose(el: etree._Element) -> int:
    """How many characters ``el`` shows outside its block children (a paragraph's whole text; a
    block's bare lines, "Nội dung chi tiết xem tại văn bản đính kèm./." before a ``<p>``
    signature), its links' text counted against it twice, as the text block's rule does."""
    if not _has_block_child(el):
        inline = [el]
        text = text_of(el)
    else:
        inline = [c for c in el if isinstance(c.tag, str) and c.tag not in _BLOCKISH]
        text = clean(" ".join([el.text or "", *(f"{text_of(c) if c in inline else ''} "
                                                 f"{c.tail or ''}" for c in el)]))
    links = sum(len(text_of(a)) for c in inline for a in c.iter("a"))
    return max(len(text) - 2 * links, 0)


def notice(root: etree._Element, hints: list[str], chrome: _Chrome,
           min_text: int) -> tuple[etree._Element, etree._Element] | None:
    """(headline, text block) of a notice too short for :func:`.reading.main_block` (a line
    and a link to its document: "Danh sách ... Chi tiết văn bản xem tại đây"), else None.

    Each sign must be there, since a short block alone cannot be told from a sidebar's: a
    heading outside the chrome that the page's ``<title>`` names word for word, a date line
    just after it, and after that text (paragraphs, and the bare lines of blocks: ``min_text``
    characters, link text not counted) before the next heading; the text block is the
    smallest block holding all of it. A link standing alone on the way is a list's entry:
    then the page is a listing. A headline that names the date line's day is a calendar's
    page, and the rows of a table or a list are no notice's text."""
    names = _page_names(root, hints)
    if not names:
        return None
    nodes = [el for el in root.iter() if isinstance(el.tag, str)]
    index = {el: i for i, el in enumerate(nodes)}
    hidden = {el for top in _HIDDEN(root) for el in top.iter()}
    heads = {el for el in _HEADINGS(root)
             if el in index and text_of(el) and not _has_block_child(el)}
    for head in sorted(heads, key=index.get):
        if chrome(head) or _links_home(head) or not _named(clean(text_of(head)).casefold(),
                                                           names):
            continue
        start = index[head] + sum(isinstance(el.tag, str) for el in head.iter())
        dated = None
        for i in range(start, min(start + _NOTICE_DATE_WITHIN, len(nodes))):
            if nodes[i] in heads or _entry_link(nodes[i]):
                break  # a listing: its first entry's headline, then that entry's date
            own = clean(" ".join(nodes[i].xpath("text()")))
            if own and len(own) <= 120 and (parsed := parse_date(own)) is not None \
                    and not cites(own, parsed.text):
                named = parse_date(text_of(head))
                dated = None if named is not None and named.day == parsed.day else i
                break  # a calendar's page names its day ("Lịch công tác ngày 19/11/2050")
        if dated is None:
            continue
        holders, weight, rows = [], 0, set()
        for el in nodes[dated + 1:dated + 1 + _NOTICE_TEXT_WITHIN]:
            if el in heads or _entry_link(el):
                break  # the next heading (a related list's, a sidebar's) or entry
            if el.tag in _TABULAR or el.getparent() in rows:
                rows.add(el)  # a schedule's or a register's rows
                continue
            if el.tag not in ("p", "div", "td") or chrome(el) or el in hidden:
                continue
            if el.tag != "p" and any(a.tag == "p" for a in el.iterancestors()):
                continue  # counted with its paragraph
            own = _inline_prose(el)
            if own:
                holders.append(el if el.tag != "p" and _has_block_child(el) else next(
                    (b for b in el.iterancestors() if b.tag in _BLOCK_CANDIDATES), el))
                weight += own
        if weight >= min_text:
            block = holders[0]
            while not all(h is block or block in h.iterancestors() for h in holders):
                block = block.getparent()
            return head, block
    return None


def date_lines(root: etree._Element, title: etree._Element,
               chrome: _Chrome) -> list[tuple[int, str, ParsedDate]]:
    """Every date line outside the page's chrome, nearest the title first (distance in
    elements, a line before the title counted a little farther)."""
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
        if parsed is None or cites(own, parsed.text):
            continue
        distance = abs(index[el] - t) + (0 if index[el] > t else 3)
        out.append((distance, own, parsed))
    out.sort(key=lambda x: x[0])
    return out


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
        if parsed.day in days:
            return text, parsed
    return raw, ParsedDate(value=value, text=raw, has_time=isinstance(value, datetime),
                           year_inferred=False)
