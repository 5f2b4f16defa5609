"""Crawl measurements: portal-archive and the bare Scrapy spider, each as a subprocess.

The replica is served by the calling (benchmark) process in threads; the crawler runs as
``python -m crawler.cli crawl`` with politeness off. Each child is reaped with ``os.wait4``,
which gives that child's own CPU time and peak RSS; the benchmark process's CPU time over the
same interval is the replica server's (its main thread only waits).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
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
    rss_mb: float  # peak resident set of the child
    server_cpu: float  # seconds of the benchmark process (the replica server's threads)
    requests: int = 0
    pages: int = 0
    exit_code: int = 0

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall if self.wall else 0.0

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "pages_per_s": round(self.pages_per_s, 1)}


def run_child(cmd: list[str], stdout_path: Path | None = None) -> tuple[Run, str]:
    """Run ``cmd``; its wall time, CPU and peak RSS (from ``wait4``) and its stdout."""
    out = open(stdout_path, "w+b") if stdout_path else subprocess.DEVNULL
    started, server0 = time.perf_counter(), time.process_time()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall, server = time.perf_counter() - started, time.process_time() - server0
    text = ""
    if stdout_path:
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
        out.close()
    run = Run(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_mb=usage.ru_maxrss / 1024,
              server_cpu=server, exit_code=proc.returncode)
    return run, text


def crawl_archive(url: str, db: Path, extra: list[str] = ()) -> Run:
    """``portal-archive crawl URL --db DB`` with politeness off; requests and pages of the
    run come from its row in ``crawls`` and its captures."""
    cmd = [PYTHON, "-m", "crawler.cli", "crawl", url + "/", "--db", str(db)]
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
