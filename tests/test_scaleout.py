"""Scale-out with a real Redis: three worker processes crawl six replica portals (five CMS
families, two ASP.NET portals) into their own shards; the merge holds every article once and
the same archive as single-process crawls of the same portals; a worker killed with kill -9
mid-crawl loses nothing, the others finish its sites."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date

import pytest
import scrapy
from scrapy.utils.test import get_crawler

from crawler.distributed import (
    Keys,
    Scheduler,
    connect,
    queue_done,
    reap,
    scheduled_keys,
    worker_settings,
)
from replica.server import ReplicaServer
from tests.conftest import FAST, ROOT, cli

N_ARTICLES = 60
#: (family, seed, profile); the second ASP.NET portal gets a profile of its own (written below).
PORTALS = [("aspnet", 20210420, "vpubnd-replica"), ("sharepoint", 20210420, "sharepoint-replica"),
           ("liferay", 20210420, "liferay-replica"), ("php", 20210420, "php-replica"),
           ("modern", 20210420, "modern-replica"), ("aspnet", 7, "vpubnd-second")]
WORKER = [*FAST, "-s", "CONCURRENT_REQUESTS=16", "-s", "ARCHIVE_WORKER_SITES=2",
          "-s", "ARCHIVE_WORKER_HEARTBEAT=1", "-s", "ARCHIVE_WORKER_TIMEOUT=4",
          "-s", "ARCHIVE_BATCH_SIZE=10"]


@pytest.fixture(scope="module")
def portals(tmp_path_factory, redis_url):
    """The six portals, their site list, their profiles folder, and single-process crawls of
    each into one archive (the reference)."""
    tmp = tmp_path_factory.mktemp("scaleout")
    servers = [ReplicaServer(today=date(2026, 11, 26), family=family, seed=seed,
                             n_articles=N_ARTICLES).start() for family, seed, _ in PORTALS]
    profiles = tmp / "profiles"
    profiles.mkdir()
    (profiles / "vpubnd-second.toml").write_text(
        'name = "vpubnd-second"\nbase_url = "http://127.0.0.1/"\nlayout = "aspnet_office"\n',
        encoding="utf-8")
    sites = tmp / "sites.txt"
    sites.write_text("# six portals\n" + "".join(
        f"{s.url}/ {profile}\n" for s, (_, _, profile) in zip(servers, PORTALS, strict=True)),
        encoding="utf-8")
    env = {**os.environ, "ARCHIVE_PROFILES_DIR": str(profiles)}
    single = tmp / "single.db"
    for server, (_, _, profile) in zip(servers, PORTALS, strict=True):
        result = run(["crawl", server.url + "/", "--site", profile, "--db", str(single), *FAST],
                     env)
        assert result.returncode in (0, 3), result.stderr[-3000:]
    yield {"servers": servers, "sites": sites, "env": env, "single": single, "tmp": tmp}
    for server in servers:
        server.stop()


def run(args, env, timeout=900):
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def start_worker(redis_url, queue, db, env, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "worker", "--redis", redis_url, "--queue", queue,
         "--db", str(db), "--exit-when-idle", *WORKER, *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(worker, timeout=900):
    out, err = worker.communicate(timeout=timeout)
    assert worker.returncode in (0, 3), err[-3000:]
    return out


def finish_all(workers, timeout=900):
    """``finish`` each worker; when one fails, those still running are killed, not left behind
    waiting on a Redis server that the session has stopped."""
    try:
        return [finish(worker, timeout) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


def rows(db, sql):
    return set(sqlite3.connect(db).execute(sql).fetchall())


ARTICLES = "SELECT site, key, content_hash FROM articles"
ALIASES = "SELECT a.site, a.key, l.url FROM aliases l JOIN articles a ON a.id = l.article_id"
VERSIONS = "SELECT a.site, a.key, v.version, v.content_hash FROM article_versions v " \
           "JOIN articles a ON a.id = v.article_id"


def expected_keys(portals):
    return {(profile, f"id:{a.id}")
            for server, (_, _, profile) in zip(portals["servers"], PORTALS, strict=True)
            for a in server.portal.public_articles()}


# --- three workers, six portals ----------------------------------------------------------------
@pytest.fixture(scope="module")
def three_workers(portals, redis_url):
    tmp, env = portals["tmp"], portals["env"]
    queue = "test-three"
    result = run(["enqueue", str(portals["sites"]), "--redis", redis_url, "--queue", queue,
                  "--reset"], env)
    assert result.returncode == 0, result.stderr
    shards = [tmp / f"three-{i}.db" for i in range(3)]
    finish_all([start_worker(redis_url, queue, db, env) for db in shards])
    merged = tmp / "three.db"
    first = run(["merge", *map(str, shards), "--into", str(merged)], env)
    assert first.returncode == 0, first.stderr
    return {"shards": shards, "merged": merged, "queue": queue, "merge_output": first.stdout}


def test_every_article_of_every_portal_once(portals, three_workers):
    merged = three_workers["merged"]
    assert expected_keys(portals) == rows(merged, "SELECT site, key FROM articles")
    assert [] == sqlite3.connect(merged).execute(
        "SELECT site, key FROM articles GROUP BY site, key HAVING count(*) > 1").fetchall()


def test_same_archive_as_single_process_crawls(portals, three_workers):
    single, merged = portals["single"], three_workers["merged"]
    assert rows(single, ARTICLES) == rows(merged, ARTICLES)
    assert rows(single, VERSIONS) == rows(merged, VERSIONS)
    assert rows(single, ALIASES) == rows(merged, ALIASES)
    assert rows(single, "SELECT url, reason FROM failures") == \
        rows(merged, "SELECT url, reason FROM failures")


FILES = ("SELECT a.site, a.key, i.url, f.sha256 FROM images i JOIN articles a "
         "ON a.id = i.article_id LEFT JOIN files f ON f.id = i.file_id")


def test_merged_captures_keep_their_warc_records_and_files(portals, three_workers):
    from crawler.api import warc_check

    merged = three_workers["merged"]
    assert rows(portals["single"], FILES) == rows(merged, FILES)
    assert not any(sha is None for *_, sha in rows(merged, FILES))
    check = warc_check(str(merged))
    assert check.ok, check.problems[:5]
    assert check.captures == sqlite3.connect(merged).execute(
        "SELECT count(*) FROM captures WHERE status IS NOT NULL").fetchone()[0]
    assert check.files > 0


def test_each_worker_wrote_its_own_shard_and_run(three_workers):
    merged = three_workers["merged"]
    assert 3 == len(rows(merged, "SELECT id FROM crawls"))
    per_shard = [sqlite3.connect(db).execute("SELECT count(*) FROM captures").fetchone()[0]
                 for db in three_workers["shards"]]
    assert sum(per_shard) == sqlite3.connect(merged).execute(
        "SELECT count(*) FROM captures").fetchone()[0]


def test_merge_again_adds_nothing(portals, three_workers):
    merged = three_workers["merged"]
    tables = ("articles", "article_versions", "aliases", "captures", "crawls", "failures",
              "images", "related", "files")
    before = {t: sqlite3.connect(merged).execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in tables}
    again = run(["merge", *map(str, three_workers["shards"]), "--into", str(merged)],
                portals["env"])
    assert again.returncode == 0, again.stderr
    after = {t: sqlite3.connect(merged).execute(f"SELECT count(*) FROM {t}").fetchone()[0]
             for t in tables}
    assert before == after


def test_queue_is_empty_when_the_workers_exit(redis_url, three_workers):
    assert queue_done(connect(redis_url), three_workers["queue"])


@pytest.fixture(scope="module")
def second_round(portals, three_workers, redis_url):
    """The next round: the queue reset, three workers that know the merged archive."""
    tmp, env, queue = portals["tmp"], portals["env"], three_workers["queue"]
    result = run(["enqueue", str(portals["sites"]), "--redis", redis_url, "--queue", queue,
                  "--reset"], env)
    assert result.returncode == 0, result.stderr
    shards = [tmp / f"round2-{i}.db" for i in range(3)]
    known = ["--known", str(three_workers["merged"])]
    finish_all([start_worker(redis_url, queue, db, env, *known) for db in shards])
    merged = tmp / "round2.db"
    shutil.copy(three_workers["merged"], merged)
    result = run(["merge", *map(str, shards), "--into", str(merged)], env)
    assert result.returncode == 0, result.stderr
    return {"shards": shards, "merged": merged}


def test_next_round_fetches_no_archived_article(three_workers, second_round):
    fetched = sum(count(db, "SELECT count(*) FROM articles") for db in second_round["shards"])
    pages = sum(count(db, "SELECT count(*) FROM captures") for db in second_round["shards"])
    first = sum(count(db, "SELECT count(*) FROM captures") for db in three_workers["shards"])
    assert (0, True) == (fetched, pages < first / 5)
    assert rows(three_workers["merged"], ARTICLES) == rows(second_round["merged"], ARTICLES)


def count(db, sql):
    return sqlite3.connect(db).execute(sql).fetchone()[0]


# --- a worker killed with kill -9 ------------------------------------------------------------
@pytest.fixture(scope="module")
def killed_worker(portals, redis_url):
    """One worker takes all six sites and is slowed down; once its shard holds captures and
    requests are in flight, it is killed with SIGKILL; two workers started then finish."""
    tmp, env = portals["tmp"], portals["env"]
    queue = "test-kill"
    server = connect(redis_url)
    result = run(["enqueue", str(portals["sites"]), "--redis", redis_url, "--queue", queue,
                  "--reset"], env)
    assert result.returncode == 0, result.stderr
    victim_db = tmp / "kill-victim.db"
    victim = start_worker(redis_url, queue, victim_db, env, "-s", "ARCHIVE_WORKER_SITES=6",
                          "-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    keys = Keys(queue)
    try:
        wait_for_worker(lambda: captures(victim_db) >= 30 and in_flight(server, keys), victim,
                        victim_db)
        merged = tmp / "kill.db"
        during = run(["merge", str(victim_db), "--into", str(merged)], env)  # while it writes
        # Frozen (SIGSTOP) at a moment Redis shows requests in its hands, then killed: what it
        # held when it died is what was read.
        while True:
            assert victim.poll() is None, "the worker finished before it could be killed"
            victim.send_signal(signal.SIGSTOP)
            if held := in_flight(server, keys):
                break
            victim.send_signal(signal.SIGCONT)
            wait_for_worker(lambda: in_flight(server, keys), victim, victim_db)
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    left = {"in_flight": held, "captures": captures(victim_db), "merge": during}
    others = [tmp / f"kill-{i}.db" for i in range(2)]
    finish_all([start_worker(redis_url, queue, db, env) for db in others])
    result = run(["merge", str(victim_db), *map(str, others), "--into", str(merged)], env)
    assert result.returncode == 0, result.stderr
    return {"merged": merged, "others": others, "left": left, "queue": queue}


def in_flight(server, keys):
    """Requests that the queue's workers have taken and not yet acknowledged."""
    return sum(server.hlen(keys.inflight(w.decode())) for w in server.smembers(keys.workers))


