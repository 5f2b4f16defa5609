"""Export the archive as a WACZ file (Web Archive Collection Zipped 1.1.1), streaming.

Built on py-wacz's pieces, as ``wacz create`` uses them: its ``WACZIndexer`` (cdxj-indexer)
writes the CDXJ index (``indexes/index.cdx.gz`` in gzip blocks of 1,024 lines and their
``indexes/index.idx``), sorting in a buffer of bounded size that spills to temporary files;
``serialize_json_pages`` and ``write_page_list`` write ``pages/pages.jsonl``;
``generate_datapackage`` and ``generate_datapackage_digest`` write ``datapackage.json``
(every file's sha256 and size, read back from the zip) and ``datapackage-digest.json``.
``wacz create`` itself is not used: it reads the page list into memory and has no filters.

What goes in:

- ``archive/``: the WARC files, stored (not deflated). Without ``since``/``until``/``site``
  the archive's own files, copied as they are; with them, each file rewritten with only the
  selected records (its warcinfo record, each selected response or revisit record and the
  request record written with it), as the exact gzip members of the original, so every
  digest still holds. ``--site``: every capture of the site's runs; ``--since``/``--until``:
  the captures of the articles published then (every version) and of their photos and
  attachments. A revisit brings the record holding its payload.
- ``pages/pages.jsonl``: one page per article with a WARC record (``id`` the article's row
  id, ``url`` as the record names it, ``title``, ``ts`` its WARC-Date), from one cursor.
- ``indexes/``, ``datapackage.json``, ``datapackage-digest.json``.

Memory does not grow with the archive: records are copied in 1 MB pieces, pages come from a
cursor, the index is sorted through temporary files past ``SORT_BUFFER`` bytes. The file is
written as ``FILE.part`` (and selected records in a temporary folder beside it), renamed when
complete; nothing is left behind on failure.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

from crawler.search import check_date, open_existing
from crawler.warc import WARC_DIR, archive_folder, warc_files

#: Bytes of CDXJ lines sorted in memory before they spill to a temporary file.
SORT_BUFFER = 4 * 1024 * 1024
#: CDXJ lines per gzip block of ``indexes/index.cdx.gz`` (py-wacz's and archiveweb.page's).
INDEX_BLOCK_LINES = 1024
_CHUNK = 1024 * 1024


@dataclass
class WaczExport:
    """What an export wrote."""

    path: Path
    articles: int  # pages in pages/pages.jsonl
    warc_files: int
    without_record: int  # selected articles left out: their capture has no WARC record

    def describe(self) -> str:
        left = (f"; {self.without_record} article(s) without a WARC record left out"
                if self.without_record else "")
        return (f"exported {self.articles} articles and {self.warc_files} WARC file(s) "
                f"to {self.path}{left}")


def check_output(output: str | Path) -> Path:
    """``output`` as a path a WACZ can be written to; ValueError saying why not."""
    if str(output) == "-":
        raise ValueError("a WACZ is a zip file: give its path with -o FILE")
    path = Path(output)
    folder = path.parent
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a file to write")
    if not folder.is_dir():
        raise ValueError(f"no folder {folder} for {path}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write in {folder}: permission denied")
    if path.exists() and not os.access(path, os.W_OK):
        raise ValueError(f"cannot write {path}: permission denied")
    return path


def export_wacz(db: str | Path, output: str | Path, *, site: str | None = None,
                since: str | None = None, until: str | None = None) -> WaczExport:
    """Write the archive at ``db`` (its articles of ``site``, published between ``since`` and
    ``until`` inclusive, when given) as a WACZ file to ``output``.

    Raises ValueError for bad input (a date, an unknown site, an output that cannot be
    written, nothing to export) before anything is written.

    >>> export_wacz("archive.db", "portal.wacz", since="2021-01-01")  # doctest: +SKIP
    WaczExport(path=PosixPath('portal.wacz'), articles=212, warc_files=1, without_record=0)
    """
    check_date(since, "since")
    check_date(until, "until")
    path = check_output(output)
    filtered = bool(site or since or until)
    with open_existing(db) as archive:
        if site is not None and site not in archive.sites():
            known = ", ".join(archive.sites()) or "none"
            raise ValueError(f"no site {site!r} in {db} (its sites: {known})")
        sources = list(warc_files(archive_folder(db)))
        if not sources:
            raise ValueError(f"{db} has no WARC file to export (in "
                             f"{archive_folder(db) / WARC_DIR})")
        part = path.with_name(path.name + ".part")
        scratch = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            if filtered:
                inputs = _select(archive.replay_records(site=site, since=since, until=until),
                                 archive_folder(db) / WARC_DIR, scratch)
                if not inputs:
                    raise ValueError("no WARC record matches"
                                     + "".join(f" {k} {v}" for k, v in (
                                         ("--site", site), ("--since", since),
                                         ("--until", until)) if v))
            else:
                inputs = sources
            pages = archive.replay_pages(site=site, since=since, until=until)
            count = _write(part, inputs, pages, scratch, _title(db, site, since, until))
            without = archive.count_without_record(site=site, since=since, until=until)
            os.replace(part, path)
        finally:
            part.unlink(missing_ok=True)
            shutil.rmtree(scratch, ignore_errors=True)
    return WaczExport(path=path, articles=count, warc_files=len(inputs),
                      without_record=without)


def _title(db: str | Path, site: str | None, since: str | None, until: str | None) -> str:
    what = [f"site {site}" if site else "", f"published from {since}" if since else "",
            f"until {until}" if until else ""]
    return f"portal-archive {Path(db).name}" + (
        f" ({', '.join(w for w in what if w)})" if any(what) else "")


# --- the selected records, as the gzip members of the archive's own files --------------------
def _member_end(fh: IO[bytes], start: int) -> tuple[int, bytes]:
    """The end of the gzip member starting at ``start`` and its first bytes inflated (the
    WARC headers), read in pieces."""
    fh.seek(start)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    consumed, head = 0, b""
    while not inflater.eof:
        chunk = fh.read(64 * 1024)
        if not chunk:
            raise ValueError(f"{getattr(fh, 'name', 'WARC file')}: the record at {start} is "
                             "cut short")
        out = inflater.decompress(chunk)
        if len(head) < 4096:
            head += out[:4096 - len(head)]
        consumed += len(chunk) - len(inflater.unused_data)
    return start + consumed, head


def _warc_header(head: bytes, name: str) -> str | None:
    block = head.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    for line in block.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def _copy(src: IO[bytes], dst: IO[bytes], start: int, end: int) -> None:
    src.seek(start)
    left = end - start
    while left > 0:
        chunk = src.read(min(_CHUNK, left))
        if not chunk:
            raise ValueError(f"{getattr(src, 'name', 'WARC file')}: cut short at {start}")
        dst.write(chunk)
        left -= len(chunk)


def _select(records: Iterable[tuple[str, int, int, str]], folder: Path,
            scratch: Path) -> list[Path]:
    """Write the ``records`` (file, offset, length, record id; by file and offset) with their
    files' warcinfo record and their request records to files of the same names in
    ``scratch``; returns them."""
    written: list[Path] = []
    current, src, dst = None, None, None
    try:
        for name, offset, length, record_id in records:
            if name != current:
                for fh in (src, dst):
                    if fh is not None:
                        fh.close()
                current = name
                if Path(name).name != name:
                    raise ValueError(f"not a WARC file name of the archive: {name!r}")
                src = open(folder / name, "rb")  # noqa: SIM115 - closed above and below
                dst = open(scratch / name, "xb")  # noqa: SIM115
                written.append(scratch / name)
                end, head = _member_end(src, 0)
                if _warc_header(head, "WARC-Type") == "warcinfo":
                    _copy(src, dst, 0, end)
            assert src is not None and dst is not None
            _copy(src, dst, offset, offset + length)
            try:
                end, head = _member_end(src, offset + length)
            except (ValueError, zlib.error):  # the last record of a file that was cut: no request
                continue
            if (_warc_header(head, "WARC-Type") == "request"
                    and _warc_header(head, "WARC-Concurrent-To") == record_id):
                _copy(src, dst, offset + length, end)
    finally:
        for fh in (src, dst):
            if fh is not None:
                fh.close()
    return written


# --- the zip, with py-wacz's pieces -----------------------------------------------------------
def _pages(rows: Iterator[tuple[int, str, str, str]], counter: list[int]
           ) -> Iterator[dict[str, Any]]:
    for article_id, url, title, ts in rows:
        counter[0] += 1
        yield {"id": str(article_id), "url": url, "title": title, "ts": ts}


def _write(part: Path, inputs: list[Path], pages: Iterator[tuple[int, str, str, str]],
           scratch: Path, title: str) -> int:
    from wacz.util import now
    from wacz.waczindexer import WACZIndexer

    counter = [0]
    with zipfile.ZipFile(part, "x", allowZip64=True) as wacz:
        idx_path = scratch / "index.idx"
        with idx_path.open("w", encoding="utf-8") as idx, \
                wacz.open(zipfile.ZipInfo("indexes/index.cdx.gz", now()), "w",
                          force_zip64=True) as cdx:
            indexer = WACZIndexer(
                idx, [str(p) for p in inputs], sort=True, post_append=True, compress=cdx,
                lines=INDEX_BLOCK_LINES, max_sort_buff_size=SORT_BUFFER, digest_records=True,
                fields="referrer,req.http:cookie", data_out_name="index.cdx.gz",
                hash_type="sha256", main_url="", detect_pages=False, passed_pages_dict={},
                extract_text=False)
            indexer.main_url = None  # py-wacz turns "" into "/", a main page that is not there
            with _quiet():
                indexer.process_all()
        info = zipfile.ZipInfo("indexes/index.idx", now())
        info.compress_type = zipfile.ZIP_DEFLATED
        with idx_path.open("rb") as src, wacz.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, _CHUNK)
        for warc in inputs:
            info = zipfile.ZipInfo.from_file(warc, f"archive/{warc.name}")
            info.compress_type = zipfile.ZIP_STORED
            with warc.open("rb") as src, wacz.open(info, "w", force_zip64=True) as dst:
                shutil.copyfileobj(src, dst, _CHUNK)
        indexer.write_page_list(wacz, "pages/pages.jsonl", indexer.serialize_json_pages(
            _pages(pages, counter), id="pages", title="Articles"))
        with _quiet():
            package = indexer.generate_datapackage(
                SimpleNamespace(title=title, desc=None, date=None), wacz)
        info = zipfile.ZipInfo("datapackage.json", now())
        info.compress_type = zipfile.ZIP_DEFLATED
        wacz.writestr(info, package.encode("utf-8"))
        info = zipfile.ZipInfo("datapackage-digest.json", now())
        info.compress_type = zipfile.ZIP_DEFLATED
        wacz.writestr(info, indexer.generate_datapackage_digest(package.encode("utf-8")))
    return counter[0]


def _quiet() -> contextlib.redirect_stdout:
    """py-wacz prints progress on standard output; the export's output is its own."""
    return contextlib.redirect_stdout(io.StringIO())
