import pytest

from crawler.traps import trap_reason


@pytest.mark.parametrize("expected, url", [
    (None, "http://x.vn/?page=TinTuc&code=hoat-dong&vt=2"),
    ("repeated-parameter", "http://x.vn/?page=TinTuc&vt=1&vt=2&vt=3"),
    (None, "http://x.vn/tin-tuc/hoat-dong/trang-2.html"),
    ("repeated-path", "http://x.vn/a/b/a/b/a/b/c.html"),
    ("repeated-path", "http://x.vn/tin/tin/tin/x"),
    ("too-deep", "http://x.vn/" + "/".join(f"s{i}" for i in range(20))),
    ("too-long", "http://x.vn/?q=" + "a" * 2000),
])
def test_trap_reason(expected, url):
    assert expected == trap_reason(url)
