"""URL templates and what each one yields: the budgets that make every crawl end by itself.

Pure logic, no Scrapy (the spider and :mod:`crawler.budget` drive it). In the manner of
Heritrix's budgets, but judged by yield rather than by count alone:

- :func:`url_template` groups URLs by their shape: the path with digits and dates generalised,
  and the sorted query keys without their values (``/lich?ngay=2025-06-01`` and
  ``/lich?ngay=1784-02-11`` are both ``/lich?ngay=``).
- A page **yields** when one of the links it was first to schedule is a new article, or when
  it is a new article itself. A layout that knows article URLs says so at once. The generic
  fallback learns it from the site: a template most of whose pages were articles is an article
  template, one whose first three pages were not is a page template; a page linking to
  templates not yet known is judged when those pages have been answered.
- :class:`PageBudget` counts, per template, the judged pages in a row that yielded nothing,
  and those that yielded nothing in all. A template is **cut** when the first reach its
  budget, or the second its budget plus ``idle_per_yield`` (3) per page that yielded: a
  template that yields now and then but mostly repeats what others list (sort orders, tags) is
  cut too. Its URLs are then parked instead of requested.
  A template whose URLs carry a date (a work calendar, a day or month archive) has a smaller
  budget. A page that yields resets its template's count in a row: a pager or chain that
  keeps bringing new articles is never cut, however long it is, and a template cut too early
  (its pages were read before the articles they led to) is reopened, with its parked URLs,
  when one of its pages yields. An article's page that is not new (another spelling of one
  read before) is not judged: a site's articles are no trap, and the spider fetches no
  spelling of an article whose id it has read (:class:`crawler.identity.KnownIds`).
- A template has a Scrapy priority that falls with each of its URLs asked for: one with many
  URLs (a month archive, sort orders, tags) waits behind the rest, so its pages are read when
  what they list is mostly known, and it is judged, and cut, before it costs much.
- A template still cut when a run ends is remembered by the archive: later runs fetch one page
  of it (a probe, which reopens it if it yields) instead of its budget.
- A layout's own pager (its "next page" link or ASP.NET postback) is never cut: the run of
  archived articles it shows (``ARCHIVE_KNOWN_RUN``) bounds it.
- ``cuts=False`` keeps the cap and drops the cuts: a scale-out worker's parked URLs would die
  with it.
- The run has a hard cap on the pages (not articles, photos or attachments) it fetches:
  ``cap_base + cap_per_article`` times the articles it found. A run that reaches it ends
  ``degraded``, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import count
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

#: A date in a path or query value: year first or day first, with -, / or . between.
_DATE = re.compile(r"(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})(?!\d)")
#: A year and month: 2025-06, 06/2025, 2025/06.
_MONTH = re.compile(r"(?<!\d)(?:[12]\d{3}[-/.]\d{1,2}|\d{1,2}[-/.][12]\d{3})(?!\d)")
#: A remembered template starts as if this many of its URLs had been asked for (its probe's
#: Scrapy priority is the lowest of the run's pages).
PROBE_LAST = 10**6
_DIGITS = re.compile(r"\d+")
#: An id inside a query key: a portlet's namespace (``_vcmslist_INSTANCE_0m4dWiq_orderByCol``,
#: ``p_r_p_564233524_tag``): letters and digits with a digit in them.
_KEY_ID = re.compile(r"[A-Za-z0-9]*\d[A-Za-z0-9]*")
#: A path segment that spells words (a title, a tag, a category name): two or more parts
#: joined by - _ or +.
_SLUG = re.compile(r"[^\W_]+(?:[-_+][^\W_]+)+")
#: Query keys that name a year, a month, a week or a day (Vietnamese and English).
DATE_KEYS = frozenset({"ngay", "thang", "nam", "tuan", "date", "day", "month", "year", "week",
                       "d", "m", "y", "tungay", "denngay", "fromdate", "todate"})
#: URLs parked by a cut template at most (the rest are only counted).
PARK_MAX = 2000


def url_template(url: str) -> str:
    """The shape of ``url``: its path with dates and digits generalised, then its query keys.

    >>> url_template("http://x.vn/lich?ngay=2025-06-01")
    '/lich?ngay='
    >>> url_template("http://x.vn/Category.aspx?cat=tin-tuc&page=3")
    '/category.aspx?cat=&page='
    >>> url_template("http://x.vn/tag/ubnd-tinh-12.html")
    '/tag/{slug}.html'
    """
    parts = urlsplit(url)
    path = _DATE.sub("{date}", unquote(parts.path).lower())
    path = _MONTH.sub("{month}", path)
    head, _, last = path.rpartition("/")
    stem, dot, ext = last.rpartition(".") if "." in last else (last, "", "")
    if _SLUG.fullmatch(stem):  # a title in the URL: /tag/hoi-nghi.html, /tin-tuc/bai-123.html
        path = f"{head}/{{slug}}{dot}{ext}"
    path = _DIGITS.sub("{n}", path)
    keys = sorted({_KEY_ID.sub("{id}", k).lower()
                   for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(f"{k}=" for k in keys) if keys else "")


def is_dated(url: str) -> bool:
    """True when ``url`` is navigated by date: a date or a year and month in its path or query,
    or a number under a query key that names a day, a month or a year."""
    parts = urlsplit(url)
    if _DATE.search(unquote(f"{parts.path}?{parts.query}")):
        return True
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if _MONTH.search(unquote(parts.path)) or any(_MONTH.fullmatch(v) for _, v in pairs):
        return True
    return any(k.lower() in DATE_KEYS and v.strip().isdigit() for k, v in pairs)


@dataclass
class TemplateRecord:
    """What one template's pages have yielded in this run."""

    template: str
    dated: bool = False
    fetched: int = 0
    productive: int = 0
    articles: int = 0  # its pages that were articles
    idle_run: int = 0  # judged pages in a row that yielded nothing
    idle: int = 0  # judged pages that yielded nothing, in all
    linked_articles: bool = False  # some page of it linked to an article, new or archived
    cut: str | None = None  # why it is cut, or None
    scheduled: int = 0  # its URLs requested so far (their priority goes down with it)
    probes: int = 0  # pages a remembered cut may still fetch, to see whether it yields now
    unfetched: int = 0  # its URLs refused while it was cut, not parked
    parked: list[Any] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"template": self.template, "reason": self.cut, "fetched": self.fetched,
                "yielded": self.productive, "listed_articles": self.linked_articles,
                "unfetched": self.unfetched + len(self.parked)}


