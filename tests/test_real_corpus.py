"""The corpus of real pages (tests/fixtures/real/) is well-formed, and the benchmark's scoring
rules behave. Accuracy on the corpus is not asserted here: ``python -m bench.real`` prints it."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from bench.real import (
    CORPUS,
    KINDS,
    Extracted,
    captions_found,
    contains,
    load_corpus,
    norm,
    same_author,
    same_category,
    same_day,
    same_title,
    score,
    site_of,
    stops_at_its_end,
    table,
)

FOLDERS = sorted(p for p in CORPUS.iterdir() if (p / "truth.json").is_file())
ARTICLE_FIELDS = {"kind", "title", "date", "author", "category", "captions", "body_start",
                  "body_end", "not_body", "notes"}


def truth_of(folder: Path) -> dict:
    return json.loads((folder / "truth.json").read_text(encoding="utf-8"))


def source_of(folder: Path) -> dict:
    return json.loads((folder / "source.json").read_text(encoding="utf-8"))


def page_text(folder: Path) -> str:
    page = folder / "page.html"
    if not page.exists():
        pytest.skip(f"{folder.name}/page.html is not in this checkout")
    root = lxml.html.document_fromstring(page.read_bytes().decode("utf-8", "replace"))
    for el in root.xpath("//script|//style"):
        el.drop_tree()
    return norm(root.text_content())


# --- the corpus -------------------------------------------------------------------------------


def test_folders_are_named_site_dash_number():
    assert [] == [f.name for f in FOLDERS if not re.fullmatch(r"[a-z0-9-]+-\d+", f.name)]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_truth_names_a_known_kind(folder):
    assert truth_of(folder)["kind"] in KINDS


@pytest.mark.parametrize("folder", [f for f in FOLDERS if truth_of(f)["kind"] == "article"],
                         ids=lambda p: p.name)
def test_article_truth_is_well_formed(folder):
    t = truth_of(folder)
    assert ARTICLE_FIELDS - {"notes", "not_body"} <= set(t) <= ARTICLE_FIELDS
    assert norm(t["title"])
    assert date.fromisoformat(t["date"]).isoformat() == t["date"]
    assert t["author"] is None or norm(t["author"])
    assert t["category"] is None or norm(t["category"])
    assert all(set(c) == {"caption", "credit"} and norm(c["caption"]) for c in t["captions"])
    assert 20 <= len(t["body_start"]) <= 100 and 20 <= len(t["body_end"]) <= 100
    # what the page shows after the article; none only where nothing follows it (a print view)
    after = t.get("not_body", [])
    assert 1 <= len(after) <= 3 or "No not_body" in t["notes"]
    assert all(5 <= len(norm(f)) <= 150 for f in after)
    assert not any(norm(f) in norm(t[k]) for f in after for k in ("body_start", "body_end"))


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_source_names_a_repository_path_and_commit(folder):
    s = source_of(folder)
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", s["repo"])
    assert s["path"] and not s["path"].startswith("/")
    assert re.fullmatch(r"[0-9a-f]{40}", s["commit"])
    assert s["url"] is None or s["url"].startswith(("http://", "https://"))
    assert date.fromisoformat(s["retrieved"])


@pytest.mark.parametrize("folder", [f for f in FOLDERS if truth_of(f)["kind"] == "article"],
                         ids=lambda p: p.name)
def test_article_truth_is_read_off_the_page(folder):
    t, text = truth_of(folder), page_text(folder)
    wanted = [t["title"], t["body_start"], t["body_end"], *(c["caption"] for c in t["captions"]),
              *t.get("not_body", [])]
    assert [] == [w for w in wanted if norm(w) not in text]


def test_corpus_reaches_the_issue_target():
    # issue 19: at least 60 pages from at least 15 sites, with every kind of page
    with_page = [f for f in FOLDERS if (f / "page.html").exists()]
    assert len(with_page) >= 60 and len({site_of(f.name) for f in with_page}) >= 15
    assert set(KINDS) == {truth_of(f)["kind"] for f in with_page}


# --- scoring rules ---------------------------------------------------------------------------


def test_norm_composes_and_collapses_white_space():
    assert "Tiếng Việt có dấu" == norm("Tie\u0302\u0301ng  Vie\u0323\u0302t\u00a0có\n dấu ")


def test_titles_must_be_equal_after_normalising():
    assert same_title("Khu  tưởng niệm\u00a0", "Khu tưởng niệm")
    assert not same_title("Khu tưởng niệm - VnExpress", "Khu tưởng niệm")
    assert not same_title(None, "Khu tưởng niệm")


def test_dates_count_to_the_day():
    assert same_day("2019-02-18T17:34:00+07:00", "2019-02-18")
    assert not same_day("2019-02-19", "2019-02-18")
    assert not same_day(None, "2019-02-18")


def test_authors_ignore_case_and_no_author_wants_none():
    assert same_author("Xuân Long", "XUÂN LONG")
    assert not same_author("VnExpress", "Võ Hải")
    assert same_author(None, None)
    assert not same_author("Admin", None)


def test_categories_match_a_breadcrumb_step():
    assert same_category("Vĩ mô", "Kinh doanh > Vĩ mô")
    assert same_category("Trang chủ » Thời sự", "thời sự")
    assert not same_category("Kinh doanh", "Thời sự")
    assert not same_category(None, "Thời sự")


def test_body_is_checked_by_containment():
    assert contains("Sáng gần ngày rằm tháng Giêng,\n ông Dậu", "tháng Giêng, ông Dậu")
    assert not contains("Sáng gần ngày rằm", "ông Dậu")
    assert not contains(None, "ông Dậu")


def test_a_body_stops_at_its_end_when_it_holds_none_of_what_follows_the_article():
    after = ["Tin liên quan", "Hà Nội công bố danh sách trò chơi"]
    assert stops_at_its_end("Sáng nay, hội nghị đã diễn ra.", after)
    assert not stops_at_its_end("Sáng nay, hội nghị đã diễn ra.\nTin  liên quan", after)
    assert not stops_at_its_end(None, after)


def test_captions_need_their_credit():
    want = [{"caption": "Mặt bia mộ ghi thông tin.", "credit": "Võ Hải"}]
    assert captions_found([("Mặt bia mộ ghi thông tin", "võ hải")], want)
    assert not captions_found([("Mặt bia mộ ghi thông tin.", None)], want)
    assert not captions_found([], want)


def test_a_refused_article_scores_nothing_and_a_refused_listing_scores_a_refusal(tmp_path):
    (tmp_path / "x-1").mkdir()
    (tmp_path / "x-1" / "page.html").write_bytes(b"<html><body><p>x</p></body></html>")
    (tmp_path / "x-1" / "source.json").write_text('{"url": null, "repo": "a/b", "path": "p"}')
    (tmp_path / "x-1" / "truth.json").write_text('{"kind": "listing"}')
    (case,), absent = load_corpus(tmp_path)
    assert ({"refused": True}, []) == (score(case, Extracted(found=False)), absent)
    case.truth = {"kind": "article", "title": "T", "date": "2020-01-02", "author": None,
                  "category": None, "captions": [], "body_start": "a", "body_end": "b"}
    assert not any(score(case, Extracted(found=False)).values())


def test_table_has_one_row_per_field():
    from bench.real import ROWS, TOOLS, Tally

    tallies = {tool: {key: Tally() for key, _ in ROWS} for tool in TOOLS}
    assert len(ROWS) + 4 == len(table(tallies, []).splitlines())


def test_the_benchmark_refuses_to_run_without_the_tools_it_compares_with(monkeypatch, capsys):
    import bench.real

    monkeypatch.setattr(bench.real, "find_spec", lambda name: None)
    assert 2 == bench.real.main([])
    out, err = capsys.readouterr()
    assert "" == out and 1 == len(err.strip().splitlines())
    assert "trafilatura and htmldate not installed" in err
