"""The archive: the one module that speaks SQL.

``Archive`` opens (and migrates) archive.db in WAL mode and offers what the pipeline, the spider
and the CLI need: write a batch of fetch results in one transaction, tell which articles are
already archived, list runs and failures. Every statement is parameterised. Closed, it leaves
the file in rollback-journal mode; ``Archive(path, readonly=True)`` reads it without writing
(read-only media, read-only folders: see :func:`connect_readonly`).

The package follows the data's way, one module a part, each holding the SQL of its part:

- :mod:`crawler.storage.connection`: opening, migrating, closing; read-only connections;
- :mod:`crawler.storage.runs`: the ``crawls`` rows, the frontier, cut templates, what a run
  reads to start;
- :mod:`crawler.storage.writes`: the write path (captures, articles, versions, aliases,
  failures) and re-extracted articles;
- :mod:`crawler.storage.reads`: search, export, WACZ listings, coverage, fidelity checks;
- :mod:`crawler.storage.merge`: worker shards merged into one archive.

:class:`Archive` is all of them over one connection.
"""

from __future__ import annotations

from crawler.storage.connection import (
    Connection,
    connect_readonly,
    in_wal_mode,
    pending_migrations,
    utcnow,
)
from crawler.storage.merge import Merge, _sum_stats
from crawler.storage.reads import Reads
from crawler.storage.runs import RunState
from crawler.storage.writes import WritePath, WriteReport

__all__ = ["Archive", "WriteReport", "_sum_stats", "connect_readonly", "in_wal_mode",
           "pending_migrations", "utcnow"]


class Archive(Connection, RunState, WritePath, Reads, Merge):
    """An archive.db file: opened, migrated, WAL mode while open (rollback-journal mode once
    closed: :meth:`_leave_wal`), foreign keys on. ``keep_bodies``: keep each capture's body in
    the database as well as in the WARC files (a portable single file); when off, bodies are
    read back from the WARC records. ``readonly``: open it for reading
    only (:func:`connect_readonly`), with no migration: an archive whose schema is older than
    this version's is refused (:class:`ArchiveUnusable`) rather than changed."""
