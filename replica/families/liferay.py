"""The replica portal as a Liferay 6.1 site with Vietsoftware vPortal (VCMS) portlets.

Same model (replica.model), Liferay URLs and markup (vn-portals.md section 1 B):

- ``/`` answers 302 to ``/web/guest/trang-chu``; category pages are friendly URLs made from the
  category name the way Liferay slugs them, losing "Đ" (``/web/guest/hoat-ong`` for "Hoạt
  động", ``/web/guest/xay-dung-ang``); the home page's menu carries ``;jsessionid=``.
- Articles: ``/web/guest/tin-tuc?p_p_id=vcmsviewcontent_WAR_VCMSportlet_INSTANCE_<12>&…
  &p_p_col_pos=<n>&p_p_col_count=<n>&_<ns>_articleId=<id>&_<ns>_categoryId=<n>``. Every box
  that links articles (home "Tin nổi bật", "Tin mới", each category box, listings, the article
  page's own lists, "Tin đọc nhiều") has its own INSTANCE id and column position, so one
  article is linked under several URLs. Any INSTANCE (or none) is accepted, but the
  ``articleId`` parameter must carry the namespace of ``p_p_id``, as a portlet only sees its
  own parameters; without it the page shows the newest items.
- Two article templates: the vPortal one (``view_article.jspf``: ``h2.wd-tlh1-2`` category,
  ``h3.wd-tlh3-4`` title, ``p.wd-date`` "Ngay dang: 5/04/2021", a bold lead, "Tài liệu đính
  kèm" + ``a.wd-download-pdf`` → ``/documents/<groupId>/<folderId>/<title>``, the body printed
  inside a ``<p>`` (so its paragraphs end up as siblings of the title and date), ``p.wd-actor``,
  "In bài viết" / "Quay lại", and "Các tin khác" ``ul.wd-other-news > li > a
  "Title&nbsp;<span>(5/04/2021)</span>"``) and, for the categories in ``EGOV_CATEGORIES``, the
  egov asset publisher one (``full_content.jsp``: portlet title = category, date "Thứ Ba, ngày
  20/04/2021 08:30 | GMT +7", and ``related_assets.jspf`` split into "Tin mới hơn" (the 3 next
  newer items of the category) and "Tin cũ hơn" (``related_ids``), both ``li > a`` + ``span.
  publish_date "(20/04)"`` with no year). Articles with a time use the egov date line in both.
- Listings: 10 items, "Các tin khác" (the next 5), ``p.sum-page`` "Tổng số N bài / M trang"
  (numeric entities), a ``ul.yiiPager`` whose links (``_<ns>_cur=N&_<ns>_delta=10``) reach
  pages 1..``listing_depth`` only, and a JS-only "Xem tiếp" (``href="#"`` + ``onclick=
  "self.location='…pagenum=N'"``) to the next page; deeper pages answer when asked.
- Print view ``/html/portlet/print_article.jsp?printArticleId=<id>`` written with HTML numeric
  entities (``C&#7893;ng …``); chrome: the skip link "Truy cập nội dung luôn", a header clock
  (today, egov weekday style), ``/c/portal/login`` (robots-disallowed), the footer "Ghi rõ
  nguồn Cổng thông tin điện tử … khi trích dẫn".

Standard library only; imports nothing from ``crawler/``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date
from random import Random
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from replica.model import PUBLIC_CATEGORIES, WEEKDAYS_CAP, Article, Attachment, Image, Portal
from replica.server import TINY_GIF, Response, make_pdf, photo
from replica.templates import Context, _e, _served, first_sentence, older_items, render_notice

HTML = "text/html; charset=utf-8"
SITE = "Cổng thông tin điện tử Văn phòng UBND tỉnh"
PORTLET = "vcmsviewcontent_WAR_VCMSportlet"  # article view (and the tin-tuc page's list)
LIST_PORTLET = "vcmsviewcategory_WAR_VCMSportlet"  # category listing
HOT_PORTLET = "vcmshotnews_WAR_VCMSportlet"
GROUP_ID = 10180
PLID = 10452
HOME = "/web/guest/trang-chu"
ARTICLE_PAGE = "/web/guest/tin-tuc"
PRINT_PATH = "/html/portlet/print_article.jsp"
#: Categories shown with the egov asset publisher template ("Tin mới hơn" / "Tin cũ hơn").
EGOV_CATEGORIES = frozenset({"hoat-dong", "phong-chong-thien-tai"})
NEWER_ITEMS = 3
OTHER_ITEMS = 5  # "Các tin khác" under a listing: the items of the next page
HEADERS = {"Liferay-Portal": "Liferay Portal Community Edition 6.1.1 CE GA2 "
                             "(Paton / Build 6101 / July 31, 2012)"}
WEB_LINKS = [
    ("https://example.invalid/chinh-phu", "Cổng TTĐT Chính phủ"),
    ("https://example.invalid/cong-ttdt-tinh", "Cổng TTĐT tỉnh"),
    ("https://example.invalid/dich-vu-cong", "Cổng dịch vụ công tỉnh"),
    ("https://example.invalid/cong-bao", "Công báo tỉnh"),
]
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


# --------------------------------------------------------------------------- identifiers


def friendly_url(name: str) -> str:
    """Liferay's friendly URL for a page name; it drops "Đ" instead of folding it to "d".

    >>> friendly_url("Xây dựng Đảng")
    'xay-dung-ang'
    """
    text = unicodedata.normalize("NFD", name.replace("Đ", "").replace("đ", "").lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def instance_id(key: str) -> str:
    """The 12-character INSTANCE id of the portlet placed for ``key``."""
    digest = hashlib.sha256(f"liferay-instance:{key}".encode()).digest()
    return "".join(_ALNUM[b % len(_ALNUM)] for b in digest[:12])


def category_id(portal: Portal, slug: str) -> str:
    """VCMS category ids are timestamp-like strings."""
    index = next(i for i, c in enumerate(portal.categories) if c.slug == slug)
    return str(1263370486843 + 7919 * index)


def category_path(portal: Portal, slug: str) -> str:
    cat = portal.category(slug)
    return "/web/guest/" + friendly_url(cat.name if cat else slug)


#: Where each box that links articles sits: (column, position, portlets in the column).
_BOXES: dict[str, tuple[str, int, int]] = {
    "featured": ("column-1", 0, 2),
    "latest": ("column-1", 1, 2),
    "article": ("column-1", 0, 1),
    "hot": ("column-2", 0, 3),
}


def _box(box: str) -> tuple[str, int, int]:
    if box in _BOXES:
        return _BOXES[box]
    if box.startswith("home-"):  # category boxes of the home page, column 2
        slugs = [slug for slug, _, _ in PUBLIC_CATEGORIES]
        slug = box.removeprefix("home-")
        return "column-2", 1 + (slugs.index(slug) if slug in slugs else 0), 1 + len(slugs)
    return "column-1", 0, 1  # a listing page's portlet


def article_href(portal: Portal, aid: int, slug: str, box: str) -> str:
    """An article link as the portlet of ``box`` writes it (raw, not HTML-escaped)."""
    col, pos, count = _box(box)
    pid = f"{PORTLET}_INSTANCE_{instance_id(box)}"
    ns = f"_{pid}_"
    params = [("p_p_id", pid), ("p_p_lifecycle", "0"), ("p_p_state", "normal"),
              ("p_p_mode", "view"), ("p_p_col_id", col), ("p_p_col_pos", str(pos)),
              ("p_p_col_count", str(count))]
    if box == "article":  # the article view links with its jspPage, like view_article.jspf
        params.append((ns + "jspPage", "/html/portlet/vcmsviewcontent/view.jsp"))
    params += [(ns + "articleId", str(aid)), (ns + "categoryId", category_id(portal, slug))]
    return ARTICLE_PAGE + "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params)


def listing_href(portal: Portal, slug: str, page: int, *, js: bool = False) -> str:
    """A listing page: the bare page for page 1, else the pager's ``_cur`` URL (or, ``js``,
    the vPortal ``pagenum`` URL only reachable through ``onclick``)."""
    path = category_path(portal, slug)
    if page <= 1 and not js:
        return path
    pid = f"{LIST_PORTLET}_INSTANCE_{instance_id('list-' + slug)}"
    ns = f"_{pid}_"
    params = [("p_p_id", pid), ("p_p_lifecycle", "0"), ("p_p_state", "normal"),
              ("p_p_mode", "view"), ("p_p_col_id", "column-1"), ("p_p_col_count", "1")]
    if js:
        params += [(ns + "jspPage", "/html/portlet/vcmsviewcontent/view.jsp"),
                   (ns + "pagenum", str(page))]
    else:
        params += [(ns + "cur", str(page)), (ns + "delta", str(portal.page_size))]
    return path + "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params)


def print_href(aid: int) -> str:
    return f"{PRINT_PATH}?printArticleId={aid}"


def image_path(image: Image) -> str:
    """``/Uploads/Images/2021/4/x.jpg`` lives in the document library as
    ``/documents/<groupId>/<folderId>/x.jpg``."""
    m = re.search(r"/(\d{4})/(\d{1,2})/([^/]+)$", image.url)
    folder = f"{m.group(1)}{int(m.group(2)):02d}" if m else "0"
    name = m.group(3) if m else image.url.rsplit("/", 1)[-1]
    return f"/documents/{GROUP_ID}/{folder}/{name}"


def attachment_path(att: Attachment) -> str:
    """``/documents/<groupId>/<folderId>/<title>``: the file's title, percent-encoded."""
    folder = 21705 + int(hashlib.md5(att.url.encode()).hexdigest(), 16) % 900
    title = att.title.replace("/", "-") + ".pdf"
    return f"/documents/{GROUP_ID}/{folder}/{quote(title, safe='')}"


