"""The ``portal-archive`` command: a thin wrapper over :mod:`crawler.api`.

Exit codes: 0 complete; 3 completed with failures; 1 interrupted; 2 could not run.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from crawler import __version__, api
from crawler.archivefile import ArchiveUnusable
from crawler.lock import ArchiveBusy
from crawler.profiles import ProfileError


def _parse_settings(pairs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="-s")
        name, value = pair.split("=", 1)
        out[name.strip()] = value
    return out


#: An archive path: whether it exists, can be read and is an archive is checked by
#: crawler.archivefile, which says why not in one line (click's checks print a usage screen).
ARCHIVE_PATH = click.Path(readable=False)
db_option = click.option("--db", default="archive.db", show_default=True, metavar="FILE",
                         type=ARCHIVE_PATH, help="The SQLite archive.")
set_option = click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE",
                          help="Override a Scrapy setting, as `scrapy crawl -s` does.")


def _cannot_run(exc: Exception) -> NoReturn:
    click.echo(f"portal-archive: cannot run: {exc}", err=True)
    sys.exit(api.EXIT_CANNOT_RUN)


class _Commands(click.Group):
    """Every command: an archive path that cannot be used (:mod:`crawler.archivefile`) or an
    archive another run holds is one line on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ArchiveUnusable, ArchiveBusy) as exc:
            _cannot_run(exc)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="portal-archive")
def main() -> None:
    """Archive Vietnamese government portals into a SQLite archive."""


@main.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--site", help="Site profile name (default: the profile matching the URL).")
@db_option
@set_option
@click.option("--refresh", is_flag=True,
              help="Check archived articles again (conditional requests where possible).")
@click.option("--refresh-since", metavar="DATE",
              help="With --refresh: only articles published on or after DATE (YYYY-MM-DD).")
@click.option("--refresh-days", type=int, metavar="N",
              help="With --refresh: only articles published in the last N days.")
@click.option("--chains-only", is_flag=True,
              help="Follow only 'Các tin đã đăng' chains from the start URLs.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
def crawl(urls: tuple[str, ...], site: str | None, db: str, settings: tuple[str, ...],
          refresh: bool, refresh_since: str | None, refresh_days: int | None,
          chains_only: bool, verbose: bool) -> None:
    """Crawl a portal from URLS (home page, listing or article) into the archive.

    \b
    Example:
      portal-archive crawl http://127.0.0.1:8080/ --db archive.db \\
          -s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False
    """
    overrides = _parse_settings(settings)
    if refresh or refresh_since or refresh_days:
        overrides["ARCHIVE_REFRESH"] = True
    if refresh_since:
        try:
            date.fromisoformat(refresh_since)
        except ValueError:
            raise click.BadParameter("use YYYY-MM-DD", param_hint="--refresh-since") from None
        overrides["ARCHIVE_REFRESH_SINCE"] = refresh_since
    if refresh_days:
        overrides["ARCHIVE_REFRESH_DAYS"] = refresh_days
    if chains_only:
        overrides["ARCHIVE_FOLLOW_LISTINGS"] = False
    overrides.setdefault("LOG_LEVEL", "INFO" if verbose else "WARNING")
    try:
        summary = api.crawl(list(urls), db=db, site=site, settings=overrides)
    except (ProfileError, ArchiveBusy, ValueError) as exc:
        click.echo(f"portal-archive: cannot run: {exc}", err=True)
        sys.exit(api.EXIT_CANNOT_RUN)
    click.echo(summary.describe())
    sys.exit(summary.exit_code)


@main.command()
@db_option
@set_option
def demo(db: str, settings: tuple[str, ...]) -> None:
    """Serve the bundled replica portal on loopback, crawl it and summarise the archive.

    \b
    Example:
      portal-archive demo --db archive.db
    """
    overrides = {"LOG_LEVEL": "WARNING", **_parse_settings(settings)}
    summary, overview = api.demo(db, settings=overrides)
    click.echo(summary.describe())
    click.echo(f"archive {db}: {overview['articles']} articles from {overview['first']} "
               f"to {overview['last']}")
    for name, count in overview["categories"].items():
        click.echo(f"  {count:5d}  {name}")
    if overview["failures"]:
        click.echo("failures: " + ", ".join(f"{r} ×{n}" for r, n in overview["failures"].items()))
    click.echo(f"captures: {overview['warc_records']} in {overview['warc_files']} WARC "
               f"file(s) ({overview['revisits']} revisits); {overview['files']} photos and "
               f"attachments ({overview['files_bytes'] / 1e3:.0f} kB); in {overview['folder']}/")
    click.echo("\nTry:")
    for query in api.DEMO_QUERIES:
        click.echo("  " + query.format(db=db).replace("sqlite-utils", _sqlite_utils(), 1))
    click.echo(f"  {Path(sys.argv[0]).name} warc-check --db {db}")
    sys.exit(summary.exit_code if summary.status != "failures" else api.EXIT_OK)


def _sqlite_utils() -> str:
    """How to call sqlite-utils from here: the one beside this Python (a virtualenv), or PATH's."""
    beside = Path(sys.executable).parent / "sqlite-utils"
    if beside.exists() and not shutil.which("sqlite-utils") == str(beside):
        try:
            return str(beside.relative_to(Path.cwd()))
        except ValueError:
            return str(beside)
    return "sqlite-utils"


@main.command()
@db_option
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def runs(db: str, limit: int, as_json: bool) -> None:
    """List the crawl runs recorded in the archive, newest first.

    \b
    Example:
      portal-archive runs --db archive.db --limit 5
    """
    rows = api.runs(db, limit)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        s = r["stats"]
        click.echo(
            f"{r['id']:4d}  {r['started']}  {r['site']:<20} {r['status']:<11} "
            f"new {s.get('archive/articles/new', 0):5d}  "
            f"changed {s.get('archive/articles/changed', 0):4d}  "
            f"unchanged {s.get('archive/articles/unchanged', 0):5d}  "
            f"failed {s.get('archive/failures', 0):3d}  "
            f"requests {s.get('downloader/request_count', 0):5d}  "
            f"{s.get('elapsed_seconds', 0):7.1f} s"
        )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def profiles(as_json: bool) -> None:
    """List the site profiles portal-archive knows.

    \b
    Example:
      portal-archive profiles
    """
    rows = api.profiles()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['name']:<22} {r['layout']:<15} {r['base_url']:<32} {r['file']}")


