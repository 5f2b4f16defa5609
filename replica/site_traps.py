"""The traps real portals have, in every CMS family: ``ReplicaServer(site_traps=True)``.

Six URL traps, each written in the family's own URL style (the table of URLs is in
replica/traps.py's docstring and replica/README.md), linked from a "Tiện ích" box in every
page's sidebar and from a "Từ khóa" tag list in the same box:

``calendar-day`` / ``calendar-month``  the work calendar ("Lịch công tác"): a day lists its
        events (no article links) and links the previous and next day and the previous and
        next month; a month lists its days. Every date from year 1 to 9999 answers 200.
``month-archive``  "Lưu trữ": one page links every month from today's back to January 1900;
        a month page links the articles published that month (none for most months).
``tag``  a tag (words of article titles) lists up to five articles whose titles hold all its
        words (filled up to three with related ones), the tags of those titles, and the tag
        extended by one more title word: the tag space never ends.
``sort-filter``  the family's category listing plus sort (date, title, views), order and
        year-filter parameters; each page links every other combination and the same order
        of the other categories, so the same articles show under many URLs.
``offset-pager``  "Xem thêm": the public articles newest first, ten from an offset; beyond the
        last article it answers 200 with an empty list and still links the next offset.

and ``changing-home``: the home page gets a "Tiêu điểm" block whose picks and notice depend
on the model's epoch (deterministic), and a visitor counter that changes on every request.

Everything is derived from the portal model and the server's ``today``; only the counter
changes between two identical requests. Real articles keep their normal listings, so a
crawler that cuts every trap still finds them all.

The URLs are built and recognised per family in replica/trap_urls.py. Standard library only;
imports nothing from ``crawler/``.
"""

from __future__ import annotations

import calendar
import hashlib
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from random import Random
from typing import Any

from . import templates
from .model import DISTRICTS, NAMES, ROLES, TOPICS, UNITS, WEEKDAYS, Article, Portal
from .trap_urls import (
    CHANGING_HOME,
    ORDERS,
    PAGE_SIZE,
    SCHEMES,
    SITE_TRAPS,
    SORTS,
    WORD,
    Scheme,
    fold,
    which,
)

__all__ = ["CHANGING_HOME", "LABELS", "SITE_TRAPS", "box", "furnish", "route", "which"]
FIRST_ARCHIVE_YEAR = 1900
#: Link texts of the furniture box (tests look for them).
LABELS = {"calendar": "Lịch công tác", "archive": "Lưu trữ tin bài",
          "offset": "Xem thêm tin mới", "sort": "Sắp xếp tin"}

_TIMES = ("07h30", "08h00", "09h00", "14h00", "15h30")
_ACTS = ("họp với {unit} về {topic}", "làm việc tại {district} về {topic}",
         "dự hội nghị trực tuyến về {topic}", "kiểm tra tình hình {topic} tại {district}",
         "tiếp công dân định kỳ", "nghe báo cáo của {unit}")
_PLACES = ("Phòng họp số 1, trụ sở UBND tỉnh", "Phòng họp số 2, trụ sở UBND tỉnh",
           "Phòng họp trực tuyến", "Trụ sở {unit}", "Tại {district}")


# --------------------------------------------------------------------------- derived data


def views(aid: int) -> int:
    """The view count a listing sorts by ("Lượt xem")."""
    return 100 + int(hashlib.md5(f"luot-xem:{aid}".encode()).hexdigest(), 16) % 4900


def _hash(*parts: object) -> bytes:
    return hashlib.sha256(":".join(map(str, parts)).encode()).digest()


@dataclass
class _Derived:
    """What the traps need from one portal state, computed once."""

    ids: list[int]  # public article ids, newest first
    by_month: dict[tuple[int, int], list[int]]  # public article ids of a month, newest first
    by_word: dict[str, list[int]]  # public article ids whose title has a folded word
    words: dict[int, frozenset[str]]  # folded title words of each public article
    bigrams: dict[int, list[tuple[str, str]]]  # folded title word pairs, in title order
    shown: dict[str, str]  # folded word -> the word as titles write it (lower case)
    vocab: list[str]  # every folded title word, sorted
    top_tags: list[tuple[str, ...]]  # the most frequent word pairs


