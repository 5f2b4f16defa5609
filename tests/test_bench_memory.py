"""The benchmark's memory reading: a child's own peak and its process tree's, not the
high-water mark Linux hands a child from the process that started it."""

import sys
import textwrap

from bench.crawl import run_child

# Holds ~80 MB, starts a grandchild that holds ~40 MB, and keeps both for a moment.
CHILD = textwrap.dedent("""
    import subprocess, sys, time
    held = bytearray(80 * 1024 * 1024)
    held[::4096] = b"x" * len(held[::4096])
    grandchild = subprocess.Popen([sys.executable, "-c",
        "import time; b = bytearray(40 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); "
        "time.sleep(1.0)"])
    grandchild.wait()
""")


def test_a_child_is_measured_apart_from_its_parents_memory() -> None:
    ballast = bytearray(300 * 1024 * 1024)  # the parent (like the replica server) is large
    ballast[::4096] = b"x" * len(ballast[::4096])
    run, _ = run_child([sys.executable, "-c", CHILD])
    assert run.exit_code == 0
    assert 80 <= run.rss_mb < 150  # wait4's ru_maxrss would say 300 MB or more
    assert 40 <= run.descendants_rss_mb < 100
    assert run.tree_rss_mb >= 120
    del ballast
