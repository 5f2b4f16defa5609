"""Reliability check: ``python -m bench.reliability [--articles N]``.

Serves the replica with every fault of ``replica/faults.py`` at once (each on its own article),
its crawl traps (``replica/traps.py``) and an extra start URL whose host does not resolve
(``http://old-portal.invalid/``), crawls it with ``portal-archive crawl`` in a subprocess and
prints:

- articles recoverable vs archived (they must be equal). Recoverable: the public articles a
  crawl can reach (linked from the home page and listings, then through "Các tin đã đăng"
  chains) whose pages are not permanently broken; worked out from the replica's model and the
  fault map, never from the crawl;
- the failures recorded, counted by reason (server ports written as ``{site}`` / ``{offsite}``);
- the requests spent in traps (from the replica's request log) and the cuts per trap rule;
- the requests that went off the site or to URLs robots.txt disallows (must be 0);
- crashes: errors in spider callbacks and unhandled errors in the crawl's log (must be 0).

Timeouts are shortened (``DOWNLOAD_TIMEOUT=2``, a stall lasts ``STALL_SECONDS=3``) so that a
run takes seconds; :func:`run` is what ``tests/test_reliability.py`` calls.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.robotparser
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from replica import faults as replica_faults
from replica.model import Portal
from replica.server import ReplicaServer
from replica.traps import TRAPS

ROOT = Path(__file__).resolve().parent.parent
DEAD_HOST = "http://old-portal.invalid/"
SETTINGS = ["ARCHIVE_SITE=vpubnd-replica",
            "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
            "ARCHIVE_PROGRESS=off", "RETRY_TIMES=2", "DOWNLOAD_TIMEOUT=2",
            "DOWNLOAD_MAXSIZE=1000000", "DNS_TIMEOUT=5", "LOG_LEVEL=INFO"]
#: Log lines that mean an error nobody handled (a failed fetch is logged but handled).
CRASH_LINES = re.compile(r"Spider error processing|Unhandled error|Error caught on signal handler"
                         r"|Error processing")


def reachable(portal: Portal, missing: set[int]) -> set[int]:
    """Ids of the public articles a crawl reaches when the ``missing`` ones fail: those linked
    from the home page and listings, then their "Các tin đã đăng" chains."""
    public = {a.id for a in portal.public_articles()}
    todo = [i for i in portal.linked_ids() if i in public]
    seen: set[int] = set()
    while todo:
        aid = todo.pop()
        if aid in seen or aid in missing:
            continue
        seen.add(aid)
        todo.extend(i for i in portal.articles[aid].related_ids if i in public)
    return seen


def fault_map(portal: Portal) -> dict[int, str]:
    """Article id -> fault: every fault on its own recent article (linked from the home page),
    never the seed, flaky or notice article."""
    special = {portal.seed_id, portal.flaky_id, portal.notice_id, portal.dead_link_id}
    recent = [a.id for a in portal.newest_public(len(replica_faults.FAULTS) + 10)
              if a.id not in special]
    return dict(zip(recent, sorted(replica_faults.FAULTS), strict=False))


def run(n_articles: int = 200, stall_seconds: float = 3.0, workdir: str | None = None,
        seed: int = 20210420) -> dict[str, Any]:
    """Crawl the replica under every fault and trap; returns the figures :func:`main` prints."""
    work = Path(workdir or tempfile.mkdtemp(prefix="reliability-"))
    db = work / "archive.db"
    replica_faults.STALL_SECONDS, saved = stall_seconds, replica_faults.STALL_SECONDS
    try:
        with ReplicaServer(seed=seed, n_articles=n_articles, today=date.today(),
                           traps=True) as server:
            portal = server.portal
            by_id = fault_map(portal)
            for aid, fault in by_id.items():
                server.faults[portal.articles[aid].url_path] = fault
            cmd = [sys.executable, "-m", "crawler.cli", "crawl", server.url + "/", DEAD_HOST,
                   "--db", str(db)]
            for setting in SETTINGS:
                cmd += ["-s", setting]
            started = time.monotonic()
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
            wall = time.monotonic() - started
            log = list(server.log)
            robots = server.route("/robots.txt").body.decode("utf-8")
            site, offsite = server.url, server.offsite_url
    finally:
        replica_faults.STALL_SECONDS = saved

    broken = {aid for aid, fault in by_id.items() if fault in replica_faults.PERMANENT}
    recoverable = {f"id:{i}" for i in reachable(portal, broken)}
    with sqlite3.connect(db) as conn:
        archived = {k for (k,) in conn.execute("SELECT key FROM articles")}
        reasons = Counter(_placeholders(r, site, offsite) for (r,) in
                          conn.execute("SELECT reason FROM failures"))
        row = conn.execute("SELECT stats FROM crawls ORDER BY id DESC LIMIT 1").fetchone()
    stats = json.loads(row[0]) if row else {}

    rules = urllib.robotparser.RobotFileParser()
    rules.parse(robots.splitlines())
    main = [e for e in log if e["server"] == "main"]
    disallowed = [e["target"] for e in main if not rules.can_fetch("portal-archive", e["target"])]
    in_traps = Counter(e["trap"] for e in main if e.get("trap"))
    crash_lines = [line for line in proc.stderr.splitlines() if CRASH_LINES.search(line)]
    return {
        "articles": n_articles,
        "faults": {portal.articles[aid].url_path: f for aid, f in sorted(by_id.items())},
        "exit_code": proc.returncode,
        "seconds": round(wall, 1),
        "requests": len(log),
        "recoverable": len(recoverable),
        "archived": len(archived),
        "missing": sorted(recoverable - archived),
        "unexpected": sorted(archived - recoverable),
        "failures": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "trap_requests": dict(sorted(in_traps.items())),
        "trap_cuts": {k.removeprefix("archive/traps/"): v for k, v in sorted(stats.items())
                      if k.startswith("archive/traps/")},
        "offsite_requests": [e["target"] for e in log if e["server"] != "main"],
        "disallowed_requests": disallowed,
        "crashes": int(stats.get("spider_exceptions/count", 0))
        + int(stats.get("log_count/CRITICAL", 0)) + len(crash_lines),
        "crash_lines": crash_lines[:10],
        "errors_logged": int(stats.get("log_count/ERROR", 0)),
        "stderr_tail": proc.stderr[-3000:],
    }


def _placeholders(reason: str, site: str, offsite: str) -> str:
    return reason.replace(site, "{site}").replace(offsite, "{offsite}")


def describe(r: dict[str, Any]) -> str:
    """The report as printed (and quoted in the README)."""
    equal = "equal" if r["recoverable"] == r["archived"] and not r["missing"] else "DIFFERENT"
    lines = [
        f"replica: {r['articles']} articles, {len(r['faults'])} faults (one per article), "
        f"{len(TRAPS)} traps, start URLs: the home page and "
        f"{DEAD_HOST}",
        f"crawl: exit code {r['exit_code']}, {r['seconds']} s, {r['requests']} requests "
        "served",
        f"{'articles recoverable':<44}{r['recoverable']:>6}",
        f"{'articles archived':<44}{r['archived']:>6}  ({equal})",
    ]
    if r["missing"] or r["unexpected"]:
        lines.append(f"  missing {r['missing'][:10]}  unexpected {r['unexpected'][:10]}")
    lines.append(f"{'failures recorded':<44}{sum(r['failures'].values()):>6}")
    for reason, n in r["failures"].items():
        lines.append(f"  {reason:<78}{n:>4}")
    traps = ", ".join(f"{k} {v}" for k, v in r["trap_requests"].items())
    cuts = ", ".join(f"{k} {v}" for k, v in r["trap_cuts"].items())
    lines += [
        f"{'requests spent in traps':<44}{sum(r['trap_requests'].values()):>6}  ({traps})",
        f"{'trap URLs cut, by rule (crawl stats)':<44}{sum(r['trap_cuts'].values()):>6}  "
        f"({cuts})",
        f"{'requests off the site':<44}{len(r['offsite_requests']):>6}",
        f"{'requests robots.txt disallows':<44}{len(r['disallowed_requests']):>6}",
        f"{'crashes (spider errors, unhandled errors)':<44}{r['crashes']:>6}",
        f"{'errors logged (failed fetches included)':<44}{r['errors_logged']:>6}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=200, help="public articles (200)")
    parser.add_argument("--stall-seconds", type=float, default=3.0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    report = run(args.articles, args.stall_seconds)
    if args.json:
        print(json.dumps({k: v for k, v in report.items() if k != "stderr_tail"}, indent=2,
                         ensure_ascii=False))
    else:
        print(describe(report))
    ok = (report["recoverable"] == report["archived"] and not report["missing"]
          and not report["offsite_requests"] and not report["disallowed_requests"]
          and not report["crashes"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
