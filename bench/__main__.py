"""Performance benchmark (not a test): ``python -m bench [--sizes 2000 20000 100000] [--quick]``.

Serves the replica portal in this process (threads on 127.0.0.1), crawls it with
``portal-archive crawl`` (a subprocess, politeness off) into a temporary archive at each size,
and measures against baselines taken in the same run:

- full crawl: wall time, pages/s, CPU and peak RSS of the crawler process (and summed over the
  crawl's processes, its extraction worker too; read from /proc), versus a bare Scrapy spider
  (``bench/bare_spider.py``) that GETs the same URLs and does nothing else;
- CPU per page split into fetch (the bare spider's CPU per page), extraction and storage
  (in-process on the stored captures, ``bench/extract.py``);
- extraction alone: the layout's ``article()`` versus ``lxml.html.fromstring`` and
  ``trafilatura.extract`` on the same article pages;
- dates: median ``parse_date`` per form of ``tests/test_dates.py``;
- storage: articles written per second, archive bytes per article;
- incremental: the epoch-2 run versus the full crawl (requests, wall time);
- search: ``bench/search.py`` on a generated archive (10,000 articles with ``--quick``);
- scale: time and peak RSS per size.

Prints one table and writes the figures with machine info to ``bench/results/<date>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lxml
import scrapy

from bench import extract
from bench.crawl import crawl_archive, crawl_bare, crawl_urls
from replica.server import ReplicaServer

RESULTS = Path(__file__).resolve().parent / "results"
#: Sizes above this are crawled only if the estimate from the largest smaller size fits.
MAX_CRAWL_SECONDS = 15 * 60
IN_PROCESS_PAGES = 5000  # captures used for the in-process measurements


def log(msg: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", flush=True)


def machine() -> dict[str, Any]:
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpu_count": os.cpu_count(), "python": platform.python_version(),
            "scrapy": scrapy.__version__, "lxml": lxml.__version__,
            "sqlite": sqlite3.sqlite_version, "platform": platform.platform()}


def crawl_size(n: int, tmp: Path, incremental: bool) -> dict[str, Any]:
    """Full crawl at ``n`` articles, the bare spider on its URLs, and (optionally) epoch 2."""
    out: dict[str, Any] = {"articles": n}
    started = time.perf_counter()
    server = ReplicaServer(n_articles=n)
    out["replica_build_s"] = time.perf_counter() - started
    db = tmp / f"crawl-{n}.db"
    with server:
        log(f"{n:,} articles: replica built in {out['replica_build_s']:.1f} s; full crawl")
        full = crawl_archive(server.url, db)
        log(f"  portal-archive: {full.wall:.1f} s, {full.pages} pages, cpu {full.cpu:.1f} s, "
            f"rss {full.rss_mb:.0f} MB (all processes {full.tree_rss_mb:.0f}), "
            f"replica cpu {full.server_cpu:.1f} s")
        bare = crawl_bare(crawl_urls(db), tmp)
        log(f"  bare spider: {bare.wall:.1f} s, {bare.pages} pages, cpu {bare.cpu:.1f} s")
        out["full"], out["bare"] = full.as_dict(), bare.as_dict()
        with sqlite3.connect(db) as con:
            out["archive_articles"] = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        out["archive_bytes"] = sum(p.stat().st_size for p in tmp.glob(db.name + "*"))
        if incremental:
            started = time.perf_counter()
            server.set_epoch(2)
            log(f"  epoch 2 built in {time.perf_counter() - started:.1f} s; incremental crawl")
            inc = crawl_archive(server.url, db)
            log(f"  incremental: {inc.wall:.1f} s, {inc.requests} requests")
            out["incremental"] = inc.as_dict()
    out["db"] = str(db)
    return out


def in_process(db: Path, tmp: Path) -> dict[str, Any]:
    captures = extract.load_captures(db)[:IN_PROCESS_PAGES]
    log(f"in-process measurements on {len(captures):,} captures of {db.name}")
    cpu, results = extract.extract_all(captures)
    store = extract.store_all(results, tmp / "storage.db")
    base = extract.extraction_baselines(captures)
    log("  extraction, storage and baselines done; dates")
    dates = extract.date_costs()
    with sqlite3.connect(db) as conn:  # HTML pages among the crawl's fetches (photos are not)
        html_total = conn.execute(
            "SELECT count(*) FROM captures WHERE crawl_id = (SELECT min(id) FROM crawls) "
            "AND status = 200 AND content_type LIKE 'text/html%'").fetchone()[0]
    return {"pages": len(captures), "html_pages_in_crawl": html_total, "extract_cpu_s": cpu,
            "extract_ms_per_page": cpu * 1000 / len(captures), "storage": store,
            "storage_ms_per_page": store["cpu"] * 1000 / len(captures),
            "baselines": base, "dates_ms": dates}


def search_bench(n: int, tmp: Path) -> dict[str, Any]:
    from bench import search as sb

    path = tmp / "search.db"
    log(f"search: building a {n:,}-article archive")
    built = sb.build(path, n)
    runs = {"search": sb.timings(lambda q: sb.search(q, path, limit=20), 5),
            "search_newest": sb.timings(lambda q: sb.search(q, path, limit=20, sort="newest"), 5)}
    from crawler.storage import Archive

    with Archive(path) as archive:
        table = archive.db["articles"]
        runs["plain_fts"] = sb.timings(lambda q: sb.plain_fts(table, q), 5)
        runs["plain_fts_newest"] = sb.timings(
            lambda q: sb.plain_fts(table, q, "published desc"), 5)
    out: dict[str, Any] = {"articles": n, "build_s": built, "queries": len(sb.QUERIES)}
    for name, values in runs.items():
        p50, p95 = sb.percentiles(values)
        out[name] = {"p50_ms": p50, "p95_ms": p95}
    return out


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def table(r: dict[str, Any]) -> list[str]:
    rows: list[tuple[str, str, str, str, str]] = []

    def row(name: str, value: str, baseline: str = "", rat: str = "", target: str = "") -> None:
        rows.append((name, value, baseline, rat, target))

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    sizes = r["sizes"]
    main = next((s for s in sizes if s["articles"] == r["main_size"]), sizes[-1])
    f, b = main["full"], main["bare"]
    n = f"{main['articles']:,}"
    rt = ratio(f["wall"], b["wall"])
    row(f"full crawl {n}: wall s (bare Scrapy spider, same URLs)", f"{f['wall']:.1f}",
        f"{b['wall']:.1f}", f"{rt:.2f}x", f"<= 1.3x {mark(rt <= 1.3)}")
    row(f"full crawl {n}: pages/s", f"{f['pages_per_s']:.0f}", f"{b['pages_per_s']:.0f}",
        f"{ratio(f['pages_per_s'], b['pages_per_s']):.2f}x")
    row(f"full crawl {n}: pages fetched", f"{f['pages']:,}", f"{b['pages']:,}")
    row(f"full crawl {n}: crawler CPU s (replica server CPU s)", f"{f['cpu']:.1f}",
        f"{b['cpu']:.1f}", f"{ratio(f['cpu'], b['cpu']):.2f}x",
        f"replica {f['server_cpu']:.1f} s")
    row(f"full crawl {n}: peak RSS MB, crawler process", f"{f['rss_mb']:.0f}",
        f"{b['rss_mb']:.0f}", f"{ratio(f['rss_mb'], b['rss_mb']):.2f}x")
    tree = f["tree_rss_mb"]
    row(f"full crawl {n}: peak RSS MB, the crawl's processes (summed)", f"{tree:.0f}",
        f"{b['tree_rss_mb']:.0f}", f"{ratio(tree, b['tree_rss_mb']):.2f}x",
        f"<= 200 MB {mark(tree <= 200)}")
    ip = r["in_process"]
    fetch = b["cpu"] * 1000 / max(b["pages"], 1)
    total = f["cpu"] * 1000 / max(f["pages"], 1)
    # Extraction and storage are measured per HTML page; photos and attachments (about half
    # the fetches) have neither, so spread them over every fetch of the crawl.
    share = ip.get("html_pages_in_crawl", f["pages"]) / max(f["pages"], 1)
    ext, sto = ip["extract_ms_per_page"] * share, ip["storage_ms_per_page"] * share
    row("CPU ms/page: total in the crawler", f"{total:.2f}", f"{fetch:.2f}",
        f"{ratio(total, fetch):.2f}x", "baseline = bare fetch")
    row("CPU ms/page: fetch (bare spider)", f"{fetch:.2f}", "", f"{fetch / total:.0%}")
    row(f"CPU ms/page: extraction (article + links; {share:.0%} of fetches are HTML)",
        f"{ext:.2f}", "", f"{ext / total:.0%}")
    row("CPU ms/page: storage (batches of 50, no WARC)", f"{sto:.2f}", "", f"{sto / total:.0%}")
    rest = total - fetch - ext - sto
    row("CPU ms/page: rest (navigation, WARC, files, Scrapy)", f"{rest:.2f}", "",
        f"{rest / total:.0%}")
    base = ip["baselines"]
    lay = base["layout_ms"]
    row(f"extraction ms/article page (lxml.html.fromstring), {base['pages']:,} pages",
        f"{lay:.2f}", f"{base['lxml_ms']:.2f}", f"{ratio(lay, base['lxml_ms']):.2f}x",
        f"<= 2x {mark(lay <= 2 * base['lxml_ms'])}")
    if base.get("trafilatura_ms"):
        row(f"extraction ms/article page (trafilatura.extract), {base['trafilatura_pages']} pages",
            f"{lay:.2f}", f"{base['trafilatura_ms']:.2f}",
            f"{ratio(lay, base['trafilatura_ms']):.2f}x", "report")
    dates = ip["dates_ms"]
    worst = max(dates, key=dates.get)
    over = sum(1 for v in dates.values() if v >= 0.2)
    row(f"dates: median ms per form, {len(dates)} forms (median of forms)",
        f"{statistics.median(dates.values()):.3f}", "", "",
        f"< 0.2 ms {mark(over == 0)}: {over} over")
    row(f"dates: slowest form {worst!r}", f"{dates[worst]:.3f}", "", "", "< 0.2 ms")
    st = ip["storage"]
    row(f"storage: articles written/s ({st['articles']:,} articles)",
        f"{st['articles_per_s']:.0f}")
    row("storage: archive bytes/article (captures included)",
        f"{main['archive_bytes'] / max(main['archive_articles'], 1):,.0f}")
    inc = next((s for s in sizes if "incremental" in s), None)
    if inc:
        i, full = inc["incremental"], inc["full"]
        rq = ratio(full["requests"], i["requests"])
        row(f"incremental epoch 2 at {inc['articles']:,}: requests (full crawl)",
            f"{i['requests']:,}", f"{full['requests']:,}", f"{rq:.0f}x fewer",
            f">= 20x {mark(rq >= 20)}")
        row(f"incremental epoch 2 at {inc['articles']:,}: wall s (full crawl)",
            f"{i['wall']:.1f}", f"{full['wall']:.1f}",
            f"{ratio(full['wall'], i['wall']):.0f}x less")
    if r.get("search"):
        s = r["search"]
        row(f"search p50 ms, {s['queries']} queries, {s['articles']:,} articles (plain FTS5)",
            f"{s['search']['p50_ms']:.1f}", f"{s['plain_fts']['p50_ms']:.1f}",
            f"{ratio(s['search']['p50_ms'], s['plain_fts']['p50_ms']):.2f}x",
            f"< 10 ms {mark(s['search']['p50_ms'] < 10)}")
        row("search p95 ms (plain FTS5)", f"{s['search']['p95_ms']:.1f}",
            f"{s['plain_fts']['p95_ms']:.1f}",
            f"{ratio(s['search']['p95_ms'], s['plain_fts']['p95_ms']):.2f}x")
        if s.get("search_newest"):
            new, base = s["search_newest"], s["plain_fts_newest"]
            row("search --sort newest p50 / p95 ms (plain FTS5 by date)",
                f"{new['p50_ms']:.1f} / {new['p95_ms']:.1f}",
                f"{base['p50_ms']:.1f} / {base['p95_ms']:.1f}",
                f"{ratio(new['p50_ms'], base['p50_ms']):.2f}x", "report")
    for s in sizes:
        f, b = s["full"], s["bare"]
        row(f"scale {s['articles']:,}: wall s, pages, peak RSS MB crawler/all (bare wall s)",
            f"{f['wall']:.1f}, {f['pages']:,}, {f['rss_mb']:.0f}/{f['tree_rss_mb']:.0f}",
            f"{b['wall']:.1f}",
            f"{ratio(f['wall'], b['wall']):.2f}x",
            f"{f['wall'] * 1000 / max(f['pages'], 1):.1f} ms/page")
    for note in r["skipped"]:
        row(f"skipped: {note}", "")
    widths = [max(len(x[i]) for x in rows + [("measure", "value", "baseline", "ratio",
                                              "target")]) for i in range(5)]
    head = ("measure", "value", "baseline", "ratio", "target")

    def fmt(x: tuple[str, ...]) -> str:
        return (f"{x[0]:<{widths[0]}}  {x[1]:>{widths[1]}}  {x[2]:>{widths[2]}}  "
                f"{x[3]:>{widths[3]}}  {x[4]}").rstrip()

    return [fmt(head), *(fmt(x) for x in rows)]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000, 100_000],
                        help="Articles of the replica for each full crawl (a size above "
                             "20,000 is skipped when the estimate from the smaller sizes "
                             "exceeds 15 minutes).")
    parser.add_argument("--quick", action="store_true",
                        help="Sizes 2000 only, search on 10,000 articles.")
    parser.add_argument("--search-articles", type=int, default=100_000)
    parser.add_argument("--no-search", action="store_true")
    args = parser.parse_args()
    sizes = [2000] if args.quick else sorted(args.sizes)
    search_n = 10_000 if args.quick else args.search_articles
    report: dict[str, Any] = {"machine": machine(), "sizes": [], "skipped": [],
                              "command": "python -m bench " + (
                                  "--quick" if args.quick else
                                  "--sizes " + " ".join(map(str, sizes)))}
    main_size = 20000 if 20000 in sizes else sizes[-1]
    report["main_size"] = main_size
    with tempfile.TemporaryDirectory(prefix="bench-") as tmpdir:
        tmp = Path(tmpdir)
        for n in sizes:
            done = report["sizes"]
            if done and n > main_size:
                last = done[-1]
                estimate = last["full"]["wall"] * n / last["articles"]
                if estimate > MAX_CRAWL_SECONDS:
                    report["skipped"].append(
                        f"crawl at {n:,} (estimated {estimate / 60:.0f} min from "
                        f"{last['articles']:,}, over {MAX_CRAWL_SECONDS // 60} min)")
                    log(report["skipped"][-1])
                    continue
            done.append(crawl_size(n, tmp, incremental=n == main_size))
        main = next(s for s in report["sizes"] if s["articles"] == main_size)
        report["in_process"] = in_process(Path(main["db"]), tmp)
        if not args.no_search:
            report["search"] = search_bench(search_n, tmp)
        lines = table(report)
    print()
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{datetime.now(UTC):%Y-%m-%d}.json"
    report["table"] = lines
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
