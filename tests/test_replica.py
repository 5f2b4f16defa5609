"""Tests of the replica portal (replica/): model, pages, routing, quirks. Offline."""

from __future__ import annotations

import json
import re
import unicodedata
import urllib.error
import urllib.request
from datetime import date
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest

from replica.model import build_portal
from replica.server import ReplicaServer

TODAY = date(2026, 11, 26)  # a Thursday
HREF = re.compile(r'href="([^"]*)"')
ARTICLE_ID = re.compile(r"/newsdetail\.aspx/?\?(?:.*&)?id=(\d+)", re.IGNORECASE)
CATEGORY = re.compile(r"/category\.aspx\?cat=([\w-]+)(?:&page=(\d+))?", re.IGNORECASE)


@pytest.fixture(scope="module")
def portal():
    return build_portal()


@pytest.fixture(scope="module")
def server(portal):
    with ReplicaServer(portal, today=TODAY) as srv:
        yield srv


@pytest.fixture
def fresh(portal, tmp_path):
    """A server of its own (flaky counter, epoch and log start clean)."""
    with ReplicaServer(portal, today=TODAY, log_path=str(tmp_path / "log.jsonl")) as srv:
        yield srv


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, str]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:  # a hang guard
            return resp.status, dict(resp.headers), resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode("utf-8", "replace")


def links(base: str, html: str) -> list[str]:
    return [urljoin(base, unescape(h)) for h in HREF.findall(html)]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------- model


def test_same_seed_same_model():
    assert build_portal() == build_portal()


def test_other_seed_other_model():
    assert build_portal(seed=7).articles != build_portal().articles


def test_public_article_count_categories_and_date_span(portal):
    public = portal.public_articles()
    assert len(public) >= 300
    assert len({a.category_slug for a in public}) >= 4
    years = {a.published_date.year for a in public}
    assert min(years) == 2008 and max(years) == 2025


def test_ids_ascend_with_date(portal):
    ordered = sorted(portal.articles.values(), key=lambda a: a.id)
    dates = [a.published_date for a in ordered]
    assert dates == sorted(dates)


def test_titles_are_unique(portal):
    titles = [a.title for a in portal.articles.values()]
    assert len(titles) == len(set(titles))


def test_seed_article_fields(portal):
    a = portal.seed_article
    assert a.category_slug == "hoat-dong"
    assert a.date_text == "Thứ ba 20/4/2021"
    assert a.published == date(2021, 4, 20)
    assert a.published_iso == "2021-04-20"
    assert a.title == "Đảng bộ Văn phòng UBND tỉnh làm tốt công tác phát triển Đảng."
    assert a.author == "Diệu Thúy"
    assert a.source == "Trang TTĐT VP"
    assert a.summary is None
    assert len(a.paragraphs) == 6
    assert a.body.startswith("Công tác phát triển đảng, nâng cao sức chiến đấu")
    assert a.body.endswith("Đại hội Đảng bộ tỉnh lần thứ XII đề ra.")


def test_seed_article_photos(portal):
    images = portal.seed_article.images
    assert [i for i, _ in images] == [3, 4]
    assert [im.credit for _, im in images] == ["Huy Dương", "Huy Dương"]
    assert images[0][1].caption == (
        "Đồng chí Đặng Trần Thắng - Bí thư Đảng bộ trao Quyết định chuẩn y kết nạp "
        "đảng viên cho đảng viên mới."
    )


def test_related_are_ten_older_of_same_category(portal):
    a = portal.seed_article
    assert len(a.related_ids) == 10
    assert a.related_ids == sorted(a.related_ids, reverse=True)
    assert all(r < a.id for r in a.related_ids)
    assert {portal.articles[r].category_slug for r in a.related_ids} == {"hoat-dong"}


def test_dead_link_is_listed_once_and_has_no_article(portal):
    holders = [a for a in portal.articles.values() if portal.dead_link_id in a.related_ids]
    assert [a.id for a in holders] == [portal.dead_link_source_id]
    assert portal.dead_link_id not in portal.articles


def test_quirk_flags_present(portal):
    arts = list(portal.articles.values())
    assert sum(a.weekday_mismatch for a in arts) == 1
    assert 0.05 < sum(a.nfd for a in arts) / len(arts) < 0.2
    assert 0.1 < sum(a.has_time for a in arts) / len(arts) < 0.35


def test_chain_only_articles_exist(portal):
    assert len(portal.articles_only_in_chains()) > 50


