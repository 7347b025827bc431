"""Nothing acknowledged is lost or stored twice when the server dies: 20 phones (real Socket.IO
clients) post, each resending its idea with the same id until the server acknowledges it, while
the server process is killed with SIGKILL and started again; a projector screen that keeps its
sequence number across the restarts catches up with `sync` alone. On SQLite and PostgreSQL.

A small run for CI (20 phones x 5 ideas, one kill); `bench/faults.py kill` is the full one
(20 phones x 50 ideas, 5 kills)."""
import socket

import pytest

pytestmark = pytest.mark.faults



def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_sigkill_while_phones_post_loses_and_doubles_nothing_and_screens_catch_up(
        database_url, tmp_path, faults_bench):
    # Each phone posts for at least a second (5 ideas, 0.25 s apart); the kill comes within
    # 0.8 s: always while they post.
    figures = faults_bench.kill_run(database_url, tmp_path, free_port(), phones=20, ideas=5,
                                    kills=1, seed=12, gap=(0.2, 0.8), pause=0.25)
    print(figures)

    assert figures["kills"] == 1
    assert (figures["acked"], figures["stored"]) == (figures["posted"], figures["posted"])
    assert (figures["lost"], figures["stored_twice"], figures["acked_with_another_id"]) == (
        0, 0, 0)
    assert figures["refusals"] == {}
    assert (figures["screen_has_all"], figures["screen_seq_current"]) == (True, True)
