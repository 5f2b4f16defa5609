"""Learning a profile from a portal's own pages (crawler/extraction/learn.py, `learn`)."""

from __future__ import annotations

import re
import urllib.request
from datetime import date
from functools import cache
from urllib.parse import urljoin, urlsplit

import pytest

from crawler.extraction.layouts import get_layout
from crawler.extraction.learn import furniture_of, learn
from crawler.extraction.page import Page
from crawler.profiles import load_profile, load_profiles
from replica.server import ReplicaServer
from tests.conftest import FAST, cli, crawl

#: Replica family -> its hand-written profile.
FAMILIES = {"aspnet": "vpubnd-replica", "sharepoint": "sharepoint-replica",
            "liferay": "liferay-replica", "php": "php-replica", "modern": "modern-replica"}
FIELDS = ["title", "published", "author", "category", "body"]
#: Pages fetched from each replica; the profile is learned from the first half.
SAMPLE, LEARN_FROM = 120, 60
_HREF = re.compile(r'href="([^"#]+)"')


def fetch(url: str) -> tuple[str, bytes] | None:
    try:
        with urllib.request.urlopen(url, timeout=120) as resp:  # a hang guard, not a wait
            if "html" not in resp.headers.get("Content-Type", ""):
                return None
            return resp.geturl(), resp.read()
    except OSError:
        return None


@cache
def sample(family: str) -> tuple[list[tuple[str, bytes]], object]:
    """The first pages of the replica in breadth-first order from its home page, and the
    replica's model."""
    with ReplicaServer(family=family, n_articles=50, today=date(2026, 11, 26)) as server:
        host = urlsplit(server.url).netloc
        queue, seen, pages = [server.url + "/"], {server.url + "/"}, []
        while queue and len(pages) < SAMPLE:
            got = fetch(queue.pop(0))
            if got is None:
                continue
            pages.append(got)
            for href in _HREF.findall(got[1].decode("utf-8", "replace")):
                url = urljoin(got[0], href.replace("&amp;", "&"))
                if (urlsplit(url).netloc == host and url not in seen
                        and not re.search(r"\.(jpe?g|gif|png|pdf|css|js)$", url, re.I)):
                    seen.add(url)
                    queue.append(url)
        return pages, server.portal


@cache
def compared(family: str) -> tuple[dict[str, str], list[tuple[object, object, object]]]:
    """The learned selectors, and (hand-written article, learned article, model article) for
    each article page of the sample the profile did not learn from."""
    pages, portal = sample(family)
    learned = learn(pages[:LEARN_FROM])
    mine = get_layout("generic", learned.selectors)
    profile = load_profiles()[FAMILIES[family]]
    theirs = get_layout(profile.layout, profile.selectors)
    out, keys = [], set()
    for url, body in pages[LEARN_FROM:]:
        if "print" in url.lower():
            continue  # print views: the article pages are compared
        hand = theirs.article(Page(url=url, body=body), "")
        if hand is None or not hand.key.startswith("id:") or hand.key in keys:
            continue
        keys.add(hand.key)
        model = portal.articles[int(hand.key[3:])]
        out.append((hand, mine.article(Page(url=url, body=body), ""), model))
    return learned.selectors, out


def model_value(portal: object, model: object, field: str) -> object:
    if field == "category":
        return {c.slug: c.name for c in portal.categories}[model.category_slug]
    if field == "published":
        return model.published_iso
    return getattr(model, field)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_field_is_learned(family):
    selectors, _ = compared(family)
    assert ["author", "category", "content", "date", "title"] == sorted(selectors)


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_learned_profile_extracts_what_the_hand_written_one_does(family, field):
    _, pairs = compared(family)
    wrong = [(getattr(h, field), getattr(m, field, None)) for h, m, _ in pairs
             if m is None or getattr(h, field) != getattr(m, field)]
    assert (len(pairs) >= 15, []) == (True, wrong[:3])


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_learned_profile_extracts_the_replica_model(family, field):
    _, portal = sample(family)
    _, pairs = compared(family)
    wrong = [(model_value(portal, a, field), getattr(m, field, None)) for _, m, a in pairs
             if m is None or model_value(portal, a, field) != getattr(m, field)]
    assert [] == wrong[:3]


# --- furniture: a sidebar heading repeated on every page is never the title ------------------
CLOCK = "Thứ Năm, ngày 26/11/2026"
TITLES = [f"UBND tỉnh họp phiên thường kỳ tháng {m}/2021 về kinh tế - xã hội" for m in
          range(1, 13)]
PARAGRAPH = ("Hội nghị đã thống nhất các giải pháp trọng tâm trong thời gian tới, tập trung vào "
             "cải cách hành chính và chuyển đổi số. ")


