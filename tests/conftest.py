"""Shared fixtures: a replica portal on 127.0.0.1 and a way to run the CLI against it."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from replica.server import ReplicaServer

ROOT = Path(__file__).resolve().parent.parent
#: Politeness lifted: the replica is our own loopback server.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "ARCHIVE_PROGRESS=off"]


def cli(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run ``portal-archive ARGS`` in a fresh process (Scrapy's reactor runs once a process)."""
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


#: The bundled profile of the default replica: bundled profiles are chosen by name only.
REPLICA_SITE = ["--site", "vpubnd-replica"]


def crawl(urls: str | list[str], db: Path, *extra: str) -> subprocess.CompletedProcess:
    """Crawl with the default replica's profile, unless ``extra`` names a ``--site``."""
    urls = [urls] if isinstance(urls, str) else urls
    site = [] if "--site" in extra else REPLICA_SITE
    return cli("crawl", *urls, "--db", str(db), *FAST, *site, *extra)


@pytest.fixture(scope="module")
def replica_server():
    with ReplicaServer(today=date(2026, 11, 26)) as server:
        yield server


@pytest.fixture(scope="session")
def replica_archive(tmp_path_factory):
    """The replica portal crawled once from its home page, shared by the tests that only read
    an archive (search, export, report): (archive path, the portal's model). Copy it before
    writing to it."""
    with ReplicaServer(today=date(2026, 11, 26)) as server:
        db = tmp_path_factory.mktemp("replica-archive") / "archive.db"
        result = crawl(server.url + "/", db)
        assert result.returncode in (0, 3), result.stderr[-3000:]
        return db, server.portal


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis for the scale-out tests: a redis-server of our own on a free loopback port
    when the binary is installed (Debian: apt-get install redis-server), else the one at
    ``ARCHIVE_TEST_REDIS`` (default redis://127.0.0.1:6379). Without either the tests fail
    under CI (``CI`` set, as .ci/run does) and are skipped elsewhere."""
    import os
    import shutil
    import time

    import redis

    binary = shutil.which("redis-server")
    if binary:
        port = _free_port()
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1",
                                 "--save", "", "--appendonly", "no"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 120  # gives up on a server that never answers, not a slow one
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert proc.poll() is None, f"redis-server exited with code {proc.returncode}"
                assert time.monotonic() < deadline, "redis-server did not answer in 120 s"
                time.sleep(0.05)
        yield url
        proc.terminate()
        proc.wait(timeout=10)
        return
    url = os.environ.get("ARCHIVE_TEST_REDIS", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        message = f"no redis-server binary and no Redis at {url} ({exc})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield url
