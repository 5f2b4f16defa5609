"""Learning a portal's profile from its own pages: one portal uses one template, so its pages
explain each other. Pure: (url, html) pages in, a profile (TOML text) out; no Scrapy, no SQL.

What is read from the pages, in this order:

- **Furniture**: text that most pages repeat (menus, sidebar headings such as "LỊCH CÔNG TÁC",
  the header clock, the footer, a "Tin xem nhiều" box). It is never a title, a date or a body.
- **The title** of a page: text that varies from page to page and agrees with the anchor texts
  of the links that lead to the page (listing entries, "Các tin đã đăng" entries, menus). With
  no such link in the sample, the ``<title>`` element stands in for the anchors.
- **The main block**: the element whose varying paragraphs hold the most text. A page whose main
  block is mostly links to other pages is a **listing**; a page with a title and a main block
  of running text is an **article**.
- **The date**: the varying date line nearest the title (a header clock is furniture).
- **Author and category**: what the generic fallback reads on each article (a byline, the label
  before the title that the menu also links), kept only where the pages agree on one place.

Each per-page choice is an element; across the training articles, the CSS selector that finds
the chosen element on most pages (first match; ties go to a class or id, then to the shorter
selector) becomes the profile's selector for that field. The profile names the generic layout,
whose ``article()`` uses a profile's ``title``, ``date``, ``content``, ``author`` and
``category`` selectors for those elements and its own reading for the rest
(:mod:`crawler.extraction.layouts.generic`).

Confidence is measured on held-out articles (every fourth, by URL hash): the share whose field,
as the learned profile extracts it, agrees with what the pages say on their own (the
anchor-agreed title, the date nearest it, the main block's text, the fallback's byline and
category). The score is agreement with the evidence, not with a ground truth.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from lxml import etree
from parsel import Selector

from crawler.extraction.dates import parse_date
from crawler.extraction.layouts import get_layout
from crawler.extraction.layouts.generic import Generic
from crawler.extraction.layouts.generic.headline import cites
from crawler.extraction.page import Page
from crawler.extraction.select import css_query
from crawler.extraction.text import clean, text_of
from crawler.extraction.urls import join_url

__all__ = ["FIELDS", "LearnedProfile", "furniture_of", "learn"]

#: The fields a learned profile may carry, in the order they are reported.
FIELDS = ("title", "date", "content", "author", "category")
#: A text on at least this share of the pages is furniture.
FURNITURE_SHARE = 0.5
#: At least this share of the training articles must agree on a selector for it to be kept.
MIN_AGREEMENT = 0.6
#: Every n-th article (by URL hash) is held out to measure the profile.
HOLDOUT_EVERY = 4
_SKIP_TAGS = {"script", "style", "noscript", "head", "title", "meta", "link", "option", "select",
              "html", "body", "form", "input", "br", "img"}
_BLOCKS = {"div", "td", "article", "section", "main"}
_TEXT_LEAVES = {"p", "div", "td", "span", "font", "li"}
_BLOCKISH = {"p", "div", "table", "tr", "td", "ul", "ol", "li", "article", "section", "nav",
             "header", "footer", "aside", "main", "h1", "h2", "h3", "h4", "h5", "h6", "figure",
             "blockquote", "dl", "form"}
#: A date after a listing entry's title: "Title (5/04/2021)", "Title [20/04]".
_DATE_PAREN = re.compile(
    r"\s*[\(\[]?\s*(?:ngày\s*)?\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\s*[\)\]]?$", re.IGNORECASE)
_TITLE_SPLIT = re.compile(r"\s+(?:::|\||-|–|—|»)\s+")
#: Ids that a CMS generates (web-part GUIDs, ASP.NET control trees): matched by their suffix.
_GENERATED_ID = re.compile(r"^(?:ctl\d+|ctl00|g_[0-9a-f]{8}|[0-9a-f]{8}_)|\d{3,}", re.IGNORECASE)
_CSS_IDENT = re.compile(r"^-?[A-Za-z_][A-Za-z0-9_-]*$")
_URLS = Generic()


# --- reading one page ----------------------------------------------------------------------------
@dataclass
class _Page:
    url: str
    root: etree._Element
    elements: list[etree._Element]
    order: dict[etree._Element, int]
    texts: dict[etree._Element, str]

    @classmethod
    def parse(cls, url: str, html: str | bytes) -> _Page:
        body = html.encode("utf-8") if isinstance(html, str) else html
        headers = {"Content-Type": "text/html; charset=utf-8"} if isinstance(html, str) else {}
        root = Page(url=url, body=body, headers=headers).selector.root
        elements = [el for el in root.iter() if isinstance(el.tag, str)
                    and el.tag not in ("script", "style", "noscript")
                    and not any(a.tag in ("script", "style", "head") for a in el.iterancestors())]
        order = {el: i for i, el in enumerate(elements)}
        return cls(url=url, root=root, elements=elements, order=order, texts={})

    def text(self, el: etree._Element) -> str:
        if el not in self.texts:
            self.texts[el] = text_of(el)
        return self.texts[el]

    def units(self) -> set[str]:
        """The texts of the page's elements (up to 2,000 characters: a footer, not a page)."""
        out = set()
        for el in self.elements:
            if el.tag in _SKIP_TAGS:
                continue
            text = self.text(el)
            if text and len(text) <= 2000:
                out.add(text)
        return out


