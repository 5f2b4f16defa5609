"""Downloader middlewares: the archivist's contact in the User-Agent, and robots.txt.

Settings: ``USER_AGENT`` (may hold ``{contact}``), ``ARCHIVE_CONTACT``, ``ROBOTSTXT_OBEY``.
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


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
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        stored = self._parsers.get(urlparse_cached(request).netloc)
        if stored is None or isinstance(stored, Deferred):
            return parser
        return stored
