"""Site profiles: inert TOML data naming a portal, its hosts, its layout and its manners.

A profile holds strings, numbers and lists only; it is validated on load and every error names
the file and the key. Profiles ship in this folder; the ``ARCHIVE_PROFILES_DIR`` environment
variable or the ``extra_dir`` argument adds another folder.

An alias is a host name (any port the profile allows) or a ``host:port`` (that port only:
``"127.0.0.1:8081"``, a second server of the same portal on the same machine).

A profile matches a URL only when the URL's host is its base URL's or an alias, on the base
URL's port (or the scheme's default). A profile whose base URL is on a loopback host
(127.0.0.0/8, ``localhost``, ``::1``: the bundled replicas, a local mirror) is chosen by name
only: a loopback address says nothing of which portal is served there.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from crawler.extraction.layouts import LAYOUTS
from crawler.extraction.urls import host_of

BUILTIN_DIR = Path(__file__).parent
#: The profile name that asks for no profile: the generic fallback layout.
GENERIC = "generic"


class ProfileError(ValueError):
    """A profile file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Profile:
    name: str
    base_url: str
    layout: str
    title: str = ""
    aliases: tuple[str, ...] = ()
    old_domains: tuple[str, ...] = ()
    match_any_port: bool = False
    entry_urls: tuple[str, ...] = ("/",)
    selectors: dict[str, str] = field(default_factory=dict)
    politeness: dict[str, float] = field(default_factory=dict)
    #: Earlier layouts of the portal, oldest first: ((layout, last day it was live), ...).
    layout_history: tuple[tuple[str, str], ...] = ()
    path: str = ""

    def layout_on(self, day: date | str) -> str:
        """The layout that was live on ``day`` (a capture's date): re-extraction of an old
        capture uses the layout of its time."""
        iso = day if isinstance(day, str) else day.isoformat()
        for name, until in self.layout_history:
            if iso[:10] <= until:
                return name
        return self.layout

    @property
    def hosts(self) -> tuple[str, ...]:
        """Host names of the portal: the base URL's, the aliases' and the old domains'."""
        base = (urlsplit(self.base_url).hostname or "").lower()
        return (base, *[h.lower() for h in (*self.aliases, *self.old_domains) if ":" not in h])

    @property
    def host_ports(self) -> tuple[str, ...]:
        """``host:port`` aliases: that port of that host only."""
        return tuple(h.lower() for h in (*self.aliases, *self.old_domains) if ":" in h)

    @property
    def on_loopback(self) -> bool:
        """True when the base URL is on a loopback host: chosen by name only."""
        host = (urlsplit(self.base_url).hostname or "").lower()
        return host in ("localhost", "::1") or host.startswith("127.")

    def matches(self, url: str) -> bool:
        """True when ``url`` is on this portal's host (or an alias), on the base URL's port
        or the scheme's default (``match_any_port`` only widens :meth:`crawl_hosts`)."""
        parts = urlsplit(url)
        if host_of(url) in self.host_ports:
            return True
        if (parts.hostname or "").lower() not in self.hosts:
            return False
        base = urlsplit(self.base_url)
        defaults = {"http": 80, "https": 443}
        port = parts.port or defaults.get(parts.scheme)
        return port == (base.port or defaults.get(base.scheme)) or port in (80, 443)


    def crawl_hosts(self, start_urls: list[str]) -> set[str]:
        """``host[:port]`` values a crawl from ``start_urls`` may fetch: the start URLs' hosts
        and this profile's hosts. A loopback profile (``match_any_port``) lends its host
        names the start URLs' ports only, so another server on the same machine stays off-site
        unless an alias names its ``host:port``.
        """
        allowed = {host_of(u) for u in start_urls} | set(self.host_ports)
        if self.match_any_port:
            ports = {urlsplit(u).port for u in start_urls if urlsplit(u).port}
            allowed |= {f"{h}:{p}" for h in self.hosts for p in ports}
        else:
            allowed |= {host_of(f"{urlsplit(self.base_url).scheme}://{h}/") for h in self.hosts}
            base_port = urlsplit(self.base_url).port
            if base_port:
                allowed |= {f"{h}:{base_port}" for h in self.hosts}
        return allowed


_SCHEMA: dict[str, tuple[type, bool]] = {
    "name": (str, True),
    "base_url": (str, True),
    "layout": (str, True),
    "title": (str, False),
    "aliases": (list, False),
    "old_domains": (list, False),
    "match_any_port": (bool, False),
    "entry_urls": (list, False),
    "selectors": (dict, False),
    "politeness": (dict, False),
    "layout_history": (list, False),
}
_POLITENESS = {"download_delay", "concurrent_requests_per_host", "autothrottle_target"}