def furniture_of(pages: Sequence[_Page] | Sequence[set[str]],
                 share: float = FURNITURE_SHARE) -> set[str]:
    """Texts repeated on at least ``share`` of the pages (and on two pages at least)."""
    sets = [p if isinstance(p, set) else p.units() for p in pages]
    counts = Counter(t for s in sets for t in s)
    least = max(2, share * len(sets))
    return {t for t, n in counts.items() if n >= least}


def _norm(text: str) -> str:
    return _DATE_PAREN.sub("", clean(text)).casefold().strip(" .:…")


def _agrees(text: str, anchor: str) -> bool:
    """Does a page's text agree with an anchor text (or ``<title>`` part) leading to it?"""
    a, b = _norm(text), _norm(anchor)
    if not a or not b:
        return False
    if a == b:
        return True
    return anchor.rstrip().endswith(("...", "…")) and len(b) >= 20 and a.startswith(b)


@dataclass
class _Evidence:
    """What one page says about itself."""

    page: _Page
    kind: str = "other"  # "article" | "listing" | "other"
    title: str = ""
    titles: list[etree._Element] = field(default_factory=list)
    main: etree._Element | None = None
    date_text: str = ""
    date_iso: str = ""
    dates: list[etree._Element] = field(default_factory=list)


def _main_block(page: _Page, furniture: set[str]) -> tuple[etree._Element | None, float]:
    """The block whose varying paragraphs (link text discounted) hold the most text, and how
    much they hold."""
    scores: Counter[etree._Element] = Counter()
    for el in page.elements:
        if el.tag not in _TEXT_LEAVES:
            continue
        leaf = el.tag == "p" or not any(isinstance(c.tag, str) and c.tag in _BLOCKISH
                                        for c in el.iterdescendants())
        text = page.text(el) if leaf else clean(" ".join(el.xpath("text()")))
        if len(text) < 40 or text in furniture:
            continue
        weight = len(text) - 2 * sum(len(text_of(a)) for a in el.iter("a"))
        if weight <= 0:  # a list entry, a menu: links, not running text
            continue
        parent = el.getparent() if el.tag in ("p", "span", "font", "li") else el
        while parent is not None and parent.tag not in _BLOCKS:
            parent = parent.getparent()
        if parent is None:
            continue
        scores[parent] += weight
        grand = parent.getparent()
        if grand is not None:
            scores[grand] += weight * 0.3
    if not scores:
        return None, 0.0
    main = max(scores, key=lambda el: scores[el])
    return main, scores[main]


