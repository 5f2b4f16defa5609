"""Data model of the replica portal: categories, articles, and the seeded generator.

Everything here is deterministic for a given ``(seed, n_articles, epoch)``. Model strings are
NFC; the templates decide how they are served (NFD for ``nfd`` articles, ``&nbsp;``, inline
tags). ``Article.body`` is the text an extractor is expected to produce.

This module must not import anything from ``crawler/``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from random import Random

ICT = timezone(timedelta(hours=7), "ICT")
DATA_DIR = Path(__file__).resolve().parent / "data"
SEED_TEXT = DATA_DIR / "article-2021-04-20.txt"

# Index = date.weekday() (Monday = 0).
WEEKDAYS = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"]
WEEKDAYS_CAP = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]

_WS = re.compile(r"\s+")
# A photo credit at the end of a caption: "(Ảnh: Thanh Vân)", "Ảnh: Huy Dương", "Ảnh  Huy Dương".
_CREDIT = re.compile(
    r"(?:\(\s*Ảnh\s*:\s*(?P<c1>[^()]{1,40}?)\s*\)|Ảnh\s*:?\s+(?P<c2>\S+(?:\s\S+){0,3}))\s*$"
)


def collapse(text: str) -> str:
    """Collapse whitespace runs (NBSP included) to one space and strip."""
    return _WS.sub(" ", text).strip()


# --------------------------------------------------------------------------- dataclasses


@dataclass
class Category:
    slug: str
    name: str
    public: bool = True

    @property
    def url_path(self) -> str:
        return f"/Category.aspx?cat={self.slug}"


@dataclass
class Image:
    url: str
    caption: str  # caption without the credit, whitespace collapsed
    credit: str  # the photographer's name only, e.g. "Huy Dương"
    caption_text: str  # the caption as served, credit included (may contain NBSP runs)


@dataclass
class Attachment:
    url: str  # /Uploads/VanBan/<name>.pdf
    title: str  # link text


@dataclass
class Article:
    id: int
    category_slug: str
    title: str
    published: date | datetime  # datetime (tz +07:00) when the page shows a time
    date_text: str  # the date line exactly as shown under the category name
    paragraphs: list[str]
    images: list[tuple[int, Image]] = field(default_factory=list)  # (after paragraph i, image)
    author: str = ""
    source: str = ""
    summary: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    related_ids: list[int] = field(default_factory=list)  # "Các tin đã đăng", newest first
    weekday_mismatch: bool = False
    nfd: bool = False  # served decomposed (title and some paragraphs)
    version: int = 1
    modified: datetime | None = None  # set for epoch-2 edits (Last-Modified)

    @property
    def url_path(self) -> str:
        return f"/NewsDetail.aspx?id={self.id}"

    @property
    def print_path(self) -> str:
        return f"/Modules/Article/ArticlePrint.aspx?ArticleID={self.id}"

    @property
    def published_date(self) -> date:
        p = self.published
        return p.date() if isinstance(p, datetime) else p

    @property
    def has_time(self) -> bool:
        return isinstance(self.published, datetime)

    @property
    def published_iso(self) -> str:
        """"2021-04-20", or "2021-04-20T08:30:00+07:00" when a time is shown."""
        return self.published.isoformat()

    @property
    def body(self) -> str:
        return "\n\n".join(c for c in (collapse(p) for p in self.paragraphs) if c)

    @property
    def last_modified(self) -> datetime:
        if self.modified is not None:
            return self.modified
        if isinstance(self.published, datetime):
            return self.published
        d = self.published
        return datetime(d.year, d.month, d.day, 7, 0, tzinfo=ICT)

    @property
    def etag(self) -> str:
        h = hashlib.sha1()
        for part in (str(self.id), str(self.version), self.title, self.body,
                     self.summary or "", self.author, self.source):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return '"' + h.hexdigest()[:20] + '"'


@dataclass
class Portal:
    seed: int
    n_articles: int
    epoch: int
    categories: list[Category]
    articles: dict[int, Article]
    seed_id: int
    dead_link_id: int
    dead_link_source_id: int  # the article whose related box lists dead_link_id
    dead_link_title: str
    dead_link_date: date
    flaky_id: int
    popular_ids: list[int]  # right column "Tin đọc nhiều"
    featured_ids: list[int]  # home "Tin nổi bật"
    listing_depth: int = 3
    page_size: int = 10
    notice_id: int | None = None  # epoch 2: page answers a "dừng hoạt động" notice
    edited_ids: list[int] = field(default_factory=list)  # epoch 2
    new_ids: list[int] = field(default_factory=list)  # epoch 2
    #: Sorted article lists, built on first use: a listing page of a 100,000-article replica
    #: would otherwise sort its whole category on every request (about 30 ms of the server's
    #: CPU each, which made the replica the bottleneck of deep listing chains).
    _sorted: dict[str | None, tuple[int, list[int]]] = field(
        default_factory=dict, repr=False, compare=False)

    # -- lookups
    @property
    def seed_article(self) -> Article:
        return self.articles[self.seed_id]

    def category(self, slug: str) -> Category | None:
        for c in self.categories:
            if c.slug == slug:
                return c
        return None

    def public_categories(self) -> list[Category]:
        return [c for c in self.categories if c.public]

    def is_public(self, article: Article) -> bool:
        cat = self.category(article.category_slug)
        return bool(cat and cat.public)

    def _newest_first(self, slug: str | None) -> list[int]:
        """Ids of the public articles (``slug`` None) or of one category's, newest first;
        recomputed when articles are added or removed (ids, not the articles: an edit
        replaces the article object)."""
        cached = self._sorted.get(slug)
        if cached is None or cached[0] != len(self.articles):
            keep = (self.is_public if slug is None
                    else lambda a: a.category_slug == slug)
            ids = sorted((a.id for a in self.articles.values() if keep(a)), reverse=True)
            cached = self._sorted[slug] = (len(self.articles), ids)
        return cached[1]

    def public_articles(self) -> list[Article]:
        """Articles an archive crawled from the home page should hold, newest first."""
        return [self.articles[i] for i in self._newest_first(None)]

    def category_articles(self, slug: str) -> list[Article]:
        """All articles of one category, newest first."""
        return [self.articles[i] for i in self._newest_first(slug)]

    def listing_page(self, slug: str, page: int) -> list[Article]:
        start = (max(page, 1) - 1) * self.page_size
        return [self.articles[i] for i in self._newest_first(slug)[start:start + self.page_size]]

    def listing_pages(self, slug: str) -> int:
        """Total pages of a category (the pager shows only min(this, listing_depth))."""
        n = len(self._newest_first(slug))
        return max(1, -(-n // self.page_size))

    def newest_public(self, n: int = 10) -> list[Article]:
        return [self.articles[i] for i in self._newest_first(None)[:n]]

    def linked_ids(self) -> set[int]:
        """Article ids linked from the home page, the linked listing pages or the sidebar."""
        ids: set[int] = {a.id for a in self.newest_public(10)}
        ids.update(self.featured_ids)
        ids.update(self.popular_ids)
        for cat in self.public_categories():
            depth = min(self.listing_depth, self.listing_pages(cat.slug))
            for page in range(1, depth + 1):
                ids.update(a.id for a in self.listing_page(cat.slug, page))
        return ids

    def articles_only_in_chains(self) -> list[Article]:
        """Public articles reachable only by following related ("Các tin đã đăng") links."""
        linked = self.linked_ids()
        return [a for a in self.public_articles() if a.id not in linked]


# --------------------------------------------------------------------------- phrase banks

PUBLIC_CATEGORIES = [
    ("hoat-dong", "Hoạt động", 0.28),
    ("tin-tuc-su-kien", "Tin tức - Sự kiện", 0.20),
    ("chi-dao-dieu-hanh", "Chỉ đạo - Điều hành", 0.20),
    ("phong-chong-thien-tai", "Phòng chống thiên tai", 0.16),
    ("xay-dung-dang", "Xây dựng Đảng", 0.16),
]
PRIVATE_CATEGORY = ("noi-bo", "Văn bản nội bộ")
N_PRIVATE = 6

DISTRICTS = [
    "huyện Tiên Yên", "huyện Ba Chẽ", "huyện Bình Liêu", "huyện Đầm Hà", "huyện Hải Hà",
    "huyện Vân Đồn", "huyện Cô Tô", "thị xã Đông Triều", "thị xã Quảng Yên",
    "thành phố Cẩm Phả", "thành phố Uông Bí", "thành phố Móng Cái", "huyện Hoành Bồ",
    "thành phố Hạ Long",
]
UNITS = [
    "Sở Kế hoạch và Đầu tư", "Sở Tài chính", "Sở Nội vụ", "Sở Xây dựng",
    "Sở Nông nghiệp và Phát triển nông thôn", "Sở Tài nguyên và Môi trường",
    "Sở Giao thông vận tải", "Sở Thông tin và Truyền thông", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Bộ Chỉ huy Quân sự tỉnh", "Công an tỉnh",
    "Ban Quản lý dự án đầu tư xây dựng tỉnh", "Trung tâm Phục vụ hành chính công tỉnh",
]
TOPICS = [
    "cải cách hành chính", "chuyển đổi số", "giải ngân vốn đầu tư công",
    "phòng chống dịch bệnh", "xây dựng nông thôn mới", "bảo vệ môi trường",
    "phòng cháy chữa cháy rừng", "thu ngân sách nhà nước", "bảo đảm trật tự an toàn giao thông",
    "giải phóng mặt bằng", "phát triển du lịch", "thu hút đầu tư", "an sinh xã hội",
    "quản lý đất đai", "ứng dụng công nghệ thông tin", "phòng chống tham nhũng",
]
PROJECTS = [
    "dự án đường nối cao tốc", "công trình kè chống sạt lở", "trường tiểu học",
    "trạm y tế xã", "cầu dân sinh", "dự án cấp nước sạch", "khu tái định cư",
    "nhà văn hóa thôn", "hồ chứa nước", "dự án nâng cấp đê biển",
]
NAMES = [
    "Nguyễn Văn Hùng", "Đặng Trần Thắng", "Lương Chiến Công", "Phạm Thị Lan",
    "Trần Quốc Khánh", "Vũ Minh Tuấn", "Hoàng Văn Nam", "Lê Thị Hương", "Bùi Đức Thịnh",
    "Đỗ Thanh Hải", "Ngô Quang Vinh", "Phan Thị Mai",
]
ROLES = [
    "Phó Chủ tịch UBND tỉnh", "Chánh Văn phòng UBND tỉnh", "Phó Chánh Văn phòng UBND tỉnh",
    "Chủ tịch UBND tỉnh", "Bí thư Đảng bộ Văn phòng", "Chủ tịch Công đoàn cơ quan",
    "Trưởng Ban Chỉ huy Phòng chống thiên tai tỉnh",
]
BRANCHES = ["Hành chính - Tổ chức", "Tổng hợp", "Kinh tế", "Nội chính", "Trung tâm Thông tin",
            "Quản trị - Tài vụ", "Khoa giáo - Văn xã"]
EVENTS = ["hội thao", "hội diễn văn nghệ", "chương trình thiện nguyện", "ngày hội gia đình",
          "giải bóng đá", "hoạt động tri ân"]
HOLIDAYS = ["thành lập Đảng Cộng sản Việt Nam", "Quốc khánh 2/9", "giải phóng miền Nam",
            "thành lập tỉnh", "Ngày Thương binh - Liệt sỹ", "thành lập Quân đội nhân dân Việt Nam"]
PARTNERS = ["tỉnh bạn", "Đại sứ quán Nhật Bản", "Tổng cục Du lịch", "tỉnh Quảng Tây (Trung Quốc)",
            "Ngân hàng Thế giới", "Bộ Kế hoạch và Đầu tư", "Văn phòng Chính phủ"]
FESTIVALS = ["Lễ hội Carnaval Hạ Long", "Hội chợ Thương mại quốc tế", "Tuần Văn hóa - Du lịch",
             "Lễ hội hoa sở", "Hội chợ OCOP", "Giải chạy việt dã"]

TITLE_BANK: dict[str, list[str]] = {
    "hoat-dong": [
        "UBND tỉnh họp phiên thường kỳ tháng {m}/{y}",
        "Văn phòng UBND tỉnh tổ chức hội nghị cán bộ, công chức năm {y}",
        "Công đoàn Văn phòng UBND tỉnh tổ chức {event} năm {y}",
        "Lãnh đạo Văn phòng UBND tỉnh làm việc với {unit} về {topic}",
        "Văn phòng UBND tỉnh triển khai nhiệm vụ {topic} quý {q}/{y}",
        "Chi đoàn Văn phòng UBND tỉnh ra quân tình nguyện tại {district} tháng {m}/{y}",
        "Văn phòng UBND tỉnh tổng kết công tác năm {y0}, triển khai nhiệm vụ năm {y}",
        "Văn phòng UBND tỉnh tập huấn nghiệp vụ {topic} năm {y}",
        "Giao ban Văn phòng UBND tỉnh tháng {m}/{y}",
    ],
    "tin-tuc-su-kien": [
        "Đoàn công tác của tỉnh thăm và làm việc tại {district} tháng {m}/{y}",
        "Khánh thành {project} tại {district}",
        "Lễ kỷ niệm ngày {holiday} năm {y}",
        "Tỉnh tiếp đoàn công tác của {partner} tháng {m}/{y}",
        "Khai mạc {festival} năm {y}",
        "Hội nghị xúc tiến đầu tư vào {district} năm {y}",
        "Trao quà cho hộ nghèo tại {district} dịp Tết năm {y}",
    ],
    "chi-dao-dieu-hanh": [
        "Chủ tịch UBND tỉnh chỉ đạo đẩy mạnh {topic} tại {district}",
        "UBND tỉnh ban hành kế hoạch {topic} năm {y}",
        "Phó Chủ tịch UBND tỉnh kiểm tra tiến độ {project} tại {district}",
        "UBND tỉnh yêu cầu các sở, ngành tăng cường {topic} tháng {m}/{y}",
        "Triển khai thực hiện Chỉ thị số {num}/CT-UBND về {topic}",
        "UBND tỉnh làm việc với {unit} về {topic} năm {y}",
    ],
    "phong-chong-thien-tai": [
        "Đoàn công tác kiểm tra công tác phòng chống lụt bão tại {district} năm {y}",
        "Ban Chỉ huy PCTT và TKCN tỉnh họp ứng phó với cơn bão số {n} năm {y}",
        "Tổng kết công tác phòng chống thiên tai và tìm kiếm cứu nạn năm {y}",
        "Diễn tập phòng chống thiên tai và tìm kiếm cứu nạn tại {district} năm {y}",
        "Khắc phục hậu quả mưa lũ tại {district} tháng {m}/{y}",
        "Chủ động ứng phó với áp thấp nhiệt đới tháng {m}/{y}",
    ],
    "xay-dung-dang": [
        "Hội nghị sơ kết công tác xây dựng Đảng 6 tháng đầu năm {y}",
        "Đảng bộ Văn phòng UBND tỉnh học tập, quán triệt Nghị quyết số {num}-NQ/TU",
        "Chi bộ {branch} tổ chức sinh hoạt chuyên đề tháng {m}/{y}",
        "Đại hội Chi bộ {branch} nhiệm kỳ {y}-{y5}",
        "Kết nạp đảng viên mới tại Chi bộ {branch} năm {y}",
        "Đảng bộ Văn phòng UBND tỉnh tổng kết công tác xây dựng Đảng năm {y}",
    ],
    "noi-bo": [
        "Thông báo nội bộ số {num}/TB-VP về {topic}",
        "Lịch công tác nội bộ tuần {n} tháng {m}/{y}",
    ],
}

SENTENCES = [
    "{Opener}, đồng chí {name}, {role} đã chủ trì buổi làm việc với {unit}.",
    "Tham dự có lãnh đạo {unit}, {unit2} và đại diện UBND {district}.",
    "Theo báo cáo của {unit}, thời gian qua công tác {topic} đã đạt nhiều kết quả tích cực.",
    "Tuy nhiên, việc triển khai {topic} ở một số địa phương còn chậm, chưa đáp ứng yêu cầu.",
    "Phát biểu chỉ đạo, đồng chí {name} đề nghị các đơn vị tập trung thực hiện tốt {topic}.",
    "Đồng chí nhấn mạnh, {topic} là nhiệm vụ trọng tâm, cần có sự vào cuộc của cả hệ thống "
    "chính trị.",
    "Các đại biểu đã thảo luận, đóng góp nhiều ý kiến tâm huyết, sát với thực tiễn.",
    "Năm {y}, toàn tỉnh phấn đấu hoàn thành {pct}% kế hoạch đề ra về {topic}.",
    "UBND {district} đã huy động hơn {k} lượt cán bộ, chiến sỹ và người dân tham gia.",
    "Đến nay, {project} đã hoàn thành khoảng {pct}% khối lượng công việc.",
    "Tổng mức đầu tư của dự án là {k} tỷ đồng từ nguồn ngân sách tỉnh.",
    "Đoàn công tác đã kiểm tra thực tế tại {project} và các điểm xung yếu trên địa bàn.",
    "Văn phòng UBND tỉnh đã tham mưu ban hành {k} văn bản chỉ đạo, điều hành.",
    "Kết quả này góp phần quan trọng vào việc hoàn thành các chỉ tiêu kinh tế - xã hội của tỉnh.",
    "Lãnh đạo {unit} cho biết, đơn vị sẽ tiếp thu đầy đủ các ý kiến chỉ đạo.",
    "Các sở, ngành, địa phương cần chủ động rà soát, xây dựng phương án cụ thể.",
    "Trong {n} tháng, {unit} đã tiếp nhận và giải quyết {k} hồ sơ thủ tục hành chính đúng hạn.",
    "Dịp này, {n} tập thể và {k} cá nhân được tặng Giấy khen vì có thành tích xuất sắc.",
    "Công tác phối hợp giữa {unit} và {unit2} ngày càng chặt chẽ, hiệu quả.",
    "Chi bộ {branch} đã duy trì nghiêm túc chế độ sinh hoạt định kỳ hằng tháng.",
    "Đảng bộ hiện có {k} đảng viên sinh hoạt tại {n} chi bộ trực thuộc.",
    "Lực lượng chức năng đã sơ tán {k} hộ dân ra khỏi khu vực nguy hiểm.",
    "Mưa lớn kéo dài đã gây sạt lở nhiều tuyến đường giao thông tại {district}.",
    "Tỉnh đã hỗ trợ kịp thời {k} tấn gạo và nhu yếu phẩm cho người dân bị ảnh hưởng.",
    "{Opener}, tại trụ sở UBND tỉnh đã diễn ra hội nghị trực tuyến với các địa phương.",
    "Hội nghị đã thống nhất các giải pháp trọng tâm trong thời gian tới.",
    "Đồng chí {name} yêu cầu {unit} khẩn trương hoàn thiện hồ sơ trình UBND tỉnh trước ngày "
    "{d2}/{m2}.",
    "Cán bộ, công chức Văn phòng đã nêu cao tinh thần trách nhiệm, đoàn kết, sáng tạo.",
    "Nhiều mô hình hay, cách làm hiệu quả về {topic} đã được nhân rộng.",
    "Sau {n} năm triển khai, diện mạo {district} đã có nhiều đổi thay rõ nét.",
]
OPENERS = ["Sáng {d}/{m}", "Chiều {d}/{m}", "Ngày {d}/{m}/{y}", "Sáng nay ({d}/{m})",
           "Trong hai ngày {d}/{m} và {d1}/{m1}", "Chiều ngày {d}/{m}"]

CAPTIONS = [
    "Đồng chí {name}, {role} phát biểu tại hội nghị.",
    "Quang cảnh hội nghị.",
    "Đoàn công tác kiểm tra thực tế tại {district}.",
    "Các đại biểu dự lễ khánh thành {project}.",
    "Lực lượng chức năng hỗ trợ người dân khắc phục hậu quả mưa lũ.",
    "Đồng chí {name} trao Giấy khen cho các tập thể có thành tích xuất sắc.",
    "Lãnh đạo {unit} báo cáo tại buổi làm việc.",
    "Các đại biểu chụp ảnh lưu niệm.",
]
PHOTOGRAPHERS = ["Huy Dương", "Thanh Vân", "Minh Đức", "Hoàng Nga", "Quang Minh", "Thu Trang"]
AUTHORS = ["Diệu Thúy", "Kim Loan", "THÚY NGA", "Bích Huệ", "Hồng Nhung", "Thu Hà",
           "Minh Hằng", "Quốc Tuấn", "Phương Thảo", "Thanh Hương"]
TITLE_EDITS = [" (cập nhật)", " - bổ sung thông tin", " (tiếp theo)", " - kết quả bước đầu"]


# --------------------------------------------------------------------------- helpers


def format_date_text(d: date, at: datetime | None = None, *, style: int = 0,
                     weekday: int | None = None) -> str:
    """Weekday date line in the portal's styles.

    style 0: "Thứ ba 20/4/2021" (Sunday: "Chủ nhật, 2/5/2021");
    with ``at``: "Thứ Ba, 20/04/2021 | 08:30"; style 1 with ``at`` on Saturday: "Thứ Bẩy, …".
    ``weekday`` overrides the real weekday (used for the mismatch quirk).
    """
    wd = d.weekday() if weekday is None else weekday
    if at is not None:
        name = WEEKDAYS_CAP[wd]
        if wd == 5 and style == 1:
            name = "Thứ Bẩy"
        return f"{name}, {d.day:02d}/{d.month:02d}/{d.year} | {at.hour:02d}:{at.minute:02d}"
    if wd == 6:
        return f"Chủ nhật, {d.day}/{d.month}/{d.year}"
    return f"{WEEKDAYS[wd]} {d.day}/{d.month}/{d.year}"


def split_credit(caption_text: str) -> tuple[str, str]:
    """Split a caption into (caption without credit, credit name)."""
    m = _CREDIT.search(caption_text)
    if not m:
        return collapse(caption_text), ""
    credit = collapse(m.group("c1") or m.group("c2") or "")
    before = collapse(caption_text[:m.start()]).rstrip(" -–,;:(")
    return before.strip(), credit


def _is_caption(line: str) -> bool:
    return len(line) < 400 and _CREDIT.search(line.strip()) is not None


def _token(*parts: object, n: int = 10) -> str:
    return hashlib.md5(":".join(map(str, parts)).encode()).hexdigest()[:n]


def _parse_date_line(text: str) -> date:
    m = re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if not m:
        raise ValueError(f"no date in {text!r}")
    return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))


def parse_seed_text(text: str) -> dict:
    """Parse the verbatim seed page text into article fields (category name, date, title...)."""
    lines = text.split("\n")
    category_name = lines[0].strip()
    date_text = lines[1].strip()
    title = lines[2].strip()
    # The tool line ("print  send mail") ends the article; source and author sit above it.
    tools = next(i for i, ln in enumerate(lines) if "send mail" in ln)
    nonblank = [i for i in range(3, tools) if lines[i].strip()]
    source_i, author_i = nonblank[-1], nonblank[-2]
    paragraphs: list[str] = []
    captions: list[tuple[int, str]] = []
    for ln in lines[3:author_i]:
        if not ln.strip():
            continue
        if _is_caption(ln):
            captions.append((len(paragraphs) - 1, ln.strip()))
        else:
            paragraphs.append(ln)
    return {
        "category_name": category_name,
        "date_text": date_text,
        "published": _parse_date_line(date_text),
        "title": title,
        "paragraphs": paragraphs,
        "captions": captions,
        "author": lines[author_i].strip(),
        "source": lines[source_i].strip(),
    }


class _Gen:
    """Phrase-bank text generator around one Random."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng

    def slots(self, d: date) -> dict[str, object]:
        r = self.rng
        d2 = d + timedelta(days=r.randint(5, 40))
        nd = d + timedelta(days=1)
        units = r.sample(UNITS, 2)
        return {
            "d": d.day, "d1": nd.day, "m1": nd.month, "m": d.month, "y": d.year,
            "y0": d.year - 1, "y1": d.year + 1, "y5": d.year + 5, "q": (d.month - 1) // 3 + 1,
            "d2": d2.day, "m2": d2.month,
            "district": r.choice(DISTRICTS), "unit": units[0], "unit2": units[1],
            "topic": r.choice(TOPICS), "project": r.choice(PROJECTS), "name": r.choice(NAMES),
            "role": r.choice(ROLES), "branch": r.choice(BRANCHES), "event": r.choice(EVENTS),
            "holiday": r.choice(HOLIDAYS), "partner": r.choice(PARTNERS),
            "festival": r.choice(FESTIVALS), "num": r.randint(10, 999), "n": r.randint(2, 9),
            "k": r.randint(12, 950), "pct": r.randint(60, 99),
        }

    def sentence(self, d: date) -> str:
        s = self.slots(d)
        s["Opener"] = self.rng.choice(OPENERS).format(**s)
        return self.rng.choice(SENTENCES).format(**s)

    def paragraph(self, d: date) -> str:
        return " ".join(self.sentence(d) for _ in range(self.rng.randint(2, 5)))

    def title(self, slug: str, d: date) -> str:
        return self.rng.choice(TITLE_BANK[slug]).format(**self.slots(d))

    def caption(self, d: date) -> str:
        return self.rng.choice(CAPTIONS).format(**self.slots(d))


