"""The replica's injected faults, one article at a time: the crawl ends, archives everything
else, records the faulty URL with its reason and spends a bounded number of requests on it."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from datetime import date

import pytest

from replica.faults import FAULTS
from replica.server import ReplicaServer
from tests.conftest import crawl

RETRY_TIMES = 1
ATTEMPTS = RETRY_TIMES + 1  # a retried fault: the first request and one retry
#: DOWNLOAD_TIMEOUT of the stall case: well under the stall (STALL_SECONDS), far above any
#: answer of a loopback replica.
STALL_TIMEOUT = 5
#: fault -> (extra settings, failure reason (None: archived), requests for the faulty article)
CASES = {
    "503-retry-after": ((), "HTTP 503", (ATTEMPTS,)),
    "503": ((), "HTTP 503", (ATTEMPTS,)),
    "500-retry-after": ((), "HTTP 500", (ATTEMPTS,)),
    "500": ((), "HTTP 500", (ATTEMPTS,)),
    "502": ((), "HTTP 502", (ATTEMPTS,)),
    # Twisted's pool also resends a GET once when a reused keep-alive connection is reset.
    "reset": ((), "no response (connection reset)", range(ATTEMPTS, 2 * ATTEMPTS + 1)),
    # The only case that needs a download timeout; the others keep the default, so that no
    # page of theirs times out however slow the machine is.
    "stall": (("-s", f"DOWNLOAD_TIMEOUT={STALL_TIMEOUT}"), "timed out", (ATTEMPTS,)),
    "truncated": ((), "truncated: body shorter than its Content-Length", (ATTEMPTS,)),
    # The body is sniffed as HTML: a wrong Content-Type loses nothing.
    "wrong-type": ((), None, (1,)),
    "redirect-loop": ((), "redirect loop back to {url}", (1,)),
    "offsite-redirect": ((), "redirected off the site to {offsite}/tin-tuc/bai-da-chuyen.html "
                             "(not followed)", (1,)),
    # Another loopback port is another site unless the profile names it (tests/test_moved.py).
    "port-redirect": ((), "redirected off the site to {offsite}{path} (not followed)", (1,)),
    "gigantic": (("-s", "DOWNLOAD_MAXSIZE=1000000"),
                 "too large: download cut at DOWNLOAD_MAXSIZE", (1,)),
    "moved-home": ((), "redirected off the site to {offsite}/ (not followed)", (1,)),
}


def test_every_fault_has_a_case():
    assert sorted(FAULTS) == sorted(CASES)


def reachable(portal, missing: set[int]) -> set[str]:
    """Keys of the public articles a crawl reaches when the ``missing`` ones fail: those
    linked from the home page and listings, then their "Các tin đã đăng" chains."""
    public = {a.id for a in portal.public_articles()}
    todo = [i for i in portal.linked_ids() if i in public]
    seen: set[int] = set()
    while todo:
        aid = todo.pop()
        if aid in seen or aid in missing:
            continue
        seen.add(aid)
        todo.extend(i for i in portal.articles[aid].related_ids if i in public)
    return {f"id:{i}" for i in seen}


@pytest.fixture(scope="module", params=sorted(CASES))
def faulty(request, tmp_path_factory):
    fault = request.param
    extra, reason, attempts = CASES[fault]
    with ReplicaServer(today=date(2026, 11, 26), n_articles=50) as server:
        portal = server.portal
        article = next(a for a in portal.newest_public(10)
                       if a.id not in (portal.flaky_id, portal.seed_id))
        server.faults[article.url_path] = fault
        db = tmp_path_factory.mktemp(fault) / "archive.db"
        result = crawl(server.url + "/", db, "-s", f"RETRY_TIMES={RETRY_TIMES}", *extra)
        url = server.url + article.url_path
        expected = None if reason is None else reason.format(url=url, offsite=server.offsite_url,
                                                             path=article.url_path)
        log = list(server.log)
    conn = sqlite3.connect(db)
    yield {"fault": fault, "result": result, "log": log, "portal": portal, "article": article,
           "url": url, "reason": expected, "attempts": attempts, "conn": conn}
    conn.close()


def test_crawl_ends_with_failures(faulty):
    assert 3 == faulty["result"].returncode, faulty["result"].stderr[-3000:]


def test_every_other_article_archived(faulty):
    portal, article = faulty["portal"], faulty["article"]
    # RETRY_TIMES=1 is one retry short of the flaky article's two 500s.
    missing = {portal.flaky_id} | ({article.id} if faulty["reason"] else set())
    got = {k for (k,) in faulty["conn"].execute("SELECT key FROM articles")}
    assert sorted(reachable(portal, missing)) == sorted(got)


def test_faulty_url_recorded_with_its_reason(faulty):
    rows = faulty["conn"].execute("SELECT reason, attempts FROM failures WHERE url = ?",
                                  [faulty["url"]]).fetchall()
    expected = [] if faulty["reason"] is None else [(faulty["reason"], 1)]
    assert expected == rows


def test_requests_for_the_faulty_article_bounded(faulty):
    target = faulty["article"].url_path
    hits = [e for e in faulty["log"] if e["server"] == "main" and e["target"] == target]
    assert len(hits) in faulty["attempts"], [e["status"] for e in hits]
    assert {faulty["fault"]} == {e.get("fault") for e in hits}


def test_no_request_to_the_offsite_server(faulty):
    assert [] == [e["target"] for e in faulty["log"] if e["server"] == "offsite"]


def test_unknown_fault_refused():
    with pytest.raises(ValueError, match="unknown fault"):
        ReplicaServer(n_articles=50, faults={"/": "slow-loris"})


def test_stalled_request_ends_when_the_server_stops(monkeypatch):
    """With a stall of an hour, the stalled request's thread still ends: the server's stop
    ended it. (The waits below only give up on a thread that never ends.)"""
    import replica.faults

    monkeypatch.setattr(replica.faults, "STALL_SECONDS", 3600.0)
    before = threading.active_count()
    server = ReplicaServer(n_articles=50, faults={"/robots.txt": "stall"}).start()
    client = socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])))
    client.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    deadline = time.monotonic() + 60
    while not server.requests(fault="stall"):
        assert time.monotonic() < deadline, "the stalled request never reached the server"
        time.sleep(0.01)
    server.stop()
    deadline = time.monotonic() + 60
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.02)
    client.close()
    assert threading.active_count() <= before


@pytest.mark.parametrize("fault", ["503-retry-after", "500-retry-after"])
def test_retry_waits_for_retry_after(fault, tmp_path):
    """Each retry of a response with ``Retry-After: 1`` comes at least a second after it (the
    replica's log times the requests; the run is one article, retried twice)."""
    from datetime import datetime

    from replica.faults import RETRY_AFTER

    with ReplicaServer(today=date(2026, 11, 26), n_articles=50) as server:
        article = server.portal.seed_article
        server.faults[article.url_path] = fault
        result = crawl(server.url + article.url_path, tmp_path / "a.db", "--chains-only",
                       "-s", "RETRY_TIMES=2")
        hits = server.requests(target=article.url_path)
    assert 3 == result.returncode, result.stderr[-3000:]
    times = [datetime.fromisoformat(e["ts"]) for e in hits]
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    assert 2 == len(gaps), gaps
    assert all(gap >= RETRY_AFTER - 0.01 for gap in gaps), gaps


def test_retry_after_read_as_seconds_or_a_date():
    from datetime import UTC, datetime

    from crawler.middlewares import retry_after_seconds

    now = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
    assert [120.0, 30.0, 0.0, None, None] == [
        retry_after_seconds(b"120", now),
        retry_after_seconds("Thu, 26 Nov 2026 17:00:30 GMT", now),
        retry_after_seconds("Thu, 26 Nov 2026 16:00:00 GMT", now),
        retry_after_seconds(b"soon", now),
        retry_after_seconds(None, now),
    ]


@pytest.mark.parametrize("expected, header", [(5, b"3600"), (2, b"2"), (None, None)])
def test_retry_after_capped_by_the_setting(expected, header):
    """The retry of a 503 asking for an hour waits ARCHIVE_RETRY_AFTER_MAX (5 here)."""
    from scrapy import Request, Spider
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import NOT_BEFORE, RetryAfter

    crawler = get_crawler(Spider, {"ARCHIVE_RETRY_AFTER_MAX": 5, "RETRY_TIMES": 2})
    crawler.spider = crawler._create_spider("retry")
    middleware = RetryAfter.from_crawler(crawler)
    request = Request("http://x.vn/NewsDetail.aspx?id=1")
    response = Response(request.url, status=503, request=request,
                        headers={"Retry-After": header} if header else {})
    earliest = time.monotonic()
    retry = middleware.process_response(request, response)
    latest = time.monotonic()
    assert isinstance(retry, Request)
    not_before = retry.meta.get(NOT_BEFORE)
    if expected is None:
        assert not_before is None
    else:  # the wait is counted from the moment the response was seen, however long that took
        assert earliest + expected <= not_before <= latest + expected