def _date_near(page: _Page, title: etree._Element, furniture: set[str]
               ) -> tuple[str, str, list[etree._Element]] | None:
    """The varying date line nearest the title in document order (after it preferred): its
    text, ISO date, and the elements whose text is that line."""
    t = page.order.get(title, 0)
    best = None
    for el in page.elements:
        own = clean(" ".join(el.xpath("text()")))
        if not own or len(own) > 120 or not re.search(r"\d", own) or own in furniture:
            continue
        parsed = parse_date(own)
        if parsed is None or cites(own, parsed.text):
            continue
        i = page.order[el]
        distance = abs(i - t) + (0 if i > t else 3)
        if best is None or distance < best[0]:
            best = (distance, el, parsed.iso())
    if best is None:
        return None
    _, el, iso = best
    line = page.text(el)
    holders = [el]
    for anc in el.iterancestors():
        if page.text(anc) != line:
            break
        holders.append(anc)
    return page.text(holders[-1]), iso, holders


def _read(page: _Page, furniture: set[str], anchors: list[str]) -> _Evidence:
    ev = _Evidence(page=page)
    hints = list(anchors)
    if not hints:
        for t in page.root.xpath("//title/text()"):
            hints += [clean(t), *_TITLE_SPLIT.split(clean(t))]
    main, varying = _main_block(page, furniture)
    ev.main = main
    # Furniture is never the title. (A popular article, linked from a box on every page, has
    # its own title as furniture: its page gives no evidence, as a category listing whose
    # name is in every page's menu gives none.)
    ev.titles = [el for el in page.elements if el.tag not in _SKIP_TAGS
                 and 8 <= len(page.text(el)) <= 400 and page.text(el) not in furniture
                 and any(_agrees(page.text(el), h) for h in hints)]
    if not ev.titles or main is None or varying < 200:
        return ev
    # The title is the candidate text nearest before the main block (or inside it).
    m = page.order.get(main, 0)
    first = min(ev.titles, key=lambda el: (0 if page.order[el] <= m or main in el.iterancestors()
                                           else 1, abs(page.order[el] - m)))
    ev.title = page.text(first)
    ev.titles = [el for el in ev.titles if page.text(el) == ev.title]
    found = _date_near(page, first, furniture)
    if found:  # as for the fallback, a page that shows no date is no article (a record page)
        ev.kind = "article"
        ev.date_text, ev.date_iso, ev.dates = found
    return ev


# --- selectors -----------------------------------------------------------------------------------
def _simple(el: etree._Element) -> list[str]:
    """Readable simple selectors for one element: tag, tag.class, tag#id, tag[id$='_suffix']."""
    tag = el.tag
    out = [tag]
    for cls in (el.get("class") or "").split():
        if _CSS_IDENT.match(cls):
            out.append(f"{tag}.{cls}")
    ident = el.get("id") or ""
    if ident and _CSS_IDENT.match(ident):
        if not _GENERATED_ID.search(ident):
            out.append(f"{tag}#{ident}")
        elif "_" in ident and _CSS_IDENT.match(ident.rsplit("_", 1)[1] or "-"):
            out.append(f"{tag}[id$='_{ident.rsplit('_', 1)[1]}']")
    parent = el.getparent()
    if tag == "li" and parent is not None and el is parent[-1]:
        out.append("li:last-child")  # a breadcrumb's last step
    for attr in ("itemprop", "align"):
        value = el.get(attr)
        if value and _CSS_IDENT.match(value):
            out.append(f"{tag}[{attr}='{value}']")
    return out


def _marked(simple: str) -> bool:
    return any(c in simple for c in ".#[")


def _candidates(el: etree._Element) -> set[str]:
    """CSS selectors that may find ``el``: its own simple selectors, with its parent (child
    combinator) or a marked ancestor (descendant combinator) in front."""
    own = _simple(el)
    out = set(own)
    parent = el.getparent()
    if parent is not None and isinstance(parent.tag, str):
        for p in _simple(parent):
            out.update(f"{p} > {s}" for s in own)
    for depth, anc in enumerate(el.iterancestors()):
        if depth >= 6 or anc.tag in ("html", "body"):
            break
        for a in _simple(anc):
            if _marked(a):
                out.update(f"{a} {s}" for s in own)
    return out


_Case = tuple["_Page", list[etree._Element], object]
_Check = Callable[["_Page", etree._Element, object], bool]


