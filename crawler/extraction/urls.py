"""URL canonicalisation: one spelling per page, whatever link led to it.

Built on w3lib: ``canonicalize_url`` sorts the query and normalises percent-encoding; on top of
it we drop tracking and session parameters, ASP.NET cookieless session segments (``/(S(x))/``),
default ports, fragments and a trailing slash after a file name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import tldextract
from w3lib.url import canonicalize_url

#: Session and state parameters: a new value on every visit (lower-case names).
SESSION_PARAMS = frozenset(
    {
        "sessionid", "session_id", "sid", "jsessionid", "phpsessid", "aspsessionid",
        "asp.net_sessionid", "_afrloop", "_adf.ctrl-state",
    }
)
#: Query parameters that never change the page (lower-case names; ``utm_*`` by prefix).
NOISE_PARAMS = SESSION_PARAMS | {"fbclid", "gclid", "ref"}
_NOISE_PREFIXES = ("utm_",)
_COOKIELESS = re.compile(r"/\([A-Za-z]\([^)/]*\)\)(?=/)")
#: What of the base an href's join reads, when that is less than the whole base: only its
#: scheme and host for a path-absolute href ("/NewsDetail.aspx?id=5") or one that names a host
#: ("//host/x", "http://host/x"); also its directory for a relative path ("NewsDetail.aspx?id=5",
#: "../x"; not ";x", which reads the whole base). Never with a tab or newline inside:
#: ``urljoin`` deletes them, which could turn "/\t/" into "//" with no host.
_HREF_NEEDS = re.compile(
    r"(?![^\t\n\r]*[\t\n\r])(?:(?P<origin>/(?!/)|(?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#])"
    r"|(?P<directory>(?![A-Za-z][A-Za-z0-9+.-]*:)[^/?#;\x00-\x20]))")
_JSESSION = re.compile(r";jsessionid=[^/?#]*", re.IGNORECASE)


def _is_noise(name: str, extra: Iterable[str]) -> bool:
    low = name.lower()
    return low in NOISE_PARAMS or low.startswith(_NOISE_PREFIXES) or low in extra


def canonical_url(url: str, *, drop_params: Iterable[str] = ()) -> str:
    """Return the canonical spelling of ``url`` (cached: menus and sidebars repeat on every
    page).

    >>> canonical_url("HTTP://Example.org:80/NewsDetail.aspx/?utm_source=x&id=5#top")
    'http://example.org/NewsDetail.aspx?id=5'
    """
    if drop_params:
        return _canonical(url, frozenset(p.lower() for p in drop_params))
    return _canonical_cached(url)


@lru_cache(maxsize=8192)
def _canonical_cached(url: str) -> str:
    return _canonical(url, frozenset())


def _canonical(url: str, extra: frozenset[str]) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = _JSESSION.sub("", _COOKIELESS.sub("", parts.path)) or "/"
    if len(path) > 1 and path.endswith("/") and "." in path.rstrip("/").rsplit("/", 1)[-1]:
        path = path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _is_noise(k, extra)]
    rebuilt = urlunsplit((scheme, host, path, urlencode(query), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def host_of(url: str) -> str:
    """``host[:port]`` of a URL, lower-case, default ports dropped."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or
                     (parts.scheme == "https" and port == 443)):
        return f"{host}:{port}"
    return host


#: The Public Suffix List as tldextract ships it: no download, no cache written.
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=8192)
def registered_domain(url: str) -> str:
    """The name a site is registered under ("sotttt.hanoi.gov.vn" -> "hanoi.gov.vn",
    "www.baocantho.com.vn" -> "baocantho.com.vn"); the host itself when it has none (an IP
    address, ``localhost``)."""
    host = (urlsplit(url).hostname or "").lower()
    return _SUFFIXES.extract_str(host).top_domain_under_public_suffix or host


@lru_cache(maxsize=8192)
def strip_session(url: str) -> str:
    """Drop only what changes on every visit (session parameters and segments, the fragment).

    Unlike :func:`canonical_url` this keeps the link's own spelling, so it is what the archive
    keeps as an alias: ``/newsdetail.aspx?ID=5&utm_source=x`` stays as it is.
    """
    parts = urlsplit(url.strip())
    path = _JSESSION.sub("", _COOKIELESS.sub("", parts.path))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k.lower() not in SESSION_PARAMS]
    query = urlencode(kept) if len(kept) != len(pairs) else parts.query
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def join_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base`` when it names a web page (http or https), else None:
    ``javascript:`` and ``data:`` in any case or spelling (``"java\nscript:"``), ``mailto:``,
    and malformed URLs (``http://[::1``, a port out of range) are not links to follow.

    >>> join_url("http://example.org/a/", "b?id=1"), join_url("http://example.org/", "JavaScript:x")
    ('http://example.org/a/b?id=1', None)

    Cached: menus, sidebars and older-items boxes repeat their links on every page (see
    :func:`resolve`).
    """
    href = href.strip()
    return _join(_base_key(base, href), href)


def resolve(base: str, href: str) -> str | None:
    """``urljoin(base, href)``; None when it is malformed (``http://[::1``).

    Cached, keyed by the part of the base the href reads: a menu's "/Category.aspx?cat=x"
    resolves the same from every page of the site, so one entry serves them all."""
    return _resolve(_base_key(base, href), href)


def _base_key(base: str, href: str) -> str:
    """A URL that ``urljoin`` joins with ``href`` exactly as it joins ``base``: the base's
    origin or directory when the href reads no more (``_HREF_NEEDS``), else the base."""
    m = _HREF_NEEDS.match(href) if isinstance(href, str) else None  # urljoin takes None too
    if m is None:
        return base
    parts = _origin_and_directory(base)
    if parts is None:
        return base
    return parts[0] if m.lastgroup == "origin" else parts[1]


@lru_cache(maxsize=4096)
def _origin_and_directory(base: str) -> tuple[str, str] | None:
    """``scheme://host/`` and ``scheme://host/dir/`` of a base URL; None when it has no host
    or does not parse (then the base itself is the key)."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    if not (parts.scheme and parts.netloc):
        return None
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin + "/", origin + parts.path[: parts.path.rfind("/") + 1]


@lru_cache(maxsize=4096)
def _resolve(base: str, href: str) -> str | None:
    try:
        return urljoin(base, href)
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def _join(base: str, href: str) -> str | None:
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError when the port is not a number in range
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url
