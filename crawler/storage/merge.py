"""Worker shards and their merge into one archive (``portal-archive merge``)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crawler.files import FileStore
from crawler.storage.connection import Store
from crawler.warc import WARC_DIR, archive_folder


class Merge(Store):
    """A shard copied into this archive, idempotently."""

    def archive_id(self) -> str:
        """This archive's own id (a merge knows a shard by it)."""
        return self.db.execute("SELECT value FROM archive_info WHERE name = 'id'").fetchone()[0]

    def merge_shard(self, path: str | Path) -> dict[str, Any]:
        """Copy a worker shard into this archive, in one transaction, from one snapshot of the
        shard (its worker may go on writing). Idempotent: rows already copied are skipped
        (``merged`` maps them), articles are one row per (site, key) whichever shard fetched
        them, versions are kept in capture order with consecutive equal contents folded, the
        newest content wins, aliases and alias sightings resolve across shards. Returns counts
        and the shard's runs' summed statistics."""

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