def _first(root: etree._Element, css: str) -> etree._Element | None:
    found = [x for x in css_query(css)(root) if isinstance(x, etree._Element)]
    return found[0] if found else None


def _passes(cases: Sequence[_Case], css: str, check: _Check) -> list[bool]:
    out = []
    for page, _, target in cases:
        el = _first(page.root, css)
        out.append(el is not None and check(page, el, target))
    return out


def _best(cases: Sequence[_Case], check: _Check) -> tuple[str, list[bool]]:
    """The selector, among those that may find the cases' targets, that passes most cases
    (ties: a class or id, then fewer steps, then shorter)."""
    pool: set[str] = set()
    for _page, targets, _target in cases[:8]:
        for el in targets[:4]:
            pool |= _candidates(el)
    best, best_key, best_passed = "", (0, False, 0, 0), [False] * len(cases)
    for css in sorted(pool):
        try:
            passed = _passes(cases, css, check)
        except (etree.XPathError, ValueError):  # a selector cssselect cannot translate
            continue
        key = (sum(passed), _marked(css), -css.count(" "), -len(css))
        if key > best_key:
            best, best_key, best_passed = css, key, passed
    return best, best_passed


def _induce(cases: Sequence[_Case], check: _Check) -> tuple[str, float]:
    """The selector whose first match passes ``check(page, element, target)`` on most cases,
    and the share of cases it passes. A portal that mixes two templates gets a group of two
    ("A, B") when the second finds what the first missed on a tenth of the cases or more."""
    if not cases:
        return "", 0.0
    css, passed = _best(cases, check)
    missed = [c for c, ok in zip(cases, passed, strict=True) if not ok]
    if css and len(missed) >= max(2, len(cases) // 10):
        other, _ = _best(missed, check)
        if other and other != css:
            group = f"{css}, {other}"
            grouped = _passes(cases, group, check)
            if sum(grouped) >= sum(passed) + max(2, len(cases) // 10):
                css, passed = group, grouped
    return css, sum(passed) / len(cases)


def _same_text(page: _Page, el: etree._Element, target: object) -> bool:
    return page.text(el) == target


def _same_date(page: _Page, el: etree._Element, target: object) -> bool:
    parsed = parse_date(page.text(el)) if len(page.text(el)) <= 200 else None
    return parsed is not None and parsed.iso() == target


def _same_element(page: _Page, el: etree._Element, target: object) -> bool:
    return el is target


def _category_label(text: str) -> str:
    return text.split(">")[-1].strip()


def _same_category(page: _Page, el: etree._Element, target: object) -> bool:
    return _category_label(page.text(el)) == target


# --- the profile ---------------------------------------------------------------------------------
@dataclass
class LearnedProfile:
    """A profile learned from a portal's pages, and how far its choices held on held-out pages."""

    name: str
    base_url: str
    selectors: dict[str, str]
    #: Field -> (agreeing held-out articles, held-out articles with evidence for the field).
    agreement: dict[str, tuple[int, int]]
    furniture: list[str]
    pages: int = 0
    articles: int = 0
    listings: int = 0
    held_out: int = 0
    learned_on: str = field(default_factory=lambda: date.today().isoformat())

    @property
    def confidence(self) -> dict[str, float | None]:
        """Field -> share of the held-out articles that agree (None: nothing to check)."""
        return {f: (a / n if n else None) for f, (a, n) in self.agreement.items()}

    def describe(self) -> str:
        """One line: the sample, and the agreement per field on the held-out articles."""
        parts = []
        for f in FIELDS:
            if f not in self.agreement:
                continue
            a, n = self.agreement[f]
            parts.append(f"{f} {a}/{n}" if n else f"{f} -")
        return (f"learned from {self.pages} pages ({self.articles} articles, {self.listings} "
                f"listings); held-out agreement: " + ", ".join(parts))

    def to_toml(self) -> str:
        """The profile as a TOML file :func:`crawler.profiles.load_profile` reads."""
        lines = [
            f"# Learned by portal-archive from {self.pages} pages of {self.base_url} on "
            f"{self.learned_on}",
            f"# ({self.articles} articles, {self.listings} listings). Agreement on "
            f"{self.held_out} held-out articles:",
        ]
        for f in FIELDS:
            if f in self.agreement:
                a, n = self.agreement[f]
                shown = f"{a}/{n} ({100 * a / n:.0f}%)" if n else "nothing to check"
                lines.append(f"#   {f:<9} {shown}")
        if self.furniture:
            shown = "; ".join(sorted(self.furniture, key=len)[:8])
            lines.append(f"# Furniture (repeated on most pages, never a field): {shown}"[:300])
        lines += [
            "# Review the selectors, then keep this file in a profiles folder "
            "(ARCHIVE_PROFILES_DIR).",
            f"name = {_toml_str(self.name)}",
            f"title = {_toml_str('Learned profile of ' + self.base_url)}",
            f"base_url = {_toml_str(self.base_url)}",
            'layout = "generic"',
            'entry_urls = ["/"]',
            "",
            "[selectors]",
        ]
        lines += [f"{k} = {_toml_str(v)}" for k, v in self.selectors.items()]
        return "\n".join(lines) + "\n"


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _inbound(pages: Sequence[_Page]) -> dict[str, list[str]]:
    """Canonical page URL -> anchor texts of the sample's links to it."""
    out: dict[str, list[str]] = {}
    for page in pages:
        here = _URLS.page_url(page.url)
        for a in page.root.iter("a"):
            href = (a.get("href") or "").strip()
            target = join_url(page.url, href) if href and not href.startswith("#") else None
            text = text_of(a)
            if target is None or not text:
                continue
            key = _URLS.page_url(target)
            if key != here:
                out.setdefault(key, []).append(text)
    return out


def _held_out(url: str) -> bool:
    return int(hashlib.sha1(url.encode()).hexdigest()[:8], 16) % HOLDOUT_EVERY == 0


def learn(pages: Iterable[tuple[str, str | bytes]], name: str = "",
          base_url: str = "", holdout: bool = True) -> LearnedProfile:
    """Learn a profile from ``pages`` ((url, html) of one site; the links between them give
    the anchor texts). ``holdout``: keep every fourth article out of the learning, to measure
    the profile on it."""
    parsed: list[_Page] = []
    seen: set[bytes] = set()
    for url, html in pages:
        digest = hashlib.sha1(html.encode() if isinstance(html, str) else html).digest()
        if digest in seen:  # one page under several URLs counts once
            continue
        seen.add(digest)
        parsed.append(_Page.parse(url, html))
    if not base_url and parsed:
        parts = urlsplit(parsed[0].url)
        base_url = f"{parts.scheme}://{parts.netloc}/"
    name = name or urlsplit(base_url).netloc
    anchors = _inbound(parsed)
    train_pages = [p for p in parsed if not (holdout and _held_out(p.url))] or parsed
    furniture = furniture_of(train_pages)
    evidence = [_read(p, furniture, anchors.get(_URLS.page_url(p.url), [])) for p in parsed]
    articles = [e for e in evidence if e.kind == "article"]
    _mark_listings(evidence, furniture)
    train = [e for e in articles if not (holdout and _held_out(e.page.url))] or articles
    test = [e for e in articles if holdout and _held_out(e.page.url) and e not in train]

    selectors: dict[str, str] = {}
    css, share = _induce([(e.page, e.titles, e.title) for e in train], _same_text)
    if css and share >= MIN_AGREEMENT:
        selectors["title"] = css
    dated = [e for e in train if e.dates]
    css, share = _induce([(e.page, e.dates, e.date_iso) for e in dated], _same_date)
    if css and share >= MIN_AGREEMENT:
        selectors["date"] = css
    css, share = _induce([(e.page, [e.main], e.main) for e in train if e.main is not None],
                         _same_element)
    if css and share >= MIN_AGREEMENT:
        selectors["content"] = css
    selectors.update(_learn_byline(train, selectors))

    agreement = _agreement(test, selectors)
    return LearnedProfile(
        name=name, base_url=base_url, selectors=selectors, agreement=agreement,
        furniture=sorted(furniture), pages=len(parsed), articles=len(articles),
        listings=sum(e.kind == "listing" for e in evidence), held_out=len(test))


def _mark_listings(evidence: Sequence[_Evidence], furniture: set[str]) -> None:
    """A page that is no article and whose varying links lead to three articles or more is a
    listing."""
    articles = {_URLS.page_url(e.page.url) for e in evidence if e.kind == "article"}
    for e in evidence:
        if e.kind == "article":
            continue
        targets = set()
        for a in e.page.root.iter("a"):
            text = e.page.text(a)
            href = (a.get("href") or "").strip()
            if len(text) < 15 or text in furniture or not href:
                continue
            url = join_url(e.page.url, href)
            if url and _URLS.page_url(url) in articles:
                targets.add(_URLS.page_url(url))
        if len(targets) >= 3:
            e.kind = "listing"


def _teacher(selectors: Mapping[str, str]) -> Generic:
    return get_layout("generic", {k: v for k, v in selectors.items()
                                  if k in ("title", "date", "content")})  # type: ignore[return-value]


def _learn_byline(train: Sequence[_Evidence], selectors: Mapping[str, str]) -> dict[str, str]:
    """Author and category: where the generic fallback's reading of each article (with the
    title, date and body already pinned) is found on the page, if the pages agree on one
    place."""
    teacher = _teacher(selectors)
    authors, categories = [], []
    for e in train:
        art = _extract(teacher, e.page)
        if art is None:
            continue
        if art.author:
            els = [el for el in e.page.elements if el.tag not in _SKIP_TAGS
                   and e.page.text(el) == art.author]
            if els:
                authors.append((e.page, els[-4:][::-1], art.author))
        if art.category:
            t = e.page.order.get(e.titles[0], 0) if e.titles else len(e.page.elements)
            els = [el for el in e.page.elements if el.tag not in _SKIP_TAGS
                   and e.page.order[el] < t and len(e.page.text(el)) <= 200
                   and _category_label(e.page.text(el)) == art.category]
            if els:
                categories.append((e.page, els[::-1][:4], art.category))
    out = {}
    for name, cases, check in (("author", authors, _same_text),
                               ("category", categories, _same_category)):
        if len(cases) < max(2, MIN_AGREEMENT * len(train)):
            continue
        css, share = _induce(cases, check)
        if css and share * len(cases) >= MIN_AGREEMENT * len(train):
            out[name] = css
    return out


def _extract(layout: Generic, page: _Page) -> object:
    """The layout's article from an already parsed page."""
    shim = Page(url=page.url, body=b"")
    shim.__dict__["selector"] = Selector(root=page.root, type="html")  # parsed once, here
    try:
        return layout.article(shim, "")
    except Exception:  # a page the fallback cannot read gives no evidence
        return None


def _agreement(test: Sequence[_Evidence], selectors: Mapping[str, str]
               ) -> dict[str, tuple[int, int]]:
    """Per field: held-out articles where the learned profile agrees with the page's evidence,
    and held-out articles with evidence for that field."""
    learned = get_layout("generic", selectors)
    plain = get_layout("generic")
    counts = {f: [0, 0] for f in FIELDS}
    for e in test:
        art = _extract(learned, e.page)  # type: ignore[arg-type]
        ref = _extract(plain, e.page)  # type: ignore[arg-type]
        block = learned.pinned(e.page.root, "content")  # type: ignore[attr-defined]
        got = {
            "title": getattr(art, "title", None),
            "date": (getattr(art, "published", None) or "")[:10] or None,
            "content": e.page.text(block) if block is not None else None,
            "author": getattr(art, "author", None),
            "category": getattr(art, "category", None),
        }
        want = {
            "title": e.title or None,
            "date": e.date_iso[:10] or None,
            "content": e.page.text(e.main) if e.main is not None else None,
            "author": getattr(ref, "author", None),
            "category": getattr(ref, "category", None),
        }
        for f in FIELDS:
            if want[f] is None:
                continue
            counts[f][1] += 1
            counts[f][0] += got[f] == want[f]
    return {f: (a, n) for f, (a, n) in counts.items() if f in selectors or f in ("title", "date")}

