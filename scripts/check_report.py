"""Build the demo archive, write its coverage report and render it in headless Chromium.

    .venv/bin/python scripts/check_report.py [--out docs/report.png] [--keep DIR]

Crawls the bundled replica portal on loopback (``crawler.api.demo``) into a temporary archive,
writes ``report.html`` with ``crawler.api.report``, checks that the page is self-contained
(no script, no external asset), takes a 1280x2000 screenshot with Debian's ``chromium``
(``apt-get install chromium``; this script does not install it) and saves it to ``--out``.
Exits 0 when all went well, 1 when a check failed, 2 when Chromium is missing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler import api  # noqa: E402

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                  "--window-size=1280,2000"]
MAX_PNG_BYTES = 500_000


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def self_contained(page: str) -> list[str]:
    """What makes ``page`` depend on something else or run code: a list of problems."""
    problems = []
    if re.search(r"<script\b", page, re.I):
        problems.append("a <script> element")
    for m in re.finditer(r'<(link|img|iframe|object|embed)\b[^>]*>', page, re.I):
        problems.append(f"an external asset: {m.group(0)[:80]}")
    if re.search(r"url\(|@import", page, re.I):
        problems.append("a CSS url() or @import")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "report.png"))
    parser.add_argument("--keep", help="Keep the archive and report.html in this directory.")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        print("check_report: Chromium not found. On Debian or Ubuntu install it with\n"
              "  sudo apt-get update && sudo apt-get install -y chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="check-report-") as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        db = work / "archive.db"
        db.unlink(missing_ok=True)
        summary, overview = api.demo(str(db), settings={"LOG_LEVEL": "WARNING"})
        print(f"demo archive: {summary.describe()}")
        page_path = api.report(db, work / "report.html")
        page = page_path.read_text(encoding="utf-8")
        problems = self_contained(page)
        for what in ("<svg", "months without an article", "Failures by reason", "Last runs"):
            if what not in page:
                problems.append(f"missing from the report: {what}")
        png = work / "report.png"
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={work / 'chromium-profile'}",
                   f"--screenshot={png}", page_path.resolve().as_uri()]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if not png.exists():
            print(f"check_report: Chromium wrote no screenshot (exit {result.returncode}):\n"
                  f"{result.stderr[-2000:]}", file=sys.stderr)
            return 1
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, out)
        size = out.stat().st_size
        if size > MAX_PNG_BYTES:
            problems.append(f"screenshot is {size} bytes, over {MAX_PNG_BYTES}")
        print(f"report: {len(page)} characters, {page.count('<svg')} charts, "
              f"{overview['articles']} articles")
        print(f"screenshot: {out} ({size} bytes)")
    for problem in problems:
        print(f"check_report: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
