"""Vote integrity against a real server (SQLite and PostgreSQL), with real Socket.IO clients:
50 dots of one phone sent at once over 10 connections against a budget of 5 (cap 3) store
exactly 5, trial after trial; dots that arrive while the facilitator closes the round are counted
before the close or refused, and none is stored after the close answered.

Few trials for CI; `bench/faults.py votes --trials 100` and `close --trials 20` run more."""

import pytest

# The live servers of the test suite sign cookies with this key (tests/conftest.py).
SECRET_KEY = "facilitator-test-secret"
pytestmark = pytest.mark.faults



@pytest.fixture
def server(database_url, start_live_server):
    return start_live_server(database_url=database_url)


def test_50_dots_at_once_against_a_budget_of_5_store_exactly_5_every_time(
        server, database_url, faults_bench):
    figures = faults_bench.votes_run(server, database_url, trials=3, secret_key=SECRET_KEY)
    print(figures)

    assert (figures["held"], figures["stored"], figures["unanswered"]) == (3, [5], 0)


def test_dots_racing_the_close_are_counted_before_it_or_refused_never_stored_after(
        server, database_url, start_live_server, faults_bench):
    # On PostgreSQL the facilitator's close goes through a second server process (several
    # processes behind a proxy): only there do the close and the votes truly run at once.
    # SQLite is served by one process.
    second = (start_live_server(database_url=database_url)
              if database_url.startswith("postgresql") else None)
    figures = faults_bench.votes_run(server, database_url, trials=3, mode="close",
                                     secret_key=SECRET_KEY, console_server=second)
    print(figures)

    assert (figures["held"], figures["stored_after_close"], figures["unanswered"]) == (3, 0, 0)
    assert set(figures["refusals"]) <= {"round_closed"}
