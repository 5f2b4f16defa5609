"""The replica's site traps (``ReplicaServer(site_traps=True)``) in every CMS family, over HTTP
on loopback. The trap URLs below are the documented ones (replica/traps.py); the expected
articles come from the replica's model."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import date
from html import unescape
from urllib.parse import urljoin

import pytest

from replica.model import build_portal
from replica.server import ReplicaServer

TODAY = date(2026, 11, 26)
FAMILIES = ("aspnet", "sharepoint", "php", "liferay", "modern")
HOME = {"aspnet": "/", "sharepoint": "/", "php": "/", "liferay": "/web/guest/trang-chu",
        "modern": "/"}
DAY = {
    "aspnet": "/LichCongTac.aspx?ngay={d:02d}/{m:02d}/{y}",
    "sharepoint": "/portal/Lists/LichCongTac/calendar.aspx?CalendarPeriod=day"
                  "&CalendarDate={d}%2F{m}%2F{y}",
    "php": "/?page=LichCongTac&ngay={d:02d}-{m:02d}-{y}",
    "liferay": "/web/guest/lich-cong-tac?p_p_id=8&_8_tabs1=day&_8_month={m0}&_8_day={d}"
               "&_8_year={y}",
    "modern": "/lich-cong-tac/{y}/{m:02d}/{d:02d}.html",
}
OFFSET = {
    "aspnet": "/TinMoi.aspx?offset={n}",
    "sharepoint": "/portal/Pages/tin-moi.aspx?Paged=TRUE&PageFirstRow={n1}",
    "php": "/?page=XemThem&start={n}",
    "liferay": "/web/guest/tin-moi?p_p_id=vcmslatestnews_WAR_VCMSportlet"
               "&_vcmslatestnews_WAR_VCMSportlet_start={n}",
    "modern": "/xem-them?start={n}",
}
#: What marks a tag link and a sort/filter link in each family.
TAG = {"aspnet": "/TuKhoa.aspx?keyword=", "sharepoint": "/portal/Pages/tu-khoa.aspx?TuKhoa=",
       "php": "?page=TuKhoa&keyword=", "liferay": "/web/guest/tin-tuc?p_r_p_564233524_tag=",
       "modern": "/tag/"}
SORT = {"aspnet": "&sort=", "sharepoint": "?SortField=", "php": "&sort=",
        "liferay": "_orderByCol=", "modern": "?sort="}
ARTICLE_ID = {
    "aspnet": re.compile(r"/newsdetail\.aspx/?\?(?:[^\"]*&)?id=(\d+)", re.IGNORECASE),
    "sharepoint": re.compile(r"/portal/pages/\d{4}-\d{1,2}-\d{1,2}/[^/?\"]*-(\d+)\.aspx",
                             re.IGNORECASE),
    "php": re.compile(r"\?page=(?:TinTuc|tin-tuc)&(?:amp;)?code=[\w-]+&(?:amp;)?id=(\d+)"),
    "liferay": re.compile(r"_articleId=(\d+)"),
    "modern": re.compile(r"/tin-tuc/[a-z0-9-]+/[a-z0-9-]*-(\d+)\.html"),
}
LISTING = {"aspnet": "/Category.aspx?cat=hoat-dong", "sharepoint": "/portal/Pages/hoat-dong.aspx",
           "php": "/?page=TinTuc&code=hoat-dong", "liferay": "/web/guest/hoat-ong",
           "modern": "/tin-tuc/hoat-dong.html"}
BOX = ("Lịch công tác", "Lưu trữ tin bài", "Xem thêm tin mới", "Sắp xếp tin")
ANCHOR = re.compile(r'<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)


@pytest.fixture(scope="module")
def portal():
    return build_portal(n_articles=150)


@pytest.fixture(scope="module", params=FAMILIES)
def srv(request, portal):
    with ReplicaServer(portal, today=TODAY, family=request.param, site_traps=True) as server:
        yield server


@pytest.fixture(params=FAMILIES)
def fresh(request, portal):
    with ReplicaServer(portal, today=TODAY, family=request.param, site_traps=True) as server:
        yield server


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def anchors(base: str, html: str) -> list[tuple[str, str]]:
    """(absolute URL, link text) of every link of a page (in-page links left out)."""
    return [(urljoin(base, unescape(href)), unescape(re.sub(r"<[^>]+>", "", text)).strip())
            for href, text in ANCHOR.findall(html) if not href.startswith("#")]


def follow(base: str, html: str, text: str) -> str:
    """The URL of the first link whose text is ``text``."""
    return next(url for url, t in anchors(base, html) if t == text)


def article_ids(family: str, html: str) -> set[int]:
    return {int(i) for i in ARTICLE_ID[family].findall(html)}


def home(server) -> tuple[str, str]:
    url = server.url + HOME[server.family]
    status, html = get(url)
    assert status == 200
    return url, html


def day_url(server, d: date) -> str:
    return server.url + DAY[server.family].format(y=d.year, m=d.month, m0=d.month - 1, d=d.day)


def offset_url(server, n: int) -> str:
    return server.url + OFFSET[server.family].format(n=n, n1=n + 1)


def spotlight(html: str) -> str:
    return re.search(r'<div class="tieu-diem">.*?</div>', html, re.DOTALL).group(0)


def counter(html: str) -> str:
    return re.search(r'<div class="visitor-counter">(.*?)</div>', html).group(1)


# --------------------------------------------------------------------------- furniture


def test_home_page_links_every_trap(srv):
    url, html = home(srv)
    texts = {t for _, t in anchors(url, html)}
    assert set(BOX) <= texts
    assert any(TAG[srv.family] in u for u, _ in anchors(url, html))


def test_article_page_links_every_trap(srv):
    url, html = home(srv)
    article = next(u for u, _ in anchors(url, html) if article_ids(srv.family, u))
    status, page = get(article)
    assert (200, set(BOX)) == (status, set(BOX) & {t for _, t in anchors(article, page)})


def test_trap_pages_link_every_trap(srv):
    url = day_url(srv, date(2021, 4, 20))
    _, html = get(url)
    assert set(BOX) <= {t for _, t in anchors(url, html)}


# --------------------------------------------------------------------------- calendar


@pytest.mark.parametrize("day", [date(1784, 4, 20), date(2999, 12, 31)])
def test_calendar_day_far_from_today_answers(srv, day):
    status, html = get(day_url(srv, day))
    assert 200 == status
    assert f"{day.day:02d}/{day.month:02d}/{day.year}" in html


@pytest.mark.parametrize("text, expected", [("« Ngày trước", "19/04/1784"),
                                            ("Ngày sau »", "21/04/1784"),
                                            ("« Tháng trước", "Lịch công tác tháng 3/1784"),
                                            ("Tháng sau »", "Lịch công tác tháng 5/1784")])
def test_calendar_day_links_both_ways(srv, text, expected):
    url = day_url(srv, date(1784, 4, 20))
    _, html = get(url)
    status, page = get(follow(url, html, text))
    assert (200, True) == (status, expected in page)


@pytest.mark.parametrize("text, expected", [("« Tháng trước", "Lịch công tác tháng 12/2999"),
                                            ("Tháng sau »", "Lịch công tác tháng 2/3000")])
def test_calendar_month_links_both_ways(srv, text, expected):
    url = day_url(srv, date(3000, 1, 15))
    _, html = get(url)
    month = follow(url, html, "Cả tháng 1/3000")
    _, page = get(month)
    status, other = get(follow(month, page, text))
    assert (200, True) == (status, expected in other)


def test_calendar_month_links_each_day(srv):
    url = day_url(srv, date(2021, 2, 10))
    _, html = get(url)
    month = follow(url, html, "Cả tháng 2/2021")
    _, page = get(month)
    days = [t for _, t in anchors(month, page) if t.endswith("/02/2021")]
    assert 28 == len(days)


def test_calendar_lists_events_not_articles(srv, portal):
    url = day_url(srv, date(2021, 4, 20))
    _, html = get(url)
    month = follow(url, html, "Cả tháng 4/2021")
    _, page = get(month)
    assert re.search(r"\d{2}h\d{2}: Đồng chí", page)
    furniture = set(portal.popular_ids)
    assert article_ids(srv.family, html) <= furniture
    assert article_ids(srv.family, page) <= furniture


# --------------------------------------------------------------------------- month archive


def test_month_archive_links_every_month_back_to_1900(srv):
    url, html = home(srv)
    index = follow(url, html, "Lưu trữ tin bài")
    status, page = get(index)
    months = {t for _, t in anchors(index, page) if t.startswith("Tháng ")}
    assert (200, (TODAY.year - 1900) * 12 + TODAY.month) == (status, len(months))
    assert {"Tháng 1/1900", "Tháng 11/2026"} <= months


def test_month_archive_of_1900_lists_nothing(srv, portal):
    url, html = home(srv)
    index = follow(url, html, "Lưu trữ tin bài")
    _, page = get(index)
    status, month = get(follow(index, page, "Tháng 1/1900"))
    assert (200, True) == (status, "Không có tin bài nào trong tháng này." in month)
    assert article_ids(srv.family, month) <= set(portal.popular_ids)


def test_month_archive_lists_the_articles_of_the_month(srv, portal):
    seed = portal.seed_article.published_date
    expected = {a.id for a in portal.public_articles()
                if (a.published_date.year, a.published_date.month) == (seed.year, seed.month)}
    url, html = home(srv)
    index = follow(url, html, "Lưu trữ tin bài")
    _, page = get(index)
    _, month = get(follow(index, page, f"Tháng {seed.month}/{seed.year}"))
    assert expected and expected <= article_ids(srv.family, month)


# --------------------------------------------------------------------------- offset pager


def test_offset_pager_starts_with_the_newest_articles(srv, portal):
    _, html = get(offset_url(srv, 0))
    assert {a.id for a in portal.newest_public(10)} <= article_ids(srv.family, html)


def test_offset_pager_beyond_the_end_answers_empty(srv, portal):
    status, html = get(offset_url(srv, 5000))
    assert (200, True) == (status, "Không còn tin bài." in html)
    assert article_ids(srv.family, html) <= set(portal.popular_ids)


def test_offset_pager_links_on_beyond_the_end(srv):
    url = offset_url(srv, 5000)
    seen = [url]
    for _ in range(3):
        _, html = get(url)
        url = follow(url, html, "Xem thêm »")
        assert url not in seen
        seen.append(url)
    assert 200 == get(url)[0]


def test_home_links_into_the_offset_pager(srv):
    url, html = home(srv)
    status, page = get(follow(url, html, "Xem thêm tin mới"))
    assert (200, True) == (status, "Xem thêm »" in page)


# --------------------------------------------------------------------------- sort and filter


def sort_links(family: str, url: str, html: str) -> set[str]:
    return {u for u, _ in anchors(url, html) if SORT[family] in u}


def test_sort_filter_page_links_every_other_combination(srv, portal):
    url, html = home(srv)
    first = follow(url, html, "Sắp xếp tin")
    status, page = get(first)
    years = {a.published_date.year for a in portal.category_articles("hoat-dong")}
    others = len(portal.public_categories()) - 1
    assert (200, 3 * 2 * (1 + len(years)) - 1 + others) == (
        status, len(sort_links(srv.family, first, page) - {first}))


def test_sort_filter_combinations_link_each_other(srv):
    url, html = home(srv)
    first = follow(url, html, "Sắp xếp tin")
    _, page = get(first)
    for other in sorted(sort_links(srv.family, first, page))[:4]:
        status, back = get(other)
        assert (200, True) == (status, first in sort_links(srv.family, other, back))


def test_sort_filter_lists_the_category_articles(srv, portal):
    url, html = home(srv)
    first = follow(url, html, "Sắp xếp tin")
    _, page = get(first)
    assert {a.id for a in portal.listing_page("hoat-dong", 1)} <= article_ids(srv.family, page)


# --------------------------------------------------------------------------- tags


def tag_links(family: str, url: str, html: str) -> list[str]:
    return [u for u, _ in anchors(url, html) if TAG[family] in u]


def test_tag_page_lists_articles(srv, portal):
    url, html = home(srv)
    tag = tag_links(srv.family, url, html)[0]
    status, page = get(tag)
    assert 200 == status
    assert article_ids(srv.family, page) - set(portal.popular_ids)


def test_tags_link_on_to_new_tags(srv):
    url, html = home(srv)
    sidebar = tag_links(srv.family, url, html)
    seen: set[str] = set()
    tag = sidebar[0]
    for _ in range(4):
        status, page = get(tag)
        assert 200 == status
        seen.add(tag)
        tag = [u for u in tag_links(srv.family, tag, page) if u not in sidebar][-1]
        assert tag not in seen


# --------------------------------------------------------------------------- home page


def test_home_spotlight_differs_between_epochs(fresh):
    _, first = home(fresh)
    fresh.set_epoch(2)
    _, second = home(fresh)
    assert spotlight(first) != spotlight(second)


def test_home_spotlight_same_on_every_request_of_an_epoch(fresh):
    _, first = home(fresh)
    _, second = home(fresh)
    assert spotlight(first) == spotlight(second)


def test_home_visitor_counter_changes_on_every_request(fresh):
    _, first = home(fresh)
    _, second = home(fresh)
    assert counter(first) != counter(second)


# --------------------------------------------------------------------------- request log


def test_every_trap_request_is_tagged(fresh):
    url, html = home(fresh)
    links = dict((t, u) for u, t in anchors(url, html))
    targets = {
        "calendar-day": day_url(fresh, date(1784, 4, 20)),
        "month-archive": links["Lưu trữ tin bài"],
        "offset-pager": links["Xem thêm tin mới"],
        "sort-filter": links["Sắp xếp tin"],
        "tag": tag_links(fresh.family, url, html)[0],
    }
    _, day = get(targets["calendar-day"])
    targets["calendar-month"] = follow(targets["calendar-day"], day, "Cả tháng 4/1784")
    for target in targets.values():
        get(target)
    logged = {e["target"]: e["trap"] for e in fresh.requests()}
    assert {name: name for name in targets} == {
        name: logged[target[len(fresh.url):]] for name, target in targets.items()}


def test_home_request_tagged_as_changing(fresh):
    home(fresh)
    assert ["changing-home"] == [e["trap"] for e in fresh.requests()]


def test_article_and_listing_requests_not_tagged(fresh):
    url, html = home(fresh)
    article = next(u for u, _ in anchors(url, html) if article_ids(fresh.family, u))
    assert [200, 200] == [get(article)[0], get(fresh.url + LISTING[fresh.family])[0]]
    assert [None, None] == [e["trap"] for e in fresh.requests()][1:]


# --------------------------------------------------------------------------- defaults


@pytest.mark.parametrize("family", FAMILIES)
def test_site_traps_off_by_default(portal, family):
    with ReplicaServer(portal, today=TODAY, family=family) as server:
        url, html = home(server)
        status, _ = get(day_url(server, TODAY))
        assert (set(), 404) == (set(BOX) & {t for _, t in anchors(url, html)}, status)
        assert all("trap" not in e for e in server.requests())


def test_trap_pages_same_for_the_same_seed(portal):
    pages = []
    for _ in range(2):
        with ReplicaServer(portal, today=TODAY, family="modern", site_traps=True) as server:
            _, html = get(server.url + "/tag/hoi-nghi.html")
            pages.append(html.replace(server.offsite_url, ""))
    assert pages[0] == pages[1]


def test_old_traps_and_site_traps_together(portal):
    with ReplicaServer(portal, today=TODAY, traps=True, site_traps=True) as server:
        get(server.url + "/Category.aspx?cat=lich-cong-tac&ngay=2026-11-26")
        get(server.url + "/LichCongTac.aspx?ngay=26/11/2026")
        assert ["calendar", "calendar-day"] == [e["trap"] for e in server.requests()]
