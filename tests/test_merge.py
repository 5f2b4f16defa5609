"""Merging worker shards (Archive.merge_shard), on shards written through Archive.write."""

from __future__ import annotations

import pytest

from crawler.items import AliasSeen, Article, FetchResult
from crawler.storage import Archive


def article(key="id:1", body=None):
    return Article(url=f"http://x.vn/NewsDetail.aspx?id={key[3:]}", key=key, site="x",
                   title=f"Tiêu đề {key}", body=body or f"Đoạn của {key}.",
                   published="2021-04-20")


def fetched(art, when, url=None, error=None):
    return FetchResult(url=url or (art.url if art else "http://x.vn/dead"), fetched_at=when,
                       status=200 if error is None else 404, body=b"<html>x</html>",
                       article=art, error=error, site="x")


def shard(path, *results, aliases=(), sightings=()):
    with Archive(path) as a:
        crawl = a.begin_crawl("worker:w", [])
        a.write(list(results), list(aliases), crawl_id=crawl)
        a.finish_crawl(crawl, "complete", {"downloader/request_count": len(results)})
        if sightings:
            a.add_alias_sightings(sightings)
    return path


def merged(tmp_path, *shards):
    with Archive(tmp_path / "archive.db") as a:
        for s in shards:
            a.merge_shard(s)
    return Archive(tmp_path / "archive.db")


def test_one_row_per_article_fetched_by_two_workers(tmp_path):
    a = shard(tmp_path / "a.db", fetched(article(), "2026-11-26T01:00:00Z"))
    b = shard(tmp_path / "b.db", fetched(article(), "2026-11-26T02:00:00Z"))
    with merged(tmp_path, a, b) as archive:
        assert [("id:1", "2026-11-26T01:00:00Z", "2026-11-26T02:00:00Z", 1)] == \
            archive.db.execute("SELECT key, first_seen, last_seen, (SELECT count(*) FROM "
                               "article_versions) FROM articles").fetchall()


def test_versions_from_two_shards_in_capture_order_newest_wins(tmp_path):
    a = shard(tmp_path / "a.db", fetched(article(body="Bản sau."), "2026-11-26T03:00:00Z"))
    b = shard(tmp_path / "b.db", fetched(article(body="Bản đầu."), "2026-11-26T01:00:00Z"))
    with merged(tmp_path, a, b) as archive:
        assert [(1, "Bản đầu."), (2, "Bản sau.")] == archive.db.execute(
            "SELECT version, body FROM article_versions ORDER BY version").fetchall()
        assert "Bản sau." == archive.db.execute("SELECT body FROM articles").fetchone()[0]


def test_merging_again_adds_nothing(tmp_path):
    a = shard(tmp_path / "a.db", fetched(article(), "2026-11-26T01:00:00Z"),
              fetched(None, "2026-11-26T01:00:00Z", error="HTTP 404"))
    tables = ("articles", "article_versions", "captures", "crawls", "failures", "merged")
    with merged(tmp_path, a) as archive:
        once = {t: archive.db[t].count for t in tables}
    with merged(tmp_path, a) as archive:
        assert once == {t: archive.db[t].count for t in tables}


def test_a_shard_merged_again_after_it_grew(tmp_path):
    path = shard(tmp_path / "a.db", fetched(article(), "2026-11-26T01:00:00Z"))
    merged(tmp_path, path).close()
    shard(path, fetched(article("id:2"), "2026-11-26T02:00:00Z"))
    with merged(tmp_path, path) as archive:
        assert (["id:1", "id:2"], 2, 2) == (
            [r[0] for r in archive.db.execute("SELECT key FROM articles ORDER BY key")],
            archive.db["captures"].count, archive.db["crawls"].count)


def test_alias_seen_by_one_worker_for_an_article_of_another(tmp_path):
    print_url = "http://x.vn/Print.aspx?id=1"
    a = shard(tmp_path / "a.db", fetched(article("id:2"), "2026-11-26T01:00:00Z"),
              aliases=[AliasSeen(print_url, "x", "id:1")],
              sightings=[AliasSeen(print_url, "x", "id:1")])
    b = shard(tmp_path / "b.db", fetched(article(), "2026-11-26T01:00:00Z"))
    with merged(tmp_path, a, b) as archive:
        assert [(print_url, "id:1")] == archive.db.execute(
            "SELECT l.url, a.key FROM aliases l JOIN articles a ON a.id = l.article_id"
        ).fetchall()
        assert 0 == archive.db["alias_sightings"].count


def test_failure_archived_by_another_worker_is_not_a_failure(tmp_path):
    art = article()
    a = shard(tmp_path / "a.db", fetched(None, "2026-11-26T01:00:00Z", url=art.url,
                                         error="HTTP 503"))
    b = shard(tmp_path / "b.db", fetched(art, "2026-11-26T02:00:00Z"))
    with merged(tmp_path, a, b) as archive:
        assert 0 == archive.db["failures"].count


def test_statistics_of_the_shards_runs_are_summed(tmp_path):
    a = shard(tmp_path / "a.db", fetched(article(), "2026-11-26T01:00:00Z"))
    b = shard(tmp_path / "b.db", fetched(article("id:2"), "2026-11-26T01:00:00Z"),
              fetched(article("id:3"), "2026-11-26T01:00:00Z"))
    from crawler.api import merge

    result = merge([str(a), str(b)], str(tmp_path / "archive.db"))
    assert (3, 3) == (result["total"]["stats"]["downloader/request_count"],
                      result["total"]["articles"])


def test_an_archive_is_not_merged_into_itself(tmp_path):
    path = shard(tmp_path / "a.db", fetched(article(), "2026-11-26T01:00:00Z"))
    with Archive(path) as archive, pytest.raises(ValueError, match="into itself"):
        archive.merge_shard(path)
