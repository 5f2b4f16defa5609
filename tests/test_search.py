"""Full-text search: every query form through the Python API, the CLI, sqlite-utils, datasette."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import unicodedata

import pytest
import yaml
from click.testing import CliRunner
from datasette.app import Datasette

from crawler.cli import main
from crawler.items import Article, FetchResult
from crawler.search import MalformedQuery, build_match, fold, rebuild_fts, search
from crawler.storage import Archive
from tests.conftest import ROOT

METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
SEED_TITLE = "Đảng bộ Văn phòng UBND tỉnh làm tốt công tác phát triển Đảng."


def article(key, title, body, site="x", category="Hoạt động", published="2021-04-20",
            author="Diệu Thúy", summary=None):
    return Article(url=f"http://{site}.vn/NewsDetail.aspx?id={key}", key=f"id:{key}", site=site,
                   title=title, body=body, summary=summary, category=category,
                   published=published, author=author)


def fetched(art):
    return FetchResult(url=art.url, fetched_at="2026-11-26T00:00:00Z", status=200,
                       body=b"<html></html>", article=art, site=art.site)


ARTICLES = [
    article(1, SEED_TITLE, "Chi bộ kết nạp thêm 5 đảng viên mới trong năm."),
    article(2, "Lễ hội hoa anh đào", "Du khách đến thăm vườn hoa.", category="Tin tức",
            published="2019-03-01", author="Thu Hà"),
    article(3, "Hội nghị tổng kết năm", "Toàn tỉnh có thêm 40 đảng viên.", site="y",
            category="Xây dựng Đảng", published="2015-05-18T08:30:00+07:00", author="Thu Hà"),
    article(4, "Quỹ phòng chống thiên tai", "Báo cáo thu chi của Quỹ.", category="Tin tức",
            published="2024-07-02", summary="Đảng viên gương mẫu đóng góp cho Quỹ."),
]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        archive.write([fetched(a) for a in ARTICLES])
    return path


def keys(hits):
    return sorted(f"{h['site']}:{h['key']}" for h in hits)


FOUND = ["x:id:1", "x:id:4", "y:id:3"]
FORMS = ["đảng viên", "dang vien", "ĐẢNG VIÊN", "DANG VIEN", "Đảng Viên", "dảng viên",
         unicodedata.normalize("NFD", "đảng viên"), unicodedata.normalize("NFD", "ĐẢNG VIÊN"),
         "Ðảng viên"]  # the last one with Ð, the eth that looks like Đ


def test_fold_is_nfc_with_d_stroke_folded():
    assert "Dảng dang" == fold(unicodedata.normalize("NFD", "Đảng đang"))


def test_build_match_quotes_words_phrases_and_prefixes():
    assert '"Dảng" "phát triển" "dang"* "x""y"' == build_match('Đảng "phát triển" dang* x"y')


@pytest.mark.parametrize("query", ["", "   ", '"" * -'])
def test_query_with_nothing_to_search_for_is_an_error(db, query):
    with pytest.raises(ValueError):
        search(query, db)


@pytest.mark.parametrize("query", FORMS)
def test_every_form_finds_the_same_articles(db, query):
    assert FOUND == keys(search(query, db))


def test_phrase_keeps_word_order(db):
    assert (["x:id:1"], []) == (keys(search('"phát triển đảng"', db)),
                                keys(search('"đảng phát triển"', db)))


def test_phrase_without_diacritics(db):
    assert ["x:id:1"] == keys(search('"PHAT TRIEN DANG"', db))


def test_prefix_query(db):
    assert (FOUND, []) == (keys(search("vi*", db)), keys(search("vi", db)))


def test_prefix_with_d_stroke(db):
    assert FOUND == keys(search("ĐẢN*", db))


def test_title_match_ranks_first_by_bm25(tmp_path):
    fillers = [article(10 + i, f"Tin số {i}", "Nội dung khác.") for i in range(4)]
    in_body = article(5, "Hội nghị", "Báo cáo dài về nhiều việc, có nhắc phòng chống thiên tai.")
    in_title = article(6, "Phòng chống thiên tai", "Báo cáo.")
    with Archive(tmp_path / "a.db") as archive:
        archive.write([fetched(a) for a in [in_body, in_title, *fillers]])
    hits = search("thien tai", tmp_path / "a.db")
    assert (["id:6", "id:5"], True) == ([h["key"] for h in hits], hits[0]["rank"] < hits[1]["rank"])


def test_title_highlighted_with_its_diacritics(db):
    hit = search("dang", db)[0]
    assert "[Đảng] bộ Văn phòng UBND tỉnh làm tốt công tác phát triển [Đảng]." == (
        hit["title_highlighted"])


def test_body_snippet_highlights_the_matched_words(db):
    hit = next(h for h in search("dang vien", db) if h["key"] == "id:3")
    assert "Toàn tỉnh có thêm 40 [đảng] [viên]." == hit["snippet"]


def test_snippet_from_the_summary_when_only_the_summary_matches(db):
    hit = search("dang vien", db, site="x", category="Tin tức")[0]
    assert "[Đảng] [viên] gương mẫu đóng góp cho Quỹ." == hit["snippet"]


def test_custom_marks(db):
    hit = search("anh dao", db, mark=("<mark>", "</mark>"))[0]
    assert "Lễ hội hoa <mark>anh</mark> <mark>đào</mark>" == hit["title_highlighted"]


@pytest.mark.parametrize("filters, expected", [
    ({"site": "y"}, ["y:id:3"]),
    ({"category": "Tin tức"}, ["x:id:4"]),
    ({"author": "Thu Hà"}, ["y:id:3"]),
    ({"since": "2021-04-20"}, ["x:id:1", "x:id:4"]),
    ({"until": "2015-05-18"}, ["y:id:3"]),
    ({"since": "2015-05-19", "until": "2021-04-20"}, ["x:id:1"]),
])
def test_filters(db, filters, expected):
    assert expected == keys(search("dang vien", db, **filters))


def test_limit(db):
    assert 2 == len(search("dang vien", db, limit=2))



@pytest.fixture
def dated_db(tmp_path):
    """Five articles on floods, one undated, written in no date order."""
    dates = {21: "2019-08-03", 22: None, 23: "2024-10-12T07:15:00+07:00", 24: "2016-01-30",
             25: "2021-04-20"}
    arts = [article(k, f"Khắc phục hậu quả bão lũ số {k}", "Bão lũ gây thiệt hại.",
                    published=d, site="x" if k % 2 else "y") for k, d in dates.items()]
    path = tmp_path / "dated.db"
    with Archive(path) as archive:
        archive.write([fetched(a) for a in [*arts, *ARTICLES]])
    return path


@pytest.mark.parametrize("sort, expected", [
    ("newest", ["id:23", "id:25", "id:21", "id:24", "id:22"]),
    ("oldest", ["id:24", "id:21", "id:25", "id:23", "id:22"]),
])
def test_date_order_puts_the_undated_last(dated_db, sort, expected):
    assert expected == [h["key"] for h in search("bao lu", dated_db, sort=sort)]


@pytest.mark.parametrize("limit", [1, 3, 4, 5])
def test_date_order_stops_at_the_limit(dated_db, limit):
    expected = ["id:23", "id:25", "id:21", "id:24", "id:22"][:limit]
    assert expected == [h["key"] for h in search("bao lu", dated_db, sort="newest", limit=limit)]


def test_date_order_finds_what_rank_order_finds(dated_db):
    for query in ("dang vien", "bao lu", "thi*", '"phát triển đảng"'):
        by_rank = search(query, dated_db, limit=100)
        assert keys(by_rank) == keys(search(query, dated_db, sort="oldest", limit=100))


def test_date_order_keeps_filters_highlights_and_snippets(dated_db):
    hits = search("bao lu", dated_db, sort="newest", site="x", since="2020-01-01")
    assert [("id:23", "Khắc phục hậu quả [bão] [lũ] số 23", "[Bão] [lũ] gây thiệt hại.", None),
            ("id:25", "Khắc phục hậu quả [bão] [lũ] số 25", "[Bão] [lũ] gây thiệt hại.", None)
            ] == [(h["key"], h["title_highlighted"], h["snippet"], h["rank"]) for h in hits]


def test_unknown_sort_is_an_error(db):
    with pytest.raises(ValueError, match="sort"):
        search("dang", db, sort="date")

def test_bad_date_is_an_error(db):
    with pytest.raises(ValueError, match="since"):
        search("dang", db, since="20/04/2021")


def test_missing_archive_is_an_error_and_not_created(tmp_path):
    with pytest.raises(FileNotFoundError):
        search("dang", tmp_path / "none.db")
    assert not (tmp_path / "none.db").exists()


# --- query operators: FTS5's, on folded words ---------------------------------------------------
def test_or(db):
    assert ["x:id:2", "x:id:4"] == keys(search("hoa OR quy", db))


def test_and(db):
    assert ["y:id:3"] == keys(search("dang AND hoi", db))


def test_not(db):
    assert ["x:id:1", "x:id:4"] == keys(search("dang NOT hoi", db))


def test_lowercase_or_is_a_word(db):
    assert [] == keys(search("hoa or quy", db))


def test_phrase_with_an_operator(db):
    assert ["x:id:1", "y:id:3"] == keys(search('"dang vien" NOT quy', db))


def test_prefix_with_an_operator(db):
    assert ["x:id:2", "x:id:4"] == keys(search("thi* OR hoa", db))


def test_parentheses_group(db):
    assert (["x:id:1", "x:id:4"], FOUND) == (keys(search("(dang OR hoa) NOT hoi", db)),
                                             keys(search("dang OR hoa NOT hoi", db)))


def test_words_side_by_side_bind_tighter_than_not(db):
    """FTS5's precedence: ``dang NOT hoi tinh`` is ``dang NOT (hoi tinh)``."""
    assert ["x:id:1", "x:id:4"] == keys(search("dang NOT hoi tinh", db))


