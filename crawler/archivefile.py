"""Whether a path can be used as an archive, checked before anything touches it.

:func:`check_archive` is the one place that decides. The commands call it before they take the
run lock (so a refused path leaves no ``.lock`` beside it), and :class:`~crawler.storage.Archive`
calls it before it opens and migrates a database, so a stranger's file is never migrated.
It refuses, with :class:`ArchiveUnusable` and a one-line reason:

- a path that does not exist, for a command that only reads (it never creates an archive);
- a folder that does not exist or cannot be written, for a command that writes;
- a file that cannot be read, is not SQLite, or is another program's SQLite database (one
  without portal-archive's migration records in ``_sqlite_migrations``);
- an archive written by a newer portal-archive (a migration this version does not know).

An empty file, or a SQLite database with no table, is a new archive for a command that
creates one. Checking writes nothing: the database is opened read-only.

A process never reads the database file itself (its header) while it holds a SQLite
connection to it (:func:`held`): SQLite's locks are POSIX advisory locks, which the kernel
drops, all of a process's locks on a file at once, when the process closes *any* descriptor
of that file. A run whose locks were dropped so looks gone to other processes: the next one
to close a connection there takes itself for the last, checkpoints and deletes the -wal file
that the run goes on appending to, and every later commit of the run is lost. A path this
process holds was checked when it was first opened, so the check is skipped.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from crawler.migrations import migrations

__all__ = ["ArchiveMissing", "ArchiveUnusable", "check_archive", "disk_error", "held",
           "hold", "let_go", "read_header"]

#: The first 16 bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"
#: SQLite's result codes (and their extended forms) for a disk or file system that fails.
_DISK_ERRORS = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN")


#: The databases this process holds connections to (resolved path: connections).
_HELD: Counter[str] = Counter()


def _key(path: str | Path) -> str:
    return str(Path(path).resolve())


def hold(path: str | Path) -> None:
    """This process opened a connection to the database at ``path``."""
    _HELD[_key(path)] += 1


def let_go(path: str | Path) -> None:
    """This process closed a connection to the database at ``path``."""
    key = _key(path)
    _HELD[key] -= 1
    if _HELD[key] <= 0:
        del _HELD[key]


def held(path: str | Path) -> bool:
    """Whether this process holds a connection to the database at ``path`` (then it must not
    open the file itself: see the module's docstring)."""
    return _HELD.get(_key(path), 0) > 0


def read_header(path: str | Path) -> bytes:
    """The first 100 bytes of the file at ``path`` (SQLite's file header), read only when
    this process holds no connection to it."""
    if held(path):
        raise RuntimeError(f"{path} is open in this process: its header is not read again")
    with Path(path).open("rb") as file:
        return file.read(100)


class ArchiveUnusable(ValueError):
    """The path cannot be used as an archive; the message says why, in one line."""


class ArchiveMissing(ArchiveUnusable, FileNotFoundError):
    """No archive at the path, for a command that only reads (a FileNotFoundError too)."""


def disk_error(exc: BaseException) -> bool:
    """Whether ``exc`` is the disk's doing (full, I/O error, read-only, permission), not the
    code's: worth one line to the user, where a fault of the code gets its traceback."""
    if isinstance(exc, OSError):
        return True
    name = getattr(exc, "sqlite_errorname", "") if isinstance(exc, sqlite3.Error) else ""
    return name.startswith(_DISK_ERRORS)


def check_archive(path: str | Path, *, create: bool = False, write: bool = False) -> None:
    """Raise :class:`ArchiveUnusable` unless ``path`` is a portal-archive archive this version
    can open. ``create``: a missing path (in an existing folder) or an empty database is
    fine, it becomes a new archive. ``write``: the file and its folder must be writable (the
    run lock, SQLite's journal and the WARC folder are written beside it)."""
    path = Path(path)
    folder = path.parent
    if not path.exists():
        if not create:
            raise ArchiveMissing(f"no archive at {path}")
        if not folder.is_dir():
            raise ArchiveUnusable(f"no folder {folder} for the archive {path}")
        _check_writable(folder)
        return
    if path.is_dir():
        raise ArchiveUnusable(f"{path} is a folder, not an archive")
    if held(path):  # checked when this process opened it; reading it now would drop its locks
        return
    try:
        header = read_header(path)
    except PermissionError:
        raise ArchiveUnusable(f"cannot read {path}: permission denied") from None
    if write:
        _check_writable(folder)
        if not os.access(path, os.W_OK):
            raise ArchiveUnusable(f"cannot write {path}: permission denied")
    if not header:
        if create:
            return
        raise ArchiveUnusable(f"{path} is not an archive: an empty file")
    if not header.startswith(SQLITE_HEADER):
        raise ArchiveUnusable(f"{path} is not an archive: not a SQLite database")
    tables, applied = _schema(path, wal=header[18:19] == b"\x02")
    if not tables:
        if create:
            return
        raise ArchiveUnusable(f"{path} is not an archive: a SQLite database with no table")
    if not applied:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise ArchiveUnusable(
            f"{path} is not an archive: the database of another program (tables: {shown})")
    unknown = [name for name in applied if name not in _known_migrations()]
    if unknown:
        raise ArchiveUnusable(
            f"{path} was written by a newer portal-archive (unknown migration {unknown[0]}); "
            f"upgrade portal-archive to use it")


def _check_writable(folder: Path) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ArchiveUnusable(f"cannot write in {folder}: permission denied")


def _schema(path: Path, wal: bool) -> tuple[list[str], list[str]]:
    """The database's tables (SQLite's own left out) and the portal-archive migrations applied
    to it, read through a read-only connection.

    A read-only connection to a WAL database leaves -wal and -shm files behind when there were
    none. With no -wal file no connection is writing and the file holds every commit, so it is
    read as an immutable file instead: nothing is created beside it (nor needed, so a folder
    this user cannot write is no obstacle)."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    if wal and not Path(f"{path}-wal").exists():
        uri += "&immutable=1"
    try:
        return _read_schema(uri)
    except sqlite3.OperationalError as exc:
        raise ArchiveUnusable(f"cannot open {path}: {exc}") from None
    except sqlite3.DatabaseError as exc:  # a damaged or encrypted file with a SQLite header
        raise ArchiveUnusable(f"{path} is not an archive: {exc}") from None


def _read_schema(uri: str) -> tuple[list[str], list[str]]:
    conn = sqlite3.connect(uri, uri=True, timeout=10)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        applied: list[str] = []
        if Migrations.migrations_table in tables:
            applied = [r[0] for r in conn.execute(
                f"SELECT name FROM {Migrations.migrations_table} WHERE migration_set = ? "
                "ORDER BY rowid", [migrations.name])]
    finally:
        conn.close()
    return tables, applied


def _known_migrations() -> set[str]:
    """The names of the migrations this version has: all of them are pending on an empty
    database."""
    return {m.name for m in migrations.pending(Database(memory=True))}
