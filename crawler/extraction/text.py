"""Text helpers shared by the layouts: Unicode normalisation and whitespace clean-up."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Folded like white space, though Python does not count them as such (``str.isspace``):
#: zero-width space and the byte-order mark.
_INVISIBLE_SPACES = ("\u200b", "\ufeff")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (editors paste decomposed Vietnamese from Word)."""
    return unicodedata.normalize("NFC", text)


def clean(text: str | None) -> str:
    r"""NFC, every run of white space (``&nbsp;``, the Unicode spaces, U+200B and U+FEFF
    included) folded to one space, stripped.

    White space is what ``\s`` matches plus those two; ``str.split`` splits on exactly the
    characters ``\s`` matches, several times faster than a regular expression on long text."""
    if not text:
        return ""
    text = nfc(text)
    for invisible in _INVISIBLE_SPACES:
        if invisible in text:
            text = text.replace(invisible, " ")
    return " ".join(text.split())


def clean_lines(parts: list[str]) -> str:
    """Join text nodes into one cleaned string."""
    return clean(" ".join(parts))


_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol",
    "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_SKIP = frozenset({"script", "style", "noscript", "template"})


def text_of(el: object) -> str:
    """Visible text of an lxml element: inline tags joined as they are, block tags and ``<br>``
    separated by a space, scripts and styles left out; cleaned.

    The walk keeps its own stack, so a tree nested thousands deep (unclosed ``<font>`` tags)
    does not exhaust Python's recursion limit."""
    tag = getattr(el, "tag", None)
    if not isinstance(tag, str) or tag in _SKIP:
        return ""
    if not len(el):  # type: ignore[arg-type]  # a leaf: its own text is all there is
        return clean(el.text)  # type: ignore[attr-defined]
    parts: list[str] = []
    # (node, closing): a node is visited on the way down, then closed after its children.
    stack: list[tuple[object, bool]] = [(el, False)]
    while stack:
        node, closing = stack.pop()
        tag = getattr(node, "tag", None)
        if closing:
            if tag in _BLOCKS:
                parts.append(" ")
            if node is not el and node.tail:  # type: ignore[attr-defined]
                parts.append(node.tail)  # type: ignore[attr-defined]
            continue
        if not isinstance(tag, str) or tag in _SKIP:
            if node.tail:  # type: ignore[attr-defined]
                parts.append(node.tail)  # type: ignore[attr-defined]
            continue
        if tag in _BLOCKS:
            parts.append(" ")
        if node.text:  # type: ignore[attr-defined]
            parts.append(node.text)  # type: ignore[attr-defined]
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))  # type: ignore[call-overload]
    return clean("".join(parts))


# --- bylines ---------------------------------------------------------------------------------

#: Labels before an author's name: "Tác giả:", "Bài và ảnh:", "Tin, ảnh:", "Thực hiện:".
_BYLINE_LABEL = re.compile(
    r"^(?:tác giả|người viết|bài(?: và ảnh)?|bài, ảnh|tin(?: và ảnh)?|tin, ảnh|tin và ảnh"
    r"|thực hiện|nhóm thực hiện|phóng viên|biên tập|t/h|by)\s*[:：]\s*", re.IGNORECASE)
#: A label saying the author took the photos too: "Tin, ảnh:", "Bài và ảnh:".
_TEXT_AND_PHOTOS = re.compile(r"^(?:bài|tin)\s*(?:,|và|-)\s*ảnh\s*[:：]", re.IGNORECASE)
#: The photographer after the author: "Tâm Giao Ảnh: Cao Trung Hiếu", "Minh Anh - Ảnh: X".
_PHOTOS_AFTER = re.compile(r"\s*[-–|,]?\s*\(?\bảnh\s*[:：]\s*(?P<p>[^()]+?)\)?\s*$",
                           re.IGNORECASE)
#: A source, not an author: "Theo TTXVN", "Nguồn: Báo Lào Cai", "(Nguồn: Trang TTĐT VP)".
_SOURCE_ONLY = re.compile(r"^\(?\s*(?:theo|nguồn(?: tin)?\s*:|nguồn\s)\s*(?P<src>.+?)\s*\)?\.?$",
                          re.IGNORECASE)
#: A source after the author: "Phương Thảo (theo Robb Report)", "Minh Anh - Theo VOV".
_SOURCE_AFTER = re.compile(r"\s*(?:\(\s*(?:theo|nguồn\s*:?)\s+(?P<p>[^()]+?)\s*\)"
                           r"|[-–|]\s*(?:theo|nguồn\s*:)\s+(?P<d>.+))\.?$", re.IGNORECASE)
#: Pieces of a byline that are a date or a time, not a name: "07/03/2026", "08:47",
#: "(GMT+7)", "Thứ hai", "Cập nhật", "Đăng lúc".
_BYLINE_NOISE = re.compile(
    r"\d|^(?:\(?gmt\s*[+-]?\s*\d*\)?|thứ\s+\w+|chủ nhật|cn|cập nhật|đăng(?: lúc| ngày)?"
    r"|ngày(?: đăng)?|lúc|sáng|chiều|tối|trưa|am|pm)$",
    re.IGNORECASE)
