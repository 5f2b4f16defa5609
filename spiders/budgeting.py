"""Page budgets for the portal spider (:mod:`crawler.templates`).

A mixin of :class:`spiders.portal.PortalSpider`, kept apart so the spider class stays short:
the budgets of a run, what a page read teaches its URL template's budget, and the requests a
template that reopened releases. Settings: ``ARCHIVE_TEMPLATE_BUDGET``,
``ARCHIVE_TEMPLATE_BUDGET_DATED``, ``ARCHIVE_MAX_PAGES``, ``ARCHIVE_MAX_PAGES_PER_ARTICLE``,
``ARCHIVE_TEMPLATE_CUT_DAYS``, ``ARCHIVE_REFRESH`` (a refresh run forgets earlier cuts).
"""

from __future__ import annotations

from typing import Any

import scrapy
from scrapy.http import Response

from crawler.templates import PageBudget


class Budgeting:
    """The portal spider's page budgets: set up, fed by each page read, released."""

    def new_budget(self, site: str, known: int) -> PageBudget:
        """The page budgets of a run of ``site`` (:mod:`crawler.templates`), with ``known``
        archived articles and the URL templates earlier runs cut already cut (but for a
        ``--refresh`` run, which looks at everything again)."""
        settings = self.crawler.settings
        budget = PageBudget(
            budget=settings.getint("ARCHIVE_TEMPLATE_BUDGET", 10),
            dated_budget=settings.getint("ARCHIVE_TEMPLATE_BUDGET_DATED", 3),
            cap_base=settings.getint("ARCHIVE_MAX_PAGES", 500),
            cap_per_article=settings.getfloat("ARCHIVE_MAX_PAGES_PER_ARTICLE", 5.0),
            remembered=frozenset() if settings.getbool("ARCHIVE_REFRESH") else frozenset(
                self.archive.cut_templates(site, settings.getint("ARCHIVE_TEMPLATE_CUT_DAYS",
                                                                 30))),
            id_prefix=f"{getattr(self, 'worker_id', '')}:")
        budget.found_articles(known)
        return budget

    def _read_page(self, response: Response, follow: list[Any], is_article: bool,
                   new_article: bool) -> None:
        """A page (not an article request) was read: its template's budget learns what its
        links lead to (:mod:`crawler.templates`). Pages it waits for carry it as their
        parent."""
        budget = self.budget
        url = (response.meta.get("redirect_urls") or [response.request.url])[0]
        page_id = budget.page_id()
        requests = [r for r in follow if isinstance(r, scrapy.Request)]
        pages = {r.url: r for r in requests if r.meta.get("kind") == "page"
                 and r.method == "GET"}
        if new_article:
            budget.found_articles(1)  # an article found as a page: the cap grows
        was_cut = {t for t, r in budget.templates.items() if r.cut}
        wait, released = budget.read(
            url, page_id, new_articles=sum(r.meta.get("kind") == "article" for r in requests),
            children=list(pages), is_article=is_article, new_article=new_article,
            article_links=self._article_links, parent=response.meta.get("via"))
        for child in wait:
            pages[child].meta["via"] = page_id
        follow.extend(self._released(released))
        for cut in sorted({t for t, r in budget.templates.items() if r.cut} - was_cut):
            self.crawler.stats.inc_value("archive/budget/templates_cut")
            self.logger.info("cut URL template %s: %s", cut, budget.templates[cut].cut)

    def _answered(self, meta: dict[str, Any], new_article: bool) -> list[scrapy.Request]:
        """A request a page scheduled was answered: its parent page learns whether it was a
        new article. Returns the requests of a template that reopened."""
        return self._released(self.budget.answered(meta.get("via"), new_article))

    def _released(self, requests: list[Any]) -> list[scrapy.Request]:
        if requests:
            self.crawler.stats.inc_value("archive/budget/reopened", len(requests))
        return [r.replace(dont_filter=True) for r in requests]
