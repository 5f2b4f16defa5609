from crawler.api import project_settings


def test_defaults_are_polite():
    s = project_settings()
    assert s.getbool("ROBOTSTXT_OBEY")
    assert s.getbool("AUTOTHROTTLE_ENABLED")
    assert s.getfloat("DOWNLOAD_DELAY") >= 1.0
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2


def test_user_agent_names_the_project_and_no_browser():
    ua = project_settings().get("USER_AGENT")
    assert ua.startswith("portal-archive/")
    assert "Mozilla" not in ua and "Googlebot" not in ua


def test_overrides_apply_like_dash_s():
    assert 0 == project_settings({"DOWNLOAD_DELAY": "0"}).getfloat("DOWNLOAD_DELAY")


def test_profile_politeness_becomes_scrapy_settings(tmp_path):
    from crawler.api import profile_settings
    from crawler.profiles import load_profile

    path = tmp_path / "slow.toml"
    path.write_text('name = "slow"\nbase_url = "http://x.vn/"\nlayout = "aspnet_office"\n'
                    '[politeness]\ndownload_delay = 5\nconcurrent_requests_per_host = 1\n',
                    encoding="utf-8")
    assert {"DOWNLOAD_DELAY": 5, "CONCURRENT_REQUESTS_PER_DOMAIN": 1} == profile_settings(
        load_profile(path))


def test_dash_s_overrides_the_profile(replica_server, tmp_path):
    """The replica profile asks for a 1 s delay; -s DOWNLOAD_DELAY=0 wins (the crawl of ten
    pages would otherwise take ten seconds, and the run's settings say which applied)."""
    import json
    import sqlite3

    from tests.conftest import crawl

    seed = replica_server.portal.seed_article
    crawl(f"{replica_server.url}/NewsDetail.aspx?id={seed.id}", tmp_path / "a.db",
          "--chains-only", "-s", "CLOSESPIDER_PAGECOUNT=3")
    stats = json.loads(sqlite3.connect(tmp_path / "a.db").execute(
        "SELECT stats FROM crawls").fetchone()[0])
    assert 0 == stats["archive/settings/download_delay"]


def test_the_profile_delay_applies_without_dash_s(replica_server, tmp_path):
    import json
    import sqlite3

    from tests.conftest import cli

    seed = replica_server.portal.seed_article
    cli("crawl", f"{replica_server.url}/NewsDetail.aspx?id={seed.id}", "--db",
        str(tmp_path / "a.db"), "--site", "vpubnd-replica",
        "--chains-only", "-s", "CLOSESPIDER_PAGECOUNT=1",
        "-s", "ARCHIVE_PROGRESS=off")
    stats = json.loads(sqlite3.connect(tmp_path / "a.db").execute(
        "SELECT stats FROM crawls").fetchone()[0])
    assert (1.0, 1, True) == (stats["archive/settings/download_delay"],
                              stats["archive/settings/concurrent_requests_per_domain"],
                              stats["archive/settings/robotstxt_obey"])


def test_records_below_the_log_level_are_not_made():
    """The root logger gets the handler's level, so debug messages cost no record."""
    import logging

    from crawler.api import _skip_filtered_records

    root = logging.getLogger()
    before = root.level
    try:
        _skip_filtered_records(project_settings({"LOG_LEVEL": "WARNING"}))
        assert root.level == logging.WARNING
        assert not logging.getLogger("scrapy.core.engine").isEnabledFor(logging.DEBUG)
    finally:
        root.setLevel(before)


def test_the_generator_return_check_is_off():
    """Scrapy would parse each callback's source on every response to look for it."""
    assert not project_settings().getbool("WARN_ON_GENERATOR_RETURN_VALUE")
