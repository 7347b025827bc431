"""Scale-out: two server processes share one PostgreSQL database and a Redis message queue.
Sequence numbers, duplicate detection and acknowledgements come from the database, so they hold
across processes; live updates cross processes through Redis."""
import threading
import uuid

from facilitator.models import Idea, Vote


def post(phone, board_id, text, cid=None):
    return phone.call("post_idea", {"board_id": board_id, "client_id": cid or uuid.uuid4().hex,
                                    "text": text})


def test_idea_posted_on_one_process_reaches_screens_on_the_other_live(cluster):
    a, b, make = cluster
    owner = make.facilitator()
    workshop = make.workshop(owner)
    board = workshop.boards[0]
    _, token = make.participant(workshop, "Amira")
    phone = a.phone(workshop, token, board.id)
    screen = b.screen(workshop)
    console = b.staff(workshop, owner)

    ack = post(phone, board.id, "Über zwei Prozesse")

    assert ack["ok"]
    for client in (screen, console):
        payload = client.wait_for("idea_posted", lambda p: p["ideas"][0]["id"] == ack["idea"]["id"])
        assert payload["ideas"][0]["text"] == "Über zwei Prozesse"
    hidden = console.call("hide_idea", {"idea_id": ack["idea"]["id"], "hidden": True})
    assert hidden["ok"]
    assert phone.wait_for("idea_updated")["ideas"][0]["state"] == "hidden"
    assert console.wait_for("presence_changed", lambda p: p["participants"] == 1)


def test_sequence_numbers_stay_gap_free_when_both_processes_take_posts_at_once(cluster):
    a, b, make = cluster
    workshop = make.workshop()
    board_id = workshop.boards[0].id
    phones = []
    for server in (a, b, a, b):
        _, token = make.participant(workshop)
        phones.append(server.phone(workshop, token, board_id))
    screen = b.screen(workshop)
    start = make.seq(workshop.id)
    acks, per_phone = [], 10

    def send(phone, n):
        for i in range(per_phone):
            acks.append(post(phone, board_id, f"Telefon {n}, Idee {i}"))

    senders = [threading.Thread(target=send, args=(phone, n)) for n, phone in enumerate(phones)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()

    total = per_phone * len(phones)
    assert len(acks) == total and all(ack["ok"] for ack in acks)
    assert sorted(ack["idea"]["seq"] for ack in acks) == list(range(start + 1, start + total + 1))
    assert make.seq(workshop.id) == start + total
    assert make.count(Idea, workshop_id=workshop.id) == total
    # The projector on process B hears of every idea, whichever process stored it.
    screen.wait_for("idea_posted", lambda p: len(screen.events("idea_posted")) >= total)
    assert sorted(p["seq"] for p in screen.events("idea_posted")) == list(
        range(start + 1, start + total + 1))


def test_same_idea_sent_to_both_processes_at_once_is_stored_once(cluster):
    a, b, make = cluster
    workshop = make.workshop()
    board_id = workshop.boards[0].id
    _, token = make.participant(workshop)
    tabs = [a.phone(workshop, token, board_id), b.phone(workshop, token, board_id)]
    start = make.seq(workshop.id)
    acks, barrier = [], threading.Barrier(2)
    cids = [uuid.uuid4().hex for _ in range(10)]

    def send(tab):
        for cid in cids:
            barrier.wait()
            acks.append(post(tab, board_id, "Doppelt gesendet", cid))

    senders = [threading.Thread(target=send, args=(tab,)) for tab in tabs]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()

    assert all(ack["ok"] for ack in acks) and len(acks) == 20
    by_cid = {}
    for ack in acks:
        by_cid.setdefault(ack["idea"]["client_id"], set()).add(ack["idea"]["id"])
    assert all(len(ids) == 1 for ids in by_cid.values()) and len(by_cid) == 10
    assert sorted(ack["duplicate"] for ack in acks) == [False] * 10 + [True] * 10
    assert make.count(Idea, workshop_id=workshop.id) == 10
    assert make.seq(workshop.id) == start + 10


def test_phones_votes_and_a_returning_console_work_across_both_processes(cluster):
    """Phones on A see what is posted through B; one phone voting through both processes at
    once stays within one budget; a console that comes back on the other process catches up."""
    a, b, make = cluster
    owner = make.facilitator()
    workshop = make.workshop(owner)
    board_id = workshop.boards[0].id
    _, token_a = make.participant(workshop)
    _, token_b = make.participant(workshop)
    phone_a = a.phone(workshop, token_a, board_id)
    phone_b = b.phone(workshop, token_b, board_id)
    console = a.staff(workshop, owner)

    acks = [post(phone_b, board_id, f"Über B {n}") for n in range(4)]
    assert all(ack["ok"] for ack in acks)
    for ack in acks:
        phone_a.wait_for("idea_posted", lambda p, i=ack["idea"]["id"]: p["ideas"][0]["id"] == i)

    # One budget across both processes: the same phone (two tabs, one on each) places dots in
    # parallel, more than its budget allows.
    assert console.call("set_phase", {"board_ids": [board_id], "phase": "prioritise"})["ok"]
    opened = console.call("open_round", {"kind": "dots", "target_kind": "idea",
                                         "board_ids": [board_id], "dots_per_person": 3,
                                         "max_per_item": 3})
    assert opened["ok"], opened
    round_id = opened["round_id"]
    _, voter = make.participant(workshop)
    tabs = [a.phone(workshop, voter, board_id), b.phone(workshop, voter, board_id)]
    answers, barrier = [], threading.Barrier(2)

    def vote(tab, n):
        barrier.wait()
        for i in range(4):
            answers.append(tab.call("place_dot", {
                "round_id": round_id, "target_id": acks[(n + i) % len(acks)]["idea"]["id"],
                "client_id": uuid.uuid4().hex}))

    voters = [threading.Thread(target=vote, args=(tab, n)) for n, tab in enumerate(tabs)]
    for thread in voters:
        thread.start()
    for thread in voters:
        thread.join()
    assert sum(1 for answer in answers if answer["ok"]) == 3
    assert {answer["error"] for answer in answers if not answer["ok"]} == {"vote_budget_exceeded"}
    assert make.count(Vote, round_id=round_id) == 3

    # The console goes away after seeing everything so far; while it is gone, cards arrive
    # through A (at a table still collecting); it comes back on B and asks for what it missed.
    seen = console.call("sync", {"since": 0})["seq"]
    console.disconnect()
    missed = [post(phone_a, workshop.boards[1].id, f"Während der Pause {n}") for n in range(3)]
    assert all(ack["ok"] for ack in missed)
    back = b.staff(workshop, owner)
    caught_up = back.call("sync", {"since": seen})
    assert caught_up["ok"] and not caught_up["full"]
    assert caught_up["seq"] == make.seq(workshop.id)
    assert {ack["idea"]["id"] for ack in missed} <= {idea["id"] for idea in caught_up["ideas"]}
