"""Downloader middleware that puts the archivist's contact into the User-Agent.

Settings: ``USER_AGENT`` (may hold ``{contact}``), ``ARCHIVE_CONTACT``.
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler


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
