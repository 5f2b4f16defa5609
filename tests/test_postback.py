"""ASP.NET postback pagers: listings paged by __doPostBack POSTs are followed."""

from __future__ import annotations

import sqlite3
from datetime import date
from urllib.parse import parse_qs

import pytest

from crawler.extraction.layouts import get_layout
from crawler.extraction.page import Page
from replica.server import ReplicaServer
from tests.conftest import crawl


@pytest.fixture(scope="module")
def no_chains(tmp_path_factory):
    """A portal whose article pages have no "Các tin đã đăng" box: past the three GET pages of
    each listing, only the "Xem tin tiếp theo..." postback reaches the older articles."""
    with ReplicaServer(today=date(2026, 11, 26), related_box=False) as server:
        db = tmp_path_factory.mktemp("postback") / "archive.db"
        result = crawl(server.url + "/", db)
        yield server, db, result


def test_every_article_is_archived(no_chains):
    server, db, result = no_chains
    keys = {r[0] for r in sqlite3.connect(db).execute("SELECT key FROM articles")}
    assert {f"id:{a.id}" for a in server.portal.public_articles()} == keys, result.stderr[-2000:]


def test_articles_beyond_the_get_pager_came_through_postbacks(no_chains):
    server, db, _ = no_chains
    portal = server.portal
    beyond = {f"id:{a.id}" for a in portal.articles_only_in_chains()}
    keys = {r[0] for r in sqlite3.connect(db).execute("SELECT key FROM articles")}
    posts = [e for e in server.log if e["method"] == "POST"]
    assert beyond and beyond <= keys
    assert posts and all(e["path"] == "/Category.aspx" and e["status"] == 200 for e in posts)


def test_postback_captures_keep_method_and_form(no_chains):
    _, db, _ = no_chains
    rows = sqlite3.connect(db).execute(
        "SELECT request_body FROM captures WHERE method = 'POST'").fetchall()
    assert rows and all(b"__EVENTTARGET=" in r[0] and b"__VIEWSTATE=" in r[0] for r in rows)


def test_no_article_page_shows_a_chain(no_chains):
    server, db, _ = no_chains
    assert 0 == sqlite3.connect(db).execute("SELECT count(*) FROM related").fetchone()[0]


def test_the_layout_gives_the_post_a_postback_pager_link_sends():
    html = ('<html><body><form name="aspnetForm" method="post" action="./Category.aspx?cat=x"'
            ' id="aspnetForm"><input type="hidden" name="__VIEWSTATE" value="dDwtMTA=" />'
            '<input type="hidden" name="__EVENTTARGET" value="" />'
            '<input type="hidden" name="__EVENTARGUMENT" value="" />'
            '<input type="text" name="ctl00$txtSearch" value="tìm" />'
            '<a id="ctl00_ContentPlaceHolder1_lnkNext" '
            'href="javascript:__doPostBack(\'ctl00$ContentPlaceHolder1$lnkNext\',\'\')">'
            'Xem tin tiếp theo...</a></form></body></html>')
    page = Page("http://127.0.0.1:8080/Category.aspx?cat=x&page=3", html.encode(),
                {"Content-Type": "text/html; charset=utf-8"})
    links = get_layout("aspnet_office").links(page)
    post = links.postback_request
    assert links.postback == "ctl00$ContentPlaceHolder1$lnkNext"
    assert (post.method, post.url) == ("POST", "http://127.0.0.1:8080/Category.aspx?cat=x")
    assert parse_qs(post.body.decode()) == {
        "__VIEWSTATE": ["dDwtMTA="], "__EVENTTARGET": ["ctl00$ContentPlaceHolder1$lnkNext"],
        "ctl00$txtSearch": ["tìm"]}


def test_a_postback_link_on_a_page_without_a_form_gives_no_post():
    html = ('<html><body><a id="ctl00_lnkNext" href="javascript:__doPostBack(\'ctl00$lnkNext\','
            '\'\')">Xem tin tiếp theo...</a></body></html>')
    links = get_layout("aspnet_office").links(Page("http://127.0.0.1:8080/Category.aspx",
                                                   html.encode()))
    assert (links.postback, links.postback_request) == ("ctl00$lnkNext", None)


@pytest.fixture(scope="module")
def no_chains_generic(tmp_path_factory):
    """The same portal crawled with no profile: the generic fallback."""
    with ReplicaServer(today=date(2026, 11, 26), related_box=False) as server:
        db = tmp_path_factory.mktemp("postback-generic") / "archive.db"
        result = crawl(server.url + "/", db, "--site", "generic")
        yield server, db, result


def test_the_generic_fallback_follows_postback_pagers(no_chains_generic):
    server, db, result = no_chains_generic
    beyond = {a.url_path.lower() for a in server.portal.articles_only_in_chains()}
    with sqlite3.connect(db) as conn:  # the replica's URLs ignore case
        urls = {u.split(server.url, 1)[1].lower() for (u,) in conn.execute(
            "SELECT url FROM articles")}
    assert beyond and beyond <= urls, result.stdout
    assert [] != [e for e in server.log if e["method"] == "POST"]


def test_the_generic_fallback_reads_the_postback_of_a_next_link():
    html = ("<html><body><form id='aspnetForm' method='post' action='./Category.aspx?cat=a'>"
            "<input type='hidden' name='__VIEWSTATE' value='xyz'>"
            "<a href=\"javascript:__doPostBack('ctl00$Pager$lnkNext','')\">Trang sau »</a>"
            "<a href=\"javascript:__doPostBack('ctl00$Header$lnkSearch','')\">Tìm kiếm</a>"
            "</form></body></html>")
    links = get_layout("generic").links(Page(url="http://x.vn/Category.aspx?cat=a",
                                             body=html.encode()))
    assert "ctl00$Pager$lnkNext" == links.postback
    assert "ctl00$Pager$lnkNext" == parse_qs(links.postback_request.body.decode())[
        "__EVENTTARGET"][0]