#: Seconds a worker may go without storing one more capture before a wait gives up on it: a
#: bound on a worker that makes no progress at all, never on how fast a machine crawls.
STALL = 120


def wait_for_worker(condition, worker, db):
    """Poll ``condition()`` until it holds; fail if the worker ends first, or if its shard gains
    no capture for STALL seconds."""
    count, progress = captures(db), time.monotonic()
    while not condition():
        assert worker.poll() is None, "the worker finished before it could be killed"
        if (now := captures(db)) != count:
            count, progress = now, time.monotonic()
        assert time.monotonic() - progress < STALL, f"the worker stored nothing for {STALL} s"
        time.sleep(0.05)


def captures(db):
    if not db.exists():
        return 0
    try:
        return sqlite3.connect(db).execute("SELECT count(*) FROM captures").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_killed_worker_had_work_in_flight(killed_worker):
    assert 0 == killed_worker["left"]["merge"].returncode, killed_worker["left"]["merge"].stderr
    assert killed_worker["left"]["in_flight"] > 0
    assert killed_worker["left"]["captures"] >= 30


def test_others_returned_its_requests_to_the_queue(killed_worker):
    reaped = sum(json_stats(db).get("archive/worker/reaped", 0) for db in killed_worker["others"])
    assert reaped > 0


