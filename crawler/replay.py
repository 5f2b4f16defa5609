"""Replay the archive's WARC files with pywb, a thin wrapper over its own commands.

What ``portal-archive replay`` does is the recipe of docs/handover.md: in a folder of its own
(``<archive folder>/replay`` by default), ``wb-manager init portal`` once, ``wb-manager add
portal`` with the WARC files the collection does not hold yet (pywb copies and indexes
them), then ``wayback`` on 127.0.0.1. An article is then at
``http://127.0.0.1:PORT/portal/<warc_date as 14 digits>/<url>`` (its ``warc_date`` column).

pywb pins ``redis==2.10.6``, which portal-archive's Redis queue cannot use, so it lives in a
virtualenv of its own: ``make setup`` creates ``.venv/pywb``. Its commands are looked for in
``ARCHIVE_PYWB`` (a ``bin`` folder), then in that virtualenv beside this Python's, then
beside this Python, then on PATH.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from crawler.warc import WARC_DIR, archive_folder, warc_files

#: pywb's version range, installed by ``make setup`` into ``.venv/pywb``.
PYWB_REQUIREMENT = "pywb>=2.8,<3"
COLLECTION = "portal"


class PywbMissing(RuntimeError):
    """pywb's commands are not installed where portal-archive looks for them."""


def pywb_command(name: str) -> str:
    """The path of pywb's command ``name`` (``wb-manager``, ``wayback``)."""
    here = Path(sys.executable).parent
    folders = [os.environ.get("ARCHIVE_PYWB", ""), str(Path(sys.prefix) / "pywb" / "bin"),
               str(here)]
    for folder in filter(None, folders):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise PywbMissing(
        f"pywb's {name} is not installed: 'make setup' puts it in .venv/pywb, or install "
        f"'{PYWB_REQUIREMENT}' in a virtualenv of its own and set ARCHIVE_PYWB to its bin "
        f"folder")


#: pywb's settings in the replay folder: the page itself at the top of the window (no banner
#: frame around it), as a browser's tools, a screenshot and --dump-dom see it.
CONFIG = "framed_replay: false\n"


def replay_url(base: str, warc_date: str, url: str, collection: str = COLLECTION) -> str:
    """The pywb address of the capture of ``url`` made at ``warc_date`` (ISO, UTC): an
    article's ``warc_date`` and ``url`` columns."""
    digits = "".join(c for c in warc_date if c.isdigit())[:14]
    return f"{base.rstrip('/')}/{collection}/{digits}/{url}"


def prepare(db: str | Path, folder: str | Path | None = None,
            collection: str = COLLECTION) -> Path:
    """The pywb folder for the archive at ``db`` (``<archive folder>/replay`` by default),
    with a collection holding every WARC file of the archive (those it lacks are added, so
    running it again after a crawl brings the new files); returns the folder."""
    root = Path(folder) if folder else archive_folder(db) / "replay"
    sources = list(warc_files(archive_folder(db)))
    if not sources:
        raise ValueError(f"{db} has no WARC file to replay (in {archive_folder(db) / WARC_DIR})")
    manager = pywb_command("wb-manager")
    root.mkdir(parents=True, exist_ok=True)
    if not (root / "config.yaml").exists():
        (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    folder_of = root / "collections" / collection
    if not folder_of.is_dir():
        _run([manager, "init", collection], root)
    held = {p.name for p in (folder_of / "archive").glob("*.warc.gz")}
    new = [str(p.resolve()) for p in sources if p.name not in held]
    if new:
        _run([manager, "add", collection, *new], root)
    return root


def _run(args: list[str], cwd: Path) -> None:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"{Path(args[0]).name} {args[1]} failed: "
                           f"{(result.stderr or result.stdout).strip()[-500:]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Wayback:
    """pywb's ``wayback`` serving ``root`` on 127.0.0.1 (a free port unless given), started
    by ``start``, ready when its port accepts connections; its output goes to a temporary
    file (pywb logs every request)."""

    def __init__(self, root: str | Path, port: int = 0) -> None:
        self.root = Path(root)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self, timeout: float = 120.0) -> Wayback:
        """Start the server; returns once its port accepts connections. RuntimeError when it
        exits first, or has not opened its port after ``timeout`` seconds."""
        self._log = tempfile.TemporaryFile()  # its request log: a pipe would fill and block it
        self.proc = subprocess.Popen(
            [pywb_command("wayback"), "-p", str(self.port), "-b", "127.0.0.1",
             "-d", str(self.root)], stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                if self.proc.poll() is not None:
                    self._log.seek(0)
                    err = self._log.read().decode(errors="replace")
                    raise RuntimeError(f"wayback exited with code {self.proc.returncode}: "
                                       f"{err.strip()[-500:]}") from None
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"wayback did not open port {self.port} in "
                                       f"{timeout:.0f} s") from None
                time.sleep(0.05)

    def wait(self) -> int:
        assert self.proc is not None
        return self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Wayback:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
