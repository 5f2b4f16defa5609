"""metadata.yml describes every table and column of the archive, and datasette serves it."""

from __future__ import annotations

import asyncio

import yaml
from datasette.app import Datasette

from crawler.storage import Archive
from tests.conftest import ROOT

METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))


def test_every_table_and_column_is_described(tmp_path):
    described = METADATA["databases"]["archive"]["tables"]
    with Archive(tmp_path / "archive.db") as archive:
        shadow = {r[1] for r in archive.db.execute("PRAGMA table_list") if r[2] == "shadow"}
        for table in archive.db.table_names():
            if table.startswith("_") or table in shadow:  # FTS5's own storage tables
                continue
            columns = {c.name for c in archive.db[table].columns}
            assert columns == set(described[table]["columns"]), table


def test_every_view_and_column_is_described(tmp_path):
    described = METADATA["databases"]["archive"]["tables"]
    with Archive(tmp_path / "archive.db") as archive:
        views = archive.db.view_names()
        assert {"articles_by_month", "authors"} <= set(views)
        for view in views:
            columns = {c.name for c in archive.db[view].columns}
            assert columns == set(described[view]["columns"]), view


def test_datasette_serves_the_archive_with_the_metadata(tmp_path):
    db = tmp_path / "archive.db"
    Archive(db).close()
    ds = Datasette([str(db)], metadata=METADATA)

    async def get():
        return await ds.client.get("/archive/articles.json?_shape=objects")

    response = asyncio.run(get())
    assert 200 == response.status_code
