"""The scale-out commands: enqueue, worker, merge (see docs/operators.md)."""

from __future__ import annotations

import json
import sqlite3
import sys
from typing import Any

import click

from crawler import api
from crawler.cli.common import (
    ARCHIVE_PATH,
    _cannot_run,
    _parse_settings,
    db_option,
    main,
    set_option,
)
from crawler.lock import ArchiveBusy
from crawler.profiles import ProfileError

redis_option = click.option("--redis", "redis_url", required=True, metavar="URL",
                            help="The Redis server holding the queue (redis://host:6379/0).")
queue_option = click.option("--queue", default="portal-archive", show_default=True,
                            help="Name of the queue in Redis (a key prefix); several crawls "
                                 "can share one Redis.")


@main.command()
@click.argument("sites", type=click.File("r", encoding="utf-8"))
@redis_option
@queue_option
@click.option("--reset", is_flag=True,
              help="First delete the queue's keys in Redis, the duplicates filter included "
                   "(a new round; only when no worker runs).")
def enqueue(sites: Any, redis_url: str, queue: str, reset: bool) -> None:
    """Push the sites of SITES (a file, - for standard input) to the shared queue.

    One site a line: a start URL, a profile name, or a start URL and a profile name;
    blank lines and # comments are skipped.

    \b
    Example:
      portal-archive enqueue sites.txt --redis redis://127.0.0.1:6379/0
    """
    import redis

    try:
        count = api.enqueue(sites.readlines(), redis_url, queue, reset=reset)
    except (ProfileError, ValueError, redis.RedisError) as exc:
        _cannot_run(exc)
    click.echo(f"enqueued {count} sites")


@main.command()
@redis_option
@db_option
@queue_option
@click.option("--exit-when-idle", is_flag=True,
              help="Stop once the queue has no work left (default: wait for more).")
@click.option("--known", type=ARCHIVE_PATH, metavar="ARCHIVE",
              help="The merged archive of earlier rounds: its articles are not fetched again.")
@set_option
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
def worker(redis_url: str, db: str, queue: str, exit_when_idle: bool, known: str | None,
           settings: tuple[str, ...], verbose: bool) -> None:
    """Crawl sites from the shared queue into the archive shard --db (one worker a shard).

    \b
    Example:
      portal-archive worker --redis redis://10.0.0.5:6379/0 --db shard-1.db --exit-when-idle
      portal-archive worker --redis redis://10.0.0.5:6379/0 --db shard-1.db --known archive.db
    """
    import redis

    overrides = _parse_settings(settings)
    overrides.setdefault("LOG_LEVEL", "INFO" if verbose else "WARNING")
    try:
        summary = api.worker(redis_url, db, queue, exit_when_idle, settings=overrides,
                             known=known)
    except (ArchiveBusy, ValueError, redis.RedisError) as exc:
        _cannot_run(exc)
    click.echo(summary.describe())
    sys.exit(summary.exit_code)


@main.command()
@click.argument("shards", nargs=-1, required=True, type=ARCHIVE_PATH)
@click.option("--into", default="archive.db", show_default=True,
              type=ARCHIVE_PATH, metavar="FILE", help="The archive to merge into.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def merge(shards: tuple[str, ...], into: str, as_json: bool) -> None:
    """Merge worker shards into one archive: one row per article, every version kept.

    Idempotent (merging a shard again adds nothing) and safe while the workers go on.

    \b
    Example:
      portal-archive merge shard-*.db --into archive.db
    """
    try:
        result = api.merge(list(shards), into)
    except (ArchiveBusy, ValueError, OSError, sqlite3.Error) as exc:
        _cannot_run(exc)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for shard, c in result["shards"].items():
        click.echo(f"{shard}: runs {c['runs']}, captures {c['captures']}, articles new "
                   f"{c['articles_new']} changed {c['articles_changed']} same "
                   f"{c['articles_same']}, versions {c['versions']}, aliases {c['aliases']}")
    t = result["total"]
    s = t["stats"]
    click.echo(f"{into}: {t['articles']} articles, {t['failures']} failures; the shards' runs: "
               f"requests {int(s.get('downloader/request_count', 0))}, "
               f"{s.get('downloader/response_bytes', 0) / 1e6:.1f} MB, "
               f"{s.get('elapsed_seconds', 0):.1f} worker-seconds")
