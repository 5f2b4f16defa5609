"""Re-extraction: rebuild articles from the captures an archive holds, with no network.

Each HTML capture is read back (from archive.db, or from its WARC record when bodies are not
kept in the database) and given to the layout its site's profile names for the capture's date
(:meth:`Profile.layout_on`), so a capture taken before a portal's redesign is read with the
layout of its time. What comes out goes through the archive's usual rules:

- a capture that made an article version re-derives that version (and the article, when it is
  the latest version);
- any other capture is stored as a fetch would be: a new article (a page the old layout could
  not read), a newer version, or nothing when it says what the archive already holds.

A fixed layout therefore repairs an archive without fetching a page again. Imports no Scrapy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from crawler.extraction.layouts import get_layout
from crawler.extraction.layouts.base import Layout
from crawler.extraction.page import Page
from crawler.items import FetchResult
from crawler.profiles import GENERIC, Profile, load_profiles, profile_for
from crawler.storage import Archive, WriteReport

BATCH = 200


@dataclass
class ReextractReport:
    captures: int = 0
    articles: int = 0  # captures that gave an article
    errors: list[str] = field(default_factory=list)
    write: WriteReport = field(default_factory=WriteReport)

    def describe(self) -> str:
        w = self.write
        return (f"re-extracted {self.captures} captures: {self.articles} gave an article; "
                f"new {w.new}, changed {w.changed}, unchanged {w.unchanged}, "
                f"duplicates {w.duplicates}; extraction errors {len(self.errors)}")


class _Layouts:
    """Profile and layout objects per (site, layout name), made once."""

    def __init__(self, profiles_dir: str | None) -> None:
        self.profiles = load_profiles(profiles_dir)
        self.cache: dict[tuple[str, str], Layout] = {}

    def profile(self, site: str, url: str) -> Profile:
        return self.profiles.get(site) or profile_for(url, GENERIC)

    def for_capture(self, site: str, url: str, fetched_at: str) -> Layout:
        profile = self.profile(site, url)
        name = profile.layout_on(fetched_at[:10])
        key = (profile.name, name)
        if key not in self.cache:
            self.cache[key] = get_layout(name, profile.selectors)
        return self.cache[key]


def reextract(db: str | Path, site: str | None = None, since: str | None = None,
              profiles_dir: str | None = None, crawl_id: int | None = None,
              refused_only: bool = False) -> ReextractReport:
    """Re-read the HTML captures of ``db`` (of ``site``, fetched on or after ``since``, of run
    ``crawl_id``; ``refused_only``: only those that gave no article, and of what they give
    only articles the archive does not hold under their key or title) and store what the
    layouts make of them. The caller holds the archive's lock."""
    report = ReextractReport()
    layouts = _Layouts(profiles_dir)
    known: dict[str, set[str | None]] = {}  # site -> keys and titles archived (refused_only)
    with Archive(db) as archive:
        batch: list[tuple[int, FetchResult]] = []
        for cap in archive.html_captures(site=site, since=since, crawl_id=crawl_id,
                                         refused=refused_only):
            report.captures += 1
            layout = layouts.for_capture(cap["site"], cap["url"], cap["fetched_at"])
            page = Page(url=cap["final_url"], body=archive.capture_body(cap["id"]),
                        headers=json.loads(cap["headers"] or "{}"), fetched_at=cap["fetched_at"])
            try:
                article = layout.article(page, cap["site"])
            except Exception as exc:  # a page the layout cannot read is reported, never fatal
                report.errors.append(f"{cap['url']}: {type(exc).__name__}: {exc}"[:300])
                continue
            if article is None:
                continue
            if refused_only:
                if cap["site"] not in known:
                    known[cap["site"]] = {v for row in archive.known_articles(cap["site"])
                                          for v in row}
                if known[cap["site"]] & {article.key, article.title}:
                    continue  # another spelling of an article the run archived
            report.articles += 1
            batch.append((cap["id"], FetchResult(
                url=cap["url"], fetched_at=cap["fetched_at"], status=200, kind="article",
                article=article, site=cap["site"], final_url=cap["final_url"])))
            if len(batch) >= BATCH:
                report.write.add(archive.write_reextracted(batch))
                batch = []
        if batch:
            report.write.add(archive.write_reextracted(batch))
    return report