_DERIVED: dict[tuple[int, int, int, int], _Derived] = {}


def derived(portal: Portal) -> _Derived:
    key = (portal.seed, portal.n_articles, portal.epoch, len(portal.articles))
    got = _DERIVED.get(key)
    if got is not None:
        return got
    ids: list[int] = []
    by_month: dict[tuple[int, int], list[int]] = {}
    by_word: dict[str, list[int]] = {}
    words: dict[int, frozenset[str]] = {}
    bigrams: dict[int, list[tuple[str, str]]] = {}
    shown: dict[str, str] = {}
    counts: Counter[tuple[str, str]] = Counter()
    for a in portal.public_articles():
        ids.append(a.id)
        d = a.published_date
        by_month.setdefault((d.year, d.month), []).append(a.id)
        raw = [w.lower() for w in WORD.findall(unicodedata.normalize("NFC", a.title))]
        folded = [fold(w) for w in raw]
        for w, f in zip(raw, folded, strict=True):
            shown.setdefault(f, w)
        words[a.id] = frozenset(folded)
        for f in words[a.id]:
            by_word.setdefault(f, []).append(a.id)
        pairs = [(x, y) for x, y in zip(folded, folded[1:], strict=False) if x != y]
        bigrams[a.id] = pairs
        counts.update(set(pairs))
    top = [pair for pair, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:8]]
    got = _Derived(ids, by_month, by_word, words, bigrams, shown, sorted(shown), top)
    if len(_DERIVED) > 32:
        _DERIVED.clear()
    _DERIVED[key] = got
    return got


def events(seed: int, day: date) -> list[tuple[str, str, str]]:
    """The work calendar of ``day``: (time, what, where), deterministic for the seed."""
    h = _hash("lich", seed, day.isoformat())
    n = h[0] % 4 if day.weekday() < 5 else int(h[0] % 6 == 0)
    out = []
    for k in range(n):
        b = h[1 + 4 * k: 5 + 4 * k]
        slots = {"unit": UNITS[b[1] % len(UNITS)], "topic": TOPICS[b[2] % len(TOPICS)],
                 "district": DISTRICTS[b[3] % len(DISTRICTS)]}
        who = f"Đồng chí {NAMES[b[0] % len(NAMES)]}, {ROLES[b[1] % len(ROLES)]}"
        what = f"{who} {_ACTS[b[2] % len(_ACTS)].format(**slots)}."
        out.append((_TIMES[b[3] % len(_TIMES)], what,
                    _PLACES[b[0] % len(_PLACES)].format(**slots)))
    return sorted(out)


# --------------------------------------------------------------------------- pages


def _a(url: str) -> str:
    return escape(url, quote=True)


def _link(url: str, text: str) -> str:
    return f'<a href="{_a(url)}">{templates._e(text)}</a>'


