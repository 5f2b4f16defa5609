"""Extraction on real pages saved by others: our zero-config layout beside trafilatura and htmldate.

The corpus is ``tests/fixtures/real/<site>-<n>/`` (``page.html`` kept byte for byte as found,
``source.json`` naming where it came from, ``truth.json`` written by reading the page; see
that folder's README). For every page this runs, in one process:

- ours: the generic layout (``get_layout("generic").article(page)``), what a portal with no
  profile gets; ``None`` means "this page holds no article";
- ours, learned: the generic layout with the profile :func:`crawler.extraction.learn.learn`
  learns from the site's other pages in the corpus (never from the page itself), as a
  zero-config crawl does once it has read enough of a portal; where the corpus holds fewer
  than ``LEARN_FROM`` other pages of the site, the same as ours;
- trafilatura: ``bare_extraction(with_metadata=True, include_comments=False)``; ``None`` or
  an empty text means it found nothing;
- htmldate: ``find_date(original_date=True)``, dates only.

and prints one table: per field, how many pages each tool got right. Article fields count
over every article page (a page a tool missed counts as wrong); "non-article refused" is the
share of home, listing and other pages for which the tool returned nothing.

    python -m bench.real            # the table
    python -m bench.real --pages    # the table, then each page's misses
    python -m bench.real --json     # figures and per-page results as JSON

Scoring (the functions below are pure and tested): text is NFC-normalised and its white space
collapsed; titles must be equal; dates equal to the day; authors and categories equal ignoring
case (a category also matches one step of a breadcrumb such as "Kinh doanh > Vĩ mô"); a
caption must be found with its credit; the body must contain the truth's first and last
~60 characters, and none of the texts the page shows after the article (``not_body``: the
next box's heading, its first entry's title).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from importlib.util import find_spec
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "real"
KINDS = ("article", "listing", "home", "other")
TOOLS = ("ours", "learned", "trafilatura", "htmldate")
#: The fewest other pages of a site the learned column learns from.
LEARN_FROM = 5

# --- scoring: pure functions ------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\ufeff]")
_CRUMB = re.compile(r"\s*(?:>|»|/|\||›)\s*")


def norm(text: str | None) -> str:
    """NFC, zero-width characters dropped, every run of white space (NBSP too) one space."""
    if not text:
        return ""
    text = _ZERO_WIDTH.sub("", unicodedata.normalize("NFC", text))
    return _SPACE.sub(" ", text).strip()


def same_title(got: str | None, want: str) -> bool:
    return bool(norm(got)) and norm(got) == norm(want)


def same_day(got: str | None, want: str) -> bool:
    """``got`` is ISO 8601 (a date or a date-time); only its day counts."""
    return bool(got) and got.strip()[:10] == want


def same_author(got: str | None, want: str | None) -> bool:
    """Equal ignoring case; when the page shows no author, the right answer is none."""
    if want is None:
        return not norm(got)
    return norm(got).casefold() == norm(want).casefold()


def same_category(got: str | None, want: str | None) -> bool:
    """Equal ignoring case; when either side is a breadcrumb ("Kinh doanh > Vĩ mô"), one of
    its steps equal to the other side is enough (section or subsection both name the page's
    place)."""
    if want is None:
        return not norm(got)
    wanted, got_n = norm(want).casefold(), norm(got).casefold()
    if not got_n:
        return False
    return got_n == wanted or got_n in _steps(wanted) or wanted in _steps(got_n)


def _steps(crumb: str) -> set[str]:
    return {p for p in _CRUMB.split(crumb) if p}


def contains(body: str | None, snippet: str) -> bool:
    return bool(norm(snippet)) and norm(snippet) in norm(body)


def stops_at_its_end(body: str | None, furniture: Iterable[str]) -> bool:
    """The body holds none of the ``furniture``: texts the page shows after the article's end
    (the next box's heading, its first entry's title), which no correct body contains."""
    got = norm(body)
    return bool(got) and not any(norm(f) and norm(f) in got for f in furniture)


def captions_found(got: Iterable[tuple[str | None, str | None]],
                   want: Iterable[dict[str, str | None]]) -> bool:
    """Every wanted caption is among ``got`` (containment either way, so a trailing full stop
    or a caption repeated from ``alt`` does not matter) with its credit (equal ignoring case;
    a wanted ``None`` credit needs none)."""
    pairs = [(norm(c), norm(r).casefold()) for c, r in got]
    for w in want:
        cap, credit = norm(w["caption"]), norm(w.get("credit")).casefold()
        if not any(c and (cap in c or c in cap) and r == credit for c, r in pairs):
            return False
    return True


# --- the corpus ----------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    site: str
    url: str
    body: bytes
    truth: dict
    source: dict

    @property
    def kind(self) -> str:
        return self.truth["kind"]


def site_of(name: str) -> str:
    """``vnexpress-2`` -> ``vnexpress``."""
    return name.rsplit("-", 1)[0]


def load_corpus(root: Path = CORPUS) -> tuple[list[Case], list[str]]:
    """The cases that have a page, and the names of folders whose ``page.html`` is absent."""
    cases, absent = [], []
    for folder in sorted(p for p in root.iterdir() if (p / "truth.json").is_file()):
        truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        source = json.loads((folder / "source.json").read_text(encoding="utf-8"))
        page = folder / "page.html"
        if not page.exists():
            absent.append(folder.name)
            continue
        url = source.get("url") or f"http://{site_of(folder.name)}.invalid/{folder.name}"
        cases.append(Case(folder.name, site_of(folder.name), url, page.read_bytes(), truth,
                          source))
    return cases, absent


# --- the tools ----------------------------------------------------------------------------------


@dataclass
class Extracted:
    """What one tool said about one page; ``found`` False means it refused the page."""

    found: bool
    title: str | None = None
    date: str | None = None
    author: str | None = None
    category: str | None = None
    captions: list[tuple[str | None, str | None]] | None = None
    body: str | None = None
    error: str | None = None


def run_ours(case: Case, cases: list[Case], selectors: dict[str, str] | None = None,
             ) -> Extracted:
    from crawler.extraction.layouts import get_layout
    from crawler.extraction.page import Page

    article = get_layout("generic", selectors).article(Page(url=case.url, body=case.body))
    if article is None:
        return Extracted(found=False)
    return Extracted(found=True, title=article.title, date=article.published,
                     author=article.author, category=article.category,
                     captions=[(i.caption, i.credit) for i in article.images if i.caption],
                     body="\n".join(filter(None, (article.summary, article.body))))


def learned_selectors(case: Case, cases: list[Case]) -> dict[str, str] | None:
    """The selectors learned from the other pages of ``case``'s site (leave one out), or None
    when there are fewer than ``LEARN_FROM``."""
    from crawler.extraction.learn import learn

    others = [(c.url, c.body) for c in cases if c.site == case.site and c.name != case.name]
    if len(others) < LEARN_FROM:
        return None
    return learn(others, holdout=False).selectors


def run_learned(case: Case, cases: list[Case]) -> Extracted:
    return run_ours(case, cases, learned_selectors(case, cases))


def run_trafilatura(case: Case, cases: list[Case]) -> Extracted:
    from trafilatura import bare_extraction

    doc = bare_extraction(case.body, url=case.url, with_metadata=True, include_comments=False)
    if doc is None:
        return Extracted(found=False)
    d = doc if isinstance(doc, dict) else doc.as_dict()
    if not norm(d.get("text")):
        return Extracted(found=False)
    categories = d.get("categories") or []
    category = ", ".join(categories) if isinstance(categories, list) else categories
    return Extracted(found=True, title=d.get("title"), date=d.get("date"),
                     author=d.get("author"), category=category or None, captions=None,
                     body=d.get("text"))


def run_htmldate(case: Case, cases: list[Case]) -> Extracted:
    from htmldate import find_date

    found = find_date(case.body, url=case.url, original_date=True)
    return Extracted(found=found is not None, date=found)


RUNNERS = {"ours": run_ours, "learned": run_learned, "trafilatura": run_trafilatura,
           "htmldate": run_htmldate}
_OURS = {"found", "refused", "title", "date", "author", "category", "captions", "body_start",
         "body_end", "body_stops"}
#: The fields a tool answers; the others are shown as "—".
ANSWERS = {
    "ours": _OURS,
    "learned": _OURS,
    "trafilatura": {"found", "refused", "title", "date", "author", "category", "body_start",
                    "body_end", "body_stops"},
    "htmldate": {"date"},
}
ROWS = [
    ("found", "article found"),
    ("refused", "non-article refused"),
    ("title", "title"),
    ("date", "date (day)"),
    ("author", "author"),
    ("category", "category"),
    ("captions", "captions with credits"),
    ("body_start", "body start"),
    ("body_end", "body end"),
    ("body_stops", "body stops at its end"),
]


def run_tool(tool: str, case: Case, cases: list[Case]) -> Extracted:
    try:
        return RUNNERS[tool](case, cases)
    except Exception as exc:  # a crash on a real page is a result, not the end of the run
        return Extracted(found=False, error=f"{type(exc).__name__}: {exc}")


def score(case: Case, got: Extracted) -> dict[str, bool]:
    """Each field this page counts for, and whether ``got`` has it right."""
    t = case.truth
    if case.kind != "article":
        return {"refused": not got.found}
    if not got.found and got.date is None:
        marks = {f: False for f in ("found", "title", "date", "author", "category",
                                    "body_start", "body_end", "body_stops") if
                 f != "body_stops" or "not_body" in t}
    else:
        marks = {
            "found": got.found,
            "title": same_title(got.title, t["title"]),
            "date": same_day(got.date, t["date"]),
            "author": same_author(got.author, t["author"]),
            "category": same_category(got.category, t["category"]),
            "body_start": contains(got.body, t["body_start"]),
            "body_end": contains(got.body, t["body_end"]),
        }
        if "not_body" in t:
            marks["body_stops"] = stops_at_its_end(got.body, t["not_body"])
    if t.get("captions"):
        marks["captions"] = captions_found(got.captions or [], t["captions"])
    return marks


@dataclass
class Tally:
    right: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)


def measure(cases: list[Case]) -> tuple[dict[str, dict[str, Tally]], dict]:
    tallies = {tool: {key: Tally() for key, _ in ROWS} for tool in TOOLS}
    pages = {}
    for case in cases:
        pages[case.name] = {"kind": case.kind}
        for tool in TOOLS:
            got = run_tool(tool, case, cases)
            marks = score(case, got)
            pages[case.name][tool] = {"extracted": asdict(got), "marks": marks}
            for key, ok in marks.items():
                if key not in ANSWERS[tool]:
                    continue
                tally = tallies[tool][key]
                tally.total += 1
                tally.right += ok
                if not ok:
                    tally.misses.append(case.name)
    return tallies, pages


def table(tallies: dict[str, dict[str, Tally]], cases: list[Case]) -> str:
    def cell(tool: str, key: str) -> str:
        t = tallies[tool][key]
        if key not in ANSWERS[tool] or not t.total:
            return "—"
        return f"{t.right}/{t.total} ({100 * t.right / t.total:.0f}%)"

    kinds = {k: sum(c.kind == k for c in cases) for k in KINDS}
    head = (f"{len(cases)} pages from {len({c.site for c in cases})} sites: "
            + ", ".join(f"{n} {k}" for k, n in kinds.items() if n))
    lines = [head, "", "| field | ours (generic) | ours, learned | trafilatura | htmldate |",
             "|---|---|---|---|---|"]
    for key, label in ROWS:
        lines.append(f"| {label} | " + " | ".join(cell(t, key) for t in TOOLS) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.real", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the corpus folder")
    parser.add_argument("--json", action="store_true", help="print figures and pages as JSON")
    parser.add_argument("--pages", action="store_true", help="also list each tool's misses")
    args = parser.parse_args(argv)
    missing = [name for name in ("trafilatura", "htmldate") if find_spec(name) is None]
    if missing:
        print(f"python -m bench.real: {' and '.join(missing)} not installed (make bench, or "
              f"pip install -e '.[bench]'): nothing to compare with", file=sys.stderr)
        return 2
    cases, absent = load_corpus(args.corpus)
    if not cases:
        print(f"no page.html under {args.corpus}", file=sys.stderr)
        return 1
    tallies, pages = measure(cases)
    if args.json:
        figures = {tool: {key: {"right": t.right, "total": t.total, "misses": t.misses}
                          for key, t in rows.items() if key in ANSWERS[tool]}
                   for tool, rows in tallies.items()}
        print(json.dumps({"pages": len(cases), "absent": absent, "figures": figures,
                          "results": pages}, ensure_ascii=False, indent=2))
        return 0
    print(table(tallies, cases))
    if absent:
        print(f"\n{len(absent)} folders have no page.html: {', '.join(absent)}")
    if args.pages:
        for tool in TOOLS:
            rows = [(label, tallies[tool][key].misses) for key, label in ROWS
                    if key in ANSWERS[tool] and tallies[tool][key].misses]
            print(f"\n{tool} misses:" + ("" if rows else " none"))
            for label, misses in rows:
                print(f"  {label}: {', '.join(misses)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
