"""ASP.NET WebForms office sites: the family of most "Văn phòng UBND tỉnh" portals.

``NewsDetail.aspx?id=N`` articles, ``Modules/Article/ArticlePrint.aspx?ArticleID=N`` print views,
``Category.aspx?cat=...`` listings, a header clock in the same weekday style as the article date
(so the date is read next to the title, never "the first date on the page"), and the
"Các tin đã đăng" box of older articles of the same category.
"""

from __future__ import annotations

from crawler.extraction.layouts.base import Layout


class AspNetOffice(Layout):
    name = "aspnet_office"
    valid_from = "2008-01-01"
    selectors = {
        "container": "div.NewsDetail, [id$='_pnDetail']",
        "category": ".CateName",
        "date": ".DateTime",
        "title": "h1.Title, .Title",
        "summary": ".Summary",
        "content": "div.Content, [id$='_lblContent']",
        "author": ".Author, [id$='_lblAuthor']",
        "source": ".Source",
        "related_item": ".OtherNews li",
        "related_date": "span",
        "pager": ".Pager",
        "listing_title": "a.NewsTitle",
        "pager_next": ".Pager .current + a",
        "pager_postback": "a[id$='lnkNext']",
    }
    article_patterns = (
        r"/NewsDetail\.aspx/?\?(?:[^#]*&)?id=(\d+)",
        r"/detailNews\.aspx/?\?(?:[^#]*&)?id=(\d+)",
        r"/ArticlePrint\.aspx/?\?(?:[^#]*&)?ArticleID=(\d+)",
    )
    listing_patterns = (r"/Category\.aspx/?\?", r"/Default\.aspx/?$", r"://[^/]+/?$")
    article_url_template = "/NewsDetail.aspx?id={id}"
    page_rewrites = (
        (r"(?i)/default\.aspx$", "/"),  # IIS's default document
        (r"(?i)(/Category\.aspx\?.*?)&page=1$", r"\1"),  # page 1 is the listing itself
    )
