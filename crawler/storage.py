"""The archive: the one module that speaks SQL.

``Archive`` opens (and migrates) archive.db in WAL mode and offers what the pipeline, the spider
and the CLI need: write a batch of fetch results in one transaction, tell which articles are
already archived, list runs and failures. Every statement is parameterised. Closed, it leaves
the file in rollback-journal mode; ``Archive(path, readonly=True)`` reads it without writing
(read-only media, read-only folders: see :func:`connect_readonly`).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlite_utils import Database

from crawler.archivefile import ArchiveUnusable, check_archive, held, hold, let_go, read_header
from crawler.files import FileStore
from crawler.items import AliasSeen, Article, FetchResult, FrontierEntry
from crawler.migrations import FTS_COLUMNS, FTS_RANK, FTS_TABLE, fts_text, migrations
from crawler.warc import WARC_DIR, PriorCapture, archive_folder, read_record


def utcnow() -> str:
    """Now, as an ISO 8601 UTC timestamp with seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class WriteReport:
    """What one batch did to the archive."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0
    captures: int = 0
    bytes: int = 0
    files: int = 0
    revisits: int = 0
    new_keys: list[str] = field(default_factory=list)
    unresolved_aliases: list[AliasSeen] = field(default_factory=list)

    def add(self, other: WriteReport) -> None:
        for name in ("new", "changed", "unchanged", "duplicates", "failed", "captures", "bytes",
                     "files", "revisits"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A connection that reads the database at ``path`` and writes nothing, there or beside it.

    An archive at rest is in rollback-journal mode (a writing :class:`Archive` leaves it so
    when it closes), which SQLite reads with ``mode=ro`` from read-only media and folders. A
    database in WAL mode (a run is writing it, or died, or an older portal-archive wrote it)
    needs a -shm file: SQLite creates it when the folder can be written, and reads the -wal
    and -shm files a dead run left. In a folder that cannot be written, with no -shm, SQLite
    refuses; then, if there is no -wal file (or an empty one) either, every commit is in the
    file and no run can be writing it, so it is opened ``immutable=1`` (no locks, no -shm).
    With a -wal file and no -shm there it cannot be read: :class:`ArchiveUnusable` says so.
    """
    path = Path(path).resolve()
    uri = f"file:{quote(str(path))}?mode=ro"
    try:
        return _first_read(sqlite3.connect(uri, uri=True))
    except sqlite3.OperationalError as exc:
        if (getattr(exc, "sqlite_errorname", "") not in ("SQLITE_READONLY_DIRECTORY",
                                                          "SQLITE_CANTOPEN")
                or not in_wal_mode(path)):
            raise
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size:
            raise ArchiveUnusable(
                f"cannot read {path}: it is in WAL mode with a -wal file (a run is writing it, "
                f"or died) but no -shm file, in a folder this user cannot write; copy the "
                f"archive with its -wal file to a writable folder, or run 'portal-archive "
                f"migrate' on it where it can be written") from None
    return _first_read(sqlite3.connect(uri + "&immutable=1", uri=True))


def _first_read(conn: sqlite3.Connection) -> sqlite3.Connection:
    """``conn``, once it has read the schema (SQLite opens the file, and the WAL, lazily)."""
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def in_wal_mode(path: str | Path) -> bool:
    """Whether the database file's header says WAL mode (read and write versions 2); SQLite
    says it when this process holds a connection to the file (its header is not read then)."""
    if held(path):
        conn = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True)
        try:
            return conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        finally:
            conn.close()
    return read_header(path)[18:20] == b"\x02\x02"


