"""The replica portal as a legacy PHP site (the ``gws_*`` CMS of district and commune portals).

Standard library only; imports nothing from ``crawler/``. Quirks reproduced (vn-portals.md §1 D,
§6 "PHP-gws"):

- Every page is ``index.php`` driven by the query string; PHP semantics, so when a parameter
  is repeated the LAST value wins. Articles ``/?page=TinTuc&code=<category>&id=<id>``, also
  linked as ``./?page=tin-tuc&...`` (home "Tin mới") and ``index.php?page=TinTuc&...``
  (sidebar "Tin xem nhiều"). No print view of its own: the tool bar (``a.email`` "Email",
  ``a.print`` "Print", ``a.pdf`` "Pdf") links the same URL plus ``&print=1``.
- Listings ``/?page=TinTuc&code=<category>``: the pager "Trang: 1 2 3" and the item links
  append ``&vt=<0-based page>`` / ``&id=<id>`` to the CURRENT query string, so parameters pile
  up (``...&vt=1&vt=2``).
- Table layout with ``<font>`` tags; ``h3 > a`` title; "Cập nhật lúc 08:30 ngày 20/04/2021"
  (or "Cập nhật ngày 20/04/2021" without a time); ``div.info-writer`` "Đăng bởi: <CMS user>" ·
  "(20/04/2021)" · "Lượt xem: N" (the count written by ``document.write``); the author is a bold
  right-aligned line closing the body; "Nguồn: ..." below it; no lead paragraph (the model's
  summary only shows as the listing blurb); attachments "<title>: Tải file tại đây".
- The older-items table: ``h5`` "CÁC TIN ĐÃ ĐƯA:" then rows ``<a href="?page=TinTuc&code=K&id=N">
  Title</a> <font color="#999999">(20/04/2021)</font>``.
- About one page in four is served as ``Content-Type: text/html`` with no charset; the charset
  is only in ``<meta http-equiv="Content-Type">``. ``nfd`` articles are served decomposed.
- No robots.txt (Apache 404); the non-public category is simply never linked.
"""

from __future__ import annotations

import hashlib
from datetime import date
from html import escape
from random import Random
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from replica.model import WEEKDAYS_CAP, Article, Image, Portal
from replica.server import TINY_GIF, Response, make_pdf, photo
from replica.templates import _e, _served, dmy, first_sentence, older_items

SITE = "Trang thông tin điện tử Văn phòng UBND tỉnh"
#: What this family's server announces (server.py reads these).
SERVER = "Apache/2.2.22 (Ubuntu)"
POWERED_BY = "PHP/5.3.10-1ubuntu3.26"
HTML_BARE = "text/html"  # no charset: the page's <meta> declares it
DOCTYPE = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">'
NO_IMAGE = "/images/noimage.jpg"
CSS = b"body{font-family:Arial;font-size:12px}.news-cat{color:#fff}\n"
JS = b"function MM_jumpMenu(t,s){window.open(s.options[s.selectedIndex].value,t);}\n"
USERS = ["admin", "bientap01", "vanphong", "tttt_vp", "quantri", "bientap02"]
WEB_LINKS = [
    ("https://example.invalid/cong-ttdt-tinh", "Cổng TTĐT tỉnh"),
    ("https://example.invalid/chinhphu", "Cổng TTĐT Chính phủ"),
    ("https://example.invalid/cong-bao", "Công báo tỉnh"),
    ("https://example.invalid/dich-vu-cong", "Dịch vụ công trực tuyến"),
]


# --------------------------------------------------------------------------- routing


