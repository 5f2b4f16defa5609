"""Breakage alerts: a crawl whose extraction suddenly fills a field far less often than the
site's history did (a redesigned portal, a changed template) is marked "degraded".

Pure logic over the fill rates that :meth:`crawler.storage.Archive.fill_rates` measures.
Settings (read by the run recorder): ``ARCHIVE_BREAKAGE_MIN_HISTORY`` (articles the site must
already have, 20), ``ARCHIVE_BREAKAGE_MIN_SAMPLE`` (articles this crawl must have written, 5),
``ARCHIVE_BREAKAGE_DROP`` (a field whose fill rate falls to less than this share of its
history is broken, 0.5), ``ARCHIVE_BREAKAGE_BODY_RATIO`` (bodies shorter on average than this
share of the history's are broken, 0.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Breakage:
    field: str
    before: float
    now: float
    samples: list[str]

    def describe(self) -> str:
        if self.field == "body_length":
            what = (f"bodies are {1 - self.now / self.before:.0%} shorter than before "
                    f"({self.now:.0f} characters on average, {self.before:.0f} before)")
        else:
            what = (f"field {self.field!r} filled on {self.now:.0%} of this crawl's articles, "
                    f"{self.before:.0%} before")
        return what + ("; e.g. " + ", ".join(self.samples) if self.samples else "")


def find_breakage(rates: dict[str, dict[str, Any]], *, min_history: int = 20,
                  min_sample: int = 5, drop: float = 0.5,
                  body_ratio: float = 0.2) -> list[Breakage]:
    """The fields that broke, from ``fill_rates`` output."""
    found = []
    for name, r in rates.items():
        if (r.get("before_n") or 0) < min_history or (r.get("now_n") or 0) < min_sample:
            continue
        before, now = r.get("before") or 0.0, r.get("now") or 0.0
        if name == "body_length":
            if before > 0 and now < before * body_ratio:
                found.append(Breakage(name, before, now, r.get("samples", [])))
        elif before >= 0.5 and now < before * drop and before - now >= 0.3:
            found.append(Breakage(name, before, now, r.get("samples", [])))
    return found
