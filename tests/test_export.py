"""Export: JSON Lines and CSV, streaming, every field of every article of the crawled replica."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.export import export
from crawler.storage import Archive

CHILDREN = {"images": ("url", "caption", "credit", "alt"), "attachments": ("url", "title"),
            "related": ("url", "title", "published", "published_text")}
#: Photos and attachments carry their downloaded copy: its path and sha256 from ``files``.
WITH_FILES = {"images", "attachments"}


@pytest.fixture(scope="module")
def rows(replica_archive):
    """Every article of the archive as the database holds it, children as lists, by id."""
    db, _ = replica_archive
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    out = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM articles")}
    for table, cols in CHILDREN.items():
        for row in out.values():
            row[table] = []
        extra, join = "", ""
        if table in WITH_FILES:
            extra, join = ", f.path AS file, f.sha256", " LEFT JOIN files f ON f.id = t.file_id"
        for r in conn.execute(f"SELECT t.article_id, {', '.join('t.' + c for c in cols)}{extra} "
                              f"FROM {table} t{join} ORDER BY t.article_id, t.position"):
            out[r["article_id"]][table].append({c: r[c] for c in r.keys()[1:]})
    conn.close()
    return out


@pytest.fixture(scope="module")
def jsonl(replica_archive, tmp_path_factory):
    db, _ = replica_archive
    path = tmp_path_factory.mktemp("export") / "articles.jsonl"
    count = export(db, "jsonl", path)
    return count, path.read_text(encoding="utf-8").splitlines()


def test_jsonl_has_one_line_per_article(jsonl, rows):
    count, lines = jsonl
    assert (len(rows), len(rows)) == (count, len(lines))


def test_jsonl_fields_equal_the_rows(jsonl, rows):
    _, lines = jsonl
    wrong = []
    for line in lines:
        record = json.loads(line)
        expected = dict(rows[record["id"]], problems=json.loads(rows[record["id"]]["problems"]))
        if record != expected:
            wrong.append(record["key"])
    assert [] == wrong


def test_jsonl_keeps_images_attachments_and_related(jsonl):
    _, lines = jsonl
    records = [json.loads(line) for line in lines]
    assert all(any(r[t] for r in records) for t in CHILDREN)


def test_csv_rows_equal_the_rows(replica_archive, rows, tmp_path):
    db, _ = replica_archive
    path = tmp_path / "articles.csv"
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "csv",
                                       "-o", str(path)])
    with path.open(encoding="utf-8", newline="") as f:
        records = list(csv.DictReader(f))
    assert (0, len(rows)) == (result.exit_code, len(records))
    wrong = []
    for record in records:
        row = rows[int(record["id"])]
        for column, value in row.items():
            if column in CHILDREN:
                same = json.loads(record[column]) == value
            else:
                same = record[column] == ("" if value is None else str(value))
            if not same:
                wrong.append((record["key"], column))
    assert [] == wrong[:5]


def test_export_streams_from_a_cursor(replica_archive):
    db, _ = replica_archive
    with Archive(db) as archive:
        _, cursor = archive.export_rows()
        assert isinstance(cursor, sqlite3.Cursor) and next(cursor)


@pytest.mark.parametrize("args, where", [
    (["--since", "2020-01-01"], "published >= '2020-01-01'"),
    (["--until", "2010-12-31"], "published < '2011-01-01'"),
    (["--since", "2012-01-01", "--until", "2012-12-31"], "published LIKE '2012-%'"),
    (["--site", "vpubnd-replica"], "site = 'vpubnd-replica'"),
    (["--site", "other"], "site = 'other'"),
])
def test_filters(replica_archive, args, where):
    db, _ = replica_archive
    result = CliRunner().invoke(main, ["export", "--db", str(db), *args])
    expected = sqlite3.connect(db).execute(
        f"SELECT count(*) FROM articles WHERE {where}").fetchone()[0]
    assert (0, expected) == (result.exit_code, len(result.stdout.splitlines()))
    assert f"exported {expected} articles" in result.stderr


def test_no_partial_file_is_left(replica_archive, tmp_path):
    db, _ = replica_archive
    export(db, "csv", tmp_path / "a.csv", site="vpubnd-replica")
    assert ["a.csv"] == sorted(p.name for p in tmp_path.iterdir())


@pytest.mark.parametrize("args", [["--format", "xml"], ["--since", "yesterday"],
                                  ["--db", "missing.db"]])
def test_bad_arguments_cannot_run(replica_archive, args):
    db, _ = replica_archive
    result = CliRunner().invoke(main, ["export", "--db", str(db), *args])
    assert 2 == result.exit_code


def test_photos_and_attachments_name_their_downloaded_copy(jsonl):
    _, lines = jsonl
    media = [m for line in lines for t in WITH_FILES for m in json.loads(line)[t]]
    assert len(media) > 300
    assert all(m["file"].startswith("files/") and m["sha256"] in m["file"] for m in media)
