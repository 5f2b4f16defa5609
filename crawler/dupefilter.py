"""Scrapy's request duplicate filter, with its fingerprints kept in a :class:`SeenSet`.

``RFPDupeFilter`` keeps each request's fingerprint in a set, about 125 bytes a request (29 MB
at 100,000 articles, which make 226,000 requests); here it is 8 bytes. The fingerprints are
Scrapy's (``REQUEST_FINGERPRINTER_CLASS``), and so are the stats and the log. With ``JOBDIR``
(Scrapy's own pause and resume, which portal-archive does not need: its frontier is in the
archive) the filter is Scrapy's, unchanged, with its ``requests.seen`` file.
"""

from __future__ import annotations

from typing import Any

from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Request

from crawler.seen import SeenSet


class CompactDupeFilter(RFPDupeFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: SeenSet | None = None if self.file else SeenSet()

    def request_seen(self, request: Request) -> bool:
        if self.seen is None:
            return super().request_seen(request)
        fp = self.request_fingerprint(request)
        if fp in self.seen:
            return True
        self.seen.add(fp)
        return False