def _dmy_text(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _news_list(s: Scheme, portal: Portal, articles: list[Article], empty: str) -> str:
    if not articles:
        return f'<p class="empty">{templates._e(empty)}</p>\n'
    lis = "\n".join(
        f'<li><a href="{_a(s.article(portal, a))}">{templates._e(templates._served(a, a.title))}'
        f'</a> <span class="date">({_dmy_text(a.published_date)})</span></li>'
        for a in articles)
    return f'<ul class="news-list">\n{lis}\n</ul>\n'


def _shift_month(y: int, m: int, k: int) -> tuple[int, int] | None:
    n = y * 12 + (m - 1) + k
    y2, m2 = divmod(n, 12)
    return (y2, m2 + 1) if 1 <= y2 <= 9999 else None


def calendar_day(server: Any, s: Scheme, d: date) -> tuple[str, str]:
    title = f"Lịch công tác ngày {_dmy_text(d)}"
    nav = []
    if d > date.min:
        nav.append(_link(s.day(date.fromordinal(d.toordinal() - 1)), "« Ngày trước"))
    if d < date.max:
        nav.append(_link(s.day(date.fromordinal(d.toordinal() + 1)), "Ngày sau »"))
    before, after = _shift_month(d.year, d.month, -1), _shift_month(d.year, d.month, 1)
    if before:
        nav.append(_link(s.month(*before), "« Tháng trước"))
    nav.append(_link(s.month(d.year, d.month), f"Cả tháng {d.month}/{d.year}"))
    if after:
        nav.append(_link(s.month(*after), "Tháng sau »"))
    rows = "\n".join(f"<tr><td>{t}</td><td>{templates._e(what)}</td><td>{templates._e(where)}"
                     "</td></tr>" for t, what, where in events(server.portal.seed, d))
    table = (
        '<table class="lich" border="1" cellpadding="4" cellspacing="0">\n'
        "<tr><th>Thời gian</th><th>Nội dung</th><th>Địa điểm</th></tr>\n"
        + (rows or '<tr><td colspan="3">Không có lịch công tác.</td></tr>') + "\n</table>\n")
    main = (f"<h2>{templates._e(title)}</h2>\n"
            f'<p class="weekday">{WEEKDAYS[d.weekday()]}, {_dmy_text(d)}</p>\n'
            f'<div class="lich-nav">{" | ".join(nav)}</div>\n{table}')
    return title, main


def calendar_month(server: Any, s: Scheme, ym: tuple[int, int]) -> tuple[str, str]:
    y, m = ym
    title = f"Lịch công tác tháng {m}/{y}"
    nav = []
    before, after = _shift_month(y, m, -1), _shift_month(y, m, 1)
    if before:
        nav.append(_link(s.month(*before), "« Tháng trước"))
    if after:
        nav.append(_link(s.month(*after), "Tháng sau »"))
    days = []
    for k in range(1, calendar.monthrange(y, m)[1] + 1):
        d = date(y, m, k)
        evs = events(server.portal.seed, d)
        first = f" {evs[0][0]}: {templates._e(evs[0][1])}" if evs else ""
        days.append(f"<li>{_link(s.day(d), f'{WEEKDAYS[d.weekday()]} {_dmy_text(d)}')}"
                    f" ({len(evs)} sự kiện){first}</li>")
    main = (f"<h2>{templates._e(title)}</h2>\n"
            f'<div class="lich-nav">{" | ".join(nav)}</div>\n'
            f'<ul class="lich-thang">\n' + "\n".join(days) + "\n</ul>\n")
    return title, main


def _last_month(today: date) -> tuple[int, int]:
    return today.year, today.month


def archive_index(server: Any, s: Scheme) -> tuple[str, str]:
    last_y, last_m = _last_month(server.today)
    blocks = []
    for y in range(last_y, FIRST_ARCHIVE_YEAR - 1, -1):
        months = range(last_m if y == last_y else 12, 0, -1)
        links = " | ".join(_link(s.archive((y, m)), f"Tháng {m}/{y}") for m in months)
        blocks.append(f'<div class="nam"><b>Năm {y}</b>: {links}</div>')
    title = "Lưu trữ tin bài theo tháng"
    return title, f"<h2>{title}</h2>\n" + "\n".join(blocks) + "\n"


def archive_month(server: Any, s: Scheme, ym: tuple[int, int]) -> tuple[str, str]:
    portal = server.portal
    y, m = ym
    month_ids = derived(portal).by_month.get(ym, [])
    nav = [_link(s.archive(), "Lưu trữ")]
    before, after = _shift_month(y, m, -1), _shift_month(y, m, 1)
    if before and before >= (FIRST_ARCHIVE_YEAR, 1):
        nav.append(_link(s.archive(before), "« Tháng trước"))
    if after and after <= _last_month(server.today):
        nav.append(_link(s.archive(after), "Tháng sau »"))
    title = f"Tin bài tháng {m}/{y}"
    main = (f"<h2>{templates._e(title)}</h2>\n"
            f'<div class="luu-tru-nav">{" | ".join(nav)}</div>\n'
            + _news_list(s, portal, [portal.articles[i] for i in month_ids],
                         "Không có tin bài nào trong tháng này."))
    return title, main


def _shown(d: _Derived, words: tuple[str, ...]) -> str:
    return " ".join(d.shown.get(w, w) for w in words)


def tag_page(server: Any, s: Scheme, words: tuple[str, ...]) -> tuple[str, str]:
    portal = server.portal
    d = derived(portal)

    def tag_link(ws: tuple[str, ...]) -> str:
        return _link(s.tag(ws, _shown(d, ws)), _shown(d, ws))

    if not words:
        title = "Từ khóa"
        cloud = " ".join(tag_link(t) for t in d.top_tags)
        return title, f"<h2>{title}</h2>\n<div class=\"tag-cloud\">{cloud}</div>\n"
    wanted = set(words)
    shortest = min((d.by_word.get(w, []) for w in wanted), key=len)
    hits = [i for i in shortest if wanted <= d.words[i]][:5]
    rng = Random(_hash("tag", portal.seed, "-".join(words)))
    if len(hits) < 3:  # "related" articles, so that every tag page lists a few
        picks = rng.sample(d.ids, min(6, len(d.ids)))
        hits += [i for i in picks if i not in hits][:3 - len(hits)]
    more: list[tuple[str, ...]] = []
    for i in hits[:3]:
        for pair in d.bigrams.get(i, [])[:2]:
            if pair != words and pair not in more:
                more.append(pair)
    others = [w for w in d.vocab if w not in wanted]
    for w in rng.sample(others, min(4, len(others))):
        more.append((*words, w))
    title = f"Từ khóa: {_shown(d, words)}"
    main = (f"<h2>{templates._e(title)}</h2>\n"
            + _news_list(s, portal, [portal.articles[i] for i in hits], "Chưa có tin bài.")
            + '<div class="tag-lien-quan">Từ khóa liên quan: '
            + " ".join(tag_link(t) for t in more) + "</div>\n")
    return title, main


def sort_page(server: Any, s: Scheme, slug: str, sort: int, order: int,
              year: int | None) -> tuple[str, str]:
    portal = server.portal
    cat = portal.category(slug)
    assert cat is not None
    articles = portal.category_articles(slug)
    years = sorted({a.published_date.year for a in articles}, reverse=True)
    if year is not None:
        articles = [a for a in articles if a.published_date.year == year]
    keys = (lambda a: (a.published_date, a.id), lambda a: (a.title.casefold(), a.id),
            lambda a: (views(a.id), a.id))
    articles = sorted(articles, key=keys[sort], reverse=order == 0)[:PAGE_SIZE]
    names = ("Ngày đăng", "Tiêu đề", "Lượt xem")
    combos = []
    for k in range(len(SORTS)):
        for o in range(len(ORDERS)):
            for yr in (None, *years):
                text = f"{names[k]} {'giảm' if o == 0 else 'tăng'} dần" \
                       + (f", năm {yr}" if yr else "")
                if (k, o, yr) == (sort, order, year):
                    combos.append(f"<b>{templates._e(text)}</b>")
                else:
                    combos.append(_link(s.sort(portal, slug, k, o, yr), text))
    cats = " | ".join(_link(s.sort(portal, c.slug, sort, order, None), c.name)
                      for c in portal.public_categories() if c.slug != slug)
    title = f"{cat.name} - sắp xếp theo {names[sort].lower()}"
    main = (f"<h2>{templates._e(title)}</h2>\n"
            f'<div class="sap-xep">Sắp xếp: {" | ".join(combos)}</div>\n'
            f'<div class="chuyen-muc-khac">Chuyên mục khác: {cats}</div>\n'
            + _news_list(s, portal, articles, "Không có tin bài."))
    return title, main


def offset_page(server: Any, s: Scheme, start: int) -> tuple[str, str]:
    portal = server.portal
    articles = [portal.articles[i] for i in derived(portal).ids[start:start + PAGE_SIZE]]
    nav = []
    if start > 0:
        nav.append(_link(s.offset(max(start - PAGE_SIZE, 0)), "« Tin mới hơn"))
    nav.append(_link(s.offset(start + PAGE_SIZE), "Xem thêm »"))
    title = "Tin mới"
    main = (f"<h2>{title}</h2>\n"
            + _news_list(s, portal, articles, "Không còn tin bài.")
            + f'<div class="xem-them">{" | ".join(nav)}</div>\n')
    return title, main


def route(server: Any, target: str) -> tuple[int, str] | None:
    """(status, HTML) for a site-trap URL of the server's family, or None when ``target``
    is not one (the home page included: the family serves it, :func:`furnish` changes it)."""
    s = SCHEMES[server.family]
    hit = s.match(target)
    if hit is None or hit[0] == CHANGING_HOME:
        return None
    trap, args = hit
    today = server.today
    portal = server.portal
    if trap == "calendar-day":
        title, main = calendar_day(server, s, args["day"] or today)
    elif trap == "calendar-month":
        title, main = calendar_month(server, s, args["month"] or (today.year, today.month))
    elif trap == "month-archive":
        if args["index"] or args["month"] is None:
            title, main = archive_index(server, s)
        else:
            title, main = archive_month(server, s, args["month"])
    elif trap == "tag":
        title, main = tag_page(server, s, args["words"])
    elif trap == "offset-pager":
        title, main = offset_page(server, s, args["start"])
    else:  # sort-filter
        slug = args.get("slug")
        if slug is None:  # Liferay: the friendly URL names the category
            slug = next((c.slug for c in portal.categories
                         if s.mod.category_path(portal, c.slug) == args["path"]), "")
        cat = portal.category(slug)
        if cat is None or not cat.public:
            return None  # the family's own answer (404, or its listing of a hidden category)
        title, main = sort_page(server, s, slug, s.sort_index(args["sort"]),
                                s.order_index(args["order"]), args["year"])
    return 200, s.page(server, title, target, main)


# --------------------------------------------------------------------------- furniture


def box(server: Any) -> str:
    """The "Tiện ích" box of every page: links into each trap, then a few tags."""
    s = SCHEMES[server.family]
    portal = server.portal
    d = derived(portal)
    first = portal.public_categories()[0]
    items = [
        _link(s.day(server.today), LABELS["calendar"]),
        _link(s.archive(), LABELS["archive"]),
        _link(s.offset(PAGE_SIZE), LABELS["offset"]),
        _link(s.sort(portal, first.slug, 0, 0, None), LABELS["sort"]),
        "Từ khóa: " + ", ".join(_link(s.tag(t, _shown(d, t)), _shown(d, t))
                                for t in d.top_tags[:5]),
    ]
    return s.box(items)


def spotlight(server: Any) -> str:
    """The deterministic part of the home block: picks and a notice that depend on the epoch."""
    s = SCHEMES[server.family]
    portal = server.portal
    pool = [a for a in portal.public_articles() if a.id != portal.notice_id]
    picks = Random(_hash("tieu-diem", portal.seed, portal.epoch)).sample(pool, 3)
    newest = pool[0].published_date
    lis = "\n".join(f'<li><a href="{_a(s.article(portal, a))}">'
                    f"{templates._e(templates._served(a, a.title))}</a></li>" for a in picks)
    return (f'<div class="tieu-diem"><ul>\n{lis}\n</ul>\n<p class="thong-bao">Cổng thông tin '
            f"đã đăng {len(pool)} tin bài, tin mới nhất ngày {_dmy_text(newest)} "
            f"(phiên bản {portal.epoch}).</p></div>\n")


def furnish(server: Any, target: str, body: bytes, visit: Callable[[], int]) -> bytes:
    """``body`` (an HTML page of the server's family) with the trap box in its sidebar and,
    on the home page, the "Tiêu điểm" block and a visitor number (``visit()``, called once
    per home page served)."""
    s = SCHEMES[server.family]
    anchor = s.box_anchor.encode()
    if anchor in body:
        body = body.replace(anchor, box(server).encode() + anchor, 1)
    hit = s.match(target)
    if hit is not None and hit[0] == CHANGING_HOME:
        home = s.home_anchor().encode()
        if home in body:
            counter = 1_000_000 + server.portal.seed % 100_000 + visit()
            block = s.home_block(spotlight(server) + '<div class="visitor-counter">Bạn là người '
                                 f"truy cập thứ: {counter}</div>\n").encode()
            body = body.replace(home, home + block if s.home_after else block + home, 1)
    return body
