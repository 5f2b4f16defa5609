"""The coverage report: one self-contained HTML page showing the holes in the collection.

For each site: a chart of articles per month over the archive's whole span (all categories,
then each category, on the same time axis), the gaps (months with no article between a
category's first and last), the first and last article of each category, failures by reason
and the last runs with their counts. Inline CSS and SVG only: no scripts, no external assets,
so the file can be mailed or archived with the data. Every string that comes from a page or
the archive is HTML-escaped; links are made only of http(s) URLs. The data comes from
``Archive.coverage``.
"""

from __future__ import annotations

import html
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crawler.search import open_existing
from crawler.storage import utcnow

NO_CATEGORY = "(no category)"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
       color: #1f2933; margin: 24px auto; max-width: 1200px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px;
  border-bottom: 2px solid #d9e2ec; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 2px; }
.meta { color: #52606d; margin: 0 0 12px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 3px 10px 3px 0; text-align: left;
  vertical-align: top; }
th { color: #52606d; font-weight: 600; }
td.n, th.n { text-align: right; padding-right: 14px; font-variant-numeric: tabular-nums; }
.gaps { color: #7b341e; font-size: 12.5px; margin: 0 0 6px; }
.gaps b { color: #c53030; }
.ok { color: #276749; }
.chart { display: block; margin: 2px 0; }
.chart text { font: 10px system-ui, sans-serif; fill: #52606d; }
.bar { fill: #2b6cb0; } .gap { fill: #e53e3e; } .axis { stroke: #9aa5b1; stroke-width: 1; }
.tick { stroke: #cbd2d9; stroke-width: 1; }
.key { font-size: 12px; color: #52606d; }
.key i { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
.small { font-size: 12px; color: #52606d; }
a { color: #2b6cb0; }
"""


def esc(value: Any) -> str:
    """``value`` as HTML text (quotes too, so it is safe in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def link(url: str | None, text: Any) -> str:
    """An escaped link to ``url`` when it is an http(s) URL, else the escaped text alone."""
    if url and url.lower().startswith(("http://", "https://")):
        return f'<a href="{esc(url)}">{esc(text)}</a>'
    return esc(text)


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (YYYY-MM), inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def gaps(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """Runs of months with no article between the first and the last month of ``counts``
    (month -> articles): (first missing month, last missing month, length)."""
    if not counts:
        return []
    out: list[tuple[str, str, int]] = []
    for month in month_range(min(counts), max(counts)):
        if counts.get(month):
            continue
        if out and out[-1][1] == _previous(month):
            start, _, n = out[-1]
            out[-1] = (start, month, n + 1)
        else:
            out.append((month, month, 1))
    return out


def format_gap(start: str, end: str, n: int) -> str:
    """"2008-02 – 2008-05 (4)" for a run of months, "2009-07" for one month."""
    return start if n == 1 else f"{start} – {end} ({n})"


def _previous(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


def chart(counts: dict[str, int], span: list[str], label: str, width: int = 1160,
          height: int = 96) -> str:
    """An inline SVG bar chart of ``counts`` (month -> articles) over the months of ``span``;
    the gap months are marked in red under the axis."""
    left, right, top, bottom = 40, 6, 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(span), 1)
    step = plot_w / n
    peak = max(counts.values(), default=0) or 1
    base = top + plot_h
    gap_months = {m for s, e, _ in gaps(counts) for m in month_range(s, e)}
    parts = [f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             f"<title>{esc(label)}: articles per month</title>"]
    years_per_label = max(1, math.ceil(44 / (12 * step)))
    for i, month in enumerate(span):
        x = left + i * step
        if month.endswith("-01") and int(month[:4]) % years_per_label == 0:
            parts.append(f'<line class="tick" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" '
                         f'y2="{base + 4}"/>'
                         f'<text x="{x + 2:.1f}" y="{height - 6}">{month[:4]}</text>')
        count = counts.get(month, 0)
        if count:
            h = max(plot_h * count / peak, 1.5)
            parts.append(f'<rect class="bar" x="{x:.1f}" y="{base - h:.1f}" '
                         f'width="{max(step - 1, 1):.1f}" height="{h:.1f}">'
                         f"<title>{month}: {count} article{'s' if count > 1 else ''}</title>"
                         f"</rect>")
        elif month in gap_months:
            parts.append(f'<rect class="gap" x="{x:.1f}" y="{base + 1}" '
                         f'width="{max(step - 0.5, 1):.1f}" height="4">'
                         f"<title>{month}: no article</title></rect>")
    parts.append(f'<line class="axis" x1="{left}" y1="{base}" x2="{width - right}" '
                 f'y2="{base}"/><text x="{left - 6}" y="{top + 8}" text-anchor="end">{peak}'
                 f'</text><text x="{left - 6}" y="{base}" text-anchor="end">0</text></svg>')
    return "".join(parts)


def render(coverage: dict[str, Any], db_name: str = "archive.db",
           generated: str | None = None) -> str:
    """The report's HTML for ``coverage`` (as ``Archive.coverage`` returns it)."""
    months: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for site, category, month, count in coverage["months"]:
        if month and _MONTH.match(month):
            months[site][category or NO_CATEGORY][month] = count
    undated: dict[str, dict[str, int]] = defaultdict(dict)
    for site, category, count in coverage["undated"]:
        undated[site][category or NO_CATEGORY] = count
    edges: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for site, category, _, title, url, published in coverage["edges"]:
        edges[site, category or NO_CATEGORY].append((title, url, published))
    failures: dict[str, list[tuple]] = defaultdict(list)
    for site, *row in coverage["failures"]:
        failures[site].append(tuple(row))
    samples: dict[tuple[str, str], list[str]] = defaultdict(list)
    for site, reason, url in coverage["failure_samples"]:
        samples[site, reason].append(url)
    all_months = [m for cats in months.values() for c in cats.values() for m in c]
    span = month_range(min(all_months), max(all_months)) if all_months else []
    sites = sorted(set(months) | set(undated) | set(failures))

    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>Coverage of {esc(db_name)}</title><style>{CSS}</style></head><body>",
           f"<h1>Coverage of {esc(db_name)}</h1>",
           f'<p class="meta">Generated {esc(generated or utcnow())}. '
           + (f"Archive span {esc(span[0])} to {esc(span[-1])} ({len(span)} months)."
              if span else "No dated article yet.") + "</p>"]
    out += _summary(sites, months, undated, failures)
    out += _runs(coverage["runs"])
    out += _cut(coverage["runs"], coverage.get("cut_templates", []))
    out += _failures(sites, failures, samples)
    for site in sites:
        out += _site(site, months[site], undated[site], edges, span)
    out.append("</body></html>")
    return "\n".join(out)


def _summary(sites: Iterable[str], months: dict, undated: dict, failures: dict) -> list[str]:
    out = ["<h2>Summary</h2><table><tr><th>site</th><th class=n>articles</th><th>first month"
           "</th><th>last month</th><th class=n>categories</th><th class=n>months without an "
           "article</th><th class=n>failed URLs</th></tr>"]
    for site in sites:
        cats = months.get(site, {})
        total: dict[str, int] = defaultdict(int)
        for counts in cats.values():
            for month, count in counts.items():
                total[month] += count
        n = sum(total.values()) + sum(undated.get(site, {}).values())
        missing = sum(g[2] for g in gaps(total))
        out.append(f"<tr><td>{esc(site)}</td><td class=n>{n}</td>"
                   f"<td>{esc(min(total, default=''))}</td><td>{esc(max(total, default=''))}</td>"
                   f"<td class=n>{len(set(cats) | set(undated.get(site, {})))}</td>"
                   f"<td class=n>{missing}</td>"
                   f"<td class=n>{sum(r[1] for r in failures.get(site, []))}</td></tr>")
    out.append("</table>")
    return out


def _site(site: str, cats: dict[str, dict[str, int]], undated: dict[str, int],
          edges: dict, span: list[str]) -> list[str]:
    total: dict[str, int] = defaultdict(int)
    for counts in cats.values():
        for month, count in counts.items():
            total[month] += count
    out = [f"<h2>{esc(site)}</h2>",
           '<p class="key">Articles per month over the archive\'s span (bars, scale on the '
           'left); <i style="background:#e53e3e"></i>a month with no article between the '
           "first and the last.</p>",
           f"<h3>All categories: {sum(total.values())} dated articles</h3>",
           chart(total, span, f"{site}: all categories"), _gap_list(gaps(total))]
    out.append("<table><tr><th>category</th><th class=n>articles</th><th>first article</th>"
               "<th>last article</th><th class=n>gap months</th></tr>")
    for category in sorted(set(cats) | set(undated)):
        counts = cats.get(category, {})
        ends = edges.get((site, category), [])
        first, last = (ends[0], ends[-1]) if ends else (None, None)
        n = sum(counts.values()) + undated.get(category, 0)
        out.append(f"<tr><td>{esc(category)}</td><td class=n>{n}</td>"
                   f"<td>{_edge(first)}</td><td>{_edge(last)}</td>"
                   f"<td class=n>{sum(g[2] for g in gaps(counts))}</td></tr>")
    out.append("</table>")
    for category in sorted(cats):
        counts = cats[category]
        extra = (f", {undated[category]} undated" if undated.get(category) else "")
        out += [f"<h3>{esc(category)}: {sum(counts.values())} articles, {esc(min(counts))} to "
                f"{esc(max(counts))}{extra}</h3>",
                chart(counts, span, f"{site}: {category}"), _gap_list(gaps(counts))]
    return out


def _edge(edge: tuple | None) -> str:
    if edge is None:
        return ""
    title, url, published = edge
    return f'{esc((published or "")[:10])} {link(url, title)}'


def _gap_list(runs: list[tuple[str, str, int]]) -> str:
    if not runs:
        return '<p class="gaps ok">No month without an article.</p>'
    longest = max(runs, key=lambda g: g[2])
    items = "; ".join(esc(format_gap(*g)) for g in runs)
    return (f'<p class="gaps"><b>{sum(g[2] for g in runs)} months without an article</b> '
            f"in {len(runs)} gaps (longest {esc(format_gap(*longest))}): {items}</p>")


def _failures(sites: list[str], failures: dict[str, list[tuple]], samples: dict
              ) -> list[str]:
    out = ["<h2>Failures by reason</h2>"]
    if not any(failures.values()):
        return out + ['<p class="ok">No failure recorded.</p>']
    out.append("<table><tr><th>site</th><th>reason</th><th class=n>URLs</th>"
               "<th class=n>attempts</th><th>last attempt</th><th>URLs (latest five)</th></tr>")
    for site in sites:
        for reason, n, attempts, last in failures.get(site, []):
            urls = "<br>".join(link(u, u) for u in samples.get((site, reason), []))
            out.append(f"<tr><td>{esc(site)}</td><td>{esc(reason)}</td><td class=n>{n}</td>"
                       f"<td class=n>{attempts}</td><td>{esc(last)}</td>"
                       f'<td class="small">{urls}</td></tr>')
    out.append("</table>")
    return out


def _runs(runs: list[dict[str, Any]]) -> list[str]:
    out = ["<h2>Last runs</h2>"]
    if not runs:
        return out + ["<p>No run recorded.</p>"]
    out.append("<table><tr><th class=n>run</th><th>site</th><th>started (UTC)</th>"
               "<th>status</th><th class=n>new</th><th class=n>changed</th>"
               "<th class=n>unchanged</th><th class=n>failed</th><th class=n>requests</th>"
               "<th class=n>duration</th></tr>")
    for r in runs:
        s = r["stats"]
        seconds = s.get("elapsed_seconds")
        seconds = seconds if isinstance(seconds, int | float) else None
        out.append(
            f"<tr><td class=n>{esc(r['id'])}</td><td>{esc(r['site'])}</td>"
            f"<td>{esc(r['started'])}</td><td>{esc(r['status'])}</td>"
            + "".join(f"<td class=n>{esc(s.get(k, 0))}</td>" for k in (
                "archive/articles/new", "archive/articles/changed",
                "archive/articles/unchanged", "archive/failures", "downloader/request_count"))
            + f"<td class=n>{esc(f'{seconds:.1f} s' if seconds is not None else '')}</td></tr>")
    out.append("</table>")
    return out


def _cut(runs: list[dict[str, Any]], remembered: list[tuple]) -> list[str]:
    """What the last runs did not do: degraded warnings, URL templates their page budgets cut
    (crawler/templates.py) and the URLs left unfetched; templates skipped by later runs."""
    rows = [(r, c) for r in runs for c in (r["stats"].get("archive/budget") or {}).get(
        "templates_cut", [])]
    warned = [(r, w) for r in runs for w in r["stats"].get("archive/degraded") or []]
    if not rows and not warned and not remembered:
        return []
    out = ["<h2>What the runs left out</h2>"]
    if warned:
        out.append("<ul>" + "".join(f"<li>run {esc(r['id'])} ({esc(r['site'])}): {esc(w)}</li>"
                                    for r, w in warned) + "</ul>")
    if rows:
        out.append("<table><tr><th class=n>run</th><th>site</th><th>URL template cut</th>"
                   "<th>why</th><th class=n>pages fetched</th><th class=n>URLs left</th></tr>")
        out += [f"<tr><td class=n>{esc(r['id'])}</td><td>{esc(r['site'])}</td>"
                f"<td><code>{esc(c['template'])}</code></td><td>{esc(c['reason'])}</td>"
                f"<td class=n>{esc(c['fetched'])}</td><td class=n>{esc(c['unfetched'])}</td></tr>"
                for r, c in rows]
        out.append("</table>")
    if remembered:
        out.append("<p>Templates later runs skip (they linked to no article):</p><table><tr>"
                   "<th>site</th><th>URL template</th><th>cut (UTC)</th></tr>")
        out += [f"<tr><td>{esc(site)}</td><td><code>{esc(t)}</code></td><td>{esc(at)}</td></tr>"
                for site, t, at in remembered]
        out.append("</table>")
    return out


def report(db: str | Path = "archive.db", output: str | Path = "report.html") -> Path:
    """Write the coverage report of the archive at ``db`` to ``output``; returns its path.

    >>> report("archive.db", "report.html")  # doctest: +SKIP
    PosixPath('report.html')
    """
    with open_existing(db) as archive:
        page = render(archive.coverage(), Path(db).name)
    path = Path(output)
    path.write_text(page, encoding="utf-8")
    return path
