"""One page's extraction as a plain function, so it can run in another process.

``extract_page`` takes what a fetch gave (url, body, headers) and the layout's name and
selector overrides, and returns what the spider needs: the article (when the page holds one),
the page's links, or the error that stopped the layout. Everything in and out is picklable;
layouts are built once per process. Imports no Scrapy.

:class:`ExtractionPool` runs it in worker processes, so that the crawl's reactor thread only
fetches and navigates while the second core parses. A worker is a plain child process
(``python -c "...serve()"``, not a fork: the crawler's process runs a reactor and threads)
that reads pages from its stdin and writes results to its stdout, framed and pickled by
:class:`multiprocessing.connection.Connection`. Unlike ``concurrent.futures``' spawned pool
it imports only extraction (not the crawl's main module) and needs no multiprocessing
resource tracker: all of a crawl's processes peak at 194 MB instead of 214 at 20,000
articles. A worker ends when its stdin closes: when the pool is closed, and when the crawl's
process dies however it dies.
"""

from __future__ import annotations

import itertools
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Mapping
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

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


def serve() -> None:
    """A worker's main loop: build the layout named first, then answer each
    ``(task id, extract_page arguments)`` with ``(task id, Extracted, error)`` until stdin
    closes. Run by :class:`ExtractionPool` in a child process."""
    answers = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # a stray print must not corrupt the answers
    tasks = Connection(0, writable=False)
    try:
        layout, selectors = tasks.recv()
        layout_for(layout, selectors)
        while True:
            task_id, args = tasks.recv()
            try:
                answers.send((task_id, extract_page(*args), None))
            except Exception as exc:  # extract_page records layout errors; this is the rest
                answers.send((task_id, None, f"{type(exc).__name__}: {exc}"))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return  # the crawl closed the pool, or is gone


class ExtractionFailed(RuntimeError):
    """A page the worker could not extract or answer for (its reason is the message)."""


class WorkerExited(ExtractionFailed):
    """The extraction worker ended while pages were in its hands."""


class _Worker:
    """One child process, a thread that feeds it pages and a thread that reads its answers."""

    _COMMAND = "from crawler.extraction.work import serve; serve()"

    def __init__(self, layout: str, selectors: dict[str, str]) -> None:
        root = str(Path(__file__).resolve().parents[2])  # where `crawler` is importable
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
        self.proc = subprocess.Popen([sys.executable, "-c", self._COMMAND], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        # The connections own duplicates of the pipes' ends (closed with them).
        self._tasks = Connection(os.dup(self.proc.stdin.fileno()), readable=False)
        self._answers = Connection(os.dup(self.proc.stdout.fileno()), writable=False)
        self.proc.stdin.close()
        self.proc.stdout.close()
        self._lock = threading.Lock()
        self._pending: dict[int, Future[Extracted]] = {}
        self._outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._outbox.put((layout, selectors))  # the layout first; None closes
        self.alive = True
        threading.Thread(target=self._feed, name="extraction-feed", daemon=True).start()
        threading.Thread(target=self._read, name="extraction-read", daemon=True).start()

    @property
    def load(self) -> int:
        return len(self._pending)

    def submit(self, task_id: int, args: tuple[Any, ...]) -> Future[Extracted]:
        future: Future[Extracted] = Future()
        with self._lock:
            if not self.alive:
                raise WorkerExited("the extraction worker has ended")
            self._pending[task_id] = future
        self._outbox.put((task_id, args))
        return future

    def close(self) -> None:
        """Stop after the pages already sent (the feeder closes the worker's stdin)."""
        self._outbox.put(None)

    def _feed(self) -> None:
        try:
            while (item := self._outbox.get()) is not None:
                self._tasks.send(item)
        except OSError:
            pass  # the worker is gone: _read fails the pages it held
        finally:
            self._tasks.close()

    def _read(self) -> None:
        try:
            while True:
                task_id, result, error = self._answers.recv()
                with self._lock:
                    future = self._pending.pop(task_id)
                _settle(future, result, ExtractionFailed(error) if error else None)
        except (EOFError, OSError):
            pass
        code = self.proc.wait()
        with self._lock:
            self.alive = False
            held, self._pending = self._pending, {}
        how = f"signal {-code}" if code < 0 else f"code {code}"
        for future in held.values():
            _settle(future, None, WorkerExited(f"the extraction worker exited ({how})"))
        self._answers.close()


def _settle(future: Future[Extracted], result: Extracted | None,
            error: BaseException | None) -> None:
    """Resolve ``future`` unless its caller gave up on it (a cancelled crawl)."""
    try:
        if error is None:
            future.set_result(result)  # type: ignore[arg-type]
        else:
            future.set_exception(error)
    except InvalidStateError:
        pass


class ExtractionPool:
    """``extract_page`` in ``workers`` child processes; ``layout`` (and its selector
    overrides) is built in each process as it starts, others on first use. A page goes to the
    worker with the fewest pages in hand; a worker that died (killed, out of memory) fails the
    pages it held, with the reason, and is replaced on the next page."""

    def __init__(self, workers: int, layout: str, selectors: Mapping[str, str] | None) -> None:
        self.workers = workers
        self.layout = layout
        self.selectors = dict(selectors or {})
        self._procs: list[_Worker] = []
        self._ids = itertools.count()

    def pids(self) -> list[int]:
        """The worker processes' ids (those started so far)."""
        return [w.proc.pid for w in self._procs]

    def _worker(self) -> _Worker:
        self._procs = [w for w in self._procs if w.alive]
        if len(self._procs) < self.workers:
            self._procs.append(_Worker(self.layout, self.selectors))
        return min(self._procs, key=lambda w: w.load)

    def submit(self, url: str, body: bytes, headers: dict[str, str], fetched_at: str,
               site: str, want_links: bool = True, layout: str | None = None,
               selectors: Mapping[str, str] | None = None) -> Future[Extracted]:
        """Extract one page with ``layout`` (default: the pool's)."""
        if layout is None:
            layout, selectors = self.layout, self.selectors
        args = (layout, dict(selectors or {}), url, body, headers, fetched_at, site, want_links)
        try:
            return self._worker().submit(next(self._ids), args)
        except WorkerExited:  # died since it was chosen: start afresh
            return self._worker().submit(next(self._ids), args)

    def close(self) -> None:
        for worker in self._procs:
            worker.close()
        for worker in self._procs:
            try:
                worker.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.proc.kill()
                worker.proc.wait()
        self._procs = []
