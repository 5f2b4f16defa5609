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
