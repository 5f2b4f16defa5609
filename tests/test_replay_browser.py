"""Replay in a real browser: pywb serves the WARC files of a crawl, headless Chromium opens an
article there, and its title and photo credit are read from the page's DOM.

The demo crawl (``portal-archive demo``) and one crawl of each replica CMS family; the expected
title, caption and credit come from the replica's model. Chromium is Debian's (/usr/bin/chromium,
``apt-get install chromium``), pywb the virtualenv ``make setup`` makes (.venv/pywb, see
crawler/replay.py). Without either the tests fail under CI (``CI`` set, as .ci/run does) and
are skipped elsewhere. pywb runs on 127.0.0.1 on a free port; the tests wait for its port.

``ARCHIVE_SCREENSHOT_TO=docs/replay.png`` also copies the seed article's screenshot there
(the figure of docs/handover.md).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from crawler.replay import PywbMissing, Wayback, prepare, pywb_command, replay_url
from replica.server import ReplicaServer
from tests.conftest import cli, crawl

FAMILIES = ("php", "liferay", "modern", "sharepoint")
#: Chromium as the issue runs it: headless, no network of its own, a throw-away profile.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or ("/usr/bin/chromium"
                                        if Path("/usr/bin/chromium").exists() else None)
    if path is None:
        _missing("no chromium (Debian: apt-get install chromium)")
    try:
        pywb_command("wayback")
        pywb_command("wb-manager")
    except PywbMissing as exc:
        _missing(str(exc))
    return str(path)


def browse(chromium: str, url: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
                          capture_output=True, timeout=300)


def dom(chromium: str, url: str, profile: Path) -> lxml.html.HtmlElement:
    result = browse(chromium, url, profile, "--dump-dom")
    assert 0 == result.returncode, result.stderr[-2000:]
    return lxml.html.document_fromstring(result.stdout.decode("utf-8"))


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).replace("\xa0", " ").split())


def headings(doc: lxml.html.HtmlElement) -> list[str]:
    """The texts of the page's elements that hold only their own text: headings, spans."""
    body = doc.find("body")
    return [norm(el.text_content()) for el in body.iter()
            if isinstance(el.tag, str) and el.tag not in ("script", "style")]


def body_text(doc: lxml.html.HtmlElement) -> str:
    for el in doc.xpath("//script|//style"):
        el.drop_tree()
    return norm(doc.find("body").text_content())


def credited(text: str, caption: str, credit: str) -> bool:
    """The caption, then its credit ("Ảnh  X", "Ảnh: X", "(Ảnh: X)") in the page's text."""
    return re.search(re.escape(norm(caption)) + r".{0,12}?Ảnh:?\s*" + re.escape(credit),
                     text) is not None


@pytest.fixture(scope="module")
def crawls(tmp_path_factory) -> dict[str, Path]:
    """The demo's archive and one archive per replica family (each family's portal crawled
    from its home page with its profile)."""
    root = tmp_path_factory.mktemp("replay-crawls")
    out = {"demo": root / "demo.db"}
    result = cli("demo", "--db", str(out["demo"]))
    assert 0 == result.returncode, result.stderr[-3000:]
    for family in FAMILIES:
        with ReplicaServer(family=family, n_articles=80, today=date(2026, 11, 26)) as server:
            out[family] = root / f"{family}.db"
            result = crawl(server.url + "/", out[family], "--site", f"{family}-replica")
            assert result.returncode in (0, 3), result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def wayback(chromium, crawls, tmp_path_factory):
    """One pywb folder with a collection per crawl, served on a free loopback port."""
    root = tmp_path_factory.mktemp("pywb")
    for name, db in crawls.items():
        prepare(db, root, collection=name)
    with Wayback(root) as server:
        yield server


def seed_capture(db: Path, title: str) -> tuple[str, str]:
    """(warc_date, url) of the archived article with this title: where its replay is."""
    row = sqlite3.connect(db).execute(
        "SELECT warc_date, url FROM articles WHERE title = ?", [title]).fetchone()
    assert row is not None and row[0], f"{title!r} not archived with a WARC record in {db}"
    return row


@pytest.mark.parametrize("name", ["demo", *FAMILIES])
def test_the_replayed_article_shows_its_title_and_photo_credit(name, chromium, crawls, wayback,
                                                               tmp_path):
    kwargs = {} if name == "demo" else {"family": name, "n_articles": 80}
    seed = ReplicaServer(**kwargs).portal.seed_article  # the model, not started
    warc_date, url = seed_capture(crawls[name], seed.title)
    doc = dom(chromium, replay_url(wayback.url, warc_date, url, collection=name),
              tmp_path / "profile")
    assert seed.title in headings(doc)
    image = seed.images[0][1]
    assert (image.credit, True) == ("Huy Dương", credited(body_text(doc), image.caption,
                                                          image.credit))


def test_a_screenshot_of_the_seed_articles_replay(chromium, crawls, wayback, tmp_path):
    seed = ReplicaServer().portal.seed_article
    warc_date, url = seed_capture(crawls["demo"], seed.title)
    shot = tmp_path / "replay.png"
    result = browse(chromium, replay_url(wayback.url, warc_date, url, collection="demo"),
                    tmp_path / "profile", "--hide-scrollbars", "--window-size=1100,1300",
                    f"--screenshot={shot}")
    assert 0 == result.returncode, result.stderr[-2000:]
    assert b"\x89PNG\r\n\x1a\n" == shot.read_bytes()[:8] and shot.stat().st_size > 20_000
    if os.environ.get("ARCHIVE_SCREENSHOT_TO"):
        shutil.copy(shot, os.environ["ARCHIVE_SCREENSHOT_TO"])


def test_portal_archive_replay_serves_the_archive(chromium, crawls, tmp_path):
    import urllib.request

    from crawler import api

    seed = ReplicaServer().portal.seed_article
    warc_date, url = seed_capture(crawls["demo"], seed.title)
    server = api.replay(str(crawls["demo"]), folder=str(tmp_path / "replay"), port=0)
    try:
        with urllib.request.urlopen(replay_url(server.url, warc_date, url), timeout=120) as r:
            page = r.read().decode("utf-8")
    finally:
        server.stop()
    assert f"<title>{seed.title} - " in page
    assert ["framed_replay: false"] == (tmp_path / "replay" / "config.yaml").read_text(
        ).splitlines()


def test_replay_of_a_missing_archive_cannot_run(tmp_path):
    from click.testing import CliRunner

    from crawler.cli import main

    db = tmp_path / "typo.db"
    result = CliRunner().invoke(main, ["replay", "--db", str(db)])
    assert (2, f"portal-archive: cannot run: no archive at {db}\n") == (
        result.exit_code, result.stderr)
    assert [] == list(tmp_path.iterdir())
