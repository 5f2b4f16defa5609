"""Issue 6: WARC captures, downloaded files, re-extraction without the network, warc-check."""

from __future__ import annotations

import hashlib
import html
import shutil
import socket
import sqlite3
import subprocess
import sys
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler import api
from crawler.files import FileStore
from crawler.warc import archive_folder, check_file, read_record, warc_digest, warc_files
from replica.model import SHARED_PHOTO, Attachment, build_portal
from replica.server import ReplicaServer
from tests.conftest import cli, crawl

WARCIO = str(Path(sys.executable).parent / "warcio")
ARTICLE_COLUMNS = ("site", "key", "url", "category", "title", "published", "published_text",
                   "author", "source", "summary", "body", "body_html", "content_hash",
                   "first_seen", "last_seen", "problems")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """The README's main job: ``portal-archive demo``."""
    db = tmp_path_factory.mktemp("demo") / "archive.db"
    result = cli("demo", "--db", str(db), "-s", "ARCHIVE_PROGRESS=off")
    assert result.returncode in (0, 3), result.stderr[-3000:]
    return db


@pytest.fixture(scope="module")
def warc_only(tmp_path_factory):
    """The replica crawled with bodies kept only in the WARC files; the server is stopped
    when the fixture returns, so nothing later can fetch from it."""
    with ReplicaServer(today=date(2026, 11, 26)) as server:
        db = tmp_path_factory.mktemp("warc-only") / "archive.db"
        result = crawl(server.url + "/", db, "-s", "ARCHIVE_DB_BODIES=False")
        assert result.returncode in (0, 3), result.stderr[-3000:]
        portal = server.portal
    return db, portal


def _rows(db: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def _seed_key(portal) -> str:
    return f"id:{portal.seed_id}"


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# --- WARC files --------------------------------------------------------------------------------
def test_warcio_check_and_index_accept_every_demo_warc(demo_db):
    files = list(warc_files(archive_folder(demo_db)))
    assert files, "the demo crawl wrote no WARC file"
    for path in files:
        check = subprocess.run([WARCIO, "check", "-v", str(path)], capture_output=True,
                               text=True, timeout=120)
        assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
        assert "digest pass" in check.stdout
        index = subprocess.run([WARCIO, "index", "-f", "warc-type,warc-target-uri", str(path)],
                               capture_output=True, text=True, timeout=120)
        assert index.returncode == 0, index.stderr[-2000:]
        types = [line.split('"warc-type": "')[1].split('"')[0]
                 for line in index.stdout.splitlines()]
        assert types[0] == "warcinfo"
        assert types.count("request") == types.count("response") + types.count("revisit")
    answered = _rows(demo_db, "SELECT count(*) FROM captures WHERE status IS NOT NULL")[0][0]
    in_warc = _rows(demo_db, "SELECT count(*) FROM captures WHERE warc_file IS NOT NULL")[0][0]
    assert answered == in_warc > 700


def test_every_capture_record_matches_its_sha256(demo_db):
    result = api.warc_check(str(demo_db))
    assert result.ok, result.problems[:5]
    assert result.captures > 700 and result.without_record == 0
    assert result.files > 300


def test_seed_article_payload_sha256_is_the_capture_sha256(warc_only):
    db, portal = warc_only
    (file, offset, length, digest, body), = _rows(
        db, "SELECT c.warc_file, c.warc_offset, c.warc_length, c.sha256, c.body FROM articles a "
            "JOIN captures c ON c.id = a.capture_id WHERE a.key = ?", _seed_key(portal))
    assert body is None  # ARCHIVE_DB_BODIES=False: the WARC record is the only copy
    path = archive_folder(db) / "warc" / file
    with open(path, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(BytesIO(fh.read(length)))))
    payload = record.content_stream().read()

    assert record.rec_type == "response"
    assert hashlib.sha256(payload).hexdigest() == digest
    assert record.rec_headers.get_header("WARC-Payload-Digest") == warc_digest(digest)
    assert portal.seed_article.title[:30] in html.unescape(payload.decode("utf-8"))


