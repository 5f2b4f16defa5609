"""The reliability check (``python -m bench.reliability``) on a small replica: under every fault
and trap at once, every recoverable article is archived, nothing off the site or disallowed is
requested and nothing crashes."""

import pytest


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from bench.reliability import run

    return run(n_articles=60, workdir=str(tmp_path_factory.mktemp("reliability")))


def test_every_recoverable_article_archived(report):
    assert ([], []) == (report["missing"], report["unexpected"]), report["stderr_tail"]
    assert report["recoverable"] == report["archived"]


def test_every_permanent_fault_recorded_as_a_failure(report):
    from replica.faults import PERMANENT

    # One failure per permanently faulty article, the dead link, the unresolvable host.
    assert len(PERMANENT) + 2 == sum(report["failures"].values()), report["failures"]


def test_nothing_requested_off_the_site_or_disallowed(report):
    assert ([], []) == (report["offsite_requests"], report["disallowed_requests"])


def test_no_crash(report):
    assert (0, []) == (report["crashes"], report["crash_lines"])


def test_requests_in_traps_bounded(report):
    assert sum(report["trap_requests"].values()) <= 16, report["trap_requests"]
