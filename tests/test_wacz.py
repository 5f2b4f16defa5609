"""export --format wacz: a WACZ that `wacz validate` accepts, one page an article, filters that
select the pages and the WARC records, and bad input refused before anything is written."""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.warc import check_file
from tests.test_bad_input import CANNOT_RUN, as_unprivileged, shared_tmp  # noqa: F401

WACZ_CLI = Path(sys.executable).parent / "wacz"


def export(db: Path, output: Path, *args: str):
    return CliRunner().invoke(main, ["export", "--db", str(db), "--format", "wacz",
                                     "-o", str(output), *args])


def pages(path: Path) -> list[dict]:
    with zipfile.ZipFile(path) as wacz:
        lines = wacz.read("pages/pages.jsonl").decode("utf-8").splitlines()
    assert {"format": "json-pages-1.0", "id": "pages", "title": "Articles"} == json.loads(
        lines[0])
    return [json.loads(line) for line in lines[1:]]


def cdx_lines(path: Path) -> list[tuple[str, str, dict]]:
    """(timestamp, url, fields) of every CDXJ line of the WACZ's gzip-block index."""
    with zipfile.ZipFile(path) as wacz:
        text = gzip.decompress(wacz.read("indexes/index.cdx.gz")).decode("utf-8")
    out = []
    for line in text.splitlines():
        _, ts, fields = line.split(" ", 2)
        data = json.loads(fields)
        out.append((ts, data["url"], data))
    return out


def responses(path: Path, tmp_path: Path) -> list[str]:
    """URLs of the response and revisit records of the WACZ's WARC files, digests checked."""
    from warcio.archiveiterator import ArchiveIterator

    urls = []
    with zipfile.ZipFile(path) as wacz:
        for name in wacz.namelist():
            if name.startswith("archive/"):
                target = tmp_path / Path(name).name
                target.write_bytes(wacz.read(name))
                assert [] == check_file(target).problems
                with target.open("rb") as fh:
                    urls += [r.rec_headers.get_header("WARC-Target-URI")
                             for r in ArchiveIterator(fh) if r.rec_type in ("response", "revisit")]
    return urls


@pytest.fixture(scope="module")
def whole(replica_archive, tmp_path_factory):
    db, _ = replica_archive
    path = tmp_path_factory.mktemp("wacz") / "portal.wacz"
    result = export(db, path)
    assert 0 == result.exit_code, result.stderr
    return path


@pytest.fixture(scope="module")
def since_2021(replica_archive, tmp_path_factory):
    db, _ = replica_archive
    path = tmp_path_factory.mktemp("wacz") / "2021.wacz"
    result = export(db, path, "--since", "2021-01-01")
    assert 0 == result.exit_code, result.stderr
    return path


def validate(path: Path) -> tuple[int, str]:
    result = subprocess.run([str(WACZ_CLI), "validate", "-f", str(path)], capture_output=True,
                            text=True, timeout=600)
    return result.returncode, result.stdout.strip().splitlines()[-1]


def test_wacz_validate_accepts_it(whole):
    assert (0, "Validation succeeded, the passed WACZ is valid") == validate(whole)


def test_wacz_validate_accepts_a_filtered_one(since_2021):
    assert (0, "Validation succeeded, the passed WACZ is valid") == validate(since_2021)


def test_the_zip_holds_what_a_wacz_holds(whole):
    with zipfile.ZipFile(whole) as wacz:
        names = wacz.namelist()
        stored = {i.filename for i in wacz.infolist() if i.compress_type == zipfile.ZIP_STORED}
    assert ["indexes/index.cdx.gz", "indexes/index.idx"] == names[:2]
    assert {"pages/pages.jsonl", "datapackage.json", "datapackage-digest.json"} <= set(names)
    warcs = [n for n in names if n.startswith("archive/")]
    assert warcs and all(n.endswith(".warc.gz") for n in warcs)
    assert set(warcs) <= stored


def test_one_page_per_article(whole, replica_archive):
    db, _ = replica_archive
    rows = sqlite3.connect(db).execute(
        "SELECT a.id, coalesce(c.final_url, c.url), a.title, c.fetched_at FROM articles a "
        "JOIN captures c ON c.id = a.capture_id ORDER BY a.id").fetchall()
    assert len(rows) > 300
    assert rows == [(int(p["id"]), p["url"], p["title"], p["ts"]) for p in pages(whole)]


