"""Crawl measurements: portal-archive and the bare Scrapy spider, each as a subprocess.

The replica is served by the calling (benchmark) process in threads; the crawler runs as
``python -m crawler.cli crawl`` with politeness off. Each child is reaped with ``os.wait4``,
which gives that child's own CPU time (its waited-for children's included); the benchmark
process's CPU time over the same interval is the replica server's (its main thread only waits).

Peak memory is read from ``/proc`` while the child runs (``MemoryWatch``), not from
``wait4``'s ``ru_maxrss``: Linux records the parent's high-water mark into a child's when the
child execs, so a crawler started from this process (which holds the whole replica model) was
reported as large as the benchmark itself: 707 MB at 100,000 articles.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from crawler import settings

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
#: Politeness off, and the crawler's own global concurrency given to both spiders explicitly
#: (Scrapy's default is 16, portal-archive's 8).
FAST = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        f"CONCURRENT_REQUESTS={settings.CONCURRENT_REQUESTS}"]


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # seconds, user + system, of the child
    rss_mb: float  # peak resident set of the child process itself (VmHWM)
    server_cpu: float  # seconds of the benchmark process (the replica server's threads)
    requests: int = 0
    pages: int = 0
    exit_code: int = 0
    #: Peak of the sum of the resident sets of the child and its descendants (the extraction
    #: worker), sampled every MemoryWatch.interval seconds.
    tree_rss_mb: float = 0.0
    #: Largest peak resident set among the descendants (VmHWM).
    descendants_rss_mb: float = 0.0

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall if self.wall else 0.0

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "pages_per_s": round(self.pages_per_s, 1)}


def _status_kb(pid: int) -> dict[str, int]:
    """VmHWM and VmRSS of ``pid`` in kB ({} once it has ended)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return {line.split(":")[0]: int(line.split()[1]) for line in text.splitlines()
            if line.startswith(("VmHWM:", "VmRSS:"))}


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (the children of each of its threads, recursively)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = [int(k) for k in children.read_text().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


class MemoryWatch(threading.Thread):
    """Peak memory of a running child and its descendants, read from ``/proc``.

    VmHWM is each process's own high-water mark, so a process's peak is exact up to the last
    read; the sum over the process tree is a sample, taken every ``interval`` seconds."""

    interval = 0.05

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.hwm_kb: dict[int, int] = {}
        self.tree_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            total = 0
            for pid in [self.pid, *_descendants(self.pid)]:
                status = _status_kb(pid)
                if "VmHWM" in status:
                    self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), status["VmHWM"])
                    total += status["VmRSS"]
            self.tree_kb = max(self.tree_kb, total)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    @property
    def own_mb(self) -> float:
        return self.hwm_kb.get(self.pid, 0) / 1024

    @property
    def descendants_mb(self) -> float:
        return max((kb for pid, kb in self.hwm_kb.items() if pid != self.pid), default=0) / 1024


def run_child(cmd: list[str], stdout_path: Path | None = None) -> tuple[Run, str]:
    """Run ``cmd``; its wall time, CPU (from ``wait4``), peak memory (``MemoryWatch``) and
    its stdout."""
    out = open(stdout_path, "w+b") if stdout_path else subprocess.DEVNULL
    started, server0 = time.perf_counter(), time.process_time()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.DEVNULL)
    watch = MemoryWatch(proc.pid)
    watch.start()
    # Wait for the exit without reaping, so the watch never reads a pid the system reused.
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    wall, server = time.perf_counter() - started, time.process_time() - server0
    watch.stop()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = ""
    if stdout_path:
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
        out.close()
    run = Run(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_mb=watch.own_mb,
              server_cpu=server, exit_code=proc.returncode, tree_rss_mb=watch.tree_kb / 1024,
              descendants_rss_mb=watch.descendants_mb)
    return run, text


def crawl_archive(url: str, db: Path, extra: list[str] = ()) -> Run:
    """``portal-archive crawl URL --db DB`` with politeness off; requests and pages of the
    run come from its row in ``crawls`` and its captures."""
    cmd = [PYTHON, "-m", "crawler.cli", "crawl", url + "/", "--db", str(db),
           "--site", "vpubnd-replica"]
    for s in [*FAST, "ARCHIVE_PROGRESS=off", *extra]:
        cmd += ["-s", s]
    run, _ = run_child(cmd)
    with sqlite3.connect(db) as con:
        crawl_id, stats = con.execute(
            "SELECT id, stats FROM crawls ORDER BY id DESC LIMIT 1").fetchone()
        run.pages = con.execute("SELECT count(*) FROM captures WHERE crawl_id = ?",
                                [crawl_id]).fetchone()[0]
    run.requests = int(json.loads(stats or "{}").get("downloader/request_count", 0))
    return run


def crawl_urls(db: Path) -> list[str]:
    """The GET URLs the newest crawl of ``db`` captured, in capture order."""
    with sqlite3.connect(db) as con:
        (crawl_id,) = con.execute("SELECT max(id) FROM crawls").fetchone()
        return [u for (u,) in con.execute(
            "SELECT url FROM captures WHERE crawl_id = ? AND method = 'GET' ORDER BY id",
            [crawl_id])]


def crawl_bare(urls: list[str], workdir: Path) -> Run:
    """The bare Scrapy spider over ``urls`` with the same concurrency settings."""
    urls_file = workdir / "urls.txt"
    urls_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    cmd = [PYTHON, "-m", "bench.bare_spider", str(urls_file)]
    for s in FAST:
        cmd += ["-s", s]
    run, text = run_child(cmd, workdir / "bare.out")
    counts = json.loads(text.strip().splitlines()[-1]) if text.strip() else {}
    run.requests = int(counts.get("requests", 0))
    run.pages = int(counts.get("responses", 0))
    return run
