"""Read-only archives: what only reads an archive works on one this user cannot write, in a
folder it cannot write, and changes nothing there (archives on read-only media, or served
read-only by a library).

The replica is crawled once; copies of the archive are made read-only, and each command runs
in a fresh process as a user without write permission: this user when it is not root (chmod
is enough), else ``nobody`` (root writes anything). ``nobody`` needs an interpreter it can
run; when this one lives where ``nobody`` cannot look (pyenv under a 0700 /root), the tests
run a mirror of it (:func:`_mirror`), and fail, never skip, when that cannot work either.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from datetime import date
from hashlib import sha256
from pathlib import Path

import pytest
from sqlite_utils import Database

from crawler.migrations import migrations
from crawler.storage import Archive, in_wal_mode
from replica.server import ReplicaServer
from tests.conftest import ROOT, cli, crawl

ROOT_USER = os.geteuid() == 0


# --- the user without write permission -------------------------------------------------------
@dataclass
class Reader:
    python: str
    env: dict[str, str]
    uid: int | None = None
    gid: int | None = None

    def run(self, *args: str) -> subprocess.CompletedProcess:
        """``python ARGS`` as this user, from the repository (which it cannot write)."""
        return subprocess.run(
            [self.python, *args], cwd=ROOT, env=self.env, user=self.uid, group=self.gid,
            extra_groups=[] if self.uid is not None else None, capture_output=True, text=True,
            timeout=180)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("-m", "crawler.cli", *args)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _mirror(dest: Path) -> tuple[str, dict[str, str]]:
    """This interpreter, for a user who cannot read where it is installed: its executable,
    libpython and standard library hard-linked (copied across file systems) into ``dest``,
    and a virtual environment there whose site-packages is this one's. Returns its python
    and the environment to run it with."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    home = dest / "home"
    (home / "bin").mkdir(parents=True)
    (home / "lib").mkdir()
    _link_or_copy(os.path.realpath(sys.executable), str(home / "bin" / version))
    library = sysconfig.get_config_var("INSTSONAME")
    libdir = sysconfig.get_config_var("LIBDIR")
    if sysconfig.get_config_var("Py_ENABLE_SHARED") and library and libdir:
        _link_or_copy(os.path.join(libdir, library), str(home / "lib" / library))
    shutil.copytree(sysconfig.get_paths()["stdlib"], home / "lib" / version,
                    copy_function=_link_or_copy,
                    ignore=shutil.ignore_patterns("site-packages", "test"))
    venv = dest / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "lib" / version).mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(f"home = {home / 'bin'}\ninclude-system-site-packages "
                                     f"= false\n", encoding="utf-8")
    (venv / "bin" / "python").symlink_to(home / "bin" / version)
    (venv / "lib" / version / "site-packages").symlink_to(sysconfig.get_paths()["purelib"])
    env = {**os.environ, "LD_LIBRARY_PATH": str(home / "lib")}
    return str(venv / "bin" / "python"), env


@pytest.fixture(scope="module")
def shelf():
    """A scratch folder everyone can enter (pytest's tmp folders are for their owner only)."""
    base = Path(tempfile.mkdtemp(prefix="portal-archive-readonly-"))
    base.chmod(0o755)
    yield base
    for folder, _, _ in os.walk(base):  # a user that is not root must be able to delete
        os.chmod(folder, 0o755)
    shutil.rmtree(base)


@pytest.fixture(scope="module")
def outbox(shelf) -> Path:
    """A folder the reader can write, for the files a command writes (report, export -o)."""
    folder = shelf / "out"
    folder.mkdir()
    folder.chmod(0o777 if ROOT_USER else 0o755)
    return folder


@pytest.fixture(scope="module")
def reader(shelf, outbox) -> Reader:
    """The user the read commands run as: this one, or ``nobody`` under root."""
    if not ROOT_USER:
        return Reader(sys.executable, dict(os.environ))
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.fail("running as root, and there is no user 'nobody' to read archives as")
    env = {**os.environ, "HOME": str(outbox)}
    user = Reader(sys.executable, env, nobody.pw_uid, nobody.pw_gid)
    first = _cannot_run(user)
    if first is None:
        return user
    python, mirror_env = _mirror(shelf / "python")
    user = Reader(python, {**mirror_env, "HOME": str(outbox)}, nobody.pw_uid, nobody.pw_gid)
    second = _cannot_run(user)
    if second is not None:
        pytest.fail(f"'nobody' cannot run {sys.executable} ({first}) nor a mirror of it in "
                    f"{shelf / 'python'} ({second}); the read-only tests need both the "
                    f"interpreter and {ROOT} readable by 'nobody'")
    return user


def _cannot_run(user: Reader) -> str | None:
    """Why ``user`` cannot import portal-archive, datasette and sqlite-utils, if it cannot."""
    try:
        result = user.run("-c", "import crawler.cli, datasette, sqlite_utils")
    except OSError as exc:
        return str(exc)
    return result.stderr.strip()[-300:] if result.returncode else None


