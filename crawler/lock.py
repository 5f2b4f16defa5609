"""The archive's run lock: one crawl (or re-extraction) writes an archive at a time.

Kept apart from :mod:`crawler.runs` (a Scrapy extension) so that the command line can take it,
and report a busy archive, without importing Scrapy.
"""

from __future__ import annotations

import fcntl
import os

__all__ = ["ArchiveBusy", "ArchiveLock"]


class ArchiveBusy(RuntimeError):
    """Another run holds the archive."""


class ArchiveLock:
    """An exclusive lock on an archive, held for a whole run: ``<db>.lock`` with ``flock``.

    The kernel drops the lock when the process dies, even by kill -9, so a dead run never
    blocks the next one. Taking it twice in one process is allowed (the CLI takes it before
    Scrapy starts, the run recorder again inside).
    """

    _held: dict[str, ArchiveLock] = {}

    def __init__(self, db_path: str) -> None:
        self.path = os.path.abspath(db_path) + ".lock"
        self.fd: int | None = None

    @classmethod
    def acquire(cls, db_path: str) -> ArchiveLock:
        lock = cls(db_path)
        held = cls._held.get(lock.path)
        if held is not None:
            return held
        fd = os.open(lock.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.read(fd, 64).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise ArchiveBusy(
                f"another portal-archive run (pid {owner}) is using {db_path}; "
                f"this run did not start") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        lock.fd = fd
        cls._held[lock.path] = lock
        return lock

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
            self._held.pop(self.path, None)
