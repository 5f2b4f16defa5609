"""Accuracy of the generic fallback layout on every replica CMS family.

For each family the replica is served on loopback and crawled from its home page with no site
profile (``--site generic``); every archived row is matched to the replica model's article
(same title, else the most similar body), and each field is compared with the model's value.
Prints a Markdown table (per family, per field: share of the model's public articles whose
archived field is right; a missing article counts as wrong) for the README.

    .venv/bin/python -m scripts.fallback_accuracy [--families aspnet sharepoint ...]
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from replica.families import FAMILIES
from replica.server import ReplicaServer

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "ARCHIVE_PROGRESS=off"]
FIELDS = ("found", "title", "published", "author", "category", "body", "related")


def words(text: str | None) -> set[str]:
    return set((text or "").lower().split())


def similarity(a: str | None, b: str | None) -> float:
    wa, wb = words(a), words(b)
    return len(wa & wb) / max(len(wa | wb), 1)


def measure(family: str) -> dict[str, float | int]:
    with ReplicaServer(today=date(2026, 11, 26), family=family) as server, \
            tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "generic.db"
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", server.url + "/",
                        "--db", str(db), "--site", "generic", *FAST], cwd=ROOT,
                       capture_output=True, text=True, timeout=900)
        seconds = time.monotonic() - started
        conn = sqlite3.connect(db)
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT a.*, (SELECT count(*) FROM related r WHERE "
                            "r.article_id = a.id) AS n_related FROM articles a").fetchall()
        portal = server.portal
        names = {c.slug: c.name for c in portal.categories}
        by_title = {r["title"]: r for r in rows}
        correct = dict.fromkeys(FIELDS, 0)
        expected = portal.public_articles()
        for art in expected:
            row = by_title.get(art.title)
            if row is None and rows:
                best = max(rows, key=lambda r: similarity(r["body"], art.body))
                row = best if similarity(best["body"], art.body) >= 0.8 else None
            if row is None:
                continue
            related = [i for i in art.related_ids if i in portal.articles or
                       i == portal.dead_link_id]
            checks = {
                "found": True,
                "title": row["title"] == art.title,
                "published": (row["published"] or "")[:10] == art.published_iso[:10],
                "author": row["author"] == art.author,
                "category": row["category"] == names[art.category_slug],
                "body": " ".join((row["body"] or "").split()) == " ".join(art.body.split()),
                "related": row["n_related"] == len(related),
            }
            for name, ok in checks.items():
                correct[name] += bool(ok)
        n = len(expected)
        out: dict[str, float | int] = {name: correct[name] / n for name in FIELDS}
        out.update(expected=n, rows=len(rows), requests=len(server.log),
                   seconds=round(seconds, 1))
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="*", default=list(FAMILIES))
    args = parser.parse_args()
    header = ("| family | articles | rows | " + " | ".join(FIELDS)
              + " | requests | seconds |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for family in args.families:
        r = measure(family)
        cells = " | ".join(f"{r[f]:.0%}" for f in FIELDS)
        print(f"| {family} | {r['expected']} | {r['rows']} | {cells} | {r['requests']} | "
              f"{r['seconds']} |", flush=True)


if __name__ == "__main__":
    main()
