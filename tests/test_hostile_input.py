"""Hostile and broken input (issue 7): every layout on a generated corpus of bad pages.

Each page is built here, in Python, from a seeded RNG and a few replica pages (one per CMS
family) or small hand-written ASP.NET office pages; nothing is committed. Every layout must
turn every page into an :class:`Article` or None: never an exception, never a hang. When it
is an article, its title is not blank, its text is NFC and its date a real ISO date; the
links a page gives are http(s) only, never ``javascript:`` or ``data:``.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import fields
from datetime import date, datetime
from functools import cache
from urllib.parse import urlsplit

import pytest

from crawler.extraction.layouts import LAYOUTS, get_layout
from crawler.extraction.page import Page
from crawler.items import Article
from replica.families import liferay, modern, sharepoint
from replica.server import ReplicaServer

#: A guard against hangs (catastrophic backtracking runs for hours), not a speed limit: the
#: slowest page here takes ~20 s on an idle 2-core machine, several times that under load.
pytestmark = pytest.mark.timeout(600)

URL = "http://127.0.0.1:8080/NewsDetail.aspx?id=2661"
HTML = {"Content-Type": "text/html; charset=utf-8"}
LAYOUT_NAMES = sorted(LAYOUTS)
TITLE = "Kết nạp đảng viên mới tại Chi bộ Kinh tế năm 2008"
PARAGRAPHS = [
    "Ngày 10/1/2008, tại trụ sở UBND tỉnh đã diễn ra hội nghị trực tuyến với các địa phương. "
    "Các đại biểu đã thảo luận, đóng góp nhiều ý kiến tâm huyết, sát với thực tiễn.",
    "Đến nay, nhà văn hóa thôn đã hoàn thành khoảng 62% khối lượng công việc. Sau 3 năm "
    "triển khai, diện mạo thành phố Uông Bí đã có nhiều đổi thay rõ nét.",
    "Đoàn công tác đã kiểm tra thực tế tại trường tiểu học và các điểm xung yếu trên địa bàn. "
    "UBND huyện Đầm Hà đã huy động hơn 668 lượt cán bộ, chiến sỹ và người dân tham gia.",
]
#: "Uỷ ban nhân dân tỉnh ..." typed with a TCVN3 (ABC) font, read as Latin-1.
TCVN3 = "Toµ ¸n nh©n d©n tØnh Qu¶ng Ninh tæ chøc héi nghÞ tæng kÕt c«ng t¸c n¨m 2008"


# --------------------------------------------------------------------------- page builders


def office(title: str = TITLE, date_line: str = "Thứ năm 10/1/2008",
           paragraphs: list[str] | None = None, *, head: str = "", before: str = "",
           content: str | None = None, after: str = "", charset: str = "utf-8") -> str:
    """A small ASP.NET office article page (the target's family)."""
    paras = PARAGRAPHS if paragraphs is None else paragraphs
    body = content if content is not None else "".join(f"<p>{p}</p>\n" for p in paras)
    return (
        f'<!DOCTYPE html>\n<html><head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
        f"<title>{title} - Văn phòng UBND tỉnh</title>{head}</head>\n<body>\n"
        '<div id="header"><span id="ctl00_ucHeader_lblDate" class="date">Thứ năm 26/11/2026'
        "</span></div>\n"
        '<div id="menu"><ul><li><a href="/Default.aspx">Trang chủ</a></li>'
        '<li><a href="/Category.aspx?cat=hoat-dong">Hoạt động</a></li></ul></div>\n'
        f"{before}"
        '<div class="NewsDetail" id="ctl00_ContentPlaceHolder1_ctl00_pnDetail">\n'
        '<div class="CateName"><a href="/Category.aspx?cat=hoat-dong">Hoạt động</a></div>\n'
        f'<div class="DateTime"><span>{date_line}</span></div>\n'
        f'<h1 class="Title"><span>{title}</span></h1>\n'
        f'<div class="Content" id="ctl00_ContentPlaceHolder1_ctl00_lblContent">\n{body}</div>\n'
        '<div class="Author" align="right"><b>Kim Loan</b></div>\n'
        '<div class="OtherNews"><div class="OtherNewsTitle">Các tin đã đăng</div><ul>\n'
        '<li><a href="/NewsDetail.aspx?id=1220">Hội nghị triển khai nhiệm vụ năm 2008</a> '
        "<span>(05/01/2008)</span></li>\n</ul></div>\n"
        f"</div>\n{after}</body></html>\n"
    )


@cache
def seeds() -> dict[str, tuple[str, bytes, str, str]]:
    """One replica article per CMS family: name -> (url, body, title, date line)."""
    out = {}
    for family in ("aspnet", "liferay", "modern", "php", "sharepoint"):
        server = ReplicaServer(family=family, today=date(2026, 11, 26))
        article = server.portal.seed_article
        path = {
            "aspnet": lambda a: a.url_path,
            "liferay": lambda a: (f"/web/guest/tin-tuc?p_p_id={liferay.PORTLET}"
                                  f"&_{liferay.PORTLET}_articleId={a.id}"),
            "modern": lambda a, s=server: modern.article_path(s.portal, a),
            "php": lambda a: f"/?page=TinTuc&code={a.category_slug}&id={a.id}",
            "sharepoint": sharepoint.article_path,
        }[family](article)
        response = server.route(path)
        assert 200 == response.status
        out[family] = ("http://127.0.0.1:8080" + path, response.body, article.title,
                       article.date_text)
    return out


def cp1258(text: str) -> bytes:
    """``text`` in windows-1258: base letters precomposed, tone marks combining."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            marks = "".join(c for c in parts if c in tones)
            out += (base + marks).encode("cp1258", errors="replace")
    return bytes(out)


def rng(seed: int) -> random.Random:
    return random.Random(seed)


def nest(depth: int, open_tag: str, close_tag: str, inner: str) -> str:
    return open_tag * depth + inner + close_tag * depth


def _misnest(body: bytes) -> bytes:
    swap = {b"</div>": b"</span>", b"</span>": b"</div>", b"</p>": b"</b>", b"</b>": b"</p>",
            b"</td>": b"</tr>", b"</tr>": b"</td>", b"</li>": b"</ul>", b"</ul>": b"</li>"}
    return re.sub(rb"</(div|span|p|b|td|tr|li|ul)>", lambda m: swap[m.group(0)], body)


def _sprinkle(body: bytes, seed: int, every: int, byte: bytes) -> bytes:
    r = rng(seed)
    out = bytearray(body)
    for _ in range(len(body) // every):
        out.insert(r.randrange(len(out)), byte[0])
    return bytes(out)


def _flip(body: bytes, seed: int, ratio: float) -> bytes:
    r = rng(seed)
    out = bytearray(body)
    for _ in range(int(len(out) * ratio)):
        out[r.randrange(len(out))] = r.randrange(256)
    return bytes(out)


def _comments(body: bytes, title: str, date_line: str) -> bytes:
    t = title.encode()
    half = len(title) // 2
    odd_title = (title[:half] + "<!-- x -->" + "<![CDATA[ ]]>" + title[half:]).encode()
    body = body.replace(t, odd_title)
    body = body.replace(date_line.encode(), b"<!--a-->" + date_line.encode() + b"<!-- --!>")
    body = body.replace(b"<p", b"<!--[if gte mso 9]><xml><w:x/></xml><![endif]--><p", 3)
    return body + b"<!-- a comment never closed <p>tail</p>"


#: Mutations applied to each family's replica article: name -> f(body, title, date line).
MUTATIONS = {
    "cut-10pct": lambda b, t, d: b[: len(b) // 10],
    "cut-50pct": lambda b, t, d: b[: len(b) // 2],
    "cut-mid-utf8": lambda b, t, d: b[: b.index(t.encode()) + 2],
    "unclosed-tags": lambda b, t, d: re.sub(rb"</(div|p|span|td|tr|table|h\d|ul|li|a|b)>",
                                           b"", b),
    "misnested": lambda b, t, d: _misnest(b),
    "no-html-head-body": lambda b, t, d: re.sub(rb"</?(html|head|body)\b[^>]*>", b"", b),
    "nul-bytes": lambda b, t, d: _sprinkle(b, 1, 97, b"\x00"),
    "bit-rot": lambda b, t, d: _flip(b, 2, 0.01),
    "meta-utf8-bytes-cp1258": lambda b, t, d: cp1258(b.decode()),
    "nfd": lambda b, t, d: unicodedata.normalize("NFD", b.decode()).encode(),
    "title-whitespace": lambda b, t, d: b.replace(t.encode(), " \t&nbsp;\u3000\n ".encode()),
    "comments-cdata": lambda b, t, d: _comments(b, t, d),
    "date-31-02-2021": lambda b, t, d: b.replace(d.encode(), b"31/02/2021"),
    "huge-attributes": lambda b, t, d: b.replace(
        b"<div", b'<div style="' + b"x" * 1_000_000 + b'" data-x="' + b"&amp;" * 50_000 + b'"',
        3),
    "script-never-closed": lambda b, t, d: b.replace(b"<body", b"<script>var a='<body", 1),
}
#: Mutations served with a Content-Type of their own.
MUTATION_HEADERS = {
    "meta-utf8-bytes-cp1258": {"Content-Type": "text/html"},
}


def _links_page(n: int) -> str:
    items = "".join(f'<li><a href="/NewsDetail.aspx?id={i}">Tin số {i}</a></li>' for i in range(n))
    return office(content=f"<p>{PARAGRAPHS[0]}</p><ul>{items}</ul>")


def _hostile_links() -> str:
    hrefs = [
        "javascript:void(0)", "JavaScript:alert(1)", " javascript:x()", "\tjavascript:x()",
        "java\nscript:alert(1)", "java&#10;script:alert(1)", "jav&#x09;ascript:alert(1)",
        "data:text/html,<b>x</b>", "DATA:text/html;base64,PGI+", " data:image/png;base64,AAAA",
        "vbscript:msgbox", "mailto:a@b.c", "tel:0203", "ftp://127.0.0.1/x", "file:///etc/passwd",
        "about:blank", "//evil.example/NewsDetail.aspx?id=5", "http://[::1", "http://h:99999/",
        "http://h:abc/", "http://", "https:", "/a&#1;b", "http://127.0.0.1/&#0;x",
        "?", "#", "", " ", "%", "%zz", "\\\\evil\\share",
        "http://127.0.0.1:8080/NewsDetail.aspx?id=" + "9" * 5000,
        "/Category.aspx?" + "&".join(f"vt={i}" for i in range(2000)),
    ]
    anchors = "".join(f'<a href="{h}">{i} link</a> ' for i, h in enumerate(hrefs))
    pager = "".join(f'<a href="{h}">{i}</a> ' for i, h in enumerate(hrefs[:12]))
    items = "".join(f'<li><a href="{h}">Tin {i}</a> <span>(01/01/2008)</span></li>'
                    for i, h in enumerate(hrefs))
    titles = "".join(f'<a class="NewsTitle" href="{h}">Tin {i}</a>' for i, h in enumerate(hrefs))
    images = "".join(f'<img src="{h}" alt="x"/>' for h in hrefs[:20])
    return office(
        content=f"<p>{PARAGRAPHS[0]} {anchors}</p><p>{images}</p>"
                f'<p><a href="{hrefs[7]}">Tải về.pdf</a></p>',
        after=f'<div class="Pager"><span class="current">1</span>{pager}</div>'
              f'<a id="x_lnkNext" href="javascript:__doPostBack(\'x$lnkNext\',\'\')">Sau</a>'
              f'<div class="other_news"><ul>{items}</ul></div>'
              f'<ul class="wd-other-news">{items}</ul><div class="OtherNews"><ul>{items}</ul>'
              f"</div>{titles}<div class=\"pagination\"><a class=\"next\" href=\"{hrefs[1]}\">"
              f'»</a></div><td class="pages"><b>1</b><a href="{hrefs[7]}">2</a></td>',
    )


def _handwritten() -> dict[str, tuple[str, bytes, dict[str, str]]]:
    """Pages built from scratch: name -> (url, body, headers)."""
    text_pages: dict[str, str] = {
        "office-plain": office(),
        "tables-nested-50": office(content=nest(50, "<table><tr><td>", "</td></tr></table>",
                                                "".join(f"<p>{p}</p>" for p in PARAGRAPHS))),
        "tables-nested-50-unclosed": office(content=nest(50, "<table><tr><td>", "",
                                                         f"<p>{PARAGRAPHS[0]}")),
        "tables-nested-50-around-page": nest(50, "<table><tr><td>", "</td></tr></table>",
                                             office()),
        "inline-nested-300": office(content=nest(300, "<b><i><font>", "</font></i></b>",
                                                 PARAGRAPHS[0])),
        "inline-nested-3000": office(content=nest(3000, "<span>", "</span>", PARAGRAPHS[0])),
        "inline-nested-3000-unclosed": office(content=nest(3000, "<font><b>", "",
                                                           PARAGRAPHS[0])),
        "title-nested-1000": office(title=nest(1000, "<span>", "</span>", TITLE)),
        "divs-nested-3000": office(content=nest(3000, "<div>", "</div>",
                                                f"<p>{PARAGRAPHS[0]}</p>")),
        "lists-nested-1000": office(content=nest(1000, "<ul><li>", "</li></ul>", PARAGRAPHS[1])),
        "fragment-no-html": office().split("<body>", 1)[1].split("</body>")[0],
        "only-article-div": re.search(r'<div class="NewsDetail".*?</div>\n</body>', office(),
                                      re.S).group(0),
        "header-clock-only": '<div id="header"><span id="ctl00_ucHeader_lblDate" class="date">'
                             "Thứ năm 26/11/2026</span></div>",
        "header-clock-page": "<html><head><title>Văn phòng UBND tỉnh</title></head><body>"
                             '<div id="header"><span class="date">Thứ năm 26/11/2026</span>'
                             "</div></body></html>",
        "title-spaces": office(title="   "),
        "title-nbsp-tabs": office(title="&nbsp;\t&#160;\n&#x3000;&#8203;"),
        "title-empty-tags": office(title="<b> </b><i>\n</i><br/>"),
        "title-only-comment": office(title="<!-- Tiêu đề bài viết chưa nhập -->"),
        "title-whitespace-no-content": office(title=" ", content=""),
        "nfd-article": unicodedata.normalize("NFD", office()),
        "nfd-title-only": office(title=unicodedata.normalize("NFD", TITLE)),
        "tcvn3-text": office(title=TCVN3, paragraphs=[TCVN3 * 3]),
        "comments-everywhere": office(
            title="Kết nạp<!-- x -->đảng viên<![CDATA[ mới ]]> tại Chi bộ",
            date_line="Thứ năm <!--x-->10/1/2008<![CDATA[]]>",
            content="<!--[if !supportLists]--><p>" + PARAGRAPHS[0] + "<!-- </p> --></p>"
                    "<![CDATA[<p>not a paragraph</p>]]>" + "<!---->" * 1000
                    + "<p>" + PARAGRAPHS[1] + "</p><!-- never closed"),
        "cdata-in-script-and-style": office(
            head="<style><![CDATA[ p{} ]]></style><script>//<![CDATA[\nvar s='</div>';\n//]]>"
                 "</script>"),
        "processing-instructions": '<?xml version="1.0" encoding="utf-16"?>'
                                   '<?php echo 1; ?>' + office().replace("<p>", "<p><?x ?>"),
        "doctype-garbage": "<!DOCTYPE html [ <!ENTITY x 'y'> ]>" + office(),
        "entities-garbage": office(
            title=f"{TITLE} &#0;&#xD800;&#x110000;&#99999999999;&bogus;&amp",
            paragraphs=["&#x301;&#x301;a&#x303;&#1;&#x1b;\x0b\x0c" + PARAGRAPHS[0]]),
        "control-chars": office(paragraphs=["\x01\x02\x1b[31m\x7f\u200b\ufeff\ufffe"
                                            + PARAGRAPHS[0]]),
        "huge-attribute": office(before='<div title="' + "ả" * 2_000_000 + '"></div>',
                                 content=f'<p class="{"c " * 200_000}">{PARAGRAPHS[0]}</p>'),
        "huge-href": office(content=f'<p><a href="/x?{"a" * 1_000_000}">link</a>'
                                    f"{PARAGRAPHS[0]}</p>"),
        "date-31-02-2021": office(date_line="31/02/2021"),
        "date-31-02-2021-weekday": office(date_line="Thứ tư 31/02/2021 08:30"),
        "date-words-31-02": office(date_line="Thứ Tư, ngày 31 tháng 02 năm 2021"),
        "date-29-02-2021": office(date_line="29/02/2021"),
        "date-month-13": office(date_line="12/13/2021 25:61"),
        "date-year-0": office(date_line="01/01/0000"),
        "date-zeroes": office(date_line="00/00/2021 00:00"),
        "date-long-digits": office(date_line="1" * 5000 + "/02/2021"),
        "date-long-line": office(date_line="Thứ năm " * 20_000 + "10/1/2008"),
        "base-href-other-host": office(head='<base href="http://evil.example/x/">',
                                       content=f'<p><a href="/NewsDetail.aspx?id=7">a</a> '
                                               f'<a href="Category.aspx?cat=a">b</a>'
                                               f"{PARAGRAPHS[0]}</p>"),
        "base-href-javascript": office(head='<base href="javascript:alert(1)//">'),
        "hostile-links": _hostile_links(),
        "unclosed-title-tag": office().replace("</title>", ""),
        "unclosed-textarea": office(before="<textarea>"),
        "plaintext-tag": office(before="<plaintext>"),
        "unclosed-style": office(head="<style>"),
        "empty-content": office(content=""),
        "only-images": office(content='<img src="/a.jpg"/>' * 50),
        "many-brs": office(content="<br>" * 50_000 + PARAGRAPHS[0]),
        "frameset": "<html><frameset><frame src='/NewsDetail.aspx?id=1'></frameset></html>",
        "svg-math": office(content=f"<svg><p>{PARAGRAPHS[0]}</p><foreignObject><h1 "
                                   f"class='Title'>x</h1></foreignObject></svg><math><mi>"
                                   f"{PARAGRAPHS[1]}</mi></math>"),
        "template-tags": office(content=f"<template><p>{PARAGRAPHS[0]}</p></template>"),
    }
    pages = {name: (URL, html.encode("utf-8"), HTML) for name, html in text_pages.items()}
    raw: dict[str, tuple[bytes, dict[str, str]]] = {
        "empty-body": (b"", HTML),
        "empty-no-headers": (b"", {}),
        "whitespace-only": (b" \n\t\r\n " * 100, HTML),
        "lt-only": (b"<", HTML),
        "angle-soup": (b"<<<>>></<>/" * 1000, HTML),
        "nul-only": (b"\x00" * 10_000, HTML),
        "nul-in-markup": (office().encode().replace(b"<", b"\x00<"), HTML),
        "binary-1k": (rng(1).randbytes(1_000), HTML),
        "binary-64k": (rng(2).randbytes(65_536), HTML),
        "binary-1m": (rng(3).randbytes(1_000_000), {"Content-Type": "text/html"}),
        "binary-no-content-type": (rng(4).randbytes(10_000), {}),
        "binary-after-html-start": (b"<html><body><div class='NewsDetail'>"
                                    + rng(5).randbytes(50_000), HTML),
        "gzip-served-as-html": (b"\x1f\x8b\x08\x00" + rng(6).randbytes(5_000), HTML),
        "jpeg-served-as-html": (b"\xff\xd8\xff\xe0\x00\x10JFIF" + rng(7).randbytes(5_000), HTML),
        "utf16-bom-declared-utf8": (b"\xff\xfe" + office().encode("utf-16-le"), HTML),
        "utf16-no-bom": (office().encode("utf-16-le"), {"Content-Type": "text/html"}),
        "utf8-bom": (b"\xef\xbb\xbf" + office().encode(), HTML),
        "header-latin1-bytes-utf8": (office().encode(),
                                     {"Content-Type": "text/html; charset=iso-8859-1"}),
        "meta-utf8-bytes-cp1258": (cp1258(office()), {"Content-Type": "text/html"}),
        "header-utf8-bytes-cp1258": (cp1258(office()), HTML),
        "cp1258-declared-header": (cp1258(office(charset="windows-1258")),
                                   {"Content-Type": "text/html; charset=windows-1258"}),
        "cp1258-declared-meta-only": (cp1258(office(charset="windows-1258")),
                                      {"Content-Type": "text/html"}),
        "header-unknown-charset": (office().encode(),
                                   {"Content-Type": "text/html; charset=x-bogus-42"}),
        "header-charset-garbage": (office().encode(),
                                   {"Content-Type": "text/html; charset=\"\x00;;==\""}),
        "meta-charset-utf16-bytes-utf8": (office(charset="utf-16").encode(),
                                          {"Content-Type": "text/html"}),
        "tcvn3-bytes-latin1": (office(title=TCVN3, paragraphs=[TCVN3 * 3],
                                      charset="iso-8859-1").encode("latin-1", errors="replace"),
                               {"Content-Type": "text/html"}),
        "mixed-encodings": (office().encode() + cp1258(office()) + office().encode("utf-16"),
                            HTML),
    }
    pages.update({name: (URL, body, headers) for name, (body, headers) in raw.items()})
    return pages


@cache
def corpus() -> dict[str, tuple[str, bytes, dict[str, str]]]:
    """Every small page of the corpus: name -> (url, body, headers)."""
    pages = _handwritten()
    for family, (url, body, title, date_line) in seeds().items():
        pages[f"{family}-replica"] = (url, body, HTML)
        for name, mutate in MUTATIONS.items():
            pages[f"{family}-{name}"] = (url, mutate(body, title, date_line),
                                         MUTATION_HEADERS.get(name, HTML))
    return pages


SMALL_PAGES = [
    *_handwritten(),
    *(f"{family}-{name}" for family in ("aspnet", "liferay", "modern", "php", "sharepoint")
      for name in ("replica", *MUTATIONS)),
]
#: Pages no layout may read as an article.
NO_ARTICLE = {
    "empty-body", "empty-no-headers", "whitespace-only", "lt-only", "angle-soup", "nul-only",
    "binary-1k", "binary-64k", "binary-1m", "binary-no-content-type", "gzip-served-as-html",
    "jpeg-served-as-html", "header-clock-only", "header-clock-page", "title-spaces",
    "title-nbsp-tabs", "title-empty-tags", "title-only-comment", "title-whitespace-no-content",
    "frameset",
}
#: Each family's replica article with its title blanked out, and the family's layout.
FAMILY_LAYOUTS = {"aspnet": "aspnet_office", "liferay": "liferay", "modern": "modern_slug",
                  "php": "php_legacy", "sharepoint": "sharepoint"}


@cache
def big_pages() -> dict[str, bytes]:
    words = ("Ủy ban nhân dân tỉnh đã chỉ đạo các sở, ngành triển khai quyết liệt nhiệm vụ "
             "phát triển kinh tế - xã hội năm 2021. ")
    paragraph = words * (5 * 1024 * 1024 // len(words.encode()) + 1)
    links = "".join(f'<a href="/NewsDetail.aspx?id={i}">Tin {i}</a>\n' for i in range(100_000))
    return {
        "paragraph-5mb": office(content=f"<p>{paragraph}</p>").encode(),
        "links-100k": office(content=f"<p>{PARAGRAPHS[0]}</p><div>{links}</div>").encode(),
    }


# --------------------------------------------------------------------------- checks


def _is_iso_date(value: str) -> bool:
    try:
        (date.fromisoformat if len(value) == 10 else datetime.fromisoformat)(value)
    except ValueError:
        return False
    return True


def _http(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).netloc)


def check_article(result: object) -> None:
    assert result is None or isinstance(result, Article)
    if result is None:
        return
    assert result.title.strip()
    for f in fields(result):
        value = getattr(result, f.name)
        if isinstance(value, str):
            assert unicodedata.is_normalized("NFC", value), f.name
    for text in [x for item in (*result.images, *result.attachments, *result.related)
                 for x in vars(item).values() if isinstance(x, str)]:
        assert unicodedata.is_normalized("NFC", text)
    assert result.published is None or _is_iso_date(result.published)
    assert all(r.published is None or _is_iso_date(r.published) for r in result.related)


def link_urls(links) -> list[str]:
    return [
        *(url for url, _ in links.articles), *links.listings, *links.pagers,
        *([links.next_page] if links.next_page else []), *(url for url, _ in links.items),
        *(r.url for r in links.related),
    ]


def check_links(links) -> None:
    urls = link_urls(links)
    assert [] == [u for u in urls if u.strip().lower().startswith(("javascript:", "data:"))]
    assert [] == [u for u in urls if not _http(u)]


def page_of(name: str) -> Page:
    url, body, headers = corpus()[name]
    return Page(url, body, dict(headers))


# --------------------------------------------------------------------------- tests


def test_corpus_holds_at_least_100_pages():
    assert len(SMALL_PAGES) + len(big_pages()) >= 100


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name", SMALL_PAGES)
def test_article_or_none(name, layout):
    check_article(get_layout(layout).article(page_of(name), "x"))


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name", SMALL_PAGES)
def test_links_are_http_only(name, layout):
    check_links(get_layout(layout).links(page_of(name)))


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name", sorted(NO_ARTICLE))
def test_no_article(name, layout):
    assert get_layout(layout).article(page_of(name), "x") is None


@pytest.mark.parametrize("family", sorted(FAMILY_LAYOUTS))
def test_whitespace_title_is_no_article_for_its_family(family):
    page = page_of(f"{family}-title-whitespace")
    assert get_layout(FAMILY_LAYOUTS[family]).article(page, "x") is None


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name", ["paragraph-5mb", "links-100k"])
def test_big_page_article_or_none(name, layout):
    page = Page(URL, big_pages()[name], dict(HTML))
    check_article(get_layout(layout).article(page, "x"))


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name", ["paragraph-5mb", "links-100k"])
def test_big_page_links_are_http_only(name, layout):
    check_links(get_layout(layout).links(Page(URL, big_pages()[name], dict(HTML))))


def test_5mb_paragraph_is_read_whole():
    art = get_layout("aspnet_office").article(Page(URL, big_pages()["paragraph-5mb"], HTML), "x")
    assert (TITLE, True) == (art.title, len(art.body.encode()) >= 5 * 1024 * 1024)


# --- what the target's family layout still reads through the damage


@pytest.mark.parametrize("name", ["nfd-article", "nfd-title-only", "aspnet-nfd"])
def test_nfd_title_comes_out_nfc(name):
    art = get_layout("aspnet_office").article(page_of(name), "x")
    assert unicodedata.is_normalized("NFC", art.title)
    assert art.title in (TITLE, seeds()["aspnet"][2])


@pytest.mark.parametrize("name", ["cp1258-declared-header", "cp1258-declared-meta-only"])
def test_windows_1258_title_is_read(name):
    assert TITLE == get_layout("aspnet_office").article(page_of(name), "x").title


@pytest.mark.parametrize("name", ["date-31-02-2021", "date-31-02-2021-weekday",
                                  "date-words-31-02", "date-29-02-2021", "date-month-13",
                                  "date-year-0", "date-zeroes", "date-long-digits"])
def test_impossible_date_is_no_date(name):
    art = get_layout("aspnet_office").article(page_of(name), "x")
    assert (TITLE, None) == (art.title, art.published)
