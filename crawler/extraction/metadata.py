"""What a page says about itself in machine-readable form: JSON-LD, Open Graph, ``itemprop``.

Read with `extruct` (JSON-LD and Open Graph parsers) plus the ``<meta itemprop=...>`` and
``<meta name=...>`` tags many Vietnamese CMSs put in the head without an ``itemscope``. The
result is evidence, not truth: the generic layout checks each value against the page itself
(a title must match a heading on the page, an author must be printed on it, a section must be
a label the page shows), because CMSs fill these tags with site-wide or wrong values (an
``og:title`` that is the portal's name on every page, ``author`` = the newspaper, a
``datePublished`` with the wrong UTC offset).

Pure: an lxml tree in, a :class:`Metadata` out; no Scrapy.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from extruct.jsonld import JsonLdExtractor
from extruct.opengraph import OpenGraphExtractor
from lxml import etree

from crawler.extraction.dates import VN_TZ
from crawler.extraction.text import clean

__all__ = ["Metadata", "page_metadata", "parse_iso_datetime"]

#: schema.org types of a single article.
ARTICLE_TYPES = {"newsarticle", "article", "blogposting", "reportagenewsarticle",
                 "analysisnewsarticle", "opinionnewsarticle", "backgroundnewsarticle",
                 "report", "scholarlyarticle", "techarticle", "liveblogposting"}
#: schema.org types of a page that lists things.
LISTING_TYPES = {"collectionpage", "itemlist", "searchresultspage", "website"}
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
                  r"\s*(Z|[+-]\d{2}:?\d{2})?)?\s*$")
_HINTS = ("application/ld+json", "og:", "article:", "itemprop", "pubdate")
_JSONLD = JsonLdExtractor()
_OG = OpenGraphExtractor()


@dataclass
class Metadata:
    """A page's own claims. Lists keep every value seen, most trusted source first."""

    titles: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)  # ISO 8601 strings as written
    authors: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    breadcrumbs: list[str] = field(default_factory=list)  # JSON-LD BreadcrumbList names
    site_names: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)  # lower-case: "newsarticle", "website"
    captions: dict[str, str] = field(default_factory=dict)  # image URL -> caption

    @property
    def says_article(self) -> bool:
        """Does the page declare itself a single article (JSON-LD or ``og:type``)?"""
        return any(t in ARTICLE_TYPES for t in self.types)


def parse_iso_datetime(text: str) -> datetime.date | datetime.datetime | None:
    """An ISO 8601 date or date-time (``"2026-03-07T08:47:00+07:00"``) as Vietnamese local
    time: a naive ``datetime`` when a time is given (converted to UTC+7 when an offset is),
    a ``date`` otherwise. None for anything else."""
    m = _ISO.match(text or "")
    if not m:
        return None
    year, month, day, hour, minute, second, zone = m.groups()
    try:
        if hour is None:
            return datetime.date(int(year), int(month), int(day))
        value = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute),
                                  int(second or 0))
    except ValueError:
        return None
    if zone:
        if zone == "Z":
            offset = datetime.timedelta(0)
        else:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        value = (value.replace(tzinfo=datetime.timezone(offset)).astimezone(VN_TZ)
                 .replace(tzinfo=None))
    return value


def _names(value: Any) -> list[str]:
    """Names in a JSON-LD value: a string, a Person/Organization, or a list of them."""
    if isinstance(value, str):
        return [clean(value)] if clean(value) else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _types(item: dict[str, Any]) -> list[str]:
    value = item.get("@type")
    values = value if isinstance(value, list) else [value]
    return [str(v).rsplit("/", 1)[-1].lower() for v in values if v]


def _items(data: Any) -> list[dict[str, Any]]:
    """Every JSON-LD object, ``@graph`` members included."""
    out: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
        elif isinstance(value, dict):
            out.append(value)
            if "@graph" in value:
                stack.append(value["@graph"])
    return out


def _image_captions(value: Any, out: dict[str, str]) -> None:
    for image in value if isinstance(value, list) else [value]:
        if isinstance(image, dict):
            url = image.get("url") or image.get("contentUrl")
            caption = clean(image.get("caption") or image.get("description") or "")
            if isinstance(url, str) and caption:
                out.setdefault(url, caption)


