"""Downloaded photos and attachments, stored once by content in ``<archive folder>/files/``.

A file's path is made from its sha256 alone (``files/ab/cd/abcd….pdf``), plus an extension
chosen from its MIME type or, failing that, a short alphanumeric suffix of its URL. No part of
a URL can name a folder, so ``../``, ``%2e%2e%2f``, backslashes, absolute paths and over-long
names all land inside the folder; the resolved path is checked against it all the same.
"""

from __future__ import annotations

import os
import re
from fnmatch import fnmatch
from hashlib import sha256
from pathlib import Path
from posixpath import splitext
from urllib.parse import unquote, urlsplit

FILES_DIR = "files"

MIME_EXTENSIONS = {
    "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
    "image/bmp": ".bmp", "image/tiff": ".tif", "image/svg+xml": ".svg",
    "application/pdf": ".pdf", "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/zip": ".zip", "application/x-rar-compressed": ".rar",
    "application/vnd.rar": ".rar", "text/plain": ".txt",
}
#: Extensions of documents that servers often send as application/octet-stream.
DOCUMENT_EXTENSIONS = frozenset({".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx",
                                 ".zip", ".rar", ".jpg", ".jpeg", ".png", ".gif"})
_EXT = re.compile(r"\.[a-z0-9]{1,8}")


def mime_of(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def url_extension(url: str) -> str | None:
    """The extension of the URL's last path segment, decoded, if it is a short alphanumeric
    one (``.pdf``); query strings and anything odd give None."""
    name = unquote(unquote(urlsplit(url).path)).replace("\\", "/").rsplit("/", 1)[-1]
    ext = splitext(name)[1].lower()
    return ext if _EXT.fullmatch(ext) else None


def extension_for(mime: str, url: str) -> str:
    return MIME_EXTENSIONS.get(mime) or url_extension(url) or ".bin"


def type_allowed(mime: str, url: str, patterns: list[str]) -> bool:
    """Whether a download of ``mime`` (from ``url``) is kept under the setting's patterns; an
    ``application/octet-stream`` answer is kept when the URL names a document."""
    if any(fnmatch(mime, p) for p in patterns):
        return True
    return mime in ("application/octet-stream", "") and url_extension(url) in DOCUMENT_EXTENSIONS


class FileStore:
    """Content-addressed files under ``<folder>/files``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.root = (self.folder / FILES_DIR).resolve()

    def relative_path(self, digest: str, mime: str, url: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise ValueError(f"not a sha256 hex digest: {digest!r}")
        return f"{FILES_DIR}/{digest[:2]}/{digest[2:4]}/{digest}{extension_for(mime, url)}"

    def path(self, relative: str) -> Path:
        """The absolute path of a stored file; refuses any path outside the files folder."""
        full = (self.folder / relative).resolve()
        if not full.is_relative_to(self.root):
            raise ValueError(f"path outside the archive's files folder: {relative!r}")
        return full

    def put(self, body: bytes, mime: str, url: str) -> tuple[str, str, bool]:
        """Store ``body``; returns (path relative to the archive folder, sha256, whether the
        bytes were new). Writing is atomic: a temporary file renamed into place."""
        digest = sha256(body).hexdigest()
        relative = self.relative_path(digest, mime, url)
        full = self.path(relative)
        if full.exists():
            return relative, digest, False
        full.parent.mkdir(parents=True, exist_ok=True)
        tmp = full.with_name(f".{full.name}.{os.getpid()}.tmp")
        tmp.write_bytes(body)
        os.replace(tmp, full)
        return relative, digest, True