def _unique_title(gen: _Gen, slug: str, d: date, used: set[str]) -> str:
    for _ in range(60):
        t = gen.title(slug, d)
        if t not in used:
            used.add(t)
            return t
    k = 2
    while f"{t} (đợt {k})" in used:
        k += 1
    t = f"{t} (đợt {k})"
    used.add(t)
    return t


def _make_image(gen: _Gen, d: date, key: str) -> Image:
    r = gen.rng
    caption = gen.caption(d)
    credit = r.choice(PHOTOGRAPHERS)
    form = r.randrange(3)
    if form == 0:
        caption_text = f"{caption}{' ' * r.randint(1, 4)}Ảnh  {credit}"
    elif form == 1:
        caption_text = f"{caption} Ảnh: {credit}"
    else:
        caption_text = f"{caption} (Ảnh: {credit})"
    url = f"/Uploads/Images/{d.year}/{d.month}/{key}.jpg"
    return Image(url=url, caption=caption, credit=credit, caption_text=caption_text)


#: One archive photo of the office building that three articles use (portals reuse stock
#: photos): an archive keeps its bytes once however many articles link it.
SHARED_PHOTO = Image(url="/Uploads/Images/2015/1/tru-so-ubnd-tinh.jpg",
                     caption="Trụ sở UBND tỉnh", credit="Minh Đức",
                     caption_text="Trụ sở UBND tỉnh (Ảnh: Minh Đức)")


