"""The crontab line and the systemd units shown in the documentation (docs/archivists.md)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
#: The README and the documentation pages.
DOCS = "\n".join(page.read_text(encoding="utf-8")
                 for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
INSTALLED = "/opt/portal-archive/.venv/bin/portal-archive"


@pytest.mark.parametrize("name", ["crontab", "portal-archive.service", "portal-archive.timer"])
def test_docs_show_the_deploy_file_as_it_is(name):
    assert (DEPLOY / name).read_text(encoding="utf-8").rstrip() in DOCS


def units() -> dict[str, configparser.ConfigParser]:
    out = {}
    for name in ("portal-archive.service", "portal-archive.timer"):
        parser = configparser.ConfigParser(interpolation=None, strict=True)
        parser.optionxform = str  # systemd keys are case-sensitive
        parser.read(DEPLOY / name, encoding="utf-8")
        out[name] = parser
    return out


def test_service_runs_one_crawl_into_the_archive():
    service = units()["portal-archive.service"]["Service"]
    argv = service["ExecStart"].split()
    assert ("oneshot", INSTALLED, "crawl") == (service["Type"], argv[0], argv[1])
    assert "--db" in argv and argv[2].startswith("https://")


def test_timer_runs_daily_and_catches_up():
    timer = units()["portal-archive.timer"]
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_crontab_line_has_five_time_fields_and_the_crawl():
    line = next(ln for ln in (DEPLOY / "crontab").read_text().splitlines()
                if ln and not ln.startswith("#"))
    fields = line.split(None, 5)
    assert fields[:5] == ["30", "2", "*", "*", "*"]
    assert f"{INSTALLED} crawl " in fields[5]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed on this machine")
def test_systemd_analyze_verifies_the_units(tmp_path):
    """The units as shipped, with ExecStart pointed at this checkout's portal-archive."""
    here = str(Path(sys.executable).parent / "portal-archive")
    for name in ("portal-archive.service", "portal-archive.timer"):
        text = (DEPLOY / name).read_text(encoding="utf-8").replace(INSTALLED, here)
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "portal-archive.timer"),
                             str(tmp_path / "portal-archive.service")],
                            capture_output=True, text=True)
    assert 0 == result.returncode, result.stderr
