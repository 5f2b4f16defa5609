"""What researchers and checks read: search, export, the WACZ pages and records, coverage,
the WARC fidelity check's listings and the captures re-extraction reads."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

from crawler.migrations import FTS_COLUMNS, FTS_RANK, FTS_TABLE, fts_text
from crawler.storage.connection import Store


class Reads(Store):
    """Search, export, replay listings, coverage and fidelity reads."""

    #: Orders of search hits (``sort``): best first by bm25, or by publication date.
    SEARCH_SORTS = ("rank", "newest", "oldest")
    #: Columns of the export that hold JSON lists.
    EXPORT_JSON_COLUMNS = ("problems", "images", "attachments", "related")

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

    def html_captures(self, site: str | None = None, since: str | None = None,
                      crawl_id: int | None = None, refused: bool = False
                      ) -> Iterator[dict[str, Any]]:
        """The HTML captures answered 200, oldest first: id, site, url, final_url, fetched_at,
        headers (JSON). ``refused``: only those that gave no article (no article or version
        names the capture, and its address is no article's, nor an alias)."""
        gave_none = (
            " AND c.id NOT IN (SELECT capture_id FROM article_versions WHERE capture_id "
            "IS NOT NULL) AND c.id NOT IN (SELECT capture_id FROM articles WHERE capture_id "
            "IS NOT NULL) AND c.url NOT IN (SELECT url FROM articles UNION SELECT url FROM "
            "aliases) AND coalesce(c.final_url, c.url) NOT IN (SELECT url FROM articles UNION "
            "SELECT url FROM aliases)") if refused else ""
        cur = self.db.execute(
            "SELECT c.id, r.site, c.url, c.final_url, c.fetched_at, c.headers "
            "FROM captures c JOIN crawls r ON r.id = c.crawl_id "
            "WHERE c.status = 200 AND (c.content_type IS NULL "
            "OR c.content_type LIKE 'text/html%' OR c.content_type LIKE 'application/xhtml%') "
            "AND (:site IS NULL OR r.site = :site) AND (:since IS NULL OR c.fetched_at >= :since) "
            f"AND (:crawl IS NULL OR c.crawl_id = :crawl){gave_none} "
            "ORDER BY c.fetched_at, c.id", {"site": site, "since": since, "crawl": crawl_id})
        cols = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(cols, row, strict=True))

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
            f"SELECT a.*, {children('images', 'url', 'caption', 'credit', 'alt', files=True)}, "
            f"{children('attachments', 'url', 'title', files=True)}, "
            f"{children('related', 'url', 'title', 'published', 'published_text')} "
            f"FROM articles a WHERE 1{where} ORDER BY a.id", args)
        return [d[0] for d in cursor.description], cursor

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