# --- the archives ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def crawled(shelf) -> Path:
    """The replica portal (50 articles) crawled once; only copies of it are made read-only."""
    folder = shelf / "crawl"
    folder.mkdir()
    with ReplicaServer(today=date(2026, 11, 26), n_articles=50) as server:
        result = crawl(server.url + "/", folder / "archive.db")
    assert result.returncode in (0, 3), result.stderr[-3000:]
    return folder / "archive.db"


def _copy(crawled: Path, folder: Path) -> Path:
    shutil.copytree(crawled.parent, folder, ignore=shutil.ignore_patterns("*.lock"))
    return folder / crawled.name


def _read_only(folder: Path, folder_too: bool = True) -> None:
    """Nothing under ``folder`` can be written (files 0444, folders 0555); nor ``folder``
    itself with ``folder_too``, else the reader can write it (0777 under root)."""
    for parent, dirs, files in os.walk(folder):
        for name in files:
            os.chmod(os.path.join(parent, name), 0o444)
        for name in dirs:
            os.chmod(os.path.join(parent, name), 0o555)
    folder.chmod(0o555 if folder_too else 0o777 if ROOT_USER else 0o755)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder``: its name and, for a file, its bytes' sha256."""
    return {str(p.relative_to(folder)): sha256(p.read_bytes()).hexdigest() if p.is_file()
            else "folder" for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module", params=["folder", "file"])
def archive(request, shelf, crawled) -> Path:
    """A copy of the crawled archive that the reader cannot write, in a folder that it cannot
    write either ("folder") or that it can ("file")."""
    db = _copy(crawled, shelf / f"read-only-{request.param}")
    _read_only(db.parent, folder_too=request.param == "folder")
    return db


def _query(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# --- a crawl leaves an archive that can be read read-only --------------------------------------
def test_a_crawl_leaves_no_wal_file(crawled):
    assert [] == [p.name for p in crawled.parent.iterdir()
                  if p.name.endswith(("-wal", "-shm", "-journal"))]


def test_a_crawl_leaves_the_archive_in_rollback_journal_mode(crawled):
    assert [("delete",)] == _query(crawled, "PRAGMA journal_mode")


# --- every command that reads, on a read-only archive ------------------------------------------
def test_runs(reader, archive):
    before = snapshot(archive.parent)
    result = reader.cli("runs", "--db", str(archive), "--json")
    assert 0 == result.returncode, result.stderr
    assert ["vpubnd-replica"] == [r["site"] for r in json.loads(result.stdout)]
    assert before == snapshot(archive.parent)


def test_search(reader, archive):
    before = snapshot(archive.parent)
    key, title = _query(archive, "SELECT key, title FROM articles ORDER BY id LIMIT 1")[0]
    result = reader.cli("search", f'"{title}"', "--db", str(archive))
    assert 0 == result.returncode, result.stderr
    assert f" {key})" in result.stdout  # "(site key)" on each hit's first line
    assert before == snapshot(archive.parent)


def test_export_to_standard_output(reader, archive):
    before = snapshot(archive.parent)
    result = reader.cli("export", "--db", str(archive))
    assert 0 == result.returncode, result.stderr
    assert _query(archive, "SELECT count(*) FROM articles")[0][0] == len(
        result.stdout.splitlines())
    assert before == snapshot(archive.parent)


def test_export_to_a_file_in_another_folder(reader, archive, outbox):
    before = snapshot(archive.parent)
    output = outbox / f"articles-{archive.parent.name}.csv"
    result = reader.cli("export", "--db", str(archive), "--format", "csv", "-o", str(output))
    assert 0 == result.returncode, result.stderr
    assert output.read_text(encoding="utf-8").startswith("id,site,key,")
    assert before == snapshot(archive.parent)


def test_report(reader, archive, outbox):
    before = snapshot(archive.parent)
    output = outbox / f"report-{archive.parent.name}.html"
    result = reader.cli("report", "--db", str(archive), "-o", str(output))
    assert 0 == result.returncode, result.stderr
    assert "vpubnd-replica" in output.read_text(encoding="utf-8")
    assert before == snapshot(archive.parent)


def test_warc_check(reader, archive):
    before = snapshot(archive.parent)
    result = reader.cli("warc-check", "--db", str(archive))
    assert 0 == result.returncode, result.stdout + result.stderr
    assert "ok" == result.stdout.splitlines()[-1]
    assert before == snapshot(archive.parent)


def test_sqlite_utils_tables(reader, archive):
    before = snapshot(archive.parent)
    result = reader.run("-m", "sqlite_utils", "tables", str(archive))
    assert 0 == result.returncode, result.stderr
    assert "articles" in [t["table"] for t in json.loads(result.stdout)]
    assert before == snapshot(archive.parent)


def test_sqlite_utils_query(reader, archive):
    before = snapshot(archive.parent)
    result = reader.run("-m", "sqlite_utils", "query", str(archive),
                        "select count(*) as n from articles")
    assert 0 == result.returncode, result.stderr
    assert _query(archive, "SELECT count(*) FROM articles")[0][0] == json.loads(
        result.stdout)[0]["n"]
    assert before == snapshot(archive.parent)


def test_datasette(reader, archive):
    before = snapshot(archive.parent)
    result = reader.run("-m", "datasette", str(archive), "-m", "metadata.yml",
                        "--get", "/archive/articles.json?_shape=array&_size=2")
    assert 0 == result.returncode, result.stdout + result.stderr
    assert 2 == len(json.loads(result.stdout))
    assert before == snapshot(archive.parent)


# --- archives left in WAL mode, and older archives ---------------------------------------------
def test_wal_archive_with_no_wal_file_is_read_in_a_read_only_folder(reader, shelf, crawled):
    db = _copy(crawled, shelf / "wal-at-rest")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    assert in_wal_mode(db)
    _read_only(db.parent)
    before = snapshot(db.parent)
    result = reader.cli("runs", "--db", str(db))
    assert 0 == result.returncode, result.stderr
    assert before == snapshot(db.parent)


@pytest.fixture(scope="module")
def wal_left(shelf, crawled) -> Path:
    """A copy whose last run died with a commit in its -wal file; its -shm file is gone, and
    its folder cannot be written."""
    db = _copy(crawled, shelf / "wal-left")
    subprocess.run([sys.executable, "-c", (
        "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute('PRAGMA journal_mode = WAL'); "
        "c.execute(\"UPDATE crawls SET status = 'interrupted'\"); c.commit(); os._exit(0)"),
        str(db)], check=True)
    Path(f"{db}-shm").unlink()
    _read_only(db.parent)
    return db


def test_wal_file_without_shm_in_a_read_only_folder_cannot_run(reader, wal_left):
    before = snapshot(wal_left.parent)
    result = reader.cli("runs", "--db", str(wal_left))
    assert 2 == result.returncode
    assert 1 == len(result.stderr.splitlines()), result.stderr
    assert result.stderr.startswith("portal-archive: cannot run: ")
    assert str(wal_left) in result.stderr
    assert before == snapshot(wal_left.parent)


def test_wal_file_without_shm_is_the_reason_given(reader, wal_left):
    result = reader.run("-c", "import sys; from crawler.storage import connect_readonly; "
                              "connect_readonly(sys.argv[1])", str(wal_left))
    assert "ArchiveUnusable: cannot read" in result.stderr
    assert "WAL mode with a -wal file" in result.stderr


def _older_archive(folder: Path) -> Path:
    """An archive made by the version before this one (its last migration not applied)."""
    folder.mkdir()
    db = folder / "archive.db"
    last = migrations.pending(Database(memory=True))[-1].name
    with Database(db) as older:
        migrations.apply(older, stop_before=last)
    return db


def test_archive_needing_migration_is_refused_in_one_line(reader, shelf):
    db = _older_archive(shelf / "older")
    _read_only(db.parent)
    before = snapshot(db.parent)
    result = reader.cli("search", "dang", "--db", str(db))
    assert 2 == result.returncode
    assert 1 == len(result.stderr.splitlines()), result.stderr
    assert "run 'portal-archive migrate --db" in result.stderr
    assert before == snapshot(db.parent)


def test_migrate_brings_an_older_archive_up_to_date(shelf):
    db = _older_archive(shelf / "older-to-migrate")
    last = migrations.pending(Database(memory=True))[-1].name
    result = cli("migrate", "--db", str(db))
    assert 0 == result.returncode, result.stderr
    assert f"{db}: applied {last}; rollback-journal mode" == result.stdout.strip()
    Archive(db, readonly=True).close()


def test_migrate_takes_an_archive_out_of_wal_mode(shelf, crawled):
    db = _copy(crawled, shelf / "wal-to-migrate")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    result = cli("migrate", "--db", str(db))
    assert 0 == result.returncode, result.stderr
    assert (False, [("delete",)]) == (in_wal_mode(db), _query(db, "PRAGMA journal_mode"))


# --- the Archive object ------------------------------------------------------------------------
def test_closing_an_archive_leaves_rollback_journal_mode(tmp_path):
    Archive(tmp_path / "a.db").close()
    assert (False, ["a.db"]) == (in_wal_mode(tmp_path / "a.db"),
                                 sorted(p.name for p in tmp_path.iterdir()))


def test_the_last_connection_to_close_leaves_wal_mode(tmp_path):
    first, second = Archive(tmp_path / "a.db"), Archive(tmp_path / "a.db")
    first.close()
    assert in_wal_mode(tmp_path / "a.db")
    second.close()
    assert not in_wal_mode(tmp_path / "a.db")


def test_a_read_only_archive_cannot_write(tmp_path):
    Archive(tmp_path / "a.db").close()
    with Archive(tmp_path / "a.db", readonly=True) as archive, \
            pytest.raises(sqlite3.OperationalError, match="readonly"):
        archive.begin_crawl("x", [])
