"""Text helpers shared by the layouts: Unicode normalisation and whitespace clean-up."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"[\s\u00a0\u200b\u2000-\u200a\u202f\u205f\u3000\ufeff]+")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (editors paste decomposed Vietnamese from Word)."""
    return unicodedata.normalize("NFC", text)


def clean(text: str | None) -> str:
    """NFC, every run of white space (``&nbsp;`` included) folded to one space, stripped."""
    if not text:
        return ""
    return _WS.sub(" ", nfc(text)).strip()


def clean_lines(parts: list[str]) -> str:
    """Join text nodes into one cleaned string."""
    return clean(" ".join(parts))
