"""Extraction in worker processes gives what extraction in the crawl's thread gives."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from crawler.extraction.layouts import get_layout
from crawler.extraction.work import (
    ExtractionPool,
    extract_page,
    extract_with,
    layout_for,
    workers_for,
)

FIXTURES = Path(__file__).parent / "fixtures" / "aspnet_office"
PAGES = sorted(p for p in FIXTURES.iterdir() if (p / "body.html").exists())


def fixture(name: Path) -> tuple[str, bytes, dict]:
    meta = json.loads((name / "meta.json").read_text(encoding="utf-8"))
    return meta["url"], (name / "body.html").read_bytes(), meta.get("headers", {})


@pytest.fixture(scope="module")
def pool():
    pool = ExtractionPool(1, "aspnet_office", {})
    yield pool
    pool.close()


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_a_worker_extracts_what_the_thread_extracts(pool, page):
    url, body, headers = fixture(page)
    here = extract_with(get_layout("aspnet_office"), url, body, headers, "2026-11-26T00:00:00Z",
                        "vpubnd-replica")
    there = pool.submit(url, body, headers, "2026-11-26T00:00:00Z", "vpubnd-replica").result(60)
    assert here.error is None and here.article is not None
    assert there == here


def test_a_page_that_breaks_the_layout_comes_back_as_an_error(monkeypatch):
    def broken(page, site=""):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(layout_for("aspnet_office", {}), "article", broken)
    result = extract_page("aspnet_office", {}, "http://127.0.0.1/NewsDetail.aspx?id=5",
                          b"<html><body><h1>x</h1></body></html>", {}, "", "s")
    assert result.article is None and result.links is None
    assert result.error == "extraction failed: RecursionError: maximum recursion depth exceeded"


def test_a_killed_worker_fails_its_pages_and_is_replaced(pool):
    """Some pages answered, then the worker frozen (SIGSTOP) so that the pages sent next are
    surely in its hands when it is killed, however fast it extracts."""
    url, body, headers = fixture(PAGES[0])
    first = pool.submit(url, body, headers, "", "s").result(60)
    futures = [pool.submit(url, body, headers, "", "s") for _ in range(25)]
    futures[0].result(60)
    for pid in pool.pids():
        os.kill(pid, signal.SIGSTOP)
    futures += [pool.submit(url, body, headers, "", "s") for _ in range(25)]
    for pid in pool.pids():
        os.kill(pid, signal.SIGKILL)
    outcomes = [f.exception(60) or f.result() for f in futures]
    failed = [o for o in outcomes if isinstance(o, Exception)]
    assert failed and all(o == first for o in outcomes if o not in failed)
    assert {"the extraction worker exited (signal 9)"} == {str(e) for e in failed}
    assert first == pool.submit(url, body, headers, "", "s").result(60)


def test_the_pool_starts_no_process_but_its_workers():
    """The workers are plain child processes: no multiprocessing resource tracker beside them."""
    pool = ExtractionPool(2, "aspnet_office", {})
    try:
        url, body, headers = fixture(PAGES[0])
        for future in [pool.submit(url, body, headers, "", "s") for _ in range(4)]:
            future.result(60)
        assert 2 == len(pool.pids())
        children = {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                    and _ppid(p) == os.getpid()}
        assert set(pool.pids()) <= children
        assert not any(b"resource_tracker" in _cmdline(pid) for pid in children)
    finally:
        pool.close()


def _ppid(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.parametrize(("value", "polite", "cpus", "expected"), [
    ("auto", True, 2, 0), ("auto", False, 2, 1), ("auto", False, 1, 0), ("3", True, 2, 3),
    (0, False, 8, 0), ("-1", False, 2, 0),
])
def test_workers_for(value, polite, cpus, expected):
    assert workers_for(value, polite, cpus) == expected


def test_workers_for_rejects_words():
    with pytest.raises(ValueError, match="ARCHIVE_EXTRACT_WORKERS"):
        workers_for("many", False, 2)


def test_workers_end_when_the_crawl_is_killed(tmp_path):
    """A crawl killed with SIGKILL leaves no extraction process behind."""
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import time\n"
        "from crawler.extraction.work import ExtractionPool\n"
        "if __name__ == '__main__':\n"
        "    pool = ExtractionPool(1, 'aspnet_office', None)\n"
        "    pool.submit('http://127.0.0.1/x', b'<html></html>', {}, '2021-04-20T00:00:00Z',"
        " 'replica').result(timeout=60)\n"
        "    print(*pool.pids(), flush=True)\n"
        "    time.sleep(600)\n", encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    parent = subprocess.Popen([sys.executable, str(script)], cwd=root, stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": str(root)})
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert workers and all(Path(f"/proc/{pid}").exists() for pid in workers)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 120  # gives up only on workers that never end
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
             and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]]
    assert alive == []
