"""Faults the replica server can inject, one request target at a time.

``ReplicaServer(faults={"/NewsDetail.aspx?id=2942": "502"})`` answers that target (path +
query exactly as requested, or a bare path) with the fault instead of the page; every other
target is served as usual. The target ``"*"`` gives every request the fault
(``{"*": "moved-home"}``: the whole portal moved). Each faulty request is logged like any
other, with a ``fault`` field and ``status`` ``None`` when no status line was sent.

Redirecting faults point at ``ReplicaServer(redirect_to=...)``, by default the off-site
companion server (another loopback port).

Faults:

``503-retry-after``  503 with ``Retry-After: RETRY_AFTER`` (1 s), every time
``503``              503 without Retry-After, every time
``500-retry-after``  500 with ``Retry-After: RETRY_AFTER``, every time
``500``              500 Internal Server Error, every time
``502``              502 Bad Gateway, every time
``reset``            the connection is closed (RST) without an answer
``stall``            no answer for ``STALL_SECONDS`` (gives up early when the server stops)
``truncated``        the page with a ``Content-Length`` longer than the body, then close
``wrong-type``       the page served as ``application/octet-stream``
``redirect-loop``    302 to the same target
``offsite-redirect`` 302 to a page of the off-site companion server
``port-redirect``    302 to the same target on the ``redirect_to`` server (another port)
``gigantic``         a ``GIGANTIC_BYTES`` response (the page, then padding), with its length
``moved-home``       301 to the ``redirect_to`` server's home page (a portal merged into
                     another; with target ``"*"`` every URL, robots.txt included)

Standard library only; must not import anything from ``crawler/``.
"""

from __future__ import annotations

import socket
import struct
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

FAULTS = frozenset({
    "503-retry-after", "503", "500-retry-after", "500", "502", "reset", "stall", "truncated",
    "wrong-type", "redirect-loop", "offsite-redirect", "port-redirect", "gigantic", "moved-home",
})
#: Faults that fail every time; the others ("wrong-type") lose nothing.
PERMANENT = FAULTS - {"wrong-type"}
#: Seconds asked for by the ``*-retry-after`` faults.
RETRY_AFTER = 1
STALL_SECONDS = 30.0
GIGANTIC_BYTES = 50 * 1024 * 1024
CHUNK = 64 * 1024
TRUNCATED_MISSING = 4096  # bytes promised by Content-Length but never sent

_ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>%d</title></head><body><h1>%d</h1></body></html>\n"
)


def serve_fault(handler: Any, fault: str, replica: Any, send_body: bool = True) -> None:
    """Answer the request ``handler`` holds with ``fault`` (a name in :data:`FAULTS`)."""
    handler.close_connection = True  # a faulty answer never keeps the connection alive
    target = handler.path
    if fault in ("503-retry-after", "503", "500-retry-after", "500", "502"):
        status = int(fault[:3])
        body = _ERROR_PAGE % (status, status)
        extra = {"Retry-After": str(RETRY_AFTER)} if fault.endswith("retry-after") else {}
        _log(handler, replica, fault, status, len(body))
        _answer(handler, status, body if send_body else b"", len(body), extra)
    elif fault == "reset":
        _log(handler, replica, fault, None, 0)
        # Linger 0: closing sends RST at once instead of FIN.
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      struct.pack("ii", 1, 0))
    elif fault == "stall":
        _log(handler, replica, fault, None, 0)
        deadline = time.monotonic() + STALL_SECONDS
        while time.monotonic() < deadline and not replica.stopping.wait(0.05):
            pass
    elif fault in ("redirect-loop", "offsite-redirect", "port-redirect", "moved-home"):
        elsewhere = replica.redirect_to or replica.offsite_url
        status, location = {
            "redirect-loop": (302, target),
            "offsite-redirect": (302, replica.offsite_url + "/tin-tuc/bai-da-chuyen.html"),
            "port-redirect": (302, elsewhere + target),
            "moved-home": (301, elsewhere + "/"),
        }[fault]
        _log(handler, replica, fault, status, 0)
        _answer(handler, status, b"", 0, {"Location": location})
    elif fault in ("truncated", "wrong-type", "gigantic"):
        page = replica.route(target, handler.headers, handler.command).body
        body = page if send_body else b""
        if fault == "truncated":
            _log(handler, replica, fault, 200, len(body))
            _answer(handler, 200, body, len(page) + TRUNCATED_MISSING)
        elif fault == "wrong-type":
            _log(handler, replica, fault, 200, len(body))
            _answer(handler, 200, body, len(page), ctype="application/octet-stream")
        else:
            _log(handler, replica, fault, 200, GIGANTIC_BYTES if send_body else 0)
            _answer(handler, 200, b"", GIGANTIC_BYTES)
            if send_body:
                _stream(handler, replica, page)
    else:
        raise ValueError(f"unknown fault {fault!r}")


def _answer(handler: Any, status: int, body: bytes, length: int,
            headers: dict[str, str] | None = None,
            ctype: str = "text/html; charset=utf-8") -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(length))
    handler.send_header("Connection", "close")
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    handler.end_headers()
    if body:
        handler.wfile.write(body)


def _stream(handler: Any, replica: Any, page: bytes) -> None:
    """``GIGANTIC_BYTES`` of body: the page, then padding, until the client hangs up."""
    pad = b"<p>" + b"x" * (CHUNK - 8) + b"</p>\n"
    sent = 0
    try:
        handler.wfile.write(page)
        sent = len(page)
        while sent < GIGANTIC_BYTES and not replica.stopping.is_set():
            chunk = pad[:GIGANTIC_BYTES - sent]
            handler.wfile.write(chunk)
            sent += len(chunk)
    except OSError:
        pass  # the client cut the download


def _log(handler: Any, replica: Any, fault: str, status: int | None, nbytes: int) -> None:
    parts = urlsplit(handler.path)
    replica._record({
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "server": "main",
        "method": handler.command,
        "host": handler.headers.get("Host", ""),
        "path": parts.path,
        "query": parts.query,
        "target": handler.path,
        "status": status,
        "bytes": nbytes,
        "user_agent": handler.headers.get("User-Agent", ""),
        "if_none_match": handler.headers.get("If-None-Match"),
        "if_modified_since": handler.headers.get("If-Modified-Since"),
        "fault": fault,
    })