@dataclass
class _Page:
    """A page read, waiting for the links it scheduled to be answered."""

    template: str
    waiting: int
    yielded: bool
    article: bool = False  # an article's page itself (new or not)


@dataclass
class PageBudget:
    """The page budgets of one site's run (see the module's docstring).

    ``budget``: judged pages in a row without a new article after which a template is cut;
    ``dated_budget``: the same for date-navigated templates; ``cap_base`` and
    ``cap_per_article``: the hard cap on pages, ``cap_base + cap_per_article * articles``.
    ``remembered``: templates earlier runs found dead (cut before the first page).
    """

    budget: int = 10
    dated_budget: int = 3
    cap_base: int = 500
    cap_per_article: float = 5.0
    remembered: frozenset[str] = frozenset()
    probes: int = 1
    idle_per_yield: float = 3.0
    #: Page ids start with it: a worker of a scale-out crawl sees answers to other workers'
    #: pages, which it must not take for its own.
    id_prefix: str = ""
    cuts: bool = True
    templates: dict[str, TemplateRecord] = field(default_factory=dict)
    pages: int = 0
    articles: int = 0
    capped: bool = False
    refused_by_cap: int = 0
    _waiting: dict[str, _Page] = field(default_factory=dict)
    _ids: Any = field(default_factory=lambda: count(1))

    def __post_init__(self) -> None:
        for template in self.remembered:
            # Its probe waits behind every other page: read when what the run's listings
            # bring is known, it reopens the template only for what nothing else leads to.
            self.templates[template] = TemplateRecord(template, cut="remembered",
                                                      probes=self.probes, scheduled=PROBE_LAST)

    def record(self, url: str) -> TemplateRecord:
        """The record of ``url``'s template (made on first sight)."""
        template = url_template(url)
        rec = self.templates.get(template)
        if rec is None:
            rec = self.templates[template] = TemplateRecord(template, dated=is_dated(url))
        elif not rec.dated and is_dated(url):
            rec.dated = True
        return rec

    @property
    def cap(self) -> int:
        """The most pages this run may fetch, with the articles found so far."""
        return self.cap_base + int(self.cap_per_article * self.articles)

    def allows(self, url: str, parked: Any = None, pager: bool = False) -> bool:
        """May a page at ``url`` be requested now? When its template is cut, ``parked`` (the
        request, say) is kept to be released if the template reopens; a URL refused by the
        cap is only counted. A layout's own pager (``pager``) is never cut, only capped."""
        rec = None if pager else self.templates.get(url_template(url))
        if rec is not None and rec.cut == "remembered" and rec.probes > 0:
            rec.probes -= 1  # one page, to see whether the template yields now
        elif rec is not None and rec.cut:
            if parked is not None and len(rec.parked) < PARK_MAX:
                rec.parked.append(parked)
            else:
                rec.unfetched += 1
            return False
        if self.pages >= self.cap:
            self.capped = True
            self.refused_by_cap += 1
            return False
        return True

    def is_cut(self, url: str) -> bool:
        """Is the template of ``url`` cut now?"""
        rec = self.templates.get(url_template(url))
        return rec is not None and rec.cut is not None

    def priority(self, url: str) -> int:
        """The Scrapy priority of a page at ``url``: minus the pages of its template asked for
        before it. A template with many URLs (a month archive, sort orders, tags) waits behind
        the rest, so its pages are read when the articles they list are mostly known, and a
        trap is judged, and cut, before it costs much."""
        rec = self.record(url)
        rec.scheduled += 1
        return 1 - rec.scheduled

    def found_articles(self, n: int) -> None:
        """``n`` more articles found (new, or archived ones): the cap grows."""
        self.articles += n

    def page_id(self) -> str:
        """A new id for a page being read: its requests carry it as their parent."""
        return f"{self.id_prefix}{next(self._ids)}"

    def read(self, url: str, page_id: str, *, new_articles: int = 0,
             children: list[str] = (), is_article: bool = False,  # type: ignore[assignment]
             new_article: bool = False, article_links: int = 0, parent: str | None = None
             ) -> tuple[list[str], list[Any]]:
        """Page ``page_id`` at ``url`` was read. It scheduled ``new_articles`` requests for
        articles the layout knows by their URL, and ``children`` pages of unknown kind (the
        generic fallback's article candidates); it is an article itself (``is_article``), a
        new one (``new_article``) or not; it linked to ``article_links`` articles it knows of
        (new or archived). ``parent`` is the id of the page that scheduled it, if that page
        waits for it.

        A child of a template already known as an article template counts as a new article
        now; one of a template known as a page template counts for nothing; the page waits
        for the answers of the others. Returns the children to wait for (give them the
        page's id) and the parked items a reopened template released."""
        self.pages += 1
        rec = self.record(url)
        rec.fetched += 1
        rec.articles += is_article
        rec.linked_articles = rec.linked_articles or article_links > 0 or new_article
        released = self.answered(parent, new_article)
        wait = []
        for child in children:
            kind = self._kind(self.record(child))
            if kind == "article":
                new_articles += 1
            elif kind is None:
                wait.append(child)
        page = _Page(rec.template, len(wait), new_article or new_articles > 0, is_article)
        if wait:
            self._waiting[page_id] = page
        else:
            released += self._judge(page)
        return wait, released

    @staticmethod
    def _kind(rec: TemplateRecord) -> str | None:
        """"article" when most pages of the template read so far were articles, "page" when
        three or more were read and none was, None while it is not known."""
        if rec.articles and 2 * rec.articles >= rec.fetched:
            return "article"
        if rec.fetched >= 3 and not rec.articles:
            return "page"
        return None

    def answered(self, parent: str | None, new_article: bool) -> list[Any]:
        """A page that page ``parent`` waits for was answered (or dropped): ``new_article``
        when it was a new article. Returns parked items released by a reopened template."""
        page = self._waiting.get(parent) if parent is not None else None
        if page is None:
            return []
        page.yielded = page.yielded or new_article
        page.waiting -= 1
        if page.waiting > 0:
            return []
        del self._waiting[parent]  # type: ignore[arg-type]
        return self._judge(page)

    def _judge(self, page: _Page) -> list[Any]:
        rec = self.templates[page.template]
        if page.yielded:
            rec.productive += 1
            rec.linked_articles = True
            released = self._reset(rec)
            return released
        if page.article:
            # Another spelling of an article read before (scheduled before that one was
            # read): it says nothing of its template, which is the site's articles, no trap.
            return []
        rec.idle_run += 1
        rec.idle += 1
        limit = self.dated_budget if rec.dated else self.budget
        if self.cuts and rec.cut is None and (rec.idle_run >= limit
                                or rec.idle >= limit + self.idle_per_yield * rec.productive):
            rec.cut = ("dated pages without a new article" if rec.dated
                       else "pages without a new article")
        return []

    def _reset(self, rec: TemplateRecord) -> list[Any]:
        """A page of ``rec`` yielded: it was cut too early, if it was (its pages were read
        before what they led to). It reopens and releases a budget's worth of its parked
        URLs; each page that yields releases as many more."""
        rec.idle_run = 0
        rec.cut = None
        released, rec.parked = rec.parked[:self.budget], rec.parked[self.budget:]
        return released

    def cut(self) -> list[TemplateRecord]:
        """The templates cut now (in this run, or remembered), most costly first."""
        return sorted((r for r in self.templates.values() if r.cut),
                      key=lambda r: (-r.fetched, r.template))

    def dead(self) -> list[str]:
        """Templates cut in this run and still cut at its end, worth remembering so that later
        runs fetch a probe of each instead of paying its budget again: a calendar or an empty
        archive (none of its pages linked to an article), and as much a template that listed
        articles but mostly repeated what others list (sort orders, tags, an offset pager, a
        pager walking into the archived past). A template that reopened, because a page of it
        yielded after all, is not cut at the end and is not remembered."""
        return [r.template for r in self.cut() if r.cut != "remembered"]

    def summary(self) -> dict[str, Any]:
        """The run's budget figures, for the crawl's stats and the coverage report."""
        cut = [r.as_dict() for r in self.cut()]
        left = sum(r.unfetched + len(r.parked) for r in self.templates.values())
        return {"pages": self.pages, "cap": self.cap, "capped": self.capped,
                "refused_by_cap": self.refused_by_cap, "templates_cut": cut,
                "unfetched": left + self.refused_by_cap}
