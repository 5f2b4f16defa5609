"""Downloader middlewares (and one extension) for polite, robust fetching.

- :class:`ContactUserAgent`: the archivist's contact in the User-Agent.
- :class:`RobotsTxt`: Scrapy's robots.txt middleware, with concurrent first requests fixed and
  a robots.txt that cannot be fetched logged in one line (its traceback with -v only).
- :class:`CrawlDelay` (extension): robots.txt ``Crawl-delay`` obeyed per host.
- :class:`RetryAfter`: Scrapy's retries, waiting as long as ``Retry-After`` asks.
- :class:`OffsiteGuard`: no request leaves the site's hosts, whoever made it.
- :class:`MovedPortal`: a start URL permanently redirected off the site is reported.

Settings: ``USER_AGENT`` (may hold ``{contact}``), ``ARCHIVE_CONTACT``, ``ROBOTSTXT_OBEY``,
``ARCHIVE_CRAWL_DELAY_MAX`` (longest robots.txt crawl delay obeyed, 300 s),
``ARCHIVE_RETRY_AFTER_MAX`` (longest Retry-After wait, 60 s), Scrapy's ``RETRY_*`` and
``LOG_LEVEL`` (tracebacks of robots.txt fetches at INFO or below).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)


class ContactUserAgent:
    """Sets ``User-Agent`` from ``USER_AGENT``, ``{contact}`` filled from ``ARCHIVE_CONTACT``."""

    def __init__(self, user_agent: str) -> None:
        self.user_agent = user_agent

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactUserAgent:
        template = crawler.settings.get("USER_AGENT", "")
        contact = crawler.settings.get("ARCHIVE_CONTACT", "")
        return cls(template.replace("{contact}", contact))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        request.headers.setdefault(b"User-Agent", self.user_agent)


class RobotsTxt(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with concurrent first requests to a host fixed.

    When several requests to a host arrive before its robots.txt is parsed, they all wait on
    one Deferred; under the asyncio reactor only the first waiter receives the parser and the
    others receive ``None``, which Scrapy reads as "no robots.txt, allow everything" (seen
    with Scrapy 2.19: a disallowed URL among the start requests was fetched). Here every waiter
    reads the parser that was stored for the host once the wait is over.

    A robots.txt Scrapy cannot fetch (connection refused, DNS ...) is logged with a 20-line
    traceback of Twisted's; unless ``LOG_LEVEL`` is INFO or below (-v) it is one line.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        level = crawler.settings.get("LOG_LEVEL") or logging.DEBUG
        if isinstance(level, str):
            level = logging.getLevelName(level.upper())
        if isinstance(level, int) and level > logging.INFO:
            logging.getLogger(RobotsTxtMiddleware.__module__).addFilter(_ONE_LINE)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        stored = self._parsers.get(urlparse_cached(request).netloc)
        if stored is None or isinstance(stored, Deferred):
            return parser
        return stored


class _RobotsTxtError(logging.Filter):
    """Scrapy's "Error downloading <the request that waited>: error" and its traceback, about
    a robots.txt it could not fetch, made one line that names the robots.txt."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        args = record.args
        if isinstance(args, dict) and isinstance(args.get("request"), Request):
            host = urlparse_cached(args["request"]).netloc
            record.msg = ("robots.txt of %(host)s could not be fetched (%(f_exception)s); "
                          "its URLs are fetched as if it allowed them")
            record.args = {**args, "host": host}
        return True


_ONE_LINE = _RobotsTxtError()


# --- Retry-After ---------------------------------------------------------------------------------
def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait: delta-seconds or an HTTP-date.

    >>> retry_after_seconds(b"120")
    120.0
    >>> retry_after_seconds("Thu, 26 Nov 2026 17:00:30 GMT",
    ...                     now=datetime(2026, 11, 26, 17, 0, tzinfo=UTC))
    30.0
    """
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfter(RetryMiddleware):
    """Scrapy's RetryMiddleware, with ``Retry-After`` honoured.

    When a response that is retried (``RETRY_HTTP_CODES``: 503, 500, 429 ...) carries
    ``Retry-After``, the retry is not sent before that many seconds have passed (at most
    ``ARCHIVE_RETRY_AFTER_MAX``, 60). The wait happens before the retry reaches the downloader,
    so other requests go on meanwhile. Stats: ``archive/retry_after/count``,
    ``archive/retry_after/seconds`` (the total asked for, after the cap).
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("ARCHIVE_RETRY_AFTER_MAX", 60.0)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            if wait:
                wait = min(wait, self.max_wait)
                result.meta[NOT_BEFORE] = time.monotonic() + wait
                self.crawler.stats.inc_value("archive/retry_after/count")
                self.crawler.stats.inc_value("archive/retry_after/seconds", wait)
        return result

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        wait = request.meta.get(NOT_BEFORE, 0) - time.monotonic()
        if wait > 0:
            await sleep(wait)


#: Request meta key: ``time.monotonic()`` before which a retry must not be sent.
NOT_BEFORE = "archive_not_before"