def test_a_group_beside_a_word_is_an_and(db):
    assert '"dang" AND ("hoa" OR "quy")' == build_match("dang (hoa OR quy)")


@pytest.mark.parametrize("query, expected", [("NEAR(chi vien, 2)", []),
                                             ("NEAR(chi vien)", ["x:id:1"])])
def test_near(db, query, expected):
    assert expected == keys(search(query, db))


def test_operators_with_diacritics_find_what_folded_words_find(db):
    assert keys(search("dang NOT hoi", db)) == keys(search("ĐẢNG NOT Hội", db))


@pytest.mark.parametrize("sort", ["rank", "newest", "oldest"])
def test_operators_in_every_sort_order(dated_db, sort):
    hits = search("(lu OR hoa) NOT dao", dated_db, sort=sort)
    assert ["x:id:21", "x:id:23", "x:id:25", "y:id:22", "y:id:24"] == keys(hits)


def test_operators_in_date_order(dated_db):
    assert ["id:23", "id:25", "id:21", "id:2", "id:24", "id:22"] == [
        h["key"] for h in search("lu OR hoa", dated_db, sort="newest")]


@pytest.mark.parametrize("query", ['"unbalanced', "AND", "foo NOT", "(a", "a)", "()", "NOT a",
                                   "a OR", "a AND OR b", "NEAR a", "NEAR(a OR b)"])
