"""Bad input: a command that cannot run prints one line, exits 2, and creates, changes and loses
nothing; a fetch that fails is one log line; a disk that fills ends the run interrupted."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.storage import Archive
from tests.conftest import FAST, ROOT, _free_port, cli, crawl

CANNOT_RUN = "portal-archive: cannot run: "


def random_file(path: Path) -> bytes:
    data = bytes(range(256)) * 16
    path.write_bytes(data)
    return data


def runs(db: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["runs", "--db", str(db)])
    return result.exit_code, result.stderr


def test_crawl_into_a_missing_folder_cannot_run(tmp_path):
    db = tmp_path / "no" / "such" / "dir" / "a.db"
    result = cli("crawl", "http://127.0.0.1:9/", "--db", str(db))
    assert (2, f"{CANNOT_RUN}no folder {db.parent} for the archive {db}\n") == (
        result.returncode, result.stderr)
    assert [] == list(tmp_path.iterdir())


def test_crawl_into_random_bytes_changes_nothing(tmp_path):
    db = tmp_path / "a.db"
    data = random_file(db)
    result = cli("crawl", "http://127.0.0.1:9/", "--db", str(db))
    assert (2, f"{CANNOT_RUN}{db} is not an archive: not a SQLite database\n") == (
        result.returncode, result.stderr)
    assert (data, [db]) == (db.read_bytes(), list(tmp_path.iterdir()))  # no .lock beside it


def test_runs_on_random_bytes_cannot_run(tmp_path):
    db = tmp_path / "a.db"
    data = random_file(db)
    assert (2, f"{CANNOT_RUN}{db} is not an archive: not a SQLite database\n") == runs(db)
    assert data == db.read_bytes()


def test_runs_on_an_empty_file_cannot_run(tmp_path):
    db = tmp_path / "a.db"
    db.touch()
    assert (2, f"{CANNOT_RUN}{db} is not an archive: an empty file\n") == runs(db)
    assert (0, [db]) == (db.stat().st_size, list(tmp_path.iterdir()))


def test_runs_on_a_folder_cannot_run(tmp_path):
    assert (2, f"{CANNOT_RUN}{tmp_path} is a folder, not an archive\n") == runs(tmp_path)


@pytest.mark.parametrize("command", [
    ["runs"], ["search", "dang"], ["export"], ["report", "-o", "{tmp}/report.html"],
    ["warc-check"], ["rebuild-fts"], ["reextract"], ["merge", "{db}", "--into", "{tmp}/m.db"],
])
def test_a_read_command_never_creates_an_archive(tmp_path, command):
    db = tmp_path / "typo.db"
    args = [a.format(tmp=tmp_path, db=db) for a in command]
    if "{db}" not in command:
        args += ["--db", str(db)]
    result = CliRunner().invoke(main, args)
    assert (2, f"{CANNOT_RUN}no archive at {db}\n") == (result.exit_code, result.stderr)
    assert [] == list(tmp_path.iterdir())


def test_another_programs_database_is_never_migrated(tmp_path):
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE foo (x)")
    conn.close()
    data = db.read_bytes()
    result = cli("crawl", "http://127.0.0.1:9/", "--db", str(db))
    assert (2, f"{CANNOT_RUN}{db} is not an archive: the database of another program "
               "(tables: foo)\n") == (result.returncode, result.stderr)
    assert (data, [db]) == (db.read_bytes(), list(tmp_path.iterdir()))


def test_an_archive_of_a_newer_version_is_refused(tmp_path):
    db = tmp_path / "a.db"
    Archive(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('portal-archive', 'm999_from_the_future', '2030-01-01')")
    conn.close()
    data = db.read_bytes()
    result = cli("crawl", "http://127.0.0.1:9/", "--db", str(db))
    assert (2, f"{CANNOT_RUN}{db} was written by a newer portal-archive (unknown migration "
               "m999_from_the_future); upgrade portal-archive to use it\n") == (
        result.returncode, result.stderr)
    assert (data, [db]) == (db.read_bytes(), list(tmp_path.iterdir()))


# --- permissions: as an unprivileged user ----------------------------------------------------
def as_unprivileged(args: list[str]) -> tuple[int, str]:
    """``portal-archive ARGS`` in a forked process as a user without privileges: ``nobody``
    when the tests run as root (as under CI, where chmod alone stops nobody), else this user.
    Forked, not executed: the interpreter may sit where ``nobody`` cannot read it."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop privileges, run the command, report, never return
        try:
            if os.geteuid() == 0:
                nobody = pwd.getpwnam("nobody")
                os.setgroups([])
                os.setgid(nobody.pw_gid)
                os.setuid(nobody.pw_uid)
            result = CliRunner().invoke(main, args)
            out = [result.exit_code, result.stderr]
        except BaseException as exc:  # reported to the test, which fails on it
            out = [-1, repr(exc)]
        os.write(write, json.dumps(out).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        report = pipe.read()
    os.waitpid(pid, 0)
    code, stderr = json.loads(report)
    return code, stderr


@pytest.fixture
def shared_tmp():
    """A folder ``nobody`` can reach (pytest's tmp_path is private to the user)."""
    path = Path(tempfile.mkdtemp(prefix="portal-archive-"))
    path.chmod(0o755)
    yield path
    for sub in path.rglob("*"):
        sub.chmod(0o755 if sub.is_dir() else 0o644)
    shutil.rmtree(path)


def test_crawl_in_a_folder_the_user_cannot_write(shared_tmp):
    folder = shared_tmp / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    db = folder / "a.db"
    assert (2, f"{CANNOT_RUN}cannot write in {folder}: permission denied\n") == (
        as_unprivileged(["crawl", "http://127.0.0.1:9/", "--db", str(db)]))
    assert [] == list(folder.iterdir())


def test_runs_on_an_archive_the_user_cannot_read(shared_tmp):
    db = shared_tmp / "a.db"
    Archive(db).close()
    db.chmod(0o200)
    assert (2, f"{CANNOT_RUN}cannot read {db}: permission denied\n") == (
        as_unprivileged(["runs", "--db", str(db)]))


# --- failed fetches and a full disk ------------------------------------------------------------
def failure_lines(stderr: str, url: str) -> list[str]:
    return [line.split("] ", 1)[1] for line in stderr.splitlines() if url in line]


def test_nothing_listening_is_one_log_line_and_a_recorded_failure(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}/"
    db = tmp_path / "a.db"
    result = crawl(url, db)
    assert (3, [f"WARNING: failed {url}: connection refused"]) == (
        result.returncode, failure_lines(result.stderr, url)), result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert [(url, "connection refused")] == sqlite3.connect(db).execute(
        "SELECT url, reason FROM failures").fetchall()


def test_a_missing_page_is_one_log_line_and_its_reason_recorded(replica_server, tmp_path):
    url = f"{replica_server.url}/NewsDetail.aspx?id=999999"
    db = tmp_path / "a.db"
    result = crawl(url, db, "--chains-only")
    assert (3, [f"WARNING: failed {url}: HTTP 404"]) == (
        result.returncode, failure_lines(result.stderr, url))
    assert [(url, "HTTP 404")] == sqlite3.connect(db).execute(
        "SELECT url, reason FROM failures").fetchall()


#: The CLI with SQLite's real SQLITE_FULL: the archive writer's connection may grow the file by
#: HEADROOM pages only (PRAGMA max_page_count), as if the disk filled up.
FULL_DISK = """
import sys, threading
from crawler import storage
from crawler.cli import main

HEADROOM = 300
opened = storage.Archive.__init__

def capped(self, *args, **kwargs):
    opened(self, *args, **kwargs)
    if threading.current_thread().name == "archive-writer":
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages + HEADROOM}")

storage.Archive.__init__ = capped
sys.argv[0] = "portal-archive"
main()
"""


def test_a_full_disk_ends_the_run_interrupted_and_keeps_what_was_committed(
        replica_server, tmp_path):
    db = tmp_path / "a.db"
    result = subprocess.run(
        [sys.executable, "-c", FULL_DISK, "crawl", replica_server.url + "/", "--db", str(db),
         *FAST], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert (1, "ERROR: writing the archive failed, the run stopped: OperationalError: "
               "database or disk is full") == (
        result.returncode, result.stdout.splitlines()[-1]), result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    conn = sqlite3.connect(db)
    assert [("ok",)] == conn.execute("PRAGMA integrity_check").fetchall()
    assert [("interrupted",)] == conn.execute("SELECT status FROM crawls").fetchall()
    articles, without_capture = conn.execute(
        "SELECT count(*), count(*) - count(c.id) FROM articles a "
        "LEFT JOIN captures c ON c.id = a.capture_id").fetchone()
    assert (True, 0) == (articles > 0, without_capture)
