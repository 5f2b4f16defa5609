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
