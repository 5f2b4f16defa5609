"""The shape of the code (docs/contributors.md): small modules and classes, spiders that never
open the archive, extraction that never imports Scrapy."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

#: The most lines a module of crawler/ or spiders/ may have, and a class.
MODULE_MAX, CLASS_MAX = 600, 400
SOURCES = sorted(p for folder in ("crawler", "spiders") for p in (ROOT / folder).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """The modules ``path`` imports (absolute names)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_and_its_classes_stay_small(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = len(path.read_text(encoding="utf-8").splitlines())
    large = {n.name: n.end_lineno - n.lineno + 1 for n in ast.walk(tree)
             if isinstance(n, ast.ClassDef) and n.end_lineno - n.lineno + 1 > CLASS_MAX}
    assert (lines <= MODULE_MAX, {}) == (True, large), f"{lines} lines"


def test_spiders_never_import_storage():
    found = {str(p.relative_to(ROOT)): sorted(m for m in imported(p)
                                               if m.startswith("crawler.storage"))
             for p in (ROOT / "spiders").rglob("*.py")}
    assert {} == {p: m for p, m in found.items() if m}


def test_extraction_never_imports_scrapy_or_storage():
    found = {str(p.relative_to(ROOT)): sorted(m for m in imported(p) if m.split(".")[0] in
                                               ("scrapy", "twisted")
                                               or m.startswith("crawler.storage"))
             for p in (ROOT / "crawler" / "extraction").rglob("*.py")}
    assert {} == {p: m for p, m in found.items() if m}


def connects(path: Path) -> bool:
    """Whether ``path`` opens a database itself (``sqlite3.connect``, sqlite-utils'
    ``Database``)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            if (owner, name) == ("sqlite3", "connect") or name == "Database":
                return True
    return False


def test_only_storage_opens_a_database():
    """The storage package opens archives (the migrations and the file check too); everything
    else goes through crawler.storage.Archive."""
    allowed = ("crawler/storage/", "crawler/migrations.py", "crawler/archivefile.py")
    opening = [str(p.relative_to(ROOT)) for p in SOURCES if connects(p)]
    assert [] == [p for p in opening if not p.startswith(allowed)]