def route(server: Any, method: str, target: str, headers: Any, form: dict[str, str]) -> Response:
    """Answer one request of the PHP site (``index.php`` and its static files)."""
    parts = urlsplit(target)
    path = unquote(parts.path or "/")
    lpath = path.lower()
    query = _last_wins(parts.query)
    if lpath in ("/", "/index.php"):
        page = query.get("page", "").lower()
        if not page:
            return _html(server, ("home",), lambda: render_home(server))
        if page in ("tintuc", "tin-tuc"):
            aid = _int(query.get("id"))
            if "id" in query:
                if aid is None or aid not in server.portal.articles:
                    return server.not_found(apache_404(target))
                if query.get("print") == "1":
                    return _print(server, aid)
                return _article(server, aid, headers)
            code = query.get("code", "")
            if server.portal.category(code) is None:
                return server.not_found(apache_404(target))
            vt = _int(query.get("vt")) or 0
            return _html(server, ("list", parts.query),
                         lambda: render_listing(server, code, vt, parts.query),
                         bare=_bare(f"list:{code}:{vt}"))
        if page in ("gioithieu", "lienhe"):
            return _html(server, ("static", page), lambda: render_static(server, page))
        if page == "guiemail":
            aid = _int(query.get("id"))
            article = server.portal.articles.get(aid) if aid is not None else None
            return Response(200, render_email(server, article, sent=method == "POST").encode())
        return server.not_found(apache_404(target))
    if lpath == "/xuatpdf.php":
        aid = _int(query.get("id"))
        article = server.portal.articles.get(aid) if aid is not None else None
        if article is None or not server.portal.is_public(article):
            return server.not_found(apache_404(target))
        return Response(200, make_pdf(article.title), "application/pdf")
    if lpath.startswith("/upload/news/") and lpath.endswith((".jpg", ".jpeg")):
        return Response(200, photo(lpath), "image/jpeg")
    if lpath.startswith("/upload/files/") and lpath.endswith(".pdf"):
        title = _attachment_title(server.portal, lpath)
        if title is None:
            return server.not_found(apache_404(target))
        return Response(200, make_pdf(title), "application/pdf")
    if lpath.startswith("/images/"):
        if lpath.endswith((".jpg", ".jpeg")):
            return Response(200, photo(lpath), "image/jpeg")
        return Response(200, TINY_GIF, "image/gif")
    if lpath == "/css/style.css":
        return Response(200, CSS, "text/css")
    if lpath == "/js/function.js":
        return Response(200, JS, "application/javascript")
    return server.not_found(apache_404(target))  # robots.txt included: the site has none


def _last_wins(query: str) -> dict[str, str]:
    """PHP's ``$_GET``: a repeated parameter keeps its last value (names are case-sensitive)."""
    out: dict[str, str] = {}
    for k, v in parse_qsl(query, keep_blank_values=True):
        out[k] = v
    return out


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() else None


def _bare(key: str) -> bool:
    """About one page in four goes out as ``text/html`` without a charset."""
    return int(hashlib.md5(f"charset:{key}".encode()).hexdigest(), 16) % 4 == 0


def bare_charset_article(aid: int) -> bool:
    """True when article ``aid`` is served without a charset in its Content-Type."""
    return _bare(f"article:{aid}")


def _html(server: Any, key: tuple, make: Any, *, bare: bool = False) -> Response:
    resp = server.cached(key, lambda: Response(200, make().encode()))
    if bare:
        return Response(resp.status, resp.body, HTML_BARE, dict(resp.headers))
    return resp


def _article(server: Any, aid: int, headers: Any) -> Response:
    resp = server.article_response(aid, headers, lambda a: render_article(server, a))
    if resp.status == 200 and bare_charset_article(aid):
        return Response(resp.status, resp.body, HTML_BARE, dict(resp.headers))
    return resp


def _print(server: Any, aid: int) -> Response:
    portal = server.portal
    if aid == portal.notice_id:
        return server.article_response(aid, None, lambda a: "")
    article = portal.articles[aid]
    return server.cached(("print", aid),
                         lambda: Response(200, render_print(server, article).encode()))


def _attachment_title(portal: Portal, lpath: str) -> str | None:
    for article in portal.articles.values():
        for att in article.attachments:
            if file_url(att.url).lower() == lpath:
                return att.title
    return None


# --------------------------------------------------------------------------- URLs


def article_href(article: Article, spelling: str = "") -> str:
    """Link to an article: ``?page=TinTuc&code=K&id=N`` (``spelling`` is the part before
    the ``?``: "", "./" or "index.php"); ``tin-tuc`` with "./", as the home page writes it."""
    page = "tin-tuc" if spelling == "./" else "TinTuc"
    return f"{spelling}?page={page}&code={article.category_slug}&id={article.id}"


def listing_href(slug: str) -> str:
    return f"?page=TinTuc&code={slug}"


def image_url(url: str) -> str:
    """Model ``/Uploads/Images/Y/M/x.jpg`` as this CMS stores it: ``/upload/news/Y/M/x.jpg``."""
    return "/upload/news/" + url.split("/Uploads/Images/", 1)[-1]


