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


def cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """Run ``portal-archive ARGS`` in a fresh process (Scrapy's reactor runs once a process)."""
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def crawl(urls: str | list[str], db: Path, *extra: str) -> subprocess.CompletedProcess:
    urls = [urls] if isinstance(urls, str) else urls
    return cli("crawl", *urls, "--db", str(db), *FAST, *extra)


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
