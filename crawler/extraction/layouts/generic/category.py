"""The category: ``article:section`` / JSON-LD ``articleSection`` when the page shows it, else
the label nearest before the title that the page's menu also links (a breadcrumb's last step,
a category link or portlet title above the headline)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from crawler.extraction.layouts.generic.chrome import _TOOL_TEXTS
from crawler.extraction.metadata import Metadata
from crawler.extraction.text import clean, text_of
from crawler.extraction.urls import join_url

_CATEGORY_HINT = re.compile(r"cate|chuyenmuc|chuyen-muc|section|breadcrumb|path", re.IGNORECASE)
_LD_SECTION = re.compile(r'"articleSection"\s*:\s*"([^"]{1,80})"')
#: How far before the title (elements, document order) a category label is looked for.
_CATEGORY_WINDOW = 40
_HOME = {"trang chủ", "home", "trang chu", "tin tức", "tin tuc"}
_SITE_ROOT_LABELS = {"trang chủ", "home", "trang chu"}
_EXTENSION = re.compile(r"\.(?:html?|aspx?|php|jsp)$", re.IGNORECASE)
#: Link texts of buttons, never a category: "Thêm", "Xem thêm", "Chi tiết", "Xem tất cả".
_BUTTON_TEXTS = {"thêm", "xem thêm", "chi tiết", "xem tất cả", "tất cả", "more", "xem chi tiết"}


def _on_host(url: str, href: str, host: str) -> bool:
    """Does ``href`` (relative to ``url``) stay on ``host``?"""
    target = join_url(url, href.strip()) if href.strip() else None
    return target is None or urlsplit(target).hostname == host


def _last_step(crumb: etree._Element, title: str) -> str:
    """A breadcrumb's last step that names a section: its last piece of text ("Trang chủ >
    Tin tức" gives "Tin tức"), unless that is the page's own title (casefolded ``title``:
    a breadcrumb that ends on the article) or a home, tool or button label; "" if none."""
    steps = [text_of(x) for x in crumb.iter() if isinstance(x.tag, str) and len(x) == 0]
    label = next((t.split(">")[-1].strip() for t in reversed(steps) if t), "")
    folded = label.casefold()
    return "" if folded == title or folded in _HOME | _TOOL_TEXTS | _BUTTON_TEXTS else label


def category(root: etree._Element, title_el: etree._Element, meta: Metadata | None = None,
             url: str = "") -> str | None:
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
    host = urlsplit(url).hostname if url else None
    # The site's own links: a share button ("Chia sẻ Facebook") leads off the site.
    links = {text_of(a).casefold() for a in root.iter("a")
             if host is None or _on_host(url, a.get("href") or "", host)}
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
        if _CATEGORY_HINT.search(f"{el.get('id', '')} {el.get('class', '')}") and len(text) <= 200:
            # a breadcrumb whose last step is no link ("Home" then the section as plain text)
            label = _last_step(el, title)
            if label:
                return label
        if not 2 <= len(text) <= 60 or re.search(r"\d", text):
            continue
        label = text.split(">")[-1].strip()
        folded = label.casefold()
        if (folded in links and folded != title and folded not in _HOME
                and folded not in _TOOL_TEXTS and folded not in _BUTTON_TEXTS):
            return label
    for el in title_el.itersiblings(preceding=True):  # a breadcrumb the menu lacks
        marks = f"{el.get('id', '')} {el.get('class', '')}" if isinstance(el.tag, str) else ""
        if marks and _CATEGORY_HINT.search(marks):
            crumbs = [text_of(a) for a in el.iter("a")]
            text = crumbs[-1] if crumbs else text_of(el)
            return text.split(">")[-1].strip() or None
    return None