# --- robots.txt Crawl-delay ----------------------------------------------------------------------
def crawl_delay_slot(crawl_delay: float | None, download_delay: float, jitter: float,
                     max_delay: float) -> tuple[float, float] | None:
    """(delay, jitter) for the downloader slot of a host whose robots.txt asks for
    ``Crawl-delay``, or None when ``DOWNLOAD_DELAY`` already keeps it.

    Scrapy waits ``delay × (1 ± jitter)`` between requests to a slot; the delay is raised so
    that even the shortest wait is the crawl delay (capped at ``max_delay``).

    >>> crawl_delay_slot(1, 0, 0, 60), crawl_delay_slot(4, 1.0, 0.5, 60)
    ((1.0, 0.0), (8.0, 0.5))
    >>> crawl_delay_slot(None, 1.0, 0.5, 60), crawl_delay_slot(0.5, 1.0, 0, 60)
    (None, None)
    """
    if not crawl_delay or crawl_delay <= 0:
        return None
    wanted = min(float(crawl_delay), max_delay)
    if jitter >= 1:
        jitter = 0.0  # a jitter of 100% could wait not at all
    if download_delay * (1 - jitter) >= wanted:
        return None
    return wanted / (1 - jitter), float(jitter)


class CrawlDelay:
    """Obeys ``Crawl-delay`` in robots.txt: the host's downloader slot waits at least that long
    between requests (at most ``ARCHIVE_CRAWL_DELAY_MAX``, 300 s), whatever ``DOWNLOAD_DELAY``
    and AutoThrottle say.

    An extension, after AutoThrottle: it listens to ``robots_parsed`` (sets the slot's delay,
    and ``DOWNLOAD_SLOTS`` for a slot made later) and to ``response_downloaded`` (puts the
    delay back where AutoThrottle lowered it). Stats: ``archive/robots/crawl_delay/<host>``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.max_delay = settings.getfloat("ARCHIVE_CRAWL_DELAY_MAX", 300.0)
        self.user_agent = (settings.get("ROBOTSTXT_USER_AGENT")
                           or settings.get("USER_AGENT", "")).replace(
                               "{contact}", settings.get("ARCHIVE_CONTACT", ""))
        #: slot key -> (delay, jitter) kept for it
        self.floors: dict[str, tuple[float, float]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelay:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        return ext

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        asked = robotparser.crawl_delay(self.user_agent)
        settings = self.crawler.settings
        kept = crawl_delay_slot(asked, settings.getfloat("DOWNLOAD_DELAY"),
                                settings.getfloat("DOWNLOAD_DELAY_JITTER", 0.5), self.max_delay)
        if kept is None:
            return
        netloc = urlparse_cached(request).netloc
        self.crawler.stats.set_value(f"archive/robots/crawl_delay/{netloc}", asked)
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        self.floors[key] = kept
        downloader.per_slot_settings[key] = {
            **downloader.per_slot_settings.get(key, {}), "delay": kept[0], "jitter": kept[1]}
        slot = downloader.slots.get(key)
        if slot is not None:
            self._raise(slot, kept)

    def response_downloaded(self, response: Response, request: Request) -> None:
        key = request.meta.get("download_slot")
        kept = self.floors.get(key) if key is not None else None
        slot = self.crawler.engine.downloader.slots.get(key) if kept else None
        if slot is not None:
            self._raise(slot, kept)

    @staticmethod
    def _raise(slot: Any, kept: tuple[float, float]) -> None:
        slot.delay = max(slot.delay, kept[0])
        slot.jitter = kept[1]


# --- the site's hosts only -----------------------------------------------------------------------
class OffsiteGuard:
    """Drops any request to a host the spider does not crawl (``spider.allowed(url)``): the
    spider never asks for one, but Scrapy's RedirectMiddleware follows robots.txt and form
    redirects to any host. Stats: ``archive/links/offsite_blocked``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteGuard:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        allowed = getattr(self.crawler.spider, "allowed", None)
        if allowed is not None and not allowed(request.url):
            self.crawler.stats.inc_value("archive/links/offsite_blocked")
            raise IgnoreRequest(f"off the site: {request.url}")


class MovedPortal:
    """Notices a portal that moved: a start URL answered with a permanent redirect (301, 308)
    to a host the crawl does not cover (a merged portal's new domain). The run's stats say
    where (``archive/moved_to``: {start URL: new location}) and a warning says how to follow
    it (list the new host in the profile's ``aliases``). Nothing is requested there."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MovedPortal:
        return cls(crawler)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        spider = self.crawler.spider
        if response.status not in (301, 308) or spider is None:
            return response
        first = (request.meta.get("redirect_urls") or [request.url])[0]
        location = response.headers.get(b"Location")
        if first not in getattr(spider, "start_urls", ()) or not location:
            return response
        target = response.urljoin(location.decode("latin-1"))
        allowed = getattr(spider, "allowed", None)
        if allowed is not None and not allowed(target):
            moved = dict(self.crawler.stats.get_value("archive/moved_to") or {})
            moved[first] = target
            self.crawler.stats.set_value("archive/moved_to", moved)
            logger.warning("the portal moved: %s answers %d to %s, which this crawl does not "
                           "cover (list its host in the profile's aliases to crawl it)",
                           first, response.status, target)
        return response