def test_epoch2_adds_edits_and_keeps_everything(portal):
    p2 = build_portal(epoch=2)
    assert set(portal.articles) <= set(p2.articles)
    assert len(p2.new_ids) == 12 and min(p2.new_ids) > max(portal.articles)
    assert len(p2.edited_ids) == 8 and all(p2.articles[i].version == 2 for i in p2.edited_ids)
    chain_only = {a.id for a in portal.articles_only_in_chains()}
    assert len(chain_only & set(p2.edited_ids)) >= 2
    assert p2.notice_id not in p2.edited_ids and p2.notice_id != p2.seed_id


# --------------------------------------------------------------------------- served site


def test_every_public_article_reachable_from_home(server, portal):
    """Walk home, listings and related boxes (respecting robots.txt) like a crawler would."""
    disallow = [ln.split(":", 1)[1].strip() for ln in fetch(server.url + "/robots.txt")[2]
                .splitlines() if ln.startswith("Disallow:")]
    seen: set[tuple] = set()
    queue = [server.url + "/"]
    found: set[int] = set()
    missing: set[int] = set()
    while queue:
        url = queue.pop()
        status = 500
        for _ in range(3):  # retry the flaky article
            status, _, html = fetch(url)
            if status != 500:
                break
        m = ARTICLE_ID.search(url)
        if m and status == 200:
            found.add(int(m.group(1)))
        elif m and status == 404:
            missing.add(int(m.group(1)))
        if status != 200:
            continue
        for link in links(url, html):
            parts = urlsplit(link)
            if parts.netloc != urlsplit(server.url).netloc:
                continue
            target = parts.path + ("?" + parts.query if parts.query else "")
            if any(target.startswith(d) for d in disallow):
                continue
            if (am := ARTICLE_ID.search(target)) is not None:
                key: tuple = ("article", int(am.group(1)))
            elif (cm := CATEGORY.search(target)) is not None:
                key = ("category", cm.group(1), cm.group(2) or "1")
            else:
                continue
            if key not in seen:
                seen.add(key)
                queue.append(link)
    public = {a.id for a in portal.public_articles()}
    private = {a.id for a in portal.articles.values() if a.category_slug == "noi-bo"}
    assert public <= found
    assert not found & private
    assert missing == {portal.dead_link_id}


def test_chain_only_articles_not_linked_from_home_or_listings(server, portal):
    pages = ["/"] + [
        f"/Category.aspx?cat={c.slug}&page={n}"
        for c in portal.public_categories()
        for n in range(1, portal.listing_depth + 1)
    ]
    linked = set()
    for page in pages:
        linked |= {int(i) for i in ARTICLE_ID.findall(fetch(server.url + page)[2])}
    chain_only = {a.id for a in portal.articles_only_in_chains()}
    assert chain_only and not chain_only & linked


def test_robots_txt(server):
    status, headers, text = fetch(server.url + "/robots.txt")
    assert status == 200
    assert text.splitlines() == [
        "User-agent: *",
        "Disallow: /Category.aspx?cat=noi-bo",
        "Disallow: /Modules/SendMail/",
    ]


def test_unknown_page_is_404(server, portal):
    status, _, html = fetch(server.url + "/Nope.aspx")
    assert status == 404 and "Không tìm thấy trang yêu cầu" in html
    assert fetch(server.url + f"/NewsDetail.aspx?id={portal.dead_link_id}")[0] == 404


def test_flaky_article_500_500_200(fresh, portal):
    url = fresh.url + f"/NewsDetail.aspx?id={portal.flaky_id}"
    assert [fetch(url)[0] for _ in range(4)] == [500, 500, 200, 200]


def test_article_page_markup_and_headers(server, portal):
    a = portal.seed_article
    status, headers, html = fetch(server.url + a.url_path)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Server"] == "Microsoft-IIS/8.5"
    assert "X-AspNet-Version" in headers and "ETag" in headers and "Last-Modified" in headers
    assert '<span id="ctl00_ContentPlaceHolder1_ctl00_lblDate">Thứ ba 20/4/2021</span>' in html
    assert "Các tin đã đăng" in html and 'name="__VIEWSTATE"' in html
    assert html.count("sessionid=") == 10


def test_session_parameter_changes_per_page(server, portal):
    a, b = portal.seed_article, portal.articles[portal.seed_article.related_ids[0]]
    tok_a = set(re.findall(r"sessionid=(\w+)", fetch(server.url + a.url_path)[2]))
    tok_b = set(re.findall(r"sessionid=(\w+)", fetch(server.url + b.url_path)[2]))
    assert len(tok_a) == 1 and len(tok_b) == 1 and tok_a != tok_b


