"""SharePoint "Publishing Portal" family (MOSS 2007/2010): date-folder article pages.

Renders the portal model the way the Hà Tĩnh / Ninh Thuận SharePoint portals and the ttqn
(CQ.SharePoint.QN) web parts build it (vn-portals.md §1 A, §6 "SP-datefolder"). URL map
(paths are case-insensitive, like SharePoint's):

- ``/``, ``/portal/``, ``/portal/Pages/default.aspx``: home page ("Tin nổi bật", "Tin mới" with a
  ``?Source=`` return-URL parameter, five newest items per category);
- ``/portal/Pages/<category-slug>.aspx?Page=N``: listing, 10 items a page, pager
  "Trước | Trang: N | Sau" of plain links up to ``listing_depth``, then only a postback
  "Xem tin tiếp theo..." date filter;
- ``/portal/Pages/<yyyy-m-d>/<slug>-<id>.aspx``: article. The date folder is not zero-padded
  (a padded one is accepted too); the slug is the ASCII-folded title cut at exactly 50
  characters, even mid-word. The slug itself is not checked, the date folder is (404 when it
  is not the article's date). Listings link ``/portal/Pages/``, the "Các tin khác" box
  ``/portal/pages/``; the "Tin đọc nhiều" sidebar adds a decorative ``?title=<slug>.html``;
- ``/portal/pages/print.aspx?p=<id>``: print view, linked from every article;
- ``/portal/PublishingImages/...jpg``, ``/portal/Style Library/...``: tiny images;
  ``/portal/Lists/TinTuc/Attachments/<id>/<file>.pdf``: attachments (a small PDF);
- ``/_layouts/Authenticate.aspx``: the login page linked from the header (robots-disallowed);
- ``/robots.txt``: disallows ``/_layouts/``, ``/_vti_bin/`` and the non-public listing.

Article page quirks: a header clock in weekday style ("Thứ Năm, 26/11/2026"); web-part
GUID DOM ids (``ctl00_ctl30_g_a823d20f_...``) and web-part titles leaking into the text
("PublishingPortal - Block_BanTin_Toolbar"); a toolbar web part with "Đăng ngày 20 - 04 -
2021", "Lượt xem: N", "100%", "Tăng cỡ chữ Giảm cỡ chữ" and the print link; for articles with a
time, the toolbar has no date and the ttqn date table "20/4/2021 8:5" (nothing padded) sits
under the title; breadcrumb "Parent >> Category"; ``h2 > span`` title; ``p > b`` lead; body
in a table cell, photos in tables with the caption in the next row or in ``div.comment``;
zero-width-space spacer paragraphs; "Tài liệu kèm theo:" attachment panel; author bold and
right-aligned, then "(Nguồn: X)"; the "Các tin khác" box of ``li > a`` +
``span " (Ngày 20/4/2021)"``.

Standard library only; imports nothing from ``crawler/``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date
from html import escape
from random import Random
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from replica.model import WEEKDAYS_CAP, Article, Image, Portal
from replica.server import TINY_GIF, Response, make_pdf, photo
from replica.templates import (
    Context,
    _e,
    _served,
    first_sentence,
    older_items,
    render_notice,
    viewstate,
)

SITE = "Cổng thông tin điện tử tỉnh"
DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'
)
HOME = "/portal/Pages/default.aspx"
LOGIN = "/_layouts/Authenticate.aspx?Source=%2Fportal%2FPages%2Fdefault%2Easpx"
STYLE = "/portal/Style%20Library/images"
SLUG_LENGTH = 50
#: Breadcrumb parent of each category ("Parent >> Category").
PARENTS = {
    "hoat-dong": "Tin tức", "tin-tuc-su-kien": "Tin tức", "chi-dao-dieu-hanh": "Chính quyền",
    "phong-chong-thien-tai": "Chuyên đề", "xay-dung-dang": "Công tác Đảng",
    "noi-bo": "Nội bộ",
}
WEB_LINKS = [
    ("https://example.invalid/chinhphu", "Cổng TTĐT Chính phủ"),
    ("https://example.invalid/dichvucong", "Cổng dịch vụ công quốc gia"),
    ("https://example.invalid/congbao", "Công báo tỉnh"),
    ("https://example.invalid/vanban", "Hệ thống quản lý văn bản"),
]


# --------------------------------------------------------------------------- URLs


def fold(text: str) -> str:
    """ASCII-fold a Vietnamese title into hyphenated words, case kept ("Đảng bộ" -> "Dang-bo")."""
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def slug(title: str) -> str:
    """The page-name slug: the folded title cut at exactly 50 characters, even mid-word."""
    return fold(title)[:SLUG_LENGTH]


def date_folder(d: date) -> str:
    return f"{d.year}-{d.month}-{d.day}"


def article_path(article: Article, pages: str = "Pages") -> str:
    """``/portal/Pages/2021-4-20/<slug>-<id>.aspx`` (``pages`` sets the segment's case)."""
    return (f"/portal/{pages}/{date_folder(article.published_date)}/"
            f"{slug(article.title)}-{article.id}.aspx")


def dead_link_path(portal: Portal) -> str:
    return (f"/portal/pages/{date_folder(portal.dead_link_date)}/"
            f"{slug(portal.dead_link_title)}-{portal.dead_link_id}.aspx")


def print_path(aid: int) -> str:
    return f"/portal/pages/print.aspx?p={aid}"


def listing_path(cat_slug: str, page: int = 1) -> str:
    base = f"/portal/Pages/{cat_slug}.aspx"
    return base if page <= 1 else f"{base}?Page={page}"


def image_path(url: str) -> str:
    """The model's ``/Uploads/Images/2021/4/x.jpg`` as ``/portal/PublishingImages/2021/4/x.jpg``."""
    return "/portal/PublishingImages/" + url.split("/Uploads/Images/", 1)[-1]


def attachment_path(article: Article, url: str) -> str:
    """The model's ``/Uploads/VanBan/x.pdf`` as a list-item attachment of the article."""
    return f"/portal/Lists/TinTuc/Attachments/{article.id}/{url.rsplit('/', 1)[-1]}"


def date_line(article: Article) -> str:
    """The article's date as shown: "20/4/2021 8:5" with a time, else "Đăng ngày 20 - 04 - 2021"."""
    p = article.published
    if article.has_time:
        return f"{p.day}/{p.month}/{p.year} {p.hour}:{p.minute}"  # type: ignore[union-attr]
    return f"Đăng ngày {p.day:02d} - {p.month:02d} - {p.year}"


def short_date(d: date) -> str:
    """``20/4/2021``, as ttqn's Utilities.cs formats list dates."""
    return f"{d.day}/{d.month}/{d.year}"


def robots_txt() -> str:
    return (
        "User-agent: *\n"
        "Disallow: /_layouts/\n"
        "Disallow: /_vti_bin/\n"
        "Disallow: /portal/Pages/noi-bo.aspx\n"
        "Disallow: /portal/pages/noi-bo.aspx\n"
    )


# --------------------------------------------------------------------------- small helpers


def _a(text: str) -> str:
    return escape(text, quote=True)


def wp_id(name: str, ctl: int) -> str:
    """A web part's DOM id: ``ctl00_ctl30_g_a823d20f_9452_45d0_bad1_428f6d2d36fe`` style."""
    h = hashlib.md5(f"webpart:{name}".encode()).hexdigest()
    return f"ctl00_ctl{ctl:02d}_g_{h[:8]}_{h[8:12]}_{h[12:16]}_{h[16:20]}_{h[20:32]}"


def _guid(name: str) -> str:
    h = hashlib.md5(f"guid:{name}".encode()).hexdigest().upper()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _webpart(title: str, ctl: int, inner: str) -> str:
    """A web part with its chrome: the title row leaks "PublishingPortal - Block_..." text."""
    wid = wp_id(title, ctl)
    return (
        f'<div class="ms-WPBody" id="WebPart{_guid(title)}">\n'
        '<table class="s4-wpTopTable" border="0" cellpadding="0" cellspacing="0" width="100%">'
        f'<tr><td><div class="ms-WPTitle"><span>PublishingPortal - {_e(title)}</span></div>'
        f'</td></tr>\n<tr><td valign="top"><div id="{wid}" class="ms-WPBody-inner">\n{inner}'
        "</div></td></tr></table></div>\n"
    )


def _views(aid: int) -> int:
    return 100 + (aid * 37) % 900


# --------------------------------------------------------------------------- page chrome


def _head(title: str) -> str:
    return (
        f'{DOCTYPE}\n<html dir="ltr" lang="vi-VN" '
        'xmlns:o="urn:schemas-microsoft-com:office:office">\n<head>'
        '<meta name="GENERATOR" content="Microsoft SharePoint" />'
        '<meta http-equiv="Content-type" content="text/html; charset=utf-8" />'
        '<meta http-equiv="X-UA-Compatible" content="IE=8" />\n'
        f"<title>\r\n\t{_e(title)}\r\n</title>\n"
        '<link rel="stylesheet" type="text/css" '
        'href="/_layouts/1066/styles/Themable/corev4.css?rev=ReKdQ3VqjSr4KV8bY7CFUQ%3D%3D" />\n'
        '<script type="text/javascript">var _spPageContextInfo = {webServerRelativeUrl: '
        '"\\u002fportal", webLanguage: 1066, currentLanguage: 1066, '
        'webUIVersion:4, pageListId:"{' + _guid("pages") + '}"};</script>\n'
        "</head>\n"
    )


def _header(ctx: Context) -> str:
    today = ctx.today
    clock = f"{WEEKDAYS_CAP[today.weekday()]}, {today.day:02d}/{today.month:02d}/{today.year}"
    items = [f'<li><a href="{HOME}">Trang chủ</a></li>']
    for cat in ctx.portal.categories:
        items.append(f'<li><a href="{listing_path(cat.slug)}">{_e(cat.name)}</a></li>')
    return (
        '<div id="s4-titlerow" class="header">\n'
        f'<div class="banner"><a href="{HOME}"><img src="{STYLE}/banner.jpg" '
        f'alt="{_a(SITE)}" border="0" /></a></div>\n'
        '<div class="topbar">'
        f'<span id="ctl00_ctl20_lblDate" class="clock">{_e(clock)}</span> | '
        f'<a id="ctl00_IdWelcome_ExplicitLogin" href="{LOGIN}">Đăng nhập</a> | '
        '<input name="ctl00$PlaceHolderSearchArea$ctl01$S3031AEBB_InputKeywords" type="text" '
        'maxlength="200" title="Tìm kiếm..." class="ms-sbplain" /> '
        '<a href="javascript:S3031AEBB_Submit()" title="Tìm kiếm">Tìm kiếm</a></div>\n'
        '<div class="menu" id="zz1_TopNavigationMenuV4"><ul class="root static">\n'
        + "\n".join(items)
        + "\n</ul></div>\n</div>\n"
    )


def _left(ctx: Context) -> str:
    links = "\n".join(f'<li><a href="{_a(u)}" target="_blank">{_e(t)}</a></li>'
                      for u, t in WEB_LINKS)
    return (
        '<td class="left-col" valign="top" width="200">\n'
        + _webpart("Block_LienKetWeb", 41, f'<div class="box_title">Liên kết website</div>\n'
                   f"<ul>\n{links}\n</ul>\n")
        + f'<div class="box"><a href="{_a(ctx.offsite_url)}/" target="_blank">'
        "Cổng thông tin Chính phủ</a></div>\n</td>\n"
    )


def _right(ctx: Context) -> str:
    p = ctx.portal
    items = []
    for aid in p.popular_ids:
        a = p.articles[aid]
        href = f"{article_path(a)}?title={fold(a.title).lower()}.html"
        items.append(f'<li><a href="{_a(href)}">{_e(_served(a, a.title))}</a></li>')
    counter = 2345678 + p.epoch * 977
    return (
        '<td class="right-col" valign="top" width="230">\n'
        + _webpart("Block_TinDocNhieu", 43, '<div class="box_title">Tin đọc nhiều</div>\n'
                   '<ul class="docnhieu">\n' + "\n".join(items) + "\n</ul>\n")
        + _webpart("Block_ThongKe", 44, f'<div class="counter">Lượt truy cập: {counter}</div>\n')
        + "</td>\n"
    )


def _footer() -> str:
    return (
        '<div class="footer">\n'
        "<p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh. Cơ quan thường trực: Văn phòng UBND tỉnh.</p>\n"
        "<p>Điện thoại: 0239.3855.536 - Email: banbientap@example.invalid</p>\n"
        "<p>Ghi rõ nguồn &quot;Cổng thông tin điện tử tỉnh&quot; khi phát hành lại thông tin từ "
        "website này.</p>\n<p>Bản quyền © 2012 Cổng thông tin điện tử tỉnh.</p>\n</div>\n"
    )


def page(ctx: Context, title: str, action: str, main: str) -> str:
    """A whole page: master page chrome, three columns, one aspnetForm."""
    return (
        _head(f"{title} - {SITE}")
        + '<body scroll="no" onload="javascript:_spBodyOnLoadWrapper();" class="v4master">\n'
        + f'<form name="aspnetForm" method="post" action="{_a(action)}" id="aspnetForm">\n'
        + '<div><input type="hidden" name="MSOWebPartPage_PostbackSource" value="" />\n'
        + '<input type="hidden" name="__REQUESTDIGEST" id="__REQUESTDIGEST" value="0x'
        + hashlib.sha1(action.encode()).hexdigest().upper()
        + f',{ctx.today.day:02d} {ctx.today.strftime("%b %Y")} 07:00:00 -0000" />\n'
        + f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{viewstate(action)}" />'
        + "\n</div>\n"
        + '<div id="s4-workspace"><div id="s4-bodyContainer">\n'
        + _header(ctx)
        + '<table class="main" width="1000" cellpadding="0" cellspacing="0" border="0"><tr>\n'
        + _left(ctx)
        + f'<td class="center-col" valign="top">\n{main}</td>\n'
        + _right(ctx)
        + "</tr></table>\n"
        + _footer()
        + "</div></div>\n</form>\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- article body


def _style(article: Article) -> int:
    """Per-article rich-text style: 0 plain, 1 spans and &nbsp;, 2 divs with ZWSP spacers,
    3 an ExternalClass wrapper with inline bold."""
    return int(hashlib.md5(f"sp:{article.id}".encode()).hexdigest(), 16) % 4


def _paragraph(article: Article, index: int, text: str, style: int, rng: Random) -> str:
    if article.nfd and index % 2 == 0:
        text = unicodedata.normalize("NFD", text)
    if style == 1:
        words = [_e(w) for w in text.split(" ")]
        inner = words[0] + "".join(("&nbsp;" if rng.random() < 0.1 else " ") + w
                                   for w in words[1:])
        return f'<p><span style="font-family: Arial; font-size: 10pt;">{inner}</span></p>'
    if style == 2:
        return f'<div style="text-align: justify;">{_e(text)}</div>'
    if style == 3 and index % 2 == 1:
        words = text.split(" ")
        if len(words) > 6:
            i = rng.randrange(0, len(words) - 4)
            j = i + rng.randint(2, 3)
            pre = " ".join(words[:i]) + (" " if i else "")
            post = (" " if j < len(words) else "") + " ".join(words[j:])
            return (f'<p style="text-align: justify;">{_e(pre)}<strong>'
                    f'{_e(" ".join(words[i:j]))}</strong>{_e(post)}</p>')
    return f'<p style="text-align: justify;">{_e(text)}</p>'


def _image(image: Image, k: int) -> str:
    src = _a(image_path(image.url))
    if k % 2 == 0:  # caption in the next table row
        return (
            '<table align="center" border="0" cellpadding="3" cellspacing="0" width="500">'
            f'<tbody><tr><td align="center"><img alt="" src="{src}" width="500" /></td></tr>'
            f'<tr><td style="text-align: center;"><em>{_e(image.caption_text)}</em></td></tr>'
            "</tbody></table>"
        )
    return (  # ttqn: image and div.comment in one cell
        '<table align="center" border="0" cellpadding="0" cellspacing="0" width="480"><tr>'
        f'<td align="center"><img src="{src}" border="0" width="480" />'
        f'<div class="comment">{_e(image.caption_text)}</div></td></tr></table>'
    )


def body_html(article: Article) -> str:
    """The rich-text body: paragraphs and photos, in the model's order."""
    style = _style(article)
    rng = Random(article.id * 7 + 1)
    images: dict[int, list[Image]] = {}
    for after, image in article.images:
        images.setdefault(after, []).append(image)
    parts: list[str] = []
    k = 0
    for i, text in enumerate(article.paragraphs):
        if style == 2 and i:
            parts.append("<p>\u200b</p>")  # SharePoint 2010's zero-width-space spacer
        parts.append(_paragraph(article, i, text, style, rng))
        for image in images.get(i, []):
            parts.append(_image(image, article.id + k))
            k += 1
    inner = "\n".join(parts)
    if style == 3:
        cls = "ExternalClass" + _guid(str(article.id)).replace("-", "")
        inner = f'<div class="{cls}">\n{inner}\n</div>'
    return inner


def _related(ctx: Context, article: Article) -> str:
    p = ctx.portal
    items = []
    for _, other, title, when in older_items(p, article):
        href = article_path(other, "pages") if other is not None else dead_link_path(p)
        items.append(f'<li><a href="{_a(href)}">{_e(title)}</a>'
                     f'<span class="date"> (Ngày {short_date(when)})</span></li>')
    if not items:
        return ""
    return _webpart("Block_BanTin_TinKhac", 32, (
        '<div class="other_news"><div class="title_other">Các tin khác</div>\n<ul>\n'
        + "\n".join(items) + "\n</ul></div>\n"))


def render_article(ctx: Context, article: Article) -> str:
    p = ctx.portal
    cat = p.category(article.category_slug)
    cat_name = cat.name if cat else article.category_slug
    parent = PARENTS.get(article.category_slug, "Tin tức")
    title = _served(article, article.title)
    aid = article.id
    detail = wp_id("Block_BanTin_ViewData", 30)
    toolbar_id = wp_id("Block_BanTin_Toolbar", 29)

    dated = ""
    if not article.has_time:
        dated = (f'<span id="{toolbar_id}_lblNgayDang" class="ngaydang">'
                 f"{_e(date_line(article)).replace(' ', '&nbsp;', 2)}</span> | ")
    toolbar = (
        '<div class="toolbar">' + dated
        + f'<span id="{toolbar_id}_lblLuotXem">Lượt xem: {_views(aid)}</span> | '
        '<span class="fontsize">100%</span> '
        '<a href="javascript:ChangeFontSize(1);" title="Tăng cỡ chữ">Tăng cỡ chữ</a> '
        '<a href="javascript:ChangeFontSize(-1);" title="Giảm cỡ chữ">Giảm cỡ chữ</a> | '
        f'<a href="{print_path(aid)}" target="_blank"><img src="{STYLE}/icon_print.gif" '
        'alt="In bài viết" border="0" /> In bài viết</a> '
        f'<a href="javascript:SendMail({aid});"><img src="{STYLE}/icon_email.gif" '
        'alt="Gửi email" border="0" /> Gửi email</a></div>\n'
    )
    timed = ""
    if article.has_time:
        timed = (
            '<table border="0" cellpadding="0" cellspacing="0"><tr>'
            f'<td><img src="{STYLE}/icon_date.jpg" alt="" /></td>'
            f'<td>&nbsp;<span id="{detail}_lblCreatedDate" class="date">'
            f"{_e(date_line(article))}</span></td></tr></table>\n"
        )
    lead = ""
    if article.summary:
        lead = f"<p><b>{_e(_served(article, article.summary))}</b></p>\n"
    attach = ""
    if article.attachments:
        rows = "\n".join(
            f'<tr><td><img src="/_layouts/images/icpdf.png" alt="" /></td><td>'
            f'<a href="{_a(attachment_path(article, att.url))}" target="_blank">'
            f"{_e(att.title)}</a></td></tr>"
            for att in article.attachments
        )
        attach = (f'<div id="{detail}_pnAttach" class="attach"><b>Tài liệu kèm theo:</b>\n'
                  f'<table border="0" cellpadding="2">\n{rows}\n</table></div>\n')
    byline = (
        '<table border="0" width="100%"><tr><td align="right" style="font-weight: bold;">'
        f'<span id="{detail}_lblAuthor">{_e(article.author)}</span><br />'
        f"(Nguồn: {_e(article.source)})</td></tr></table>\n"
    )
    view = (
        '<div class="detail_artical">\n'
        f'<div class="path"><div class="arr_B"><a href="{HOME}">{_e(parent)}</a>'
        f'&nbsp;&gt;&gt;&nbsp;<a href="{listing_path(article.category_slug)}">{_e(cat_name)}</a>'
        "</div></div>\n"
        f'<h2 class="title_artical"><span id="{detail}_lblTitle">{_e(title)}</span></h2>\n'
        + timed + lead
        + '<table class="tbl_content" border="0" cellpadding="0" cellspacing="0" width="100%">'
        f'<tr><td id="{detail}_lblContent" class="content_artical" valign="top">\n'
        + body_html(article)
        + "\n</td></tr></table>\n"
        + attach + byline
        + "</div>\n"
    )
    main = (
        '<div class="ms-webpartzone" id="MSOZoneCell_WebPartWPQ2">\n'
        + _webpart("Block_BanTin_Toolbar", 29, toolbar)
        + _webpart("Block_BanTin_ViewData", 30, view)
        + _related(ctx, article)
        + "</div>\n"
    )
    return page(ctx, title, article_path(article), main)


def render_print(article: Article) -> str:
    title = _served(article, article.title)
    lead = (f"<p><b>{_e(_served(article, article.summary))}</b></p>\n"
            if article.summary else "")
    return (
        _head(f"{title} - {SITE}")
        + '<body onload="window.print();">\n<div class="print_page">\n'
        + f'<div class="print_header">{_e(SITE)}</div>\n'
        + f'<div class="date">{_e(date_line(article))}</div>\n'
        + f"<h2>{_e(title)}</h2>\n{lead}"
        + f'<div class="content_artical">\n{body_html(article)}\n</div>\n'
        + f'<p align="right"><b>{_e(article.author)}</b><br />(Nguồn: {_e(article.source)})</p>\n'
        + "</div>\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- listings, home


def _listing_item(article: Article) -> str:
    href = article_path(article)
    thumb = image_path(article.images[0][1].url) if article.images else f"{STYLE}/noimage.jpg"
    lead = first_sentence(article.summary or article.paragraphs[0])
    return (
        '<div class="cont_artical">'
        f'<div class="img_artical"><a href="{_a(href)}"><img src="{_a(thumb)}" width="110" '
        'border="0" /></a></div>'
        f'<div class="name_artical"><a href="{_a(href)}">{_e(_served(article, article.title))}'
        f'</a></div><span class="datetimeText">Ngày {short_date(article.published_date)}</span>'
        f'<div class="sapo">{_e(_served(article, lead))}</div></div>'
    )


def render_listing(ctx: Context, cat_slug: str, n: int) -> str:
    p = ctx.portal
    cat = p.category(cat_slug)
    assert cat is not None
    n = max(n, 1)
    items = "\n".join(_listing_item(a) for a in p.listing_page(cat_slug, n))
    total = p.listing_pages(cat_slug)
    shown = min(p.listing_depth, total)
    prev = (f'<a href="{listing_path(cat_slug, n - 1)}{"?Page=1" if n == 2 else ""}">Trước</a>'
            if n > 1 else "<span>Trước</span>")
    nxt = (f'<a href="{listing_path(cat_slug, n + 1)}">Sau</a>'
           if n < shown else "<span>Sau</span>")
    pager = f'<div class="pager">{prev} | Trang: {n} | {nxt}</div>\n'
    if n >= shown and total > shown:
        target = wp_id("Block_BanTin_ListNews", 31).replace("_", "$")
        pager += (
            '<div class="nextnews">Ngày <select name="ddlNgay"><option>1</option></select> '
            'Tháng <select name="ddlThang"><option>1</option></select> '
            'Năm <select name="ddlNam"><option>2010</option></select> '
            f"<a href=\"javascript:__doPostBack('{target}$lnkNext','')\">"
            "Xem tin tiếp theo...</a></div>\n"
        )
    main = _webpart("Block_BanTin_ListNews", 31, (
        f'<h2 class="cate_title">{_e(cat.name)}</h2>\n{items or "<p>Chưa có tin bài.</p>"}\n'
        + pager))
    return page(ctx, cat.name, listing_path(cat_slug, n), main)


def render_home(ctx: Context) -> str:
    p = ctx.portal
    source = "?Source=%2Fportal%2FPages%2Fdefault%2Easpx"
    newest = "\n".join(
        f'<li><a href="{_a(article_path(a) + source)}">{_e(_served(a, a.title))}</a> '
        f'<span class="date">({short_date(a.published_date)})</span></li>'
        for a in p.newest_public(10)
    )
    featured = []
    for aid in p.featured_ids:
        a = p.articles[aid]
        thumb = image_path(a.images[0][1].url) if a.images else f"{STYLE}/noimage.jpg"
        featured.append(
            f'<div class="hot_item"><a href="{_a(article_path(a))}"><img src="{_a(thumb)}" '
            f'width="260" border="0" /></a><a class="hot_title" href="{_a(article_path(a))}">'
            f"{_e(_served(a, a.title))}</a></div>"
        )
    boxes = []
    for cat in p.public_categories():
        lis = "\n".join(
            f'<li><a href="{_a(article_path(a))}">{_e(_served(a, a.title))}</a></li>'
            for a in p.category_articles(cat.slug)[:5]
        )
        boxes.append(_webpart(f"Block_ChuyenMuc_{cat.slug}", 50 + len(boxes), (
            f'<div class="box_title"><a href="{listing_path(cat.slug)}">{_e(cat.name)}</a></div>'
            f"\n<ul>\n{lis}\n</ul>\n")))
    main = (
        _webpart("Block_TinNoiBat", 33, '<div class="box_title">Tin nổi bật</div>\n'
                 + "\n".join(featured) + "\n")
        + _webpart("Block_TinMoi", 34, '<div class="box_title">Tin mới</div>\n<ul>\n'
                   + newest + "\n</ul>\n")
        + "".join(boxes)
    )
    return page(ctx, "Trang chủ", HOME, main)


def render_login(ctx: Context) -> str:
    main = ('<div class="login"><h2>Đăng nhập hệ thống</h2>\n'
            '<p>Tên đăng nhập: <input name="ctl00$txtUser" type="text" /></p>\n'
            '<p>Mật khẩu: <input name="ctl00$txtPass" type="password" /></p></div>\n')
    return page(ctx, "Đăng nhập", "/_layouts/Authenticate.aspx", main)


def render_not_found(ctx: Context) -> str:
    main = ('<div class="ms-error"><h2>Không tìm thấy trang</h2>\n'
            "<p>Trang bạn yêu cầu không tồn tại hoặc đã bị xóa.</p>\n"
            f'<p><a href="{HOME}">Về trang chủ</a></p></div>\n')
    return page(ctx, "Lỗi", "/_layouts/error.aspx", main)


# --------------------------------------------------------------------------- routing

_ARTICLE = re.compile(r"^/portal/pages/(\d{4})-(\d{1,2})-(\d{1,2})/[^/]+-(\d+)\.aspx$",
                      re.IGNORECASE)
_LISTING = re.compile(r"^/portal/pages/([A-Za-z0-9-]+)\.aspx$", re.IGNORECASE)


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _attachment_title(portal: Portal, lpath: str) -> str | None:
    for article in portal.articles.values():
        for att in article.attachments:
            if attachment_path(article, att.url).lower() == lpath:
                return att.title
    return None


def route(server: Any, method: str, target: str, headers: Any,
          form: dict[str, str]) -> Response:
    """Answer one request of the SharePoint family (see the module docstring)."""
    portal: Portal = server.portal
    ctx = server.context()
    parts = urlsplit(target)
    path = unquote(parts.path or "/")
    lpath = path.lower()
    query: dict[str, str] = {}
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        query.setdefault(k.lower(), v)

    def not_found() -> Response:
        return server.cached(("sp-404",), lambda: Response(404, render_not_found(ctx).encode()))

    if lpath == "/robots.txt":
        return Response(200, robots_txt().encode(), "text/plain; charset=utf-8")
    if lpath in ("/", "/portal", "/portal/", "/portal/pages/default.aspx"):
        return server.cached(("home",), lambda: Response(200, render_home(ctx).encode()))
    if lpath == "/portal/pages/print.aspx":
        aid = _int(query.get("p"))
        article = portal.articles.get(aid) if aid is not None else None
        if article is None:
            return not_found()
        if aid == portal.notice_id:
            return Response(200, render_notice().encode())
        return server.cached(("print", aid),
                             lambda: Response(200, render_print(article).encode()))
    m = _ARTICLE.match(path)
    if m:
        aid = int(m.group(4))
        article = portal.articles.get(aid)
        if article is not None:
            try:
                folder = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return not_found()
            if folder != article.published_date:
                return not_found()
        return server.article_response(aid, headers, lambda a: render_article(ctx, a))
    m = _LISTING.match(path)
    if m:
        cat = portal.category(m.group(1).lower())
        if cat is None:
            return not_found()
        n = _int(query.get("page")) or 1
        return server.cached(("listing", cat.slug, n),
                             lambda: Response(200, render_listing(ctx, cat.slug, n).encode()))
    if lpath == "/_layouts/authenticate.aspx":
        return Response(200, render_login(ctx).encode())
    if lpath.startswith("/portal/publishingimages/") and lpath.endswith((".jpg", ".jpeg")):
        return Response(200, photo(lpath), "image/jpeg")
    if lpath.startswith(("/portal/style library/", "/_layouts/images/")):
        return Response(200, TINY_GIF, "image/gif")
    if lpath.startswith("/portal/lists/tintuc/attachments/") and lpath.endswith(".pdf"):
        title = _attachment_title(portal, lpath)
        if title is None:
            return not_found()
        return Response(200, make_pdf(title), "application/pdf")
    return not_found()

