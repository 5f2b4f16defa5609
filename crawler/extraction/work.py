"""One page's extraction as a plain function, so it can run in another process.

``extract_page`` takes what a fetch gave (url, body, headers) and the layout's name and
selector overrides, and returns what the spider needs: the article (when the page holds one),
the page's links, or the error that stopped the layout. Everything in and out is picklable;
layouts are built once per process. Imports no Scrapy.

:class:`ExtractionPool` runs it in worker processes (``concurrent.futures``, spawned, not
forked: the crawler's process runs a reactor and threads). The crawl's reactor thread then
only fetches and navigates while the second core parses.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from crawler.extraction.layouts import get_layout
from crawler.extraction.layouts.base import Layout, Links
from crawler.extraction.page import Page
from crawler.items import Article

_LAYOUTS: dict[tuple[str, tuple[tuple[str, str], ...]], Layout] = {}


@dataclass
class Extracted:
    article: Article | None = None
    links: Links | None = None
    error: str | None = None


def layout_for(name: str, selectors: Mapping[str, str] | None = None) -> Layout:
    key = (name, tuple(sorted((selectors or {}).items())))
    layout = _LAYOUTS.get(key)
    if layout is None:
        layout = _LAYOUTS[key] = get_layout(name, dict(selectors or {}))
    return layout


def extract_with(layout: Layout, url: str, body: bytes, headers: dict[str, str],
                 fetched_at: str, site: str, want_links: bool = True) -> Extracted:
    """The article and links of one page; a layout error is returned, never raised."""
    page = Page(url=url, body=body, headers=headers, fetched_at=fetched_at)
    out = Extracted()
    try:
        out.article = layout.article(page, site)
        if want_links:
            out.links = layout.links(page)
    except Exception as exc:  # a page the layout cannot read is recorded, never fatal
        out.article = out.links = None
        out.error = f"extraction failed: {type(exc).__name__}: {exc}"[:300]
    return out


def extract_page(layout: str, selectors: Mapping[str, str] | None, url: str, body: bytes,
                 headers: dict[str, str], fetched_at: str, site: str, want_links: bool = True
                 ) -> Extracted:
    """:func:`extract_with` the layout called ``layout`` (built once per process)."""
    return extract_with(layout_for(layout, selectors), url, body, headers, fetched_at, site,
                        want_links)


def workers_for(value: str | int, polite: bool, cpus: int | None = None) -> int:
    """How many extraction processes a crawl uses: ``ARCHIVE_EXTRACT_WORKERS`` as a number, or
    ``auto``: one when the crawl is not held back by politeness delays and the machine has a
    core to spare (a polite crawl waits a second between pages; parsing keeps up in-thread)."""
    if str(value).strip().lower() != "auto":
        try:
            return max(0, int(value))
        except ValueError:
            raise ValueError(f"ARCHIVE_EXTRACT_WORKERS must be a number or 'auto': {value!r}") \
                from None
    cpus = os.cpu_count() if cpus is None else cpus
    return 1 if not polite and (cpus or 1) >= 2 else 0


def _exit_with_parent() -> None:
    """End this worker when the crawl's process is gone. A worker waits for pages on a pipe
    whose writing end it holds itself (concurrent.futures hands it the whole queue), so a
    crawl killed with SIGKILL (an OOM kill, systemd's last resort) would leave it waiting
    forever; this thread waits on the parent's sentinel instead."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _warm(layout: str, selectors: Mapping[str, str] | None) -> None:
    _exit_with_parent()
    layout_for(layout, selectors)


class ExtractionPool:
    """``extract_page`` in ``workers`` spawned processes; ``layout`` (and its selector
    overrides) is built in each process as it starts, others on first use."""

    def __init__(self, workers: int, layout: str, selectors: Mapping[str, str] | None) -> None:
        self.workers = workers
        self.layout = layout
        self.selectors = dict(selectors or {})
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm, initargs=(self.layout, self.selectors))
        return self._pool

    def submit(self, url: str, body: bytes, headers: dict[str, str], fetched_at: str,
               site: str, want_links: bool = True, layout: str | None = None,
               selectors: Mapping[str, str] | None = None) -> Future[Extracted]:
        """Extract one page with ``layout`` (default: the pool's)."""
        if layout is None:
            layout, selectors = self.layout, self.selectors
        args = (layout, dict(selectors or {}), url, body, headers, fetched_at, site, want_links)
        try:
            return self._executor().submit(extract_page, *args)
        except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh
            self._pool = None
            return self._executor().submit(extract_page, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
