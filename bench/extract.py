"""In-process measurements on stored captures: extraction, its baselines, dates, storage.

Everything here reads the captures of an archive made by a benchmark crawl (raw bytes as
fetched, zlib-decompressed) and runs the code the spider runs on them, without Scrapy:

- extraction: the layout's ``article(page)`` + ``links(page)`` per page, as ``spiders/portal.py``
  calls them (one fresh :class:`~crawler.extraction.page.Page` per page, so decoding and parsing
  are counted);
- baselines on the article pages: ``lxml.html.fromstring`` and ``trafilatura.extract``;
- storage: the resulting :class:`~crawler.items.FetchResult` objects written into a fresh
  :class:`~crawler.storage.Archive` in batches of 50, as the pipeline does;
- dates: ``parse_date`` on every form listed in ``tests/test_dates.py``, its caches cleared
  before each call (the cost of a date string seen for the first time).
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html

from crawler.extraction import dates
from crawler.extraction.dates import parse_date
from crawler.extraction.layouts import get_layout
from crawler.extraction.page import Page
from crawler.items import FetchResult, FrontierEntry
from crawler.storage import Archive

LAYOUT = "aspnet_office"
SITE = "vpubnd-replica"


@dataclass
class Capture:
    url: str
    final_url: str
    fetched_at: str
    status: int | None
    headers: dict[str, str]
    body: bytes
    method: str
    request_body: bytes | None


def load_captures(db: Path, crawl_id: int | None = None) -> list[Capture]:
    """The HTML captures (status 200) of one crawl of ``db`` (default: its first), decompressed."""
    out = []
    with Archive(db) as archive:
        if crawl_id is None:
            crawl_id = archive.db.execute("SELECT min(id) FROM crawls").fetchone()[0]
        rows = archive.db.execute(
            "SELECT id, url, final_url, fetched_at, status, headers, method, request_body "
            "FROM captures WHERE crawl_id = ? AND status = 200 AND content_type LIKE 'text/html%' "
            "ORDER BY id", [crawl_id]).fetchall()
        for cid, url, final, fetched, status, headers, method, request_body in rows:
            out.append(Capture(url, final or url, fetched, status, json.loads(headers or "{}"),
                               archive.capture_body(cid), method or "GET", request_body))
    return out


def _page(c: Capture) -> Page:
    return Page(url=c.final_url, body=c.body, headers=c.headers, fetched_at=c.fetched_at)


def extract_all(captures: list[Capture]) -> tuple[float, list[FetchResult]]:
    """CPU seconds of ``article()`` + ``links()`` over every capture, and the FetchResults."""
    layout = get_layout(LAYOUT)
    results = []
    scheduled: set[str] = set()
    started = time.process_time()
    for c in captures:
        page = _page(c)
        art = layout.article(page, SITE)
        links = layout.links(page)
        discovered = []
        for url in [u for u, _ in links.articles] + list(links.listings):
            if url not in scheduled:
                scheduled.add(url)
                discovered.append(FrontierEntry(url=url, kind="article"
                                                if layout.article_id(url) else "page"))
        results.append(FetchResult(
            url=c.url, fetched_at=c.fetched_at, status=c.status, headers=c.headers,
            body=c.body, final_url=c.final_url, kind="article" if art else "page", article=art,
            site=SITE, key=art.key if art else None, method=c.method,
            request_body=c.request_body, discovered=discovered))
    return time.process_time() - started, results


def store_all(results: list[FetchResult], path: Path, batch: int = 50) -> dict[str, float]:
    """Write ``results`` into a fresh archive at ``path`` in batches; seconds, rates, sizes."""
    with Archive(path) as archive:
        crawl_id = archive.begin_crawl(SITE, ["bench"])
        started, cpu0 = time.perf_counter(), time.process_time()
        for i in range(0, len(results), batch):
            archive.write(results[i:i + batch], crawl_id=crawl_id)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        articles = archive.db.execute("SELECT count(*) FROM articles").fetchone()[0]
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return {"seconds": wall, "cpu": cpu, "articles": articles,
            "articles_per_s": articles / wall if wall else 0.0,
            "bytes_per_article": size / articles if articles else 0.0, "archive_bytes": size}


def _per_page_ms(fn: Any, items: list[Any], repeat: int = 1) -> float:
    """Median over ``repeat`` passes of the mean milliseconds of ``fn(item)``."""
    passes = []
    for _ in range(repeat):
        started = time.perf_counter()
        for item in items:
            fn(item)
        passes.append((time.perf_counter() - started) * 1000 / len(items))
    return statistics.median(passes)


def extraction_baselines(captures: list[Capture], limit: int = 2000) -> dict[str, Any]:
    """Per-article-page ms of the layout's ``article()``, ``lxml.html.fromstring`` and
    ``trafilatura.extract`` on the same pages (the first ``limit`` article pages)."""
    layout = get_layout(LAYOUT)
    pages = [c for c in captures if layout.article_id(c.final_url) is not None][:limit]
    layout.article(_page(pages[0]), SITE)  # warm-up: imports, compiled selectors
    out: dict[str, Any] = {"pages": len(pages)}
    out["layout_ms"] = _per_page_ms(lambda c: layout.article(_page(c), SITE), pages, 3)
    out["lxml_ms"] = _per_page_ms(lambda c: lxml.html.fromstring(c.body), pages, 3)
    try:
        import trafilatura
    except ImportError:
        out["trafilatura_ms"] = None
    else:
        trafilatura.extract(pages[0].body)
        sample = pages[:500]  # trafilatura is slow: a sample is enough
        out["trafilatura_ms"] = _per_page_ms(lambda c: trafilatura.extract(
            c.body, url=c.final_url, include_comments=False), sample, 1)
        out["trafilatura_pages"] = len(sample)
    return out


def date_forms() -> list[tuple[str, Any]]:
    """Every (text, reference) form of ``tests/test_dates.py``'s tables, once each."""
    from tests import test_dates as t

    seen: dict[str, Any] = {}
    for _, text in t.ISSUE_CASES:
        seen.setdefault(text, None)
    for param in t.RESEARCH_TABLE:
        _, text, ref = param.values
        seen[text] = ref
    for _, text in t.MORE_FORMS:
        seen.setdefault(text, None)
    return list(seen.items())


def date_costs(repeat: int = 200) -> dict[str, float]:
    """Median ms of ``parse_date`` per form, after warm-up (20 calls each), uncached: the
    caches are cleared before each timed call."""
    out = {}
    for text, ref in date_forms():
        for _ in range(20):
            dates.cache_clear()
            parse_date(text, reference=ref)
        times = []
        for _ in range(repeat):
            dates.cache_clear()
            started = time.perf_counter()
            parse_date(text, reference=ref)
            times.append((time.perf_counter() - started) * 1000)
        out[text] = statistics.median(times)
    return out
