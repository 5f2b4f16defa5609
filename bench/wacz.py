"""WACZ export memory against the archive's size: ``python -m bench.wacz [--sizes N ...]``.

For each size, the replica portal with N articles is crawled into a fresh archive (politeness
off, as bench.crawl does), then ``portal-archive export --format wacz`` runs as a child
process whose own peak resident set (VmHWM, read from /proc while it runs: bench.crawl's
MemoryWatch) is recorded, with its wall time, the archive's size on disk (archive.db and its
WARC files) and the WACZ's; then the same with ``--since 2015-01-01`` (the WARC file
rewritten with the selected records). It checks that pages/pages.jsonl holds every article.
The table ends with each size's ratios to the smallest: a flat memory shows as a peak-memory
ratio near 1 while the archive's grows with N.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

from bench.crawl import PYTHON, Run, crawl_archive, run_child
from crawler.warc import archive_folder, warc_files
from replica.server import ReplicaServer

SIZES = (2000, 8000)
#: The filtered export's --since: rewrites the WARC file with the selected records only.
SINCE = "2015-01-01"


def archive_bytes(db: Path) -> int:
    return db.stat().st_size + sum(p.stat().st_size for p in warc_files(archive_folder(db)))


def measure(n: int, folder: Path) -> dict[str, float]:
    db = folder / f"archive-{n}.db"
    with ReplicaServer(n_articles=n) as server:
        crawl = crawl_archive(server.url, db)
    out = folder / f"portal-{n}.wacz"
    run = export(db, out)
    filtered = export(db, folder / f"since-{n}.wacz", "--since", SINCE)
    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        records = conn.execute("SELECT count(*) FROM captures WHERE warc_file IS NOT NULL"
                               ).fetchone()[0]
    with zipfile.ZipFile(out) as wacz, wacz.open("pages/pages.jsonl") as fh:
        pages = sum(1 for line in fh if "url" in json.loads(line))
    size = archive_bytes(db)
    row = {"n": n, "articles": articles, "pages": pages, "records": records,
           "archive_mb": size / 1e6, "wacz_mb": out.stat().st_size / 1e6,
           "crawl_s": crawl.wall, "export_s": run.wall, "export_rss_mb": run.rss_mb,
           "since_s": filtered.wall, "since_rss_mb": filtered.rss_mb}
    out.unlink()
    (folder / f"since-{n}.wacz").unlink()
    return row


def export(db: Path, out: Path, *args: str) -> Run:
    """``portal-archive export --format wacz`` as a measured child; its stderr in a file."""
    err = out.with_suffix(".err")
    cmd = [PYTHON, "-m", "crawler.cli", "export", "--db", str(db), "--format", "wacz",
           "-o", str(out), *args]
    # exec: the shell becomes the export (the same pid, measured), its stderr kept in a file
    run, _ = run_child(["sh", "-c", f'exec "$@" 2>{shlex.quote(str(err))}', "sh", *cmd])
    assert run.exit_code == 0, (f"{' '.join(cmd[3:])} exited {run.exit_code}: "
                                f"{err.read_text(errors='replace')[-3000:]}")
    return run


def table(rows: list[dict[str, float]]) -> str:
    base = rows[0]
    lines = ["| replica articles | archived | in pages.jsonl | WARC records | archive (MB) | "
             "WACZ (MB) | export (s) | export peak RSS (MB) | archive ratio | "
             "peak RSS ratio | --since export (s) | its peak RSS (MB) |",
             "|" + "---|" * 12]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['articles']:,} | {r['pages']:,} | {r['records']:,} | "
            f"{r['archive_mb']:.1f} | {r['wacz_mb']:.1f} | {r['export_s']:.1f} | "
            f"{r['export_rss_mb']:.0f} | {r['archive_mb'] / base['archive_mb']:.2f} | "
            f"{r['export_rss_mb'] / base['export_rss_mb']:.2f} | {r['since_s']:.1f} | "
            f"{r['since_rss_mb']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wacz", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES),
                        help="replica articles per archive (default: %(default)s)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-wacz-") as tmp:
        for n in sorted(args.sizes):
            rows.append(measure(n, Path(tmp)))
            print(f"{n} articles: crawl {rows[-1]['crawl_s']:.0f} s, export "
                  f"{rows[-1]['export_s']:.1f} s, peak RSS {rows[-1]['export_rss_mb']:.0f} MB",
                  file=sys.stderr, flush=True)
    print(table(rows))
    missing = [r["n"] for r in rows if r["pages"] != r["articles"]]
    if missing:
        print(f"pages.jsonl lacks articles at sizes {missing}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