def test_malformed_query_is_an_error(db, query):
    with pytest.raises(MalformedQuery, match="^malformed search query: "):
        search(query, db)


def test_malformed_query_is_a_value_error():
    assert issubclass(MalformedQuery, ValueError)


@pytest.mark.parametrize("sort", ["rank", "newest", "oldest"])
def test_total_counts_every_match_past_the_limit(dated_db, sort):
    hits = search("bao lu", dated_db, limit=2, sort=sort)
    assert (2, 5) == (len(hits), hits.total)


def test_total_counts_with_the_filters(dated_db):
    assert 3 == search("bao lu", dated_db, limit=1, site="x").total


def test_total_under_the_limit(dated_db):
    assert 5 == search("bao lu", dated_db).total


# --- the index stays in step -------------------------------------------------------------------
def test_index_follows_a_changed_body(db):
    with Archive(db) as archive:
        archive.write([fetched(article(2, "Lễ hội hoa anh đào", "Khách tham quan đồi chè."))])
    assert ([], ["x:id:2"]) == (keys(search("vuon hoa", db)), keys(search("đồi chè", db)))


def test_index_follows_a_row_inserted_by_another_tool(db):
    with Archive(db) as archive:
        archive.db["articles"].insert({"site": "z", "key": "id:9", "url": "http://z.vn/9",
                                       "title": "Đường giao thông nông thôn", "body": "Bê tông."})
    assert ["z:id:9"] == keys(search("duong giao thong", db))


