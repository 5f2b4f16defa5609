"""Schema of archive.db, as sqlite-utils migrations applied in order when an archive is opened.

Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("portal-archive")


@migrations()
def m001_initial(db: Database) -> None:
    db["crawls"].create(
        {"id": int, "site": str, "started": str, "finished": str, "status": str,
         "start_urls": str, "stats": str, "pid": int},
        pk="id",
    )
    db["captures"].create(
        {"id": int, "crawl_id": int, "url": str, "final_url": str, "fetched_at": str,
         "status": int, "headers": str, "content_type": str, "size": int, "sha256": str,
         "body": bytes, "compression": str},
        pk="id",
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db["articles"].create(
        {"id": int, "site": str, "key": str, "url": str, "category": str, "title": str,
         "published": str, "published_text": str, "author": str, "source": str,
         "summary": str, "body": str, "body_html": str, "content_hash": str,
         "first_seen": str, "last_seen": str, "capture_id": int, "problems": str},
        pk="id",
        not_null={"site", "key", "url", "title"},
        foreign_keys=[("capture_id", "captures", "id")],
    )
    db["articles"].create_index(["site", "key"], unique=True)
    db["article_versions"].create(
        {"id": int, "article_id": int, "version": int, "title": str, "body": str,
         "content_hash": str, "captured_at": str, "capture_id": int},
        pk="id",
        foreign_keys=[("article_id", "articles", "id"), ("capture_id", "captures", "id")],
    )
    db["article_versions"].create_index(["article_id", "version"], unique=True)
    for table, columns in {
        "images": {"url": str, "caption": str, "credit": str},
        "attachments": {"url": str, "title": str},
        "related": {"url": str, "title": str, "published": str, "published_text": str},
    }.items():
        db[table].create(
            {"id": int, "article_id": int, "position": int, **columns},
            pk="id",
            foreign_keys=[("article_id", "articles", "id")],
        )
        db[table].create_index(["article_id"])
    db["aliases"].create(
        {"url": str, "article_id": int, "first_seen": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["aliases"].create_index(["article_id"])
    db["failures"].create(
        {"id": int, "url": str, "site": str, "crawl_id": int, "reason": str, "status": int,
         "attempts": int, "first_failed": str, "last_attempt": str},
        pk="id",
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db["failures"].create_index(["url"], unique=True)
    db["captures"].create_index(["url"])
    for column in ("published", "category", "author"):
        db["articles"].create_index(["site", column])
    db["articles"].create_index(["published"])


@migrations()
def m002_frontier(db: Database) -> None:
    """URLs a run has scheduled and not yet fetched, so that a run that dies can be resumed."""
    db["frontier"].create(
        {"site": str, "url": str, "kind": str, "key": str, "crawl_id": int, "added": str,
         "done": int},
        pk=("site", "url"),
    )
    db["frontier"].create_index(["site", "done"])


@migrations()
def m003_capture_method(db: Database) -> None:
    """Captures of POST requests (ASP.NET postback pagers) keep their method and form body."""
    db["captures"].add_column("method", str, not_null_default="GET")
    db["captures"].add_column("request_body", bytes)


#: The full-text index of ``articles`` (FTS5, external content: it reads the text it shows from
#: ``articles`` and stores only the index). ``content="articles"`` in double quotes is what
#: ``sqlite-utils search`` and datasette look for to find it.
FTS_TABLE = "articles_fts"
FTS_COLUMNS = ("title", "summary", "body")
#: Column weights of bm25 for ``rank`` (title, summary, body).
FTS_RANK = "bm25(10.0, 5.0, 1.0)"


def fts_text(column: str) -> str:
    """The SQL expression indexed for ``column`` (e.g. ``new.title``): its đ→d folded copy, a
    space, then the text itself. unicode61 with remove_diacritics folds every other Vietnamese
    mark, but đ is a letter of its own; the folded copy lets "dang" find "đảng", the original
    lets a query typed with đ through sqlite-utils or datasette find it too. The folded copy
    comes first and has exactly the original's tokens, so FTS5's highlight() and snippet(),
    which re-read the original from ``articles``, mark the right words for folded queries."""
    folded = f"replace(replace({column}, 'đ', 'd'), 'Đ', 'D')"
    return f"{folded} || ' ' || {column}"


def _fts_values(row: str) -> str:
    return ", ".join(fts_text(f"{row}.{c}") for c in FTS_COLUMNS)


@migrations()
def m004_search_index(db: Database) -> None:
    """Full-text search over title, summary and body, kept in step by triggers (which also run
    when other tools write to ``articles``), populated from the rows already archived."""
    cols = ", ".join(FTS_COLUMNS)
    db.execute(
        f'CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({cols}, content="articles", '
        f'content_rowid="id", tokenize="unicode61 remove_diacritics 2")')
    db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('rank', '{FTS_RANK}')")
    insert = (f"INSERT INTO {FTS_TABLE} (rowid, {cols}) "
              f"VALUES (new.id, {_fts_values('new')});")
    delete = (f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, {cols}) "
              f"VALUES ('delete', old.id, {_fts_values('old')});")
    db.execute(f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON articles BEGIN {insert} END")
    db.execute(f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON articles BEGIN {delete} END")
    db.execute(f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF id, {cols} ON articles "
               f"BEGIN {delete} {insert} END")
    db.execute(f"INSERT INTO {FTS_TABLE} (rowid, {cols}) "
               f"SELECT id, {_fts_values('articles')} FROM articles")


@migrations()
def m005_views(db: Database) -> None:
    """Views for researchers: articles per site, category and month; authors."""
    db.create_view("articles_by_month", """
        SELECT site, category, substr(published, 1, 7) AS month, count(*) AS count
        FROM articles WHERE published IS NOT NULL
        GROUP BY site, category, month""")
    db.create_view("authors", """
        SELECT author, count(*) AS articles, min(substr(published, 1, 10)) AS "first",
               max(substr(published, 1, 10)) AS "last"
        FROM articles WHERE coalesce(author, '') != ''
        GROUP BY author""")


@migrations()
def m006_filter_indexes(db: Database) -> None:
    """Indexes for filters on category or author alone (site and published have theirs)."""
    db["articles"].create_index(["category"], if_not_exists=True)
    db["articles"].create_index(["author"], if_not_exists=True)


@migrations()
def m007_content_hash_index(db: Database) -> None:
    """The duplicate check on every new article looks articles up by (site, content_hash)."""
    db["articles"].create_index(["site", "content_hash"], if_not_exists=True)


@migrations()
def m008_warc_and_files(db: Database) -> None:
    """Captures point at their WARC record (file, offset, length, record id); a revisit points
    at the capture holding the payload; downloaded photos and attachments are listed in
    ``files`` (stored once by sha256 in the archive folder) and linked from images and
    attachments."""
    captures = db["captures"]
    for column, kind in (("warc_file", str), ("warc_offset", int), ("warc_length", int),
                         ("warc_record_id", str)):
        captures.add_column(column, kind)
    captures.add_column("revisit_of", int, fk="captures", fk_col="id")
    db["files"].create(
        {"id": int, "url": str, "site": str, "sha256": str, "size": int, "mime": str,
         "path": str, "first_seen": str, "capture_id": int},
        pk="id",
        not_null={"url", "sha256", "path"},
        foreign_keys=[("capture_id", "captures", "id")],
    )
    db["files"].create_index(["url"], unique=True)
    db["files"].create_index(["sha256"])
    for table in ("images", "attachments"):
        db[table].add_column("file_id", int, fk="files", fk_col="id")
        db[table].create_index(["url"])


@migrations()
def m009_shards(db: Database) -> None:
    """Worker shards and their merge: the archive's own id (a shard is known by it), which
    shard rows a merge has copied and where to (so merging again copies nothing twice), and
    the URLs seen leading to an article key that another worker may have fetched."""
    import uuid

    db["archive_info"].create({"name": str, "value": str}, pk="name")
    db["archive_info"].insert({"name": "id", "value": uuid.uuid4().hex})
    db["merged"].create({"shard": str, "tbl": str, "src_id": int, "dst_id": int},
                        pk=("shard", "tbl", "src_id"))
    db["alias_sightings"].create({"site": str, "key": str, "url": str, "first_seen": str},
                                 pk=("site", "url"))
    db["alias_sightings"].create_index(["site", "key"])


@migrations()
def m010_cut_templates(db: Database) -> None:
    """URL templates a run found dead (pages that linked to no article, cut by the page
    budgets of crawler/templates.py): later runs of the site skip them for a while."""
    db["cut_templates"].create(
        {"site": str, "template": str, "reason": str, "fetched": int, "unfetched": int,
         "cut_at": str, "crawl_id": int},
        pk=("site", "template"),
    )


@migrations()
def m011_article_replay(db: Database) -> None:
    """Articles name the WARC record of the capture their fields came from (its file, record
    id and WARC-Date), so that a row leads to its replay; filled for the rows already there
    from their capture, kept in step by the write path (crawler/storage.py)."""
    for column in ("warc_file", "warc_record_id", "warc_date"):
        db["articles"].add_column(column, str)
    db.execute(
        "UPDATE articles SET (warc_file, warc_record_id, warc_date) = "
        "(SELECT c.warc_file, c.warc_record_id, c.fetched_at FROM captures c "
        "WHERE c.id = articles.capture_id AND c.warc_file IS NOT NULL)")


@migrations()
def m012_image_alt(db: Database) -> None:
    """Photos keep their ``alt`` text apart from the caption: the alt describes the photo, but
    the page does not show it, so it is never the caption. Filled for photos already archived
    when their articles are next re-extracted (``portal-archive reextract``)."""
    db["images"].add_column("alt", str)
