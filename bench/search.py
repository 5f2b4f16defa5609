"""Benchmark (not a test): search latency on a generated 100,000-article archive.

    .venv/bin/python -m bench.search [--articles 100000] [--repeat 5] [--db PATH]

Generates an archive of synthetic Vietnamese articles (sentences of government news
recombined, with places, names and numbers drawn at random; the seed article of the replica
lends its real sentences), created by ``crawler.storage.Archive`` so that the schema,
migrations and FTS triggers are the real ones, and filled with sqlite-utils' ``insert_all``
(the triggers index each row as it lands). Then times 20 queries (with and without
diacritics, phrases, prefixes) through ``crawler.search.search``, the function behind
``portal-archive search`` (bm25 order, highlighted title and snippets, 20 hits), and two
baselines measured in the same run: the same queries as plain FTS5 matches through
sqlite-utils' ``Table.search`` (no folding, no snippets), and a ``LIKE`` scan of title,
summary and body. Then the same queries newest first (``--sort newest``) against plain FTS5
ordered by ``published``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any

from sqlite_utils.db import Table

from crawler.search import search
from crawler.storage import Archive

SEED_TEXT = Path(__file__).resolve().parent.parent / "replica" / "data" / "article-2021-04-20.txt"

DISTRICTS = ["huyện Hoành Bồ", "thị xã Quảng Yên", "thành phố Uông Bí", "huyện Đầm Hà",
             "huyện Tiên Yên", "thành phố Cẩm Phả", "huyện Vân Đồn", "thị xã Đông Triều",
             "huyện Bình Liêu", "huyện Hải Hà", "thành phố Móng Cái", "huyện Ba Chẽ"]
NAMES = ["Nguyễn Văn Đức", "Đặng Thị Hoa", "Trần Minh Đạo", "Lê Quang Dũng", "Phạm Thu Hằng",
         "Vũ Đình Nam", "Hoàng Thị Diệu", "Đỗ Văn Đông"]
PROJECTS = ["đường nối cao tốc", "cầu Bến Rừng", "khu công nghiệp Sông Khoai",
            "bệnh viện đa khoa tỉnh", "kè chống sạt lở bờ sông", "trường chuyên của tỉnh"]
HOLIDAYS = ["Tết Nguyên đán", "Quốc khánh 2/9", "30/4 - 1/5", "Giỗ Tổ Hùng Vương"]
FESTIVALS = ["Yên Tử", "Bạch Đằng", "Carnaval Hạ Long", "đền Cửa Ông", "Tiên Công"]
UNITS = ["Văn phòng UBND tỉnh", "Sở Kế hoạch và Đầu tư", "Sở Giao thông vận tải",
         "Trung tâm Thông tin", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Y tế"]
AUTHORS = ["Diệu Thúy", "Thu Hà", "Huy Dương", "Minh Đức", "Thanh Hương", "Đức Anh", "Ngọc Diệp"]

TOPICS: dict[str, dict[str, list[str]]] = {
    "Phòng chống thiên tai": {
        "titles": ["Triển khai phương án ứng phó với bão số {n}",
                   "{District} diễn tập phòng chống thiên tai năm {y}",
                   "Khắc phục hậu quả mưa lũ tại {district}",
                   "Tổng kết công tác phòng chống thiên tai và tìm kiếm cứu nạn năm {y}"],
        "sentences": [
            "Ban Chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn tỉnh đã triển khai phương "
            "án ứng phó với bão số {n}.",
            "Mưa lớn kéo dài gây ngập úng cục bộ tại {district}, làm hư hỏng {num} ha lúa và "
            "hoa màu.",
            "Lực lượng chức năng đã sơ tán {k} hộ dân ra khỏi vùng nguy hiểm do sạt lở đất.",
            "Các địa phương được yêu cầu kiểm tra hệ thống đê điều, hồ đập trước mùa mưa bão.",
            "Quỹ phòng chống thiên tai tỉnh năm {y} đã thu được {num} triệu đồng.",
            "Diễn tập phòng chống thiên tai và tìm kiếm cứu nạn được tổ chức tại {district}.",
            "Bão lũ đã làm {n} người bị thương, nhiều tuyến đường giao thông bị chia cắt.",
            "Đội xung kích phòng chống thiên tai cấp xã được củng cố, kiện toàn."]},
    "Kinh tế - Đầu tư": {
        "titles": ["Đẩy nhanh tiến độ giải ngân vốn đầu tư công năm {y}",
                   "GRDP quý {q} năm {y} tăng {n}%",
                   "Tháo gỡ vướng mắc trong giải phóng mặt bằng dự án {project}",
                   "Hội nghị xúc tiến đầu tư năm {y}"],
        "sentences": [
            "Tỷ lệ giải ngân vốn đầu tư công của tỉnh đến hết tháng {m} đạt {pct}% kế hoạch.",
            "Tổng sản phẩm trên địa bàn tỉnh quý {q} tăng {n},{d}% so với cùng kỳ.",
            "UBND tỉnh yêu cầu các chủ đầu tư đẩy nhanh tiến độ dự án {project}.",
            "Thu ngân sách nhà nước trên địa bàn đạt {k} tỷ đồng, bằng {pct}% dự toán.",
            "Tỉnh đã cấp giấy chứng nhận đăng ký đầu tư cho {n} dự án với tổng vốn {num} tỷ "
            "đồng.",
            "Hội nghị xúc tiến đầu tư thu hút sự tham gia của nhiều doanh nghiệp trong và "
            "ngoài nước.",
            "Công tác giải phóng mặt bằng dự án {project} còn chậm so với yêu cầu."]},
    "Nông thôn mới": {
        "titles": ["{District} có thêm {n} xã đạt chuẩn nông thôn mới",
                   "Xây dựng nông thôn mới nâng cao tại {district}",
                   "Chương trình OCOP năm {y}: {n} sản phẩm đạt 4 sao"],
        "sentences": [
            "Đến nay toàn tỉnh có {num} xã đạt chuẩn nông thôn mới, {n} xã đạt chuẩn nông thôn "
            "mới nâng cao.",
            "Chương trình mục tiêu quốc gia xây dựng nông thôn mới được triển khai đồng bộ tại "
            "{district}.",
            "Người dân hiến đất, góp công làm đường giao thông nông thôn.",
            "Mô hình sản xuất nông nghiệp ứng dụng công nghệ cao mang lại hiệu quả kinh tế rõ "
            "rệt.",
            "Chương trình mỗi xã một sản phẩm có thêm {n} sản phẩm đạt 4 sao."]},
    "Giao thông": {
        "titles": ["Đảm bảo trật tự an toàn giao thông dịp {holiday}",
                   "Nâng cấp, mở rộng tuyến {project}",
                   "Tai nạn giao thông giảm {n} vụ so với cùng kỳ"],
        "sentences": [
            "Ban An toàn giao thông tỉnh ra quân đảm bảo trật tự an toàn giao thông dịp "
            "{holiday}.",
            "Số vụ tai nạn giao thông giảm {n} vụ so với cùng kỳ năm {y0}.",
            "Tuyến đường {project} được đầu tư nâng cấp, mở rộng.",
            "Lực lượng cảnh sát giao thông tăng cường tuần tra, kiểm soát, xử lý vi phạm nồng "
            "độ cồn."]},
    "Cải cách hành chính": {
        "titles": ["Đẩy mạnh chuyển đổi số trong cơ quan nhà nước",
                   "Chỉ số cải cách hành chính năm {y0} xếp thứ {n}",
                   "{Unit} triển khai dịch vụ công trực tuyến toàn trình"],
        "sentences": [
            "Tỉnh đẩy mạnh chuyển đổi số, xây dựng chính quyền điện tử hướng tới chính quyền "
            "số.",
            "Tỷ lệ hồ sơ thủ tục hành chính được giải quyết trực tuyến đạt {pct}%.",
            "Trung tâm Phục vụ hành chính công tỉnh tiếp nhận {k} hồ sơ trong tháng {m}.",
            "Chỉ số cải cách hành chính của tỉnh năm {y0} xếp thứ {n} toàn quốc.",
            "{Unit} triển khai hệ thống quản lý văn bản và điều hành liên thông."]},
    "Văn hóa - Xã hội": {
        "titles": ["Khai mạc lễ hội {festival} năm {y}",
                   "Trao quà cho hộ nghèo nhân dịp {holiday}",
                   "Kỳ thi tốt nghiệp trung học phổ thông năm {y} an toàn, nghiêm túc"],
        "sentences": [
            "Lễ hội {festival} năm {y} thu hút hàng nghìn lượt du khách.",
            "Ngành y tế tăng cường công tác phòng, chống dịch bệnh mùa hè.",
            "Kỳ thi tốt nghiệp trung học phổ thông năm {y} diễn ra an toàn, nghiêm túc.",
            "Tỉnh trao {num} suất quà cho hộ nghèo, gia đình chính sách nhân dịp {holiday}.",
            "Đoàn công tác của tỉnh thăm và làm việc tại {district}."]},
    "Xây dựng Đảng": {
        "titles": ["Kết nạp đảng viên mới tại Chi bộ {unit}",
                   "Đảng bộ {unit} làm tốt công tác phát triển Đảng",
                   "Hội nghị sơ kết công tác xây dựng Đảng {half} năm {y}"],
        "sentences": []},  # the seed article's own sentences, read from the replica
}
GENERAL = [
    "Chủ tịch UBND tỉnh {name} chủ trì hội nghị.",
    "Phó Chủ tịch UBND tỉnh {name} yêu cầu các sở, ngành liên quan phối hợp chặt chẽ.",
    "Hội nghị đánh giá kết quả thực hiện nhiệm vụ {half} và triển khai nhiệm vụ thời gian tới.",
    "UBND tỉnh ban hành kế hoạch số {num}/KH-UBND về việc triển khai thực hiện.",
    "Các đại biểu đã thảo luận, đóng góp nhiều ý kiến tâm huyết.",
    "Đồng chí {name} ghi nhận, biểu dương những kết quả đạt được.",
    "{Unit} được giao chủ trì, phối hợp với {district} tổ chức thực hiện.",
]

QUERIES = [
    # with diacritics
    "đảng viên", "phòng chống thiên tai", "giải ngân vốn đầu tư công", "Ủy ban nhân dân",
    "bão lũ", "nông thôn mới",
    # without
    "dang vien", "phong chong thien tai", "giai ngan von dau tu", "chu tich ubnd tinh",
    "bao lu", "nong thon moi",
    # phrases
    '"phát triển đảng"', '"an toàn giao thông"', '"chuyen doi so"', '"xây dựng nông thôn mới"',
    # prefixes
    "dang*", "thien*", "giao thong*", "chuyển đổi s*",
]


def seed_sentences() -> list[str]:
    text = SEED_TEXT.read_text(encoding="utf-8")
    sentences = re.split(r"(?<=[.;])\s+", " ".join(text.splitlines()[3:-6]))
    return [" ".join(s.split()).replace("{", "(").replace("}", ")") for s in sentences
            if len(s.split()) >= 8 and "Ảnh" not in s]


class Generator:
    """Synthetic articles, reproducible from a seed."""

    def __init__(self, seed: int = 20210420) -> None:
        self.r = Random(seed)
        TOPICS["Xây dựng Đảng"]["sentences"] = seed_sentences()

    def slots(self, d: date) -> dict[str, Any]:
        r = self.r
        district, unit = r.choice(DISTRICTS), r.choice(UNITS)
        return {"n": r.randint(2, 12), "num": r.randint(10, 999), "k": r.randint(100, 9999),
                "pct": r.randint(40, 99), "d": r.randint(1, 9), "y": d.year, "y0": d.year - 1,
                "m": d.month, "q": (d.month - 1) // 3 + 1, "district": district,
                "District": district[0].upper() + district[1:], "unit": unit, "Unit": unit,
                "name": r.choice(NAMES), "project": r.choice(PROJECTS),
                "holiday": r.choice(HOLIDAYS), "festival": r.choice(FESTIVALS),
                "half": r.choice(["6 tháng đầu năm", "quý I", "năm"])}

    def sentence(self, pool: list[str], d: date) -> str:
        return self.r.choice(pool).format(**self.slots(d))

    def article(self, i: int, start: date, days: int) -> dict[str, Any]:
        r = self.r
        category = r.choice(list(TOPICS))
        topic = TOPICS[category]
        d = start + timedelta(days=r.randrange(days))
        own = topic["sentences"]
        body = []
        for _ in range(r.randint(2, 6)):
            body.append(" ".join(self.sentence(own if r.random() < 0.7 else GENERAL, d)
                                 for _ in range(r.randint(2, 5))))
        return {"site": "bench", "key": f"id:{i}", "url": f"http://bench.invalid/NewsDetail.aspx?id={i}",
                "category": category, "title": self.sentence(topic["titles"], d),
                "published": d.isoformat(), "published_text": f"{d.day}/{d.month}/{d.year}",
                "author": r.choice(AUTHORS), "source": "Trang TTĐT VP",
                "summary": self.sentence(own, d), "body": "\n\n".join(body),
                "first_seen": "2026-11-26T00:00:00Z", "last_seen": "2026-11-26T00:00:00Z",
                "problems": "[]"}

    def articles(self, n: int) -> Iterator[dict[str, Any]]:
        start = date(2008, 1, 1)
        days = (date(2025, 12, 31) - start).days
        for i in range(1, n + 1):
            yield self.article(i, start, days)


def build(path: Path, n: int) -> float:
    """Create the archive at ``path`` with ``n`` articles; returns the seconds it took."""
    started = time.perf_counter()
    with Archive(path) as archive:
        archive.db["articles"].insert_all(Generator().articles(n), batch_size=1000)
        archive.db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    return time.perf_counter() - started


def timings(run: Callable[[str], Any], repeat: int) -> list[float]:
    """Milliseconds of ``run(query)`` for every query, ``repeat`` times after a warm-up."""
    out = []
    for query in QUERIES:
        run(query)
        for _ in range(repeat):
            started = time.perf_counter()
            run(query)
            out.append((time.perf_counter() - started) * 1000)
    return out


def plain_fts(table: Table, query: str, order_by: str | None = None) -> list[dict[str, Any]]:
    """The baseline: ``query`` as a plain FTS5 match through sqlite-utils' ``Table.search`` (no
    folding, no snippets), 20 hits best first by FTS5's rank, or in ``order_by``."""
    columns = ["id", "title", *(["published"] if order_by else [])]
    return list(table.search(query, columns=columns, limit=20, order_by=order_by))


def percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94]


def main() -> None:
    parser = argparse.ArgumentParser(description="Search latency on a generated archive.")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="Timed runs of each query.")
    parser.add_argument("--db", help="Keep the archive here (default: a temporary file).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        if path.exists():
            raise SystemExit(f"{path} exists; give a new path")
        seconds = build(path, args.articles)
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
        print(f"archive: {args.articles:,} articles, {size:,.0f} MB, built in {seconds:.0f} s "
              f"(Archive migrations + triggers, sqlite-utils insert_all)")
        with Archive(path) as archive:
            table = archive.db["articles"]
            hits = {q: len(search(q, path, limit=100_000)) for q in QUERIES}

            def like_scan(q: str) -> list:
                pattern = f"%{q.strip(chr(34)).rstrip('*')}%"
                return list(table.rows_where(
                    "title LIKE ? OR summary LIKE ? OR body LIKE ?", [pattern] * 3,
                    select="id, title", order_by="published DESC", limit=20))

            runs = {
                "portal-archive search (folded, bm25, snippets)":
                    timings(lambda q: search(q, path, limit=20), args.repeat),
                "baseline: plain FTS5 via sqlite-utils (no folding, no snippets)":
                    timings(lambda q: plain_fts(table, q), args.repeat),
                "baseline: LIKE scan of title, summary, body": timings(like_scan, 1),
                "portal-archive search --sort newest (folded, snippets)":
                    timings(lambda q: search(q, path, limit=20, sort="newest"), args.repeat),
                "baseline: plain FTS5 via sqlite-utils, order_by published desc":
                    timings(lambda q: plain_fts(table, q, "published desc"), args.repeat),
            }
    print(f"{len(QUERIES)} queries (6 with diacritics, 6 without, 4 phrases, 4 prefixes); "
          f"matches per query: min {min(hits.values()):,}, median "
          f"{statistics.median(hits.values()):,.0f}, max {max(hits.values()):,}")
    ours = percentiles(next(iter(runs.values())))
    print(f"{'':66} {'p50 ms':>8} {'p95 ms':>8}  {'p50 ratio':>9} {'p95 ratio':>9}")
    for name, values in runs.items():
        p50, p95 = percentiles(values)
        print(f"{name:66} {p50:8.1f} {p95:8.1f}  {ours[0] / p50:9.2f} {ours[1] / p95:9.2f}")
    print("(ratio = portal-archive search / that row: below 1 means search is faster)")


if __name__ == "__main__":
    main()