def _a(url: str) -> str:
    return url.replace("&", "&amp;").replace('"', "&quot;")


# --------------------------------------------------------------------------- dates


def vportal_date(d: date) -> str:
    """``ActionUtil.dateParser``: the month padded, the day not ("5/04/2021")."""
    return f"{d.day}/{d.month:02d}/{d.year}"


def egov_weekday(d: date) -> str:
    """The egov template's weekday names ("Thứ Bẩy", "Chủ Nhật")."""
    wd = d.weekday()
    return "Thứ Bẩy" if wd == 5 else WEEKDAYS_CAP[wd]


def date_line(portal: Portal, article: Article) -> str:
    """The date line under the title, as this family shows it for ``article``."""
    d = article.published_date
    if article.category_slug in EGOV_CATEGORIES or article.has_time:
        line = f"{egov_weekday(d)}, ngày {d.day:02d}/{d.month:02d}/{d.year}"
        if article.has_time:
            p = article.published
            line += f" {p.hour:02d}:{p.minute:02d} | GMT +7"  # type: ignore[union-attr]
        return line
    return f"Ngay dang: {vportal_date(d)}"


def header_clock(today: date) -> str:
    return f"{egov_weekday(today)}, ngày {today.day:02d}/{today.month:02d}/{today.year}"