def file_url(url: str) -> str:
    """Model ``/Uploads/VanBan/x.pdf`` as this CMS stores it: ``/upload/files/x.pdf``."""
    return "/upload/files/" + url.rsplit("/", 1)[-1]


def date_line(article: Article) -> str:
    """MySQL ``DATE_FORMAT(capnhat, 'Cập nhật lúc %H:%i ngày %d/%m/%Y')`` (no time: the date)."""
    p = article.published
    if article.has_time:
        return f"Cập nhật lúc {p.hour:02d}:{p.minute:02d} ngày {dmy(article.published_date)}"
    return f"Cập nhật ngày {dmy(article.published_date)}"


def _attr(text: str) -> str:
    return escape(text, quote=True)


# --------------------------------------------------------------------------- page chrome


def _head(title: str) -> str:
    return (
        f"{DOCTYPE}\n<html>\n<head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"<title>{_e(title)} :: {SITE}</title>\n"
        '<link href="/css/style.css" rel="stylesheet" type="text/css">\n'
        '<script language="javascript" type="text/javascript" src="/js/function.js"></script>\n'
        "</head>\n"
    )


def _clock(today: date) -> str:
    return f"{WEEKDAYS_CAP[today.weekday()]}, ngày {dmy(today)}"


def _topmenu(portal: Portal, today: date) -> str:
    items = ['<a href="index.php"><font color="#FFFFFF">TRANG CHỦ</font></a>',
             '<a href="?page=GioiThieu"><font color="#FFFFFF">GIỚI THIỆU</font></a>']
    for cat in portal.public_categories():
        items.append(f'<a href="{listing_href(cat.slug)}"><font color="#FFFFFF">'
                     f"{_e(cat.name.upper())}</font></a>")
    items.append('<a href="?page=LienHe"><font color="#FFFFFF">LIÊN HỆ</font></a>')
    return (
        '<tr><td bgcolor="#0B4C9B" height="28">\n'
        '<table width="100%" border="0" cellspacing="0" cellpadding="4"><tr>\n'
        '<td class="topmenu"><font face="Arial" size="2"><b>'
        + " | ".join(items)
        + "</b></font></td>\n"
        '<td class="clock" align="right" width="200"><font face="Arial" size="1" '
        f'color="#FFFFFF">{_e(_clock(today))}</font></td>\n'
        "</tr></table></td></tr>\n"
    )


def _box_title(text: str) -> str:
    return (
        '<tr><td background="/images/bg_box.gif" height="24"><font face="Arial" size="2" '
        f'color="#0B4C9B"><b>&nbsp;{_e(text)}</b></font></td></tr>\n'
    )


def _leftcol(portal: Portal) -> str:
    cats = "\n".join(
        f'<tr><td><img src="/images/bullet.gif" border="0" align="absmiddle"> '
        f'<a href="{listing_href(c.slug)}"><font face="Arial" size="2">{_e(c.name)}</font></a>'
        "</td></tr>"
        for c in portal.public_categories()
    )
    options = "\n".join(f'<option value="{_attr(url)}">{_e(label)}</option>'
                        for url, label in WEB_LINKS)
    counter = 1234567 + portal.epoch * 1021
    return (
        '<td width="190" valign="top" class="left">\n'
        '<table width="100%" border="0" cellspacing="0" cellpadding="3">\n'
        + _box_title("CHUYÊN MỤC") + cats + "\n"
        + _box_title("LIÊN KẾT WEBSITE")
        + '<tr><td><select name="lienket" onchange="MM_jumpMenu(\'_blank\',this)">\n'
        '<option value="">-- Chọn liên kết --</option>\n' + options + "\n</select></td></tr>\n"
        + _box_title("THỐNG KÊ TRUY CẬP")
        + '<tr><td><font face="Arial" size="1">Đang online: 17<br>'
        f"Tổng lượt truy cập: {counter}</font></td></tr>\n"
        "</table></td>\n"
    )


