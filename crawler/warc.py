"""WARC output (ISO 28500, WARC/1.1 written with warcio): the capture as it was on the wire.

Every fetch that got an answer becomes a ``response`` record and the ``request`` record that
asked for it, in gzip WARC files (one gzip member a record) that rotate at a size limit, in
``<archive folder>/warc/``. A payload identical to the one archived the last time the URL was
fetched becomes a ``revisit`` record (profile identical-payload-digest) instead of a second
copy. Digests are sha256, so ``WARC-Payload-Digest`` and ``captures.sha256`` name the same
bytes.

Bodies are stored as the crawler used them: Scrapy has already removed any transfer and
content encoding, so those headers are renamed ``X-Archive-Orig-*`` and ``Content-Length`` is
the stored length (the convention of warcio's and pywb's rewriting). Files are never appended
to once closed: each writer opens new files named
``portal-archive-<UTC timestamp>-<serial>-<pid>.warc.gz``.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from crawler import __version__
from crawler.items import FetchResult, WarcRef

WARC_DIR = "warc"
_RENAMED = ("content-encoding", "transfer-encoding", "content-length")


def archive_folder(db_path: str | Path) -> Path:
    """The folder beside an archive database that holds its WARC files and downloaded files:
    ``archive.db`` → ``archive/``."""
    path = Path(db_path)
    return path.with_suffix("") if path.suffix else path.with_name(path.name + ".files")


def warc_digest(sha256_hex: str) -> str:
    """A sha256 hex digest as a WARC digest value (``sha256:`` + base32)."""
    return "sha256:" + base64.b32encode(bytes.fromhex(sha256_hex)).decode("ascii")


class _Sha256Writer(WARCWriter):
    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


@dataclass(frozen=True)
class PriorCapture:
    """The last archived payload of a URL, which a revisit record refers to."""

    capture_id: int
    url: str
    fetched_at: str
    sha256: str
    record_id: str | None = None


def _http_headers(result: FetchResult) -> StatusAndHeaders:
    try:
        phrase = HTTPStatus(result.status).phrase
    except ValueError:
        phrase = "Unknown"
    headers: list[tuple[str, str]] = []
    for name, value in result.headers.items():
        if name.lower() in _RENAMED:
            if name.lower() != "content-length":
                headers.append((f"X-Archive-Orig-{name}", value))
            continue
        headers.append((name, value))
    headers.append(("Content-Length", str(len(result.body))))
    return StatusAndHeaders(f"{result.status} {phrase}", headers, protocol="HTTP/1.1")


def _request_headers(result: FetchResult, url: str) -> StatusAndHeaders:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)]
    headers += [(k, v) for k, v in result.request_headers.items() if k.lower() != "host"]
    if result.request_body:
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(result.request_body))))
    return StatusAndHeaders(f"{result.method} {target} HTTP/1.1", headers,
                            is_http_request=True)


class WarcWriter:
    """Appends request/response (or revisit) record pairs to rotating gzip WARC files."""

    def __init__(self, folder: str | Path, max_bytes: int = 1_000_000_000,
                 prefix: str = "portal-archive", info: dict[str, str] | None = None) -> None:
        self.folder = Path(folder) / WARC_DIR
        self.max_bytes = max_bytes
        self.prefix = prefix
        self.info = info or {}
        self.serial = 0
        self.files: list[str] = []
        self._fh: IO[bytes] | None = None
        self._writer: _Sha256Writer | None = None
        self._name = ""

    def _open(self) -> None:
        self.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        self.serial += 1
        self._name = f"{self.prefix}-{stamp}-{self.serial:05d}-{os.getpid()}.warc.gz"
        self._fh = open(self.folder / self._name, "xb")  # noqa: SIM115 - closed by close()
        self._writer = _Sha256Writer(self._fh, gzip=True, warc_version="1.1")
        info = {"software": f"portal-archive/{__version__} (warcio)",
                "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
                              "warc-format/warc-1.1/", **self.info}
        self._writer.write_record(self._writer.create_warcinfo_record(self._name, info))
        self.files.append(self._name)

    def write(self, result: FetchResult, prior: PriorCapture | None = None) -> WarcRef:
        """Write ``result`` (which must have a status) as a response record, or as a revisit of
        ``prior`` when given, then its request record; returns where the first one is."""
        if self._fh is None or self._fh.tell() >= self.max_bytes:
            self._open()
        assert self._fh is not None and self._writer is not None
        writer = self._writer
        url = result.final_url or result.url
        when = {"WARC-Date": result.fetched_at}
        http = _http_headers(result)
        if prior is not None:
            record = writer.create_revisit_record(
                url, warc_digest(prior.sha256), prior.url, prior.fetched_at, http_headers=http,
                warc_headers_dict=when)
            if prior.record_id:
                record.rec_headers.add_header("WARC-Refers-To", prior.record_id)
        else:
            record = writer.create_warc_record(url, "response", payload=BytesIO(result.body),
                                               length=len(result.body), http_headers=http,
                                               warc_headers_dict=when)
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        offset = self._fh.tell()
        writer.write_record(record)
        length = self._fh.tell() - offset
        body = result.request_body or b""
        request = writer.create_warc_record(
            url, "request", payload=BytesIO(body), length=len(body),
            http_headers=_request_headers(result, url),
            warc_headers_dict={**when, "WARC-Concurrent-To": record_id})
        writer.write_record(request)
        return WarcRef(file=self._name, offset=offset, length=length, record_id=record_id,
                       revisit_of=prior.capture_id if prior is not None else None)

    def flush(self) -> None:
        """Push what was written to the operating system (called before the database commit
        that refers to it)."""
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self.flush()
            self._fh.close()
            self._fh = self._writer = None

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Record:
    """One WARC record read back: its type, WARC headers, HTTP headers and payload."""

    type: str
    headers: dict[str, str]
    http_status: int | None
    http_headers: list[tuple[str, str]]
    payload: bytes

    @property
    def sha256(self) -> str:
        return sha256(self.payload).hexdigest()


def read_record(folder: str | Path, file: str, offset: int, length: int) -> Record:
    """The record at ``offset`` of ``<folder>/warc/<file>``. ``file`` is a bare name, as the
    archive stores it; anything else is refused."""
    if Path(file).name != file or not file.endswith(".warc.gz"):
        raise ValueError(f"not a WARC file name of the archive: {file!r}")
    with open(Path(folder) / WARC_DIR / file, "rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    if len(data) != length:
        raise ArchiveLoadFailed(f"{file}: record at {offset} is cut short")
    record = next(iter(ArchiveIterator(BytesIO(data))))
    http = record.http_headers
    status = int(http.get_statuscode()) if http is not None and record.rec_type in (
        "response", "revisit") else None
    return Record(type=record.rec_type, headers=dict(record.rec_headers.headers),
                  http_status=status, http_headers=list(http.headers) if http else [],
                  payload=record.raw_stream.read())


@dataclass
class FileCheck:
    """What checking one WARC file found."""

    file: str
    records: int = 0
    types: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def check_file(path: str | Path) -> FileCheck:
    """Read every record of a WARC file, verifying block and payload digests (what
    ``warcio check`` does)."""
    path = Path(path)
    out = FileCheck(file=path.name)
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, check_digests=True):
                out.records += 1
                out.types[record.rec_type] = out.types.get(record.rec_type, 0) + 1
                record.content_stream().read()
                checker: Any = record.digest_checker
                if checker.passed is False:
                    target = record.rec_headers.get_header("WARC-Target-URI") or ""
                    out.problems.extend(f"{path.name}: {target}: {p}"
                                        for p in checker.problems)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        out.problems.append(f"{path.name}: unreadable after {out.records} records: {exc}")
    return out


def warc_files(folder: str | Path) -> Iterator[Path]:
    yield from sorted((Path(folder) / WARC_DIR).glob("*.warc.gz"))
