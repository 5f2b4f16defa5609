"""Serve the replica portal (and a companion off-site server) on 127.0.0.1.

Options besides the portal: ``family`` (CMS family), ``faults`` (replica/faults.py),
``traps`` (crawl traps linked from the home page, replica/traps.py), ``site_traps`` (the
traps real portals have, in the family's URL style, linked from every page's sidebar,
replica/site_traps.py), ``crawl_delay`` (a ``Crawl-delay`` line in robots.txt) and
``redirect_to`` (where redirecting faults point, by default the off-site companion server).

Standard library only; must not import anything from ``crawler/``.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import struct
import sys
import threading
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import site_traps, templates
from . import traps as trap_pages
from .faults import FAULTS, serve_fault
from .model import Portal, build_portal

HTML = "text/html; charset=utf-8"
FLAKY_FAILURES = 2

# A 1x1 grey baseline JPEG (one 8x8 block, DC 0, EOB) and a 1x1 transparent GIF.
TINY_JPEG = (
    b"\xff\xd8"
    + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\xff\xdb\x00\x43\x00" + b"\x01" * 64
    + b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    + b"\xff\xc4\x00\x14\x00\x01" + b"\x00" * 15 + b"\x00"
    + b"\xff\xc4\x00\x14\x10\x01" + b"\x00" * 15 + b"\x00"
    + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
    + b"\x3f"
    + b"\xff\xd9"
)
TINY_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def photo(path: str) -> bytes:
    """The photo served at ``path``: the tiny JPEG with a comment segment naming the path, so
    that every photo of the portal has bytes of its own (and one photo, one set of bytes)."""
    comment = path.lower().encode("utf-8")[:60000]
    return TINY_JPEG[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment \
        + TINY_JPEG[2:]


CSS = b"body{font-family:Arial,sans-serif;font-size:12px}#header{height:120px}\n"
JS = b"function openWin(u){window.open(u,'_blank','width=700,height=600');}\n"

_COOKIELESS = re.compile(r"^/\(S\([^)/]*\)\)(?=/)", re.IGNORECASE)


def make_pdf(title: str) -> bytes:
    """A small valid one-page PDF whose text is the ASCII-folded ``title``."""
    import unicodedata

    folded = unicodedata.normalize("NFD", title.replace("Đ", "D").replace("đ", "d"))
    ascii_title = "".join(c for c in folded if ord(c) < 128)
    ascii_title = ascii_title.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 72 770 Td ({ascii_title}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


class _Response:
    __slots__ = ("status", "body", "ctype", "headers")

    def __init__(self, status: int, body: bytes, ctype: str = HTML,
                 headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.ctype = ctype
        self.headers = headers or {}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._live: set[socket.socket] = set()
        self._live_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._live_lock:
            self._live.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._live_lock:
            self._live.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Drop idle keep-alive connections so their handler threads end now."""
        with self._live_lock:
            live = list(self._live)
        for sock in live:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # a client went away: not worth a traceback
        super().handle_error(request, client_address)


