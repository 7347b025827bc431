"""Load shedding on PostgreSQL (issue 12, item 8): a connection gets one write in flight; more
are answered `busy` at once instead of queueing for the connection pool, so clients re-sending
aggressively cannot starve everyone else, and what was acknowledged is exactly what is stored."""
import threading
import time
import uuid

import pytest

from facilitator.database import migrate
from facilitator.models import Idea

FLOODERS = 20
CARDS_EACH = 10
PER_BURST = 5


@pytest.fixture
def server(empty_postgres_url, start_live_server):
    migrate(empty_postgres_url)
    return start_live_server(empty_postgres_url)


def fire(client, event, data, answers, done):
    """Emit without waiting for the answer (as an impatient client does)."""
    def got(answer):
        answers.append((time.monotonic(), answer))
        done.release()
    client.sio.emit(event, data, callback=got)


def test_flooding_connections_are_answered_busy_while_a_calm_phone_carries_on(server):
    make = server.factory()
    workshop = make.workshop()
    board_id = workshop.boards[0].id
    flooders = [server.phone(workshop, make.participant(workshop)[1], board_id)
                for _ in range(FLOODERS)]
    calm = server.phone(workshop, make.participant(workshop)[1], board_id)

    # One connection, ten posts at once: the first is taken, the others come back busy at once.
    answers, done = [], threading.Semaphore(0)
    for n in range(PER_BURST):
        fire(flooders[0], "post_idea", {"board_id": board_id, "client_id": uuid.uuid4().hex,
                                        "text": f"Sofort {n}"}, answers, done)
    for _ in range(PER_BURST):
        assert done.acquire(timeout=10)
    kinds = sorted("ok" if answer["ok"] else answer["error"] for _, answer in answers)
    assert kinds[0] == "busy" and kinds[-1] == "ok" and set(kinds) == {"busy", "ok"}
    acked = {answer["idea"]["client_id"]: answer["idea"] for _, answer in answers if answer["ok"]}

    # Twenty connections re-sending in bursts (each post again until acknowledged, no pause),
    # while a calm phone posts one card after another.
    stop = threading.Event()
    counts = {"busy": 0, "sent": 0}

    def flood(client, n):
        pending = {uuid.uuid4().hex: f"Flut {n}.{i}" for i in range(CARDS_EACH)}
        while pending and not stop.is_set():
            answers, done = [], threading.Semaphore(0)
            batch = list(pending.items())[:PER_BURST]
            for cid, text in batch:
                fire(client, "post_idea", {"board_id": board_id, "client_id": cid, "text": text},
                     answers, done)
            counts["sent"] += len(batch)
            for _ in batch:
                if not done.acquire(timeout=15):
                    break
            for _, answer in answers:
                if answer["ok"]:
                    acked[answer["idea"]["client_id"]] = answer["idea"]
                    pending.pop(answer["idea"]["client_id"], None)
                else:
                    assert answer["error"] == "busy", answer
                    counts["busy"] += 1

    threads = [threading.Thread(target=flood, args=(client, n))
               for n, client in enumerate(flooders)]
    for thread in threads:
        thread.start()
    try:
        # Each within the client's 10 s (call raises on a timeout), none refused as busy.
        for n in range(10):
            answer = calm.call("post_idea", {"board_id": board_id,
                                             "client_id": uuid.uuid4().hex, "text": f"Ruhig {n}"})
            assert answer["ok"], answer
            acked[answer["idea"]["client_id"]] = answer["idea"]
    finally:
        for thread in threads:
            thread.join(60)
        stop.set()

    assert counts["busy"] > 0
    # Every flooder got all of its cards in, once each; nothing waited into a pool timeout.
    assert len(acked) == kinds.count("ok") + FLOODERS * CARDS_EACH + 10
    assert make.count(Idea, workshop_id=workshop.id) == len(acked)
    assert "TimeoutError" not in server.log() and "QueuePool limit" not in server.log()
    make.close()
