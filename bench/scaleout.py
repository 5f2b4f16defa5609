"""Scale-out benchmark (not a test): ``python -m bench.scaleout [--articles 320] [--workers 3]``.

Serves six replica portals (five CMS families, two ASP.NET portals) in this process (threads on
127.0.0.1), starts a redis-server of its own on a free loopback port, and crawls the six
portals three ways with politeness off, each into fresh archives:

- single process: ``portal-archive crawl`` once per portal, one after the other (the way
  before scale-out);
- 1 worker holding all six sites (``ARCHIVE_WORKER_SITES=6``);
- N workers (``--workers 2 3``; default 3) holding 6/N sites each.

For each: wall time until the queue was empty (polled every 0.1 s) and until the last worker
exited (``--exit-when-idle`` notices the end at Scrapy's 5-second engine heartbeat), pages
per second, the workers' CPU time (``wait4``) and the cores it amounts to, the replica
server's CPU time (this process), the load average before the run, and the merge time. Each
merged archive is checked against the replica models (every article once). Prints one table
and writes the figures to ``bench/results/scaleout-<date>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.crawl import PYTHON, ROOT
from crawler.distributed import connect, queue_done
from replica.server import ReplicaServer

RESULTS = Path(__file__).resolve().parent / "results"
PORTALS = [("aspnet", 20210420, "vpubnd-replica"), ("sharepoint", 20210420, "sharepoint-replica"),
           ("liferay", 20210420, "liferay-replica"), ("php", 20210420, "php-replica"),
           ("modern", 20210420, "modern-replica"), ("aspnet", 7, "vpubnd-second")]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s", "ARCHIVE_PROGRESS=off"]


def log(msg: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(*args: str) -> list[str]:
    return [PYTHON, "-m", "crawler.cli", *args]


def reap(procs: list[subprocess.Popen]) -> float:
    """Wait for every process; their summed CPU seconds (user + system, from wait4)."""
    cpu = 0.0
    for proc in procs:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 3):
            raise RuntimeError(f"{proc.args} exited {proc.returncode}")
        cpu += usage.ru_utime + usage.ru_stime
    return cpu


def count(db: Path, sql: str) -> int:
    return sqlite3.connect(db).execute(sql).fetchone()[0]


def single_process(servers: list[ReplicaServer], tmp: Path, env: dict[str, str]
                   ) -> dict[str, Any]:
    db = tmp / "single.db"
    started, server0 = time.perf_counter(), time.process_time()
    cpu = 0.0
    for server, (_, _, profile) in zip(servers, PORTALS, strict=True):
        proc = subprocess.Popen(cli("crawl", server.url + "/", "--site", profile, "--db",
                                    str(db), *FAST), cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cpu += reap([proc])
    wall = time.perf_counter() - started
    return {"how": "single process, 6 crawls in a row", "workers": 1, "wall_done": wall,
            "wall_exit": wall, "cpu": cpu, "server_cpu": time.process_time() - server0,
            "pages": count(db, "SELECT count(*) FROM captures"),
            "articles": count(db, "SELECT count(*) FROM articles"), "merge": 0.0}


def workers(n: int, sites_per_worker: int, redis_url: str, sites: Path, tmp: Path,
            env: dict[str, str]) -> dict[str, Any]:
    queue = f"bench-{n}"
    subprocess.run(cli("enqueue", str(sites), "--redis", redis_url, "--queue", queue, "--reset"),
                   cwd=ROOT, env=env, check=True, capture_output=True)
    server = connect(redis_url)
    shards = [tmp / f"w{n}-{i}.db" for i in range(n)]
    started, server0 = time.perf_counter(), time.process_time()
    procs = [subprocess.Popen(cli("worker", "--redis", redis_url, "--queue", queue, "--db",
                                  str(db), "--exit-when-idle", *FAST,
                                  "-s", f"ARCHIVE_WORKER_SITES={sites_per_worker}"),
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for db in shards]
    time.sleep(1.0)  # the workers register before the queue can be seen as done
    while not queue_done(server, queue):
        time.sleep(0.1)
    done = time.perf_counter() - started
    cpu = reap(procs)
    wall = time.perf_counter() - started
    server_cpu = time.process_time() - server0
    merged = tmp / f"w{n}.db"
    t = time.perf_counter()
    subprocess.run(cli("merge", *map(str, shards), "--into", str(merged)), cwd=ROOT, env=env,
                   check=True, capture_output=True)
    merge = time.perf_counter() - t
    return {"how": f"{n} worker{'s' * (n > 1)}, {sites_per_worker} sites each", "workers": n,
            "wall_done": done, "wall_exit": wall, "cpu": cpu, "server_cpu": server_cpu,
            "pages": count(merged, "SELECT count(*) FROM captures"),
            "articles": count(merged, "SELECT count(*) FROM articles"), "merge": merge}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=320, help="articles per portal")
    parser.add_argument("--workers", type=int, nargs="+", default=[3],
                        help="worker counts to measure besides 1 (e.g. 2 3)")
    args = parser.parse_args(argv)
    binary = shutil.which("redis-server")
    if not binary:
        raise SystemExit("needs redis-server (Debian: apt-get install redis-server)")
    port = free_port()
    redis_proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save",
                                   "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    redis_url = f"redis://127.0.0.1:{port}/0"
    servers = [ReplicaServer(today=date(2026, 11, 26), family=f, seed=seed,
                             n_articles=args.articles).start() for f, seed, _ in PORTALS]
    expected = sum(len(s.portal.public_articles()) for s in servers)
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-scaleout-") as name:
            tmp = Path(name)
            (tmp / "profiles").mkdir()
            (tmp / "profiles" / "vpubnd-second.toml").write_text(
                'name = "vpubnd-second"\nbase_url = "http://127.0.0.1/"\n'
                'layout = "aspnet_office"\n', encoding="utf-8")
            env = {**os.environ, "ARCHIVE_PROFILES_DIR": str(tmp / "profiles")}
            sites = tmp / "sites.txt"
            sites.write_text("".join(f"{s.url}/ {p}\n" for s, (_, _, p)
                                     in zip(servers, PORTALS, strict=True)), encoding="utf-8")
            connect(redis_url).ping()
            log(f"6 portals of {args.articles} articles ({expected} public), Redis {redis_url}")
            load = os.getloadavg()[0]
            rows.append({**single_process(servers, tmp, env), "load": load})
            log(f"single process: {rows[-1]['wall_exit']:.1f} s")
            for n in [1, *args.workers]:
                load = os.getloadavg()[0]
                rows.append({**workers(n, -(-len(PORTALS) // n), redis_url, sites, tmp, env),
                             "load": load})
                log(f"{rows[-1]['how']}: {rows[-1]['wall_done']:.1f} s")
    finally:
        for server in servers:
            server.stop()
        redis_proc.terminate()
        redis_proc.wait()
    for row in rows:
        if row["articles"] != expected:
            raise SystemExit(f"{row['how']}: {row['articles']} articles, expected {expected}")
    base = rows[1]["wall_done"]
    print(f"\n6 portals x {args.articles} articles, {os.cpu_count()} CPUs; every run archived "
          f"all {expected} articles\n")
    print(f"{'run':<36}{'wall s':>7}{'exit s':>7}{'pages/s':>8}{'crawl CPU s':>12}"
          f"{'cores used':>11}{'replica CPU s':>14}{'load':>6}{'merge s':>8}{'speed-up':>9}")
    for r in rows:
        print(f"{r['how']:<36}{r['wall_done']:>7.1f}{r['wall_exit']:>7.1f}"
              f"{r['pages'] / r['wall_done']:>8.0f}{r['cpu']:>12.1f}"
              f"{r['cpu'] / r['wall_exit']:>11.2f}{r['server_cpu']:>14.1f}{r['load']:>6.1f}"
              f"{r['merge']:>8.1f}{base / r['wall_done']:>8.2f}x")
    print("(wall s: until the queue was empty; exit s: until the last process exited; cores used:"
          " crawl CPU s / exit s; load: 1-minute load average before the run; speed-up: against"
          " 1 worker's wall s)")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"scaleout-{datetime.now(UTC):%Y-%m-%d}.json"
    out.write_text(json.dumps({"articles_per_portal": args.articles, "cpus": os.cpu_count(),
                               "runs": rows}, indent=2))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
