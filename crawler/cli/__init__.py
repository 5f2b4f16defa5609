"""The ``portal-archive`` command: a thin wrapper over :mod:`crawler.api`, one module a
group of users (:mod:`~crawler.cli.archivists`, :mod:`~crawler.cli.research`,
:mod:`~crawler.cli.scaleout`) on the group of :mod:`~crawler.cli.common`.

Exit codes: 0 complete; 3 completed with failures; 1 interrupted; 2 could not run.
"""

from __future__ import annotations

from crawler.cli import archivists, research, scaleout  # noqa: F401  (they add the commands)
from crawler.cli.common import main

__all__ = ["main"]
