"""The Python API; the CLI (``crawler.cli``) is a thin wrapper over these functions.

>>> from crawler.api import crawl
>>> summary = crawl(["http://127.0.0.1:8080/"], db="archive.db",
...                 settings={"DOWNLOAD_DELAY": 0})            # doctest: +SKIP
>>> summary.status, summary.stats["archive/articles/new"]       # doctest: +SKIP
('complete', 320)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawler.archivefile import check_archive
from crawler.export import export as export  # re-exported: search, export and report are API
from crawler.lock import ArchiveBusy, ArchiveLock
from crawler.profiles import Profile, profile_for
from crawler.reextract import ReextractReport
from crawler.reextract import reextract as _reextract
from crawler.report import report as report
from crawler.search import SEARCH_SORTS as SEARCH_SORTS
from crawler.search import MalformedQuery as MalformedQuery  # what search raises for a bad query
from crawler.search import rebuild_fts as rebuild_fts
from crawler.search import search as search
from crawler.storage import Archive
from crawler.wacz import export_wacz as export_wacz  # export --format wacz, with its report
from crawler.warccheck import warc_check as warc_check  # re-exported

if TYPE_CHECKING:  # Scrapy is imported by the commands that crawl, not by the CLI's start
    from scrapy.settings import Settings

    from crawler.extraction.learn import LearnedProfile

EXIT_OK = 0
EXIT_INTERRUPTED = 1
EXIT_CANNOT_RUN = 2
EXIT_FAILURES = 3

#: Settings that lift politeness, for loopback replicas only.
LOOPBACK_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_DELAY_JITTER": 0,
}


@dataclass
class CrawlSummary:
    crawl_id: int | None
    site: str
    status: str
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return {"complete": EXIT_OK, "failures": EXIT_FAILURES,
                "degraded": EXIT_FAILURES}.get(self.status, EXIT_INTERRUPTED)

    def _budget_line(self) -> str:
        """The URL templates the page budgets cut, and the URLs left unfetched."""
        spent = self.stats.get("archive/budget") or {}
        cut = spent.get("templates_cut") or []
        if not cut:
            return ""
        shown = ", ".join(f"{c['template']} ({c['reason']}, {c['fetched']} fetched)"
                          for c in cut[:5])
        more = f" and {len(cut) - 5} more" if len(cut) > 5 else ""
        return (f"\ncut {len(cut)} URL template(s), {spent.get('unfetched', 0)} URLs left "
                f"unfetched: {shown}{more}")

    def describe(self) -> str:
        s = self.stats
        return (
            f"run {self.crawl_id} ({self.site}): {self.status} in "
            f"{s.get('elapsed_seconds', 0):.1f} s; articles new {s.get('archive/articles/new', 0)}"
            f", changed {s.get('archive/articles/changed', 0)}"
            f", unchanged {s.get('archive/articles/unchanged', 0)}"
            f", failed {s.get('archive/failures', 0)}; requests "
            f"{s.get('downloader/request_count', 0)}, "
            f"{s.get('downloader/response_bytes', 0) / 1e6:.1f} MB"
        ) + self._budget_line() + "".join(f"\nWARNING: {d}" for d in [
            *([s["archive/fallback"]] if s.get("archive/fallback") else []),
            *s.get("archive/degraded", [])]
        ) + "".join(
            f"\nWARNING: the portal moved: {old} answers with a permanent redirect to {new} "
            "(not followed; list its host in the profile's aliases to crawl it)"
            for old, new in (s.get("archive/moved_to") or {}).items()) + (
            f"\nERROR: writing the archive failed, the run stopped: {s['archive/write_error']}"
            if s.get("archive/write_error") else "") + (
            f"\n{s['archive/learned_profile']}" if s.get("archive/learned_profile") else "")


def project_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """portal-archive's Scrapy settings with ``overrides`` applied (as ``-s`` does)."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


#: Profile politeness keys and the Scrapy settings they set.
_POLITENESS = {"download_delay": "DOWNLOAD_DELAY",
               "concurrent_requests_per_host": "CONCURRENT_REQUESTS_PER_DOMAIN",
               "autothrottle_target": "AUTOTHROTTLE_TARGET_CONCURRENCY"}


def profile_settings(profile: Profile) -> dict[str, Any]:
    """The Scrapy settings a profile's ``[politeness]`` table asks for (``-s`` overrides them)."""
    out: dict[str, Any] = {}
    for key, value in profile.politeness.items():
        name = _POLITENESS[key]
        out[name] = int(value) if name == "CONCURRENT_REQUESTS_PER_DOMAIN" else value
    return out


