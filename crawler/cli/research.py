"""The researchers' commands: search, export, reextract, warc-check, rebuild-fts, report,
replay."""

from __future__ import annotations

import json
import signal
import sqlite3
import sys

import click

from crawler import api
from crawler.cli.common import _cannot_run, db_option, main
from crawler.lock import ArchiveBusy
from crawler.profiles import ProfileError

since_option = click.option("--since", metavar="DATE",
                            help="Only articles published on or after DATE (YYYY-MM-DD).")
until_option = click.option("--until", metavar="DATE",
                            help="Only articles published on or before DATE (YYYY-MM-DD).")


@main.command()
@click.argument("query", nargs=-1, required=True)
@db_option
@click.option("--site", help="Only articles of this site profile.")
@click.option("--category", help="Only articles of this category, as the portal names it.")
@since_option
@until_option
@click.option("--author", help="Only articles by this author, as the page names them.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--sort", type=click.Choice(api.SEARCH_SORTS), default="rank",
              show_default=True,
              help="Best matches first (bm25), or by publication date, undated articles last.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def search(query: tuple[str, ...], db: str, site: str | None, category: str | None,
           since: str | None, until: str | None, author: str | None, limit: int, sort: str,
           as_json: bool) -> None:
    """Full-text search of titles, summaries and bodies, best matches first (bm25) or by date.

    With or without diacritics, any case: "dang vien" finds "đảng viên". All words must
    occur; "a phrase" keeps its words in order; dang* is a prefix; a OR b, a AND b,
    a NOT b (uppercase) and ( ) combine them; NEAR(a b, 10) finds words at most 10 apart.
    Matched words are shown [in brackets], after how many articles match in all.

    \b
    Example:
      portal-archive search dang vien --db archive.db --since 2020-01-01
      portal-archive search '"phát triển đảng"' --category "Hoạt động" --json
      portal-archive search '(bao OR lu) NOT "bao cao"' --sort newest
    """
    try:
        hits = api.search(" ".join(query), db, site=site, category=category, since=since,
                          until=until, author=author, limit=limit, sort=sort)
    except (ValueError, OSError, sqlite3.Error) as exc:
        _cannot_run(exc)
    if as_json:
        click.echo(json.dumps({"total": hits.total, "hits": hits}, ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo("no article matches", err=True)
    else:
        click.echo(f"{len(hits)} of {hits.total} "
                   + ("article matches" if hits.total == 1 else "articles match"))
    for i, hit in enumerate(hits, 1):
        click.echo(f"{i:3d}. {(hit['published'] or '')[:10]:<10}  {hit['category'] or ''}  "
                   f"({hit['site']} {hit['key']})")
        click.echo(f"     {hit['title_highlighted']}")
        if hit["snippet"]:
            click.echo(f"     {hit['snippet']}")
        click.echo(f"     {hit['url']}")


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "wacz"]), default="jsonl",
              show_default=True, help="JSON Lines, or CSV with JSON-encoded list columns; or "
                                      "wacz: the WARC records, their index and one page an "
                                      "article, for replay (needs -o).")
