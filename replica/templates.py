"""HTML rendering for the replica: an ASP.NET WebForms "Văn phòng UBND tỉnh" office site.

The templates are this package's own; they must not import anything from ``crawler/``.
All links are root-relative. Deliberate quirks: a header clock showing the server's today, a
session parameter that changes per page in the related box, alias URLs (tracking parameters,
trailing slash, lower-case path with ``ID=``), NFD text for ``nfd`` articles, ``&nbsp;`` and
inline tags inside paragraphs, a ``__doPostBack`` pager link, and a copyright year in the
footer.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from html import escape
from random import Random

from .model import Article, Image, Portal, format_date_text

SITE = "Văn phòng UBND tỉnh"
DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)
NO_IMAGE = "/images/no-image.gif"
CP = "ctl00_ContentPlaceHolder1_ctl00"

WEB_LINKS = [
    ("https://example.invalid/cong-ttdt-tinh", "Cổng TTĐT tỉnh"),
    ("https://example.invalid/van-phong-chinh-phu", "Văn phòng Chính phủ"),
    ("https://example.invalid/cong-bao", "Công báo tỉnh"),
    ("https://example.invalid/dich-vu-cong", "Cổng dịch vụ công tỉnh"),
    ("https://example.invalid/hdnd", "Hội đồng nhân dân tỉnh"),
]
BANNERS = [
    ("https://example.invalid/dich-vu-cong", "/images/banner-dvc.gif", "Dịch vụ công trực tuyến"),
    ("https://example.invalid/hoi-dap", "/images/banner-hoidap.gif", "Hỏi đáp trực tuyến"),
    ("https://example.invalid/van-ban", "/images/banner-vanban.gif", "Hệ thống văn bản"),
]


@dataclass
class Context:
    """What a page needs besides the model."""

    portal: Portal
    today: date
    offsite_url: str
    related_box: bool = True  # False: article pages without "Các tin đã đăng" (postback only)
    redesign: bool = False  # True: the portal's redesigned article template (breakage test)


# --------------------------------------------------------------------------- small helpers


def _e(text: str) -> str:
    """Escape a text node; NBSP is written as the entity, like a Word paste into the CMS."""
    return escape(text, quote=False).replace("\xa0", "&nbsp;")


def _a(text: str) -> str:
    """Escape an attribute value."""
    return escape(text, quote=True)


def _served(article: Article | None, text: str) -> str:
    """The text as stored in the CMS database (NFD for ``nfd`` articles)."""
    if article is not None and article.nfd:
        return unicodedata.normalize("NFD", text)
    return text


def session_token(page_key: object) -> str:
    """A 24-character ASP.NET-style session id, derived from the page (changes per page)."""
    digest = hashlib.sha256(f"session:{page_key}".encode()).digest()
    alphabet = "abcdefghijklmnopqrstuvwxyz012345"
    return "".join(alphabet[b % 32] for b in digest[:24])


def viewstate(key: str, size: int = 720) -> str:
    seed = hashlib.sha256(f"vs:{key}".encode()).digest()
    raw = b"\xff\x01\x0f\x0f\x05\x0a" + (seed * (size // len(seed) + 1))[:size]
    return base64.b64encode(raw).decode("ascii")


def dmy(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def first_sentence(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    m = re.search(r"^(.+?[.!?])(\s|$)", text)
    s = m.group(1) if m else text
    if len(s) > limit:
        s = s[:limit].rsplit(" ", 1)[0] + "…"
    return s


# --------------------------------------------------------------------------- page chrome


def _header(ctx: Context) -> str:
    clock = format_date_text(ctx.today)
    return (
        '<div id="header">\n'
        '  <div class="logo"><a href="/Default.aspx"><img src="/images/logo.gif" alt="logo" '
        'border="0" /></a>\n'
        '  <span class="sitename">CỔNG THÔNG TIN ĐIỆN TỬ VĂN PHÒNG UBND TỈNH</span></div>\n'
        f'  <span id="ctl00_ucHeader_lblDate" class="date">{_e(clock)}</span>\n'
        '  <div class="search"><input name="ctl00$ucHeader$txtSearch" type="text" '
        'id="ctl00_ucHeader_txtSearch" class="txtsearch" /> <a id="ctl00_ucHeader_lnkSearch" '
        "href=\"javascript:__doPostBack('ctl00$ucHeader$lnkSearch','')\">Tìm kiếm</a></div>\n"
        "</div>\n"
    )


def _menu(ctx: Context) -> str:
    items = ['<li><a href="/Default.aspx">Trang chủ</a></li>']
    for cat in ctx.portal.categories:
        items.append(f'<li><a href="/Category.aspx?cat={cat.slug}">{_e(cat.name)}</a></li>')
    return '<div id="menu"><ul>\n' + "\n".join(items) + "\n</ul></div>\n"


def _leftcol() -> str:
    links = "\n".join(
        f'<li><a href="{_a(url)}" target="_blank">{_e(label)}</a></li>' for url, label in WEB_LINKS
    )
    banners = "\n".join(
        f'<div class="banner"><a href="{_a(url)}" target="_blank"><img src="{img}" '
        f'alt="{_a(alt)}" width="190" border="0" /></a></div>'
        for url, img, alt in BANNERS
    )
    return (
        '<td id="leftcol" valign="top" width="200">\n'
        '<div class="box"><div class="boxtitle">Liên kết website</div>\n'
        f'<ul class="weblinks">\n{links}\n</ul></div>\n{banners}\n</td>\n'
    )


def _rightcol(ctx: Context) -> str:
    p = ctx.portal
    items = []
    for aid in p.popular_ids:
        a = p.articles[aid]
        items.append(f'<li><a href="/newsdetail.aspx?ID={aid}">{_e(_served(a, a.title))}</a></li>')
    counter = 1234567 + p.epoch * 1021
    return (
        '<td id="rightcol" valign="top" width="220">\n'
        '<div class="box"><div class="boxtitle">Tin đọc nhiều</div>\n'
        '<ul class="popular">\n' + "\n".join(items) + "\n</ul></div>\n"
        '<div class="box counter"><span id="ctl00_ucCounter_lblCounter">'
        f"Lượt truy cập: {counter}</span></div>\n"
        f'<div class="box offsite"><a href="{_a(ctx.offsite_url)}/" target="_blank">'
        "Cổng thông tin Chính phủ</a></div>\n"
        "</td>\n"
    )


def _footer() -> str:
    return (
        '<div id="footer">\n'
        "<p>Cơ quan chủ quản: Văn phòng UBND tỉnh. "
        "Địa chỉ: Phường Hồng Hà, thành phố Hạ Long.</p>\n"
        "<p>Điện thoại: 0203.3835.208 - Fax: 0203.3835.470 - Email: vpubnd@example.invalid</p>\n"
        "<p>Ghi rõ nguồn &quot;Cổng thông tin điện tử Văn phòng UBND tỉnh&quot; khi phát hành "
        "lại thông tin từ website này.</p>\n"
        "<p>Bản quyền © 2008 Văn phòng UBND tỉnh. Thiết kế bởi Trung tâm Thông tin.</p>\n"
        "</div>\n"
    )


_POSTBACK_JS = """<script type="text/javascript">
//<![CDATA[
var theForm = document.forms['aspnetForm'];
if (!theForm) { theForm = document.aspnetForm; }
function __doPostBack(eventTarget, eventArgument) {
    if (!theForm.onsubmit || (theForm.onsubmit() != false)) {
        theForm.__EVENTTARGET.value = eventTarget;
        theForm.__EVENTARGUMENT.value = eventArgument;
        theForm.submit();
    }
}
//]]>
</script>
"""


#: The event target of the listing's "Xem tin tiếp theo..." postback link.
NEXT_TARGET = "ctl00$ContentPlaceHolder1$ctl00$lnkNext"


def listing_state(slug: str, page: int) -> str:
    """The __VIEWSTATE of a listing page: it carries the category and page, as WebForms does."""
    head = f"LIST|{slug}|{page}|".encode()
    return base64.b64encode(head + base64.b64decode(viewstate(f"{slug}{page}", 300))).decode()


def read_listing_state(value: str) -> tuple[str, int] | None:
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return None
    parts = raw.split(b"|", 3)
    if len(parts) < 4 or parts[0] != b"LIST" or not parts[2].isdigit():
        return None
    return parts[1].decode("ascii", "replace"), int(parts[2])


def _form_open(action: str, key: str, state: str | None = None) -> str:
    return (
        f'<form name="aspnetForm" method="post" action="{_a(action)}" id="aspnetForm">\n'
        "<div>\n"
        '<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />\n'
        '<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />\n'
        '<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" '
        f'value="{state or viewstate(key)}" />\n'
        "</div>\n" + _POSTBACK_JS
    )


def _form_close(key: str) -> str:
    return (
        '<div><input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" '
        f'value="{viewstate("ev" + key, 96)}" /></div>\n</form>\n'
    )


def _head(title: str) -> str:
    return (
        f'{DOCTYPE}\n<html xmlns="http://www.w3.org/1999/xhtml">\n<head id="ctl00_Head1">\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
        f"<title>{_e(title)} - {SITE}</title>\n"
        '<link href="/App_Themes/Default/style.css" type="text/css" rel="stylesheet" />\n'
        '<script type="text/javascript" src="/js/common.js"></script>\n'
        "</head>\n"
    )


def layout(ctx: Context, title: str, action: str, main: str, state: str | None = None) -> str:
    """Full page: header, menu, three-column table, footer, one aspnetForm."""
    key = action
    return (
        _head(title)
        + "<body>\n"
        + _form_open(action, key, state)
        + '<div id="wrapper">\n'
        + _header(ctx)
        + _menu(ctx)
        + '<table id="layout" width="1000" cellpadding="0" cellspacing="0" border="0"><tr>\n'
        + _leftcol()
        + f'<td id="maincol" valign="top">\n{main}</td>\n'
        + _rightcol(ctx)
        + "</tr></table>\n"
        + _footer()
        + "</div>\n"
        + _form_close(key)
        + "</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- article content


def _quirk(article: Article) -> int:
    """Per-article markup style: 0 plain, 1 &nbsp;, 2 inline tags, 3 spacer paragraphs."""
    return int(hashlib.md5(f"quirk:{article.id}".encode()).hexdigest(), 16) % 4


def _paragraph_html(article: Article, index: int, text: str, quirk: int, rng: Random) -> str:
    if article.nfd and index % 2 == 0:
        text = unicodedata.normalize("NFD", text)
    if quirk == 1:
        words = [_e(w) for w in text.split(" ")]
        out = words[0]
        for w in words[1:]:
            out += ("&nbsp;" if rng.random() < 0.12 else " ") + w
        inner = out
    elif quirk == 2 and index % 2 == 1:
        words = text.split(" ")
        if len(words) > 6:
            i = rng.randrange(0, len(words) - 4)
            j = i + rng.randint(2, 4)
            tag = rng.choice(["b", "i", "span"])
            open_tag = '<span style="font-size: 12pt;">' if tag == "span" else f"<{tag}>"
            pre = " ".join(words[:i]) + (" " if i else "")
            mid = " ".join(words[i:j])
            post = (" " if j < len(words) else "") + " ".join(words[j:])
            inner = _e(pre) + open_tag + _e(mid) + f"</{tag}>" + _e(post)
        else:
            inner = _e(text)
    elif quirk == 2 and index == 0:
        inner = f'<span style="font-family: arial, helvetica, sans-serif;">{_e(text)}</span>'
    else:
        inner = _e(text)
    return f'<p style="text-align: justify;">{inner}</p>'


def _image_html(image: Image) -> str:
    return (
        '<table class="image" align="center" width="500"><tr><td>'
        f'<img src="{_a(image.url)}" alt="{_a(image.caption)}" width="500" /></td></tr>'
        f'<tr><td class="caption"><em>{_e(image.caption_text)}</em></td></tr></table>'
    )


def content_html(ctx: Context, article: Article) -> str:
    """The inner HTML of the Content div: paragraphs, photos, attachments."""
    seed = article.id == ctx.portal.seed_id
    quirk = 3 if seed else _quirk(article)
    rng = Random(article.id)
    images: dict[int, list[Image]] = {}
    for after, image in article.images:
        images.setdefault(after, []).append(image)
    parts: list[str] = []
    spacer = '<p style="text-align: justify;">&nbsp;</p>'
    for i, text in enumerate(article.paragraphs):
        if quirk == 3 and i:
            parts.append(spacer)
        parts.append(_paragraph_html(article, i, text, quirk, rng))
        for image in images.get(i, []):
            if quirk == 3:
                parts.append(spacer)
            parts.append(_image_html(image))
    for att in article.attachments:
        parts.append(f'<p>File đính kèm: <a href="{_a(att.url)}">{_e(att.title)}</a></p>')
    return "\n".join(parts)


def older_items(portal: Portal, article: Article) -> list[tuple[int, Article | None, str, date]]:
    """The older-items box of ``article`` in every family: (id, the article or None for the
    dead link, title as served, date shown), newest first."""
    out = []
    for rid in article.related_ids:
        other = portal.articles.get(rid)
        if other is not None:
            out.append((rid, other, _served(other, other.title), other.published_date))
        elif rid == portal.dead_link_id:
            out.append((rid, None, portal.dead_link_title, portal.dead_link_date))
    return out


def _related_html(ctx: Context, article: Article) -> str:
    token = session_token(article.id)
    items = []
    for rid, _, title, when in older_items(ctx.portal, article):
        items.append(
            f'<li><a href="/NewsDetail.aspx?id={rid}&amp;sessionid={token}">{_e(title)}</a> '
            f'<span class="date">({dmy(when)})</span></li>'
        )
    return (
        '<div class="OtherNews"><div class="OtherNewsTitle">Các tin đã đăng</div><ul>\n'
        + "\n".join(items)
        + "\n</ul></div>\n"
    )


def render_article(ctx: Context, article: Article) -> str:
    p = ctx.portal
    cat = p.category(article.category_slug)
    cat_name = cat.name if cat else article.category_slug
    title = _served(article, article.title)
    summary = ""
    if article.summary:
        summary = f'<div class="Summary"><b>{_e(_served(article, article.summary))}</b></div>\n'
    aid = article.id
    main = (
        f'<div class="NewsDetail" id="{CP}_pnDetail">\n'
        f'<div class="CateName"><a href="/Category.aspx?cat={article.category_slug}">'
        f"{_e(cat_name)}</a></div>\n"
        f'<div class="DateTime"><span id="{CP}_lblDate">{_e(article.date_text)}</span></div>\n'
        f'<h1 class="Title"><span id="{CP}_lblTitle">{_e(title)}</span></h1>\n'
        + summary
        + (_redesigned_body(ctx, article) if ctx.redesign else
           f'<div class="Content" id="{CP}_lblContent">\n{content_html(ctx, article)}\n</div>\n'
           f'<div class="Author" id="{CP}_lblAuthor" align="right"><b>{_e(article.author)}</b>'
           '</div>\n'
           f'<div class="Source" align="right"><i>{_e(article.source)}</i></div>\n')
        + '<div class="Tools">'
        f'<a href="/Modules/Article/ArticlePrint.aspx?ArticleID={aid}" target="_blank">'
        '<img src="/images/print.gif" alt="print" /> print</a> '
        f'<a href="/Modules/SendMail/SendMail.aspx?ArticleID={aid}">'
        '<img src="/images/email.gif" alt="send mail" /> send mail</a></div>\n'
        + (_related_html(ctx, article) if ctx.related_box else "")
        + "</div>\n"
    )
    return layout(ctx, title, f"./NewsDetail.aspx?id={aid}", main)


def _redesigned_body(ctx: Context, article: Article) -> str:
    """The 2025 redesign of the article template: the text moved into a new panel and the
    author and source into one unmarked line at its end."""
    return (
        f'<div class="noi-dung-v2" id="{CP}_pnNoiDung">\n{content_html(ctx, article)}\n'
        f'<p style="text-align: right">{_e(article.author)} - {_e(article.source)}</p></div>\n'
    )


def render_print(ctx: Context, article: Article) -> str:
    title = _served(article, article.title)
    key = f"print{article.id}"
    return (
        _head(title)
        + '<body onload="window.print();">\n'
        + _form_open(f"./ArticlePrint.aspx?ArticleID={article.id}", key)
        + '<div class="PrintHeader"><a href="javascript:window.print();">In bài viết</a></div>\n'
        + '<div class="PrintPage">\n'
        + f'<div class="DateTime">{_e(article.date_text)}</div>\n'
        + f'<h1 class="Title">{_e(title)}</h1>\n'
        + f'<div class="Content">\n{content_html(ctx, article)}\n</div>\n'
        + f'<div class="Author" align="right"><b>{_e(article.author)}</b></div>\n'
        + "</div>\n"
        + _form_close(key)
        + "</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- listings, home


def _listing_item(article: Article) -> str:
    thumb = article.images[0][1].url if article.images else NO_IMAGE
    url = article.url_path
    lead = first_sentence(article.summary or article.paragraphs[0])
    return (
        f'<div class="NewsItem"><a href="{url}"><img class="thumb" src="{_a(thumb)}" '
        'width="120" /></a>'
        f'<a class="NewsTitle" href="{url}">{_e(_served(article, article.title))}</a> '
        f'<span class="NewsDate">({dmy(article.published_date)})</span>'
        f'<p class="NewsSummary">{_e(_served(article, lead))}</p></div>'
    )


def render_category(ctx: Context, slug: str, page: int) -> str | None:
    p = ctx.portal
    cat = p.category(slug)
    if cat is None:
        return None
    page = max(page, 1)
    items = p.listing_page(slug, page)
    body = "\n".join(_listing_item(a) for a in items) or '<p class="empty">Không có tin bài.</p>'
    shown = min(p.listing_depth, p.listing_pages(slug))
    pager = ""
    if shown > 1 or page < p.listing_pages(slug):
        links = []
        for n in range(1, shown + 1):
            if n == page:
                links.append(f'<span class="current">{n}</span>')
            else:
                links.append(f'<a href="/Category.aspx?cat={slug}&amp;page={n}">{n}</a>')
        more = ""
        if page < p.listing_pages(slug):
            more = (" <a id=\"ctl00_ContentPlaceHolder1_ctl00_lnkNext\" "
                    f"href=\"javascript:__doPostBack('{NEXT_TARGET}','')\">"
                    "Xem tin tiếp theo...</a>")
        pager = '<div class="Pager">Trang: ' + " ".join(links) + more + "</div>\n"
    main = (
        '<div class="ListNews">\n'
        f'<h2 class="CateTitle">{_e(cat.name)}</h2>\n{body}\n{pager}</div>\n'
    )
    action = f"./Category.aspx?cat={slug}" + (f"&page={page}" if page > 1 else "")
    return layout(ctx, cat.name, action, main, state=listing_state(slug, page))


def render_home(ctx: Context) -> str:
    p = ctx.portal
    newest = "\n".join(
        f'<li><a href="/NewsDetail.aspx?id={a.id}&amp;utm_source=trangchu&amp;utm_medium=tinmoi">'
        f"{_e(_served(a, a.title))}</a> <span class=\"date\">({dmy(a.published_date)})</span></li>"
        for a in p.newest_public(10)
    )
    featured = []
    for aid in p.featured_ids:
        a = p.articles[aid]
        thumb = a.images[0][1].url if a.images else NO_IMAGE
        featured.append(
            f'<div class="FeaturedItem"><a href="/NewsDetail.aspx/?id={aid}">'
            f'<img src="{_a(thumb)}" width="250" /></a>'
            f'<a class="FeaturedTitle" href="/NewsDetail.aspx/?id={aid}">'
            f"{_e(_served(a, a.title))}</a></div>"
        )
    boxes = []
    for cat in p.public_categories():
        lis = "\n".join(
            f'<li><a href="{a.url_path}">{_e(_served(a, a.title))}</a></li>'
            for a in p.category_articles(cat.slug)[:5]
        )
        boxes.append(
            f'<div class="CateBox"><h3 class="CateBoxTitle"><a href="{cat.url_path}">'
            f"{_e(cat.name)}</a></h3>\n<ul>\n{lis}\n</ul>\n"
            f'<a class="more" href="{cat.url_path}">Xem tiếp</a></div>'
        )
    main = (
        '<div class="HotNews"><div class="boxtitle">Tin nổi bật</div>\n'
        + "\n".join(featured)
        + "</div>\n"
        + '<div class="LatestNews"><div class="boxtitle">Tin mới</div><ul>\n'
        + newest
        + "\n</ul></div>\n"
        + "\n".join(boxes)
        + "\n"
    )
    return layout(ctx, "Trang chủ", "./Default.aspx", main)


# --------------------------------------------------------------------------- other pages


def render_not_found(ctx: Context) -> str:
    main = (
        '<div class="ErrorPage"><h2>Không tìm thấy trang yêu cầu</h2>\n'
        "<p>Trang bạn yêu cầu không tồn tại hoặc đã bị gỡ bỏ. (HTTP 404)</p>\n"
        '<p><a href="/Default.aspx">Quay về trang chủ</a></p></div>\n'
    )
    return layout(ctx, "Không tìm thấy trang yêu cầu", "./Error404.aspx", main)


def render_notice() -> str:
    return (
        f"{DOCTYPE}\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
        f"<title>Thông báo - {SITE}</title>\n</head>\n<body>\n"
        '<div style="text-align: center; margin-top: 80px;">\n'
        "<h2>Trang thông tin điện tử đã dừng hoạt động.</h2>\n"
        '<p>Mời truy cập <a href="https://example.invalid/">Cổng thông tin điện tử tỉnh mới</a>'
        ".</p>\n</div>\n</body>\n</html>\n"
    )


def render_sendmail(ctx: Context, article: Article | None) -> str:
    aid = article.id if article else 0
    title = _served(article, article.title) if article else ""
    key = f"mail{aid}"
    return (
        _head("Gửi bài viết cho bạn bè")
        + "<body>\n"
        + _form_open(f"./SendMail.aspx?ArticleID={aid}", key)
        + '<div class="SendMail"><h2>Gửi bài viết cho bạn bè</h2>\n'
        + f"<p>Bài viết: <b>{_e(title)}</b></p>\n"
        + '<table><tr><td>Họ tên:</td><td><input name="ctl00$txtName" type="text" /></td></tr>\n'
        + '<tr><td>Email người nhận:</td><td><input name="ctl00$txtTo" type="text" /></td></tr>\n'
        + '<tr><td>Lời nhắn:</td><td><textarea name="ctl00$txtMessage" rows="4" cols="40">'
        + "</textarea></td></tr>\n"
        + '<tr><td></td><td><input type="submit" name="ctl00$btnSend" value="Gửi" /></td></tr>'
        + "</table></div>\n"
        + _form_close(key)
        + "</body>\n</html>\n"
    )


def robots_txt() -> str:
    return "User-agent: *\nDisallow: /Category.aspx?cat=noi-bo\nDisallow: /Modules/SendMail/\n"


def render_offsite(path: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\" />"
        "<title>Cổng thông tin điện tử Chính phủ</title></head>\n<body>\n"
        "<h1>Cổng thông tin điện tử Chính phủ</h1>\n"
        f"<p>Trang ngoài phạm vi lưu trữ: {_e(path)}</p>\n</body></html>\n"
    )
