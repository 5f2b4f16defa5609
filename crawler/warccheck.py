"""``warc-check``: prove that an archive's captures are the bytes its WARC files hold.

Checks every WARC file of the archive folder record by record (block and payload digests, as
``warcio check`` does); every capture's record (it exists at the stored offset, has the
capture's record id, target URI and type, and its payload's sha256 is ``captures.sha256``; a
revisit names the digest of the capture it refers to); every body kept in archive.db against
its sha256; and every downloaded file against its sha256.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path

from warcio.exceptions import ArchiveLoadFailed

from crawler.archivefile import check_archive
from crawler.files import FileStore
from crawler.storage import Archive
from crawler.warc import check_file, read_record, warc_digest, warc_files


@dataclass
class CheckReport:
    warc_files: int = 0
    records: int = 0
    captures: int = 0
    revisits: int = 0
    bodies: int = 0
    files: int = 0
    without_record: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        lines = [
            f"{self.warc_files} WARC files, {self.records} records: digests checked",
            f"{self.captures} captures matched to their records ({self.revisits} revisits)",
            f"{self.bodies} bodies in the database and {self.files} downloaded files "
            f"matched to their sha256",
        ]
        if self.without_record:
            lines.append(f"{self.without_record} captures have no WARC record (written with "
                         f"ARCHIVE_WARC off or before WARC output)")
        lines.append("ok" if self.ok else f"{len(self.problems)} problems:")
        lines.extend(f"  {p}" for p in self.problems[:200])
        return "\n".join(lines)


def _capture_problem(archive: Archive, cap: dict) -> str | None:
    try:
        record = read_record(archive.folder, cap["warc_file"], cap["warc_offset"],
                             cap["warc_length"])
    except (OSError, ValueError, StopIteration, ArchiveLoadFailed) as exc:
        return f"cannot read its record: {type(exc).__name__}: {exc}"
    headers = record.headers
    want_type = "revisit" if cap["revisit_of"] is not None else "response"
    if record.type != want_type:
        return f"record is a {record.type}, not a {want_type}"
    if headers.get("WARC-Record-ID") != cap["warc_record_id"]:
        return f"record id {headers.get('WARC-Record-ID')} is not {cap['warc_record_id']}"
    target = cap["final_url"] or cap["url"]
    if headers.get("WARC-Target-URI") != target:
        return f"record is for {headers.get('WARC-Target-URI')}, not {target}"
    if want_type == "response":
        if record.sha256 != cap["sha256"]:
            return f"payload sha256 {record.sha256} is not the capture's {cap['sha256']}"
    else:
        if headers.get("WARC-Payload-Digest") != warc_digest(cap["sha256"]):
            return "revisit digest is not the capture's sha256"
        if cap["original_sha256"] != cap["sha256"]:
            return f"revisit of capture {cap['revisit_of']}, whose payload differs"
    return None


def warc_check(db: str | Path) -> CheckReport:
    """Verify the WARC files, captures, bodies and files of the archive at ``db``."""
    check_archive(db)
    report = CheckReport()
    with Archive(db, readonly=True) as archive:
        for path in warc_files(archive.folder):
            result = check_file(path)
            report.warc_files += 1
            report.records += result.records
            report.problems.extend(result.problems)
        for cap in archive.capture_records():
            report.captures += 1
            report.revisits += cap["revisit_of"] is not None
            problem = _capture_problem(archive, cap)
            if problem:
                report.problems.append(f"capture {cap['id']} ({cap['url']}): {problem}")
        for cid, digest, body in archive.stored_bodies():
            report.bodies += 1
            if sha256(body).hexdigest() != digest:
                report.problems.append(f"capture {cid}: body in the database does not match "
                                       f"its sha256")
        store = FileStore(archive.folder)
        for url, digest, relative in archive.files_listed():
            report.files += 1
            try:
                data = store.path(relative).read_bytes()
            except (OSError, ValueError) as exc:
                report.problems.append(f"file {relative} ({url}): {exc}")
                continue
            if sha256(data).hexdigest() != digest:
                report.problems.append(f"file {relative} ({url}): content does not match "
                                       f"its sha256")
        report.without_record = archive.captures_without_record()
    return report