def test_nothing_lost_after_kill(portals, killed_worker):
    merged = killed_worker["merged"]
    assert expected_keys(portals) == rows(merged, "SELECT site, key FROM articles")
    assert rows(portals["single"], ARTICLES) == rows(merged, ARTICLES)
    assert rows(portals["single"], VERSIONS) == rows(merged, VERSIONS)


def test_takeover_fetches_no_article_again_under_another_url(portals, killed_worker):
    """The worker that takes a site over knows the article keys scheduled before (print views
    of SharePoint articles are not requested as articles): the same failures as one process."""
    merged = killed_worker["merged"]
    assert rows(portals["single"], "SELECT url, reason FROM failures") == \
        rows(merged, "SELECT url, reason FROM failures")
    assert rows(portals["single"], ALIASES) == rows(merged, ALIASES)


def json_stats(db):
    import json

    row = sqlite3.connect(db).execute("SELECT stats FROM crawls ORDER BY id DESC").fetchone()
    return json.loads(row[0])


# --- the reliable queue, without workers -------------------------------------------------------
def test_reap_returns_a_dead_workers_requests_and_seeds(redis_url):
    server, keys = connect(redis_url), Keys("test-reap")
    for key in server.scan_iter(match="test-reap:*"):
        server.delete(key)
    server.sadd(keys.workers, "dead", "alive")
    server.set(keys.alive("alive"), "1")
    server.hset(keys.inflight("dead"), "000000000000042", b"-1 site-a\n\x80pickled")
    server.hset(keys.inflight("alive"), "000000000000043", b"0 site-b\n\x80pickled")
    server.rpush(keys.seeding("dead"), b'{"site": "site-c"}')
    assert (1, 1) == reap(server, keys)
    assert [(b"000000000000042\n\x80pickled", -1.0)] == server.zrange(
        keys.queue("site-a"), 0, -1, withscores=True)
    assert {b"site-a"} == server.smembers(keys.active)
    assert [b'{"site": "site-c"}'] == server.lrange(keys.seeds, 0, -1)
    assert {b"alive"} == server.smembers(keys.workers)
    assert 1 == server.hlen(keys.inflight("alive"))