# --------------------------------------------------------------------------- chrome


def _head(title: str) -> str:
    theme = "vpubndtheme_WAR_vpubndtheme"
    return (
        '<!DOCTYPE html>\n<html class="ltr" dir="ltr" lang="vi-VN">\n<head>\n'
        f"<title>{_e(title)} - {SITE}</title>\n"
        '<meta content="text/html; charset=UTF-8" http-equiv="content-type" />\n'
        f'<link href="/html/themes/vpubnd-theme/images/favicon.ico" rel="Shortcut Icon" />\n'
        '<link class="lfr-css-file" href="/html/themes/vpubnd-theme/css/main.css?'
        f'browserId=other&amp;themeId={theme}&amp;languageId=vi_VN&amp;b=6101&amp;'
        't=1352951310000" rel="stylesheet" type="text/css" />\n'
        '<script src="/html/js/barebone.jsp?browserId=other&amp;minifierType=js&amp;'
        'languageId=vi_VN&amp;b=6101&amp;t=1352951310000" type="text/javascript"></script>\n'
        '<script type="text/javascript">\n'
        "var themeDisplay = {getCompanyId: function() {return \"10154\";},"
        f" getPlid: function() {{return \"{PLID}\";}}, getPathMain: function() "
        "{return \"/c\";}, getScopeGroupId: function() {return \"" + str(GROUP_ID) + "\";},"
        " getLanguageId: function() {return \"vi_VN\";}, isSignedIn: function() "
        "{return false;}};\nfunction expandingWindow(u){window.open(u,'print',"
        "'width=760,height=600,scrollbars=yes');}\n</script>\n</head>\n"
    )


def _header(ctx: Context, first_visit: bool) -> str:
    p = ctx.portal
    token = hashlib.md5(f"jsession:{ctx.today}".encode()).hexdigest().upper()
    jsession = f";jsessionid={token}" if first_visit else ""
    items = [f'<li><a href="{HOME}"><span>Trang chủ</span></a></li>']
    for cat in p.categories:
        items.append(f'<li><a href="{category_path(p, cat.slug)}{jsession}">'
                     f"<span>{_e(cat.name)}</span></a></li>")
    lang = f"/c/portal/update_language?p_l_id={PLID}&redirect=%2Fweb%2Fguest%2Ftrang-chu&" \
           "languageId=en_US"
    return (
        '<header id="banner" role="banner">\n'
        f'<div class="top-bar"><span class="date-time">{header_clock(ctx.today)}</span>\n'
        f'<span class="user-links"><a href="/c/portal/login?p_l_id={PLID}" rel="nofollow">'
        f'Đăng nhập</a> | <a href="{_a(lang)}">English</a></span></div>\n'
        f'<div id="heading"><h1 class="site-title"><a class="logo" href="{HOME}" '
        f'title="Về trang chủ {SITE}"><img alt="" src="/image/company_logo?img_id=10195&amp;'
        't=1352951310000" /></a> <span class="site-name">CỔNG THÔNG TIN ĐIỆN TỬ VĂN PHÒNG '
        "UBND TỈNH</span></h1></div>\n"
        '<form class="search" action="/web/guest/tim-kiem" method="get">'
        '<input name="keywords" type="text" title="Tìm kiếm" /> '
        '<input type="submit" value="Tìm kiếm" /></form>\n'
        "</header>\n"
        '<nav class="sort-pages modify-pages" id="navigation"><ul>\n'
        + "\n".join(items) + "\n</ul></nav>\n"
    )


def _footer() -> str:
    return (
        '<footer id="footer" role="contentinfo">\n'
        "<p>Cơ quan chủ quản: Văn phòng UBND tỉnh. Địa chỉ: Phường Hồng Hà, thành phố Hạ Long."
        "</p>\n<p>Điện thoại: 0203.3835.208 - Email: vpubnd@example.invalid</p>\n"
        "<p>Ghi rõ nguồn Cổng thông tin điện tử Văn phòng UBND tỉnh khi trích dẫn lại thông "
        "tin từ website này.</p>\n"
        '<p class="powered-by">Powered By <a href="https://example.invalid/liferay" '
        'rel="external">Liferay</a></p>\n</footer>\n'
    )


