"""Portals that moved: a redirect to another server on the same machine (another port), a
whole portal answering 301 to a new domain's home page, an old domain that no longer
resolves. The other server is crawled only when the profile lists it among its aliases."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date

import pytest

from replica.server import ReplicaServer
from tests.conftest import FAST, REPLICA_SITE, ROOT

TODAY = date(2026, 11, 26)


def crawl_with_profiles(urls, db, profiles_dir=None, *extra):
    """``portal-archive crawl`` with ``ARCHIVE_PROFILES_DIR`` set (None: the bundled ones), with
    the default replica's profile unless ``extra`` names a ``--site``."""
    import subprocess
    import sys

    env = dict(os.environ)
    env.pop("ARCHIVE_PROFILES_DIR", None)
    if profiles_dir is not None:
        env["ARCHIVE_PROFILES_DIR"] = str(profiles_dir)
    site = [] if "--site" in extra else REPLICA_SITE
    return subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", *urls, "--db", str(db),
                           *FAST, *site, *extra], cwd=ROOT, capture_output=True, text=True,
                          timeout=900, env=env)


def two_ports_profile(tmp_path, other_url):
    """A profile for the replica that names the second server's ``host:port`` as an alias."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    host_port = other_url.removeprefix("http://")
    (folder / "two-ports.toml").write_text(
        'name = "replica-two-ports"\nbase_url = "http://127.0.0.1/"\nmatch_any_port = true\n'
        f'aliases = ["localhost", "{host_port}"]\nlayout = "aspnet_office"\n',
        encoding="utf-8")
    return folder


def failures(db):
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT url, reason FROM failures").fetchall())


def keys(db):
    with sqlite3.connect(db) as conn:
        return {k for (k,) in conn.execute("SELECT key FROM articles")}


def stats(db):
    with sqlite3.connect(db) as conn:
        return json.loads(conn.execute("SELECT stats FROM crawls").fetchone()[0])


# --- a redirect to another loopback port --------------------------------------------------------
@pytest.fixture(scope="module")
def port_redirect(tmp_path_factory):
    """An article that answers 302 to the same URL on a second server of the same portal,
    crawled from the article without, then with, the second server's host:port as an alias."""
    tmp = tmp_path_factory.mktemp("port-redirect")
    with ReplicaServer(today=TODAY, n_articles=50) as other, \
            ReplicaServer(today=TODAY, n_articles=50, redirect_to=other.url) as server:
        article = server.portal.seed_article
        server.faults[article.url_path] = "port-redirect"
        start = [server.url + article.url_path, "--chains-only"]
        plain = crawl_with_profiles(start[:1], tmp / "plain.db", None, *start[1:])
        plain_log = list(other.log)
        other.log.clear()
        aliased = crawl_with_profiles(start[:1], tmp / "alias.db",
                                      two_ports_profile(tmp, other.url), "--site",
                                      "replica-two-ports", *start[1:])
        return {"server": server, "other": other, "article": article, "plain": plain,
                "plain_log": plain_log, "aliased": aliased, "aliased_log": list(other.log),
                "tmp": tmp}


def test_redirect_to_another_port_is_not_followed(port_redirect):
    p = port_redirect
    url = p["server"].url + p["article"].url_path
    assert 3 == p["plain"].returncode, p["plain"].stderr[-2000:]
    assert {url: f"redirected off the site to {p['other'].url}{p['article'].url_path} "
                 "(not followed)"} == failures(p["tmp"] / "plain.db")
    assert [] == p["plain_log"]


def test_redirect_to_an_alias_port_is_followed(port_redirect):
    p = port_redirect
    key = f"id:{p['article'].id}"
    assert p["aliased"].returncode in (0, 3), p["aliased"].stderr[-2000:]
    assert key in keys(p["tmp"] / "alias.db")
    assert {} == {u: r for u, r in failures(p["tmp"] / "alias.db").items()
                  if p["article"].url_path in u}
    assert [p["article"].url_path] == [e["target"] for e in p["aliased_log"]
                                       if e["path"] != "/robots.txt"][:1]


# --- the whole portal moved to a new domain -----------------------------------------------------
@pytest.fixture(scope="module")
def moved(tmp_path_factory):
    """Every URL of the old portal, robots.txt included, answers 301 to the new domain's home
    page (another loopback server serving the same portal)."""
    tmp = tmp_path_factory.mktemp("moved")
    with ReplicaServer(today=TODAY, n_articles=50) as new, \
            ReplicaServer(today=TODAY, n_articles=50, redirect_to=new.url,
                          faults={"*": "moved-home"}) as old:
        plain = crawl_with_profiles([old.url + "/"], tmp / "plain.db", None)
        plain_log = list(new.log)
        new.log.clear()
        aliased = crawl_with_profiles([old.url + "/"], tmp / "alias.db",
                                      two_ports_profile(tmp, new.url), "--site",
                                      "replica-two-ports")
        return {"old": old, "new": new, "plain": plain, "plain_log": plain_log,
                "aliased": aliased, "aliased_log": list(new.log), "tmp": tmp}


def test_moved_portal_recorded_with_its_new_location(moved):
    new_home = moved["new"].url + "/"
    assert 3 == moved["plain"].returncode, moved["plain"].stderr[-2000:]
    assert {moved["old"].url + "/": f"redirected off the site to {new_home} (not followed)"} \
        == failures(moved["tmp"] / "plain.db")


def test_moved_portal_named_in_the_run_stats_and_summary(moved):
    new_home = moved["new"].url + "/"
    assert {moved["old"].url + "/": new_home} == stats(moved["tmp"] / "plain.db")[
        "archive/moved_to"]
    assert f"the portal moved: {moved['old'].url}/ answers with a permanent redirect to " \
           f"{new_home}" in moved["plain"].stdout


def test_moved_portal_not_crawled_unless_an_alias(moved):
    assert [] == moved["plain_log"]


def test_moved_portal_crawled_when_an_alias(moved):
    portal = moved["new"].portal
    expected = {f"id:{a.id}" for a in portal.public_articles()
                if a.id in portal.linked_ids()}
    assert moved["aliased"].returncode in (0, 3), moved["aliased"].stderr[-2000:]
    assert expected <= keys(moved["tmp"] / "alias.db")
    assert {301} == {e["status"] for e in moved["old"].log}


# --- an old domain that no longer resolves ------------------------------------------------------
def test_dns_failure_recorded_and_the_crawl_goes_on(tmp_path):
    """``.invalid`` never resolves (RFC 2606): the old domain's start URL is a failure with a
    readable reason, the other start URL is crawled, the exit code says failures."""
    old = "http://old-portal.invalid/"
    with ReplicaServer(today=TODAY, n_articles=50) as server:
        result = crawl_with_profiles([server.url + "/", old], tmp_path / "a.db", None,
                                     "-s", "DNS_TIMEOUT=5")
        portal = server.portal
    assert 3 == result.returncode, result.stderr[-2000:]
    assert "DNS lookup failed" == failures(tmp_path / "a.db").get(old)
    assert 40 < len(keys(tmp_path / "a.db")) <= len(portal.public_articles())
