"""A run's own records: its ``crawls`` row, the frontier it resumes from, the URL templates
it cut, and what the crawler reads to start (archived articles and files, failures to retry,
articles to refresh, fill rates for the breakage check)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.items import FrontierEntry
from crawler.storage.connection import Store, utcnow


class RunState(Store):
    """The crawl records and what a run reads to start and resume."""

    #: Fields whose fill rate is watched for breakage, and the body's length.
    WATCHED_FIELDS = ("category", "published", "author", "source", "body")

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

    def known_articles(self, site: str) -> Iterator[tuple[str, str | None]]:
        """(key, title) of every article archived for ``site``, streamed; an article keyed by
        its URL (no profile) also under each other spelling its URL was archived with, so
        that a run does not fetch a known article again by an alias."""
        yield from self.db.execute("SELECT key, title FROM articles WHERE site = ?", [site])
        yield from self.db.execute(
            "SELECT 'url:' || al.url, a.title FROM aliases AS al JOIN articles AS a "
            "ON a.id = al.article_id WHERE a.site = ? AND a.key LIKE 'url:%'", [site])

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
