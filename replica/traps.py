"""Crawl traps the replica can serve: ``ReplicaServer(traps=True)``.

The home page then carries a "Tiện ích" box linking into six traps, each a ``Category.aspx``
page as an ASP.NET office site would serve it (so a crawler's listing rules enter them):

``calendar``   ``/Category.aspx?cat=lich-cong-tac&ngay=YYYY-MM-DD``: the work calendar of a
               day, linking to the next day, for ever
``deep-path``  ``/a/b/Category.aspx?cat=so-do-site``: a site map whose relative link
               ``a/b/Category.aspx?...`` resolves one level deeper on every page
``session``    ``/Category.aspx?cat=hoi-dap``: every link carries ``phien=<token>``, a new
               session token on every page served
``piled-params`` ``/Category.aspx?cat=van-ban-moi&vt=1``: the pager appends ``&vt=N`` to the
               current query, so parameters pile up
``search``     ``/Category.aspx?cat=tim-kiem&tukhoa=...``: search results, with pages and
               "related searches" linking to more searches
``js-pager``   ``/Category.aspx?cat=tin-anh``: a pager of ``href="#"`` links with
               ``onclick="loadPage(N)"`` that fetch ``/Ajax/LoadNews.aspx?...&page=N``

:func:`which` names the trap a request target belongs to (the server logs it as ``trap``).

Site traps: ``ReplicaServer(site_traps=True)`` (any family; replica/site_traps.py) adds the
traps real portals have, in each family's own URL style, linked from a "Tiện ích" box in every
page's sidebar. ``which(target, family=...)`` names them too (``SITE_TRAPS``), and the home
page as ``changing-home`` (its "Tiêu điểm" block changes with the epoch, its visitor counter on
every request; it must be fetched, it is not a URL to avoid). The URLs (D = a date, Y/M/D its
parts, S = a category slug, W = tag words, N = an offset):

Day and month of ``calendar-day`` / ``calendar-month`` (a day links the previous and next day
and month; every year 1..9999 answers):
    aspnet      ``/LichCongTac.aspx?ngay=DD/MM/Y``, ``/LichCongTac.aspx?thang=M&nam=Y``
    sharepoint  ``/portal/Lists/LichCongTac/calendar.aspx?CalendarPeriod=day&CalendarDate=``
                ``D%2FM%2FY``, ``...?CalendarPeriod=month&CalendarDate=1%2FM%2FY``
    php         ``/?page=LichCongTac&ngay=DD-MM-Y``, ``/?page=LichCongTac&thang=MM-Y``
    liferay     ``/web/guest/lich-cong-tac?p_p_id=8&...&_8_tabs1=day`` (or ``month``)
                ``&_8_month=M-1&_8_day=D&_8_year=Y`` (the Calendar portlet's 0-based month)
    modern      ``/lich-cong-tac/Y/MM/DD.html``, ``/lich-cong-tac/Y/MM.html``
Index and month of ``month-archive`` (the index links every month back to 1900-01):
    aspnet      ``/LuuTru.aspx``, ``/LuuTru.aspx?thang=M&nam=Y``
    sharepoint  ``/portal/Pages/luu-tru.aspx``, ``/portal/Pages/luu-tru.aspx?Thang=M&Nam=Y``
    php         ``/?page=LuuTru``, ``/?page=LuuTru&thang=M&nam=Y``
    liferay     ``/web/guest/luu-tru``, ``/web/guest/luu-tru?p_p_id=vcmsarchive_WAR_VCMSportlet``
                ``&...&_vcmsarchive_WAR_VCMSportlet_month=M&_vcmsarchive_WAR_VCMSportlet_year=Y``
    modern      ``/luu-tru.html``, ``/luu-tru/Y/MM.html``
``tag`` (W: title words, in Vietnamese, ``+`` between words; the modern slug is folded):
    aspnet ``/TuKhoa.aspx?keyword=W``; sharepoint ``/portal/Pages/tu-khoa.aspx?TuKhoa=W``;
    php ``/?page=TuKhoa&keyword=W``; liferay ``/web/guest/tin-tuc?p_r_p_564233524_tag=W``;
    modern ``/tag/hoi-nghi.html``
``sort-filter`` (the family's listing URL plus sort, order and an optional year filter):
    aspnet      ``/Category.aspx?cat=S&sort=date|title|views&order=desc|asc[&filter=YYYY]``
    sharepoint  ``/portal/Pages/S.aspx?SortField=Created|Title|LuotXem&SortDir=Desc|Asc``
                ``[&FilterField1=Nam&FilterValue1=YYYY]``
    php         ``/?page=TinTuc&code=S&sort=...&order=...[&filter=YYYY]``
    liferay     ``/web/guest/<category>?p_p_id=<list portlet>&...&_<ns>_orderByCol=createDate``
                ``|title|viewCount&_<ns>_orderByType=desc|asc[&_<ns>_publishYear=YYYY]``
    modern      ``/tin-tuc/S.html?sort=...&order=...[&filter=YYYY]``
``offset-pager`` (ten articles from N; an empty 200 beyond the last, still linking N+10):
    aspnet ``/TinMoi.aspx?offset=N``; sharepoint ``/portal/Pages/tin-moi.aspx?Paged=TRUE&
    PageFirstRow=N+1``; php ``/?page=XemThem&start=N``; liferay ``/web/guest/tin-moi?p_p_id=
    vcmslatestnews_WAR_VCMSportlet&...&_<ns>_start=N&_<ns>_end=N+10``; modern
    ``/xem-them?start=N``
``changing-home``: aspnet ``/``, ``/Default.aspx``; sharepoint ``/``, ``/portal/``,
    ``/portal/Pages/default.aspx``; php ``/``; liferay ``/web/guest/trang-chu``; modern ``/``

Standard library only; must not import anything from ``crawler/``.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from datetime import date, timedelta
from html import escape
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from .trap_urls import CHANGING_HOME, SITE_TRAPS
from .trap_urls import which as site_which

__all__ = ["CHANGING_HOME", "SITE_TRAPS", "TRAPS", "hub", "route", "which"]

TRAPS = ("calendar", "deep-path", "session", "piled-params", "search", "js-pager")
_DEEP = re.compile(r"^(/a/b)+/category\.aspx$")
_CATS = {"lich-cong-tac": "calendar", "so-do-site": "deep-path", "hoi-dap": "session",
         "van-ban-moi": "piled-params", "tim-kiem": "search", "tin-anh": "js-pager"}
_WORDS = ("ubnd", "quyết định", "kế hoạch", "hội nghị", "thông báo", "công văn", "chỉ thị",
          "phòng chống", "thiên tai", "xây dựng")
_tokens = itertools.count(1)


def which(target: str, family: str | None = None, legacy: bool = True) -> str | None:
    """The trap a request target (path + query) belongs to, or None: one of ``TRAPS``
    (``legacy``), else, when ``family`` is given, one of ``SITE_TRAPS`` or
    ``"changing-home"`` in that family's URL style."""
    name = _legacy(target) if legacy else None
    if name is None and family is not None:
        name = site_which(target, family)
    return name