class ReplicaServer:
    """The replica portal on 127.0.0.1 (port 0) plus an off-site companion server.

    Use as a context manager, or call ``start()``/``stop()``.
    """

    def __init__(self, portal: Portal | None = None, *, seed: int = 20210420,
                 n_articles: int = 320, epoch: int = 1, today: date | None = None,
                 log_path: str | None = None, port: int = 0, family: str = "aspnet",
                 related_box: bool = True, faults: dict[str, str] | None = None,
                 traps: bool = False, crawl_delay: float | None = None,
                 redirect_to: str | None = None, site_traps: bool = False) -> None:
        if portal is None:
            portal = build_portal(seed=seed, n_articles=n_articles, epoch=epoch)
        self.family = family
        self.related_box = related_box
        self.redesign = False
        self._family = None if family == "aspnet" else _load_family(family)
        self._portals: dict[int, Portal] = {portal.epoch: portal}
        self._portal = portal
        self.today = today or date.today()
        self.log_path = log_path
        self.port = port
        self.log: list[dict[str, Any]] = []
        self.url = ""
        self.offsite_url = ""
        self._lock = threading.Lock()
        self._cache: dict[tuple, _Response] = {}
        self._hits: dict[int, int] = {}
        self._log_file = None
        self._servers: list[_HTTPServer] = []
        self._threads: list[threading.Thread] = []
        #: Request target (path + query, as requested) or path -> fault name (replica.faults).
        self.faults: dict[str, str] = dict(faults or {})
        for name in self.faults.values():
            if name not in FAULTS:
                raise ValueError(f"unknown fault {name!r}; one of {', '.join(sorted(FAULTS))}")
        #: Serve the crawl traps of replica/traps.py, linked from the home page.
        self.traps = traps
        #: Serve the site traps of replica/site_traps.py (calendar, month archive, tags,
        #: sort/filter listings, offset pager, a home page that changes), in the family's
        #: URL style, linked from every page's sidebar.
        self.site_traps = site_traps
        self._visits = itertools.count(1)
        #: Seconds of ``Crawl-delay`` announced in robots.txt (None: no such line).
        self.crawl_delay = crawl_delay
        #: Base URL redirecting faults point at (None: the off-site companion server).
        self.redirect_to = redirect_to
        #: Set while the server stops, so that a stalling fault gives up.
        self.stopping = threading.Event()

    # -- state
    @property
    def portal(self) -> Portal:
        """The portal currently served (changes with ``set_epoch``)."""
        return self._portal

    @property
    def epoch(self) -> int:
        return self._portal.epoch

    def set_epoch(self, epoch: int) -> None:
        """Switch the served state at runtime (same port); epoch-N portals are built once."""
        with self._lock:
            portal = self._portals.get(epoch)
            if portal is None:
                base = self._portal
                portal = build_portal(seed=base.seed, n_articles=base.n_articles, epoch=epoch)
                self._portals[epoch] = portal
            self._portal = portal

    def set_redesign(self, redesign: bool = True) -> None:
        """Serve article pages with the portal's redesigned template (or the old one again)."""
        with self._lock:
            self.redesign = redesign
            self._cache.clear()

    # -- lifecycle
    def start(self) -> ReplicaServer:
        if self._servers:
            return self
        self.stopping.clear()
        if self.log_path:
            self._log_file = open(self.log_path, "a", encoding="utf-8")
        main = _HTTPServer(("127.0.0.1", self.port), self._handler_class("main"))
        off = _HTTPServer(("127.0.0.1", 0), self._handler_class("offsite"))
        self._servers = [main, off]
        self.url = f"http://127.0.0.1:{main.server_address[1]}"
        self.offsite_url = f"http://127.0.0.1:{off.server_address[1]}"
        for srv in self._servers:
            t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                                 name=f"replica-{srv.server_address[1]}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self.stopping.set()
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()
            srv.close_connections()
        for t in self._threads:
            t.join(timeout=5)
        self._servers, self._threads = [], []
        with self._lock:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- log
    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """Log entries whose fields equal all the given values (e.g. ``status=404``)."""
        with self._lock:
            entries = list(self.log)
        return [e for e in entries if all(e.get(k) == v for k, v in filters.items())]

    def _record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.log.append(entry)
            if self._log_file is not None:
                self._log_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self._log_file.flush()

    # -- routing
    def _ctx(self, portal: Portal) -> templates.Context:
        return templates.Context(portal=portal, today=self.today, offsite_url=self.offsite_url,
                                 related_box=self.related_box, redesign=self.redesign)

    def _cached(self, key: tuple, make) -> _Response:
        resp = self._cache.get(key)
        if resp is None:
            resp = make()
            self._cache[key] = resp
        return resp

    def _not_found(self, portal: Portal) -> _Response:
        return self._cached(
            (self.family, portal.epoch, "404"),
            lambda: _Response(404, templates.render_not_found(self._ctx(portal)).encode()),
        )

    # -- helpers for family modules (replica/families/*.py)
    def context(self) -> templates.Context:
        """Template context of the portal served now (today's date, off-site URL)."""
        return self._ctx(self._portal)

    def cached(self, key: tuple, make: Any) -> _Response:
        """A response built once per (family, epoch, key)."""
        return self._cached((self.family, self._portal.epoch, *key), make)

    def not_found(self, html: str | None = None) -> _Response:
        if html is None:
            return self._not_found(self._portal)
        return _Response(404, html.encode())

    def article_response(self, aid: int | None, headers: Any,
                         render: Any, *, notice: str | None = None) -> _Response:
        """The answer for article ``aid`` in any family: 404 when there is no such article,
        500 twice for the flaky one, the epoch-2 notice (``notice`` or the default one) for
        the notice article, 304 for matching validators, else ``render(article)`` (HTML)."""
        return self._article(self._portal, aid, headers, render=render, notice=notice)

    def route(self, target: str, headers: Any = None, method: str = "GET",
              form: dict[str, str] | None = None) -> _Response:
        """Answer one request target (path + query). ``headers`` has ``.get()``; ``form`` is
        the decoded body of a POST."""
        if self.traps:
            trapped = trap_pages.route(target, self.today)
            if trapped is not None:
                return _Response(trapped[0], trapped[1].encode())
        resp = None
        if self.site_traps:
            sited = site_traps.route(self, target)
            if sited is not None:
                resp = _Response(sited[0], sited[1].encode(),
                                 headers=dict(getattr(self._family, "HEADERS", {})))
        if resp is None:
            resp = self._route(target, headers, method, form)
        if resp.status != 200 or not (self.traps or self.site_traps
                                      or self.crawl_delay is not None):
            return resp
        path = urlsplit(target).path.lower()
        if self.crawl_delay is not None and path == "/robots.txt":
            return _Response(200, resp.body + f"Crawl-delay: {self.crawl_delay:g}\n".encode(),
                             resp.ctype, resp.headers)
        if self.traps and path in ("/", "/default.aspx") and b"</body>" in resp.body:
            box = trap_pages.hub(self.today).encode()
            resp = _Response(200, resp.body.replace(b"</body>", box + b"</body>", 1), resp.ctype,
                             resp.headers)
        if self.site_traps and resp.ctype.startswith("text/html"):
            body = site_traps.furnish(self, target, resp.body, lambda: next(self._visits))
            resp = _Response(200, body, resp.ctype, resp.headers)
        return resp

    def trap_name(self, target: str) -> str | None:
        """The trap a request target belongs to (logged as ``trap``): one of
        ``replica.traps.TRAPS`` when ``traps`` is on, one of ``replica.site_traps.SITE_TRAPS``
        or ``"changing-home"`` when ``site_traps`` is on, else None."""
        return trap_pages.which(target, family=self.family if self.site_traps else None,
                                legacy=self.traps)

    def _route(self, target: str, headers: Any, method: str,
               form: dict[str, str] | None) -> _Response:
        if self._family is not None:
            return self._family.route(self, method, target, headers, form or {})
        portal = self._portal
        parts = urlsplit(target)
        path = _COOKIELESS.sub("", unquote(parts.path or "/"))
        lpath = re.sub(r"\.aspx/+$", ".aspx", path.lower())
        query: dict[str, str] = {}
        for k, v in parse_qsl(parts.query, keep_blank_values=True):
            query.setdefault(k.lower(), v)
        ctx = self._ctx(portal)
        ep = portal.epoch

        if lpath == "/robots.txt":
            return _Response(200, templates.robots_txt().encode(), "text/plain; charset=utf-8")
        if lpath in ("/", "/default.aspx"):
            return self._cached((ep, "home"),
                                lambda: _Response(200, templates.render_home(ctx).encode()))
        if lpath == "/category.aspx":
            slug = query.get("cat", "")
            page = _int(query.get("page", "1")) or 1
            if method == "POST" and (form or {}).get("__EVENTTARGET") == templates.NEXT_TARGET:
                state = templates.read_listing_state((form or {}).get("__VIEWSTATE", ""))
                if state is None or state[0] != slug:
                    return _Response(500, _server_error_page().encode())
                page = state[1] + 1
            if portal.category(slug) is None:
                return self._not_found(portal)
            return self._cached(
                (ep, "cat", slug, page),
                lambda: _Response(200, (templates.render_category(ctx, slug, page) or "").encode()),
            )
        if lpath == "/newsdetail.aspx":
            return self._article(portal, _int(query.get("id", "")), headers)
        if lpath == "/modules/article/articleprint.aspx":
            aid = _int(query.get("articleid", ""))
            article = portal.articles.get(aid) if aid is not None else None
            if article is None:
                return self._not_found(portal)
            if aid == portal.notice_id:
                return _Response(200, templates.render_notice().encode())
            return self._cached(
                (ep, "print", aid),
                lambda: _Response(200, templates.render_print(ctx, article).encode()),
            )
        if lpath == "/modules/sendmail/sendmail.aspx":
            aid = _int(query.get("articleid", ""))
            article = portal.articles.get(aid) if aid is not None else None
            return _Response(200, templates.render_sendmail(ctx, article).encode())
        if lpath.startswith("/uploads/images/"):
            if lpath.endswith((".jpg", ".jpeg")):
                return _Response(200, photo(lpath), "image/jpeg")
            if lpath.endswith(".gif"):
                return _Response(200, TINY_GIF, "image/gif")
            return self._not_found(portal)
        if lpath.startswith("/uploads/vanban/") and lpath.endswith(".pdf"):
            title = _attachment_title(portal, lpath) or lpath.rsplit("/", 1)[-1]
            return _Response(200, make_pdf(title), "application/pdf")
        if lpath.startswith("/images/"):
            return _Response(200, TINY_GIF, "image/gif")
        if lpath.startswith("/app_themes/") and lpath.endswith(".css"):
            return _Response(200, CSS, "text/css")
        if lpath.startswith("/js/") and lpath.endswith(".js"):
            return _Response(200, JS, "application/x-javascript")
        return self._not_found(portal)

    def _article(self, portal: Portal, aid: int | None, headers: Any, render: Any = None,
                 notice: str | None = None) -> _Response:
        article = portal.articles.get(aid) if aid is not None else None
        if article is None:
            return self._not_found(portal)
        if aid == portal.flaky_id:
            with self._lock:
                n = self._hits.get(aid, 0)
                self._hits[aid] = n + 1
            if n < FLAKY_FAILURES:
                return _Response(500, _server_error_page().encode())
        if aid == portal.notice_id:
            return self._cached((self.family, portal.epoch, "notice"),
                                lambda: _Response(200, (notice or templates.render_notice())
                                                  .encode()))
        etag = article.etag
        last_mod = article.last_modified.astimezone(UTC).replace(microsecond=0)
        validators = {"ETag": etag, "Last-Modified": format_datetime(last_mod, usegmt=True)}
        if headers is not None and _not_modified(headers, etag, last_mod):
            return _Response(304, b"", headers=validators)
        ctx = self._ctx(portal)
        make = render or (lambda a: templates.render_article(ctx, a))
        resp = self._cached(
            (self.family, portal.epoch, "article", aid),
            lambda: _Response(200, make(article).encode()),
        )
        return _Response(resp.status, resp.body, resp.ctype, validators)

    def _handler_class(self, which: str) -> type[BaseHTTPRequestHandler]:
        replica = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like IIS
            timeout = 30
            disable_nagle_algorithm = True  # no 40 ms Nagle/delayed-ACK stall on keep-alive

            def version_string(self) -> str:
                return getattr(replica._family, "SERVER", "Microsoft-IIS/8.5")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                self._serve(send_body=True)

            def do_HEAD(self) -> None:  # noqa: N802
                self._serve(send_body=False)

            def do_POST(self) -> None:  # noqa: N802
                length = _int(self.headers.get("Content-Length", "0")) or 0
                raw = self.rfile.read(length) if length else b""
                form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
                self._serve(send_body=True, form=form)

            def _serve(self, send_body: bool, form: dict[str, str] | None = None) -> None:
                if which == "main" and replica.faults:
                    fault = (replica.faults.get(self.path)
                             or replica.faults.get(urlsplit(self.path).path)
                             or replica.faults.get("*"))
                    if fault:
                        serve_fault(self, fault, replica, send_body)
                        return
                try:
                    if which == "offsite":
                        path = urlsplit(self.path).path
                        resp = _Response(200, templates.render_offsite(path).encode())
                    else:
                        resp = replica.route(self.path, self.headers, self.command, form)
                except Exception:  # a replica bug must still answer and be logged
                    resp = _Response(500, _server_error_page().encode())
                full = b"" if resp.status == 304 else resp.body
                body = full if send_body else b""
                # Logged before the response goes out: a client that has the response can
                # rely on its log entry being there.
                parts = urlsplit(self.path)
                replica._record({
                    "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "server": which,
                    "method": self.command,
                    "host": self.headers.get("Host", ""),
                    "path": parts.path,
                    "query": parts.query,
                    "target": self.path,
                    "status": resp.status,
                    "bytes": len(body),
                    "user_agent": self.headers.get("User-Agent", ""),
                    "if_none_match": self.headers.get("If-None-Match"),
                    "if_modified_since": self.headers.get("If-Modified-Since"),
                    **({"trap": replica.trap_name(self.path)}
                       if (replica.traps or replica.site_traps) and which == "main" else {}),
                })
                self.send_response(resp.status)
                if resp.status != 304:
                    self.send_header("Content-Type", resp.ctype)
                self.send_header("Content-Length", str(len(full)))
                self.send_header("Cache-Control", "private")
                powered = getattr(replica._family, "POWERED_BY", "ASP.NET")
                if powered == "ASP.NET":
                    self.send_header("X-AspNet-Version", "4.0.30319")
                self.send_header("X-Powered-By", powered)
                for k, v in resp.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if body:
                    self.wfile.write(body)

        return Handler


#: Public name for family modules.
Response = _Response


def _load_family(name: str) -> Any:
    """The module ``replica.families.<name>``, which must define
    ``route(server, method, target, headers, form) -> Response``."""
    import importlib

    try:
        return importlib.import_module(f"replica.families.{name}")
    except ModuleNotFoundError:
        raise ValueError(f"unknown replica family {name!r}") from None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() else None


def _attachment_title(portal: Portal, lpath: str) -> str | None:
    for article in portal.articles.values():
        for att in article.attachments:
            if att.url.lower() == lpath:
                return att.title
    return None


def _not_modified(headers: Any, etag: str, last_mod: datetime) -> bool:
    inm = headers.get("If-None-Match")
    if inm:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return last_mod <= since
    return False


def _server_error_page() -> str:
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\" /><title>Runtime Error</title>"
        "</head>\n<body><h1>Server Error in '/' Application.</h1>\n<h2><i>Runtime Error</i>"
        "</h2>\n<p>An application error occurred on the server.</p>\n</body></html>\n"
    )
