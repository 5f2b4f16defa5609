"""Crawl traps on every replica family: ``python -m bench.traps [--articles N]``.

Serves each family with the traps real portals have (``ReplicaServer(site_traps=True)``:
work calendar, month archive to 1900, tags, sort and filter parameters, an endless offset
pager, a home page that changes), crawls it zero-config (no ``--site``) and with the
family's profile, then again at epoch 2 (the next day's run), and prints per run: requests,
articles archived, trap requests by trap, URL templates cut and wall time. Politeness is
lifted (loopback). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from replica.families import FAMILIES
from replica.server import ReplicaServer
from replica.site_traps import SITE_TRAPS

ROOT = Path(__file__).resolve().parent.parent
PROFILES = {"aspnet": "vpubnd-replica", "sharepoint": "sharepoint-replica",
            "liferay": "liferay-replica", "php": "php-replica", "modern": "modern-replica"}
FAST = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
        "CONCURRENT_REQUESTS=1", "ARCHIVE_EXTRACT_WORKERS=0",
        "ARCHIVE_PROGRESS=off"]
TODAY = date(2026, 11, 26)


def crawl(url: str, db: Path, site: str | None) -> tuple[int, float, str]:
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", url + "/", "--db", str(db)]
    cmd += ["--site", site] if site else []
    for setting in FAST:
        cmd += ["-s", setting]
    started = time.monotonic()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    return result.returncode, time.monotonic() - started, result.stdout


def measure(family: str, site: str | None, articles: int, folder: Path) -> list[dict]:
    """Two runs (epoch 1, then epoch 2) of one family into one archive."""
    rows = []
    db = folder / f"{family}-{site or 'zero'}.db"
    with ReplicaServer(today=TODAY, family=family, n_articles=articles,
                       site_traps=True) as server:
        for epoch in (1, 2):
            if epoch == 2:
                server.set_epoch(2)
            mark = len(server.log)
            code, seconds, out = crawl(server.url, db, site)
            log = server.log[mark:]
            traps = Counter(e["trap"] for e in log if e.get("trap") in SITE_TRAPS)
            with sqlite3.connect(db) as conn:
                stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                stats = json.loads(conn.execute(
                    "SELECT stats FROM crawls ORDER BY id DESC").fetchone()[0])
            public = len(server.portal.public_articles())
            rows.append({"family": family, "mode": site or "zero-config", "epoch": epoch,
                         "exit": code, "requests": len(log), "articles": stored,
                         "public": public, "traps": dict(traps),
                         "trap_requests": sum(traps.values()),
                         "cut": len((stats.get("archive/budget") or {}).get(
                             "templates_cut", [])),
                         "seconds": round(seconds, 1)})
    return rows


def table(rows: list[dict]) -> str:
    out = ["| family | mode | epoch | exit | requests | articles / public | trap requests "
           "(share) | by trap | templates cut | wall |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        share = r["trap_requests"] / r["requests"] if r["requests"] else 0
        by = ", ".join(f"{k} {v}" for k, v in sorted(r["traps"].items())) or "none"
        out.append(f"| {r['family']} | {r['mode']} | {r['epoch']} | {r['exit']} | "
                   f"{r['requests']} | {r['articles']} / {r['public']} | "
                   f"{r['trap_requests']} ({share:.1%}) | {by} | {r['cut']} | "
                   f"{r['seconds']} s |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=320)
    parser.add_argument("--family", action="append", choices=FAMILIES)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for family in args.family or FAMILIES:
            for site in (None, PROFILES[family]):
                rows += measure(family, site, args.articles, Path(tmp))
    print(table(rows))


if __name__ == "__main__":
    main()
