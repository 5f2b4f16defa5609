"""The values that flow from extraction to storage.

Plain dataclasses (Scrapy accepts them as items through itemadapter); nothing here imports
Scrapy, so extraction, re-extraction and tests share them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field


@dataclass
class Image:
    url: str
    caption: str | None = None
    credit: str | None = None
    #: The ``alt`` text, kept apart: it describes the photo, but the page does not show it.
    alt: str | None = None


@dataclass
class Attachment:
    url: str
    title: str | None = None


@dataclass
class RelatedEntry:
    """One entry of a "Các tin đã đăng" (previously published) box, as the page shows it."""

    url: str
    title: str
    published: str | None = None
    published_text: str | None = None


@dataclass
class Article:
    """One article as extracted from one page."""

    url: str
    key: str
    site: str = ""
    category: str | None = None
    title: str = ""
    published: str | None = None
    published_text: str | None = None
    author: str | None = None
    source: str | None = None
    summary: str | None = None
    body: str = ""
    body_html: str = ""
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    related: list[RelatedEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        """sha256 of the article's own content (not of the page around it, nor its related box)."""
        content = {
            "title": self.title,
            "published": self.published,
            "category": self.category,
            "author": self.author,
            "source": self.source,
            "summary": self.summary,
            "body": self.body,
            # the alt text is not shown, and a hash without it stays the one archives hold
            "images": [{"url": i.url, "caption": i.caption, "credit": i.credit}
                       for i in self.images],
            "attachments": [asdict(a) for a in self.attachments],
        }
        blob = json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()


@dataclass
class FrontierEntry:
    """A URL the crawl has scheduled: kept with the archive until it is fetched, so a run that
    dies is resumed from where it was."""

    url: str
    kind: str = "page"  # "article" | "page" | "file" (a photo or attachment)
    key: str | None = None


@dataclass
class AliasSeen:
    """A URL that leads to an article already known by its key (print view, variant spelling)."""

    url: str
    site: str
    key: str


@dataclass
class WarcRef:
    """Where a capture's record is: a WARC file of the archive folder, the record's offset and
    length in it (a gzip member), its WARC-Record-ID, and whether it is a revisit record."""

    file: str
    offset: int
    length: int
    record_id: str
    revisit_of: int | None = None  # the capture whose payload a revisit record refers to


@dataclass
class FetchResult:
    """What one fetch gave: the raw capture first, the extraction (or the failure) second."""

    url: str
    fetched_at: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    final_url: str | None = None
    kind: str = "page"  # "article", "page", "file", "failure"
    article: Article | None = None
    error: str | None = None
    site: str = ""
    key: str | None = None  # the article key requested, when an article was asked for
    method: str = "GET"
    request_body: bytes | None = None  # the form a POST sent (a postback pager)
    discovered: list[FrontierEntry] = field(default_factory=list)
    request_headers: dict[str, str] = field(default_factory=dict)
    aliases: list[AliasSeen] = field(default_factory=list)  # URLs this page showed for articles
    sha256: str | None = None  # of body; set when the result is written
    warc: WarcRef | None = None  # set by the pipeline once the WARC records are written
    file_path: str | None = None  # kind "file": where the payload is kept in the archive folder