def _rightcol(portal: Portal, offsite_url: str) -> str:
    items = []
    for aid in portal.popular_ids:
        a = portal.articles[aid]
        items.append(
            '<tr><td><img src="/images/next_sm.gif" border="0"> '
            f'<a href="{_attr(article_href(a, "index.php"))}"><font face="Arial" size="2">'
            f"{_e(_served(a, a.title))}</font></a></td></tr>"
        )
    return (
        '<td width="200" valign="top" class="right">\n'
        '<table width="100%" border="0" cellspacing="0" cellpadding="3">\n'
        + _box_title("TÌM KIẾM")
        + '<tr><td><form action="index.php" method="get">'
        '<input type="hidden" name="page" value="TimKiem">'
        '<input type="text" name="tukhoa" size="18"> <input type="submit" value="Tìm">'
        "</form></td></tr>\n"
        + _box_title("TIN XEM NHIỀU") + "\n".join(items) + "\n"
        + '<tr><td align="center"><a href="https://example.invalid/dich-vu-cong" '
        'target="_blank"><img src="/images/banner_dvc.gif" width="190" border="0" '
        'alt="Dịch vụ công"></a></td></tr>\n'
        f'<tr><td align="center"><a href="{_attr(offsite_url)}/" target="_blank">'
        '<img src="/images/banner_chinhphu.gif" width="190" border="0" '
        'alt="Cổng thông tin điện tử Chính phủ"></a></td></tr>\n'
        "</table></td>\n"
    )


def _footer() -> str:
    return (
        '<tr><td bgcolor="#0B4C9B" align="center" class="footer"><font face="Arial" size="1" '
        'color="#FFFFFF">\n'
        f"<b>{SITE.upper()}</b><br>\n"
        "Cơ quan chủ quản: Văn phòng UBND tỉnh - Địa chỉ: Phường Hồng Hà, thành phố Hạ Long<br>\n"
        "Giấy phép số 12/GP-STTTT ngày 05/03/2010 - Điện thoại: 0203.3835.208 - "
        "Email: vpubnd@example.invalid<br>\n"
        "Bản quyền © 2008 Văn phòng UBND tỉnh. Phát triển bởi gws.</font></td></tr>\n"
    )


def page(server: Any, title: str, main: str) -> str:
    """Full page: banner, top menu with the clock, three table columns, footer."""
    portal = server.portal
    return (
        _head(title)
        + '<body leftmargin="0" topmargin="0" marginwidth="0" marginheight="0" '
        'bgcolor="#E9E9E9">\n'
        '<table width="980" border="0" cellspacing="0" cellpadding="0" align="center" '
        'bgcolor="#FFFFFF">\n'
        '<tr><td><a href="index.php"><img src="/images/banner.jpg" width="980" height="140" '
        f'border="0" alt="{_attr(SITE)}"></a></td></tr>\n'
        + _topmenu(portal, server.today)
        + '<tr><td><table width="100%" border="0" cellspacing="0" cellpadding="5"><tr>\n'
        + _leftcol(portal)
        + f'<td valign="top" class="main">\n{main}</td>\n'
        + _rightcol(portal, server.offsite_url)
        + "</tr></table></td></tr>\n"
        + _footer()
        + "</table>\n</body>\n</html>\n"
    )


def apache_404(target: str) -> str:
    path = _e(urlsplit(target).path or "/")
    return (
        '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
        "<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n"
        f"<p>The requested URL {path} was not found on this server.</p>\n<hr>\n"
        "<address>Apache/2.2.22 (Ubuntu) Server at 127.0.0.1 Port 80</address>\n"
        "</body></html>\n"
    )


# --------------------------------------------------------------------------- article body


def _quirk(article: Article) -> int:
    """Per-article editor style: 0 ``<p><font>``, 1 ``&nbsp;`` runs, 2 one ``<font>`` with
    ``<br><br>`` between paragraphs, 3 ``<div>`` with inline tags and spacer paragraphs."""
    return int(hashlib.md5(f"gws:{article.id}".encode()).hexdigest(), 16) % 4


def _inline(article: Article, index: int, text: str, quirk: int, rng: Random) -> str:
    if article.nfd and index % 2 == 0:
        text = _served(article, text)
    if quirk == 1:
        words = [_e(w) for w in text.split(" ")]
        out = words[0]
        for w in words[1:]:
            out += ("&nbsp;" if rng.random() < 0.15 else " ") + w
        return out
    if quirk == 3 and index % 2 == 1:
        words = text.split(" ")
        if len(words) > 6:
            i = rng.randrange(0, len(words) - 4)
            j = i + rng.randint(2, 4)
            tag = rng.choice(["b", "i", "u"])
            pre = " ".join(words[:i]) + (" " if i else "")
            post = (" " if j < len(words) else "") + " ".join(words[j:])
            return _e(pre) + f"<{tag}>" + _e(" ".join(words[i:j])) + f"</{tag}>" + _e(post)
    return _e(text)


