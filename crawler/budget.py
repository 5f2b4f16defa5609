"""The page budgets, enforced when a request leaves the scheduler.

:class:`PageBudgetGuard` is a downloader middleware: a page request whose URL template was cut
after it was scheduled (:mod:`crawler.templates`), or that comes after the run's page cap, is
dropped before it is sent (:class:`PageCut`, an ``IgnoreRequest``), parked in case its
template reopens, and counted in ``archive/budget/unfetched``. The spider refuses such URLs
when it finds them; this catches those already waiting in the scheduler when their template
was cut (a month archive links every month at once). Start URLs and pages resumed from a dead
run's frontier are exempt. Reads ``spider.budget``; does nothing for a spider without one.

It also drops a page request whose URL carries the id of an article read since it was
scheduled (``spider.known_ids``, :class:`crawler.identity.KnownIds`): a listing and a related
list spell one article's URL in several ways, all scheduled before any was read
(:class:`KnownSpelling`).
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest


class PageCut(IgnoreRequest):
    """A page request dropped by the run's page budgets."""


class KnownSpelling(IgnoreRequest):
    """A page request dropped because an article with the id its URL carries was read in this
    run (another spelling of that article's URL)."""


class PageBudgetGuard:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageBudgetGuard:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        budget = getattr(spider, "budget", None)
        if (budget is None or request.meta.get("kind") != "page"
                or request.meta.get("budget_exempt")):
            return
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        if not budget.allows(url, parked=request, pager=bool(request.meta.get("pager"))):
            self.crawler.stats.inc_value("archive/budget/unfetched")
            raise PageCut(f"page budget: {url}")
        known_ids = getattr(spider, "known_ids", None)
        if known_ids is not None and known_ids.title_of(url) == known_ids.NO_TITLE:
            self.crawler.stats.inc_value("archive/articles/skipped_known_id")
            raise KnownSpelling(f"another spelling of an article read: {url}")
