"""The write path: a batch of fetch results in one transaction (captures, files, failures,
articles, their versions, photos, attachments, related lists and aliases), re-extracted
articles, and the payloads the WARC writer needs to know."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from hashlib import sha256

from crawler.identity import id_places, same_id
from crawler.items import AliasSeen, Article, FetchResult
from crawler.storage.connection import Store, utcnow
from crawler.warc import PriorCapture, read_record


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


class WritePath(Store):
    """Everything that writes captures and articles."""

    _ARTICLE_COLUMNS = ("url", "category", "title", "published", "published_text", "author",
                        "source", "summary", "body", "body_html")

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
        dup = None
        if row is None:
            dup = self.db.execute(
                "SELECT id FROM articles WHERE site = ? AND content_hash = ?",
                [art.site, digest]).fetchone()
            if dup is None and (row := self._same_id(art)) is not None:
                self._alias(art.url, row[0])  # another spelling of an archived article
        if dup is not None:
            self._alias(art.url, dup[0])
            report.duplicates += 1
            article_id = dup[0]
        elif row is None:
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

    def _same_id(self, art: Article) -> tuple[int, str] | None:
        """(id, content hash) of the archived article that a page no profile knows names by
        the same id in another spelling of its URL (a new slug after a retitle, a path in
        another case, a portlet's new instance name), published the same day; None when the
        site's URLs show no id place (:mod:`crawler.identity`) or no such article exists.
        Only for articles keyed by their URL: a profile's layout keys by id already."""
        if not art.key.startswith("url:") or not art.published:
            return None
        # site -> (id places, URLs learned from, articles written since): learned again each
        # time the site's archived articles have doubled, until 2,000 URLs or an id place.
        cache: dict[str, list] = self.__dict__.setdefault("_id_places", {})
        places, learned_from, written = cache.get(art.site) or (None, 0, 0)
        if places is None or (not places and learned_from < 2000
                              and written >= max(learned_from, 10)):
            urls = [u for (u,) in self.db.execute(
                "SELECT url FROM articles WHERE site = ? AND key LIKE 'url:%' LIMIT 2000",
                [art.site])]
            places, learned_from, written = id_places(urls), len(urls), 0
        cache[art.site] = [places, learned_from, written + 1]
        if not places:
            return None
        day = art.published[:10]
        for article_id, url, digest in self.db.execute(
                "SELECT id, url, content_hash FROM articles WHERE published >= ? AND "
                "published < ? AND site = ? AND key LIKE 'url:%'", [day, day + "U", art.site]):
            if same_id(art.url, url, places):
                return article_id, digest
        return None

    def _alias(self, url: str, article_id: int) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO aliases (url, article_id, first_seen) VALUES (?, ?, ?)",
            [url, article_id, utcnow()])

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
            tables["images"] = [(i.url, i.caption, i.credit, i.alt) for i in art.images]
            tables["attachments"] = [(a.url, a.title) for a in art.attachments]
        columns = {"related": ("url", "title", "published", "published_text"),
                   "images": ("url", "caption", "credit", "alt"), "attachments": ("url", "title")}
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

    def add_alias_sightings(self, aliases: Iterable[AliasSeen]) -> None:
        """Record links to article keys; a merge resolves them against every shard's articles."""
        now = utcnow()
        with self.db.conn:
            self.db.conn.executemany(
                "INSERT INTO alias_sightings (site, key, url, first_seen) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(site, url) DO NOTHING",
                [(a.site, a.key, a.url, now) for a in aliases])