@main.command(name="check-profile")
@click.argument("name")
@click.argument("url")
def check_profile(name: str, url: str) -> None:
    """Fetch URL, extract it with profile NAME's layout and print the fields (JSON).

    \b
    Example:
      portal-archive check-profile vpubnd-replica http://127.0.0.1:8080/NewsDetail.aspx?id=2661
    """
    try:
        result = api.check_profile(name, url)
    except ProfileError as exc:
        click.echo(f"portal-archive: cannot run: {exc}", err=True)
        sys.exit(api.EXIT_CANNOT_RUN)
    except OSError as exc:
        click.echo(f"portal-archive: could not fetch {url}: {exc}", err=True)
        sys.exit(api.EXIT_CANNOT_RUN)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    if "article" not in result:
        click.echo("portal-archive: no article on that page", err=True)
        sys.exit(api.EXIT_FAILURES)


@main.command()
@click.argument("url", required=False)
@click.option("-o", "--output", metavar="FILE", type=click.Path(dir_okay=False),
              help="The profile to write (TOML); its file name is the profile's name.")
@click.option("--db", default=None, metavar="FILE", type=ARCHIVE_PATH,
              help="Learn from this archive's captures instead of crawling a sample.")
@click.option("--site", help="With --db: the site whose captures to read (default: URL's "
                             "host, or the archive's only site).")
@click.option("--pages", default=api.LEARN_PAGES, show_default=True, type=int,
              help="Without --db: pages the sample crawl fetches.")
@set_option
def learn(url: str | None, output: str | None, db: str | None, site: str | None, pages: int,
          settings: tuple[str, ...]) -> None:
    """Learn a site profile from a portal's own pages and write it as TOML.

    Crawls a bounded zero-config sample of the portal at URL (or reads the captures of an
    existing archive with --db), finds what most pages repeat (menus, sidebar headings, the
    header clock), the title (the text that agrees with the links leading to each page), the
    date nearest it, the body, author and category, and writes CSS selectors for them. The
    agreement of each field on held-out articles is printed; review the file, then put it in
    a profiles folder (ARCHIVE_PROFILES_DIR). A crawl of a portal with no profile does the same
    by itself and writes the profile beside the archive.

    \b
    Example:
      portal-archive learn http://127.0.0.1:8080/ -o profiles/vpubnd.toml
      portal-archive learn http://vpubnd.example.gov.vn/ --db archive.db -o vpubnd.toml
    """
    try:
        learned, path = api.learn(url, output, db=db, site=site, pages=pages,
                                  settings=_parse_settings(settings))
    except (ValueError, ProfileError, OSError, sqlite3.Error) as exc:
        _cannot_run(exc)
    if path is None:
        click.echo(learned.to_toml(), nl=False)
    click.echo(learned.describe(), err=path is None)
    for name, share in learned.confidence.items():
        a, n = learned.agreement[name]
        shown = f"{100 * share:.0f}% ({a}/{n})" if share is not None else "nothing to check"
        click.echo(f"  {name:<9} {learned.selectors.get(name, '(generic reading)'):<40} {shown}",
                   err=path is None)
    if path is not None:
        click.echo(f"wrote {path}")


# --- the researchers' archive: search, export, rebuild-fts, report ---------------------------
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
def migrate(db: str) -> None:
    """Bring an archive written by an older portal-archive up to this version's schema.

    Every command that writes does this when it opens an archive; commands that only read
    never change one, and refuse an archive that needs it. Also leaves the archive in
    rollback-journal mode (no -wal file), ready to be copied to read-only media.

    \b
    Example:
      portal-archive migrate --db archive.db
    """
    try:
        result = api.migrate(db)
    except (OSError, sqlite3.Error) as exc:
        _cannot_run(exc)
    applied = result["applied"]
    click.echo(f"{db}: " + (f"applied {', '.join(applied)}" if applied else "up to date")
               + ("; rollback-journal mode" if result["journal_mode"] == "delete" else
                  "; still in WAL mode: another process has it open"))


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


# --- scale-out: enqueue, worker, merge ----------------------------------------------------
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


if __name__ == "__main__":
    main()
