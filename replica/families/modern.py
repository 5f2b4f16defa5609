"""The modern slug CMS family (vn-portals.md §1 E): the norm on provincial portals after 2017.

URL map (all root-relative, lower-case):

- ``/`` home; ``/tin-tuc.html`` the news index (one box per category);
- ``/tin-tuc/<category>.html`` a listing, ``/tin-tuc/<category>/trang-N.html`` its pages;
- ``/tin-tuc/<category>/<ascii-folded-title-slug>-<id>.html`` an article (the id is the model's);
  a wrong slug or category answers 301 to the right one; ``?print=1`` is the print view;
  tracking parameters (``utm_*``, ``fbclid``) are ignored;
- ``/tim-kiem?q=...`` search (robots-disallowed), ``/robots.txt``, ``/uploads/news/...jpg``,
  ``/uploads/files/<name>.pdf``, ``/themes/...`` assets.

Quirks: HTML5 semantic markup (``article``, ``h1``, ``time datetime``, ``og:`` meta) with a
JSON-LD ``NewsArticle`` that is sometimes inside an ``@graph``, sometimes invalid JSON (a
trailing comma from a hand-built template) and sometimes missing (old template); ``og:title``
carries the site name and ``og:description`` falls back to the first sentence when there is no
summary; ``og:url`` names the production host; listing entries are ``<article>`` elements too;
a header clock "Thứ 5, Ngày 26/11/2026 -" of today's date; date lines "Ngày đăng: 08/07/2024
11:38" or "01/11/2024 - 09:50" followed by "Lượt xem: 313" and the "Mặc định Cỡ chữ" font
widget; captions in ``figure > figcaption`` with credits "(Ảnh: Thanh Vân)"; attachments whose
link text is only "Tải file tại đây"; "Nguồn: ..." source line; a "Tin liên quan" box
(``related_ids``) next to a "Tin cùng chuyên mục" sidebar (5 newest of the category, navigation
only); share links with ``?utm_source=zalo&utm_medium=share``, featured home links with
``?fbclid=``; NFD text for ``nfd`` articles.

Standard library only; nothing here imports from ``crawler/``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from replica.model import Article, Image, Portal
from replica.server import TINY_GIF, Response, make_pdf, photo
from replica.templates import Context, _e, _served, dmy, first_sentence, older_items

SITE = "Cổng TTĐT Văn phòng UBND tỉnh"
PUBLIC_HOST = "https://vpubnd.example.invalid"  # the production host og:url and JSON-LD name
HTML = "text/html; charset=utf-8"
LOGO = "/themes/portal/images/logo.png"
HOT_KEYWORDS = ["chuyển đổi số", "cải cách hành chính", "phòng chống thiên tai"]
WEEKDAY_NUM = ["Thứ 2", "Thứ 3", "Thứ 4", "Thứ 5", "Thứ 6", "Thứ 7", "Chủ nhật"]

_LISTING = re.compile(r"/tin-tuc/([a-z0-9-]+)\.html")
_PAGER = re.compile(r"/tin-tuc/([a-z0-9-]+)/trang-(\d+)\.html")
_ARTICLE = re.compile(r"/tin-tuc/([a-z0-9-]+)/([a-z0-9-]*)-(\d+)\.html")


# --------------------------------------------------------------------------- URLs


def slugify(text: str) -> str:
    """ASCII-folded slug: "Hội nghị tháng 4/2021" -> "hoi-nghi-thang-4-2021"."""
    folded = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def article_path(portal: Portal, article: Article) -> str:
    """Canonical path of an article: ``/tin-tuc/<category>/<title slug>-<id>.html``."""
    return f"/tin-tuc/{article.category_slug}/{slugify(article.title)}-{article.id}.html"


def dead_link_path(portal: Portal) -> str:
    cat = portal.articles[portal.dead_link_source_id].category_slug
    return f"/tin-tuc/{cat}/{slugify(portal.dead_link_title)}-{portal.dead_link_id}.html"


def listing_path(slug: str, page: int = 1) -> str:
    return f"/tin-tuc/{slug}.html" if page <= 1 else f"/tin-tuc/{slug}/trang-{page}.html"


def image_path(image: Image) -> str:
    """``/Uploads/Images/2021/4/x.jpg`` -> ``/uploads/news/2021/4/x.jpg``."""
    return "/uploads/news/" + image.url.split("/Uploads/Images/", 1)[-1].lstrip("/")


def attachment_path(url: str) -> str:
    """``/Uploads/VanBan/qd-12-2021.pdf`` -> ``/uploads/files/qd-12-2021.pdf``."""
    return "/uploads/files/" + url.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------- per-article styles


def _pick(aid: int, what: str, n: int) -> int:
    return int(hashlib.md5(f"modern:{what}:{aid}".encode()).hexdigest(), 16) % n


def date_style(article: Article) -> int:
    """0: "Ngày đăng: 08/07/2024 11:38" (Kon Tum), 1: "01/11/2024 - 09:50" (Tuyên Quang)."""
    return _pick(article.id, "date", 2)


def date_line(article: Article) -> str:
    """The date line as shown (whitespace collapsed), without the view count after it."""
    d = dmy(article.published_date)
    p = article.published
    hm = f"{p.hour:02d}:{p.minute:02d}" if isinstance(p, datetime) else ""
    if date_style(article) == 0:
        return f"Ngày đăng: {d} {hm}".strip()
    return f"{d} - {hm}" if hm else d


def jsonld_style(article: Article) -> str:
    """How the page carries its NewsArticle JSON-LD: "missing", "broken", "graph" or "plain"."""
    k = _pick(article.id, "ld", 10)
    return {0: "missing", 1: "broken", 2: "graph", 3: "graph", 4: "graph"}.get(k, "plain")


def views(article: Article) -> int:
    return 37 + _pick(article.id, "views", 4800)


def header_clock(today: date) -> str:
    """ "Thứ 5, Ngày 26/11/2026 -" (kontum.gov.vn)."""
    return f"{WEEKDAY_NUM[today.weekday()]}, Ngày {dmy(today)} -"


# --------------------------------------------------------------------------- page chrome


def _a(text: str) -> str:
    return _e(text).replace('"', "&quot;")


def _head(title: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)} - {SITE}</title>\n"
        '<link rel="stylesheet" href="/themes/portal/css/main.css">\n'
        '<link rel="icon" href="/themes/portal/images/favicon.ico">\n'
        f"{extra}</head>\n"
    )


def _header(ctx: Context) -> str:
    cats = "".join(
        f'<li><a href="{listing_path(c.slug)}">{_e(c.name)}</a></li>'
        for c in ctx.portal.categories
    )
    hot = " ".join(
        f'<a href="/tim-kiem?q={quote(k)}">{_e(k)}</a>' for k in HOT_KEYWORDS
    )
    return (
        '<header class="site-header">\n'
        f'<div class="topbar"><span class="today">{_e(header_clock(ctx.today))}</span>'
        ' <span class="hotline">Đường dây nóng: 0203.3835.208</span></div>\n'
        f'<div class="brand"><a class="logo" href="/"><img src="{LOGO}" '
        'alt="Cổng thông tin điện tử Văn phòng UBND tỉnh"></a>'
        '<span class="site-name">CỔNG THÔNG TIN ĐIỆN TỬ VĂN PHÒNG UBND TỈNH</span></div>\n'
        '<form class="search-form" action="/tim-kiem" method="get" role="search">'
        '<input type="search" name="q" placeholder="Nhập từ khóa tìm kiếm...">'
        '<button type="submit">Tìm kiếm</button></form>\n'
        f'<div class="hot-keywords">Từ khóa: {hot}</div>\n'
        "</header>\n"
        '<nav class="main-menu"><ul>\n<li><a href="/">Trang chủ</a></li>\n'
        f'<li class="has-sub"><a href="/tin-tuc.html">Tin tức</a><ul class="sub">{cats}</ul></li>\n'
        "</ul></nav>\n"
    )


def _side_box(title: str, css: str, items: str) -> str:
    return (
        f'<section class="side-box {css}"><h3 class="box-title">{_e(title)}</h3>'
        f"<ul>\n{items}\n</ul></section>\n"
    )


def _popular(ctx: Context) -> str:
    p = ctx.portal
    items = "\n".join(
        f'<li><a href="{article_path(p, p.articles[aid])}">'
        f"{_e(_served(p.articles[aid], p.articles[aid].title))}</a></li>"
        for aid in p.popular_ids
    )
    return _side_box("Tin đọc nhiều", "most-read", items)


def _footer(ctx: Context) -> str:
    return (
        '<footer class="site-footer">\n'
        "<p>Cơ quan chủ quản: Văn phòng UBND tỉnh. Địa chỉ: Phường Hồng Hà, thành phố Hạ Long."
        "</p>\n<p>Chịu trách nhiệm chính: Chánh Văn phòng UBND tỉnh. Giấy phép số 12/GP-TTĐT."
        "</p>\n<p>Ghi rõ nguồn &quot;Cổng TTĐT Văn phòng UBND tỉnh&quot; khi phát hành lại "
        "thông tin từ Cổng.</p>\n"
        f'<p><a href="{_a(ctx.offsite_url)}/" target="_blank" rel="noopener">'
        "Cổng thông tin điện tử Chính phủ</a></p>\n"
        "<p>© 2018 Văn phòng UBND tỉnh. Phát triển bởi VNPT.</p>\n"
        '<script src="/themes/portal/js/main.js"></script>\n'
        "</footer>\n"
    )


def _page(ctx: Context, title: str, main: str, side: str = "", head: str = "") -> str:
    return (
        _head(title, head)
        + "<body>\n"
        + _header(ctx)
        + '<main class="container"><div class="row">\n'
        + f'<div class="col-main">\n{main}</div>\n'
        + f'<aside class="col-side">\n{side}{_popular(ctx)}</aside>\n'
        + "</div></main>\n"
        + _footer(ctx)
        + "</body>\n</html>\n"
    )


def _breadcrumb(items: list[tuple[str, str]]) -> str:
    lis = "".join(f'<li><a href="{href}">{_e(label)}</a></li>' for href, label in items)
    return f'<nav class="breadcrumb" aria-label="breadcrumb"><ol>{lis}</ol></nav>\n'


def _ld_script(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">\n{text}\n</script>\n'


def _breadcrumb_ld(items: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "@context": "https://schema.org", "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": k, "name": label, "item": PUBLIC_HOST + href}
            for k, (href, label) in enumerate(items, 1)
        ],
    }


# --------------------------------------------------------------------------- article


def _paragraph(article: Article, index: int, text: str, rng_key: int) -> str:
    served = unicodedata.normalize("NFD", text) if article.nfd and index % 2 == 0 else text
    quirk = _pick(article.id, "para", 4)
    if quirk == 1:  # CKEditor non-breaking spaces
        words = served.split(" ")
        inner = "".join(
            _e(w) + ("&nbsp;" if (k * 7 + rng_key) % 9 == 0 else " ")
            for k, w in enumerate(words[:-1])
        ) + _e(words[-1])
    elif quirk == 2 and index == 0:
        words = served.split(" ")
        inner = f"<strong>{_e(' '.join(words[:3]))}</strong> {_e(' '.join(words[3:]))}"
    else:
        inner = _e(served)
    return f'<p style="text-align: justify;">{inner}</p>'


def _figure(article: Article, image: Image, k: int) -> str:
    caption = _served(article, image.caption)
    if image.credit:
        credit = (f"(Ảnh: {image.credit})" if _pick(article.id, f"credit{k}", 3)
                  else f"Ảnh: {image.credit}")
        caption = f"{caption} {credit}"
    return (
        '<figure class="image align-center">'
        f'<img src="{image_path(image)}" alt="{_a(_served(article, image.caption))}" '
        'width="700" loading="lazy">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def content_html(article: Article) -> str:
    images: dict[int, list[Image]] = {}
    for after, image in article.images:
        images.setdefault(after, []).append(image)
    spacer = _pick(article.id, "para", 4) == 3
    parts: list[str] = []
    k = 0
    for i, text in enumerate(article.paragraphs):
        if spacer and i:
            parts.append("<p>&nbsp;</p>")
        parts.append(_paragraph(article, i, text, article.id + i))
        for image in images.get(i, []):
            k += 1
            parts.append(_figure(article, image, k))
    for att in article.attachments:
        parts.append(
            f'<p class="file-attach"><strong>{_e(att.title)}</strong>: '
            f'<a href="{attachment_path(att.url)}" target="_blank">Tải file tại đây</a></p>'
        )
    return "\n".join(parts)


def _date_meta(article: Article) -> str:
    iso = article.published_iso
    p = article.published
    d = dmy(article.published_date)
    hm = f"{p.hour:02d}:{p.minute:02d}" if isinstance(p, datetime) else ""
    if date_style(article) == 0:
        shown = f"{d}&nbsp; {hm}" if hm else d
        date_html = (f'<span class="post-date">Ngày đăng: <time datetime="{iso}">{shown}</time>'
                     "</span>")
        sep = " "
    else:
        shown = f"{d} - {hm}" if hm else d
        date_html = (f'<time class="post-date" datetime="{iso}"><i class="icon-clock"></i> '
                     f"{shown}</time>")
        sep = " - "
    return (
        f'<div class="article-meta">{date_html}{sep}'
        f'<span class="post-views">Lượt xem: {views(article)}</span>'
        '<span class="font-size"><a href="javascript:void(0)" onclick="setFont(0)">Mặc định'
        '</a> <span>Cỡ chữ</span> <a href="javascript:void(0)" onclick="setFont(-1)">A-</a>'
        ' <a href="javascript:void(0)" onclick="setFont(1)">A+</a></span></div>\n'
    )


def _news_ld(ctx: Context, article: Article, cat_name: str) -> dict[str, Any]:
    p = ctx.portal
    lead = article.summary or first_sentence(article.paragraphs[0])
    modified = article.modified or article.published
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": PUBLIC_HOST + article_path(p, article)},
        "headline": _served(article, article.title),
        "description": _served(article, lead),
        "image": [PUBLIC_HOST + image_path(img) for _, img in article.images]
        or [PUBLIC_HOST + LOGO],
        "datePublished": article.published_iso,
        "dateModified": modified.isoformat(),
        "author": {"@type": "Person", "name": article.author},
        "publisher": {"@type": "Organization", "name": "Văn phòng UBND tỉnh",
                      "logo": {"@type": "ImageObject", "url": PUBLIC_HOST + LOGO}},
        "articleSection": cat_name,
        "inLanguage": "vi",
    }


def _broken_ld(data: dict[str, Any]) -> str:
    """The NewsArticle as a PHP template concatenates it: a trailing comma, raw text."""
    lines = [f'  "{k}": {json.dumps(v, ensure_ascii=False)},' for k, v in data.items()]
    text = "{\n" + "\n".join(lines) + "\n}"
    return f'<script type="application/ld+json">\n{text}\n</script>\n'


def _article_head(ctx: Context, article: Article, cat_name: str,
                  crumbs: list[tuple[str, str]]) -> str:
    p = ctx.portal
    path = article_path(p, article)
    title = _served(article, article.title)
    lead = _served(article, article.summary or first_sentence(article.paragraphs[0]))
    image = image_path(article.images[0][1]) if article.images else LOGO
    metas = [
        f'<meta name="description" content="{_a(lead)}">',
        f'<link rel="canonical" href="{path}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{_a(title)} - {SITE}">',
        f'<meta property="og:description" content="{_a(lead)}">',
        f'<meta property="og:url" content="{PUBLIC_HOST}{path}">',
        f'<meta property="og:image" content="{PUBLIC_HOST}{image}">',
        '<meta property="og:site_name" content="Cổng TTĐT Văn phòng UBND tỉnh">',
        f'<meta property="article:published_time" content="{article.published_iso}">',
        f'<meta property="article:section" content="{_a(cat_name)}">',
    ]
    head = "\n".join(metas) + "\n"
    style = jsonld_style(article)
    news = _news_ld(ctx, article, cat_name)
    crumbs_ld = _breadcrumb_ld(crumbs)
    if style == "graph":
        for d in (news, crumbs_ld):
            d.pop("@context")
        head += _ld_script({"@context": "https://schema.org", "@graph": [crumbs_ld, news]})
    elif style == "broken":
        head += _ld_script(crumbs_ld) + _broken_ld(news)
    elif style == "plain":
        head += _ld_script(news) + _ld_script(crumbs_ld)
    else:
        head += _ld_script(crumbs_ld)
    return head


def _related(ctx: Context, article: Article) -> str:
    p = ctx.portal
    items = []
    for _, other, title, when in older_items(p, article):
        href = article_path(p, other) if other is not None else dead_link_path(p)
        items.append(f'<li><a href="{href}">{_e(title)}</a> <span class="date">({dmy(when)})'
                     "</span></li>")
    if not items:
        return ""
    return (
        '<section class="related-news"><h2 class="box-title">Tin liên quan</h2><ul>\n'
        + "\n".join(items)
        + "\n</ul></section>\n"
    )


def _same_category(ctx: Context, article: Article) -> str:
    p = ctx.portal
    others = [a for a in p.category_articles(article.category_slug) if a.id != article.id][:5]
    items = "\n".join(
        f'<li><a href="{article_path(p, a)}">{_e(_served(a, a.title))}</a> '
        f'<time datetime="{a.published_date.isoformat()}">{dmy(a.published_date)}</time></li>'
        for a in others
    )
    return _side_box("Tin cùng chuyên mục", "same-category", items)


def render_article(ctx: Context, article: Article) -> str:
    p = ctx.portal
    cat = p.category(article.category_slug)
    cat_name = cat.name if cat else article.category_slug
    path = article_path(p, article)
    crumbs = [("/", "Trang chủ"), ("/tin-tuc.html", "Tin tức"),
              (listing_path(article.category_slug), cat_name)]
    title = _served(article, article.title)
    summary = ""
    if article.summary:
        summary = (f'<div class="sapo"><strong>{_e(_served(article, article.summary))}'
                   "</strong></div>\n")
    share_url = quote(PUBLIC_HOST + path, safe="")
    main = (
        _breadcrumb(crumbs)
        + f'<article class="article-detail" id="article-{article.id}">\n'
        + f'<h1 class="article-title">{_e(title)}</h1>\n'
        + _date_meta(article)
        + summary
        + f'<div class="article-content">\n{content_html(article)}\n</div>\n'
        + f'<div class="article-author"><span class="author">{_e(article.author)}</span></div>\n'
        + f'<div class="article-source">Nguồn: {_e(article.source)}</div>\n'
        + '<div class="share-bar">Chia sẻ: '
        f'<a href="https://facebook.example.invalid/sharer.php?u={share_url}" target="_blank" '
        'rel="noopener">Facebook</a> '
        f'<a href="https://zalo.example.invalid/share?url={share_url}" target="_blank" '
        'rel="noopener">Zalo</a> '
        f'<a class="copy-link" href="{path}?utm_source=zalo&amp;utm_medium=share">'
        "Sao chép liên kết</a> "
        f'<a class="print" href="{path}?print=1" target="_blank" rel="nofollow">In bài viết</a>'
        "</div>\n"
        + "</article>\n"
        + _related(ctx, article)
    )
    head = _article_head(ctx, article, cat_name, crumbs)
    return _page(ctx, title, main, _same_category(ctx, article), head)


def render_print(ctx: Context, article: Article) -> str:
    title = _served(article, article.title)
    return (
        _head(title, '<meta name="robots" content="noindex">\n')
        + '<body class="print" onload="window.print();">\n'
        + '<div class="print-header"><a href="javascript:window.print()">In bài viết</a></div>\n'
        + '<article class="article-detail print-view">\n'
        + f'<h1 class="article-title">{_e(title)}</h1>\n'
        + f'<div class="article-meta"><span class="post-date">{_e(date_line(article))}</span>'
        "</div>\n"
        + f'<div class="article-content">\n{content_html(article)}\n</div>\n'
        + f'<div class="article-author"><span class="author">{_e(article.author)}</span></div>\n'
        + f'<div class="article-source">Nguồn: {_e(article.source)}</div>\n'
        + "</article>\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- listings, home


def _item(p: Portal, a: Article, query: str = "") -> str:
    href = article_path(p, a) + query
    thumb = image_path(a.images[0][1]) if a.images else "/themes/portal/images/no-image.png"
    lead = first_sentence(a.summary or a.paragraphs[0])
    return (
        '<article class="news-item">'
        f'<a class="thumb" href="{href}"><img src="{thumb}" alt="" loading="lazy"></a>'
        f'<h3 class="news-title"><a href="{href}">{_e(_served(a, a.title))}</a></h3>'
        f'<time datetime="{a.published_date.isoformat()}">{dmy(a.published_date)}</time>'
        f'<p class="desc">{_e(_served(a, lead))}</p></article>'
    )


def render_listing(ctx: Context, slug: str, page: int) -> str:
    p = ctx.portal
    cat = p.category(slug)
    assert cat is not None
    items = p.listing_page(slug, page)
    body = "\n".join(_item(p, a) for a in items) or '<p class="empty">Chưa có tin bài.</p>'
    shown = min(p.listing_depth, p.listing_pages(slug))
    pager = ""
    if shown > 1:
        lis = []
        if page > 1:
            lis.append(f'<li><a class="prev" href="{listing_path(slug, page - 1)}">«</a></li>')
        for n in range(1, shown + 1):
            if n == page:
                lis.append(f'<li class="active"><span>{n}</span></li>')
            else:
                lis.append(f'<li><a href="{listing_path(slug, n)}">{n}</a></li>')
        if page < shown:
            lis.append(f'<li><a class="next" href="{listing_path(slug, page + 1)}">»</a></li>')
        pager = '<ul class="pagination">' + "".join(lis) + "</ul>\n"
    crumbs = [("/", "Trang chủ"), ("/tin-tuc.html", "Tin tức"), (listing_path(slug), cat.name)]
    main = (
        _breadcrumb(crumbs)
        + f'<h1 class="page-title">{_e(cat.name)}</h1>\n'
        + f'<div class="news-list">\n{body}\n</div>\n'
        + pager
    )
    title = cat.name if page == 1 else f"{cat.name} - Trang {page}"
    return _page(ctx, title, main, head=_ld_script(_breadcrumb_ld(crumbs)))


def _category_boxes(ctx: Context) -> str:
    p = ctx.portal
    boxes = []
    for cat in p.public_categories():
        lis = "\n".join(
            f'<li><a href="{article_path(p, a)}">{_e(_served(a, a.title))}</a></li>'
            for a in p.category_articles(cat.slug)[:5]
        )
        boxes.append(
            f'<section class="cate-box"><h2 class="box-title"><a href="{listing_path(cat.slug)}">'
            f"{_e(cat.name)}</a></h2>\n<ul>\n{lis}\n</ul>\n"
            f'<a class="more" href="{listing_path(cat.slug)}">Xem thêm</a></section>'
        )
    return "\n".join(boxes) + "\n"


def _fbclid(aid: int) -> str:
    return "IwAR" + hashlib.sha256(f"fb:{aid}".encode()).hexdigest()[:28]


def render_home(ctx: Context) -> str:
    p = ctx.portal
    featured = "\n".join(
        _item(p, p.articles[aid], f"?fbclid={_fbclid(aid)}") for aid in p.featured_ids
    )
    newest = "\n".join(
        f'<li><a href="{article_path(p, a)}?utm_source=zalo&amp;utm_medium=share">'
        f'{_e(_served(a, a.title))}</a> <time datetime="{a.published_date.isoformat()}">'
        f"{dmy(a.published_date)}</time></li>"
        for a in p.newest_public(10)
    )
    main = (
        f'<section class="featured"><h2 class="box-title">Tin nổi bật</h2>\n{featured}\n'
        "</section>\n"
        f'<section class="latest"><h2 class="box-title">Tin mới</h2><ul>\n{newest}\n</ul>'
        "</section>\n"
        + _category_boxes(ctx)
    )
    head = ('<meta property="og:type" content="website">\n'
            f'<meta property="og:url" content="{PUBLIC_HOST}/">\n')
    return _page(ctx, "Trang chủ", main, head=head)


def render_news_index(ctx: Context) -> str:
    crumbs = [("/", "Trang chủ"), ("/tin-tuc.html", "Tin tức")]
    main = _breadcrumb(crumbs) + '<h1 class="page-title">Tin tức</h1>\n' + _category_boxes(ctx)
    return _page(ctx, "Tin tức", main)


def render_search(ctx: Context, q: str) -> str:
    p = ctx.portal
    hits = [a for a in p.public_articles() if q and q.lower() in a.title.lower()][:20]
    body = "\n".join(_item(p, a) for a in hits) or '<p class="empty">Không tìm thấy kết quả.</p>'
    main = (f'<h1 class="page-title">Kết quả tìm kiếm: {_e(q)}</h1>\n'
            f'<div class="news-list">\n{body}\n</div>\n')
    return _page(ctx, "Tìm kiếm", main)


def render_not_found(ctx: Context) -> str:
    main = ('<div class="error-404"><h1 class="page-title">404 - Không tìm thấy trang</h1>\n'
            '<p>Trang bạn tìm không tồn tại hoặc đã bị xóa.</p>\n'
            '<p><a href="/">Về trang chủ</a></p></div>\n')
    return _page(ctx, "Không tìm thấy trang", main)


def robots_txt() -> str:
    return (
        "User-agent: *\n"
        "Disallow: /tim-kiem\n"
        "Disallow: /tin-tuc/noi-bo\n"
        "Disallow: /admin/\n"
        "Disallow: /api/\n"
    )


# --------------------------------------------------------------------------- routing


def route(server: Any, method: str, target: str, headers: Any,
          form: dict[str, str]) -> Response:
    """Answer one request of the modern slug CMS replica."""
    portal: Portal = server.portal
    ctx: Context = server.context()
    parts = urlsplit(target)
    path = unquote(parts.path or "/")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))

    def page(key: tuple, make: Any) -> Response:
        return server.cached(("modern", *key), lambda: Response(200, make().encode()))

    def not_found() -> Response:
        return server.cached(("modern", "404"),
                             lambda: Response(404, render_not_found(ctx).encode()))

    if path == "/robots.txt":
        return Response(200, robots_txt().encode(), "text/plain; charset=utf-8")
    if path in ("/", "/index.html", "/trang-chu.html"):
        return page(("home",), lambda: render_home(ctx))
    if path == "/tin-tuc.html":
        return page(("index",), lambda: render_news_index(ctx))
    if path == "/tim-kiem":
        q = query.get("q", "")
        return Response(200, render_search(ctx, q).encode())
    m = _LISTING.fullmatch(path) or _PAGER.fullmatch(path)
    if m:
        slug = m.group(1)
        n = int(m.group(2)) if m.lastindex and m.lastindex >= 2 else 1
        if portal.category(slug) is None or not 1 <= n <= portal.listing_pages(slug):
            return not_found()
        return page(("listing", slug, n), lambda: render_listing(ctx, slug, n))
    m = _ARTICLE.fullmatch(path)
    if m:
        aid = int(m.group(3))
        article = portal.articles.get(aid)
        if article is not None and "print" in query:
            if aid == portal.notice_id:
                return server.article_response(aid, headers, lambda a: "")
            return page(("print", aid), lambda: render_print(ctx, article))
        if article is not None and path != article_path(portal, article):
            return Response(301, b"", headers={"Location": article_path(portal, article)})
        return server.article_response(aid, headers, lambda a: render_article(ctx, a))
    if path.startswith("/uploads/news/") and path.endswith((".jpg", ".jpeg")):
        return Response(200, photo(path), "image/jpeg")
    if path.startswith("/uploads/files/") and path.endswith(".pdf"):
        name = path.rsplit("/", 1)[-1]
        title = next((att.title for a in portal.articles.values() for att in a.attachments
                      if att.url.rsplit("/", 1)[-1] == name), None)
        return Response(200, make_pdf(title or name), "application/pdf") if title else not_found()
    if path.startswith("/themes/"):
        if path.endswith(".css"):
            return Response(200, b"body{font-family:Roboto,Arial,sans-serif}\n", "text/css")
        if path.endswith(".js"):
            return Response(200, b"function setFont(d){}\n", "application/javascript")
        return Response(200, TINY_GIF, "image/gif")
    return not_found()