def _image_html(article: Article, image: Image) -> str:
    return (
        '<table align="center" border="0" cellpadding="3" cellspacing="0" width="450">'
        f'<tr><td align="center"><img src="{_attr(image_url(image.url))}" width="450" '
        'border="0"></td></tr>'
        '<tr><td align="center"><font face="Arial" size="1"><i>'
        f"{_e(_served(article, image.caption_text))}</i></font></td></tr></table>"
    )


def content_html(server: Any, article: Article) -> str:
    """The body cell: paragraphs, photos, attachments, then the author in bold."""
    quirk = 0 if article.id == server.portal.seed_id else _quirk(article)
    rng = Random(article.id)
    images: dict[int, list[Image]] = {}
    for after, image in article.images:
        images.setdefault(after, []).append(image)
    parts: list[str] = []
    if quirk == 2:
        parts.append('<font face="Times New Roman" size="3">')
    for i, text in enumerate(article.paragraphs):
        inner = _inline(article, i, text, quirk, rng)
        if quirk == 2:
            parts.append(f"{inner}<br />\n<br />")
        elif quirk == 3:
            if i:
                parts.append("<p>&nbsp;</p>")
            parts.append(f'<div align="justify">{inner}</div>')
        else:
            parts.append(f'<p align="justify"><font face="Arial" size="2">{inner}</font></p>')
        for image in images.get(i, []):
            parts.append(_image_html(article, image))
    if quirk == 2:
        parts.append("</font>")
    for att in article.attachments:
        parts.append(
            '<p><img src="/images/icon_pdf.gif" border="0" align="absmiddle"> '
            f"{_e(att.title)}: "
            f'<a href="{_attr(file_url(att.url))}" target="_blank"><font color="#0000FF">'
            "Tải file tại đây</font></a></p>"
        )
    parts.append(f'<p align="right"><b><font face="Arial" size="2">{_e(article.author)}'
                 "</font></b></p>")
    return "\n".join(parts)


def _detail(server: Any, article: Article, *, tools: bool) -> str:
    portal = server.portal
    cat = portal.category(article.category_slug)
    cat_name = cat.name if cat else article.category_slug
    title = _served(article, article.title)
    aid = article.id
    info = ""
    if tools:
        user = USERS[aid % len(USERS)]
        views = 100 + int(hashlib.md5(f"views:{aid}".encode()).hexdigest(), 16) % 4900
        info = (
            '<tr><td><div class="info-writer"><font face="Arial" size="1" color="#999999">'
            f"Đăng bởi: {user} &middot; ({dmy(article.published_date)}) &middot; "
            f'<script type="text/javascript">document.write("Lượt xem: " + {views});</script>'
            "</font></div>\n"
            '<div class="tool-pag">'
            f'<a class="email" href="?page=GuiEmail&amp;id={aid}"><span>Email</span></a> '
            f'<a class="print" href="{_attr(article_href(article))}&amp;print=1" '
            'target="_blank"><span>Print</span></a> '
            f'<a class="pdf" href="xuatpdf.php?id={aid}"><span>Pdf</span></a></div></td></tr>\n'
        )
    return (
        '<table class="news-detail" width="100%" border="0" cellspacing="0" cellpadding="4">\n'
        '<tr><td class="news-cat" background="/images/bg_title.gif" height="26">'
        '<img src="/images/icon_cat.gif" border="0" align="absmiddle"> '
        f'<a href="{listing_href(article.category_slug)}"><font face="Arial" size="2" '
        f'color="#FFFFFF"><b>{_e(cat_name)}</b></font></a></td></tr>\n'
        f'<tr><td><h3><a href="{_attr(article_href(article))}"><font face="Arial" size="3" '
        f'color="#003399">{_e(title)}</font></a></h3></td></tr>\n'
        '<tr><td class="date-update"><font face="Arial" size="1" color="#666666"><i>'
        f"{_e(date_line(article))}</i></font></td></tr>\n"
        + info
        + f'<tr><td class="content-detail">\n{content_html(server, article)}\n</td></tr>\n'
        '<tr><td class="source" align="right"><font face="Arial" size="2"><i>'
        f"Nguồn: {_e(article.source)}</i></font></td></tr>\n"
        "</table>\n"
    )


