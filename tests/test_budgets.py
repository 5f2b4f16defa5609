"""Page budgets: URL templates judged by what they yield, the run's page cap, calendars both
ways, remembered cuts, and runs that found nothing (crawler/templates.py, crawler/budget.py)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from crawler.templates import PageBudget, is_dated, url_template
from crawler.traps import trap_reason


# --- templates ----------------------------------------------------------------------------------
@pytest.mark.parametrize("url, template", [
    ("http://x.vn/lich?ngay=2025-06-01", "/lich?ngay="),
    ("http://x.vn/lich?ngay=1784-02-11", "/lich?ngay="),
    ("http://x.vn/Category.aspx?page=3&cat=tin-tuc", "/category.aspx?cat=&page="),
    ("http://x.vn/luu-tru/2019/05/", "/luu-tru/{month}/"),
    ("http://x.vn/tin-tuc/bai-viet-12345.html", "/tin-tuc/{slug}.html"),
    ("http://x.vn/tag/hoi-nghi.html", "/tag/{slug}.html"),
    ("http://x.vn/Pages/2008-1-10/ket-nap-dang-vien-1222.aspx", "/pages/{date}/{slug}.aspx"),
    ("http://x.vn/Default.aspx", "/default.aspx"),
    ("http://x.vn/web/guest/tin-tuc?p_p_id=vcms_INSTANCE_0m4dWiq&_vcms_INSTANCE_0m4dWiq_orderByCol"
     "=title", "/web/guest/{slug}?_vcms_instance_{id}_orderbycol=&p_p_id="),
    ("http://x.vn/lich/2025-06-01", "/lich/{date}"),
    ("http://x.vn/", "/"),
])
def test_url_template(url, template):
    assert template == url_template(url)


@pytest.mark.parametrize("url, dated", [
    ("http://x.vn/lich?ngay=2025-06-01", True),
    ("http://x.vn/luu-tru?thang=5&nam=2019", True),
    ("http://x.vn/luu-tru/2019/05/", True),
    ("http://x.vn/lich/01-06-2025", True),
    ("http://x.vn/Category.aspx?cat=tin-tuc&page=3", False),
    ("http://x.vn/NewsDetail.aspx?id=2019", False),
])
def test_is_dated(url, dated):
    assert dated == is_dated(url)


# --- budgets ------------------------------------------------------------------------------------
def read(budget: PageBudget, url: str, *, new: bool = False, new_articles: int = 0,
         children: tuple[str, ...] = (), links: int = 0, parent: str | None = None):
    """Read one page into ``budget``: (its id, the children it waits for, what it released)."""
    page_id = budget.page_id()
    wait, released = budget.read(url, page_id, new_articles=new_articles,
                                 children=list(children), is_article=new, new_article=new,
                                 article_links=links, parent=parent)
    return page_id, wait, released


def test_a_template_is_cut_after_its_budget_of_idle_pages():
    budget = PageBudget(budget=4)
    for n in range(3):
        read(budget, f"http://x.vn/tag/{n}", links=1)
        assert budget.allows(f"http://x.vn/tag/{n + 1}")
    read(budget, "http://x.vn/tag/3", links=1)
    assert False is budget.allows("http://x.vn/tag/99")


def test_a_dated_template_has_the_smaller_budget():
    budget = PageBudget(budget=10, dated_budget=2)
    for day in ("2025-06-01", "2025-05-31"):
        read(budget, f"http://x.vn/lich?ngay={day}")
    assert False is budget.allows("http://x.vn/lich?ngay=2025-05-30")


def test_a_pager_that_keeps_bringing_new_articles_is_never_cut():
    budget = PageBudget(budget=2)
    for page in range(1, 2001):
        url = f"http://x.vn/Category.aspx?cat=a&page={page}"
        assert budget.allows(url)
        read(budget, url, new_articles=20)
        budget.found_articles(20)
    assert [] == budget.cut()


def test_a_page_waits_for_links_of_templates_not_yet_known():
    budget = PageBudget(budget=1)
    page_id, wait, _ = read(budget, "http://x.vn/Category.aspx?cat=a",
                            children=("http://x.vn/bai-1.html", "http://x.vn/bai-2.html"))
    assert ["http://x.vn/bai-1.html", "http://x.vn/bai-2.html"] == wait
    assert budget.allows("http://x.vn/Category.aspx?cat=b")  # not judged yet
    budget.answered(page_id, False)
    budget.answered(page_id, False)
    assert False is budget.allows("http://x.vn/Category.aspx?cat=b")


def test_the_budget_learns_which_templates_are_articles():
    budget = PageBudget(budget=1)
    read(budget, "http://x.vn/bai-1.html", new=True)
    read(budget, "http://x.vn/chuyen-muc/a")
    _, wait, _ = read(budget, "http://x.vn/Category.aspx?cat=a", children=(
        "http://x.vn/bai-2.html", "http://x.vn/chuyen-muc/b", "http://x.vn/lich/1"))
    assert ["http://x.vn/chuyen-muc/b", "http://x.vn/lich/1"] == wait  # not known yet
    for n in range(2, 5):
        read(budget, f"http://x.vn/chuyen-muc/{n}")
    _, wait, _ = read(budget, "http://x.vn/Category.aspx?cat=c",
                      children=("http://x.vn/bai-3.html", "http://x.vn/chuyen-muc/9"))
    assert [] == wait
    assert True is budget.allows("http://x.vn/Category.aspx?cat=d")  # judged: it yields


def test_a_template_cut_too_early_reopens_with_its_parked_urls():
    budget = PageBudget(budget=1)
    waiting, _, _ = read(budget, "http://x.vn/Category.aspx?cat=a",
                         children=("http://x.vn/bai-1.html",))
    read(budget, "http://x.vn/Category.aspx?cat=b")  # linked only to what was scheduled
    assert False is budget.allows("http://x.vn/Category.aspx?cat=c", parked="request c")
    assert ["request c"] == budget.answered(waiting, True)  # cat=a's link was a new article
    assert budget.allows("http://x.vn/Category.aspx?cat=c")


def test_a_remembered_template_gets_one_probe():
    budget = PageBudget(remembered=frozenset({"/lich?ngay="}))
    assert (True, False) == (budget.allows("http://x.vn/lich?ngay=2025-06-01"),
                             budget.allows("http://x.vn/lich?ngay=2025-05-31"))


def test_a_remembered_template_whose_probe_yields_reopens():
    budget = PageBudget(remembered=frozenset({"/tag/{n}"}))
    budget.allows("http://x.vn/tag/1")
    assert False is budget.allows("http://x.vn/tag/2", parked="tag 2")
    assert ["tag 2"] == read(budget, "http://x.vn/tag/1", new_articles=1)[2]


def test_many_urls_of_one_template_wait_behind_the_rest():
    budget = PageBudget()
    first = [budget.priority(f"http://x.vn/luu-tru?thang={m}&nam=2020") for m in range(1, 13)]
    assert first == sorted(first, reverse=True)
    assert budget.priority("http://x.vn/Category.aspx?cat=a") > first[-1]


def test_other_templates_are_not_cut_with_one():
    budget = PageBudget(budget=1, dated_budget=1)
    read(budget, "http://x.vn/lich?ngay=2025-06-01")
    assert (False, True) == (budget.allows("http://x.vn/lich?ngay=2025-05-31"),
                             budget.allows("http://x.vn/Category.aspx?cat=a"))


def test_unfetched_urls_are_counted_per_cut_template():
    budget = PageBudget(budget=1, dated_budget=1)
    read(budget, "http://x.vn/lich?ngay=2025-06-01")
    for day in range(1, 6):
        budget.allows(f"http://x.vn/lich?ngay=2025-04-0{day}", parked=day if day < 3 else None)
    assert [("/lich?ngay=", 1, 5)] == [(c["template"], c["fetched"], c["unfetched"])
                                       for c in budget.summary()["templates_cut"]]
    assert 5 == budget.summary()["unfetched"]


def test_every_template_still_cut_at_the_end_is_remembered():
    budget = PageBudget(budget=1, dated_budget=1)
    read(budget, "http://x.vn/lich?ngay=2025-06-01")  # a calendar: links to no article
    read(budget, "http://x.vn/Category.aspx?cat=a&sort=title", links=20)  # known articles
    read(budget, "http://x.vn/tag/1", new_articles=2)  # yielded once, then cut: remembered
    read(budget, "http://x.vn/tag/2")
    read(budget, "http://x.vn/tin-tuc/1", new_articles=2)  # never cut
    assert ["/category.aspx?cat=&sort=", "/lich?ngay=", "/tag/{n}"] == sorted(budget.dead())
    assert {"/category.aspx?cat=&sort=": True, "/lich?ngay=": False, "/tag/{n}": True} == {
        c["template"]: c["listed_articles"] for c in budget.summary()["templates_cut"]}


def test_a_template_reopened_by_a_page_that_yielded_is_not_remembered():
    budget = PageBudget(budget=1)
    read(budget, "http://x.vn/tag/1", links=5)
    assert budget.is_cut("http://x.vn/tag/2")
    read(budget, "http://x.vn/tag/2", new_articles=1)  # a probe that yields
    assert [] == budget.dead()


def test_a_remembered_templates_probe_waits_behind_every_other_page():
    budget = PageBudget(remembered=frozenset({"/lich?ngay="}))
    busiest = max(budget.priority(f"http://x.vn/tag/{n}") for n in range(10_000))
    assert budget.priority("http://x.vn/lich?ngay=2025-06-01") < min(
        busiest, budget.priority("http://x.vn/tin-tuc/1"))


def test_an_articles_page_that_is_not_new_says_nothing_of_its_template():
    # Another spelling of an article read before: the site's articles are no trap.
    budget = PageBudget(budget=2, dated_budget=1)
    for n in range(10):
        budget.read(f"http://x.vn/pages/2025-06-0{n % 9 + 1}/bai-{n}.aspx", budget.page_id(),
                    is_article=True, new_article=False)
    assert not budget.is_cut("http://x.vn/pages/2025-06-10/bai-10.aspx")
    for n in range(2):
        read(budget, f"http://x.vn/lich/2025-06-0{n + 1}")
    assert budget.is_cut("http://x.vn/lich/2025-06-03")


def test_without_cuts_only_the_cap_applies():
    budget = PageBudget(budget=1, dated_budget=1, cuts=False)
    for day in range(1, 5):
        read(budget, f"http://x.vn/lich?ngay=2025-06-0{day}")
    assert True is budget.allows("http://x.vn/lich?ngay=2025-06-05")


def test_remembered_templates_are_not_written_again():
    budget = PageBudget(remembered=frozenset({"/lich?ngay="}))
    assert [] == budget.dead()


def test_the_page_cap_grows_with_the_articles_found():
    budget = PageBudget(budget=10**6, cap_base=3, cap_per_article=2)
    for n in range(3):
        read(budget, f"http://x.vn/p/{n}")
    assert (False, True) == (budget.allows("http://x.vn/p/3"), budget.capped)
    budget.found_articles(1)
    assert True is budget.allows("http://x.vn/p/3")
    assert 5 == budget.cap


# --- calendars both ways ------------------------------------------------------------------------
@pytest.mark.parametrize("url, reason", [
    ("http://x.vn/lich?ngay=1784-02-11", "calendar"),
    ("http://x.vn/lich?ngay=11/02/1784", "calendar"),
    ("http://x.vn/lich?ngay=2027-01-01", "calendar"),
    ("http://x.vn/luu-tru/1900/05/", "calendar"),
    ("http://x.vn/luu-tru?thang=1&nam=1900", "calendar"),
    ("http://x.vn/luu-tru?thang=1899-12", "calendar"),
    ("http://x.vn/lich?ngay=2025-06-01", None),
    ("http://x.vn/luu-tru/2019/05/", None),
    ("http://x.vn/luu-tru?thang=1&nam=2019", None),
    ("http://x.vn/NewsDetail.aspx?id=1899-1", None),  # an id, not a month
    ("http://x.vn/van-ban/1234-qd-ubnd.html", None),
])
def test_calendar_dates_are_traps_before_the_earliest_and_after_next_week(url, reason):
    assert reason == trap_reason(url, today=date(2026, 11, 26))


def test_the_earliest_plausible_date_is_a_setting():
    assert "calendar" == trap_reason("http://x.vn/lich?ngay=2005-06-01",
                                     earliest=date(2010, 1, 1), today=date(2026, 11, 26))


# --- crawls -------------------------------------------------------------------------------------
def _stats(db) -> list[dict]:
    """Each run's stats, oldest first, with its status as ``status``."""
    with sqlite3.connect(db) as conn:
        return [{**json.loads(s), "status": status} for s, status in conn.execute(
            "SELECT stats, status FROM crawls ORDER BY id")]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The trapped replica crawled twice into one archive (epoch 1, then epoch 2)."""
    from replica.server import ReplicaServer
    from tests.conftest import crawl

    db = tmp_path_factory.mktemp("budgets") / "archive.db"
    with ReplicaServer(today=date.today(), traps=True) as server:
        first = crawl(server.url + "/", db)
        first_log = list(server.log)
        server.log.clear()
        server.set_epoch(2)
        second = crawl(server.url + "/", db)
        second_log = list(server.log)
    return {"db": db, "runs": (first, second), "logs": (first_log, second_log)}


def test_the_calendar_template_is_cut_and_named_in_the_run(two_runs):
    first = _stats(two_runs["db"])[0]["archive/budget"]
    assert "/category.aspx?cat=&ngay=" in [c["template"] for c in first["templates_cut"]]


def test_a_dead_template_is_remembered_in_the_archive(two_runs):
    with sqlite3.connect(two_runs["db"]) as conn:
        rows = conn.execute("SELECT template, reason FROM cut_templates").fetchall()
    assert ("/category.aspx?cat=&ngay=", "dated pages without a new article") in rows


def test_the_next_run_pays_one_probe_for_a_remembered_template(two_runs):
    first_log, second_log = two_runs["logs"]
    assert 3 <= len([e for e in first_log if e.get("trap") == "calendar"])
    assert 1 == len([e["target"] for e in second_log if e.get("trap") == "calendar"])
    second = _stats(two_runs["db"])[1]["archive/budget"]
    assert "remembered" in [c["reason"] for c in second["templates_cut"]]


def test_both_runs_end_with_their_articles(two_runs):
    first, second = two_runs["runs"]
    assert (3, 3) == (first.returncode, second.returncode), second.stderr[-2000:]  # one 404
    assert ["failures", "failures"] == [s["status"] for s in _stats(two_runs["db"])]


# --- runs that found nothing --------------------------------------------------------------------
def test_a_profile_whose_layout_does_not_fit_switches_to_the_generic_fallback(
        replica_server, tmp_path):
    from tests.conftest import crawl

    result = crawl(replica_server.url + "/", tmp_path / "a.db", "--site", "modern-replica")
    portal = replica_server.portal
    linked = {a.url_path.lower() for a in portal.public_articles()
              if a.id in portal.linked_ids()}
    with sqlite3.connect(tmp_path / "a.db") as conn:  # the replica's URLs ignore case
        urls = {u.split(replica_server.url, 1)[1].lower() for (u,) in conn.execute(
            "SELECT url FROM articles")}
    assert result.returncode in (0, 3), result.stderr[-2000:]
    assert "switched to the generic fallback" in result.stdout
    assert linked <= urls


def test_a_profile_whose_layout_does_not_fit_never_ends_with_success(replica_server, tmp_path):
    from tests.conftest import crawl

    result = crawl(replica_server.url + "/", tmp_path / "a.db", "--site", "modern-replica",
                   "-s", "ARCHIVE_LAYOUT_FALLBACK=False")
    stats = _stats(tmp_path / "a.db")[-1]
    assert (3, "degraded") == (result.returncode, stats["status"]), result.stdout
    assert "no article found" in result.stdout


def test_a_run_that_finds_known_articles_only_is_complete():
    from crawler.runs import nothing_archived

    assert None is nothing_archived({"response_received_count": 12,
                                     "archive/articles/skipped_known": 40})
    assert "no article found" in nothing_archived({"response_received_count": 12})
    assert None is nothing_archived({})  # nothing fetched: the failures say why


# --- bundled profiles are chosen by name ------------------------------------------------------
def test_no_bundled_profile_claims_a_loopback_url():
    from crawler.profiles import profile_for

    for url in ("http://127.0.0.1:8080/", "http://127.0.0.1/", "http://localhost:9000/",
                "http://127.0.0.1:8080/NewsDetail.aspx?id=5"):
        assert "generic" == profile_for(url).layout, url


def test_a_profile_matches_its_host_on_its_port_only(tmp_path):
    from crawler.profiles import profile_for

    (tmp_path / "p.toml").write_text('name = "p"\nbase_url = "https://portal.example.vn/"\n'
                                     'aliases = ["old.example.vn"]\nlayout = "aspnet_office"\n')
    found = {url: profile_for(url, extra_dir=str(tmp_path)).name for url in (
        "https://portal.example.vn/a", "http://old.example.vn/b",
        "https://portal.example.vn:8443/c", "https://other.example.vn/")}
    assert {"https://portal.example.vn/a": "p", "http://old.example.vn/b": "p",
            "https://portal.example.vn:8443/c": "portal.example.vn:8443",
            "https://other.example.vn/": "other.example.vn"} == found


def test_the_coverage_report_names_the_cut_templates(two_runs, tmp_path):
    from crawler.report import report

    page = report(two_runs["db"], tmp_path / "report.html").read_text(encoding="utf-8")
    assert "What the runs left out" in page
    assert "<code>/category.aspx?cat=&amp;ngay=</code>" in page


def test_the_run_summary_names_the_cut_templates(two_runs):
    first, _ = two_runs["runs"]
    assert "/category.aspx?cat=&ngay= (dated pages without a new article" in first.stdout


def test_a_run_that_reaches_the_page_cap_ends_degraded_with_the_reason(replica_server,
                                                                        tmp_path):
    from tests.conftest import crawl

    result = crawl(replica_server.url + "/", tmp_path / "a.db", "-s", "ARCHIVE_MAX_PAGES=3",
                   "-s", "ARCHIVE_MAX_PAGES_PER_ARTICLE=0")
    stats = _stats(tmp_path / "a.db")[-1]
    assert (3, "degraded") == (result.returncode, stats["status"]), result.stdout
    assert "page cap reached" in result.stdout
    # Past the cap no page is asked for; those asked for before it may still come in.
    assert 0 < stats["archive/budget"]["refused_by_cap"]
    assert stats["archive/budget"]["pages"] <= 3 + 8  # CONCURRENT_REQUESTS_PER_DOMAIN
