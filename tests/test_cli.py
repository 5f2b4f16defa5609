"""The command line: every command documented, demo, Scrapy entry points, exit codes."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from crawler.cli import main
from crawler.progress import status_line
from tests.conftest import FAST, ROOT, cli, crawl

#: The README and the documentation pages written by hand (docs/cli.md is generated).
DOC_PAGES = [ROOT / "README.md",
             *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "cli.md")]


def test_every_command_is_in_the_generated_cli_reference():
    import markdown  # mkdocs renders docs/cli.md with this extension, from each command's --help

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    html = markdown.markdown(text, extensions=["mkdocs-click"])
    for name in main.commands:
        assert f"portal-archive {name} [OPTIONS]" in html, name


def test_every_command_is_documented_in_the_readme_or_the_docs():
    text = "\n".join(page.read_text(encoding="utf-8") for page in DOC_PAGES)
    for name in main.commands:
        assert re.search(rf"portal-archive {re.escape(name)}\b", text), name


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert 0 == result.exit_code and "Example:" in result.output, name


def test_unknown_profile_cannot_run(tmp_path):
    result = cli("crawl", "http://127.0.0.1:9/", "--site", "nope", "--db", str(tmp_path / "a.db"))
    assert 2 == result.returncode
    assert "no profile named 'nope'" in result.stderr


def test_bad_setting_syntax_cannot_run(tmp_path):
    result = cli("crawl", "http://127.0.0.1:9/", "-s", "DOWNLOAD_DELAY", "--db",
                 str(tmp_path / "a.db"))
    assert 2 == result.returncode


def test_demo_archives_the_replica_and_prints_queries(tmp_path):
    db = tmp_path / "demo.db"
    result = cli("demo", "--db", str(db))
    assert 0 == result.returncode, result.stderr[-3000:]
    count = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
    assert f"{count} articles from 20" in result.stdout
    assert count >= 300 and result.stdout.count("sqlite-utils ") == 3
    # Every suggested command runs as printed, from the folder the demo ran in.
    tried = result.stdout.split("\nTry:\n", 1)[1].splitlines()
    programs = {line.split()[0] for line in tried if line.strip()}
    assert {p for p in programs if not (ROOT / p).exists() and not shutil.which(p)} == set()
    assert any(p.endswith("portal-archive") for p in programs)


def test_runs_lists_the_crawls(replica_server, tmp_path):
    db = tmp_path / "a.db"
    seed = replica_server.portal.seed_article
    crawl(f"{replica_server.url}/NewsDetail.aspx?id={seed.id}", db, "--chains-only",
          "-s", "CLOSESPIDER_PAGECOUNT=2")
    result = cli("runs", "--db", str(db), "--json")
    runs = json.loads(result.stdout)
    assert 1 == len(runs) and runs[0]["stats"]["archive/articles/new"] >= 1


def test_scrapy_list_from_the_repository_root():
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT,
                            capture_output=True, text=True)
    assert ["portal", "portal-worker"] == result.stdout.split(), result.stderr[-2000:]


def test_scrapy_crawl_portal_from_the_repository_root(replica_server, tmp_path):
    seed = replica_server.portal.seed_article
    db = tmp_path / "scrapy.db"
    subprocess.run([sys.executable, "-m", "scrapy", "crawl", "portal", "-a",
                    f"start_url={replica_server.url}/NewsDetail.aspx?id={seed.id}",
                    "-a", "site=vpubnd-replica",
                    "-s", f"ARCHIVE_DB={db}", "-s", "ARCHIVE_FOLLOW_LISTINGS=False",
                    "-s", "CLOSESPIDER_PAGECOUNT=1", *FAST], cwd=ROOT, capture_output=True)
    keys = [r[0] for r in sqlite3.connect(db).execute("SELECT key FROM articles")]
    assert [f"id:{seed.id}"] == keys


def test_plain_progress_lines_when_not_on_a_terminal(replica_server, tmp_path):
    result = crawl(replica_server.url + "/", tmp_path / "a.db", "-s", "ARCHIVE_PROGRESS=log",
                   "-s", "ARCHIVE_PROGRESS_INTERVAL=0.5")
    lines = [ln for ln in result.stderr.splitlines() if re.search(r"pages \d+ \| articles", ln)]
    assert lines and "\r" not in result.stderr


def test_status_line_fields():
    line = status_line({"response_received_count": 120, "archive/articles/new": 100,
                        "archive/articles/changed": 2, "archive/failures": 1}, 7, 60.0)
    assert "pages 120 | articles new 100 updated 2 | queue 7 | failures 1 | 120 pages/min" == line


def test_cli_module_entry_point_matches_console_script():
    assert "crawler.cli:main" in Path(ROOT / "pyproject.toml").read_text()


def test_live_status_line_on_a_terminal(replica_server, tmp_path):
    import os
    import pty

    parent, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", replica_server.url + "/",
                             "--db", str(tmp_path / "a.db"), "--site", "vpubnd-replica",
                             *FAST[:-2],
                             "-s", "DOWNLOAD_DELAY=0.01"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=child)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(parent, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait()
    text = b"".join(chunks).decode("utf-8", "replace")
    assert "\r\x1b[2Kpages " in text


def test_profiles_lists_the_bundled_profile():
    result = CliRunner().invoke(main, ["profiles", "--json"])
    names = {p["name"]: p["layout"] for p in json.loads(result.output)}
    assert "aspnet_office" == names["vpubnd-replica"]


def test_check_profile_prints_the_articles_fields(replica_server):
    seed = replica_server.portal.seed_article
    result = CliRunner().invoke(main, ["check-profile", "vpubnd-replica",
                                       f"{replica_server.url}/NewsDetail.aspx?id={seed.id}"])
    fields = json.loads(result.output)["article"]
    assert (0, seed.title, "Diệu Thúy") == (result.exit_code, fields["title"], fields["author"])


def test_check_profile_on_a_listing_says_no_article(replica_server):
    result = CliRunner().invoke(main, ["check-profile", "vpubnd-replica",
                                       f"{replica_server.url}/Category.aspx?cat=hoat-dong"])
    assert 3 == result.exit_code


def test_the_command_line_starts_without_scrapy() -> None:
    # Extraction workers are spawned processes, which re-import the crawl's main module
    # (crawler.cli); Scrapy there would cost each worker ~30 MB it never uses.
    code = ("import sys, crawler.cli; print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('scrapy', 'twisted')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