def test_index_follows_a_row_updated_by_another_tool(db):
    with Archive(db) as archive:
        archive.db["articles"].update(3, {"body": "Toàn tỉnh có thêm 40 hội viên."})
    assert (["x:id:1", "x:id:4"], ["y:id:3"]) == (keys(search("dang vien", db)),
                                                  keys(search("hoi vien", db)))


def test_index_follows_a_row_deleted_by_another_tool(db):
    with Archive(db) as archive:
        archive.db["articles"].insert({"id": 9, "site": "z", "key": "id:9", "url": "u",
                                       "title": "Đường giao thông"})
        archive.db["articles"].delete(9)
    assert [] == keys(search("duong", db))


def test_rebuild_restores_an_emptied_index(db):
    with Archive(db) as archive:
        archive.db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
    assert [] == keys(search("dang vien", db))
    assert 4 == rebuild_fts(db)
    assert FOUND == keys(search("dang vien", db))


def test_migration_indexes_the_articles_of_an_existing_archive(db):
    """An archive made before the search migration is upgraded when opened to write (search
    itself only reads, and refuses an archive that needs migrating: tests/test_readonly.py)."""
    with Archive(db) as archive:
        for trigger in ("insert", "update", "delete"):
            archive.db.execute(f"DROP TRIGGER articles_fts_{trigger}")
        archive.db.execute("DROP TABLE articles_fts")
        archive.db.execute("DROP VIEW articles_by_month")
        archive.db.execute("DROP VIEW authors")
        archive.db.execute("DELETE FROM _sqlite_migrations WHERE name IN "
                           "('m004_search_index', 'm005_views', 'm006_filter_indexes')")
        archive.db.conn.commit()
    Archive(db).close()
    assert FOUND == keys(search("dang vien", db))


# --- the CLI -------------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["dang vien", "ĐẢNG VIÊN",
                                   unicodedata.normalize("NFD", "đảng viên")])
def test_cli_search_forms(db, query):
    result = CliRunner().invoke(main, ["search", query, "--db", str(db), "--json"])
    assert 0 == result.exit_code, result.output
    assert FOUND == keys(json.loads(result.stdout)["hits"])


def test_cli_search_words_as_separate_arguments(db):
    result = CliRunner().invoke(main, ["search", "phat", "trien", "--db", str(db), "--json"])
    assert ["x:id:1"] == keys(json.loads(result.stdout)["hits"])


def test_cli_search_phrase_and_prefix(db):
    phrase = CliRunner().invoke(main, ["search", '"phát triển đảng"', "--db", str(db), "--json"])
    prefix = CliRunner().invoke(main, ["search", "vi*", "--db", str(db), "--json"])
    assert (["x:id:1"], FOUND) == (keys(json.loads(phrase.stdout)["hits"]),
                                   keys(json.loads(prefix.stdout)["hits"]))


def test_cli_search_filters(db):
    result = CliRunner().invoke(main, [
        "search", "dang vien", "--db", str(db), "--site", "x", "--category", "Hoạt động",
        "--author", "Diệu Thúy", "--since", "2021-01-01", "--until", "2021-12-31",
        "--limit", "5", "--json"])
    assert ["x:id:1"] == keys(json.loads(result.stdout)["hits"])


def test_cli_search_prints_highlighted_titles_and_snippets(db):
    result = CliRunner().invoke(main, ["search", "dang vien", "--db", str(db), "--site", "y"])
    assert ("Hội nghị tổng kết năm" in result.stdout
            and "Toàn tỉnh có thêm 40 [đảng] [viên]." in result.stdout)



def test_cli_search_sorted_by_date(dated_db):
    result = CliRunner().invoke(main, ["search", "bao", "lu", "--db", str(dated_db),
                                       "--sort", "oldest", "--limit", "2"])
    lines = [line.split()[:2] for line in result.stdout.splitlines() if re.match(r" *\d+\. ", line)]
    assert (0, [["1.", "2016-01-30"], ["2.", "2019-08-03"]]) == (result.exit_code, lines)

@pytest.mark.parametrize("args", [["--since", "2021"], ["--db", "missing.db"], ["--sort", "date"]])
def test_cli_search_cannot_run(db, args):
    result = CliRunner().invoke(main, ["search", "dang", "--db", str(db), *args])
    assert 2 == result.exit_code


