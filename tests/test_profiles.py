import pytest

from crawler.profiles import ProfileError, load_profile, load_profiles, profile_for


def write(tmp_path, text, name="site.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_bundled_profile_loads():
    profiles = load_profiles()
    assert "vpubnd-replica" in profiles
    assert all(p.layout for p in profiles.values())


def test_no_bundled_profile_claims_a_loopback_port():
    profile = profile_for("http://127.0.0.1:45123/")
    assert ("127.0.0.1:45123", "generic") == (profile.name, profile.layout)


def test_unknown_host_gets_the_generic_layout_named_by_host():
    profile = profile_for("http://vpubnd.example.invalid/NewsDetail.aspx?id=1")
    assert ("vpubnd.example.invalid", "generic") == (profile.name, profile.layout)


def test_generic_asks_for_no_profile_even_where_one_matches():
    profile = profile_for("http://127.0.0.1:4000/", "generic")
    assert ("127.0.0.1:4000", "generic") == (profile.name, profile.layout)


def test_missing_key_is_named_with_the_file(tmp_path):
    path = write(tmp_path, 'name = "x"\nlayout = "aspnet_office"\n')
    with pytest.raises(ProfileError, match=r"site\.toml: missing key 'base_url'"):
        load_profile(path)


def test_unknown_layout_is_named(tmp_path):
    path = write(tmp_path, 'name = "x"\nbase_url = "http://x.vn/"\nlayout = "nope"\n')
    with pytest.raises(ProfileError, match=r"key 'layout': unknown layout 'nope'"):
        load_profile(path)


def test_wrong_type_is_named(tmp_path):
    path = write(tmp_path, 'name = "x"\nbase_url = "http://x.vn/"\nlayout = "aspnet_office"\n'
                           '[politeness]\ndownload_delay = "slow"\n')
    with pytest.raises(ProfileError, match=r"'politeness.download_delay' must be a number"):
        load_profile(path)


def test_unknown_key_is_refused(tmp_path):
    path = write(tmp_path, 'name = "x"\nbase_url = "http://x.vn/"\nlayout = "aspnet_office"\n'
                           'eval = "import os"\n')
    with pytest.raises(ProfileError, match=r"unknown key 'eval'"):
        load_profile(path)


def test_profile_matches_its_aliases_only(tmp_path):
    profile = load_profile(write(
        tmp_path, 'name = "x"\nbase_url = "https://vpubnd.x.gov.vn/"\nlayout = "aspnet_office"\n'
                  'aliases = ["www.vpubnd.x.gov.vn", "web01.x.gov.vn"]\n'))
    assert profile.matches("https://web01.x.gov.vn:443/NewsDetail.aspx?id=1")
    assert not profile.matches("https://other.gov.vn/")


def test_loopback_profile_keeps_other_ports_offsite():
    hosts = profile_for("http://127.0.0.1:4000/", "vpubnd-replica").crawl_hosts(
        ["http://127.0.0.1:4000/"])
    assert "127.0.0.1:4000" in hosts and "localhost:4000" in hosts
    assert "127.0.0.1:4001" not in hosts


def test_host_port_alias_admits_that_server_only(tmp_path):
    profile = load_profile(write(
        tmp_path, 'name = "x"\nbase_url = "http://127.0.0.1/"\nlayout = "aspnet_office"\n'
                  'match_any_port = true\naliases = ["localhost", "127.0.0.1:4001"]\n'))
    hosts = profile.crawl_hosts(["http://127.0.0.1:4000/"])
    assert {"127.0.0.1:4000", "localhost:4000", "127.0.0.1:4001"} <= hosts
    assert "127.0.0.1:4002" not in hosts and "localhost:4001" not in hosts
    assert ("127.0.0.1", "localhost") == profile.hosts


def test_profiles_dir_from_the_environment(tmp_path, monkeypatch):
    write(tmp_path, 'name = "extra"\nbase_url = "https://extra.x.gov.vn/"\n'
                    'layout = "aspnet_office"\n')
    monkeypatch.setenv("ARCHIVE_PROFILES_DIR", str(tmp_path))
    assert "extra" == profile_for("https://extra.x.gov.vn/").name


def test_profile_hosts_are_in_crawl_scope(tmp_path):
    profile = load_profile(write(
        tmp_path, 'name = "x"\nbase_url = "https://vpubnd.x.gov.vn/"\nlayout = "aspnet_office"\n'
                  'aliases = ["web01.x.gov.vn"]\n'))
    hosts = profile.crawl_hosts(["https://vpubnd.x.gov.vn/"])
    assert {"vpubnd.x.gov.vn", "web01.x.gov.vn"} <= hosts


def test_layout_history_picks_the_layout_of_the_capture_date(tmp_path):
    profile = load_profile(write(
        tmp_path, 'name = "x"\nbase_url = "http://x.vn/"\nlayout = "generic"\n'
                  '[[layout_history]]\nlayout = "aspnet_office"\nuntil = 2025-06-30\n'))
    assert ("aspnet_office", "aspnet_office", "generic") == (
        profile.layout_on("2019-01-01"), profile.layout_on("2025-06-30T23:00:00Z"),
        profile.layout_on("2025-07-01"))


def test_layout_history_entry_errors_name_the_key(tmp_path):
    path = write(tmp_path, 'name = "x"\nbase_url = "http://x.vn/"\nlayout = "generic"\n'
                           '[[layout_history]]\nlayout = "aspnet_office"\nuntil = "soon"\n')
    with pytest.raises(ProfileError, match=r"'layout_history\[0\]\.until' must be a date"):
        load_profile(path)