#: Separators between the parts of a byline.
_BYLINE_SEP = re.compile(r"(\s+[-–—|]\s+|\s*[|•·]\s*|\s*,\s*|\s*;\s*|\s+-(?=\s*\d)|(?<=\d)\s*-\s+)")
#: A collective byline: "PV", "Nhóm PV", "Nhóm phóng viên", "PV - CTV", "BTV".
_COLLECTIVE = re.compile(
    r"^(?:nhóm\s+)?(?:pv|ctv|btv|bbt|phóng viên|cộng tác viên|pv\s*-\s*ctv)$"
    # the editorial board, or its deputy head's account: "Ban Biên tập", "Pho Ban bien tap"
    r"|^(?:(?:ph[oó]|tr[uư][oở]ng)\s+)?ban\s+bi[eê]n\s+t[aậ]p$", re.IGNORECASE)
#: Words of an agency or a page, never a person: "Trang TTĐT VP", "TTXVN", "Báo Lào Cai".
_NOT_A_NAME = re.compile(r"^(?:trang|cổng|báo|tạp chí|đài|ban|sở|ubnd|văn phòng|theo|nguồn)\b",
                         re.IGNORECASE)


@dataclass(frozen=True)
class Byline:
    """What a byline line says: who wrote it, and where it was taken from."""

    author: str | None = None
    source: str | None = None
    photos: str | None = None  # who took the photos: "Tâm Giao - Ảnh: Cao Trung Hiếu"


def name_like(text: str) -> bool:
    """Is ``text`` a person's name, a few of them, or a collective byline ("Nhóm PV")?

    Vietnamese names capitalise every syllable ("Nguyễn Thị Diệu Thúy"); initials ("N.H",
    "Th.S") and agency abbreviations ("PV", "TTXVN") are all capitals."""
    text = text.strip()
    if not text or len(text) > 60 or _COLLECTIVE.match(text):
        return bool(text) and len(text) <= 60
    words = text.replace("/", " ").split()
    if not 1 <= len(words) <= 6 or _NOT_A_NAME.match(text) or any(c.isdigit() for c in text):
        return False
    return all(w[:1].isupper() or not w[:1].isalpha() for w in words) and any(
        c.isalpha() for c in text)


def _strip_noise(text: str) -> tuple[str, bool]:
    """``text`` without the pieces that are dates, times or labels ("Nguyên Minh - 07/03/2026
    08:47" is "Nguyên Minh"), the separators the other pieces had kept; and whether every
    piece kept reads as a name."""
    pieces = _BYLINE_SEP.split(text)
    kept: list[str] = []
    for i in range(0, len(pieces), 2):
        part = pieces[i].strip(" .()[]")
        if not part:
            continue
        words = part.split()
        while words and _BYLINE_NOISE.search(words[0]):
            words.pop(0)
        while words and _BYLINE_NOISE.search(words[-1]):
            words.pop()
        part = " ".join(words)
        if not part or _BYLINE_NOISE.search(part):
            continue
        if kept:
            kept.append(pieces[i - 1].strip() if pieces[i - 1].strip() in (",", ";")
                        else f" {pieces[i - 1].strip()} ")
        kept.append(part)
    joined = "".join(kept).replace(" ,", ",").replace(",", ", ").replace("  ", " ").strip()
    names = [p for p in kept[::2]]
    return joined, bool(names) and all(name_like(n) for n in names)


def parse_byline(text: str) -> Byline:
    """Read a byline line: ``"Diệu Thúy"``, ``"Nguyên Minh - 07/03/2026 08:47"``,
    ``"Bài và ảnh: Võ Hải"``, ``"Hoàng Anh - Minh Đức"``, ``"PV"``, ``"Theo TTXVN"`` (a source,
    no author), ``"Phương Thảo (theo Robb Report)"``. Dates, times and labels are left out;
    a line that is not a name gives no author.

    >>> parse_byline("Nguyên Minh - 07/03/2026 08:47")
    Byline(author='Nguyên Minh', source=None)
    """
    text = clean(text).strip(" .")
    if not text:
        return Byline()
    photos = None
    if _TEXT_AND_PHOTOS.match(text):  # "Tin, ảnh: P.Y": the author took the photos
        line = parse_byline(_BYLINE_LABEL.sub("", text))
        return Byline(line.author, line.source, line.author)
    if (m := _PHOTOS_AFTER.search(text)) is not None and m.start() > 0:
        photos, text = m.group("p").strip(" .") or None, text[:m.start()].strip()
    text = _BYLINE_LABEL.sub("", text)
    m = _SOURCE_ONLY.match(text)
    if m:
        source, _ = _strip_noise(m.group("src"))
        return Byline(source=source.strip(" .") or None)
    source = None
    m = _SOURCE_AFTER.search(text)
    if m:
        source = (m.group("p") or m.group("d") or "").strip(" .") or None
        text = text[:m.start()].strip()
    author, ok = _strip_noise(_BYLINE_LABEL.sub("", text))
    return Byline(author=author if ok else None, source=source, photos=photos)