def test_cli_search_prints_the_total(dated_db):
    result = CliRunner().invoke(main, ["search", "bao", "lu", "--db", str(dated_db),
                                       "--limit", "2"])
    assert (0, "2 of 5 articles match") == (result.exit_code, result.stdout.splitlines()[0])


def test_cli_search_json_has_the_total(dated_db):
    result = CliRunner().invoke(main, ["search", "bao lu", "--db", str(dated_db), "--limit", "2",
                                       "--json"])
    out = json.loads(result.stdout)
    assert (5, 2) == (out["total"], len(out["hits"]))


def test_cli_search_or(db):
    result = CliRunner().invoke(main, ["search", "hoa", "OR", "quy", "--db", str(db), "--json"])
    assert (0, ["x:id:2", "x:id:4"]) == (result.exit_code, keys(json.loads(result.stdout)["hits"]))


@pytest.mark.parametrize("query", ['"unbalanced', "AND", "foo NOT", "(a"])
def test_cli_malformed_query_exits_2_with_one_line(db, query):
    result = CliRunner().invoke(main, ["search", query, "--db", str(db)])
    assert (2, 1, "portal-archive: cannot run: malformed search query: ") == (
        result.exit_code, len(result.stderr.splitlines()), result.stderr[:52])


def test_cli_no_match_exits_0(db):
    result = CliRunner().invoke(main, ["search", "xyzzy", "--db", str(db)])
    assert (0, "no article matches\n") == (result.exit_code, result.stderr)


def test_cli_rebuild_fts(db):
    result = CliRunner().invoke(main, ["rebuild-fts", "--db", str(db)])
    assert (0, "indexed 4 articles\n") == (result.exit_code, result.stdout)


# --- sqlite-utils and datasette, on the crawled replica ------------------------------------------
def sqlite_utils_search(db, query):
    result = subprocess.run([sys.executable, "-m", "sqlite_utils", "search", str(db), "articles",
                             query, "-c", "key", "-c", "title"],
                            capture_output=True, text=True, cwd=ROOT)
    assert 0 == result.returncode, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("query", ["dang vien", "đảng viên", "ĐẢNG VIÊN",
                                   unicodedata.normalize("NFD", "đảng viên"),
                                   '"phát triển đảng"', '"phat trien dang"', "dang* vien"])
def test_sqlite_utils_search_finds_the_seed_article(replica_archive, query):
    db, portal = replica_archive
    rows = sqlite_utils_search(db, query)
    assert f"id:{portal.seed_article.id}" in {r["key"] for r in rows}


def test_sqlite_utils_search_finds_what_the_api_finds_for_a_query_without_d(replica_archive):
    db, _ = replica_archive
    assert sorted(h["key"] for h in search("dang vien", db, limit=10_000)) == sorted(
        r["key"] for r in sqlite_utils_search(db, "dang vien"))


def datasette_keys(db, query, raw=False):
    ds = Datasette([str(db)], metadata=METADATA)
    params = {"_search": query, "_shape": "array", "_col": "key", "_size": "max"}
    if raw:
        params["_searchmode"] = "raw"

    async def get():
        return await ds.client.get("/archive/articles.json", params=params)

    response = asyncio.run(get())
    assert 200 == response.status_code, response.text
    return {r["key"] for r in response.json()}


@pytest.mark.parametrize("query, raw", [
    ("dang vien", False), ("đảng viên", False), ("ĐẢNG VIÊN", False),
    (unicodedata.normalize("NFD", "đảng viên"), False),
    ('"phát triển đảng"', True), ('"phat trien dang"', True), ("dang* vien", True),
])
def test_datasette_search_finds_the_seed_article(replica_archive, query, raw):
    db, portal = replica_archive
    assert f"id:{portal.seed_article.id}" in datasette_keys(db, query, raw)


def test_datasette_search_finds_what_the_api_finds(replica_archive):
    db, _ = replica_archive
    assert {h["key"] for h in search("dang vien", db, limit=10_000)} == datasette_keys(
        db, "dang vien")


def test_datasette_search_filters(replica_archive):
    db, _ = replica_archive
    assert set() == datasette_keys(db, "xyzzy")
