"""The benchmark's memory reading: a child's own peak and its process tree's, not the
high-water mark Linux hands a child from the process that started it."""

import os
import subprocess
import sys
import textwrap
import time

from bench.crawl import MemoryWatch

# Holds ~80 MB and starts a grandchild that holds ~40 MB; says "ready" once both hold it, and
# keeps it until its standard input is closed.
CHILD = textwrap.dedent("""
    import subprocess, sys
    held = bytearray(80 * 1024 * 1024)
    held[::4096] = b"x" * len(held[::4096])
    grandchild = subprocess.Popen([sys.executable, "-c",
        "import sys; b = bytearray(40 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); "
        "print('ready', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    grandchild.stdout.readline()
    print("ready", flush=True)
    sys.stdin.read()
    grandchild.stdin.close()
    grandchild.wait()
""")


def test_a_child_is_measured_apart_from_its_parents_memory() -> None:
    ballast = bytearray(300 * 1024 * 1024)  # the parent (like the replica server) is large
    ballast[::4096] = b"x" * len(ballast[::4096])
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    watch = MemoryWatch(child.pid)
    watch.start()
    try:
        assert child.stdout.readline() == "ready\n"
        # Until the watch has seen what both hold (it reads every 50 ms); the deadline only
        # gives up on a watch that never sees it.
        deadline = time.monotonic() + 120
        while (watch.own_mb < 80 or watch.descendants_mb < 40 or watch.tree_kb < 120 * 1024) \
                and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        child.stdin.close()
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
        watch.stop()
        _, status, usage = os.wait4(child.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert 80 <= watch.own_mb < 150
    assert 40 <= watch.descendants_mb < 100
    assert watch.tree_kb / 1024 >= 120
    assert usage.ru_maxrss / 1024 >= 300  # what wait4 says: the parent's high-water mark
    del ballast