def _skip_filtered_records(settings: Any) -> None:
    """Scrapy's root handler filters by ``LOG_LEVEL`` but leaves the root logger at NOTSET, so
    every "Crawled (200)" and "Scraped from" debug message is still made into a record (and
    its caller looked up) before the handler drops it: about 2% of the reactor thread's CPU.
    Setting the root logger's level to the handler's drops them before they are made."""
    if settings.getbool("LOG_ENABLED", True) and settings.getbool("LOG_INSTALL_ROOT_HANDLER"):
        logging.getLogger().setLevel(settings.get("LOG_LEVEL") or logging.DEBUG)


def crawl(urls: Sequence[str], db: str = "archive.db", site: str | None = None,
          settings: Mapping[str, Any] | None = None, learn: bool = True) -> CrawlSummary:
    """Crawl from ``urls`` into the archive at ``db``; returns the run's summary.

    ``learn``: when no profile matched the site (the zero-config generic fallback), learn one
    from the run's pages and write it beside the archive (:func:`learned_profile_path`).
    Runs Scrapy's reactor in this process, so it can be called once per process.
    Raises :class:`~crawler.archivefile.ArchiveUnusable` when ``db`` cannot be an archive.
    """
    check_archive(db, create=True, write=True)  # before the lock: a refused path gets no .lock
    from scrapy.crawler import CrawlerProcess

    from spiders.portal import PortalSpider

    if not urls:
        raise ValueError("give at least one start URL")
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {url!r}")
    profile = profile_for(urls[0], site or (settings or {}).get("ARCHIVE_SITE") or None)
    lock = ArchiveLock.acquire(db)  # raises ArchiveBusy when another run holds the archive
    s = project_settings({**profile_settings(profile), **(settings or {}), "ARCHIVE_DB": db})
    process = CrawlerProcess(s)
    _skip_filtered_records(s)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, start_urls=list(urls), site=site)
    try:
        process.start()
    finally:
        lock.release()
    stats = dict(crawler.stats.get_stats())
    summary = CrawlSummary(
        crawl_id=stats.get("archive/crawl_id"),
        site=getattr(crawler.spider, "site", "") if crawler.spider else "",
        status=stats.get("archive/status", "interrupted"),
        stats=stats,
    )
    # No profile matched (the generic fallback), and the run ended by itself: an interrupted
    # run (killed, disk full) writes nothing more beside the archive.
    if learn and not profile.path and summary.site and summary.status != "interrupted":
        _learn_beside(db, summary)
    return summary


# --- learning a profile from a portal's own pages (crawler/extraction/learn.py) --------------
#: Pages a zero-config sample crawl fetches for ``learn URL``.
LEARN_PAGES = 150
#: Captures read from an archive to learn from (the first ones: home, listings, articles).
LEARN_MAX_CAPTURES = 400
#: Fewer articles than this in the sample: no profile is learned.
LEARN_MIN_ARTICLES = 5


