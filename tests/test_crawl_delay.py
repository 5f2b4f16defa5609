"""robots.txt ``Crawl-delay`` is obeyed: requests to the host start at least that far apart,
whatever DOWNLOAD_DELAY and AutoThrottle say."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from crawler.middlewares import crawl_delay_slot
from replica.server import ReplicaServer
from tests.conftest import crawl


@pytest.mark.parametrize("expected, asked, download_delay, jitter", [
    ((1.0, 0.0), 1, 0.0, 0.0),  # the delay becomes the crawl delay
    ((2.0, 0.5), 1, 0.0, 0.5),  # with ±50% jitter the shortest wait is still 1 s
    ((8.0, 0.5), 4, 1.0, 0.5),
    (None, 1, 2.0, 0.0),  # DOWNLOAD_DELAY already keeps it
    (None, 1, 2.0, 0.5),  # 2 s ± 50% never waits under 1 s
    (None, None, 0.0, 0.5),  # no Crawl-delay line
    (None, 0, 0.0, 0.5),
    ((60.0, 0.0), 3600, 0.0, 0.0),  # capped at ARCHIVE_CRAWL_DELAY_MAX
    ((1.0, 0.0), 1, 0.0, 1.0),  # a jitter of 100% could wait not at all: dropped
])
def test_crawl_delay_slot(expected, asked, download_delay, jitter):
    assert expected == crawl_delay_slot(asked, download_delay, jitter, 60.0)


def test_crawl_delay_obeyed(tmp_path):
    """Crawl-delay: 1 with the delays lifted (-s DOWNLOAD_DELAY=0, eight requests at a time):
    the downloader still lets the pages go at least a second apart. Timed by the crawl's own
    downloader slot (tests/slot_releases.py), not by the replica's log, whose times also hold
    how long a loaded machine took to send and serve each request."""
    releases = tmp_path / "releases.txt"
    with ReplicaServer(today=date(2026, 11, 26), n_articles=50, crawl_delay=1) as server:
        seed = server.portal.seed_article
        # Five responses, robots.txt among them: at least the four pages the gaps need,
        # whatever else was in flight when the run closed.
        crawl(server.url + seed.url_path, tmp_path / "a.db", "--chains-only",
              "-s", "CLOSESPIDER_PAGECOUNT=5", "-s", "DOWNLOAD_DELAY_JITTER=0",
              "-s", 'DOWNLOAD_HANDLERS={"http": "tests.slot_releases.RecordingHandler"}',
              "-s", f"TEST_SLOT_RELEASES={releases}")
        served = [e["target"] for e in server.log if e["path"] != "/robots.txt"]
        netloc = server.url.removeprefix("http://")
    sent = [line.split(" ", 1) for line in releases.read_text(encoding="utf-8").splitlines()]
    pages = [(float(at), url.removeprefix(f"http://{netloc}")) for at, url in sent
             if not url.endswith("/robots.txt")]
    assert served == [target for _, target in pages]  # what the replica saw, in that order
    gaps = [b - a for (a, _), (b, _) in zip(pages, pages[1:], strict=False)]
    assert len(gaps) >= 3, served
    assert all(gap >= 1.0 for gap in gaps), gaps
    stats = json.loads(sqlite3.connect(tmp_path / "a.db").execute(
        "SELECT stats FROM crawls").fetchone()[0])
    assert 1 == stats[f"archive/robots/crawl_delay/{netloc}"]
