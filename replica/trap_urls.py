"""How each CMS family writes the URLs of its site traps (replica/site_traps.py).

One :class:`Scheme` per family builds the trap URLs the way a portal of that family writes
them, recognises them in a request target (:func:`which`, logged by the server as ``trap``),
and says where the trap box and the home page's "Tiêu điểm" block go in the family's page
chrome. The URL table is in replica/traps.py's docstring.

Standard library only; imports nothing from ``crawler/``. The family modules are imported when
first needed (they import replica.server, which imports this module).
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, quote_plus, unquote, urlsplit

from . import templates
from .model import Article, Portal

SITE_TRAPS = ("calendar-day", "calendar-month", "month-archive", "tag", "sort-filter",
              "offset-pager")
#: The home page's trap name: the page must be fetched, but it changes on every request.
CHANGING_HOME = "changing-home"
PAGE_SIZE = 10
BOX_TITLE = "Tiện ích"
SORTS = ("date", "title", "views")  # semantic sort keys; each family names them its own way
ORDERS = ("desc", "asc")
WORD = re.compile(r"[^\W\d_]+")


def fold(word: str) -> str:
    """Lower-case ASCII folding of a Vietnamese word ("Đảng" -> "dang")."""
    text = unicodedata.normalize("NFD", word.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _day(y: int | None, m: int | None, d: int | None) -> date | None:
    try:
        return date(y, m, d) if y and m and d else None  # type: ignore[arg-type]
    except ValueError:
        return None


def _month(y: int | None, m: int | None) -> tuple[int, int] | None:
    return (y, m) if y and 1 <= y <= 9999 and m and 1 <= m <= 12 else None


def _dmy(text: str, sep: str) -> date | None:
    parts = [_int(p) for p in text.split(sep)]
    return _day(parts[2], parts[1], parts[0]) if len(parts) == 3 else None


def _tag_words(text: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in WORD.findall(text))


class Scheme:
    """How one family writes its trap URLs and places the trap box. Trap URLs are built
    root-relative (PHP's relative ``?page=`` ones excepted), raw (not HTML-escaped)."""

    name = ""
    sort_names = SORTS
    order_names = ORDERS

    @property
    def mod(self) -> Any:
        return importlib.import_module(f"replica.families.{self.name}")

    # URL builders
    def day(self, d: date) -> str:
        raise NotImplementedError

    def month(self, y: int, m: int) -> str:
        raise NotImplementedError

    def archive(self, ym: tuple[int, int] | None = None) -> str:
        """The archive's index, or the page of month ``ym`` (year, month)."""
        raise NotImplementedError

    def tag(self, words: tuple[str, ...], shown: str) -> str:
        """A tag: its folded ``words`` and the words as shown (with diacritics)."""
        raise NotImplementedError

    def offset(self, start: int) -> str:
        raise NotImplementedError

    def article(self, portal: Portal, a: Article) -> str:
        """The article's URL as the family's listings write it."""
        raise NotImplementedError

    def sort(self, portal: Portal, slug: str, sort: int, order: int, year: int | None) -> str:
        """Category ``slug`` sorted by ``SORTS[sort]`` in ``ORDERS[order]``, of one year."""
        raise NotImplementedError

    def match(self, target: str) -> tuple[str, dict[str, Any]] | None:
        """(trap, its parameters) for a request target, or None."""
        raise NotImplementedError

    # chrome
    def page(self, server: Any, title: str, action: str, main: str) -> str:
        raise NotImplementedError

    def box(self, items: list[str]) -> str:
        """The furniture box holding ``items`` (HTML fragments, one link line each)."""
        raise NotImplementedError

    def home_block(self, inner: str) -> str:
        raise NotImplementedError

    #: The box goes right before this text (the end of the sidebar); the home block before
    #: (or, ``home_after``, right after) ``home_anchor``.
    box_anchor = "</body>"
    home_after = False

    def home_anchor(self) -> str:
        return "</body>"

    def sort_index(self, value: str | None) -> int:
        low = [s.lower() for s in self.sort_names]
        return low.index(value.lower()) if value and value.lower() in low else 0

    def order_index(self, value: str | None) -> int:
        low = [s.lower() for s in self.order_names]
        return low.index(value.lower()) if value and value.lower() in low else 0


def _first_values(query: str) -> dict[str, str]:
    """Query parameters with lower-cased names, the first value winning (ASP.NET, SharePoint)."""
    out: dict[str, str] = {}
    for k, v in parse_qsl(query, keep_blank_values=True):
        out.setdefault(k.lower(), v)
    return out


class AspNet(Scheme):
    """The ASP.NET WebForms office site (``/Category.aspx``, ``/NewsDetail.aspx``)."""

    name = "aspnet"
    box_anchor = '<div class="box counter">'

    def day(self, d: date) -> str:
        return f"/LichCongTac.aspx?ngay={d.day:02d}/{d.month:02d}/{d.year}"

    def month(self, y: int, m: int) -> str:
        return f"/LichCongTac.aspx?thang={m}&nam={y}"

    def archive(self, ym: tuple[int, int] | None = None) -> str:
        return "/LuuTru.aspx" + (f"?thang={ym[1]}&nam={ym[0]}" if ym else "")

    def tag(self, words: tuple[str, ...], shown: str) -> str:
        return f"/TuKhoa.aspx?keyword={quote_plus(shown)}"

    def offset(self, start: int) -> str:
        return f"/TinMoi.aspx?offset={start}"

    def article(self, portal: Portal, a: Article) -> str:
        return a.url_path

    def sort(self, portal: Portal, slug: str, sort: int, order: int, year: int | None) -> str:
        return (f"/Category.aspx?cat={slug}&sort={SORTS[sort]}&order={ORDERS[order]}"
                + (f"&filter={year}" if year else ""))

    def match(self, target: str) -> tuple[str, dict[str, Any]] | None:
        parts = urlsplit(target)
        lpath = re.sub(r"^/\(s\([^)/]*\)\)(?=/)", "", unquote(parts.path or "/").lower())
        lpath = re.sub(r"\.aspx/+$", ".aspx", lpath)
        q = _first_values(parts.query)
        if lpath == "/lichcongtac.aspx":
            if "ngay" not in q and ("thang" in q or "nam" in q):
                return "calendar-month", {"month": _month(_int(q.get("nam")),
                                                          _int(q.get("thang")))}
            return "calendar-day", {"day": _dmy(q.get("ngay", ""), "/")}
        if lpath == "/luutru.aspx":
            return "month-archive", {"month": _month(_int(q.get("nam")), _int(q.get("thang"))),
                                     "index": "thang" not in q}
        if lpath == "/tukhoa.aspx":
            return "tag", {"words": _tag_words(q.get("keyword", ""))}
        if lpath == "/tinmoi.aspx":
            return "offset-pager", {"start": _int(q.get("offset")) or 0}
        if lpath == "/category.aspx" and q.keys() & {"sort", "order", "filter"}:
            return "sort-filter", {"slug": q.get("cat", ""), "sort": q.get("sort"),
                                   "order": q.get("order"), "year": _int(q.get("filter"))}
        if lpath in ("/", "/default.aspx"):
            return CHANGING_HOME, {}
        return None

    def page(self, server: Any, title: str, action: str, main: str) -> str:
        return templates.layout(server.context(), title, action,
                                f'<div class="TienIch">\n{main}</div>\n')

    def box(self, items: list[str]) -> str:
        lis = "\n".join(f"<li>{i}</li>" for i in items)
        return (f'<div class="box tienich-site"><div class="boxtitle">{BOX_TITLE}</div>\n'
                f'<ul class="tienich">\n{lis}\n</ul></div>\n')

    def home_anchor(self) -> str:
        return '<div class="LatestNews">'

    def home_block(self, inner: str) -> str:
        return f'<div class="TieuDiemBox"><div class="boxtitle">Tiêu điểm</div>\n{inner}</div>\n'


class SharePoint(Scheme):
    """MOSS Publishing Portal: a calendar list view, pages under ``/portal/Pages/``, list-view
    sort/filter parameters (``SortField``, ``FilterField1``) and ``PageFirstRow`` paging."""

    name = "sharepoint"
    sort_names = ("Created", "Title", "LuotXem")
    order_names = ("Desc", "Asc")
    box_anchor = '</td>\n</tr></table>\n<div class="footer">'

    def day(self, d: date) -> str:
        return ("/portal/Lists/LichCongTac/calendar.aspx?CalendarPeriod=day&CalendarDate="
                f"{d.day}%2F{d.month}%2F{d.year}")

    def month(self, y: int, m: int) -> str:
        return ("/portal/Lists/LichCongTac/calendar.aspx?CalendarPeriod=month&CalendarDate="
                f"1%2F{m}%2F{y}")

    def archive(self, ym: tuple[int, int] | None = None) -> str:
        return "/portal/Pages/luu-tru.aspx" + (f"?Thang={ym[1]}&Nam={ym[0]}" if ym else "")

    def tag(self, words: tuple[str, ...], shown: str) -> str:
        return f"/portal/Pages/tu-khoa.aspx?TuKhoa={quote_plus(shown)}"

    def offset(self, start: int) -> str:
        return f"/portal/Pages/tin-moi.aspx?Paged=TRUE&PageFirstRow={start + 1}"

    def article(self, portal: Portal, a: Article) -> str:
        return self.mod.article_path(a)

    def sort(self, portal: Portal, slug: str, sort: int, order: int, year: int | None) -> str:
        return (f"/portal/Pages/{slug}.aspx?SortField={self.sort_names[sort]}"
                f"&SortDir={self.order_names[order]}"
                + (f"&FilterField1=Nam&FilterValue1={year}" if year else ""))

    def match(self, target: str) -> tuple[str, dict[str, Any]] | None:
        parts = urlsplit(target)
        path = unquote(parts.path or "/")
        lpath = path.lower()
        q = _first_values(parts.query)
        if lpath == "/portal/lists/lichcongtac/calendar.aspx":
            d = _dmy(q.get("calendardate", ""), "/")
            if q.get("calendarperiod", "").lower() == "month":
                return "calendar-month", {"month": (d.year, d.month) if d else None}
            return "calendar-day", {"day": d}
        if lpath == "/portal/pages/luu-tru.aspx":
            return "month-archive", {"month": _month(_int(q.get("nam")), _int(q.get("thang"))),
                                     "index": "thang" not in q}
        if lpath == "/portal/pages/tu-khoa.aspx":
            return "tag", {"words": _tag_words(q.get("tukhoa", ""))}
        if lpath == "/portal/pages/tin-moi.aspx":
            return "offset-pager", {"start": max((_int(q.get("pagefirstrow")) or 1) - 1, 0)}
        m = re.fullmatch(r"/portal/pages/([a-z0-9-]+)\.aspx", lpath)
        if m and q.keys() & {"sortfield", "sortdir", "filterfield1", "filtervalue1"}:
            year = _int(q.get("filtervalue1")) if q.get("filterfield1", "").lower() == "nam" \
                else None
            return "sort-filter", {"slug": m.group(1), "sort": q.get("sortfield"),
                                   "order": q.get("sortdir"), "year": year}
        if lpath in ("/", "/portal", "/portal/", "/portal/pages/default.aspx"):
            return CHANGING_HOME, {}
        return None

    def page(self, server: Any, title: str, action: str, main: str) -> str:
        mod = self.mod
        return mod.page(server.context(), title, action,
                        mod._webpart("Block_TienIch_View", 36, main))

    def box(self, items: list[str]) -> str:
        lis = "\n".join(f"<li>{i}</li>" for i in items)
        return self.mod._webpart("Block_TienIch", 45, (
            f'<div class="box_title">{BOX_TITLE}</div>\n<ul class="tienich">\n{lis}\n</ul>\n'))

    def home_anchor(self) -> str:
        return f'<div class="ms-WPBody" id="WebPart{self.mod._guid("Block_TinMoi")}">'

    def home_block(self, inner: str) -> str:
        return self.mod._webpart("Block_TieuDiem", 35,
                                 f'<div class="box_title">Tiêu điểm</div>\n{inner}')


class Php(Scheme):
    """The gws PHP site: everything is ``index.php?page=...`` (the last repeated value wins)."""

    name = "php"
    box_anchor = "</table></td>\n</tr></table></td></tr>\n"

    def day(self, d: date) -> str:
        return f"?page=LichCongTac&ngay={d.day:02d}-{d.month:02d}-{d.year}"

    def month(self, y: int, m: int) -> str:
        return f"?page=LichCongTac&thang={m:02d}-{y}"

    def archive(self, ym: tuple[int, int] | None = None) -> str:
        return "?page=LuuTru" + (f"&thang={ym[1]}&nam={ym[0]}" if ym else "")

    def tag(self, words: tuple[str, ...], shown: str) -> str:
        return f"?page=TuKhoa&keyword={quote_plus(shown)}"

    def offset(self, start: int) -> str:
        return f"?page=XemThem&start={start}"

    def article(self, portal: Portal, a: Article) -> str:
        return self.mod.article_href(a)

    def sort(self, portal: Portal, slug: str, sort: int, order: int, year: int | None) -> str:
        return (f"?page=TinTuc&code={slug}&sort={SORTS[sort]}&order={ORDERS[order]}"
                + (f"&filter={year}" if year else ""))

    def match(self, target: str) -> tuple[str, dict[str, Any]] | None:
        parts = urlsplit(target)
        if unquote(parts.path or "/").lower() not in ("/", "/index.php"):
            return None
        q = dict(parse_qsl(parts.query, keep_blank_values=True))  # PHP: the last value wins
        page = q.get("page", "").lower()
        if page == "lichcongtac":
            if "ngay" not in q and "thang" in q:
                m = [_int(p) for p in q["thang"].split("-")]
                return "calendar-month", {"month": _month(m[-1], m[0]) if len(m) == 2 else None}
            return "calendar-day", {"day": _dmy(q.get("ngay", ""), "-")}
        if page == "luutru":
            return "month-archive", {"month": _month(_int(q.get("nam")), _int(q.get("thang"))),
                                     "index": "thang" not in q}
        if page == "tukhoa":
            return "tag", {"words": _tag_words(q.get("keyword", ""))}
        if page == "xemthem":
            return "offset-pager", {"start": _int(q.get("start")) or 0}
        if page in ("tintuc", "tin-tuc") and "id" not in q and \
                q.keys() & {"sort", "order", "filter"}:
            return "sort-filter", {"slug": q.get("code", ""), "sort": q.get("sort"),
                                   "order": q.get("order"), "year": _int(q.get("filter"))}
        if not page:
            return CHANGING_HOME, {}
        return None

    def page(self, server: Any, title: str, action: str, main: str) -> str:
        return self.mod.page(server, title, (
            '<table class="tien-ich" width="100%" border="0" cellspacing="0" cellpadding="4">'
            f"<tr><td>\n{main}</td></tr></table>\n"))

    def box(self, items: list[str]) -> str:
        rows = "\n".join('<tr><td><img src="/images/next_sm.gif" border="0"> '
                         f'<font face="Arial" size="2">{i}</font></td></tr>' for i in items)
        return self.mod._box_title(BOX_TITLE.upper()) + rows + "\n"

    def home_anchor(self) -> str:
        return self.mod._box_title("TIN MỚI CẬP NHẬT")

    def home_block(self, inner: str) -> str:
        return self.mod._box_title("TIÊU ĐIỂM") + f"<tr><td>\n{inner}</td></tr>\n"


class Liferay(Scheme):
    """Liferay 6.1: the Calendar portlet (``p_p_id=8``, ``_8_tabs1``, 0-based ``_8_month``),
    asset tags as the ``p_r_p_564233524_tag`` public render parameter, search-container
    ``orderByCol``/``orderByType`` parameters and a latest-news portlet's ``_start``/``_end``."""

    name = "liferay"
    sort_names = ("createDate", "title", "viewCount")
    box_anchor = '</div>\n</div>\n</div>\n</div>\n<footer id="footer"'
    home_after = True
    ARCHIVE = "vcmsarchive_WAR_VCMSportlet"
    LATEST = "vcmslatestnews_WAR_VCMSportlet"
    TAG = "p_r_p_564233524_tag"
    _VIEW = "p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"

    def day(self, d: date) -> str:
        return (f"/web/guest/lich-cong-tac?p_p_id=8&{self._VIEW}&p_p_col_id=column-1"
                "&p_p_col_count=1&_8_struts_action=%2Fcalendar%2Fview&_8_tabs1=day"
                f"&_8_month={d.month - 1}&_8_day={d.day}&_8_year={d.year}")

    def month(self, y: int, m: int) -> str:
        return (f"/web/guest/lich-cong-tac?p_p_id=8&{self._VIEW}&p_p_col_id=column-1"
                "&p_p_col_count=1&_8_struts_action=%2Fcalendar%2Fview&_8_tabs1=month"
                f"&_8_month={m - 1}&_8_day=1&_8_year={y}")

    def archive(self, ym: tuple[int, int] | None = None) -> str:
        if ym is None:
            return "/web/guest/luu-tru"
        ns = f"_{self.ARCHIVE}_"
        return (f"/web/guest/luu-tru?p_p_id={self.ARCHIVE}&{self._VIEW}"
                f"&{ns}month={ym[1]}&{ns}year={ym[0]}")

    def tag(self, words: tuple[str, ...], shown: str) -> str:
        return f"/web/guest/tin-tuc?{self.TAG}={quote_plus(shown)}"

    def offset(self, start: int) -> str:
        ns = f"_{self.LATEST}_"
        return (f"/web/guest/tin-moi?p_p_id={self.LATEST}&{self._VIEW}"
                f"&{ns}start={start}&{ns}end={start + PAGE_SIZE}")

    def article(self, portal: Portal, a: Article) -> str:
        return self.mod.article_href(portal, a.id, a.category_slug, "tien-ich")

    def sort(self, portal: Portal, slug: str, sort: int, order: int, year: int | None) -> str:
        mod = self.mod
        pid = f"{mod.LIST_PORTLET}_INSTANCE_{mod.instance_id('list-' + slug)}"
        ns = f"_{pid}_"
        return (f"{mod.category_path(portal, slug)}?p_p_id={pid}&{self._VIEW}"
                "&p_p_col_id=column-1&p_p_col_count=1"
                f"&{ns}orderByCol={self.sort_names[sort]}&{ns}orderByType={ORDERS[order]}"
                + (f"&{ns}publishYear={year}" if year else ""))

    def match(self, target: str) -> tuple[str, dict[str, Any]] | None:
        parts = urlsplit(target)
        path = re.sub(r";jsessionid=[^/?#]*", "", unquote(parts.path or "/"), flags=re.I)
        lpath = path.lower().rstrip("/") or "/"
        pairs = parse_qsl(parts.query, keep_blank_values=True)

        def get(suffix: str) -> str | None:
            return next((v for k, v in pairs if k.endswith(suffix)), None)

        if lpath == "/web/guest/lich-cong-tac":
            y, m0, d = _int(get("_8_year")), _int(get("_8_month")), _int(get("_8_day"))
            m = m0 + 1 if m0 is not None else None
            if (get("_8_tabs1") or "").lower() == "month":
                return "calendar-month", {"month": _month(y, m)}
            return "calendar-day", {"day": _day(y, m, d)}
        if lpath == "/web/guest/luu-tru":
            ym = _month(_int(get("_year")), _int(get("_month")))
            return "month-archive", {"month": ym, "index": get("_month") is None}
        if lpath == "/web/guest/tin-tuc" and any(k == self.TAG for k, _ in pairs):
            return "tag", {"words": _tag_words(get(self.TAG) or "")}
        if lpath == "/web/guest/tin-moi":
            return "offset-pager", {"start": _int(get("_start")) or 0}
        if lpath.startswith("/web/guest/") and any(
                k.endswith(("_orderByCol", "_orderByType", "_publishYear")) for k, _ in pairs):
            return "sort-filter", {"path": lpath, "sort": get("_orderByCol"),
                                   "order": get("_orderByType"), "year": _int(get("_publishYear"))}
        if lpath in ("/web/guest/trang-chu", "/web/guest"):
            return CHANGING_HOME, {}
        return None

    def page(self, server: Any, title: str, action: str, main: str) -> str:
        mod = self.mod
        ctx = server.context()
        return mod._page(ctx, title, mod._portlet("tienich_WAR_VCMSportlet", "view", main, title),
                         mod._sidebar(ctx))

    def box(self, items: list[str]) -> str:
        lis = "\n".join(f"<li>{i}</li>" for i in items)
        return self.mod._portlet("tienich_WAR_VCMSportlet", "box",
                                 f'<ul class="wd-tien-ich">\n{lis}\n</ul>', BOX_TITLE)

    def home_anchor(self) -> str:
        return '<div class="portlet-column portlet-column-first" id="column-1">\n'

    def home_block(self, inner: str) -> str:
        return self.mod._portlet("vcmsspotlight_WAR_VCMSportlet", "spotlight", inner,
                                 "Tiêu điểm")


class Modern(Scheme):
    """The modern slug CMS: path-style calendar and archive, ``/tag/<slug>.html``, query
    sort/filter on ``/tin-tuc/<category>.html`` and an ``/xem-them?start=N`` load-more."""

    name = "modern"
    box_anchor = "</aside>\n"

    def day(self, d: date) -> str:
        return f"/lich-cong-tac/{d.year}/{d.month:02d}/{d.day:02d}.html"

    def month(self, y: int, m: int) -> str:
        return f"/lich-cong-tac/{y}/{m:02d}.html"

    def archive(self, ym: tuple[int, int] | None = None) -> str:
        return f"/luu-tru/{ym[0]}/{ym[1]:02d}.html" if ym else "/luu-tru.html"

    def tag(self, words: tuple[str, ...], shown: str) -> str:
        return f"/tag/{'-'.join(words)}.html"

    def offset(self, start: int) -> str:
        return f"/xem-them?start={start}"

    def article(self, portal: Portal, a: Article) -> str:
        return self.mod.article_path(portal, a)

    def sort(self, portal: Portal, slug: str, sort: int, order: int, year: int | None) -> str:
        return (f"/tin-tuc/{slug}.html?sort={SORTS[sort]}&order={ORDERS[order]}"
                + (f"&filter={year}" if year else ""))

    def match(self, target: str) -> tuple[str, dict[str, Any]] | None:
        parts = urlsplit(target)
        path = unquote(parts.path or "/")
        q = dict(parse_qsl(parts.query, keep_blank_values=True))
        if path == "/lich-cong-tac.html":
            return "calendar-day", {"day": None}
        m = re.fullmatch(r"/lich-cong-tac/(\d{1,4})/(\d{1,2})/(\d{1,2})\.html", path)
        if m:
            return "calendar-day", {"day": _day(*(int(g) for g in m.groups()))}
        m = re.fullmatch(r"/lich-cong-tac/(\d{1,4})/(\d{1,2})\.html", path)
        if m:
            return "calendar-month", {"month": _month(int(m.group(1)), int(m.group(2)))}
        if path == "/luu-tru.html":
            return "month-archive", {"month": None, "index": True}
        m = re.fullmatch(r"/luu-tru/(\d{1,4})/(\d{1,2})\.html", path)
        if m:
            return "month-archive", {"month": _month(int(m.group(1)), int(m.group(2))),
                                     "index": False}
        m = re.fullmatch(r"/tag/([a-z0-9-]*)\.html", path)
        if m:
            return "tag", {"words": tuple(w for w in m.group(1).split("-") if w)}
        if path == "/xem-them":
            return "offset-pager", {"start": _int(q.get("start")) or 0}
        m = re.fullmatch(r"/tin-tuc/([a-z0-9-]+)(?:/trang-\d+)?\.html", path)
        if m and q.keys() & {"sort", "order", "filter"}:
            return "sort-filter", {"slug": m.group(1), "sort": q.get("sort"),
                                   "order": q.get("order"), "year": _int(q.get("filter"))}
        if path in ("/", "/index.html", "/trang-chu.html"):
            return CHANGING_HOME, {}
        return None

    def page(self, server: Any, title: str, action: str, main: str) -> str:
        return self.mod._page(server.context(), title, f'<section class="tien-ich">\n{main}'
                              "</section>\n")

    def box(self, items: list[str]) -> str:
        return self.mod._side_box(BOX_TITLE, "tien-ich",
                                  "\n".join(f"<li>{i}</li>" for i in items))

    def home_anchor(self) -> str:
        return '<section class="latest">'

    def home_block(self, inner: str) -> str:
        return f'<section class="spotlight"><h2 class="box-title">Tiêu điểm</h2>\n{inner}' \
               "</section>\n"


SCHEMES: dict[str, Scheme] = {s.name: s for s in (AspNet(), SharePoint(), Php(), Liferay(),
                                                   Modern())}


def which(target: str, family: str) -> str | None:
    """The site trap (or ``changing-home``) a request target of ``family`` belongs to."""
    hit = SCHEMES[family].match(target)
    return hit[0] if hit else None