def test_reextract_without_network_gives_the_same_seed_row(warc_only, tmp_path, no_network):
    db, portal = warc_only
    copy = tmp_path / "archive.db"
    shutil.copy(db, copy)
    shutil.copytree(archive_folder(db), archive_folder(copy))
    cols = ", ".join(ARTICLE_COLUMNS)
    before = _rows(copy, f"SELECT {cols} FROM articles ORDER BY key")
    seed_before = _rows(copy, f"SELECT {cols} FROM articles WHERE key = ?", _seed_key(portal))
    images_before = _rows(copy, "SELECT i.url, i.caption, i.credit FROM images i JOIN articles a "
                                "ON a.id = i.article_id WHERE a.key = ? ORDER BY i.position",
                          _seed_key(portal))
    # Unchanged layout: every article re-derived, nothing changes.
    report = api.reextract(str(copy))
    assert report.errors == []
    assert report.write.changed == 0 and report.write.new == 0
    assert report.articles == len(before) == 320
    assert _rows(copy, f"SELECT {cols} FROM articles ORDER BY key") == before
    # The articles gone: rebuilt from the captures alone.
    with sqlite3.connect(copy) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        for table in ("images", "attachments", "related", "aliases", "article_versions",
                      "articles"):
            conn.execute(f"DELETE FROM {table}")
    report = api.reextract(str(copy))
    assert report.write.new == 320
    assert _rows(copy, f"SELECT {cols} FROM articles WHERE key = ?",
                 _seed_key(portal)) == seed_before
    assert _rows(copy, "SELECT i.url, i.caption, i.credit FROM images i JOIN articles a "
                       "ON a.id = i.article_id WHERE a.key = ? ORDER BY i.position",
                 _seed_key(portal)) == images_before
    assert _rows(copy, f"SELECT {cols} FROM articles ORDER BY key") == before


def test_reextract_reads_each_capture_with_the_layout_of_its_date(warc_only, tmp_path):
    db, _ = warc_only
    copy = tmp_path / "archive.db"
    shutil.copy(db, copy)
    shutil.copytree(archive_folder(db), archive_folder(copy))
    fetched = _rows(copy, "SELECT min(fetched_at), max(fetched_at) FROM captures")[0]
    base = Path(__file__).resolve().parent.parent / "crawler/profiles/vpubnd-replica.toml"

    def profile_dir(name: str, until: str) -> str:
        folder = tmp_path / name
        folder.mkdir()
        text = base.read_text(encoding="utf-8")
        (folder / "vpubnd-replica.toml").write_text(
            text + f'\n[[layout_history]]\nlayout = "liferay"\nuntil = "{until}"\n',
            encoding="utf-8")
        return str(folder)

    # Captures taken while the profile says the portal ran Liferay: read as Liferay pages,
    # which these are not, so no article comes out of them.
    before = profile_dir("before", "2999-12-31")
    report = api.reextract(str(copy), profiles_dir=before)
    assert report.captures > 300 and report.articles == 0
    # The Liferay period ended before the captures: the current layout reads them.
    after = profile_dir("after", "2000-01-01")
    report = api.reextract(str(copy), profiles_dir=after)
    assert report.articles == 320
    assert fetched[0][:4] == "2026" or fetched[0] > "2000-01-01"