def _legacy(target: str) -> str | None:
    parts = urlsplit(target)
    path = parts.path.lower()
    if _DEEP.match(path):
        return "deep-path"
    if path.startswith("/ajax/"):
        return "js-pager"
    if path != "/category.aspx":
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    cat = next((v for k, v in query if k.lower() == "cat"), "")
    return _CATS.get(cat)


def hub(today: date) -> str:
    """The box of links into the traps, for the home page."""
    links = [
        (f"/Category.aspx?cat=lich-cong-tac&ngay={today.isoformat()}", "Lịch công tác"),
        ("/a/b/Category.aspx?cat=so-do-site", "Sơ đồ trang"),
        ("/Category.aspx?cat=hoi-dap", "Hỏi đáp"),
        ("/Category.aspx?cat=van-ban-moi&vt=1", "Văn bản mới"),
        (f"/Category.aspx?cat=tim-kiem&tukhoa={quote('ubnd')}", "Tìm kiếm: UBND"),
        ("/Category.aspx?cat=tin-anh", "Tin ảnh"),
    ]
    items = "\n".join(f'<li><a href="{escape(u)}">{escape(t)}</a></li>' for u, t in links)
    return ('<div class="box tienich"><div class="boxtitle">Tiện ích</div>\n'
            f"<ul>\n{items}\n</ul></div>\n")


