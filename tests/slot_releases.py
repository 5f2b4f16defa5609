"""For tests: the moments a crawl's downloader lets each request go, by the crawl's own clock.

Scrapy's HTTP download handler, which from its first download on makes every downloader slot
append ``<slot.lastseen> <url>`` to the file the ``TEST_SLOT_RELEASES`` setting names, as the
slot lets a request go: ``lastseen`` is the time Scrapy checked against the slot's delay
(DOWNLOAD_DELAY, Crawl-delay) when it released it. The replica's log times the requests as
they reach it instead, later by however long a loaded machine takes to send and serve each
one, so its gaps can be shorter or longer than the ones the crawler made. Enabled with
``-s 'DOWNLOAD_HANDLERS={"http": "tests.slot_releases.RecordingHandler"}'``.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler


class _Queue(deque):
    """A slot's queue that records each request it hands over (Scrapy sets ``lastseen`` just
    before taking the request off the queue)."""

    def __init__(self, slot: Any, path: str) -> None:
        super().__init__(slot.queue)
        self.slot, self.path = slot, path

    def popleft(self) -> Any:
        item = super().popleft()
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(f"{self.slot.lastseen!r} {item[0].url}\n")
        return item


class _Slots(dict):
    """The downloader's slots, each new one given a recording queue."""

    def __init__(self, slots: dict[str, Any], path: str) -> None:
        super().__init__(slots)
        self.path = path
        for slot in self.values():
            self._record(slot)

    def __setitem__(self, key: str, slot: Any) -> None:
        self._record(slot)
        super().__setitem__(key, slot)

    def _record(self, slot: Any) -> None:
        if not isinstance(slot.queue, _Queue):
            slot.queue = _Queue(slot, self.path)


class RecordingHandler(HTTP11DownloadHandler):
    async def download_request(self, request: Any) -> Any:
        downloader = self._crawler.engine.downloader
        if not isinstance(downloader.slots, _Slots):
            path = self._crawler.settings["TEST_SLOT_RELEASES"]
            downloader.slots = _Slots(downloader.slots, path)
        return await super().download_request(request)
