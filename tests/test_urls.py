from urllib.parse import urljoin, urlsplit

import pytest

from crawler.extraction.urls import (
    canonical_url,
    host_of,
    join_url,
    registered_domain,
    resolve,
    strip_session,
)


@pytest.mark.parametrize(
    "expected, url",
    [
        ("http://example.org/NewsDetail.aspx?id=5",
         "HTTP://Example.org:80/NewsDetail.aspx/?utm_source=x&id=5#top"),
        ("http://127.0.0.1:8080/NewsDetail.aspx?id=5",
         "http://127.0.0.1:8080/(S(lit3py55t21z5v55vlm25s55))/NewsDetail.aspx?id=5&sessionid=ab"),
        ("https://x.gov.vn/a?b=1&c=2", "https://x.gov.vn:443/a?c=2&b=1"),
        ("http://x.vn/Category.aspx?cat=hoat-dong&page=2",
         "http://x.vn/Category.aspx?page=2&cat=hoat-dong&fbclid=zz"),
        ("http://x.vn/web/guest/tin", "http://x.vn/web/guest/tin;jsessionid=ABC123"),
    ],
)
def test_canonical_url(expected, url):
    assert expected == canonical_url(url)


def test_strip_session_keeps_the_links_own_spelling():
    assert "http://x.vn/newsdetail.aspx?ID=5&utm_source=a" == strip_session(
        "http://x.vn/newsdetail.aspx?ID=5&utm_source=a&sessionid=q1#top")


def test_host_of_drops_default_port_only():
    assert "127.0.0.1:8080" == host_of("http://127.0.0.1:8080/x")
    assert "x.gov.vn" == host_of("https://X.gov.vn:443/")


BASE = "http://x.vn/a/b/NewsDetail.aspx?id=5#top"
# The hrefs whose join reads only part of the base (origin or directory, so the cache serves
# every page), and the ones that read all of it.
JOINS = ["/Category.aspx?cat=a", "//y.vn/x", "http://y.vn/x", "HTTP://x.vn/c",
         "NewsDetail.aspx?id=6", "../c", ".", "?page=2", "#top", "", ";p", "//", "//?q",
         "/\t/", "http://", "x\n/y", "javascript:go()", "mailto://x", "http:rel"]


@pytest.mark.parametrize("href", JOINS)
@pytest.mark.parametrize("base", [BASE, "http://x.vn", "https://x.vn/a;p/b;q?z", "http://[::1/a"])
def test_resolve_is_urljoin_from_every_base(base, href):
    try:
        expected = urljoin(base, href)
    except ValueError:
        expected = None
    assert expected == resolve(base, href)


@pytest.mark.parametrize("href", JOINS)
def test_join_url_is_urljoin_for_web_pages(href):
    url = urljoin(BASE, href.strip())
    expected = url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname else None
    assert expected == join_url(BASE, href)


@pytest.mark.parametrize("url, site", [
    ("https://sotttt.hanoi.gov.vn/vi/tin-tuc", "hanoi.gov.vn"),  # a department of a province
    ("https://www.baocantho.com.vn/", "baocantho.com.vn"),
    ("https://news.google.com/publications/x", "google.com"),
    ("http://127.0.0.1:8080/NewsDetail.aspx?id=1", "127.0.0.1"),  # no registered name
])
def test_registered_domain(url, site):
    assert site == registered_domain(url)
