import json
import zlib

import pytest

from crawler.items import AliasSeen, Article, FetchResult, Image, RelatedEntry
from crawler.storage import Archive


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "archive.db") as a:
        yield a


def article(key="id:1", title="Tiêu đề", body="Đoạn một.\n\nĐoạn hai."):
    return Article(url=f"http://x.vn/NewsDetail.aspx?id={key[3:]}", key=key, site="x",
                   title=title, body=body, published="2021-04-20",
                   images=[Image("http://x.vn/a.jpg", "Chú thích.", "Huy Dương")],
                   related=[RelatedEntry("http://x.vn/NewsDetail.aspx?id=0", "Cũ", "2021-01-01")])


def fetched(art=None, url=None, error=None, status=200):
    return FetchResult(url=url or art.url, fetched_at="2026-11-26T00:00:00Z", status=status,
                       headers={"Content-Type": "text/html"}, body=b"<html>x</html>",
                       article=art, error=error, site="x")


def test_migrations_apply_once(tmp_path):
    from crawler.migrations import migrations

    Archive(tmp_path / "a.db").close()
    with Archive(tmp_path / "a.db") as again:
        assert len(migrations._migrations) == again.db["_sqlite_migrations"].count
        assert [] == migrations.pending(again.db)


def test_new_article_is_stored_with_children(archive):
    report = archive.write([fetched(article())])
    assert (1, 1, 1, 1) == (report.new, archive.db["articles"].count,
                            archive.db["images"].count, archive.db["related"].count)


def test_a_photos_alt_text_is_stored_and_exported_beside_its_caption(archive):
    art = article()
    art.images = [Image("http://x.vn/b.jpg", None, None, alt="Sơ đồ giá cổ phiếu")]
    archive.write([fetched(art)])
    row = next(archive.db["images"].rows)
    assert (None, "Sơ đồ giá cổ phiếu") == (row["caption"], row["alt"])
    columns, rows = archive.export_rows()
    exported = json.loads(dict(zip(columns, next(rows), strict=True))["images"])
    assert [(None, "Sơ đồ giá cổ phiếu")] == [(i["caption"], i["alt"]) for i in exported]


def test_an_alt_text_alone_is_no_new_version(archive):
    # archives made before photos kept their alt text must not see every article as changed
    with_alt = article()
    with_alt.images = [Image("http://x.vn/a.jpg", "Chú thích.", "Huy Dương", alt="Ảnh hội nghị")]
    archive.write([fetched(article())])
    report = archive.write([fetched(with_alt)])
    assert (0, 1, 1) == (report.changed, report.unchanged, archive.db["article_versions"].count)


def test_capture_keeps_raw_bytes(archive):
    archive.write([fetched(article())])
    row = next(archive.db["captures"].rows)
    assert b"<html>x</html>" == zlib.decompress(row["body"])


def test_same_content_twice_adds_no_row_and_no_version(archive):
    archive.write([fetched(article())])
    report = archive.write([fetched(article())])
    assert (1, 1, 1) == (report.unchanged, archive.db["articles"].count,
                         archive.db["article_versions"].count)


def test_changed_content_keeps_the_previous_version(archive):
    archive.write([fetched(article())])
    report = archive.write([fetched(article(body="Đoạn một, đã sửa."))])
    versions = [r["body"] for r in archive.db["article_versions"].rows_where(order_by="version")]
    assert 1 == report.changed
    assert ["Đoạn một.\n\nĐoạn hai.", "Đoạn một, đã sửa."] == versions
    assert "Đoạn một, đã sửa." == next(archive.db["articles"].rows)["body"]


def test_same_content_under_another_key_becomes_an_alias(archive):
    archive.write([fetched(article())])
    other = article(key="id:2")
    report = archive.write([fetched(other)])
    assert (1, 1) == (report.duplicates, archive.db["articles"].count)
    assert other.url in {r["url"] for r in archive.db["aliases"].rows}


def test_failure_counts_attempts_then_clears_on_success(archive):
    url = "http://x.vn/NewsDetail.aspx?id=1"
    archive.write([fetched(url=url, error="HTTP 500", status=500)])
    archive.write([fetched(url=url, error="HTTP 500", status=500)])
    assert 2 == next(archive.db["failures"].rows)["attempts"]
    archive.write([fetched(article())])
    assert 0 == archive.db["failures"].count


def test_alias_waits_for_its_article(archive):
    alias = AliasSeen("http://x.vn/ArticlePrint.aspx?ArticleID=1", "x", "id:1")
    report = archive.write([], [alias])
    assert [alias] == report.unresolved_aliases
    archive.write([fetched(article())], [alias])
    assert 1 == next(archive.db["aliases"].rows)["article_id"]


def test_runs_are_recorded(archive):
    crawl_id = archive.begin_crawl("x", ["http://x.vn/"])
    archive.finish_crawl(crawl_id, "complete", {"archive/articles/new": 3})
    assert [("complete", 3)] == [(r["status"], r["stats"]["archive/articles/new"])
                                 for r in archive.crawls()]


def test_page_that_lost_most_of_the_body_is_a_failure_not_a_version(archive):
    long_body = "Đoạn văn dài của bài viết. " * 20
    archive.write([fetched(article(body=long_body))])
    report = archive.write([fetched(article(body="Trang lỗi."))])
    reason = next(archive.db["failures"].rows)["reason"]
    assert (1, 1) == (report.failed, archive.db["article_versions"].count)
    assert long_body == next(archive.db["articles"].rows)["body"]
    assert reason.startswith("body shrank from")


def test_not_modified_response_confirms_the_article(archive):
    archive.write([fetched(article())])
    report = archive.write([FetchResult(url=article().url, fetched_at="2026-11-27T00:00:00Z",
                                        status=304, site="x", key="id:1")])
    row = next(archive.db["articles"].rows)
    assert (1, "2026-11-27T00:00:00Z", 1) == (report.unchanged, row["last_seen"],
                                              archive.db["article_versions"].count)


def test_begin_crawl_marks_runs_left_running_as_interrupted(archive):
    dead = archive.begin_crawl("x", [])
    archive.begin_crawl("x", [])
    assert "interrupted" == archive.db["crawls"].get(dead)["status"]
