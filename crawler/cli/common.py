"""What every command shares: the ``portal-archive`` group, its options and how a command
that cannot run says so (one line, exit 2)."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from crawler import __version__, api
from crawler.archivefile import ArchiveUnusable
from crawler.lock import ArchiveBusy


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