def test_every_page_is_in_the_index(whole):
    index = {(ts, url) for ts, url, _ in cdx_lines(whole)}
    missing = [p["url"] for p in pages(whole)
               if (p["ts"].replace("-", "").replace(":", "").replace("T", "").rstrip("Z"),
                   p["url"]) not in index]
    assert [] == missing


def test_the_whole_archive_keeps_every_record(whole, replica_archive, tmp_path):
    db, _ = replica_archive
    captures = sqlite3.connect(db).execute(
        "SELECT count(*) FROM captures WHERE warc_file IS NOT NULL").fetchone()[0]
    assert captures == len(responses(whole, tmp_path)) == len(cdx_lines(whole))


def test_datapackage_lists_every_file_with_its_sha256(whole):
    import hashlib

    with zipfile.ZipFile(whole) as wacz:
        package = json.loads(wacz.read("datapackage.json"))
        listed = {r["path"]: r["hash"] for r in package["resources"]}
        actual = {n: "sha256:" + hashlib.sha256(wacz.read(n)).hexdigest()
                  for n in wacz.namelist() if not n.startswith("datapackage")}
        digest = json.loads(wacz.read("datapackage-digest.json"))
        assert digest["hash"] == "sha256:" + hashlib.sha256(
            wacz.read("datapackage.json")).hexdigest()
    assert actual == listed


def test_since_selects_the_pages(since_2021, replica_archive):
    db, _ = replica_archive
    expected = [r[0] for r in sqlite3.connect(db).execute(
        "SELECT id FROM articles WHERE published >= '2021-01-01' ORDER BY id")]
    assert 0 < len(expected) < 300
    assert expected == [int(p["id"]) for p in pages(since_2021)]


def test_since_selects_the_records_of_those_articles_and_their_media(since_2021,
                                                                    replica_archive, tmp_path):
    db, _ = replica_archive
    conn = sqlite3.connect(db)
    chosen = "(SELECT id FROM articles WHERE published >= '2021-01-01')"
    expected = {r[0] for r in conn.execute(
        f"SELECT c.url FROM articles a JOIN captures c ON c.id = a.capture_id "
        f"WHERE a.id IN {chosen} UNION SELECT url FROM images WHERE article_id IN {chosen} "
        f"UNION SELECT url FROM attachments WHERE article_id IN {chosen}")}
    assert expected == set(responses(since_2021, tmp_path))


def test_site_selects_its_records(replica_archive, tmp_path):
    db, _ = replica_archive
    path = tmp_path / "site.wacz"
    result = export(db, path, "--site", "vpubnd-replica")
    assert (0, f"exported {len(pages(path))} articles and 1 WARC file(s) to {path}\n") == (
        result.exit_code, result.stderr)
    total = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
    assert total == len(pages(path))


# --- bad input: one line, exit 2, nothing written --------------------------------------------
@pytest.mark.parametrize("args, message", [
    (["--since", "yesterday"], "since must be a date, YYYY-MM-DD: 'yesterday'"),
    (["--site", "other"], "no site 'other' in {db} (its sites: vpubnd-replica)"),
])
def test_bad_input_cannot_run(replica_archive, tmp_path, args, message):
    db, _ = replica_archive
    result = export(db, tmp_path / "out.wacz", *args)
    assert (2, f"{CANNOT_RUN}{message.format(db=db)}\n") == (result.exit_code, result.stderr)
    assert [] == list(tmp_path.iterdir())


def test_an_output_in_a_missing_folder_cannot_run(replica_archive, tmp_path):
    db, _ = replica_archive
    out = tmp_path / "no" / "such" / "out.wacz"
    result = export(db, out)
    assert (2, f"{CANNOT_RUN}no folder {out.parent} for {out}\n") == (
        result.exit_code, result.stderr)
    assert [] == list(tmp_path.iterdir())


def test_standard_output_cannot_take_a_wacz(replica_archive):
    db, _ = replica_archive
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "wacz"])
    assert (2, f"{CANNOT_RUN}a WACZ is a zip file: give its path with -o FILE\n") == (
        result.exit_code, result.stderr)


def test_an_output_folder_the_user_cannot_write(replica_archive, shared_tmp):  # noqa: F811
    import shutil

    db, _ = replica_archive
    readable = shared_tmp / "archive.db"
    shutil.copy(db, readable)
    shutil.copytree(db.parent / "archive", shared_tmp / "archive")
    folder = shared_tmp / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    out = folder / "out.wacz"
    assert (2, f"{CANNOT_RUN}cannot write in {folder}: permission denied\n") == (
        as_unprivileged(["export", "--db", str(readable), "--format", "wacz", "-o", str(out)]))
    assert [] == list(folder.iterdir())
