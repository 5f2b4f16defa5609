"""The archivists' commands: crawl, demo, runs, profiles, check-profile, learn, migrate."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from datetime import date
from pathlib import Path

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
        click.echo("  " + query.format(db=db).replace("sqlite-utils", _command("sqlite-utils"), 1))
    click.echo(f"  {_command('portal-archive')} warc-check --db {db}")
    sys.exit(summary.exit_code if summary.status != "failures" else api.EXIT_OK)


def _command(name: str) -> str:
    """How to call the command ``name`` from here: the one beside this Python (a virtualenv,
    ``.venv/bin/name`` when under the current folder) unless PATH finds that same one, else
    the bare name."""
    beside = Path(sys.executable).parent / name
    if beside.exists() and not shutil.which(name) == str(beside):
        try:
            return str(beside.relative_to(Path.cwd()))
        except ValueError:
            return str(beside)
    return name


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