def _read_jsonld(doc: etree._Element, meta: Metadata) -> None:
    try:
        found = _JSONLD.extract_items(doc)
    except Exception:  # noqa: BLE001 - a broken script block is common and never fatal
        return
    for item in _items(list(found)):
        types = _types(item)
        meta.types.extend(types)
        if any(t in ARTICLE_TYPES for t in types):
            meta.titles.extend(_names(item.get("headline")))
            for key in ("datePublished", "dateCreated"):
                if isinstance(item.get(key), str):
                    meta.published.append(item[key])
            meta.authors.extend(_names(item.get("author")))
            meta.sections.extend(_names(item.get("articleSection")))
            _image_captions(item.get("image"), meta.captions)
            publisher = _names(item.get("publisher"))
            meta.site_names.extend(publisher)
        elif "breadcrumblist" in types:
            elements = item.get("itemListElement")
            crumbs = []
            for entry in elements if isinstance(elements, list) else []:
                if isinstance(entry, dict):
                    name = _names(entry.get("name")) or _names(entry.get("item"))
                    crumbs.extend(name[:1])
            meta.breadcrumbs = crumbs or meta.breadcrumbs
        elif "website" in types or "organization" in types:
            meta.site_names.extend(_names(item.get("name")))
        elif "imageobject" in types:
            _image_captions(item, meta.captions)


def _read_opengraph(doc: etree._Element, meta: Metadata) -> None:
    if doc.find("head") is None:
        return
    try:
        found = list(_OG.extract_items(doc))
    except Exception:  # noqa: BLE001 - a malformed head is never fatal
        return
    for item in found:
        for prop, value in item["properties"]:
            value = clean(value)
            if not value:
                continue
            if prop == "og:title":
                meta.titles.append(value)
            elif prop == "og:type":
                meta.types.append(value.lower())
            elif prop == "og:site_name":
                meta.site_names.append(value)
            elif prop == "article:published_time":
                meta.published.append(value)
            elif prop == "article:section":
                meta.sections.append(value)
            elif prop == "article:author" and not value.startswith(("http:", "https:", "/")):
                meta.authors.append(value)


def _read_tags(doc: etree._Element, meta: Metadata) -> None:
    """``<meta itemprop=...>`` outside any ``itemscope`` and ``<meta name=...>`` tags."""
    for el in doc.iter("meta"):
        key = (el.get("itemprop") or el.get("name") or "").strip()
        value = clean(el.get("content"))
        if not key or not value:
            continue
        if key in ("datePublished", "pubdate", "publishdate", "article:published_time",
                   "dc.date.issued"):
            meta.published.append(value)
        elif key == "headline":
            meta.titles.append(value)
        elif key == "articleSection":
            meta.sections.append(value)
        elif key in ("author", "article:author") and not value.startswith(("http", "/")):
            meta.authors.append(value)
        elif key == "twitter:title":
            meta.titles.append(value)
    for el in doc.xpath("//*[@itemprop='author' and not(self::meta)]"):
        names = el.xpath(".//*[@itemprop='name']")
        text = clean(" ".join((n.get("content") or "".join(n.itertext())) for n in names[:1])
                     or "".join(el.itertext()))
        if text:
            meta.authors.append(text)


def page_metadata(root: etree._Element, html: etree._Element | None = None,
                  page_text: str | None = None) -> Metadata:
    """The metadata of a page: ``root`` is its parsed tree; ``html`` the same page parsed into
    ``lxml.html`` classes (what extruct's Open Graph reader walks), parsed from ``root`` when
    not given; ``page_text``, when given, lets a page with none of the markers skip the work."""
    meta = Metadata()
    if page_text is not None and not any(h in page_text for h in _HINTS):
        return meta
    _read_jsonld(root, meta)
    _read_tags(root, meta)
    if html is None:
        from lxml import html as lxml_html

        html = lxml_html.fromstring(etree.tostring(root, encoding="unicode"))
    _read_opengraph(html, meta)
    # A CMS that escapes twice leaves entities in names ("Quỳnh V&#226;n" in JSON-LD,
    # "Quỳnh V&amp;#226;n" in a meta tag): a name never holds a literal entity.
    meta.authors = [clean(unescape(a)) for a in meta.authors]
    return meta
