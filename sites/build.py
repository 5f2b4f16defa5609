"""Check the catalogue of portals at risk and write the site list from it.

``sites/catalogue.csv`` is the record (one portal a row, with where its URL was seen);
``sites/vn-provincial-offices.txt`` is written from it, for ``portal-archive enqueue``.

    python sites/build.py            # check the catalogue, rewrite the site list
    python sites/build.py --check    # check both; exit 1 if the site list is stale
    python sites/build.py --stats    # print the counts table used in docs/catalogue.md

Exits 1 on an invalid row or a stale site list, naming the row. Standard library only, so it
runs without the project installed; the test suite also parses the site list with
``crawler.distributed.read_site_list``.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "catalogue.csv"
SITE_LIST = HERE / "vn-provincial-offices.txt"

FIELDS = ("url", "province", "province_after_2025", "kind", "status", "status_source", "family",
          "family_evidence", "source", "quote", "note")
FAMILIES = ("aspnet_office", "sharepoint", "liferay", "php_legacy", "modern_slug", "unknown")
KINDS = ("provincial_office", "provincial_portal", "district_portal")
# The 34 provincial units after 1 July 2025 (vn-portals.md §5); "merged into X" names one.
PROVINCES_2025 = (
    "Hà Nội", "TP Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Huế", "Cần Thơ",
    "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Ninh Bình",
    "Quảng Trị", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Đồng Nai",
    "Tây Ninh", "Đồng Tháp", "Vĩnh Long", "An Giang", "Cà Mau",
    "Cao Bằng", "Lai Châu", "Điện Biên", "Lạng Sơn", "Sơn La", "Quảng Ninh", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh",
)
STATUSES = ("live", "closed", "unknown") + tuple(f"merged into {p}" for p in PROVINCES_2025)
KIND_TITLES = {
    "provincial_office": "Provincial People's Committee offices (Văn phòng UBND tỉnh)",
    "provincial_portal": "Provinces' main portals (Cổng thông tin điện tử tỉnh)",
    "district_portal": "District portals (districts abolished on 1 July 2025)",
}


def load(path: Path = CATALOGUE) -> list[dict[str, str]]:
    """The catalogue's rows, in file order."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise ValueError(f"{path}: expected the columns {', '.join(FIELDS)}")
        return list(reader)


def host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def validate(rows: list[dict[str, str]]) -> list[str]:
    """One message per problem, each naming the row (2 is the first data line of the CSV)."""
    errors = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, 2):
        where = f"catalogue.csv row {number} ({row.get('url', '')})"
        url = row["url"]
        if not url.startswith(("http://", "https://")) or not host(url) or any(
                c in url for c in " #\t"):
            errors.append(f"{where}: not a plain http(s) URL")
        if url in seen:
            errors.append(f"{where}: the same URL as row {seen[url]}")
        seen.setdefault(url, number)
        for field in ("province", "province_after_2025", "source", "quote", "family_evidence"):
            if not row[field].strip():
                errors.append(f"{where}: empty {field}")
        if row["kind"] not in KINDS:
            errors.append(f"{where}: kind {row['kind']!r} is not one of {', '.join(KINDS)}")
        if row["family"] not in FAMILIES:
            errors.append(f"{where}: family {row['family']!r} is not one of {', '.join(FAMILIES)}")
        if row["status"] not in STATUSES:
            errors.append(f"{where}: status {row['status']!r} is not live, closed, unknown "
                          "or 'merged into' one of the 34 provinces")
        if row["status"] != "unknown" and not row["status_source"].startswith("https://"):
            errors.append(f"{where}: status {row['status']!r} needs a status_source address")
        if row["province_after_2025"] not in PROVINCES_2025:
            errors.append(f"{where}: province_after_2025 {row['province_after_2025']!r} is not "
                          "one of the 34 provinces")
        if host(url) and host(url) not in row["quote"].lower().replace("%2f", "/"):
            errors.append(f"{where}: the quote does not contain the host {host(url)}")
    return errors


def render_site_list(rows: list[dict[str, str]]) -> str:
    """The site list: a header, then one section per kind, one ``URL  # comment`` a line."""
    lines = [
        "# Vietnamese provincial portals at risk after the 1 July 2025 reorganisation.",
        "# Written by sites/build.py from sites/catalogue.csv (which says where each URL was",
        "# seen); do not edit by hand. No profile is named: each site is crawled with the",
        "# generic fallback unless a profile matches its host.",
        "#   portal-archive enqueue sites/vn-provincial-offices.txt --redis redis://127.0.0.1:6379/0",
    ]
    for kind in KINDS:
        lines += ["", f"# --- {KIND_TITLES[kind]} ---"]
        for row in rows:
            if row["kind"] == kind:
                comment = f"{row['province']}; {row['status']}; family {row['family']}"
                lines.append(f"{row['url']}  # {comment}")
    return "\n".join(lines) + "\n"


def stats(rows: list[dict[str, str]]) -> dict[str, Counter]:
    """Counts by kind, family and status, and the provinces covered."""
    return {
        "kind": Counter(r["kind"] for r in rows),
        "family": Counter(r["family"] for r in rows),
        "status": Counter("merged into another province" if r["status"].startswith("merged")
                          else r["status"] for r in rows),
        "sourced": Counter(bool(r["source"].strip() and r["quote"].strip()) for r in rows),
    }


def stats_markdown(rows: list[dict[str, str]]) -> str:
    """The counts as the Markdown tables of docs/catalogue.md."""
    counts = stats(rows)
    provinces = {r["province"] for r in rows}
    after = {r["province_after_2025"] for r in rows}
    offices = {r["province"] for r in rows if r["kind"] == "provincial_office"}
    out = ["| What | Count |", "|---|---|",
           f"| Entries | {len(rows)} |",
           f"| Entries with a source and a quote | {counts['sourced'][True]} |"]
    out += [f"| {KIND_TITLES[k]} | {counts['kind'][k]} |" for k in KINDS]
    out += [f"| Provinces before the merger (of 63) with an entry | {len(provinces)} |",
            f"| Provinces after the merger (of 34) with an entry | {len(after)} |",
            f"| Provinces (of 63) with a Văn phòng UBND portal entry | {len(offices)} |",
            "", "| CMS family | Entries |", "|---|---|"]
    out += [f"| `{f}` | {counts['family'][f]} |" for f in FAMILIES]
    out += ["", "| Status | Entries |", "|---|---|"]
    for status in ("live", "merged into another province", "closed", "unknown"):
        out.append(f"| {status} | {counts['status'][status]} |")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    rows = load()
    errors = validate(rows)
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        return 1
    if "--stats" in argv:
        sys.stdout.write(stats_markdown(rows))
        return 0
    text = render_site_list(rows)
    if "--check" in argv:
        if not SITE_LIST.exists() or SITE_LIST.read_text(encoding="utf-8") != text:
            print(f"{SITE_LIST.name} differs from the catalogue: run python sites/build.py",
                  file=sys.stderr)
            return 1
        print(f"{len(rows)} entries; {SITE_LIST.name} agrees with the catalogue")
        return 0
    SITE_LIST.write_text(text, encoding="utf-8")
    print(f"{len(rows)} entries written to {SITE_LIST.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