def load_profile(path: str | Path) -> Profile:
    """Read and validate one profile file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path}: {exc}") from exc
    for key in data:
        if key not in _SCHEMA:
            raise ProfileError(f"{path}: unknown key {key!r}")
    for key, (kind, required) in _SCHEMA.items():
        if key not in data:
            if required:
                raise ProfileError(f"{path}: missing key {key!r}")
            continue
        if not isinstance(data[key], kind):
            raise ProfileError(f"{path}: key {key!r} must be a {kind.__name__}")
    for key in ("aliases", "old_domains", "entry_urls"):
        if not all(isinstance(v, str) for v in data.get(key, [])):
            raise ProfileError(f"{path}: key {key!r} must be a list of strings")
    for key, value in data.get("selectors", {}).items():
        if not isinstance(value, str):
            raise ProfileError(f"{path}: key 'selectors.{key}' must be a string")
    for key, value in data.get("politeness", {}).items():
        if key not in _POLITENESS:
            raise ProfileError(f"{path}: unknown key 'politeness.{key}'")
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ProfileError(f"{path}: key 'politeness.{key}' must be a number >= 0")
    history = []
    for i, entry in enumerate(data.get("layout_history", [])):
        key = f"layout_history[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"layout", "until"}:
            raise ProfileError(f"{path}: key {key!r} must be a table with 'layout' and 'until'")
        if entry["layout"] not in LAYOUTS:
            raise ProfileError(f"{path}: key '{key}.layout': unknown layout {entry['layout']!r}")
        until = entry["until"]
        until = until.isoformat() if isinstance(until, date) else str(until)
        try:
            date.fromisoformat(until)
        except ValueError:
            raise ProfileError(f"{path}: key '{key}.until' must be a date (YYYY-MM-DD)") from None
        history.append((entry["layout"], until))
    if [u for _, u in history] != sorted(u for _, u in history):
        raise ProfileError(f"{path}: key 'layout_history' must be oldest first")
    if data["layout"] not in LAYOUTS:
        raise ProfileError(
            f"{path}: key 'layout': unknown layout {data['layout']!r} "
            f"(known: {', '.join(sorted(LAYOUTS))})"
        )
    if urlsplit(data["base_url"]).scheme not in ("http", "https"):
        raise ProfileError(f"{path}: key 'base_url' must be an http(s) URL")
    return Profile(
        name=data["name"],
        base_url=data["base_url"],
        layout=data["layout"],
        title=data.get("title", ""),
        aliases=tuple(data.get("aliases", ())),
        old_domains=tuple(data.get("old_domains", ())),
        match_any_port=data.get("match_any_port", False),
        entry_urls=tuple(data.get("entry_urls", ("/",))),
        selectors=dict(data.get("selectors", {})),
        politeness=dict(data.get("politeness", {})),
        layout_history=tuple(history),
        path=str(path),
    )


def load_profiles(extra_dir: str | Path | None = None) -> dict[str, Profile]:
    """Every profile shipped with portal-archive, plus those in ``extra_dir``."""
    extra_dir = extra_dir or os.environ.get("ARCHIVE_PROFILES_DIR") or None
    dirs = [BUILTIN_DIR] + ([Path(extra_dir)] if extra_dir else [])
    profiles: dict[str, Profile] = {}
    for folder in dirs:
        for path in sorted(folder.glob("*.toml")):
            profile = load_profile(path)
            profiles[profile.name] = profile
    return profiles


def profile_for(url: str, name: str | None = None, extra_dir: str | None = None) -> Profile:
    """The profile called ``name``, else the one whose hosts match ``url`` (never one on a
    loopback host: those are chosen by name).

    A portal with no profile, or ``name == "generic"``, gets an ad-hoc profile named by its host
    on the generic fallback layout.
    """
    parts = urlsplit(url)
    generic = Profile(name=parts.netloc.lower(), base_url=f"{parts.scheme}://{parts.netloc}/",
                      layout="generic")
    if name == GENERIC:
        return generic
    profiles = load_profiles(extra_dir)
    if name:
        try:
            return profiles[name]
        except KeyError:
            raise ProfileError(
                f"no profile named {name!r} (known: {', '.join(sorted(profiles))})"
            ) from None
    for profile in profiles.values():
        if not profile.on_loopback and profile.matches(url):
            return profile
    return generic