def table_page(main: str) -> str:
    """A legacy PHP table layout: header clock, a "LỊCH CÔNG TÁC" box in the left column set
    as a heading, the article or listing in the middle column with its title in bold only."""
    return (
        "<html><head><title>Trang thông tin điện tử Văn phòng UBND tỉnh</title></head><body>"
        f"<table width='980'><tr><td class='clock'>{CLOCK}</td></tr><tr>"
        "<td width='190' valign='top'><table><tr><td><h3>LỊCH CÔNG TÁC</h3></td></tr>"
        "<tr><td><a href='?page=LichCongTac&tuan=47'>Lịch công tác tuần 47</a></td></tr>"
        "<tr><td><h3>LIÊN KẾT WEBSITE</h3></td></tr></table></td>"
        f"<td valign='top'>{main}</td></tr>"
        "<tr><td>Bản quyền © 2008 Văn phòng UBND tỉnh. Phát triển bởi gws.</td></tr>"
        "</table></body></html>")


def article_page(i: int) -> str:
    older = "".join(f"<tr><td><a href='?page=TinTuc&id={j}'>{TITLES[j]}</a> "
                    f"<font color='#999999'>(0{j % 9 + 1}/03/2021)</font></td></tr>"
                    for j in ((i + 1) % 12, (i + 2) % 12, (i + 3) % 12))
    return table_page(
        f"<table><tr><td><font size='3'><b>{TITLES[i]}</b></font></td></tr>"
        f"<tr><td><i>Cập nhật ngày {i + 1:02d}/04/2021</i></td></tr>"
        f"<tr><td class='noidung'><p>{PARAGRAPH * 3}</p><p>{PARAGRAPH * 2}Bài số {i}.</p>"
        f"<p>Đoạn {i} riêng của bài: {TITLES[i]}.</p></td></tr>"
        f"<tr><td><b>CÁC TIN ĐÃ ĐƯA:</b></td></tr>{older}</table>")


def table_site() -> list[tuple[str, str]]:
    listing = table_page("".join(f"<p><a href='?page=TinTuc&id={i}'>{t}</a></p>"
                                 for i, t in enumerate(TITLES)))
    return [("http://vpubnd.example.invalid/?page=TinTuc", listing),
            *((f"http://vpubnd.example.invalid/?page=TinTuc&id={i}", article_page(i))
              for i in range(12))]


def test_a_sidebar_heading_on_every_page_is_furniture():
    pages = [Page(url=u, body=h.encode()).selector.root for u, h in table_site()]
    units = [{t for el in root.iter() if (t := "".join(el.itertext()).strip())} for root in pages]
    assert {"LỊCH CÔNG TÁC", CLOCK} <= furniture_of(units)


def test_a_sidebar_heading_on_every_page_is_never_the_title():
    learned = learn(table_site(), holdout=False)
    layout = get_layout("generic", learned.selectors)
    titles = [layout.article(Page(url=u, body=h.encode()), "").title for u, h in table_site()[1:]]
    assert TITLES == titles


def test_the_date_is_the_one_near_the_title_not_the_header_clock():
    learned = learn(table_site(), holdout=False)
    layout = get_layout("generic", learned.selectors)
    dates = [layout.article(Page(url=u, body=h.encode()), "").published
             for u, h in table_site()[1:]]
    assert [f"2021-04-{d:02d}" for d in range(1, 13)] == dates


def test_the_listing_is_not_an_article():
    learned = learn(table_site(), holdout=False)
    assert (12, 1) == (learned.articles, learned.listings)


def test_a_record_page_without_a_date_is_not_an_article():
    # a procedure's record on a department portal: a title and prose, dated only by the law
    # it cites ("Luật Xuất bản ngày 20/11/2012")
    name = "Thủ tục 01: Cấp giấy phép xuất bản tài liệu không kinh doanh"
    record = table_page(
        f"<table><tr><td><font size='3'><b>{name}</b></font></td></tr>"
        "<tr><td class='noidung'><p>Thành phần hồ sơ gồm đơn đề nghị cấp giấy phép xuất bản tài "
        "liệu không kinh doanh theo mẫu, hai bản thảo tài liệu in trên giấy có đóng dấu của cơ "
        "quan, tổ chức đề nghị cấp giấy phép tại trang đầu và giáp lai giữa các trang bản thảo, "
        "hoặc một bản thảo lưu trong thiết bị lưu trữ điện tử.</p><p>Thời hạn giải quyết là mười "
        "hai ngày kể từ ngày nhận đủ hồ sơ hợp lệ.</p><p>- Luật Xuất bản ngày 20/11/2012;</p>"
        "</td></tr></table>")
    (listing_url, listing), *articles = table_site()
    listing = listing.replace("</td></tr><tr><td>Bản", f"<p><a href='?page=ThuTuc&id=1'>{name}"
                              "</a></p></td></tr><tr><td>Bản")
    site = [(listing_url, listing), *articles,
            ("http://vpubnd.example.invalid/?page=ThuTuc&id=1", record)]
    assert 12 == learn(site, holdout=False).articles


