"""Export the archive's articles as JSON Lines or CSV, streaming.

One article per line (per row in CSV) with every column of ``articles`` plus its ``images``,
``attachments`` and ``related`` entries as lists in page order. JSONL has real lists (and
``problems`` as a list); CSV has those four as JSON-encoded columns. Rows come from one
cursor (``Archive.export_rows``), so memory stays constant however large the archive. A file
is written as ``FILE.part`` and renamed when complete.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from crawler.search import check_date, open_existing

FORMATS = ("jsonl", "csv", "wacz")


def export(db: str | Path = "archive.db", fmt: str = "jsonl",
           output: str | Path | TextIO | None = None, *, site: str | None = None,
           since: str | None = None, until: str | None = None) -> int:
    """Write the articles of ``db`` (published between ``since`` and ``until`` inclusive, of
    ``site``, when given) to ``output`` (a path, a text stream; stdout by default) as ``fmt``
    ("jsonl" or "csv"; "wacz", to a path only: the WARC records with their index and pages,
    see :mod:`crawler.wacz`); returns the number of articles written.

    >>> export("archive.db", "jsonl", "articles.jsonl", since="2021-01-01")  # doctest: +SKIP
    212
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}: {fmt!r}")
    if fmt == "wacz":
        from crawler.wacz import export_wacz

        if not isinstance(output, str | Path):
            raise ValueError("a WACZ is a zip file: give its path with -o FILE")
        return export_wacz(db, output, site=site, since=since, until=until).articles
    check_date(since, "since")
    check_date(until, "until")
    with open_existing(db) as archive:
        columns, rows = archive.export_rows(site=site, since=since, until=until)
        json_columns = [i for i, c in enumerate(columns) if c in archive.EXPORT_JSON_COLUMNS]
        if output is None or not isinstance(output, str | Path):
            return _write(output or sys.stdout, fmt, columns, rows, json_columns)
        part = Path(f"{output}.part")
        try:
            with part.open("w", encoding="utf-8", newline="") as stream:
                count = _write(stream, fmt, columns, rows, json_columns)
            os.replace(part, output)
        finally:
            part.unlink(missing_ok=True)
        return count


def _write(stream: TextIO, fmt: str, columns: list[str], rows: Any,
           json_columns: list[int]) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.writer(stream)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
            count += 1
        return count
    for row in rows:
        count += 1
        record = dict(zip(columns, row, strict=True))
        for i in json_columns:
            record[columns[i]] = json.loads(row[i]) if row[i] is not None else None
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    return count
