"""SeenSet: a set of strings in 8 bytes an entry; and the duplicate filter built on it."""

import tracemalloc
from random import Random

from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.dupefilter import CompactDupeFilter
from crawler.seen import SeenSet


def test_it_answers_as_a_set_does_across_merges() -> None:
    rnd = Random(7)
    words = [f"http://127.0.0.1/NewsDetail.aspx?id={rnd.randrange(30_000)}" for _ in range(60_000)]
    seen, plain = SeenSet(), set()
    for word in words:
        assert (word in seen) == (word in plain)
        seen.add(word)
        plain.add(word)
    assert len(seen) == len(plain)
    assert all(w in seen for w in plain)
    assert not any(f"{w}#other" in seen for w in list(plain)[:5_000])


def test_bytes_and_text_and_a_starting_iterable() -> None:
    seen = SeenSet(iter(["a", "b"]))
    seen.add(b"\x00\x01")
    assert "a" in seen and "b" in seen and b"\x00\x01" in seen
    assert "c" not in seen and b"a!" not in seen
    assert len(seen) == 3


def test_eight_bytes_an_entry_once_merged() -> None:
    seen = SeenSet(f"http://127.0.0.1/files/photo-{i}.jpg" for i in range(50_000))
    assert len(seen) == 50_000
    # The recent set holds at most MIN_RECENT or a fraction of the array; the rest is the array.
    assert seen.nbytes >= 8 * (50_000 - max(SeenSet.MIN_RECENT, 50_000 // SeenSet.RECENT_FRACTION))
    assert seen.nbytes <= 8 * 50_000 + 64 * 1024  # the array's spare capacity at most


def test_a_merge_copies_fingerprints_without_making_each_a_python_int() -> None:
    seen = SeenSet(f"http://127.0.0.1/NewsDetail.aspx?id={i}" for i in range(200_000))
    merged_bytes, i = seen.nbytes, 200_000
    tracemalloc.start()
    try:
        while seen.nbytes == merged_bytes:  # add until one add merges
            before, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            seen.add(f"http://127.0.0.1/NewsDetail.aspx?id={i}")
            i += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The new array, 8 bytes an entry, and little else; sorting the whole array as Python
    # ints cost about 56 bytes an entry at every merge.
    assert peak - before < 10 * len(seen)
    assert len(seen) == i and all(f"http://127.0.0.1/NewsDetail.aspx?id={k}" in seen
                                  for k in range(0, i, 101))


def test_the_duplicate_filter_drops_a_repeated_request() -> None:
    crawler = get_crawler()
    dupes = CompactDupeFilter.from_crawler(crawler)
    first = Request("http://127.0.0.1/NewsDetail.aspx?id=1&CatID=2")
    assert dupes.request_seen(first) is False
    assert dupes.request_seen(first.replace()) is True
    # Scrapy's fingerprint: the same query in another order is the same request.
    assert dupes.request_seen(Request("http://127.0.0.1/NewsDetail.aspx?CatID=2&id=1")) is True
    assert dupes.request_seen(Request("http://127.0.0.1/NewsDetail.aspx?id=1&CatID=2",
                                      method="POST")) is False
    assert len(dupes.seen) == 2


def test_with_jobdir_the_filter_is_scrapys_own(tmp_path) -> None:
    crawler = get_crawler(settings_dict={"JOBDIR": str(tmp_path)})
    dupes = CompactDupeFilter.from_crawler(crawler)
    assert dupes.seen is None
    assert dupes.request_seen(Request("http://127.0.0.1/a")) is False
    dupes.close("finished")
    again = CompactDupeFilter.from_crawler(get_crawler(settings_dict={"JOBDIR": str(tmp_path)}))
    assert again.request_seen(Request("http://127.0.0.1/a")) is True
    again.close("finished")


def test_known_articles_answer_as_the_key_to_title_map_did() -> None:
    from crawler.seen import KnownArticles, fingerprint

    rnd = Random(11)
    pairs = [(f"id:{rnd.randrange(20_000)}", rnd.choice(["Họp báo", "Đoàn công tác", None, ""]))
             for _ in range(30_000)]
    known, plain = KnownArticles(iter(pairs)), dict(pairs)  # the later title counts
    assert len(known) == len(plain)
    for key in [f"id:{i}" for i in range(20_500)]:
        assert (key in known) == (key in plain)
        title = plain.get(key)
        assert known.archived_title(key) == (fingerprint(title) if title else None)


def test_known_articles_take_sixteen_bytes_an_article() -> None:
    from crawler.seen import KnownArticles

    known = KnownArticles((f"id:{i}", f"Tiêu đề bài viết số {i}") for i in range(50_000))
    held = sum(a.buffer_info()[1] * a.itemsize for a in (known._keys, known._titles))
    assert held == 50_000 * 16
