"""A post's flush reaches PostgreSQL whole (facilitator/pg_waits.py). Under gevent, psycopg
waited through the hub at every step of a pipeline, so the workshop's row lock went out first
and the INSERT and COMMIT only after the greenlet's next turns: the backend held the lock
waiting for the client while every other post queued (pg_stat_activity during a 500-phone
burst: 13,686 samples in ClientRead, 9,138 waiting for the lock). Waiting for the answer still
lets other greenlets run."""
import json
import subprocess
import sys
import textwrap

import pytest

# In a process of its own: gevent's monkey-patching is for the whole process (the server's).
SWITCHES_WHILE_SENDING = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import json, sys
    import greenlet, psycopg
    from facilitator.pg_waits import PromptConnection

    def switches_while_sending(connection_class):
        switches = []
        with connection_class.connect(sys.argv[1], autocommit=True) as connection:
            connection.execute("SELECT 1")  # connected and warm
            with connection.pipeline():
                greenlet.settrace(lambda event, args: switches.append(event))
                for statement in ("BEGIN", "SELECT 1", "SELECT 2", "COMMIT"):
                    connection.execute(statement)
                greenlet.settrace(None)  # what follows waits for the answers
        return len(switches)

    def turns_of_others_while_waiting():
        import gevent
        turns = []

        def other_greenlet():
            while True:
                turns.append(1)
                gevent.sleep(0.01)

        with PromptConnection.connect(sys.argv[1], autocommit=True) as connection:
            other = gevent.spawn(other_greenlet)
            gevent.sleep(0)
            connection.execute("SELECT pg_sleep(0.3)")
            other.kill()
        return len(turns)

    from facilitator.database import make_engine
    with make_engine(sys.argv[2]).connect() as connection:  # as the server's engine connects
        server_class = type(connection.connection.dbapi_connection).__name__
    print(json.dumps({"psycopg": switches_while_sending(psycopg.Connection),
                      "prompt": switches_while_sending(PromptConnection),
                      "server": server_class,
                      "turns_of_others": turns_of_others_while_waiting()}))
""")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_under_gevent_a_pipeline_goes_out_at_once_and_the_answer_is_awaited_cooperatively(database_url):
    url = database_url.replace("postgresql+psycopg://", "postgresql://").split("?")[0]
    result = subprocess.run([sys.executable, "-c", SWITCHES_WHILE_SENDING, url, database_url],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    switches = json.loads(result.stdout)

    assert switches["psycopg"] > 0  # psycopg's own waiting: a turn in the hub per statement
    assert switches["prompt"] == 0
    assert switches["server"] == "PromptConnection"
    # Waiting for PostgreSQL's answer (0.3 s) lets the server's other greenlets run.
    assert switches["turns_of_others"] >= 10


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_prompt_connection_answers_as_psycopgs_does(database_url):
    from facilitator.pg_waits import PromptConnection
    url = database_url.replace("postgresql+psycopg://", "postgresql://").split("?")[0]
    with PromptConnection.connect(url, autocommit=True) as connection:
        with connection.pipeline():
            first = connection.execute("SELECT 1")
            second = connection.execute("SELECT %s::text", ["zwei"])
        assert (first.fetchone(), second.fetchone()) == ((1,), ("zwei",))
        # Longer than one wait (0.1 s): the wait comes back empty and goes on.
        assert connection.execute("SELECT pg_sleep(0.25), 3").fetchone()[1] == 3
