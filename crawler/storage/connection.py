"""Opening and closing an archive: the connection (WAL while open, rollback-journal mode
at rest, read-only connections for read-only media and folders), and what every part
shares."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Self
from urllib.parse import quote

from sqlite_utils import Database

from crawler.archivefile import ArchiveUnusable, check_archive, held, hold, let_go, read_header
from crawler.migrations import migrations
from crawler.warc import archive_folder


def utcnow() -> str:
    """Now, as an ISO 8601 UTC timestamp with seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


def pending_migrations(path: str | Path) -> list[str]:
    """The migrations this version would apply to the archive at ``path``, read without
    writing anything."""
    db = Database(connect_readonly(path))
    try:
        return [m.name for m in migrations.pending(db)]
    finally:
        db.close()


class Store:
    """The attributes every part of :class:`~crawler.storage.Archive` works with."""

    db: Database
    path: str
    folder: Path
    min_body_ratio: float
    keep_bodies: bool
    readonly: bool


class Connection(Store):
    """Open (check, migrate, WAL mode), close (back to rollback-journal mode), count."""

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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def counts(self) -> dict[str, int]:
        return {t: self.db[t].count for t in self.db.table_names()
                if not t.startswith("_")}

    def _columns(self, table: str) -> list[str]:
        cache = self.__dict__.setdefault("_column_cache", {})
        if table not in cache:
            cache[table] = [c.name for c in self.db[table].columns]
        return cache[table]