def open_scheduler(redis_url, queue, worker):
    """A worker's scheduler and queue (crawler.distributed's), opened on a bare spider."""
    spider_class = type("Bare", (scrapy.Spider,), {"name": "bare", "worker_id": worker})
    crawler = get_crawler(spider_class, worker_settings(redis_url, queue))
    crawler.spider = spider_class.from_crawler(crawler)
    scheduler = Scheduler.from_crawler(crawler)
    scheduler.open(crawler.spider)
    return scheduler


def article_request(article_id):
    return scrapy.Request(f"http://127.0.0.1:9/NewsDetail.aspx?id={article_id}",
                          meta={"site": "site-a", "key": f"id:{article_id}", "kind": "article"})


def test_an_article_is_marked_scheduled_by_the_push_of_its_request(redis_url):
    """What a taker of the site starts from (its scheduled keys, the duplicates filter) says
    "scheduled" only for requests that are in Redis."""
    server, keys = connect(redis_url), Keys("test-push")
    for key in server.scan_iter(match="test-push:*"):
        server.delete(key)
    first = open_scheduler(redis_url, "test-push", "first")
    scheduled = scheduled_keys(server, keys.scheduled("site-a"))
    scheduled.add("id:1")  # the spider has scheduled it; the worker dies before the push
    taker = open_scheduler(redis_url, "test-push", "taker")
    assert "id:1" not in scheduled_keys(server, keys.scheduled("site-a"))
    assert taker.enqueue_request(article_request(1))
    assert ({b"id:1"}, 1, 1) == (server.smembers(keys.scheduled("site-a")),
                                 server.scard(keys.dupefilter),
                                 server.zcard(keys.queue("site-a")))
    assert "id:1" in scheduled_keys(server, keys.scheduled("site-a"))
    assert not first.enqueue_request(article_request(1))