def _older_items(server: Any, article: Article) -> str:
    p = server.portal
    rows = []
    for rid, _, title, when in older_items(p, article):
        href = f"?page=TinTuc&amp;code={article.category_slug}&amp;id={rid}"
        rows.append(
            '<tr><td width="12" valign="top"><img src="/images/next_sm.gif" border="0"></td>'
            f'<td><a href="{href}"><font face="Arial" size="2">{_e(title)}</font></a> '
            f'<font color="#999999" size="1">({dmy(when)})</font></td></tr>'
        )
    if not rows:
        return ""
    return (
        '<table width="100%" border="0" cellspacing="0" cellpadding="2">\n'
        '<tr><td colspan="2"><h5><font face="Arial" color="#0B4C9B">CÁC TIN ĐÃ ĐƯA:</font>'
        "</h5></td></tr>\n" + "\n".join(rows) + "\n</table>\n"
    )


def render_article(server: Any, article: Article) -> str:
    main = _detail(server, article, tools=True) + "<br>\n" + _older_items(server, article)
    return page(server, _served(article, article.title), main)


def render_print(server: Any, article: Article) -> str:
    return (
        _head(_served(article, article.title))
        + '<body onload="window.print()">\n'
        '<table width="640" align="center" border="0"><tr><td>'
        '<img src="/images/logo_print.gif" border="0" align="absmiddle"> '
        f"<b>{SITE.upper()}</b></td></tr>\n<tr><td>\n"
        + _detail(server, article, tools=False)
        + "</td></tr>\n"
        '<tr><td align="center"><a href="javascript:window.print()">[In trang]</a> '
        '<a href="javascript:window.close()">[Đóng cửa sổ]</a></td></tr>\n'
        "</table>\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- listings, home


def render_listing(server: Any, slug: str, vt: int, query: str) -> str:
    """Page ``vt + 1`` of a category; every link appends to the ``query`` as requested."""
    p = server.portal
    cat = p.category(slug)
    assert cat is not None
    current = vt + 1
    here = "?" + query
    rows = []
    for a in p.listing_page(slug, current):
        href = _attr(f"{here}&id={a.id}")
        thumb = image_url(a.images[0][1].url) if a.images else NO_IMAGE
        blurb = first_sentence(a.summary or a.paragraphs[0])
        rows.append(
            f'<tr><td class="list-item"><a href="{href}"><img src="{_attr(thumb)}" width="100" '
            'height="75" align="left" border="0" hspace="5"></a>'
            f'<a class="news-title" href="{href}"><font face="Arial" size="2" color="#003399">'
            f"<b>{_e(_served(a, a.title))}</b></font></a> "
            f'<font color="#999999" size="1">({dmy(a.published_date)})</font><br>'
            f'<font face="Arial" size="2">{_e(_served(a, blurb))}</font></td></tr>'
        )
    if not rows:
        rows.append('<tr><td><font face="Arial" size="2">Chưa có tin bài trong mục này.</font>'
                    "</td></tr>")
    shown = min(p.listing_depth, p.listing_pages(slug))
    pager = ""
    if shown > 1:
        links = []
        for n in range(1, shown + 1):
            if n == current:
                links.append(f"<b>{n}</b>")
            else:
                links.append(f'<a href="{_attr(f"{here}&vt={n - 1}")}">{n}</a>')
        pager = ('<tr><td class="pages" align="right"><font face="Arial" size="2">Trang: '
                 + " ".join(links) + "</font></td></tr>\n")
    main = (
        '<table class="news-list" width="100%" border="0" cellspacing="0" cellpadding="4">\n'
        '<tr><td class="news-cat" background="/images/bg_title.gif" height="26">'
        f'<font face="Arial" size="2" color="#FFFFFF"><b>{_e(cat.name)}</b></font></td></tr>\n'
        + "\n".join(rows) + "\n" + pager + "</table>\n"
    )
    return page(server, cat.name, main)


def render_home(server: Any) -> str:
    p = server.portal
    featured = []
    for aid in p.featured_ids:
        a = p.articles[aid]
        thumb = image_url(a.images[0][1].url) if a.images else NO_IMAGE
        href = _attr(article_href(a))
        featured.append(
            f'<td width="33%" valign="top" align="center"><a href="{href}"><img '
            f'src="{_attr(thumb)}" width="170" height="120" border="0"></a><br>'
            f'<a href="{href}"><font face="Arial" size="2"><b>{_e(_served(a, a.title))}</b>'
            "</font></a></td>"
        )
    newest = "\n".join(
        '<tr><td><img src="/images/next_sm.gif" border="0"> '
        f'<a href="{_attr(article_href(a, "./"))}"><font face="Arial" size="2">'
        f"{_e(_served(a, a.title))}</font></a> "
        f'<font color="#999999" size="1">({a.published_date:%d-%m-%Y})</font></td></tr>'
        for a in p.newest_public(10)
    )
    boxes = []
    for cat in p.public_categories():
        items = "\n".join(
            '<tr><td><img src="/images/next_sm.gif" border="0"> '
            f'<a href="{_attr(article_href(a))}"><font face="Arial" size="2">'
            f"{_e(_served(a, a.title))}</font></a> "
            f'<font color="#999999" size="1">({a.published_date:%d-%m})</font></td></tr>'
            for a in p.category_articles(cat.slug)[:5]
        )
        boxes.append(
            '<table width="100%" border="0" cellspacing="0" cellpadding="3">\n'
            '<tr><td background="/images/bg_title.gif" height="24">'
            f'<a href="{listing_href(cat.slug)}"><font face="Arial" size="2" color="#FFFFFF">'
            f"<b>{_e(cat.name.upper())}</b></font></a></td></tr>\n{items}\n"
            f'<tr><td align="right"><a href="{listing_href(cat.slug)}"><font size="1">'
            "Xem tiếp &raquo;</font></a></td></tr>\n</table>\n"
        )
    main = (
        '<table width="100%" border="0" cellspacing="0" cellpadding="3">\n'
        + _box_title("TIN NỔI BẬT") + "<tr><td><table width=\"100%\"><tr>"
        + "".join(featured) + "</tr></table></td></tr>\n"
        + _box_title("TIN MỚI CẬP NHẬT") + newest + "\n</table>\n"
        + "".join(boxes)
    )
    return page(server, "Trang chủ", main)


def render_static(server: Any, which: str) -> str:
    if which == "gioithieu":
        title, text = "Giới thiệu", (
            "Văn phòng UBND tỉnh là cơ quan chuyên môn thuộc UBND tỉnh, có chức năng tham mưu "
            "tổng hợp, giúp UBND tỉnh tổ chức các hoạt động chung của UBND tỉnh.")
    else:
        title, text = "Liên hệ", (
            "Văn phòng UBND tỉnh - Phường Hồng Hà, thành phố Hạ Long. "
            "Điện thoại: 0203.3835.208 - Email: vpubnd@example.invalid")
    main = (f'<table width="100%" cellpadding="4"><tr><td><font face="Arial" size="3"><b>'
            f"{_e(title)}</b></font></td></tr>\n<tr><td><font face=\"Arial\" size=\"2\">"
            f"{_e(text)}</font></td></tr></table>\n")
    return page(server, title, main)


def render_email(server: Any, article: Article | None, *, sent: bool = False) -> str:
    title = _served(article, article.title) if article else ""
    aid = article.id if article else 0
    if sent:
        body = '<p><font face="Arial" size="2">Bài viết đã được gửi.</font></p>'
    else:
        body = (
            f'<form action="?page=GuiEmail&amp;id={aid}" method="post">\n'
            f'<p><font face="Arial" size="2">Gửi bài viết: <b>{_e(title)}</b></font></p>\n'
            '<table><tr><td>Email người nhận:</td><td><input type="text" name="email_nhan">'
            "</td></tr>\n"
            '<tr><td>Lời nhắn:</td><td><textarea name="loinhan" rows="4" cols="40"></textarea>'
            "</td></tr>\n"
            '<tr><td></td><td><input type="submit" value="Gửi"></td></tr></table>\n</form>'
        )
    return _head("Gửi email") + f"<body>\n{body}\n</body>\n</html>\n"