def _share_photo(articles: dict[int, Article], seed_id: int) -> None:
    """Give the shared photo to three public articles spread over the portal's years (chosen
    without drawing from the generator, so the rest of the model is unchanged)."""
    public = sorted(aid for aid, a in articles.items()
                    if aid != seed_id and a.category_slug != PRIVATE_CATEGORY[0])
    for aid in (public[len(public) // 4], public[len(public) // 2], public[3 * len(public) // 4]):
        a = articles[aid]
        a.images.append((len(a.paragraphs) - 1, SHARED_PHOTO))


def _make_attachment(r: Random, d: date, used: set[str]) -> Attachment:
    while True:
        num = r.randint(100, 4999)
        kind = r.randrange(3)
        if kind == 0:
            title, name = f"Quyết định số {num}/QĐ-UBND", f"qd-{num}-{d.year}"
        elif kind == 1:
            title, name = f"Kế hoạch số {num}/KH-UBND", f"kh-{num}-{d.year}"
        else:
            title, name = f"Công văn số {num}/UBND-TH", f"cv-{num}-{d.year}"
        if name not in used:
            used.add(name)
            return Attachment(url=f"/Uploads/VanBan/{name}.pdf", title=title)


def _generated_article(gen: _Gen, slug: str, when: date | datetime, used_titles: set[str],
                       used_files: set[str], key: str, *, allow_extras: bool = True) -> Article:
    """An article without id/related (filled in later)."""
    r = gen.rng
    d = when.date() if isinstance(when, datetime) else when
    title = _unique_title(gen, slug, d, used_titles)
    paragraphs = [gen.paragraph(d) for _ in range(r.randint(3, 8))]
    images: list[tuple[int, Image]] = []
    n_img = r.choices([0, 1, 2, 3], weights=[3, 4, 2, 1])[0]
    for k in range(n_img):
        after = r.randrange(len(paragraphs))
        images.append((after, _make_image(gen, d, f"{key}-{k + 1}")))
    images.sort(key=lambda t: t[0])
    summary = gen.sentence(d) if r.random() < 0.3 else None
    attachments: list[Attachment] = []
    if allow_extras and r.random() < 1 / 15:
        attachments.append(_make_attachment(r, d, used_files))
    source = r.choices(["Trang TTĐT VP", "Báo Quảng Ninh"], weights=[9, 1])[0]
    at = when if isinstance(when, datetime) else None
    style = 1 if r.random() < 0.3 else 0
    return Article(
        id=0, category_slug=slug, title=title, published=when,
        date_text=format_date_text(d, at, style=style), paragraphs=paragraphs, images=images,
        author=r.choice(AUTHORS), source=source, summary=summary, attachments=attachments,
    )


def _random_when(r: Random, start: date, end: date, p_time: float = 0.2) -> date | datetime:
    d = start + timedelta(days=r.randrange((end - start).days + 1))
    if d.weekday() >= 5 and r.random() < 0.7:  # offices publish less at weekends
        d = d - timedelta(days=1) if d.weekday() == 5 else d + timedelta(days=1)
        d = min(max(d, start), end)
    if r.random() < p_time:
        return datetime(d.year, d.month, d.day, r.randint(7, 17), r.randrange(60), tzinfo=ICT)
    return d


def _sort_key(when: date | datetime) -> tuple[date, int]:
    if isinstance(when, datetime):
        return when.date(), when.hour * 60 + when.minute
    return when, 0


def _assign_related(articles: dict[int, Article]) -> None:
    by_cat: dict[str, list[int]] = {}
    for aid in sorted(articles):
        by_cat.setdefault(articles[aid].category_slug, []).append(aid)
    for ids in by_cat.values():
        for k, aid in enumerate(ids):
            articles[aid].related_ids = list(reversed(ids[max(0, k - 10):k]))


# --------------------------------------------------------------------------- builder


def build_portal(seed: int = 20210420, n_articles: int = 320, epoch: int = 1) -> Portal:
    """Build the replica portal.

    ``n_articles`` counts the public articles of epoch 1 (the seed article included); the
    non-public category adds 6 more. ``epoch=2`` adds 12 new articles, 8 edits and one
    "dừng hoạt động" notice on top of the identical epoch-1 state.
    """
    if n_articles < 30:
        raise ValueError("n_articles must be at least 30")
    rng = Random(seed)
    gen = _Gen(rng)
    categories = [Category(s, n, True) for s, n, _ in PUBLIC_CATEGORIES]
    categories.append(Category(PRIVATE_CATEGORY[0], PRIVATE_CATEGORY[1], False))

    seed_fields = parse_seed_text(SEED_TEXT.read_text(encoding="utf-8"))
    seed_slug = next(c.slug for c in categories if c.name == seed_fields["category_name"])
    used_titles: set[str] = {seed_fields["title"]}
    used_files: set[str] = set()

    # Dates: public ones over 2008-01..2025-06 (first and last pinned to the span's ends).
    start, end = date(2008, 1, 2), date(2025, 6, 30)
    slugs = [s for s, _, _ in PUBLIC_CATEGORIES]
    weights = [w for _, _, w in PUBLIC_CATEGORIES]
    plan: list[tuple[date | datetime, str]] = []
    n_gen = n_articles - 1
    for i in range(n_gen):
        when = _random_when(rng, start, end)
        if i == 0:
            when = date(2008, 1, rng.randint(2, 28))
        elif i == 1:
            when = date(2025, 6, rng.randint(1, 28))
        slug = slugs[i % len(slugs)] if i < 5 * 11 else rng.choices(slugs, weights)[0]
        plan.append((when, slug))
    for _ in range(N_PRIVATE):
        plan.append((_random_when(rng, date(2015, 1, 1), date(2024, 12, 31), 0.0),
                     PRIVATE_CATEGORY[0]))
    plan.sort(key=lambda t: _sort_key(t[0]))

    drafts: list[Article] = []
    for k, (when, slug) in enumerate(plan):
        drafts.append(_generated_article(gen, slug, when, used_titles, used_files,
                                         _token(seed, "img", k)))

    # The seed article, parsed from the verbatim page text.
    seed_date: date = seed_fields["published"]
    seed_images: list[tuple[int, Image]] = []
    for k, (after, text) in enumerate(seed_fields["captions"]):
        caption, credit = split_credit(text)
        url = f"/Uploads/Images/{seed_date.year}/{seed_date.month}/dang-bo-vp-{k + 1}.jpg"
        seed_images.append((after, Image(url=url, caption=caption, credit=credit,
                                         caption_text=text)))
    seed_article = Article(
        id=0, category_slug=seed_slug, title=seed_fields["title"], published=seed_date,
        date_text=seed_fields["date_text"], paragraphs=seed_fields["paragraphs"],
        images=seed_images, author=seed_fields["author"], source=seed_fields["source"],
    )
    pos = next((i for i, a in enumerate(drafts)
                if _sort_key(a.published) > (seed_date, 0)), len(drafts))
    drafts.insert(pos, seed_article)

    # Ids ascend with date, with random gaps.
    articles: dict[int, Article] = {}
    next_id = rng.randint(1000, 1400)
    for a in drafts:
        a.id = next_id
        articles[next_id] = a
        next_id += rng.choice([1, 1, 2, 3, 4, 5, 7, 9, 13, 21])
    seed_id = seed_article.id
    _assign_related(articles)
    _share_photo(articles, seed_id)

    # Quirks: NFD storage, one weekday mismatch.
    public_ids = [aid for aid, a in articles.items() if a.category_slug != PRIVATE_CATEGORY[0]]
    others = [aid for aid in public_ids if aid != seed_id]
    for aid in others:
        if rng.random() < 0.1:
            articles[aid].nfd = True
    mismatch = rng.choice([aid for aid in others
                           if not articles[aid].has_time
                           and 1 <= articles[aid].published_date.weekday() <= 5])
    ma = articles[mismatch]
    ma.weekday_mismatch = True
    ma.date_text = format_date_text(ma.published_date, weekday=ma.published_date.weekday() - 1)

    # Dead link: an unused id older than the source's 10 related items.
    sorted_ids = sorted(articles)
    candidates = [aid for aid in others if len(articles[aid].related_ids) == 10]
    dead_src = rng.choice(candidates)
    oldest = articles[dead_src].related_ids[-1]
    gaps = [i for i in range(sorted_ids[0] + 1, oldest) if i not in articles]
    dead_id = rng.choice(gaps) if gaps else sorted_ids[0] - 1
    dead_date = articles[oldest].published_date - timedelta(days=rng.randint(1, 20))
    dead_title = _unique_title(gen, articles[dead_src].category_slug, dead_date, used_titles)
    articles[dead_src].related_ids.append(dead_id)

    flaky = rng.choice([aid for aid in others if aid != dead_src])
    recent = sorted(others, reverse=True)[10:60]
    featured = sorted(rng.sample(recent, 3), reverse=True)
    popular = rng.sample([aid for aid in others if aid not in featured], 5)

    portal = Portal(
        seed=seed, n_articles=n_articles, epoch=1, categories=categories, articles=articles,
        seed_id=seed_id, dead_link_id=dead_id, dead_link_source_id=dead_src,
        dead_link_title=dead_title, dead_link_date=dead_date, flaky_id=flaky,
        popular_ids=popular, featured_ids=featured,
    )
    if epoch >= 2:
        _apply_epoch2(portal, used_titles, used_files)
    return portal


def _apply_epoch2(portal: Portal, used_titles: set[str], used_files: set[str]) -> None:
    rng = Random(portal.seed * 7 + 2)
    gen = _Gen(rng)
    arts = portal.articles
    chain_only = [a.id for a in portal.articles_only_in_chains()]
    reserved = {portal.seed_id, portal.flaky_id, portal.dead_link_source_id,
                *portal.popular_ids, *portal.featured_ids}
    public_old = [a.id for a in portal.public_articles() if a.id not in reserved]

    notice = rng.choice([aid for aid in public_old[:60] if aid not in chain_only])
    chain_pick = rng.sample([aid for aid in chain_only if aid not in reserved
                             and aid != notice], 2)
    linked = portal.linked_ids()
    visible = [aid for aid in public_old if aid in linked and aid != notice]
    rest = rng.sample(visible, 3)
    rest += rng.sample([aid for aid in public_old
                        if aid not in chain_pick and aid not in rest and aid != notice], 3)
    edited = [chain_pick[0], rest[0], rest[1], rest[2], chain_pick[1], rest[3], rest[4], rest[5]]
    edit_day = date(2025, 9, 15)
    for k, aid in enumerate(edited):
        a = arts[aid]
        mod = datetime(edit_day.year, edit_day.month, edit_day.day, 9, 0, tzinfo=ICT) + timedelta(
            days=rng.randint(0, 70), minutes=rng.randint(0, 480))
        if k < 4:
            title = a.title + TITLE_EDITS[k]
            used_titles.add(title)
            arts[aid] = replace(a, title=title, version=2, modified=mod)
        else:
            paras = list(a.paragraphs)
            extra = gen.sentence(a.published_date)
            if k % 2 == 0:
                j = rng.randrange(len(paras))
                paras[j] = paras[j] + " " + extra
            else:
                paras.append(gen.paragraph(a.published_date))
            arts[aid] = replace(a, paragraphs=paras, version=2, modified=mod)

    # 12 new articles, 2025-09 .. 2025-11, spread over the public categories.
    slugs = [c.slug for c in portal.public_categories()]
    cats = [slugs[i % len(slugs)] for i in range(12)]
    rng.shuffle(cats)
    whens = sorted((_random_when(rng, date(2025, 9, 1), date(2025, 11, 30), 0.3) for _ in cats),
                   key=_sort_key)
    next_id = max(arts) + rng.randint(5, 30)
    new_ids: list[int] = []
    for k, (when, slug) in enumerate(zip(whens, cats, strict=True)):
        a = _generated_article(gen, slug, when, used_titles, used_files,
                               _token(portal.seed, "new", k))
        a.id = next_id
        arts[next_id] = a
        new_ids.append(next_id)
        next_id += rng.randint(1, 9)
    dead_src_related = list(arts[portal.dead_link_source_id].related_ids)
    _assign_related(arts)
    arts[portal.dead_link_source_id].related_ids = dead_src_related

    portal.epoch = 2
    portal.notice_id = notice
    portal.edited_ids = sorted(edited)
    portal.new_ids = new_ids


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)