def learned_profile_path(db: str, site: str) -> Path:
    """Where a crawl writes the profile it learned for ``site``: a ``<db stem>.profiles``
    folder beside the archive (``archive.db`` -> ``archive.profiles/<site>.toml``), ready to
    be named by ``ARCHIVE_PROFILES_DIR``."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", site).strip("-") or "site"
    return Path(db).with_suffix(".profiles") / f"{name}.toml"


def _captured_pages(db: str, site: str | None, limit: int = LEARN_MAX_CAPTURES
                    ) -> list[tuple[str, bytes]]:
    """(final URL, body) of the first ``limit`` HTML captures of ``site`` in ``db``."""
    pages = []
    with Archive(db, readonly=True) as archive:
        for cap in archive.html_captures(site=site):
            pages.append((cap["final_url"] or cap["url"], archive.capture_body(cap["id"])))
            if len(pages) >= limit:
                break
    return pages


def _learn_beside(db: str, summary: CrawlSummary) -> None:
    """Learn a profile from the run's site and write it beside the archive; the summary says
    where. Never fails the crawl: a sample too small or an error is a line in the summary."""
    from crawler.extraction.learn import learn as learn_pages

    try:
        pages = _captured_pages(db, summary.site)
        learned = learn_pages(pages, name=summary.site)
        if learned.articles < LEARN_MIN_ARTICLES:
            return
        path = learned_profile_path(db, summary.site)
        path.parent.mkdir(exist_ok=True)
        path.write_text(learned.to_toml(), encoding="utf-8")
    except Exception as exc:  # noqa: BLE001  # the crawl is done; learning is a bonus
        summary.stats["archive/learned_profile"] = f"could not learn a profile: {exc}"
        return
    summary.stats["archive/learned_profile"] = (
        f"no profile matched {summary.site}: learned one, written to {path} ("
        f"{learned.describe()}); review it, then crawl with ARCHIVE_PROFILES_DIR={path.parent}"
        + _reread_refused(db, summary, path.parent))


def _reread_refused(db: str, summary: CrawlSummary, profiles_dir: Path) -> str:
    """Read the run's pages that the fallback refused again, with the profile just learned
    (a page the fallback could not read alone is read by the portal's article template);
    what they give is archived. Its line for the summary."""
    try:
        lock = ArchiveLock.acquire(db)
    except ArchiveBusy as exc:  # another run took the archive meanwhile
        return f"\nthe refused pages were not read again: {exc}"
    try:
        found = _reextract(db, site=summary.site, profiles_dir=str(profiles_dir),
                           crawl_id=summary.crawl_id, refused_only=True)
    except Exception as exc:  # noqa: BLE001  # the crawl is done; this is a bonus
        return f"\nthe refused pages were not read again: {exc}"
    finally:
        lock.release()
    summary.stats["archive/reread_new"] = found.write.new
    return (f"\nread again with it, the {found.captures} pages the fallback refused: "
            f"{found.write.new} archived as articles")


def learn(url: str | None = None, output: str | None = None, db: str | None = None,
          site: str | None = None, pages: int = LEARN_PAGES,
          settings: Mapping[str, Any] | None = None) -> tuple[LearnedProfile, Path | None]:
    """Learn a site profile from a portal's own pages and write it as TOML to ``output``
    (none: not written). Returns the profile and the path written.

    With ``db``: the HTML captures of that archive (of ``site``, else of ``url``'s host, else
    of its only site) are read; no network. Without: a zero-config crawl of at most ``pages``
    pages from ``url`` fills a temporary archive first (Scrapy's reactor: once per process).
    The profile is named after ``output``'s file name, else after the site.
    Raises ValueError on bad input, :class:`~crawler.archivefile.ArchiveUnusable` on an
    archive that cannot be read.
    """
    import tempfile

    from crawler.extraction.learn import learn as learn_pages
    from crawler.profiles import GENERIC

    if url is not None and not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    if url is None and db is None:
        raise ValueError("give a start URL to crawl a sample, or --db to read an archive")
    if pages < 10:
        raise ValueError(f"a sample of {pages} pages is too small to learn from (10 at least)")
    out = Path(output) if output else None
    if out is not None and not out.parent.is_dir():
        raise ValueError(f"no folder {out.parent} for {out}")
    if db is not None:
        check_archive(db)
        if site is None and url is not None:
            site = profile_for(url, GENERIC).name
        if site is None:
            with Archive(db, readonly=True) as archive:
                sites = sorted({c["site"] for c in archive.crawls(1000)})
            if len(sites) != 1:
                raise ValueError(f"{db} holds {len(sites)} sites; name one with --site "
                                 f"({', '.join(sites)})")
            site = sites[0]
        sample = _captured_pages(db, site)
    else:
        assert url is not None
        with tempfile.TemporaryDirectory(prefix="portal-archive-learn-") as folder:
            sample_db = str(Path(folder) / "sample.db")
            crawl([url], db=sample_db, site=GENERIC, learn=False, settings={
                "LOG_LEVEL": "ERROR", "ARCHIVE_PROGRESS": "off", **(settings or {}),
                "ARCHIVE_MAX_PAGES": pages, "ARCHIVE_MAX_PAGES_PER_ARTICLE": 0,
                "ARCHIVE_FILES": False, "ARCHIVE_WARC": False, "ARCHIVE_EXTRACT_WORKERS": 0})
            sample = _captured_pages(sample_db, None)
    if not sample:
        raise ValueError("no HTML page to learn from" + (f" for site {site!r} in {db}"
                                                          if db else f" at {url}"))
    base = url or sample[0][0]
    parts = urlsplit(base)
    learned = learn_pages(sample, name=out.stem if out else (site or parts.netloc),
                          base_url=f"{parts.scheme}://{parts.netloc}/")
    if learned.articles < LEARN_MIN_ARTICLES:
        raise ValueError(f"only {learned.articles} article(s) among {learned.pages} pages: "
                         f"too few to learn a profile from")
    if out is not None:
        out.write_text(learned.to_toml(), encoding="utf-8")
    return learned, out


def reextract(db: str = "archive.db", site: str | None = None, since: str | None = None,
              profiles_dir: str | None = None) -> ReextractReport:
    """Rebuild the articles of ``db`` from its stored captures, with no network: each capture
    (of ``site``, fetched on or after the ISO date ``since``) is read with the layout its
    profile names for the capture's date. Holds the archive's lock while it writes."""
    check_archive(db, write=True)
    lock = ArchiveLock.acquire(db)
    try:
        return _reextract(db, site=site, since=since, profiles_dir=profiles_dir)
    finally:
        lock.release()


def migrate(db: str = "archive.db") -> dict[str, Any]:
    """Bring the archive at ``db`` to this version's schema, as every command that writes does
    when it opens one (commands that only read refuse an archive that needs it), and leave it
    in rollback-journal mode, one file ready for read-only media. Returns the migrations
    applied and the journal mode ("wal" when another process still has it open)."""
    from crawler.storage import in_wal_mode, pending_migrations

    check_archive(db, write=True)
    lock = ArchiveLock.acquire(db)
    try:
        pending = pending_migrations(db)
        Archive(db).close()
    finally:
        lock.release()
    return {"applied": pending, "journal_mode": "wal" if in_wal_mode(db) else "delete"}


def runs(db: str = "archive.db", limit: int = 20) -> list[dict[str, Any]]:
    """The last ``limit`` runs recorded in the archive, newest first."""
    check_archive(db)
    with Archive(db, readonly=True) as archive:
        return archive.crawls(limit)


def profiles() -> list[dict[str, Any]]:
    """Every site profile: name, layout, base URL, hosts and the file it came from."""
    from crawler.profiles import load_profiles

    return [{"name": p.name, "layout": p.layout, "base_url": p.base_url,
             "hosts": [*p.hosts, *p.host_ports], "file": p.path}
            for p in sorted(load_profiles().values(), key=lambda p: p.name)]


def check_profile(name: str, url: str, timeout: float = 30.0) -> dict[str, Any]:
    """Fetch one page with the profile's layout and return what it extracts (like
    ``scrapy parse``): the article's fields, or the page's links when it holds no article."""
    import urllib.request
    from dataclasses import asdict

    from crawler.extraction.layouts import get_layout
    from crawler.extraction.page import Page
    from crawler.profiles import profile_for
    from crawler.storage import utcnow

    profile = profile_for(url, name)
    layout = get_layout(profile.layout, profile.selectors)
    agent = project_settings().get("USER_AGENT").replace("{contact}", "check-profile")
    request = urllib.request.Request(url, headers={"User-Agent": agent})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        page = Page(url=response.geturl(), body=response.read(),
                    headers=dict(response.headers.items()), fetched_at=utcnow())
    article = layout.article(page, profile.name)
    links = layout.links(page)
    out: dict[str, Any] = {"profile": profile.name, "layout": layout.name, "url": page.url}
    if article is not None:
        out["article"] = {**asdict(article), "content_hash": article.content_hash}
    out["links"] = {"articles": len(links.articles), "listings": len(links.listings),
                    "next_page": links.next_page, "related": len(links.related)}
    return out


@contextmanager
def replica(**kwargs: Any) -> Iterator[Any]:
    """Serve the bundled replica portal on a free loopback port for the duration."""
    from replica.server import ReplicaServer

    with ReplicaServer(**kwargs) as server:
        yield server


DEMO_QUERIES = (
    'sqlite-utils {db} "select published, category, title from articles '
    'order by published desc limit 5" --table',
    'sqlite-utils {db} "select category, count(*) as n, min(published) as first, '
    'max(published) as last from articles group by category" --table',
    'sqlite-utils {db} "select a.title, i.caption, i.credit from images i '
    "join articles a on a.id = i.article_id where i.credit = 'Huy Dương'\" --table",
)


#: The bundled profile of the demo's replica (bundled profiles are chosen by name only).
DEMO_SITE = "vpubnd-replica"


def demo(db: str = "archive.db", settings: Mapping[str, Any] | None = None
         ) -> tuple[CrawlSummary, dict[str, Any]]:
    """Serve the replica portal, crawl it into ``db``; returns the run and the archive summary."""
    logging.getLogger("scrapy").setLevel(logging.WARNING)
    with replica() as server:
        summary = crawl([server.url + "/"], db=db, site=DEMO_SITE,
                        settings={**LOOPBACK_SETTINGS, **(settings or {})})
    with Archive(db) as archive:
        overview = archive.summary(summary.site)
    return summary, overview


# --- scale-out: a shared queue in Redis, workers with their own shards, a merge -------------
def enqueue(lines: Sequence[str], redis_url: str, queue: str = "portal-archive",
            reset: bool = False) -> int:
    """Push the sites of a site list (``URL``, ``PROFILE`` or ``URL PROFILE`` a line) to the
    queue at ``redis_url``; returns how many sites were pushed. Raises ValueError on a bad
    line or an unknown profile, before anything is pushed."""
    from crawler.distributed import connect, read_site_list
    from crawler.distributed import enqueue as push

    seeds = read_site_list(lines)
    return push(seeds, connect(redis_url), queue, reset=reset)


def worker(redis_url: str, db: str, queue: str = "portal-archive", exit_when_idle: bool = False,
           settings: Mapping[str, Any] | None = None, known: str | None = None
           ) -> CrawlSummary:
    """Work for the queue at ``redis_url``, writing every fetch to the shard ``db``; returns
    when stopped, or when the queue has no work left with ``exit_when_idle``. ``known``: the
    merged archive of earlier rounds, whose articles are not fetched again.

    Runs Scrapy's reactor in this process, so it can be called once per process.
    """
    check_archive(db, create=True, write=True)
    if known is not None:  # read-only, as the worker reads it: refused here, not in the crawl
        Archive(known, readonly=True).close()
    from scrapy.crawler import CrawlerProcess

    from crawler.distributed import connect
    from spiders.worker import WorkerSpider

    connect(redis_url).ping()
    lock = ArchiveLock.acquire(db)  # one writer per shard
    s = project_settings({  # the spider adds the scheduler, queue, extension and pipeline
        **(settings or {}), "REDIS_URL": redis_url, "ARCHIVE_QUEUE": queue,
        "ARCHIVE_WORKER_EXIT_WHEN_IDLE": exit_when_idle, "ARCHIVE_DB": db,
        **({"ARCHIVE_KNOWN_DB": known} if known else {})})
    process = CrawlerProcess(s)
    _skip_filtered_records(s)
    crawler = process.create_crawler(WorkerSpider)
    process.crawl(crawler)
    try:
        process.start()
    finally:
        lock.release()
    stats = dict(crawler.stats.get_stats())
    return CrawlSummary(crawl_id=stats.get("archive/crawl_id"),
                        site=getattr(crawler.spider, "site", "") if crawler.spider else "",
                        status=stats.get("archive/status", "interrupted"), stats=stats)


def replay(db: str = "archive.db", folder: str | None = None, port: int = 8080) -> Any:
    """Serve the WARC files of ``db`` with pywb on 127.0.0.1:``port`` (0: a free port), from
    ``folder`` (``<archive folder>/replay`` by default; see :mod:`crawler.replay`). Returns
    the started :class:`~crawler.replay.Wayback` (its ``url``, ``wait()``, ``stop()``).
    Raises :class:`~crawler.replay.PywbMissing` when pywb is not installed."""
    from crawler.replay import Wayback, prepare

    check_archive(db)
    return Wayback(prepare(db, folder), port).start()


def merge(shards: Sequence[str], into: str = "archive.db") -> dict[str, Any]:
    """Merge worker shards into the archive ``into`` (created if needed); idempotent, and safe
    while the workers go on writing. Returns the counts per shard and in total, with the
    shards' run statistics summed."""
    from crawler.storage import _sum_stats

    for shard in shards:
        check_archive(shard, write=True)  # opening a shard brings its schema up to date
    check_archive(into, create=True, write=True)
    lock = ArchiveLock.acquire(into)
    try:
        with Archive(into) as archive:
            per_shard = {}
            for shard in shards:
                with Archive(shard):  # brings an older shard's schema up to date
                    pass
                per_shard[shard] = archive.merge_shard(shard)
            total = {k: sum(c[k] for c in per_shard.values())
                     for k in next(iter(per_shard.values()), {}) if k != "stats"}
            total["articles"] = archive.db["articles"].count
            total["failures"] = archive.db["failures"].count
            total["stats"] = _sum_stats(c["stats"] for c in per_shard.values())
    finally:
        lock.release()
    return {"shards": per_shard, "total": total}
