"""Which number in a portal's article URLs names the article, learned from its URLs, and the
archive keeping one article when a page no profile knows comes back under another spelling."""

from __future__ import annotations

import pytest

from crawler.identity import LEAST_URLS, KnownIds, id_places, id_values, same_id
from crawler.items import Article, FetchResult
from crawler.seen import fingerprint
from crawler.storage import Archive

LIFERAY = ("http://x.vn/web/guest/tin-tuc?_vcms_WAR_VCMSportlet_INSTANCE_{i}_articleId={a}"
           "&_vcms_WAR_VCMSportlet_INSTANCE_{i}_categoryId=1263370486843&p_p_id=vcms")


def test_id_values_by_place():
    assert {"path": "2009"} == id_values(
        "http://x.vn/portal/Pages/2018-2-6/Van-phong-tap-huan-2009.aspx?Source=%2Fportal")
    assert {"query:id": "2375"} == id_values("http://x.vn/?code=tin-tuc&id=2375&page=TinTuc")
    assert {"query:articleid": "1991", "query:categoryid": "1263370486843"} == id_values(
        LIFERAY.format(i="AbC", a="1991"))
    assert {"path": "1991"} == id_values("http://x.vn/tin-tuc/khai-mac-01991.html")


def test_id_values_ignore_short_numbers_and_numbers_inside_a_slug():
    assert {} == id_values("http://x.vn/tin-tuc/hoi-nghi-thang-4-nam-2021-ket-qua.html")
    assert {} == id_values("http://x.vn/?page=12&code=tin-tuc")


def test_a_place_whose_number_differs_by_article_is_an_id_and_a_shared_one_is_not():
    urls = [LIFERAY.format(i="AbC", a=1000 + n) for n in range(LEAST_URLS)]
    assert frozenset({"query:articleid"}) == id_places(urls)


def test_nothing_is_learned_from_too_few_urls():
    urls = [f"http://x.vn/tin/bai-{1000 + n}.html" for n in range(LEAST_URLS - 1)]
    assert frozenset() == id_places(urls)
    assert frozenset({"path"}) == id_places([*urls, "http://x.vn/tin/bai-9999.html"])


def test_a_slug_ending_with_a_year_on_every_article_is_no_id():
    urls = [f"http://x.vn/tin/bao-cao-{n}-nam-2021.html" for n in range(40)]
    assert frozenset() == id_places(urls)


def test_same_id_across_portlet_instances_but_not_across_articles():
    places = frozenset({"query:articleid"})
    assert same_id(LIFERAY.format(i="AbC", a=2009), LIFERAY.format(i="XyZ", a=2009), places)
    assert not same_id(LIFERAY.format(i="AbC", a=2009), LIFERAY.format(i="AbC", a=2010),
                       places)



# --- the spider's known ids ---------------------------------------------------------------------
def spellings(n: int, instances: str = "AbC XyZ QrS") -> list[tuple[str, str]]:
    """(URL, title) of ``n`` articles archived under each of three portlet instances."""
    return [(LIFERAY.format(i=i, a=1000 + a), f"Bài {a}") for a in range(n)
            for i in instances.split()]


def test_an_articles_spellings_count_once_when_ids_are_learned():
    # 3 spellings an article: counted by URL, each id would repeat 3 times (33% distinct).
    assert frozenset() == id_places(url for url, _ in spellings(LEAST_URLS))
    assert frozenset({"query:articleid"}) == KnownIds(spellings(LEAST_URLS)).places


def test_another_spelling_of_an_archived_article_carries_its_title():
    known = KnownIds(spellings(LEAST_URLS))
    assert fingerprint("Bài 7") == known.title_of(LIFERAY.format(i="NeW", a=1007))
    assert LIFERAY.format(i="NeW", a=1007) in known
    assert LIFERAY.format(i="AbC", a=1000 + LEAST_URLS) not in known
    assert None is known.title_of("http://x.vn/web/guest/tin-tuc")


def test_ids_are_learned_during_a_run_and_its_articles_skip_the_title_check():
    known = KnownIds()
    for url, title in spellings(LEAST_URLS - 1, instances="AbC"):
        known.add(url, title)
    assert frozenset() == known.places  # 19 articles: not enough to learn from
    known.add(LIFERAY.format(i="AbC", a=2000), "Bài mới")
    assert frozenset({"query:articleid"}) == known.places
    assert KnownIds.NO_TITLE == known.title_of(LIFERAY.format(i="NeW", a=1003))
    assert known.title_of(LIFERAY.format(i="NeW", a=2000)) == KnownIds.NO_TITLE
    assert LIFERAY.format(i="NeW", a=2001) not in known


def test_a_category_id_shared_by_articles_is_not_known_as_an_article():
    known = KnownIds(spellings(LEAST_URLS))
    other = LIFERAY.format(i="AbC", a=3000)  # another article of the same category
    assert other not in known


def generic(n: int, slug: str = "bai", title: str = "Tiêu đề", published: str = "2021-04-20"
            ) -> FetchResult:
    url = f"http://x.vn/tin-tuc/{slug}-{n}.html"
    art = Article(url=url, key=f"url:{url}", site="x.vn", title=f"{title} {n}",
                  body=f"Đoạn {n} của bài.", published=published)
    return FetchResult(url=url, fetched_at="2026-11-26T00:00:00Z", status=200,
                       headers={"Content-Type": "text/html"}, body=b"<html>x</html>",
                       article=art, site="x.vn")


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "archive.db") as a:
        a.write([generic(1000 + n, published=f"2021-04-{1 + n % 28:02d}") for n in range(40)])
        yield a


def test_a_retitled_article_under_a_new_slug_is_a_new_version_not_a_second_article(archive):
    report = archive.write([generic(1005, slug="bai-tiep-theo", title="Tiêu đề mới",
                                    published="2021-04-06")])
    assert (0, 1) == (report.new, report.changed)
    rows = archive.db.execute("SELECT title FROM articles WHERE url LIKE '%-1005.html'").fetchall()
    assert [("Tiêu đề mới 1005",)] == rows
    assert 2 == archive.db.execute(
        "SELECT count(*) FROM article_versions v JOIN articles a ON a.id = v.article_id "
        "WHERE a.url LIKE '%-1005.html'").fetchone()[0]


def test_the_new_spelling_is_known_to_the_next_run(archive):
    archive.write([generic(1005, slug="bai-tiep-theo", published="2021-04-06")])
    keys = {key for key, _ in archive.known_articles("x.vn")}
    assert "url:http://x.vn/tin-tuc/bai-tiep-theo-1005.html" in keys


def test_the_same_id_published_another_day_or_another_id_the_same_day_is_another_article(
        archive):
    report = archive.write([generic(1005, slug="khac", published="2022-01-01"),
                            generic(2000, slug="khac", published="2021-04-06")])
    assert 2 == report.new
    assert 42 == archive.db.execute("SELECT count(*) FROM articles").fetchone()[0]