def test_header_clock_shows_server_today(server, portal):
    html = fetch(server.url + portal.seed_article.url_path)[2]
    assert '<span id="ctl00_ucHeader_lblDate" class="date">Thứ năm 26/11/2026</span>' in html


@pytest.mark.parametrize("template", [
    "/NewsDetail.aspx?id={id}",
    "/Modules/Article/ArticlePrint.aspx?ArticleID={id}",
    "/newsdetail.aspx?ID={id}",
    "/NewsDetail.aspx/?id={id}",
    "/NewsDetail.aspx?id={id}&utm_source=trangchu&utm_medium=tinmoi",
    "/NewsDetail.aspx?id={id}&sessionid=abcdefghijklmnopqrstuvwx",
    "/(S(abcdefghijklmnopqrstuvwx))/NewsDetail.aspx?id={id}",
])
def test_alias_urls_answer_same_article(server, portal, template):
    a = portal.seed_article
    status, _, html = fetch(server.url + template.format(id=a.id))
    assert status == 200 and a.title in html


def test_etag_gives_304(server, portal):
    url = server.url + portal.seed_article.url_path
    _, headers, _ = fetch(url)
    assert fetch(url, {"If-None-Match": headers["ETag"]})[0] == 304


def test_if_modified_since_gives_304(server, portal):
    url = server.url + portal.seed_article.url_path
    _, headers, _ = fetch(url)
    assert fetch(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200


def test_nfd_article_is_served_decomposed(server, portal):
    a = next(a for a in portal.public_articles() if a.nfd)
    html = fetch(server.url + a.url_path)[2]
    assert unicodedata.normalize("NFD", a.title) in html
    assert nfc(html).count(a.title) >= 1


def test_outside_links_only_example_invalid_or_offsite(server, portal):
    html = fetch(server.url + "/")[2]
    web = [h for h in links(server.url + "/", html) if h.startswith(("http:", "https:"))]
    hosts = {urlsplit(h).netloc for h in web} - {urlsplit(server.url).netloc}
    assert hosts == {"example.invalid", urlsplit(server.offsite_url).netloc}


def test_attachment_is_pdf_and_photo_is_jpeg(server, portal):
    att = next(a for a in portal.articles.values() if a.attachments).attachments[0]
    with urllib.request.urlopen(server.url + att.url) as resp:
        assert resp.headers["Content-Type"] == "application/pdf"
        assert resp.read().startswith(b"%PDF-")
    image = portal.seed_article.images[0][1]
    with urllib.request.urlopen(server.url + image.url) as resp:
        assert resp.headers["Content-Type"] == "image/jpeg"
        assert resp.read()[:2] == b"\xff\xd8"


def test_epoch_switch_serves_notice_new_and_edited(fresh):
    home_before = fetch(fresh.url + "/")[2]
    fresh.set_epoch(2)
    p2 = fresh.portal
    status, _, html = fetch(fresh.url + f"/NewsDetail.aspx?id={p2.notice_id}")
    assert status == 200 and "Trang thông tin điện tử đã dừng hoạt động" in html
    assert "NewsDetail" not in html
    home = fetch(fresh.url + "/")[2]
    newest = max(p2.new_ids)
    assert f"id={newest}&" in unescape(home) and f"id={newest}&" not in unescape(home_before)
    edited = p2.articles[p2.edited_ids[0]]
    assert edited.title in fetch(fresh.url + edited.url_path)[2]


def test_etag_changes_only_for_edited_articles(fresh, portal):
    fresh.set_epoch(2)
    p2 = fresh.portal
    edited = p2.edited_ids[0]
    unchanged = portal.seed_id
    assert p2.articles[edited].etag != portal.articles[edited].etag
    assert p2.articles[unchanged].etag == portal.articles[unchanged].etag
    url = fresh.url + f"/NewsDetail.aspx?id={edited}"
    assert fetch(url, {"If-None-Match": portal.articles[edited].etag})[0] == 200


def test_request_log_records_requests(fresh, tmp_path):
    fetch(fresh.url + "/robots.txt", {"User-Agent": "test-agent/1.0"})
    fetch(fresh.url + "/missing")
    fetch(fresh.offsite_url + "/anything")
    robots = fresh.requests(path="/robots.txt")
    assert len(robots) == 1
    entry = robots[0]
    assert entry["server"] == "main" and entry["status"] == 200
    assert entry["user_agent"] == "test-agent/1.0" and entry["bytes"] > 0
    assert fresh.requests(status=404)[0]["target"] == "/missing"
    assert fresh.requests(server="offsite")[0]["path"] == "/anything"
    lines = (tmp_path / "log.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(ln)["path"] for ln in lines] == ["/robots.txt", "/missing", "/anything"]