def _portlet(name: str, key: str | None, body: str, title: str | None = None) -> str:
    """A portlet in Liferay's wrapper; ``title`` gives it the decorated (titled) look."""
    pid = f"{name}_INSTANCE_{instance_id(key)}" if key else name
    if title is None:
        inner = f'<div class="portlet-borderless-container"><div class="portlet-body">\n{body}' \
                "\n</div></div>"
        extra = " portlet-borderless"
    else:
        inner = (
            f'<section class="portlet" id="portlet_{pid}">\n<header class="portlet-topper">'
            f'<h1 class="portlet-title"><span class="portlet-title-text">{_e(title)}</span>'
            '</h1></header>\n<div class="portlet-content"><div class="portlet-content-container">'
            f'<div class="portlet-body">\n{body}\n</div></div></div>\n</section>'
        )
        extra = ""
    return (
        f'<div class="portlet-boundary portlet-boundary_{name}_ portlet-static '
        f'portlet-static-end{extra}" id="p_p_id_{pid}_">\n<span id="p_{pid}"></span>\n'
        f"{inner}\n</div>\n"
    )


def _sidebar(ctx: Context) -> str:
    p = ctx.portal
    hot = "\n".join(
        f'<li><a href="{_a(article_href(p, aid, p.articles[aid].category_slug, "hot"))}">'
        f"{_e(_served(p.articles[aid], p.articles[aid].title))}</a></li>"
        for aid in p.popular_ids
    )
    links = "\n".join(f'<li><a href="{url}" target="_blank">{_e(label)}</a></li>'
                      for url, label in WEB_LINKS)
    counter = 1234567 + p.epoch * 1021
    return (
        _portlet(HOT_PORTLET, "hot", f'<ul class="wd-hot-news">\n{hot}\n</ul>', "Tin đọc nhiều")
        + _portlet("weblinks_WAR_VCMSportlet", "links",
                   f'<ul class="wd-web-links">\n{links}\n<li><a href="{ctx.offsite_url}/" '
                   'target="_blank">Cổng thông tin điện tử Chính phủ</a></li>\n</ul>',
                   "Liên kết website")
        + _portlet("vcounter_WAR_VCMSportlet", None,
                   f'<div class="wd-counter">Lượt truy cập: {counter}</div>')
    )