# --- the profile file ----------------------------------------------------------------------------
def test_the_written_profile_is_loadable(tmp_path):
    learned = learn(table_site(), name="vpubnd-learned")
    path = tmp_path / "vpubnd-learned.toml"
    path.write_text(learned.to_toml(), encoding="utf-8")
    profile = load_profile(path)
    assert (("vpubnd-learned", "generic", "http://vpubnd.example.invalid/"), learned.selectors) \
        == ((profile.name, profile.layout, profile.base_url), profile.selectors)


def test_the_profile_file_reports_held_out_agreement():
    learned = learn(table_site())
    assert re.search(r"^#   title     \d+/\d+ \(\d+%\)$", learned.to_toml(), re.M)


# --- the command line and the zero-config crawl ---------------------------------------------------
@pytest.fixture(scope="module")
def php_server():
    with ReplicaServer(family="php", n_articles=50, today=date(2026, 11, 26)) as server:
        yield server


def test_learn_crawls_a_sample_and_writes_the_profile(php_server, tmp_path):
    out = tmp_path / "php-learned.toml"
    result = cli("learn", php_server.url + "/", "-o", str(out), *FAST)
    assert 0 == result.returncode, result.stderr[-2000:]
    assert ("td.main h3", "php-learned") == (load_profile(out).selectors["title"],
                                            load_profile(out).name)
    assert re.search(r"^  title +td\.main h3 +\d+% \(\d+/\d+\)$", result.stdout, re.M)


def test_a_crawl_without_a_profile_writes_the_learned_one_beside_the_archive(php_server,
                                                                              tmp_path):
    db = tmp_path / "archive.db"
    result = crawl(php_server.url + "/", db, "--site", "generic")
    site = urlsplit(php_server.url).netloc
    path = tmp_path / "archive.profiles" / f"{site.replace(':', '-')}.toml"
    assert (3, True) == (result.returncode, f"written to {path}" in result.stdout)
    assert (site, "td.content-detail") == (load_profile(path).name,
                                           load_profile(path).selectors["content"])


def test_learn_reads_an_existing_archive(php_server, tmp_path):
    db = tmp_path / "archive.db"
    crawl(php_server.url + "/", db, "--site", "generic")
    result = cli("learn", "--db", str(db), "-o", str(tmp_path / "from-db.toml"))
    assert 0 == result.returncode, result.stderr[-2000:]
    assert "td.date-update" == load_profile(tmp_path / "from-db.toml").selectors["date"]


def test_learn_a_missing_archive_cannot_run(tmp_path):
    result = cli("learn", "--db", str(tmp_path / "none.db"), "-o", str(tmp_path / "x.toml"))
    assert (2, 1) == (result.returncode, len(result.stderr.strip().splitlines()))
    assert result.stderr.startswith("portal-archive: cannot run: no archive at")


def test_learn_a_bad_url_cannot_run(tmp_path):
    result = cli("learn", "ftp://example.invalid/", "-o", str(tmp_path / "x.toml"))
    assert (2, "portal-archive: cannot run: not an http(s) URL: 'ftp://example.invalid/'\n") \
        == (result.returncode, result.stderr)


def test_a_zero_config_run_reads_the_pages_it_refused_again_with_the_learned_profile(tmp_path):
    # Hà Nội's department portal (tests/fixtures/real/sotttt-hanoi-*): a page the run refused
    # (the two-line notice sotttt-hanoi-10, stored here as a fallback that cannot read it would
    # store it) is read with the profile the run learns from the portal's other pages; its
    # listings and other pages stay refused.
    import json
    from pathlib import Path

    from crawler.api import CrawlSummary, _learn_beside
    from crawler.items import FetchResult
    from crawler.storage import Archive

    site = "sotttt.hanoi.gov.vn"
    real = Path(__file__).parent / "fixtures" / "real"
    results = []
    for folder in sorted(real.glob("sotttt-hanoi-*")):
        url = json.loads((folder / "source.json").read_text(encoding="utf-8"))["url"]
        body = (folder / "page.html").read_bytes()
        page = Page(url=url, body=body, headers={"Content-Type": "text/html"})
        results.append(FetchResult(url=url, fetched_at="2022-08-27T09:00:00Z", status=200,
                                   headers={"Content-Type": "text/html"}, body=body, site=site,
                                   article=None if folder.name == "sotttt-hanoi-10" else
                                   get_layout("generic").article(page, site)))
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        crawl_id = archive.begin_crawl(site, [])
        archive.write(results, crawl_id=crawl_id)
        before = {r["url"] for r in archive.db["articles"].rows}
    summary = CrawlSummary(crawl_id=crawl_id, site=site, status="complete")
    _learn_beside(str(db), summary)
    with Archive(db) as archive:
        added = {r["title"] for r in archive.db["articles"].rows if r["url"] not in before}
    assert ({"Danh sách các trò chơi G1 đã được phê duyệt nội dung kịch bản"}, 1) == (
        added, summary.stats["archive/reread_new"])
    assert "1 archived as articles" in summary.stats["archive/learned_profile"]