class Archive:
    """An archive.db file: opened, migrated, WAL mode while open (rollback-journal mode once
    closed: :meth:`_leave_wal`), foreign keys on. ``keep_bodies``: keep each capture's body in
    the database as well as in the WARC files (a portable single file); when off, bodies are
    read back from the WARC records. ``readonly``: open it for reading
    only (:func:`connect_readonly`), with no migration: an archive whose schema is older than
    this version's is refused (:class:`ArchiveUnusable`) rather than changed."""

    def __init__(self, path: str | Path = "archive.db", *, min_body_ratio: float = 0.5,
                 keep_bodies: bool = True, readonly: bool = False) -> None:
        self.path = str(path)
        self.folder = archive_folder(self.path)
        self.min_body_ratio = min_body_ratio
        self.keep_bodies = keep_bodies
        self.readonly = readonly
        self._closed = False
        if readonly:
            check_archive(self.path)
            self.db = Database(connect_readonly(self.path))
            hold(self.path)
            pending = [m.name for m in migrations.pending(self.db)]
            if pending:
                self.close()
                raise ArchiveUnusable(
                    f"{self.path} was written by an older portal-archive (its schema lacks "
                    f"{len(pending)} migration(s), from {pending[0]}); a command that only "
                    f"reads does not change it: run 'portal-archive migrate --db {self.path}' "
                    f"where it can be written")
            return
        check_archive(self.path, create=True)  # never open (and migrate) a stranger's database
        self.db = Database(self.path)
        hold(self.path)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA busy_timeout = 10000")
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous = NORMAL")
        migrations.apply(self.db)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if not self.readonly and not self.db.conn.in_transaction:
                self._leave_wal()
            self.db.close()
        finally:
            let_go(self.path)

    def _leave_wal(self) -> None:
        """Checkpoint the WAL into the file and return to rollback-journal mode, so that the
        archive at rest is a single file that read-only media, read-only folders and other
        tools read. Only the last connection can: while another is open (the run's other
        thread, a worker writing a shard being merged, a reader) SQLite answers "locked" at
        once, and the one that closes last does it. The price: at rest, readers and a writer
        do not overlap, so a run that starts while a read is under way (a long export) waits
        for it, up to the busy timeout, before it can switch to WAL."""
        try:
            self.db.execute("PRAGMA busy_timeout = 0")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.OperationalError:
            pass

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- runs ---------------------------------------------------------------------------------
    def begin_crawl(self, site: str, start_urls: list[str], pid: int | None = None) -> int:
        """Open a run's row. The caller holds the archive's lock, so any other run still
        marked "running" died without closing its row: it is marked "interrupted"."""
        with self.db.conn:
            self.db.execute(
                "UPDATE crawls SET status = 'interrupted' WHERE status = 'running'")
            cur = self.db.execute(
                "INSERT INTO crawls (site, started, status, start_urls, stats, pid) "
                "VALUES (?, ?, 'running', ?, '{}', ?)",
                [site, utcnow(), json.dumps(start_urls), pid],
            )
        return int(cur.lastrowid)

    def finish_crawl(self, crawl_id: int, status: str, stats: dict[str, Any]) -> None:
        with self.db.conn:
            self.db.execute(
                "UPDATE crawls SET finished = ?, status = ?, stats = ? WHERE id = ?",
                [utcnow(), status, json.dumps(stats, ensure_ascii=False, sort_keys=True,
                                              default=str), crawl_id],
            )

    def crawls(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT id, site, started, finished, status, stats FROM crawls "
            "ORDER BY id DESC LIMIT ?", [limit]
        ).fetchall()
        return [
            {"id": r[0], "site": r[1], "started": r[2], "finished": r[3], "status": r[4],
             "stats": json.loads(r[5] or "{}")}
            for r in rows
        ]

    # --- reading for the crawler --------------------------------------------------------------
    def known_articles(self, site: str) -> Iterator[tuple[str, str | None]]:
        """(key, title) of every article archived for ``site``, streamed."""
        yield from self.db.execute("SELECT key, title FROM articles WHERE site = ?", [site])

    def pending_frontier(self, site: str) -> list[FrontierEntry]:
        """URLs scheduled by earlier runs of ``site`` that never got fetched (a run died)."""
        return [FrontierEntry(url=r[0], kind=r[1], key=r[2]) for r in self.db.execute(
            "SELECT url, kind, key FROM frontier WHERE site = ? AND done = 0 ORDER BY rowid",
            [site]).fetchall()]

    def add_frontier(self, site: str, entries: Iterable[FrontierEntry],
                     crawl_id: int | None = None) -> None:
        with self.db.conn:
            self._add_frontier(site, entries, crawl_id)

    def _add_frontier(self, site: str, entries: Iterable[FrontierEntry],
                      crawl_id: int | None) -> None:
        now = utcnow()
        self.db.conn.executemany(
            "INSERT INTO frontier (site, url, kind, key, crawl_id, added, done) "
            "VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT(site, url) DO NOTHING",
            [(site, e.url, e.kind, e.key, crawl_id, now) for e in entries])

    def clear_frontier(self, site: str) -> None:
        """Forget the frontier of ``site``: called when a run has finished its queue."""
        with self.db.conn:
            self.db.execute("DELETE FROM frontier WHERE site = ?", [site])

    def cut_templates(self, site: str, days: int = 30) -> list[str]:
        """URL templates of ``site`` that a run in the last ``days`` days cut without a page of
        them bringing a new article."""
        since = (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")
        return [r[0] for r in self.db.execute(
            "SELECT template FROM cut_templates WHERE site = ? AND cut_at >= ?",
            [site, since]).fetchall()]

    def remember_cut_templates(self, site: str, crawl_id: int | None,
                               cut: Iterable[dict[str, Any]]) -> None:
        """Remember dead templates (``template``, ``reason``, ``fetched``, ``unfetched``)."""
        now = utcnow()
        with self.db.conn:
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO cut_templates "
                "(site, template, reason, fetched, unfetched, cut_at, crawl_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(site, c["template"], c["reason"], c["fetched"], c["unfetched"], now,
                  crawl_id) for c in cut])

    def refresh_candidates(self, site: str, since: str | None = None
                           ) -> list[tuple[str, str, str | None, str | None]]:
        """(key, url, ETag, Last-Modified) of archived articles of ``site`` to check again,
        those published on or after ``since`` (ISO date) when given; validators come from the
        capture the article's fields were taken from."""
        rows = self.db.execute(
            "SELECT a.key, a.url, c.headers FROM articles a LEFT JOIN captures c "
            "ON c.id = a.capture_id WHERE a.site = ? AND (? IS NULL OR a.published >= ?) "
            "ORDER BY a.published DESC", [site, since, since]).fetchall()
        out = []
        for key, url, headers in rows:
            h = {k.lower(): v for k, v in json.loads(headers or "{}").items()}
            out.append((key, url, h.get("etag"), h.get("last-modified")))
        return out

    def failures_to_retry(self, site: str, max_attempts: int) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT url FROM failures WHERE site = ? AND attempts < ? ORDER BY id",
            [site, max_attempts]).fetchall()]

    def capture_body(self, capture_id: int) -> bytes:
        """A capture's payload: from the database when kept there, else from its revisit's
        original, else from its WARC record."""
        row = self.db.execute(
            "SELECT body, compression, revisit_of, warc_file, warc_offset, warc_length "
            "FROM captures WHERE id = ?", [capture_id]).fetchone()
        if row is None:
            raise KeyError(capture_id)
        body, compression, revisit_of, warc_file, offset, length = row
        if body is not None:
            return zlib.decompress(body) if compression == "zlib" else body
        if revisit_of is not None:
            return self.capture_body(revisit_of)
        if warc_file is not None:
            return read_record(self.folder, warc_file, offset, length).payload
        return b""

    def prior_payloads(self, requests: Iterable[tuple[str, str, bytes | None]]
                       ) -> dict[tuple[str, str, bytes | None], PriorCapture]:
        """(url, method, request body) -> the capture holding the last archived 200 payload
        for that same request (an original, never a revisit), for revisit records. A POST
        pager's answer is only compared with the answer to the same form."""
        wanted = set(requests)
        urls = list(dict.fromkeys(url for url, _, _ in wanted))
        out: dict[tuple[str, str, bytes | None], PriorCapture] = {}
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            rows = self.db.execute(
                "SELECT c.url, c.method, c.request_body, coalesce(o.id, c.id), "
                "coalesce(o.final_url, o.url, c.final_url, c.url), "
                "coalesce(o.fetched_at, c.fetched_at), c.sha256, "
                "coalesce(o.warc_record_id, c.warc_record_id) "
                "FROM captures c LEFT JOIN captures o ON o.id = c.revisit_of "
                f"WHERE c.url IN ({', '.join('?' * len(chunk))}) AND c.status = 200 "
                "AND c.warc_file IS NOT NULL ORDER BY c.id", chunk).fetchall()
            for url, method, body, cid, target, when, digest, record_id in rows:
                key = (url, method, body)
                if key in wanted:
                    out[key] = PriorCapture(cid, target, when, digest, record_id)
        return out

    def media_urls(self, urls: Iterable[str]) -> set[str]:
        """Those of ``urls`` that are photos or attachments of archived articles."""
        urls = list(urls)
        out: set[str] = set()
        for i in range(0, len(urls), 400):
            chunk = urls[i:i + 400]
            marks = ", ".join("?" * len(chunk))
            out.update(r[0] for r in self.db.execute(
                f"SELECT url FROM images WHERE url IN ({marks}) UNION "
                f"SELECT url FROM attachments WHERE url IN ({marks})", chunk + chunk))
        return out

    def known_files(self, site: str) -> Iterator[str]:
        """URLs of the photos and attachments of ``site`` already downloaded (streamed)."""
        return (r[0] for r in self.db.execute("SELECT url FROM files WHERE site = ?", [site]))

    def counts(self) -> dict[str, int]:
        return {t: self.db[t].count for t in self.db.table_names()
                if not t.startswith("_")}

    def summary(self, site: str | None = None) -> dict[str, Any]:
        where, args = ("WHERE site = ?", [site]) if site else ("", [])
        total, first, last = self.db.execute(
            f"SELECT count(*), min(substr(published, 1, 10)), max(substr(published, 1, 10)) "
            f"FROM articles {where}", args).fetchone()
        cats = self.db.execute(
            f"SELECT category, count(*) FROM articles {where} GROUP BY category "
            f"ORDER BY count(*) DESC", args).fetchall()
        failures = self.db.execute(
            f"SELECT reason, count(*) FROM failures {where} GROUP BY reason", args).fetchall()
        files, size = self.db.execute(
            f"SELECT count(DISTINCT sha256), coalesce(sum(size), 0) FROM files {where}",
            args).fetchone()
        warc = self.db.execute(
            "SELECT count(DISTINCT warc_file), count(warc_file), count(revisit_of) "
            "FROM captures").fetchone()
        return {"articles": total, "first": first, "last": last,
                "categories": dict(cats), "failures": dict(failures), "files": files,
                "files_bytes": size, "warc_files": warc[0], "warc_records": warc[1],
                "revisits": warc[2], "folder": str(self.folder)}

    #: Fields whose fill rate is watched for breakage, and the body's length.
    WATCHED_FIELDS = ("category", "published", "author", "source", "body")

    def fill_rates(self, site: str, crawl_id: int) -> dict[str, dict[str, Any]]:
        """Per watched field: how often it is filled in the articles this crawl wrote (new or
        changed content) and in the site's other articles, plus mean body lengths and up to
        three sample URLs of this crawl's articles that lack the field."""
        written = ("SELECT DISTINCT v.article_id FROM article_versions v "
                   "JOIN captures c ON c.id = v.capture_id WHERE c.crawl_id = ?")
        out: dict[str, dict[str, Any]] = {}
        for part, clause in (("now", f"id IN ({written})"), ("before", f"id NOT IN ({written})")):
            filled = ", ".join(
                f"sum(CASE WHEN coalesce({f}, '') != '' THEN 1 ELSE 0 END)"
                for f in self.WATCHED_FIELDS)
            row = self.db.execute(
                f"SELECT count(*), {filled}, avg(length(body)) FROM articles "
                f"WHERE site = ? AND {clause}", [site, crawl_id]).fetchone()
            total = row[0] or 0
            for i, field_name in enumerate(self.WATCHED_FIELDS):
                entry = out.setdefault(field_name, {})
                entry[f"{part}_n"] = total
                entry[part] = (row[1 + i] or 0) / total if total else None
            out.setdefault("body_length", {})[part] = row[-1] or 0.0
            out["body_length"][f"{part}_n"] = total
        for field_name in self.WATCHED_FIELDS:
            out[field_name]["samples"] = [r[0] for r in self.db.execute(
                f"SELECT url FROM articles WHERE site = ? AND id IN ({written}) "
                f"AND coalesce({field_name}, '') = '' ORDER BY id LIMIT 3", [site, crawl_id])]
        out["body_length"]["samples"] = [r[0] for r in self.db.execute(
            f"SELECT url FROM articles WHERE site = ? AND id IN ({written}) "
            f"ORDER BY length(body) LIMIT 3", [site, crawl_id])]
        return out

    # --- writing ------------------------------------------------------------------------------
    def write(self, results: Iterable[FetchResult], aliases: Iterable[AliasSeen] = (),
              crawl_id: int | None = None) -> WriteReport:
        """Store fetch results (captures first, then articles or failures) and aliases, in one
        transaction. Aliases whose article is not archived yet come back unresolved."""
        report = WriteReport()
        with self.db.conn:
            for result in results:
                self._write_one(result, crawl_id, report)
            for alias in aliases:
                row = self.db.execute(
                    "SELECT id, url FROM articles WHERE site = ? AND key = ?",
                    [alias.site, alias.key]).fetchone()
                if row is None:
                    report.unresolved_aliases.append(alias)
                elif row[1] != alias.url:
                    self._alias(alias.url, row[0])
        return report

    def _write_one(self, result: FetchResult, crawl_id: int | None, report: WriteReport) -> None:
        capture_id = self._capture(result, crawl_id)
        report.captures += 1
        report.bytes += len(result.body)
        if result.warc is not None and result.warc.revisit_of is not None:
            report.revisits += 1
        if result.discovered:
            self._add_frontier(result.site, result.discovered, crawl_id)
        if result.method == "GET":
            self.db.execute("UPDATE frontier SET done = 1 WHERE site = ? AND url = ?",
                            [result.site, result.url])
        if result.kind == "file" and result.error is None and result.file_path:
            self._file(result, capture_id)
            report.files += 1
            return
        self._store_article(result, capture_id, crawl_id, report)

    def _store_article(self, result: FetchResult, capture_id: int, crawl_id: int | None,
                       report: WriteReport) -> None:
        """The article (or the failure) a capture gave: new, a new version, a duplicate."""
        art = result.article
        if result.status == 304 and result.key:
            cur = self.db.execute(
                "UPDATE articles SET last_seen = ? WHERE site = ? AND key = ?",
                [result.fetched_at, result.site, result.key])
            report.unchanged += cur.rowcount
            return
        if art is None:
            if result.error:
                self._failure(result, crawl_id)
                report.failed += 1
            return
        now = result.fetched_at
        digest = art.content_hash
        row = self.db.execute(
            "SELECT id, content_hash FROM articles WHERE site = ? AND key = ?",
            [art.site, art.key]).fetchone()
        if row is None:
            dup = self.db.execute(
                "SELECT id FROM articles WHERE site = ? AND content_hash = ?",
                [art.site, digest]).fetchone()
            if dup is not None:
                self._alias(art.url, dup[0])
                report.duplicates += 1
                article_id = dup[0]
            else:
                article_id = self._insert_article(art, digest, now, capture_id)
                self._version(article_id, art, digest, now, capture_id)
                report.new += 1
                report.new_keys.append(art.key)
        else:
            article_id, old_hash = row
            shrunk = self._shrunk(article_id, art)
            if shrunk:
                self._failure(FetchResult(url=result.url, fetched_at=now, status=result.status,
                                          error=shrunk, site=result.site), crawl_id)
                report.failed += 1
                return
            if old_hash == digest:
                self.db.execute(
                    "UPDATE articles SET last_seen = max(coalesce(last_seen, ''), ?), "
                    "capture_id = ? WHERE id = ?", [now, capture_id, article_id])
                self._point_at_record(article_id, capture_id)
                report.unchanged += 1
            else:
                self._update_article(article_id, art, digest, now, capture_id)
                self._version(article_id, art, digest, now, capture_id)
                report.changed += 1
            self._replace_children(article_id, art, related_only=old_hash == digest)
        if result.url != art.url:
            self._alias(result.url, article_id)
        self.db.execute("DELETE FROM failures WHERE url IN (?, ?)", [result.url, art.url])

    # --- fidelity checks (crawler/warccheck.py) ------------------------------------------------
    def capture_records(self) -> Iterator[dict[str, Any]]:
        """Every capture with a WARC record: id, url, final_url, sha256, warc_file,
        warc_offset, warc_length, warc_record_id, revisit_of, and the sha256 of the capture a
        revisit refers to (``original_sha256``)."""
        cur = self.db.execute(
            "SELECT c.id, c.url, c.final_url, c.sha256, c.warc_file, c.warc_offset, "
            "c.warc_length, c.warc_record_id, c.revisit_of, o.sha256 AS original_sha256 "
            "FROM captures c LEFT JOIN captures o ON o.id = c.revisit_of "
            "WHERE c.warc_file IS NOT NULL ORDER BY c.warc_file, c.warc_offset")
        cols = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(cols, row, strict=True))

    def stored_bodies(self) -> Iterator[tuple[int, str, bytes]]:
        """(capture id, sha256, body) of the captures whose body is kept in the database."""
        for cid, digest, body, compression in self.db.execute(
                "SELECT id, sha256, body, compression FROM captures WHERE body IS NOT NULL"):
            yield cid, digest, zlib.decompress(body) if compression == "zlib" else body

    def files_listed(self) -> list[tuple[str, str, str]]:
        """(url, sha256, path) of every downloaded file."""
        return [tuple(r) for r in self.db.execute("SELECT url, sha256, path FROM files")]

    def captures_without_record(self) -> int:
        return self.db.execute("SELECT count(*) FROM captures WHERE status IS NOT NULL "
                               "AND warc_file IS NULL").fetchone()[0]

    # --- re-extraction (crawler/reextract.py) -------------------------------------------------
    def html_captures(self, site: str | None = None, since: str | None = None
                      ) -> Iterator[dict[str, Any]]:
        """The HTML captures answered 200, oldest first: id, site, url, final_url, fetched_at,
        headers (JSON)."""
        cur = self.db.execute(
            "SELECT c.id, r.site, c.url, c.final_url, c.fetched_at, c.headers "
            "FROM captures c JOIN crawls r ON r.id = c.crawl_id "
            "WHERE c.status = 200 AND (c.content_type IS NULL "
            "OR c.content_type LIKE 'text/html%' OR c.content_type LIKE 'application/xhtml%') "
            "AND (:site IS NULL OR r.site = :site) AND (:since IS NULL OR c.fetched_at >= :since) "
            "ORDER BY c.fetched_at, c.id", {"site": site, "since": since})
        cols = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(cols, row, strict=True))

    def write_reextracted(self, items: Iterable[tuple[int, FetchResult]]) -> WriteReport:
        """Store articles re-extracted from stored captures, in one transaction: a capture that
        made a version re-derives it (and the article when it is the latest); any other goes
        through the rules of a fetch unless the archive holds a newer version already."""
        report = WriteReport()
        with self.db.conn:
            for capture_id, result in items:
                art = result.article
                assert art is not None
                digest = art.content_hash
                version = self.db.execute(
                    "SELECT v.id, v.article_id, v.content_hash, v.version = (SELECT max(version) "
                    "FROM article_versions WHERE article_id = v.article_id) "
                    "FROM article_versions v WHERE v.capture_id = ?", [capture_id]).fetchone()
                if version is not None:
                    version_id, article_id, old_hash, latest = version
                    if old_hash == digest:
                        report.unchanged += 1
                    else:
                        self.db.execute(
                            "UPDATE article_versions SET title = ?, body = ?, content_hash = ? "
                            "WHERE id = ?", [art.title, art.body, digest, version_id])
                        report.changed += 1
                    if latest:
                        last_seen = self.db.execute(
                            "SELECT last_seen FROM articles WHERE id = ?",
                            [article_id]).fetchone()[0]
                        self._update_article(article_id, art, digest, last_seen, capture_id)
                        self._replace_children(article_id, art, related_only=False)
                    continue
                newest = self.db.execute(
                    "SELECT max(v.captured_at) FROM article_versions v JOIN articles a "
                    "ON a.id = v.article_id WHERE a.site = ? AND a.key = ?",
                    [art.site, art.key]).fetchone()[0]
                if newest is not None and newest >= result.fetched_at:
                    report.unchanged += 1
                    continue
                self._store_article(result, capture_id, None, report)
        return report

    def _shrunk(self, article_id: int, art: Article) -> str | None:
        """Why a new extraction must not replace the archived article, if it must not: the
        page lost most of the body (an error page with the old title, a new layout)."""
        old_len = self.db.execute("SELECT length(body) FROM articles WHERE id = ?",
                                  [article_id]).fetchone()[0] or 0
        if old_len >= 200 and len(art.body) < old_len * self.min_body_ratio:
            return (f"body shrank from {old_len} to {len(art.body)} characters; "
                    f"the archived version is kept")
        return None

    def _capture(self, result: FetchResult, crawl_id: int | None) -> int:
        headers = {k: v for k, v in result.headers.items()}
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        warc = result.warc
        revisit_of = warc.revisit_of if warc is not None else None
        keep = self.keep_bodies or warc is None
        body = zlib.compress(result.body, 6) if keep and revisit_of is None else None
        cur = self.db.execute(
            "INSERT INTO captures (crawl_id, url, final_url, fetched_at, status, headers, "
            "content_type, size, sha256, body, compression, method, request_body, warc_file, "
            "warc_offset, warc_length, warc_record_id, revisit_of) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [crawl_id, result.url, result.final_url or result.url, result.fetched_at,
             result.status, json.dumps(headers, ensure_ascii=False), content_type,
             len(result.body), result.sha256 or sha256(result.body).hexdigest(), body,
             "zlib" if body is not None else None, result.method, result.request_body,
             warc.file if warc else None, warc.offset if warc else None,
             warc.length if warc else None, warc.record_id if warc else None, revisit_of],
        )
        return int(cur.lastrowid)

    def _file(self, result: FetchResult, capture_id: int) -> None:
        """A downloaded photo or attachment: listed once by URL, linked from every image and
        attachment row with that URL."""
        mime = next((v for k, v in result.headers.items() if k.lower() == "content-type"), "")
        row = self.db.execute(
            "INSERT INTO files (url, site, sha256, size, mime, path, first_seen, capture_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
            "sha256 = excluded.sha256, size = excluded.size, mime = excluded.mime, "
            "path = excluded.path, capture_id = excluded.capture_id RETURNING id",
            [result.url, result.site, result.sha256 or sha256(result.body).hexdigest(),
             len(result.body), mime.split(";")[0].strip(), result.file_path,
             result.fetched_at, capture_id]).fetchone()
        for table in ("images", "attachments"):
            self.db.execute(f"UPDATE {table} SET file_id = ? WHERE url = ?", [row[0], result.url])
        self.db.execute("DELETE FROM failures WHERE url = ?", [result.url])

    def _failure(self, result: FetchResult, crawl_id: int | None) -> None:
        self.db.execute(
            "INSERT INTO failures (url, site, crawl_id, reason, status, attempts, first_failed, "
            "last_attempt) VALUES (?, ?, ?, ?, ?, 1, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET attempts = attempts + 1, reason = excluded.reason, "
            "status = excluded.status, crawl_id = excluded.crawl_id, "
            "last_attempt = excluded.last_attempt",
            [result.url, result.site, crawl_id, result.error, result.status, result.fetched_at,
             result.fetched_at],
        )

    def _alias(self, url: str, article_id: int) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO aliases (url, article_id, first_seen) VALUES (?, ?, ?)",
            [url, article_id, utcnow()])

    _ARTICLE_COLUMNS = ("url", "category", "title", "published", "published_text", "author",
                        "source", "summary", "body", "body_html")

    def _insert_article(self, art: Article, digest: str, now: str, capture_id: int) -> int:
        cols = ("site", "key", *self._ARTICLE_COLUMNS, "content_hash", "first_seen",
                "last_seen", "capture_id", "problems")
        values = [art.site, art.key, *[getattr(art, c) for c in self._ARTICLE_COLUMNS], digest,
                  now, now, capture_id, json.dumps(art.problems, ensure_ascii=False)]
        cur = self.db.execute(
            f"INSERT INTO articles ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            values)
        article_id = int(cur.lastrowid)
        self._point_at_record(article_id, capture_id)
        self._replace_children(article_id, art, related_only=False)
        return article_id

    def _update_article(self, article_id: int, art: Article, digest: str, now: str,
                        capture_id: int) -> None:
        cols = [c for c in self._ARTICLE_COLUMNS if c != "url"]
        sets = ", ".join(f"{c} = ?" for c in cols)
        self.db.execute(
            f"UPDATE articles SET {sets}, content_hash = ?, last_seen = ?, capture_id = ?, "
            f"problems = ? WHERE id = ?",
            [*[getattr(art, c) for c in cols], digest, now, capture_id,
             json.dumps(art.problems, ensure_ascii=False), article_id])
        self._point_at_record(article_id, capture_id)

    def _point_at_record(self, article_id: int, capture_id: int | None) -> None:
        """The article's replay columns: the WARC file, record id and WARC-Date of the capture
        its fields came from (null when that capture has no WARC record)."""
        self.db.execute(
            "UPDATE articles SET (warc_file, warc_record_id, warc_date) = "
            "(SELECT warc_file, warc_record_id, fetched_at FROM captures "
            "WHERE id = :capture AND warc_file IS NOT NULL) WHERE id = :article",
            {"capture": capture_id, "article": article_id})

    def _version(self, article_id: int, art: Article, digest: str, now: str,
                 capture_id: int) -> None:
        self.db.execute(
            "INSERT INTO article_versions (article_id, version, title, body, content_hash, "
            "captured_at, capture_id) VALUES (?, (SELECT coalesce(max(version), 0) + 1 FROM "
            "article_versions WHERE article_id = ?), ?, ?, ?, ?, ?)",
            [article_id, article_id, art.title, art.body, digest, now, capture_id])

    def _replace_children(self, article_id: int, art: Article, related_only: bool) -> None:
        tables: dict[str, list[tuple]] = {
            "related": [(r.url, r.title, r.published, r.published_text) for r in art.related],
        }
        if not related_only:
            tables["images"] = [(i.url, i.caption, i.credit) for i in art.images]
            tables["attachments"] = [(a.url, a.title) for a in art.attachments]
        columns = {"related": ("url", "title", "published", "published_text"),
                   "images": ("url", "caption", "credit"), "attachments": ("url", "title")}
        for table, rows in tables.items():
            self.db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
            cols = columns[table]
            if table == "related":
                self.db.conn.executemany(
                    f"INSERT INTO {table} (article_id, position, {', '.join(cols)}) "
                    f"VALUES (?, ?, {', '.join('?' * len(cols))})",
                    [(article_id, pos, *row) for pos, row in enumerate(rows)])
            else:  # photos and attachments link to their downloaded file, if any yet
                self.db.conn.executemany(
                    f"INSERT INTO {table} (article_id, position, {', '.join(cols)}, file_id) "
                    f"VALUES (?, ?, {', '.join('?' * len(cols))}, "
                    f"(SELECT id FROM files WHERE url = ?))",
                    [(article_id, pos, *row, row[0]) for pos, row in enumerate(rows)])

    # --- researchers: search, export, coverage (crawler/search.py, export.py, report.py) ------
    @staticmethod
    def _article_filters(site: str | None = None, category: str | None = None,
                         since: str | None = None, until: str | None = None,
                         author: str | None = None) -> tuple[str, dict[str, Any]]:
        """`` AND ...`` clauses on ``articles a`` (dates inclusive, ISO), and their parameters."""
        clauses, args = [], {}
        for name, value in (("site", site), ("category", category), ("author", author)):
            if value is not None:
                clauses.append(f"a.{name} = :{name}")
                args[name] = value
        if since:
            clauses.append("a.published >= :since")
            args["since"] = since
        if until:
            clauses.append("a.published < date(:until, '+1 day')")
            args["until"] = until
        return "".join(f" AND {c}" for c in clauses), args

    #: Orders of search hits (``sort``): best first by bm25, or by publication date.
    SEARCH_SORTS = ("rank", "newest", "oldest")

    def search(self, match: str, *, site: str | None = None, category: str | None = None,
               since: str | None = None, until: str | None = None, author: str | None = None,
               limit: int = 20, mark: tuple[str, str] = ("[", "]"), tokens: int = 24,
               sort: str = "rank") -> list[dict[str, Any]]:
        """Articles matching the FTS5 expression ``match`` (see crawler.search), with the title
        highlighted and snippets of the summary and the body: best first by bm25 (``rank``),
        or by publication date (``newest``, ``oldest``; undated articles after the dated)."""
        if sort not in self.SEARCH_SORTS:
            raise ValueError(f"sort must be one of {', '.join(self.SEARCH_SORTS)}: {sort!r}")
        where, args = self._article_filters(site, category, since, until, author)
        fts = FTS_TABLE
        columns = (f"a.id, a.site, a.key, a.url, a.category, a.title, a.published, a.author, "
                   f"highlight({fts}, 0, :open, :close) AS title_highlighted, "
                   f"snippet({fts}, 1, :open, :close, '…', :tokens) AS summary_snippet, "
                   f"snippet({fts}, 2, :open, :close, '…', :tokens) AS body_snippet")
        args.update(match=match, open=mark[0], close=mark[1], tokens=tokens, limit=limit)
        if sort == "rank":
            cursor = self.db.execute(
                f"SELECT {columns}, {fts}.rank AS rank "
                f"FROM {fts} JOIN articles a ON a.id = {fts}.rowid "
                f"WHERE {fts} MATCH :match{where} ORDER BY {fts}.rank LIMIT :limit", args)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]
        ids = self._ids_by_date(where, args, descending=sort == "newest")
        if not ids:
            return []
        # Highlights and snippets of those articles only. No bm25 here: FTS5 counts every
        # match of each phrase for it, the cost a date order avoids. Given a list of ids, FTS5
        # evaluates the query once per id, cheap for words and phrases; a prefix ("s*") is
        # expanded each time, tens of ms, so then the ids go as one rowid range instead (the
        # + keeps the list out of FTS5's index) and the query is evaluated once.
        listed = ", ".join(map(str, ids))
        only = (f"{fts}.rowid IN ({listed})" if "*" not in match else
                f"{fts}.rowid BETWEEN :first AND :last AND +{fts}.rowid IN ({listed})")
        cursor = self.db.execute(
            f"SELECT {columns}, NULL AS rank FROM {fts} JOIN articles a ON a.id = {fts}.rowid "
            f"WHERE {fts} MATCH :match AND {only}", {**args, "first": min(ids), "last": max(ids)})
        names = [d[0] for d in cursor.description]
        hits = {row[0]: dict(zip(names, row, strict=True)) for row in cursor}
        return [hits[i] for i in ids if i in hits]

    def count_matches(self, match: str, *, site: str | None = None,
                      category: str | None = None, since: str | None = None,
                      until: str | None = None, author: str | None = None) -> int:
        """How many articles match the FTS5 expression ``match`` with ``search``'s filters: the
        matching ids counted, no bm25, no snippet (``articles`` is read only to filter)."""
        where, args = self._article_filters(site, category, since, until, author)
        join = f" JOIN articles a ON a.id = {FTS_TABLE}.rowid" if where else ""
        return self.db.execute(
            f"SELECT count(*) FROM {FTS_TABLE}{join} WHERE {FTS_TABLE} MATCH :match{where}",
            {**args, "match": match}).fetchone()[0]

    def _ids_by_date(self, where: str, args: dict[str, Any], descending: bool) -> list[int]:
        """Ids of the articles matching ``args["match"]`` (and ``where``) in publication order,
        at most ``args["limit"]``: the dated ones, then the undated. SQLite walks an index on
        ``published`` and tests each article against the set of matching ids, so it stops at
        the limit; ``+a.id`` keeps the planner from reading every match's row and sorting."""
        direction = "DESC" if descending else "ASC"
        ids: list[int] = []
        for dated in ("NOT NULL", "NULL"):
            rows = self.db.execute(
                f"SELECT a.id FROM articles a WHERE a.published IS {dated} AND +a.id IN "
                f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match){where} "
                f"ORDER BY a.published {direction}, a.id {direction} LIMIT :left",
                {**args, "left": args["limit"] - len(ids)})
            ids += [row[0] for row in rows]
            if len(ids) >= args["limit"]:
                break
        return ids

    def rebuild_fts(self) -> int:
        """Rebuild the full-text index from ``articles``; returns the number of articles indexed.
        (FTS5's own 'rebuild', and so ``sqlite-utils rebuild-fts``, would index the text without
        its folded copy.)"""
        cols = ", ".join(FTS_COLUMNS)
        values = ", ".join(fts_text(c) for c in FTS_COLUMNS)
        with self.db.conn:
            self.db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')")
            self.db.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, {cols}) SELECT id, {values} FROM articles")
            self.db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('rank', ?)",
                            [FTS_RANK])
            self.db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    #: Columns of the export that hold JSON lists.
    EXPORT_JSON_COLUMNS = ("problems", "images", "attachments", "related")

    def export_rows(self, *, site: str | None = None, since: str | None = None,
                    until: str | None = None) -> tuple[list[str], Iterator[tuple]]:
        """Column names and a cursor over every article (all its columns, then its images,
        attachments and related entries as JSON lists in page order), oldest row first. The
        cursor streams: memory stays constant however large the archive."""
        where, args = self._article_filters(site=site, since=since, until=until)

        def children(table: str, *cols: str, files: bool = False) -> str:
            names = [*cols, "file", "sha256"] if files else list(cols)
            fields = ", ".join(f"'{c}', {c}" for c in names)
            select = ", ".join(f"t.{c}" for c in cols)
            join = ""
            if files:  # the downloaded copy: its path in the archive folder and its sha256
                select += ", f.path AS file, f.sha256 AS sha256"
                join = " LEFT JOIN files f ON f.id = t.file_id"
            return (f"(SELECT json_group_array(json_object({fields})) FROM "
                    f"(SELECT {select} FROM {table} t{join} WHERE t.article_id = a.id "
                    f"ORDER BY t.position)) AS {table}")

        cursor = self.db.execute(
            f"SELECT a.*, {children('images', 'url', 'caption', 'credit', files=True)}, "
            f"{children('attachments', 'url', 'title', files=True)}, "
            f"{children('related', 'url', 'title', 'published', 'published_text')} "
            f"FROM articles a WHERE 1{where} ORDER BY a.id", args)
        return [d[0] for d in cursor.description], cursor

    # --- WACZ export (crawler/wacz.py) --------------------------------------------------------
    def sites(self) -> list[str]:
        """Every site the archive holds a run or an article of."""
        return [r[0] for r in self.db.execute(
            "SELECT site FROM crawls UNION SELECT site FROM articles ORDER BY 1")]

    def replay_pages(self, *, site: str | None = None, since: str | None = None,
                     until: str | None = None) -> Iterator[tuple[int, str, str, str]]:
        """(id, URL as the WARC record names it, title, WARC-Date) of every article with a WARC
        record (of ``site``, published between ``since`` and ``until``), by id; a cursor."""
        where, args = self._article_filters(site=site, since=since, until=until)
        return self.db.execute(
            "SELECT a.id, coalesce(c.final_url, c.url), a.title, a.warc_date FROM articles a "
            f"JOIN captures c ON c.id = a.capture_id WHERE a.warc_file IS NOT NULL{where} "
            "ORDER BY a.id", args)

    def count_without_record(self, *, site: str | None = None, since: str | None = None,
                             until: str | None = None) -> int:
        """Articles (so filtered) whose capture has no WARC record."""
        where, args = self._article_filters(site=site, since=since, until=until)
        return self.db.execute(f"SELECT count(*) FROM articles a WHERE a.warc_file IS NULL"
                               f"{where}", args).fetchone()[0]

    def replay_records(self, *, site: str | None = None, since: str | None = None,
                       until: str | None = None) -> Iterator[tuple[str, int, int, str]]:
        """(WARC file, offset, length, record id) of the response and revisit records that
        replay a selection, by file and offset; a cursor. With ``since`` or ``until``: the
        captures of the articles published then (every version), of their photos and
        attachments; else every capture of ``site``'s runs. Revisits bring the capture
        holding their payload."""
        where, args = self._article_filters(site=site, since=since, until=until)
        if since or until:
            chosen = (
                f"SELECT v.capture_id FROM article_versions v JOIN articles a "
                f"ON a.id = v.article_id WHERE 1{where} "
                f"UNION SELECT a.capture_id FROM articles a WHERE 1{where} "
                + "".join(f"UNION SELECT c.id FROM captures c JOIN {t} t ON t.url = c.url "
                          f"JOIN articles a ON a.id = t.article_id WHERE 1{where} "
                          for t in ("images", "attachments")))
        else:
            chosen = ("SELECT c.id FROM captures c JOIN crawls r ON r.id = c.crawl_id "
                      "WHERE :site IS NULL OR r.site = :site")
            args = {"site": site}
        return self.db.execute(
            f"WITH chosen(id) AS ({chosen}) "
            "SELECT c.warc_file, c.warc_offset, c.warc_length, c.warc_record_id FROM captures c "
            "WHERE c.warc_file IS NOT NULL AND (c.id IN (SELECT id FROM chosen) OR c.id IN "
            "(SELECT o.revisit_of FROM captures o WHERE o.id IN (SELECT id FROM chosen))) "
            "ORDER BY c.warc_file, c.warc_offset", args)

    def coverage(self, runs: int = 10) -> dict[str, Any]:
        """What the coverage report shows: article counts per site, category and month; the
        first and last article of each category; failures by reason (with up to five URLs);
        the last ``runs`` runs."""
        months = self.db.execute(
            "SELECT site, category, month, count FROM articles_by_month "
            "ORDER BY site, category, month").fetchall()
        undated = self.db.execute(
            "SELECT site, category, count(*) FROM articles WHERE published IS NULL "
            "GROUP BY site, category ORDER BY site, category").fetchall()
        edges = self.db.execute(
            "SELECT site, category, f, title, url, published FROM ("
            "SELECT site, category, title, url, published, "
            "row_number() OVER (PARTITION BY site, category ORDER BY published, id) AS f, "
            "row_number() OVER (PARTITION BY site, category ORDER BY published DESC, id DESC) "
            "AS l FROM articles WHERE published IS NOT NULL) WHERE f = 1 OR l = 1 "
            "ORDER BY site, category, published").fetchall()
        reasons = self.db.execute(
            "SELECT site, reason, count(*), sum(attempts), max(last_attempt) FROM failures "
            "GROUP BY site, reason ORDER BY site, count(*) DESC, reason").fetchall()
        samples = self.db.execute(
            "SELECT site, reason, url FROM (SELECT site, reason, url, row_number() OVER "
            "(PARTITION BY site, reason ORDER BY last_attempt DESC, id) AS n FROM failures) "
            "WHERE n <= 5 ORDER BY site, reason, n").fetchall()
        cut = self.db.execute(
            "SELECT site, template, cut_at FROM cut_templates ORDER BY site, template"
        ).fetchall() if self.db["cut_templates"].exists() else []
        return {"months": months, "undated": undated, "edges": edges,
                "failures": reasons, "failure_samples": samples, "runs": self.crawls(runs),
                "cut_templates": cut}

    # --- worker shards and their merge (crawler/distributed.py, portal-archive merge) --------
    def archive_id(self) -> str:
        """This archive's own id (a merge knows a shard by it)."""
        return self.db.execute("SELECT value FROM archive_info WHERE name = 'id'").fetchone()[0]

    def add_alias_sightings(self, aliases: Iterable[AliasSeen]) -> None:
        """Record links to article keys; a merge resolves them against every shard's articles."""
        now = utcnow()
        with self.db.conn:
            self.db.conn.executemany(
                "INSERT INTO alias_sightings (site, key, url, first_seen) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(site, url) DO NOTHING",
                [(a.site, a.key, a.url, now) for a in aliases])

    def merge_shard(self, path: str | Path) -> dict[str, Any]:
        """Copy a worker shard into this archive, in one transaction, from one snapshot of the
        shard (its worker may go on writing). Idempotent: rows already copied are skipped
        (``merged`` maps them), articles are one row per (site, key) whichever shard fetched
        them, versions are kept in capture order with consecutive equal contents folded, the
        newest content wins, aliases and alias sightings resolve across shards. Returns counts
        and the shard's runs' summed statistics."""
        import sqlite3

        src = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True,
                              isolation_level=None)
        src.row_factory = sqlite3.Row
        counts: dict[str, Any] = {name: 0 for name in (
            "runs", "captures", "articles_new", "articles_changed", "articles_same",
            "duplicates", "versions", "aliases", "failures")}
        try:
            src.execute("BEGIN")
            row = src.execute("SELECT value FROM archive_info WHERE name = 'id'").fetchone()
            shard = row[0]
            if shard == self.archive_id():
                raise ValueError(f"{path} is this archive; a shard cannot be merged into itself")
            counts["files"] = 0
            with self.db.conn:
                crawls = self._merge_crawls(src, shard, counts)
                self._merge_payloads(src, archive_folder(path))
                captures = self._merge_captures(src, shard, crawls, counts)
                self._merge_files(src, captures, counts)
                articles = self._merge_articles(src, captures, counts)
                self._merge_versions(src, shard, articles, captures, counts)
                self._merge_aliases(src, articles, counts)
                self._merge_failures(src, crawls, counts)
            counts["stats"] = _sum_stats(json.loads(r[0] or "{}") for r in src.execute(
                "SELECT stats FROM crawls"))
            src.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise ValueError(f"{path}: not a portal-archive shard ({exc})") from None
        finally:
            src.close()
        return counts

    def _columns(self, table: str) -> list[str]:
        cache = self.__dict__.setdefault("_column_cache", {})
        if table not in cache:
            cache[table] = [c.name for c in self.db[table].columns]
        return cache[table]

    def _copy_row(self, table: str, row: Any, **override: Any) -> int:
        """Insert a shard row into ``table`` (the columns both have, without ``id``)."""
        values = {k: row[k] for k in row.keys() if k != "id"}
        values.update(override)
        cols = [c for c in self._columns(table) if c in values]
        cur = self.db.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [values[c] for c in cols])
        return int(cur.lastrowid)

    def _mapped(self, shard: str, table: str) -> dict[int, int]:
        return dict(self.db.execute(
            "SELECT src_id, dst_id FROM merged WHERE shard = ? AND tbl = ?", [shard, table]))

    def _map(self, shard: str, table: str, src_id: int, dst_id: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO merged (shard, tbl, src_id, dst_id) "
                        "VALUES (?, ?, ?, ?)", [shard, table, src_id, dst_id])

    def _merge_crawls(self, src: Any, shard: str, counts: dict[str, Any]) -> dict[int, int]:
        done = self._mapped(shard, "crawls")
        for row in src.execute("SELECT * FROM crawls ORDER BY id"):
            if row["id"] in done:
                self.db.execute("UPDATE crawls SET finished = ?, status = ?, stats = ? "
                                "WHERE id = ?", [row["finished"], row["status"], row["stats"],
                                                 done[row["id"]]])
                continue
            done[row["id"]] = self._copy_row("crawls", row)
            self._map(shard, "crawls", row["id"], done[row["id"]])
            counts["runs"] += 1
        return done

    def _merge_captures(self, src: Any, shard: str, crawls: dict[int, int],
                        counts: dict[str, Any]) -> dict[int, int]:
        done = self._mapped(shard, "captures")
        last = max(done, default=0)
        for row in src.execute("SELECT * FROM captures WHERE id > ? ORDER BY id", [last]):
            done[row["id"]] = self._copy_row("captures", row,
                                             crawl_id=crawls.get(row["crawl_id"]),
                                             revisit_of=done.get(row["revisit_of"]))
            self._map(shard, "captures", row["id"], done[row["id"]])
            counts["captures"] += 1
        return done

    def _merge_articles(self, src: Any, captures: dict[int, int],
                        counts: dict[str, Any]) -> dict[int, int]:
        """Shard article id -> this archive's article id, inserting or updating articles."""
        out: dict[int, int] = {}
        newest = dict(src.execute(
            "SELECT article_id, max(captured_at) FROM article_versions GROUP BY article_id"))
        keep = {"id", "site", "key", "url", "first_seen", "last_seen", "capture_id"}
        for row in src.execute("SELECT * FROM articles ORDER BY id"):
            capture = captures.get(row["capture_id"])
            dst = self.db.execute(
                "SELECT id, url, content_hash, first_seen, last_seen FROM articles "
                "WHERE site = ? AND key = ?", [row["site"], row["key"]]).fetchone()
            if dst is None:
                dup = self.db.execute(
                    "SELECT id FROM articles WHERE site = ? AND content_hash = ?",
                    [row["site"], row["content_hash"]]).fetchone()
                if dup is not None:  # another spelling of an archived article (as in write())
                    out[row["id"]] = dup[0]
                    self._alias(row["url"], dup[0])
                    counts["duplicates"] += 1
                    continue
                out[row["id"]] = self._copy_row("articles", row, capture_id=capture)
                self._point_at_record(out[row["id"]], capture)
                self._copy_children(src, row["id"], out[row["id"]], related_only=False)
                counts["articles_new"] += 1
                continue
            article_id, url, digest, first_seen, last_seen = dst
            out[row["id"]] = article_id
            theirs = newest.get(row["id"]) or ""
            ours = self.db.execute("SELECT max(captured_at) FROM article_versions "
                                   "WHERE article_id = ?", [article_id]).fetchone()[0] or ""
            if row["content_hash"] != digest and theirs > ours:
                cols = [c for c in self._columns("articles") if c not in keep and c in row.keys()]
                self.db.execute(
                    f"UPDATE articles SET {', '.join(f'{c} = ?' for c in cols)}, capture_id = ? "
                    f"WHERE id = ?", [*[row[c] for c in cols], capture, article_id])
                self._point_at_record(article_id, capture)
                self._copy_children(src, row["id"], article_id, related_only=False)
                counts["articles_changed"] += 1
            else:
                if (row["last_seen"] or "") > (last_seen or ""):
                    self._copy_children(src, row["id"], article_id, related_only=True)
                counts["articles_same"] += 1
            self.db.execute(
                "UPDATE articles SET first_seen = min(first_seen, ?), "
                "last_seen = max(last_seen, ?) WHERE id = ?",
                [row["first_seen"], row["last_seen"], article_id])
            if row["url"] != url:
                self._alias(row["url"], article_id)
        return out

    def _merge_payloads(self, src: Any, shard_folder: Path) -> None:
        """Copy the shard's WARC files and downloaded files that this archive's folder lacks
        (before any row that names them). WARC files only grow, so a longer one is copied
        again; files are content-addressed, so one that exists is the same."""
        for (name,) in src.execute("SELECT DISTINCT warc_file FROM captures "
                                   "WHERE warc_file IS NOT NULL"):
            source = shard_folder / WARC_DIR / Path(name).name
            target = self.folder / WARC_DIR / Path(name).name
            if source.exists() and (not target.exists()
                                    or target.stat().st_size < source.stat().st_size):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        store, theirs = FileStore(self.folder), FileStore(shard_folder)
        for (relative,) in src.execute("SELECT DISTINCT path FROM files"):
            target = store.path(relative)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(theirs.path(relative), target)

    def _merge_files(self, src: Any, captures: dict[int, int], counts: dict[str, Any]) -> None:
        for row in src.execute("SELECT * FROM files ORDER BY id"):
            if self.db.execute("SELECT 1 FROM files WHERE url = ?", [row["url"]]).fetchone():
                continue
            file_id = self._copy_row("files", row, capture_id=captures.get(row["capture_id"]))
            for table in ("images", "attachments"):
                self.db.execute(f"UPDATE {table} SET file_id = ? WHERE url = ?",
                                [file_id, row["url"]])
            counts["files"] += 1

    def _copy_children(self, src: Any, src_id: int, article_id: int, related_only: bool) -> None:
        for table in ("related",) if related_only else ("related", "images", "attachments"):
            self.db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
            for row in src.execute(f"SELECT * FROM {table} WHERE article_id = ? ORDER BY position",
                                   [src_id]):
                extra = {}
                if table != "related":  # this archive's copy of the file, by URL
                    found = self.db.execute("SELECT id FROM files WHERE url = ?",
                                            [row["url"]]).fetchone()
                    extra["file_id"] = found[0] if found else None
                self._copy_row(table, row, article_id=article_id, **extra)

    def _merge_versions(self, src: Any, shard: str, articles: dict[int, int],
                        captures: dict[int, int], counts: dict[str, Any]) -> None:
        last = max(self._mapped(shard, "article_versions"), default=0)
        incoming: dict[int, list[Any]] = {}
        for row in src.execute("SELECT * FROM article_versions WHERE id > ? ORDER BY id",
                               [last]):
            incoming.setdefault(articles[row["article_id"]], []).append(row)
        for article_id, rows in incoming.items():
            ours = [(r[1], 0, r[0], r[2]) for r in self.db.execute(
                "SELECT id, captured_at, content_hash FROM article_versions "
                "WHERE article_id = ?", [article_id])]
            theirs = [(r["captured_at"], 1, r, r["content_hash"]) for r in rows]
            previous, temp = None, -10**9
            for _, origin, ref, digest in sorted(ours + theirs, key=lambda v: (v[0], v[1])):
                if digest == previous:
                    if origin == 0:
                        self.db.execute("DELETE FROM article_versions WHERE id = ?", [ref])
                    else:
                        self._map(shard, "article_versions", ref["id"], 0)
                    continue
                previous = digest
                if origin == 1:
                    temp -= 1  # renumbered below
                    dst = self._copy_row("article_versions", ref, article_id=article_id,
                                         version=temp,
                                         capture_id=captures.get(ref["capture_id"]))
                    self._map(shard, "article_versions", ref["id"], dst)
                    counts["versions"] += 1
            ids = [r[0] for r in self.db.execute(
                "SELECT id FROM article_versions WHERE article_id = ? ORDER BY captured_at, id",
                [article_id])]
            self.db.execute("UPDATE article_versions SET version = -id WHERE article_id = ?",
                            [article_id])
            self.db.conn.executemany("UPDATE article_versions SET version = ? WHERE id = ?",
                                     [(n, i) for n, i in enumerate(ids, 1)])

    def _merge_aliases(self, src: Any, articles: dict[int, int], counts: dict[str, Any]) -> None:
        before = self.db.execute("SELECT count(*) FROM aliases").fetchone()[0]
        for row in src.execute("SELECT url, article_id, first_seen FROM aliases"):
            article_id = articles.get(row["article_id"])
            if article_id is not None:
                self.db.execute(
                    "INSERT OR IGNORE INTO aliases (url, article_id, first_seen) "
                    "SELECT ?, id, ? FROM articles WHERE id = ? AND url != ?",
                    [row["url"], row["first_seen"], article_id, row["url"]])
        self.db.conn.executemany(
            "INSERT INTO alias_sightings (site, key, url, first_seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(site, url) DO NOTHING",
            [tuple(r) for r in src.execute(
                "SELECT site, key, url, first_seen FROM alias_sightings")])
        self.db.execute(
            "INSERT OR IGNORE INTO aliases (url, article_id, first_seen) "
            "SELECT s.url, a.id, s.first_seen FROM alias_sightings s JOIN articles a "
            "ON a.site = s.site AND a.key = s.key WHERE s.url != a.url")
        self.db.execute(
            "DELETE FROM alias_sightings WHERE EXISTS (SELECT 1 FROM articles a "
            "WHERE a.site = alias_sightings.site AND a.key = alias_sightings.key)")
        counts["aliases"] += self.db.execute("SELECT count(*) FROM aliases").fetchone()[0] - before

    def _merge_failures(self, src: Any, crawls: dict[int, int], counts: dict[str, Any]) -> None:
        for row in src.execute("SELECT * FROM failures"):
            self.db.execute(
                "INSERT INTO failures (url, site, crawl_id, reason, status, attempts, "
                "first_failed, last_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET attempts = max(attempts, excluded.attempts), "
                "first_failed = min(first_failed, excluded.first_failed), "
                "reason = CASE WHEN excluded.last_attempt > last_attempt "
                "THEN excluded.reason ELSE reason END, "
                "status = CASE WHEN excluded.last_attempt > last_attempt "
                "THEN excluded.status ELSE status END, "
                "crawl_id = CASE WHEN excluded.last_attempt > last_attempt "
                "THEN excluded.crawl_id ELSE crawl_id END, "
                "last_attempt = max(last_attempt, excluded.last_attempt)",
                [row["url"], row["site"], crawls.get(row["crawl_id"]), row["reason"],
                 row["status"], row["attempts"], row["first_failed"], row["last_attempt"]])
        # A URL that failed on one worker and was archived later by another is not a failure.
        self.db.execute(
            "DELETE FROM failures WHERE EXISTS (SELECT 1 FROM articles a WHERE "
            "a.url = failures.url AND a.last_seen > failures.last_attempt) OR EXISTS ("
            "SELECT 1 FROM aliases l JOIN articles a ON a.id = l.article_id WHERE "
            "l.url = failures.url AND a.last_seen > failures.last_attempt)")
        counts["failures"] = self.db.execute("SELECT count(*) FROM failures").fetchone()[0]


def _sum_stats(stats: Iterable[dict[str, Any]]) -> dict[str, float]:
    """Numeric statistics of several runs, summed (counts, bytes, seconds)."""
    out: dict[str, float] = {}
    for one in stats:
        for name, value in one.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[name] = out.get(name, 0) + value
    return out