def _page(ctx: Context, title: str, main: str, side: str, *, first_visit: bool = False) -> str:
    return (
        _head(title)
        + '<body class="yui3-skin-sam controls-visible guest-site signed-out public-page site">'
        + '\n<a href="#main-content" id="skip-to-content">Truy cập nội dung luôn</a>\n'
        + '<div class="container-fluid" id="wrapper">\n'
        + _header(ctx, first_visit)
        + '<div id="content">\n<div class="columns-2" id="main-content" role="main">\n'
        + '<div class="portlet-layout">\n'
        + f'<div class="portlet-column portlet-column-first" id="column-1">\n{main}</div>\n'
        + f'<div class="portlet-column portlet-column-last" id="column-2">\n{side}</div>\n'
        + "</div>\n</div>\n</div>\n"
        + _footer()
        + "</div>\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- article body


def _paragraph(article: Article, index: int, text: str, quirk: int, rng: Random) -> str:
    if article.nfd and index % 2 == 0:
        text = unicodedata.normalize("NFD", text)
    words = text.split(" ")
    if quirk == 1:  # pasted from Word: some spaces are &nbsp;
        inner = _e(words[0]) + "".join(
            ("&nbsp;" if rng.random() < 0.15 else " ") + _e(w) for w in words[1:])
    elif quirk == 2 and len(words) > 6:  # inline formatting from the editor
        i = rng.randrange(0, len(words) - 4)
        j = i + rng.randint(2, 4)
        tag = rng.choice(["strong", "em", "span"])
        opening = '<span style="font-size: 13pt;">' if tag == "span" else f"<{tag}>"
        pre = " ".join(words[:i]) + (" " if i else "")
        post = (" " if j < len(words) else "") + " ".join(words[j:])
        inner = _e(pre) + opening + _e(" ".join(words[i:j])) + f"</{tag}>" + _e(post)
    else:
        inner = _e(text)
    return f'<p style="text-align: justify;">{inner}</p>'


def _image(image: Image) -> str:
    return (
        '<table align="center" border="0" cellpadding="3" cellspacing="0" class="wd-image" '
        'width="500"><tbody><tr><td><img alt="" src="' + image_path(image) + '" '
        'style="width: 500px;" /></td></tr>'
        f'<tr><td class="image-caption"><em>{_e(image.caption_text)}</em></td></tr>'
        "</tbody></table>"
    )


def body_html(article: Article) -> str:
    """Paragraphs and photos as the rich-text editor stored them."""
    quirk = int(hashlib.md5(f"liferay-quirk:{article.id}".encode()).hexdigest(), 16) % 3
    rng = Random(article.id)
    images: dict[int, list[Image]] = {}
    for after, image in article.images:
        images.setdefault(after, []).append(image)
    parts = []
    for i, text in enumerate(article.paragraphs):
        parts.append(_paragraph(article, i, text, quirk, rng))
        parts.extend(_image(image) for image in images.get(i, []))
    return "\n".join(parts)


def _attachments(article: Article) -> str:
    if not article.attachments:
        return ""
    links = " ".join(f'<a class="wd-download-pdf" href="{attachment_path(att)}">'
                     f"{_e(att.title)}</a>" for att in article.attachments)
    return (
        '<div><b style="display: block; margin-bottom: -5px;">T&#224;i li&#7879;u '
        f"&#273;&#237;nh k&#232;m</b>&nbsp;&nbsp;\n{links}\n</div>\n"
    )


def _tools(aid: int) -> str:
    return (
        '<div class="wd-bortop"><ul class="wd-outside-support">'
        f'<li><a class="wd-print" href="{print_href(aid)}" onclick="expandingWindow(this.href);'
        'return false;">&nbsp;In bài viết</a></li>'
        '<li><a class="wd-back" href="javascript:history.go(-1);">&nbsp;Quay lại</a></li>'
        "</ul></div>\n"
    )


def _older(portal: Portal, article: Article) -> list[tuple[int, str, date]]:
    """(id, title as served, date) of the "older items": ``related_ids``, dead link included."""
    return [(rid, title, when) for rid, _, title, when in older_items(portal, article)]


def _newer(portal: Portal, article: Article) -> list[Article]:
    """The ``NEWER_ITEMS`` next newer articles of the same category, newest first."""
    newer = [a for a in portal.category_articles(article.category_slug) if a.id > article.id]
    return newer[-NEWER_ITEMS:]


def render_vportal(ctx: Context, article: Article) -> str:
    """``view_article.jspf``: the body is printed inside a ``<p>``."""
    p = ctx.portal
    cat = p.category(article.category_slug)
    others = "\n".join(
        f'<li>\n<a href="{_a(article_href(p, rid, article.category_slug, "article"))}">'
        f"{_e(title)}&nbsp;<span>({vportal_date(d)})</span></a>\n</li>"
        for rid, title, d in _older(p, article)
    )
    lead = _e(_served(article, article.summary)) if article.summary else ""
    body = (
        '<form action="" method="post" name="_vcmsviewcontent_fm" enctype="multipart/form-data">'
        '\n<input type="hidden" name="_vcmsviewcontent_cmd" value="add" />\n'
        '<div class="wd-boxs">\n'
        f'<h2 class="wd-tlh1-2">{_e(cat.name if cat else "")}</h2>\n'
        '<div class="wd-introduction">\n'
        f'<h3 class="wd-tlh3-4"><a href="#">{_e(_served(article, article.title))} </a></h3>\n'
        f'<p class="wd-date">{_e(date_line(p, article))}</p>\n'
        f'<p style="font-weight:bold;color:#393939;"> {lead} </p>\n'
        + _attachments(article)
        + f"<p>{body_html(article)}</p>\n"
        f'<p class="wd-actor">{_e(article.author)}</p>\n'
        f'<p class="wd-source">Nguồn: {_e(article.source)}</p>\n'
        + _tools(article.id)
        + '<h3 class="wd-tlh3-3">Các tin khác</h3>\n'
        f'<ul class="wd-other-news">\n{others}\n</ul>\n'
        "</div>\n"
        f'<div class="wd-rss"><a href="{category_path(p, article.category_slug)}" '
        'class="link-read-more">Xem tiếp</a></div>\n'
        "</div>\n</form>"
    )
    return _page(ctx, article.title, _portlet(PORTLET, "article", body), _sidebar(ctx))


def _related_list(portal: Portal, slug: str, items: list[tuple[int, str, date]],
                  css: str, heading: str) -> str:
    if not items:
        return ""
    lis = "\n".join(
        f'<li>\n<a href="{_a(article_href(portal, rid, slug, "article"))}">{_e(title)}</a>\n'
        f'<span class="publish_date">({d.day:02d}/{d.month:02d})</span>\n</li>'
        for rid, title, d in items
    )
    return (
        f'<div class="{css}">\n<span class="related_asset_title">{heading}</span>\n'
        f'<div class="related_asset_list">\n<ul>\n{lis}\n</ul>\n</div>\n</div>\n'
    )


def render_egov(ctx: Context, article: Article) -> str:
    """The egov suite's ``full_content.jsp`` with ``related_assets.jspf``."""
    p = ctx.portal
    cat = p.category(article.category_slug)
    summary = ""
    if article.summary:
        summary = (
            '<div class="asset-abstract">\n<div class="assetdesc"><span class="assetdesc-text">'
            f"{_e(_served(article, article.summary))}</span></div>\n</div>\n"
            '<div style="clear: both;"></div>\n'
        )
    newer = [(a.id, _served(a, a.title), a.published_date) for a in _newer(p, article)]
    views = 100 + article.id % 900
    body = (
        '<div class="asset_publisher_view_full_content">\n'
        f'<div class="asset_title">\n<span>{_e(_served(article, article.title))}</span>\n</div>\n'
        '<div class="social-panel">\n<div class="asset-publish-date">\n'
        f"<span>{_e(date_line(p, article))}</span>\n</div>\n"
        '<div class="social-icon"><span class="mail_icon"><a href="javascript:sendMail();">'
        '<img alt="" src="/html/portlet/asset_publisher/images/email.png" /> Email</a></span>'
        ' <a href="javascript:void(0)" id="decreaseText"> <b>A</b> <sup>-</sup></a>'
        ' <a href="javascript:void(0)" id="increaseText"> <b>A</b> <sup>+</sup></a></div>\n'
        "</div>\n"
        + summary
        + '<div class="asset-full-content show-asset-title">\n<div class="asset-content">\n'
        f'<div class="journal-content-article">\n{body_html(article)}\n</div>\n'
        f'<div class="article-author" style="text-align: right;"><strong>{_e(article.author)}'
        "</strong></div>\n"
        f'<div class="article-source" style="text-align: right;"><em>Nguồn: '
        f"{_e(article.source)}</em></div>\n"
        + _attachments(article)
        + _tools(article.id)
        + "<br />\n</div>\n"
        f'<div class="asset-metadata"><span class="metadata-entry metadata-view-count">'
        f"Lượt xem: {views}</span></div>\n</div>\n"
        '<div class="final-separator"><!-- --></div>\n'
        '<div class="related_asset">\n'
        + _related_list(p, article.category_slug, newer, "newer_related_asset", "Tin mới hơn")
        + _related_list(p, article.category_slug, _older(p, article), "older_related_asset",
                        "Tin cũ hơn")
        + "</div>\n</div>"
    )
    main = _portlet(PORTLET, "article", body, cat.name if cat else "")
    return _page(ctx, article.title, main, _sidebar(ctx))


def render_article(ctx: Context, article: Article) -> str:
    if article.category_slug in EGOV_CATEGORIES:
        return render_egov(ctx, article)
    return render_vportal(ctx, article)


def render_print(ctx: Context, article: Article) -> str:
    """``print_article.jsp``: every non-ASCII character written as a numeric entity."""
    p = ctx.portal
    lead = _e(_served(article, article.summary)) if article.summary else ""
    page = (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n'
        f"<title>In bài viết - {_e(_served(article, article.title))}</title>\n</head>\n"
        '<body onload="window.print();">\n<div class="wd-print-article">\n'
        f'<div class="wd-print-header">{SITE.upper()}</div>\n'
        '<div class="wd-introduction">\n'
        f'<h3 class="wd-tlh3-4">{_e(_served(article, article.title))}</h3>\n'
        f'<p class="wd-date">{_e(date_line(p, article))}</p>\n'
        f'<p style="font-weight:bold;"> {lead} </p>\n'
        f"<p>{body_html(article)}</p>\n"
        f'<p class="wd-actor">{_e(article.author)}</p>\n'
        "</div>\n"
        '<div class="wd-print-footer">Cổng Giao tiếp điện tử Văn phòng UBND tỉnh. Ghi rõ nguồn '
        f"{SITE} khi trích dẫn.</div>\n"
        "</div>\n</body>\n</html>\n"
    )
    return page.encode("ascii", "xmlcharrefreplace").decode("ascii")


# --------------------------------------------------------------------------- listings, home


def _thumb(article: Article) -> str:
    if article.images:
        return image_path(article.images[0][1])
    return "/html/themes/vpubnd-theme/images/no-image.gif"


def render_listing(ctx: Context, slug: str, page: int) -> str:
    """``view_category.jspf`` with a Liferay ``_cur`` pager (pages 1..listing_depth)."""
    p = ctx.portal
    cat = p.category(slug)
    name = cat.name if cat else slug
    page = max(page, 1)
    box = "list-" + slug
    items = []
    for a in p.listing_page(slug, page):
        href = _a(article_href(p, a.id, slug, box))
        lead = first_sentence(a.summary or a.paragraphs[0])
        items.append(
            '<li>\n<div class="wd-intro-content">\n'
            f'<h3 class="wd-tlh3-2"><a class="text-link" href="{href}">'
            f"{_e(_served(a, a.title))}</a></h3>\n"
            f'<div class="wd-image wd-image-two"><a href="{href}"><img height="160px" '
            f'width="95%" alt="" src="{_thumb(a)}" /></a></div>\n'
            f"<p>{_e(_served(a, lead))}</p>\n</div>\n</li>"
        )
    start = page * p.page_size
    following = p.category_articles(slug)[start:start + OTHER_ITEMS]
    others = ""
    if following:
        others = '<h3 class="wd-tlh3-3">Các tin khác</h3>\n<ul class="wd-other-news">\n' + (
            "\n".join(
                f'<li><a href="{_a(article_href(p, a.id, slug, box))}">'
                f"{_e(_served(a, a.title))}</a>&nbsp;<span>({vportal_date(a.published_date)})"
                "</span></li>" for a in following)
        ) + "\n</ul>\n"
    total = len(p.category_articles(slug))
    pages = p.listing_pages(slug)
    shown = min(p.listing_depth, pages)
    paging = ""
    if pages > 1:
        lis = []
        if 1 < page <= shown:
            lis.append(f'<li class="first"><a href="{_a(listing_href(p, slug, 1))}">'
                       "&lt;&lt;</a></li>")
            lis.append(f'<li class="previous"><a href="{_a(listing_href(p, slug, page - 1))}">'
                       "&lt;</a></li>")
        for n in range(1, shown + 1):
            href = _a(listing_href(p, slug, n))
            if n == page:
                lis.append(f'<li class="page selected"><a class="current" href="{href}">{n}'
                           "</a></li>")
            else:
                lis.append(f'<li class="page"><a href="{href}">{n}</a></li>')
        if page < shown:
            lis.append(f'<li class="next"><a href="{_a(listing_href(p, slug, page + 1))}">'
                       "&gt;</a></li>")
        more = ""
        if page < pages:
            js = _a(listing_href(p, slug, page + 1, js=True))
            more = (f'<a href="#" class="link-read-more" onclick="self.location=\'{js}\';">'
                    "Xem tiếp</a>\n")
        paging = (
            '<div class="wd-paging">\n'
            f'<p class="sum-page">T&#7893;ng s&#7889; {total} b&#224;i / {pages} trang</p>\n'
            "<span>Trang:</span>\n"
            '<ul class="yiiPager">\n' + "\n".join(lis) + "\n</ul>\n" + more + "</div>\n"
        )
    body = (
        '<div class="wd-main-content">\n<div class="wd-boxs">\n'
        f'<h2 class="wd-tlh1-2">{_e(name)}</h2>\n<div class="r-menu"></div>\n'
        '<div class="wd-introduction">\n<ul class="wd-communication">\n'
        + "\n".join(items) + "\n</ul>\n" + others + "</div>\n" + paging
        + "</div>\n</div>"
    )
    return _page(ctx, name, _portlet(LIST_PORTLET, box, body), _sidebar(ctx))


def render_news_page(ctx: Context) -> str:
    """``/web/guest/tin-tuc`` without an article for its portlet: the newest items."""
    p = ctx.portal
    lis = "\n".join(
        f'<li><a href="{_a(article_href(p, a.id, a.category_slug, "latest"))}">'
        f"{_e(_served(a, a.title))}</a> <span class=\"date\">(Ngày đăng: "
        f"{vportal_date(a.published_date)})</span></li>"
        for a in p.newest_public(10)
    )
    body = (f'<div class="wd-boxs">\n<h2 class="wd-tlh1-2">Tin tức</h2>\n'
            f'<ul class="wd-latest-news">\n{lis}\n</ul>\n</div>')
    return _page(ctx, "Tin tức", _portlet(PORTLET, "article", body), _sidebar(ctx))


def render_home(ctx: Context) -> str:
    p = ctx.portal
    featured = []
    for aid in p.featured_ids:
        a = p.articles[aid]
        href = _a(article_href(p, aid, a.category_slug, "featured"))
        featured.append(
            f'<div class="wd-intro-content"><div class="wd-image"><a href="{href}">'
            f'<img alt="" src="{_thumb(a)}" width="300" /></a></div>'
            f'<h3 class="wd-tlh3-2"><a class="text-link" href="{href}">'
            f"{_e(_served(a, a.title))}</a></h3>"
            f"<p>{_e(_served(a, first_sentence(a.summary or a.paragraphs[0])))}</p></div>"
        )
    latest = "\n".join(
        f'<li><a href="{_a(article_href(p, a.id, a.category_slug, "latest"))}">'
        f"{_e(_served(a, a.title))}</a> <span class=\"date\">(Ngày đăng: "
        f"{vportal_date(a.published_date)})</span></li>"
        for a in p.newest_public(10)
    )
    main = (
        _portlet(PORTLET, "featured",
                 '<div class="wd-boxs wd-hot">\n<h2 class="wd-tlh1-2">Tin nổi bật</h2>\n'
                 + "\n".join(featured) + "\n</div>")
        + _portlet(PORTLET, "latest",
                   '<div class="wd-boxs">\n<h2 class="wd-tlh1-2">Tin mới</h2>\n'
                   f'<ul class="wd-latest-news">\n{latest}\n</ul>\n</div>')
    )
    for cat in p.public_categories():
        box = "home-" + cat.slug
        path = category_path(p, cat.slug)
        lis = "\n".join(
            f'<li><a href="{_a(article_href(p, a.id, cat.slug, box))}">'
            f"{_e(_served(a, a.title))}</a></li>"
            for a in p.category_articles(cat.slug)[:5]
        )
        main += _portlet(
            "vcmsviewcategory_WAR_VCMSportlet", box,
            f'<div class="wd-boxs">\n<h2 class="wd-tlh1-2"><a href="{path}">{_e(cat.name)}</a>'
            f'</h2>\n<ul class="wd-cat-news">\n{lis}\n</ul>\n'
            f'<div class="wd-rss"><a href="{path}" class="link-read-more">Xem tiếp</a></div>\n'
            "</div>",
        )
    return _page(ctx, "Trang chủ", main, _sidebar(ctx), first_visit=True)


def render_not_found(ctx: Context) -> str:
    body = ('<div class="portlet-msg-error">Không tìm thấy tài nguyên được yêu cầu.</div>\n'
            f'<p><a href="{HOME}">Về trang chủ</a></p>')
    return _page(ctx, "Không tìm thấy trang", _portlet("status", None, body), _sidebar(ctx))


def render_login(ctx: Context) -> str:
    body = ('<form action="/c/portal/login" method="post"><label>Tên đăng nhập <input '
            'name="_58_login" type="text" /></label> <label>Mật khẩu <input name="_58_password" '
            'type="password" /></label> <input type="submit" value="Đăng nhập" /></form>')
    return _page(ctx, "Đăng nhập", _portlet("58", None, body, "Đăng nhập"), _sidebar(ctx))


def robots_txt(portal: Portal) -> str:
    private = "".join(f"Disallow: {category_path(portal, c.slug)}\n"
                      for c in portal.categories if not c.public)
    return "User-agent: *\nDisallow: /c/\nDisallow: /group/\n" + private


# --------------------------------------------------------------------------- routing


def _article_id(query: list[tuple[str, str]]) -> int | None:
    """The ``articleId`` a request gives the article portlet: only a parameter in the
    namespace of ``p_p_id`` reaches it."""
    pid = next((v for k, v in query if k == "p_p_id"), "")
    if not pid.startswith(PORTLET):
        return None
    wanted = f"_{pid}_articleId"
    value = next((v for k, v in query if k == wanted), "")
    return int(value) if value.isdigit() else None


def _listing_page(query: list[tuple[str, str]]) -> int:
    for k, v in query:
        if (k.endswith("_cur") or k.endswith("pagenum")) and v.isdigit():
            return max(int(v), 1)
    return 1


def _attachment_title(portal: Portal, path: str) -> str | None:
    for article in portal.articles.values():
        for att in article.attachments:
            if unquote(attachment_path(att)) == path:
                return att.title
    return None


def _html(body: str, status: int = 200) -> Response:
    return Response(status, body.encode(), HTML, dict(HEADERS))


def route(server: Any, method: str, target: str, headers: Any, form: dict[str, str]
          ) -> Response:
    """Answer one request of the Liferay site."""
    portal: Portal = server.portal
    ctx = server.context()
    parts = urlsplit(target)
    path = re.sub(r";jsessionid=[^/?#]*", "", unquote(parts.path or "/"), flags=re.IGNORECASE)
    lpath = path.lower().rstrip("/") or "/"
    query = parse_qsl(parts.query, keep_blank_values=True)

    def not_found() -> Response:
        return server.cached(("404",), lambda: _html(render_not_found(ctx), 404))

    if lpath == "/robots.txt":
        return Response(200, robots_txt(portal).encode(), "text/plain; charset=utf-8")
    if lpath == "/":
        return Response(302, b"", HTML, {**HEADERS, "Location": HOME})
    if lpath in (HOME, "/web/guest"):
        return server.cached(("home",), lambda: _html(render_home(ctx)))
    if lpath == ARTICLE_PAGE:
        aid = _article_id(query)
        if aid is None:
            return server.cached(("news",), lambda: _html(render_news_page(ctx)))
        if aid not in portal.articles:
            return not_found()
        resp = server.article_response(aid, headers, lambda a: render_article(ctx, a))
        return Response(resp.status, resp.body, resp.ctype, {**resp.headers, **HEADERS})
    if lpath == PRINT_PATH:
        value = next((v for k, v in query if k == "printArticleId"), "")
        article = portal.articles.get(int(value)) if value.isdigit() else None
        if article is None:
            return not_found()
        if article.id == portal.notice_id:
            return _html(render_notice())
        return server.cached(("print", article.id), lambda: _html(render_print(ctx, article)))
    if lpath.startswith("/web/guest/"):
        slug = next((c.slug for c in portal.categories
                     if category_path(portal, c.slug) == lpath), None)
        if slug is None:
            return not_found()
        page = _listing_page(query)
        return server.cached(("list", slug, page),
                             lambda: _html(render_listing(ctx, slug, page)))
    if lpath.startswith("/documents/"):
        if lpath.endswith((".jpg", ".jpeg")):
            return Response(200, photo(lpath), "image/jpeg", dict(HEADERS))
        title = _attachment_title(portal, path)
        if title is None:
            return not_found()
        return Response(200, make_pdf(title), "application/pdf", dict(HEADERS))
    if lpath.startswith("/c/portal/login"):
        return server.cached(("login",), lambda: _html(render_login(ctx)))
    if lpath.startswith("/image/") or lpath.endswith((".gif", ".png", ".ico")):
        return Response(200, TINY_GIF, "image/gif", dict(HEADERS))
    if lpath.endswith(".css"):
        return Response(200, b"body{font-family:Arial,sans-serif}\n", "text/css", dict(HEADERS))
    if lpath.startswith("/html/js/"):
        return Response(200, b"var Liferay={};\n", "text/javascript", dict(HEADERS))
    return not_found()