def route(target: str, today: date) -> tuple[int, str] | None:
    """(status, HTML) for a trap URL, or None when ``target`` is not one."""
    trap = which(target)
    if trap is None:
        return None
    parts = urlsplit(target)
    query = parse_qsl(parts.query, keep_blank_values=True)
    first = {k.lower(): v for k, v in reversed(query)}
    return 200, _PAGES[trap](parts.path, parts.query, query, first, today)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8" />'
        f"<title>{escape(title)}</title></head>\n<body>\n<h1>{escape(title)}</h1>\n"
        f"{body}</body></html>\n"
    )


def _calendar(path: str, raw: str, query: list, q: dict[str, str], today: date) -> str:
    try:
        day = date.fromisoformat(q.get("ngay", ""))
    except ValueError:
        day = today
    nxt = day + timedelta(days=1)
    return _page(f"Lịch công tác ngày {day.day:02d}/{day.month:02d}/{day.year}",
                 "<p>Chưa có lịch công tác.</p>\n"
                 f'<a href="/Category.aspx?cat=lich-cong-tac&amp;ngay={nxt.isoformat()}">'
                 "Ngày sau »</a>\n")


def _deep_path(path: str, raw: str, query: list, q: dict[str, str], today: date) -> str:
    return _page("Sơ đồ trang", '<a href="a/b/Category.aspx?cat=so-do-site">Sơ đồ trang</a>\n')


def _token() -> str:
    n = next(_tokens)
    return hashlib.sha256(f"phien:{n}".encode()).hexdigest()[:20] + f"x{n % 1000:03d}"


def _session(path: str, raw: str, query: list, q: dict[str, str], today: date) -> str:
    page = int(q["page"]) if q.get("page", "").isdigit() else 1
    return _page(f"Hỏi đáp - trang {page}",
                 f'<a href="/Category.aspx?cat=hoi-dap&amp;phien={_token()}">Hỏi đáp</a>\n'
                 f'<a href="/Category.aspx?cat=hoi-dap&amp;page={page + 1}&amp;phien={_token()}">'
                 "Trang sau</a>\n")


def _piled(path: str, raw: str, query: list, q: dict[str, str], today: date) -> str:
    vts = [int(v) for k, v in query if k.lower() == "vt" and v.isdigit()]
    nxt = (max(vts) if vts else 1) + 1
    return _page("Văn bản mới",
                 f'<a href="/Category.aspx?{escape(raw)}&amp;vt={nxt}">Trang sau</a>\n')


def _search(path: str, raw: str, query: list, q: dict[str, str], today: date) -> str:
    word = q.get("tukhoa", "")
    page = int(q["page"]) if q.get("page", "").isdigit() else 1
    links = [f'<a href="/Category.aspx?cat=tim-kiem&amp;tukhoa={quote(word)}&amp;page={page + 1}">'
             "Trang sau</a>"]
    for other in _WORDS:
        combined = f"{word} {other}".strip()
        links.append(f'<a href="/Category.aspx?cat=tim-kiem&amp;tukhoa={quote(combined)}">'
                     f"{escape(combined)}</a>")
    return _page(f"Kết quả tìm kiếm: {word} (trang {page})", "\n".join(links) + "\n")


def _js_pager(path: str, raw: str, query: list, q: dict[str, str], today: date) -> str:
    page = int(q["page"]) if q.get("page", "").isdigit() else 1
    pager = " ".join(
        f'<a href="#" onclick="loadPage({n});return false;">{n}</a>' if n % 2 else
        f'<a href="javascript:void(0)" onclick="loadPage({n})">{n}</a>'
        for n in range(page + 1, page + 6))
    script = ("<script>function loadPage(n){var x=new XMLHttpRequest();"
              "x.open('GET','/Ajax/LoadNews.aspx?cat=tin-anh&page='+n);x.send();}</script>\n")
    return _page("Tin ảnh", f'<div class="pager">{pager}</div>\n{script}')


_PAGES: dict[str, Any] = {"calendar": _calendar, "deep-path": _deep_path, "session": _session,
                          "piled-params": _piled, "search": _search, "js-pager": _js_pager}