@since_option
@until_option
@click.option("--site", help="Only articles of this site profile.")
@click.option("-o", "--output", default="-", show_default=True,
              type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write; - for standard output.")
def export(db: str, fmt: str, since: str | None, until: str | None, site: str | None,
           output: str) -> None:
    """Export articles, one per line, with their images, attachments and related entries.

    Streams: memory stays constant however large the archive. --format wacz writes a WACZ
    file for replay (ReplayWeb.page, pywb): the WARC records of the selected articles (with
    their photos and attachments; with --site alone, every capture of the site), a CDXJ
    index, pages/pages.jsonl with one page an article, and datapackage.json with the hashes.

    \b
    Example:
      portal-archive export --format jsonl --since 2021-01-01 -o articles.jsonl
      portal-archive export --format csv --site vpubnd-replica > articles.csv
      portal-archive export --format wacz --since 2021-01-01 -o portal.wacz
    """
    if fmt == "wacz":
        try:
            result = api.export_wacz(db, output, site=site, since=since, until=until)
        except (ValueError, OSError, sqlite3.Error) as exc:
            _cannot_run(exc)
        click.echo(result.describe(), err=True)
        return
    try:
        count = api.export(db, fmt, None if output == "-" else output, site=site, since=since,
                           until=until)
    except (ValueError, OSError, sqlite3.Error) as exc:
        _cannot_run(exc)
    click.echo(f"exported {count} articles" + ("" if output == "-" else f" to {output}"),
               err=True)


@main.command()
@db_option
@click.option("--site", help="Only captures of this site profile.")
@click.option("--since", metavar="DATE", help="Only captures fetched on or after DATE.")
def reextract(db: str, site: str | None, since: str | None) -> None:
    """Rebuild articles from the stored captures, with no network.

    Each capture is read with the layout its site's profile names for the capture's date
    (layout_history), so a fixed or dated layout repairs the archive without fetching again.
    Exit code 3 when a capture could not be read.

    \b
    Example:
      portal-archive reextract --db archive.db --site vpubnd-replica --since 2026-01-01
    """
    try:
        result = api.reextract(db, site=site, since=since)
    except (OSError, sqlite3.Error, ProfileError, ArchiveBusy) as exc:
        _cannot_run(exc)
    click.echo(result.describe())
    for error in result.errors[:20]:
        click.echo(f"  {error}", err=True)
    sys.exit(api.EXIT_FAILURES if result.errors else api.EXIT_OK)


@main.command(name="warc-check")
@db_option
def warc_check(db: str) -> None:
    """Verify the archive's WARC files and that every capture's record matches it.

    Reads every record of every WARC file (digests), finds each capture's record at its
    offset and compares its sha256, and checks bodies kept in archive.db and downloaded files.
    Exit code 3 when anything does not match.

    \b
    Example:
      portal-archive warc-check --db archive.db
    """
    try:
        result = api.warc_check(db)
    except (OSError, sqlite3.Error) as exc:
        _cannot_run(exc)
    click.echo(result.describe())
    sys.exit(api.EXIT_OK if result.ok else api.EXIT_FAILURES)


@main.command(name="rebuild-fts")
@db_option
def rebuild_fts(db: str) -> None:
    """Rebuild the full-text search index from the articles.

    Triggers keep the index in step with every write; rebuild it after restoring a copy or
    after another tool rebuilt it (sqlite-utils rebuild-fts drops the đ→d folding).

    \b
    Example:
      portal-archive rebuild-fts --db archive.db
    """
    try:
        count = api.rebuild_fts(db)
    except (OSError, sqlite3.Error) as exc:
        _cannot_run(exc)
    click.echo(f"indexed {count} articles")


@main.command()
@db_option
@click.option("-o", "--output", default="report.html", show_default=True,
              type=click.Path(dir_okay=False), help="The HTML file to write.")
def report(db: str, output: str) -> None:
    """Write the coverage report: one self-contained HTML page.

    Per site and category, articles per month over the archive's span and the months with no
    article; failures by reason; the last runs.

    \b
    Example:
      portal-archive report --db archive.db -o report.html
    """
    try:
        path = api.report(db, output)
    except (OSError, sqlite3.Error) as exc:
        _cannot_run(exc)
    click.echo(f"wrote {path}")


@main.command()
@db_option
@click.option("--folder", type=click.Path(file_okay=False), metavar="DIR",
              help="pywb's folder (default: the archive folder's replay/).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: a free one).")
def replay(db: str, folder: str | None, port: int) -> None:
    """Replay the archive's WARC files in a browser with pywb, until Ctrl-C.

    Runs pywb's own commands (make setup installs them in .venv/pywb): wb-manager init and
    add (a collection "portal" with every WARC file of the archive, copied once), then
    wayback on 127.0.0.1. An article is at /portal/<its warc_date as 14 digits>/<its url>.

    \b
    Example:
      portal-archive replay --db archive.db --port 8080
    """
    from crawler.replay import COLLECTION, PywbMissing

    try:
        server = api.replay(db, folder, port)
    except (PywbMissing, ValueError, RuntimeError, OSError) as exc:
        _cannot_run(exc)
    click.echo(f"pywb replays {db} at {server.url}/{COLLECTION}/ (Ctrl-C stops it)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(api.EXIT_INTERRUPTED))
    try:
        code = server.wait()
    except KeyboardInterrupt:
        code = api.EXIT_INTERRUPTED
    finally:
        server.stop()  # on Ctrl-C, a SIGTERM or wayback's own exit
    sys.exit(code)