def test_a_request_whose_push_fails_is_not_filtered_as_seen(redis_url):
    """A worker that dies inside ``enqueue_request`` (here: its push fails) leaves the
    request's fingerprint out of the duplicates filter, so the taker can queue it."""
    server, keys = connect(redis_url), Keys("test-push-fails")
    for key in server.scan_iter(match="test-push-fails:*"):
        server.delete(key)
    dying = open_scheduler(redis_url, "test-push-fails", "dying")

    def dies(*args, **kwargs):
        raise ConnectionError("killed")

    dying.queue._push = dies
    with pytest.raises(ConnectionError):
        dying.enqueue_request(article_request(2))
    assert (0, 0) == (server.scard(keys.dupefilter), server.scard(keys.scheduled("site-a")))
    taker = open_scheduler(redis_url, "test-push-fails", "taker")
    assert taker.enqueue_request(article_request(2))
    assert 1 == server.zcard(keys.queue("site-a"))


def test_site_list_lines(tmp_path):
    from crawler.distributed import read_site_list

    seeds = read_site_list(["# comment", "", "http://127.0.0.1:8080/ sharepoint-replica",
                            "http://127.0.0.1:8081/", "vpubnd-replica  # the bundled one"])
    assert [("sharepoint-replica", ["http://127.0.0.1:8080/"]),
            ("127.0.0.1:8081", ["http://127.0.0.1:8081/"]),  # no profile claims loopback
            ("vpubnd-replica", ["http://127.0.0.1/"])] == [(s.site, s.urls) for s in seeds]


def test_lines_of_one_profile_are_one_site_with_their_start_urls(redis_url):
    from crawler.distributed import Seed, enqueue

    server = connect(redis_url)
    seeds = [Seed("php-replica", ["http://127.0.0.1:8080/"], "php-replica"),
             Seed("127.0.0.1:8082", ["http://127.0.0.1:8082/"], "generic"),
             Seed("php-replica", ["http://127.0.0.1:8081/"], "php-replica")]
    assert 2 == enqueue(seeds, server, "test-same-site", reset=True)
    assert ["http://127.0.0.1:8080/", "http://127.0.0.1:8081/"] == Seed.from_json(
        server.hget(Keys("test-same-site").sites, "php-replica")).urls


def test_site_list_names_a_bad_line():
    from crawler.distributed import read_site_list

    with pytest.raises(ValueError, match="line 2"):
        read_site_list(["vpubnd-replica", "no-such-profile"])


def test_enqueue_refuses_an_unknown_profile(tmp_path, redis_url):
    sites = tmp_path / "sites.txt"
    sites.write_text("http://127.0.0.1:8080/ no-such-profile\n", encoding="utf-8")
    result = cli("enqueue", str(sites), "--redis", redis_url, "--queue", "test-refuse")
    assert (2, "line 1: no profile named 'no-such-profile'") == (
        result.returncode, result.stderr.split("cannot run: ")[-1].split(" (known")[0])


def test_worker_needs_a_reachable_redis(tmp_path):
    result = cli("worker", "--redis", "redis://127.0.0.1:1/0", "--db", str(tmp_path / "s.db"))
    assert 2 == result.returncode