def test_reextract_command(warc_only, tmp_path):
    db, _ = warc_only
    copy = tmp_path / "archive.db"
    shutil.copy(db, copy)
    shutil.copytree(archive_folder(db), archive_folder(copy))
    result = cli("reextract", "--db", str(copy), "--site", "vpubnd-replica")
    assert result.returncode == 0, result.stderr
    assert "320 gave an article" in result.stdout
    missing = cli("reextract", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and "no archive" in missing.stderr


# --- files -------------------------------------------------------------------------------------
def test_a_photo_linked_from_three_articles_is_stored_once(demo_db):
    url_like = "%" + SHARED_PHOTO.url
    links = _rows(demo_db, "SELECT article_id, file_id FROM images WHERE url LIKE ?", url_like)
    assert len(links) == 3 and len({a for a, _ in links}) == 3
    assert len({f for _, f in links}) == 1 and links[0][1] is not None
    (path, digest), = _rows(demo_db, "SELECT path, sha256 FROM files WHERE url LIKE ?", url_like)
    folder = archive_folder(demo_db)
    stored = [p for p in (folder / "files").rglob("*") if p.is_file()]
    assert [p for p in stored if digest in p.name] == [folder / path]
    # Every stored file once: one file on disk per distinct sha256.
    distinct = _rows(demo_db, "SELECT count(DISTINCT sha256), count(*) FROM files")[0]
    assert len(stored) == distinct[0]
    # Every photo and attachment of the archived articles has its file.
    assert _rows(demo_db, "SELECT count(*) FROM images WHERE file_id IS NULL")[0][0] == 0
    assert _rows(demo_db, "SELECT count(*) FROM attachments WHERE file_id IS NULL")[0][0] == 0


def test_recrawl_of_unchanged_pages_writes_revisits_and_no_new_payloads(tmp_path):
    db = tmp_path / "archive.db"
    with ReplicaServer(today=date(2026, 11, 26)) as server:
        assert crawl(server.url + "/", db).returncode in (0, 3)
        files_before = sorted(p.name for p in (archive_folder(db) / "files").rglob("*"))
        first = set(warc_files(archive_folder(db)))
        assert crawl(server.url + "/", db, "--refresh",
                     "-s", "ARCHIVE_KNOWN_RUN=1000").returncode in (0, 3)
    second = [p for p in warc_files(archive_folder(db)) if p not in first]
    assert len(second) == 1
    counts = check_file(second[0]).types
    run2 = _rows(db, "SELECT max(id) FROM crawls")[0][0]
    (pages, revisits), = _rows(
        db, "SELECT count(*), count(revisit_of) FROM captures WHERE crawl_id = ? "
            "AND status = 200 AND url IN (SELECT url FROM captures WHERE crawl_id < ? "
            "AND status = 200)",
        run2, run2)
    # Unchanged articles answer 304 to the conditional requests; the home page and every
    # listing page fetched the first time answer 200 with the bytes archived then: revisits,
    # every one. (The first run's page budgets may have left listing pages unfetched whose
    # articles it had found by other links; this run, a refresh, fetches them for the first
    # time: full responses.)
    assert pages > 10 and revisits == pages
    assert counts.get("revisit", 0) == revisits
    first_time, = _rows(db, "SELECT count(*) FROM captures WHERE crawl_id = ? AND status = 200 "
                            "AND url NOT IN (SELECT url FROM captures WHERE crawl_id < ? "
                            "AND status = 200)",
                        run2, run2)[0]
    # Response records: the 304s (no payload), the dead link's 404 and the pages fetched for
    # the first time, nothing else.
    statuses = dict(_rows(db, "SELECT status, count(*) FROM captures WHERE crawl_id = ? "
                              "AND status != 200 GROUP BY status", run2))
    assert statuses == {304: 320, 404: 1}
    assert counts.get("response", 0) == 321 + first_time
    # No payload stored twice: revisits keep no body, and no file was added.
    assert _rows(db, "SELECT count(*) FROM captures WHERE revisit_of IS NOT NULL "
                     "AND body IS NOT NULL")[0][0] == 0
    assert sorted(p.name for p in (archive_folder(db) / "files").rglob("*")) == files_before
    assert api.warc_check(str(db)).ok


def test_crafted_attachment_urls_land_inside_the_files_folder(tmp_path):
    portal = build_portal()
    crafted = [
        "/Uploads/VanBan/..%2F..%2F..%2F..%2Fetc%2Fpasswd.pdf",
        "/Uploads/VanBan/%2e%2e%2f%2e%2e%2f%2e%2e%2fboot.ini.pdf",
        "/Uploads/VanBan/%2Fetc%2Fshadow.pdf",
        "/Uploads/VanBan/..%5C..%5Cwindows%5Cwin.ini.pdf",
        "/Uploads/VanBan/van-ban.pdf?file=../../../../etc/passwd",
        "/Uploads/VanBan/" + "tai-lieu-" * 40 + ".pdf",
    ]
    portal.seed_article.attachments = [Attachment(url=u, title=f"Văn bản {k}")
                               for k, u in enumerate(crafted)]
    workdir = tmp_path / "work"
    workdir.mkdir()
    db = workdir / "archive.db"
    with ReplicaServer(portal, today=date(2026, 11, 26)) as server:
        result = crawl(server.url + "/", db)
        assert result.returncode in (0, 3), result.stderr[-2000:]
    rows = _rows(db, "SELECT f.url, f.path FROM attachments t JOIN articles a "
                     "ON a.id = t.article_id JOIN files f ON f.id = t.file_id WHERE a.key = ?",
                 _seed_key(portal))
    assert len(rows) == len(crafted), "every crafted attachment was downloaded"
    files_root = (archive_folder(db) / "files").resolve()
    for url, path in rows:
        assert (archive_folder(db) / path).resolve().is_relative_to(files_root), url
        assert (archive_folder(db) / path).is_file()
    # Nothing was written anywhere but the archive, its folder and its lock.
    outside = [p for p in tmp_path.rglob("*") if p.is_file()
               and not p.resolve().is_relative_to(archive_folder(db).resolve())
               and not p.name.startswith("archive.db")]
    assert outside == []


@pytest.mark.parametrize("url", [
    "http://h/Uploads/..%2F..%2F..%2Fetc%2Fpasswd",
    "http://h/a/%2e%2e%2f%2e%2e%2fx.pdf",
    "http://h/%2Fetc%2Fshadow",
    "http://h/..%5C..%5Cwin.ini",
    "http://h/x.pdf?f=/etc/passwd",
    "http://h/" + "a" * 5000 + ".pdf",
    "http://h/a.%2e%2f%2e%2e",
])
def test_file_store_paths_never_leave_the_folder(tmp_path, url):
    store = FileStore(tmp_path)
    relative, digest, new = store.put(url.encode(), "application/octet-stream", url)
    full = (tmp_path / relative).resolve()
    assert new and full.is_file() and full.is_relative_to(store.root)
    assert full.name.startswith(digest) and len(full.name) <= 64 + 9
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")
    with pytest.raises(ValueError):
        store.path("/etc/passwd")


def test_download_limits_are_recorded_failures(tmp_path):
    db = tmp_path / "archive.db"
    with ReplicaServer(today=date(2026, 11, 26)) as server:
        result = crawl(server.url + "/", db, "-s", "ARCHIVE_FILES_TYPES=application/pdf",
                       "-s", "ARCHIVE_FILES_MAX_BYTES=400")
    assert result.returncode == 3
    reasons = dict(_rows(db, "SELECT reason, count(*) FROM failures GROUP BY reason"))
    photos = _rows(db, "SELECT count(DISTINCT url) FROM images")[0][0]
    assert reasons.get("file of type image/jpeg not kept (ARCHIVE_FILES_TYPES)") == photos
    too_big = reasons.get("too large: download cut at 400 bytes (ARCHIVE_FILES_MAX_BYTES)")
    assert too_big == _rows(db, "SELECT count(DISTINCT url) FROM attachments")[0][0] > 0
    assert _rows(db, "SELECT count(*) FROM files")[0][0] == 0
    assert _rows(db, "SELECT count(*) FROM articles")[0][0] == 320


# --- rotation, tampering ----------------------------------------------------------------------
def test_warc_files_rotate_at_the_size_limit_and_all_check(tmp_path):
    db = tmp_path / "archive.db"
    with ReplicaServer(today=date(2026, 11, 26)) as server:
        assert crawl(server.url + "/", db,
                     "-s", "ARCHIVE_WARC_MAX_BYTES=300000").returncode in (0, 3)
    files = list(warc_files(archive_folder(db)))
    assert len(files) >= 5
    assert all(p.stat().st_size < 300000 + 200000 for p in files)
    assert all(check_file(p).problems == [] for p in files)
    result = cli("warc-check", "--db", str(db))
    assert result.returncode == 0, result.stdout[-2000:]
    assert f"{len(files)} WARC files" in result.stdout


def test_warc_check_finds_a_changed_byte_and_a_changed_file(warc_only, tmp_path):
    db, portal = warc_only
    copy = tmp_path / "archive.db"
    shutil.copy(db, copy)
    shutil.copytree(archive_folder(db), archive_folder(copy))
    (file, offset, length), = _rows(
        copy, "SELECT c.warc_file, c.warc_offset, c.warc_length FROM articles a "
              "JOIN captures c ON c.id = a.capture_id WHERE a.key = ?", _seed_key(portal))
    record = read_record(archive_folder(copy), file, offset, length)
    path = archive_folder(copy) / "warc" / file
    data = bytearray(path.read_bytes())
    data[offset + length // 2] ^= 0xFF  # inside the seed article's gzip member
    path.write_bytes(bytes(data))
    (stored,), = _rows(copy, "SELECT path FROM files LIMIT 1")
    (archive_folder(copy) / stored).write_bytes(b"not the archived bytes")
    result = cli("warc-check", "--db", str(copy))
    assert result.returncode == 3
    assert f"({portal.seed_id}" in result.stdout or "cannot read its record" in result.stdout \
        or record.headers["WARC-Target-URI"] in result.stdout
    assert f"file {stored}" in result.stdout
