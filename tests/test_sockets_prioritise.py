"""Clustering, phases, the timer and prioritisation through real Socket.IO clients against a real
server process (gevent, SQLite file): facilitators' changes reach the projector, phones and the
colleague's console live; conflicting moves end in one state everywhere; a screen that missed
changes catches up with `sync`; phones vote within the rules; and every facilitator action from a
phone or the projector is refused and changes nothing."""
import random
import re
import threading
import uuid
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import func, select

from facilitator.domain import clusters, measures, voting
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.voting import RoundSpec
from facilitator.models import (Board, Cluster, Idea, Measure, StaffAction, Vote, VoteRound,
                                Workshop)
from facilitator.sockets import STAFF_ACTIONS

TIMEOUT = 5


def dot_id() -> str:
    return uuid.uuid4().hex


def post(phone, board_id, text):
    ack = phone.call("post_idea", {"board_id": board_id, "client_id": uuid.uuid4().hex,
                                   "text": text})
    assert ack["ok"], ack
    return ack["idea"]["id"]


def refused(ack, error):
    """The ack of a refusal: (ok, error) as a pair, so a failing test shows both."""
    return (ack["ok"], ack.get("error")) == (False, error)


def the(items, item_id):
    return next(item for item in items if item["id"] == item_id)


def with_seq(seq):
    return lambda payload: payload.get("seq") == seq


def join_in(live_server, http: requests.Session, workshop, board_id: int) -> None:
    """Join the workshop as a phone does, in a browser that may already be signed in."""
    page = http.get(f"{live_server.url}/join/{workshop.join_code}", timeout=TIMEOUT)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page.text)
    response = http.post(f"{live_server.url}/join/{workshop.join_code}", allow_redirects=False,
                         timeout=TIMEOUT, data={"csrf_token": token.group(1),
                                                "board": board_id, "display_name": "",
                                                "stakeholder_group": ""})
    assert response.status_code == 302, response.text[:300]


class View:
    """What a screen shows after applying every object it received, newest `seq` winning (as
    static/js/live.js does)."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, int], dict] = {}

    def apply(self, payload: dict) -> None:
        for kind in ("ideas", "clusters", "measures", "boards"):
            for item in payload.get(kind, []):
                key = (kind, item["id"])
                if key not in self.objects or self.objects[key]["seq"] <= item["seq"]:
                    self.objects[key] = item

    def arrangement(self) -> dict:
        cards = {i: (o["board_id"], o["cluster_id"], o["position"], o["state"])
                 for (kind, i), o in self.objects.items() if kind == "ideas"}
        shown = {i: (o["board_id"], o["position"], o["state"])
                 for (kind, i), o in self.objects.items() if kind == "clusters"}
        return {"ideas": cards, "clusters": shown}


def view_of(client, events=("arrangement_changed", "idea_posted", "idea_updated")) -> View:
    view = View()
    for event, payload in list(client.received):
        if event in events:
            view.apply(payload)
    return view


# --- Fixtures -------------------------------------------------------------------------------------

@pytest.fixture
def board(workshop):
    return workshop.boards[0]


@pytest.fixture
def colleague(live_make, workshop):
    colleague = live_make.facilitator()
    live_make.add_facilitator(workshop, colleague)
    return colleague


@pytest.fixture
def phones(live_server, live_make, workshop, board):
    """Three phones at the first board (Amira, Ben, Chen): participant, socket and token."""
    made = []
    for name in ("Amira", "Ben", "Chen"):
        participant, token = live_make.participant(workshop, name)
        made.append(SimpleNamespace(participant=participant, token=token,
                                    socket=live_server.phone(workshop, token, board.id)))
    return made


def build_stage(live_server):
    """A workshop with something of every kind for each facilitator action to act on, and a
    browser signed in as its facilitator that has also joined it as a phone: that browser's
    cookie would pass any check that looked at the person instead of the connection's role."""
    make = live_server.factory()
    owner = make.facilitator()
    workshop = make.workshop(owner)
    board = workshop.boards[0]
    amira, amira_token = make.participant(workshop, "Amira")
    cards = [make.idea(amira, board, text)
             for text in ("Sprachcafé", "Kita-Plätze", "Mehr Kita-Plätze", "Lotsen")]
    themes = [make.run(clusters.create_cluster, workshop.id, owner.id, board.id, heading,
                       idea_ids=ids)
              for heading, ids in (("Sprache", [cards[0].id]), ("Familie", [cards[1].id]),
                                   ("Sonstiges", []))]
    measure = make.run(measures.save_measure, workshop.id, owner.id, MeasureSpec(
        "Sprachcafé im Rathaus", source_cluster_id=themes[0].id))
    dots = make.run(voting.open_round, workshop.id, RoundSpec(board_ids=[board.id]))
    consent = make.run(voting.open_round, workshop.id, RoundSpec(
        kind="consent", options=["Lotsenprogramm"], passive_option="So lassen"))
    browser = live_server.sign_in(owner)
    join_in(live_server, browser, workshop, board.id)
    stage = SimpleNamespace(
        make=make, owner=owner, workshop=workshop, board=board, cards=cards, themes=themes,
        measure=measure, dots=dots, consent=consent, browser=browser,
        phone=live_server.socket("participant", cookie=browser, code=workshop.join_code,
                                 board_id=board.id),
        screen=live_server.socket("screen", cookie=browser, key=workshop.screen_key),
        console=live_server.socket("staff", cookie=browser, code=workshop.join_code),
        amira=live_server.phone(workshop, amira_token, board.id))
    # Something for undo and redo to act on, made by this very facilitator over the socket.
    assert stage.console.call("update_cluster", {"cluster_id": themes[2].id,
                                                 "heading": "Offen"})["ok"]
    assert stage.console.call("update_cluster", {"cluster_id": themes[2].id,
                                                 "heading": "Sonstiges"})["ok"]
    assert stage.console.call("undo")["ok"]
    return stage


@pytest.fixture(scope="module")
def stage(live_server):
    stage = build_stage(live_server)
    yield stage
    stage.make.close()


# Each facilitator event with a request the console would have carried out.
STAFF_REQUESTS = {
    "update_cluster": lambda s: {"cluster_id": s.themes[0].id, "heading": "Sprache lernen",
                                 "colour": "teal"},
    "move_cluster": lambda s: {"cluster_id": s.themes[1].id, "position": 0},
    "move_idea": lambda s: {"idea_id": s.cards[3].id, "cluster_id": s.themes[0].id,
                            "position": 0},
    "hide_idea": lambda s: {"idea_id": s.cards[0].id, "hidden": True},
    "correct_idea": lambda s: {"idea_id": s.cards[0].id, "text": "Sprachcafé im Rathaus"},
    "merge_duplicates": lambda s: {"idea_id": s.cards[2].id, "into_id": s.cards[1].id},
    "place_on_matrix": lambda s: {"cluster_id": s.themes[0].id, "x": 0.2, "y": 0.9},
    "save_measure": lambda s: {"title": "Lotsenprogramm", "horizon": "short",
                               "source_idea_ids": [s.cards[3].id]},
    "delete_measure": lambda s: {"measure_id": s.measure.id},
    "undo": lambda s: {},
    "redo": lambda s: {},
    "history": lambda s: {},
    "create_cluster": lambda s: {"board_id": s.board.id, "heading": "Neu", "colour": "pink"},
    "merge_clusters": lambda s: {"source_id": s.themes[0].id, "target_id": s.themes[1].id},
    "dissolve_cluster": lambda s: {"cluster_id": s.themes[2].id},
    "set_phase": lambda s: {"board_ids": [], "phase": "prioritise"},
    "set_timer": lambda s: {"action": "start", "seconds": 300},
    "set_projector": lambda s: {"view": "round", "target_id": s.dots.id},
    "open_round": lambda s: {"kind": "dots", "target_kind": "idea", "board_ids": [],
                             "dots_per_person": 5, "max_per_item": 1},
    "update_round": lambda s: {"round_id": s.dots.id,
                               "settings": {"state": "closed", "revealed": True}},
}
STAFF_EVENTS = sorted(set(STAFF_ACTIONS) | {"history", "set_phase", "set_timer",
                                            "set_projector", "open_round", "update_round"})
VOTE_REQUESTS = {
    "place_dot": lambda s: {"round_id": s.dots.id, "target_id": s.themes[1].id,
                            "client_id": dot_id()},
    "remove_dot": lambda s: {"round_id": s.dots.id, "target_id": s.themes[0].id},
    "rate_option": lambda s: {"round_id": s.consent.id, "option_id": 1, "value": 7},
}


def everything(live_server, workshop_id: int) -> tuple:
    """The workshop as stored: its number and every row a facilitator or a vote could touch."""
    with live_server.session() as s:
        def rows(model, *columns):
            return sorted(tuple(getattr(row, c) for c in ("id",) + columns)
                          for row in s.scalars(select(model).where(
                              model.workshop_id == workshop_id)))
        workshop = s.get(Workshop, workshop_id)
        votes = s.execute(select(func.count(Vote.id)).join(VoteRound).where(
            VoteRound.workshop_id == workshop_id)).scalar()
        return (
            workshop.seq, workshop.projector_view, workshop.timer_seconds,
            workshop.timer_ends_at,
            rows(Board, "phase", "is_open"),
            rows(Idea, "board_id", "cluster_id", "position", "text", "state", "merged_into_id"),
            rows(Cluster, "heading", "colour", "position", "state", "matrix_x", "matrix_y"),
            rows(Measure, "title", "state", "source_idea_ids"),
            rows(VoteRound, "state", "revealed", "final_order"),
            rows(StaffAction, "undone"), votes)


# --- Authorisation ------------------------------------------------------------------------------

@pytest.mark.parametrize("event", STAFF_EVENTS)
@pytest.mark.parametrize("role", ["phone", "screen"])
def test_facilitator_action_from_a_phone_or_the_projector_is_refused_and_changes_nothing(
        live_server, stage, role, event):
    sender = stage.phone if role == "phone" else stage.screen
    before = everything(live_server, stage.workshop.id)

    ack = sender.call(event, STAFF_REQUESTS[event](stage))

    assert refused(ack, "forbidden"), ack
    assert ack["message"] == "You are not allowed to do that."
    assert everything(live_server, stage.workshop.id) == before


@pytest.mark.parametrize("event", sorted(VOTE_REQUESTS))
@pytest.mark.parametrize("role", ["console", "screen"])
def test_vote_from_the_console_or_the_projector_is_refused_and_changes_nothing(
        live_server, stage, role, event):
    # Amira has a dot on the first theme, so taking one back would have something to remove.
    placed = stage.amira.call("place_dot", {"round_id": stage.dots.id,
                                            "target_id": stage.themes[0].id,
                                            "client_id": dot_id()})
    assert placed["ok"] or refused(placed, "vote_budget_exceeded")
    sender = stage.console if role == "console" else stage.screen
    before = everything(live_server, stage.workshop.id)

    ack = sender.call(event, VOTE_REQUESTS[event](stage))

    assert refused(ack, "forbidden"), ack
    assert everything(live_server, stage.workshop.id) == before


def test_the_same_requests_from_the_console_are_carried_out(live_server):
    """The refusals above are refusals of requests that would otherwise have worked."""
    fresh = build_stage(live_server)
    try:
        assert fresh.amira.call("place_dot", {"round_id": fresh.dots.id,
                                              "target_id": fresh.themes[0].id,
                                              "client_id": dot_id()})["ok"]
        for event in VOTE_REQUESTS:
            ack = fresh.amira.call(event, VOTE_REQUESTS[event](fresh))
            assert ack["ok"], (event, ack)
        for event in STAFF_REQUESTS:
            seq = fresh.make.seq(fresh.workshop.id)
            ack = fresh.console.call(event, STAFF_REQUESTS[event](fresh))
            assert ack["ok"], (event, ack)
            if event != "history":
                assert fresh.make.seq(fresh.workshop.id) == seq + 1, event
    finally:
        fresh.make.close()
    assert set(STAFF_REQUESTS) == set(STAFF_EVENTS)


def test_phone_of_one_workshop_cannot_vote_in_another_workshops_round(
        live_server, live_make, stage, workshop, board):
    _, token = live_make.participant(workshop, "Fremd")
    outsider = live_server.phone(workshop, token, board.id)
    before = everything(live_server, stage.workshop.id)

    for event in sorted(VOTE_REQUESTS):
        ack = outsider.call(event, VOTE_REQUESTS[event](stage))
        assert refused(ack, "not_found"), (event, ack)

    assert everything(live_server, stage.workshop.id) == before


def test_facilitator_of_one_workshop_cannot_cluster_in_another(live_server, stage, workshop,
                                                                owner):
    console = live_server.staff(workshop, owner)
    before = everything(live_server, stage.workshop.id)

    for event in ("update_cluster", "move_idea", "correct_idea", "dissolve_cluster",
                  "delete_measure", "update_round", "set_projector"):
        ack = console.call(event, STAFF_REQUESTS[event](stage))
        assert refused(ack, "not_found"), (event, ack)

    assert everything(live_server, stage.workshop.id) == before


# --- Clustering live ----------------------------------------------------------------------------

def test_clustering_shows_live_on_the_projector_the_phones_and_the_colleagues_console(
        live_server, live_make, owner, colleague, workshop, board, phones):
    amira_phone, ben_phone = phones[0].socket, phones[1].socket
    first = post(amira_phone, board.id, "Sprachcafé")
    second = post(ben_phone, board.id, "Abendkurse")
    console = live_server.staff(workshop, owner)
    other_console = live_server.staff(workshop, colleague)
    screen = live_server.screen(workshop)

    made = console.call("create_cluster", {"board_id": board.id, "heading": "Sprache",
                                           "colour": "blue", "idea_ids": [second, first]})

    assert made["ok"] and made["history"] == {"undo": "create_cluster", "redo": None}
    for client in (screen, ben_phone, other_console):
        update = client.wait_for("arrangement_changed", lambda p: any(
            c["id"] == made["id"] for c in p.get("clusters", [])))
        cluster = the(update["clusters"], made["id"])
        assert (cluster["heading"], cluster["colour"], cluster["state"]) == (
            "Sprache", "blue", "active")
        assert [(i["id"], i["cluster_id"], i["position"]) for i in sorted(
            update["ideas"], key=lambda i: i["position"])] == [
            (second, made["id"], 0), (first, made["id"], 1)]
    # The colleague's undo stack is their own.
    assert other_console.call("history")["history"] == {"undo": None, "redo": None}

    corrected = console.call("correct_idea", {"idea_id": first, "text": "Sprachcafé im Rathaus"})

    assert corrected["ok"]
    staff_view = the(other_console.wait_for("arrangement_changed", with_seq(
        live_make.seq(workshop.id)))["ideas"], first)
    public_view = the(screen.wait_for("arrangement_changed", with_seq(
        live_make.seq(workshop.id)))["ideas"], first)
    assert (staff_view["text"], staff_view["original_text"]) == ("Sprachcafé im Rathaus",
                                                                "Sprachcafé")
    assert public_view["text"] == "Sprachcafé im Rathaus" and "original_text" not in public_view
    assert "original_text" not in repr(screen.call("sync", {"since": 0}))


def test_duplicates_and_moves_to_another_board_reach_every_screen(
        live_server, live_make, owner, workshop, board, phones):
    amira_phone, ben_phone = phones[0].socket, phones[1].socket
    kept = post(amira_phone, board.id, "Mehr Kita-Plätze")
    duplicate = post(ben_phone, board.id, "Kita-Plätze fehlen")
    console = live_server.staff(workshop, owner)
    screen = live_server.screen(workshop)
    target = workshop.boards[1]

    assert console.call("merge_duplicates", {"idea_id": duplicate, "into_id": kept})["ok"]
    merged = screen.wait_for("arrangement_changed", with_seq(live_make.seq(workshop.id)))
    shown = the(merged["ideas"], kept)
    assert (shown["authors"], shown["duplicates"]) == (
        2, [{"id": duplicate, "text": "Kita-Plätze fehlen"}])
    assert (the(merged["ideas"], duplicate)["state"], the(merged["ideas"], duplicate)["text"]) == (
        "merged", None)

    assert console.call("move_idea", {"idea_id": kept, "board_id": target.id})["ok"]
    moved = screen.wait_for("arrangement_changed", with_seq(live_make.seq(workshop.id)))
    assert {i["id"]: i["board_id"] for i in moved["ideas"]} == {kept: target.id,
                                                                duplicate: target.id}
    assert [(i["id"], i["board_id"], i["authors"]) for i in screen.call(
        "sync", {"since": 0})["ideas"]] == [(kept, target.id, 2)]


def test_two_facilitators_moving_the_same_cards_at_once_leave_every_screen_alike(
        live_server, live_make, owner, colleague, workshop, board, phones):
    amira_phone = phones[0].socket
    cards = [post(amira_phone, board.id, f"Karte {n}") for n in range(5)]
    consoles = [live_server.staff(workshop, person) for person in (owner, colleague)]
    themes = [consoles[0].call("create_cluster", {"board_id": board.id, "heading": h})["id"]
              for h in ("A", "B")]
    screen = live_server.screen(workshop)
    start = screen.call("sync", {"since": 0})
    barrier = threading.Barrier(2)
    acks = []

    def drag(console, seed):
        chance = random.Random(seed)
        barrier.wait()
        for _ in range(15):
            acks.append(console.call("move_idea", {
                "idea_id": chance.choice(cards[:2]), "cluster_id": chance.choice(
                    [None] + themes), "position": 0}))

    threads = [threading.Thread(target=drag, args=(console, n))
               for n, console in enumerate(consoles)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(acks) == 30 and all(ack["ok"] for ack in acks)
    final = live_make.seq(workshop.id)
    stored = View()
    stored.apply(screen.call("sync", {"since": 0}))
    for client in [screen, amira_phone] + consoles:
        client.wait_for("arrangement_changed", with_seq(final))
        view = View()
        view.apply(start)
        for event, payload in list(client.received):
            if event == "arrangement_changed":
                view.apply(payload)
        assert view.arrangement() == stored.arrangement()
    # One consistent order: every list numbered 0..n-1, every card in exactly one list.
    lists = {}
    for board_id, cluster_id, position, state in stored.arrangement()["ideas"].values():
        lists.setdefault((board_id, cluster_id), []).append(position)
    assert all(sorted(p) == list(range(len(p))) for p in lists.values()), lists
    assert sum(len(p) for p in lists.values()) == 5


def test_conflicting_moves_and_dots_on_two_server_processes_end_alike_everywhere(cluster):
    a, b, make = cluster
    owner, colleague = make.facilitator(), make.facilitator()
    workshop = make.workshop(owner)
    make.add_facilitator(workshop, colleague)
    board = workshop.boards[0]
    amira, token = make.participant(workshop, "Amira")
    cards = [make.idea(amira, board, f"Karte {n}").id for n in range(4)]
    consoles = [a.staff(workshop, owner), b.staff(workshop, colleague)]
    themes = [consoles[0].call("create_cluster", {"board_id": board.id, "heading": h})["id"]
              for h in ("A", "B")]
    screens = [a.screen(workshop), b.screen(workshop)]
    start = screens[0].call("sync", {"since": 0})
    round_id = consoles[1].call("open_round", {"kind": "dots", "target_kind": "cluster",
                                               "board_ids": [board.id], "dots_per_person": 2,
                                               "max_per_item": 2})["round_id"]
    tabs = [a.phone(workshop, token, board.id), b.phone(workshop, token, board.id)]
    barrier = threading.Barrier(4)
    acks = {"moves": [], "dots": []}

    def drag(console, seed):
        chance = random.Random(seed)
        barrier.wait()
        for _ in range(12):
            acks["moves"].append(console.call("move_idea", {
                "idea_id": chance.choice(cards[:2]),
                "cluster_id": chance.choice([None] + themes), "position": 0}))

    def vote(tab):
        barrier.wait()
        for n in range(3):
            acks["dots"].append(tab.call("place_dot", {"round_id": round_id,
                                                       "target_id": themes[n % 2],
                                                       "client_id": dot_id()}))

    workers = [threading.Thread(target=drag, args=(console, n))
               for n, console in enumerate(consoles)]
    workers += [threading.Thread(target=vote, args=(tab,)) for tab in tabs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    assert len(acks["moves"]) == 24 and all(ack["ok"] for ack in acks["moves"])
    final = make.seq(workshop.id)
    stored = View()
    stored.apply(screens[1].call("sync", {"since": 0}))
    for client in screens + consoles:
        client.wait_for("arrangement_changed", with_seq(final))
        view = View()
        view.apply(start)
        for event, payload in list(client.received):
            if event == "arrangement_changed":
                view.apply(payload)
        assert view.arrangement() == stored.arrangement()
    lists = {}
    for board_id, cluster_id, position, state in stored.arrangement()["ideas"].values():
        lists.setdefault((board_id, cluster_id), []).append(position)
    assert all(sorted(p) == list(range(len(p))) for p in lists.values()), lists
    # One phone, two tabs on two processes, six dots at once: the budget of two holds.
    assert sorted(ack["ok"] for ack in acks["dots"]) == [False] * 4 + [True] * 2
    assert {ack["error"] for ack in acks["dots"] if not ack["ok"]} == {"vote_budget_exceeded"}
    assert make.count(Vote, round_id=round_id) == 2


def test_undo_and_redo_work_after_the_console_is_reloaded(live_server, live_make, owner,
                                                          colleague, workshop, board, phones):
    card = post(phones[0].socket, board.id, "Sprachcafé")
    console = live_server.staff(workshop, owner)
    theme = console.call("create_cluster", {"board_id": board.id, "heading": "Sprache"})["id"]
    assert console.call("move_idea", {"idea_id": card, "cluster_id": theme})["ok"]
    console.disconnect()
    screen = live_server.screen(workshop)

    reloaded = live_server.staff(workshop, owner)
    assert reloaded.call("history") == {"ok": True, "history": {"undo": "move_idea",
                                                                "redo": None}}
    undone = reloaded.call("undo")

    assert undone["ok"] and undone["history"] == {"undo": "create_cluster", "redo": "move_idea"}
    back = screen.wait_for("arrangement_changed", with_seq(live_make.seq(workshop.id)))
    assert the(back["ideas"], card)["cluster_id"] is None
    assert reloaded.call("undo")["ok"]
    gone = screen.wait_for("arrangement_changed", with_seq(live_make.seq(workshop.id)))
    assert the(gone["clusters"], theme)["state"] == "dissolved"
    assert reloaded.call("redo")["ok"] and reloaded.call("redo")["ok"]
    assert live_make.fresh(Idea, card).cluster_id == theme
    # The colleague has nothing of their own to undo.
    nothing = live_server.staff(workshop, colleague).call("undo")
    assert nothing == {"ok": False, "error": "not_found",
                       "message": "There is nothing to undo or redo."}
    assert live_make.fresh(Cluster, theme).state == "active"


def test_redo_sent_right_after_undo_ends_with_the_redone_state(live_server, live_make, owner,
                                                                workshop, board):
    """Issue 13: a quick Ctrl+Z, Ctrl+Shift+Z. Both go out before either answer comes back; the
    server takes them in order, so the heading ends as it was before the undo."""
    console = live_server.staff(workshop, owner)
    theme = console.call("create_cluster", {"board_id": board.id, "heading": "Kurse"})["id"]
    assert console.call("update_cluster", {"cluster_id": theme, "heading": "Sprachkurse"})["ok"]
    answers, both = [], threading.Event()

    def answered(ack):
        answers.append(ack)
        if len(answers) == 2:
            both.set()

    console.sio.emit("undo", {}, callback=answered)
    console.sio.emit("redo", {}, callback=answered)

    assert both.wait(10), answers
    assert [ack["ok"] for ack in answers] == [True, True], answers
    assert answers[-1]["history"] == {"undo": "update_cluster", "redo": None}
    assert live_make.fresh(Cluster, theme).heading == "Sprachkurse"


# --- Phases, timer, projector --------------------------------------------------------------------

def test_phones_follow_the_phase_and_cannot_post_outside_collect(live_server, live_make, owner,
                                                                 workshop, board, phones):
    phone = phones[0].socket
    card = post(phone, board.id, "Vor dem Clustern")
    console = live_server.staff(workshop, owner)

    assert console.call("set_phase", {"board_ids": [board.id], "phase": "cluster"}) == {
        "ok": True, "board_ids": [board.id]}

    changed = phone.wait_for("board_updated", lambda p: p["boards"][0]["phase"] == "cluster")
    assert [b["id"] for b in changed["boards"]] == [board.id]
    seq = live_make.seq(workshop.id)
    for event, data in [
            ("post_idea", {"board_id": board.id, "client_id": uuid.uuid4().hex,
                           "text": "Zu spät"}),
            ("edit_idea", {"idea_id": card, "text": "Geändert"}),
            ("withdraw_idea", {"idea_id": card})]:
        assert phone.call(event, data) == {
            "ok": False, "error": "board_closed",
            "message": "This board is closed for new ideas right now."}, event
    assert live_make.seq(workshop.id) == seq
    assert live_make.count(Idea, workshop_id=workshop.id) == 1
    assert live_make.fresh(Idea, card).text == "Vor dem Clustern"

    assert console.call("set_phase", {"board_ids": [], "phase": "collect"})["ok"]
    post(phone, board.id, "Wieder offen")


def test_timer_and_projector_view_reach_the_projector(live_server, owner, workshop):
    console = live_server.staff(workshop, owner)
    screen = live_server.screen(workshop)

    started = console.call("set_timer", {"action": "start", "seconds": 300})

    assert started["ok"] and started["timer"]["running"] is True
    shown = screen.wait_for("workshop_updated", lambda p: p["workshop"]["timer"]["running"])
    assert 299 <= shown["workshop"]["timer"]["remaining"] <= 300
    paused = console.call("set_timer", {"action": "pause"})["timer"]
    extended = console.call("set_timer", {"action": "extend", "seconds": 60})["timer"]
    assert extended == {"running": False, "remaining": paused["remaining"] + 60}
    assert refused(console.call("set_timer", {"action": "start", "seconds": "5"}),
                   "invalid_input")

    assert console.call("set_projector", {"view": "matrix", "target_id": workshop.boards[1].id}
                        ) == {"ok": True, "view": "matrix"}
    view = screen.wait_for("workshop_updated",
                           lambda p: p["workshop"]["projector_view"] == "matrix")
    assert view["workshop"]["projector_target_id"] == workshop.boards[1].id


# --- Dot voting ----------------------------------------------------------------------------------

def test_dot_voting_round_with_three_phones_and_hidden_tallies(live_server, live_make, owner,
                                                                workshop, board, phones):
    amira_phone, ben_phone, chen_phone = (phone.socket for phone in phones)
    own_card = post(amira_phone, board.id, "Sprachcafé")
    console = live_server.staff(workshop, owner)
    themes = [console.call("create_cluster", {"board_id": board.id, "heading": h,
                                              "idea_ids": [own_card] if h == "Sprache" else []}
                           )["id"] for h in ("Sprache", "Wohnen", "Arbeit")]
    screen = live_server.screen(workshop)

    opened = console.call("open_round", {"kind": "dots", "target_kind": "cluster",
                                         "board_ids": [board.id], "dots_per_person": 3,
                                         "max_per_item": 2, "allow_own": False,
                                         "tallies_visible": False})

    round_id = opened["round_id"]
    announced = amira_phone.wait_for("round_updated", lambda p: p["rounds"][0]["id"] == round_id)
    shown = announced["rounds"][0]
    assert (shown["dots_per_person"], shown["max_per_item"], shown["allow_own"]) == (3, 2, False)
    assert [t["id"] for t in shown["targets"]] == themes and "results" not in shown

    def dot(phone, theme):
        return phone.call("place_dot", {"round_id": round_id, "target_id": theme,
                                        "client_id": dot_id()})

    assert dot(amira_phone, themes[0]) == {
        "ok": False, "error": "own_idea_not_allowed",
        "message": "In this round, dots may not go on your own ideas."}
    assert dot(amira_phone, themes[1])["my_votes"] == {str(themes[1]): 1}
    assert dot(ben_phone, themes[1])["ok"] and dot(ben_phone, themes[1])["ok"]
    assert dot(ben_phone, themes[1]) == {"ok": False, "error": "item_cap_reached",
                                         "message": "At most 2 dots can go on one item."}
    assert dot(ben_phone, themes[2])["ok"]
    assert dot(ben_phone, themes[0]) == {"ok": False, "error": "vote_budget_exceeded",
                                         "message": "You have used all your 3 dots."}
    same = dot_id()
    first = chen_phone.call("place_dot", {"round_id": round_id, "target_id": themes[2],
                                          "client_id": same})
    again = chen_phone.call("place_dot", {"round_id": round_id, "target_id": themes[2],
                                          "client_id": same})
    assert first["ok"] and again == {"ok": False, "error": "already_counted",
                                     "message": "This dot was already counted."}
    assert chen_phone.call("remove_dot", {"round_id": round_id, "target_id": themes[2]})[
        "my_votes"] == {}
    assert dot(chen_phone, themes[2])["ok"]

    # Tallies are hidden: the projector and phones learn how many voted, never the scores.
    public = screen.wait_for("votes_changed", lambda p: p["rounds"][0]["voters"] == 3)
    assert "results" not in public["rounds"][0] and "score" not in repr(public)
    assert all("results" not in p["rounds"][0] for p in amira_phone.events("votes_changed"))
    staff = console.wait_for("votes_changed", lambda p: p["rounds"][0]["voters"] == 3)
    assert [(r["id"], r["score"], r["rank"]) for r in staff["rounds"][0]["results"]] == [
        (themes[1], 3, 1), (themes[2], 2, 2), (themes[0], 0, 3)]
    assert staff["rounds"][0]["eligible"] == 3
    votes = live_make.count(Vote, round_id=round_id)
    assert votes == 5

    assert console.call("update_round", {"round_id": round_id,
                                         "settings": {"state": "closed"}})["ok"]
    assert dot(chen_phone, themes[1]) == {"ok": False, "error": "round_closed",
                                          "message": "Voting has ended for this round."}
    assert live_make.count(Vote, round_id=round_id) == votes
    closed = screen.wait_for("round_updated", lambda p: p["rounds"][0]["state"] == "closed")
    assert "results" not in closed["rounds"][0]

    assert console.call("update_round", {"round_id": round_id,
                                         "settings": {"revealed": True}})["ok"]

    revealed = screen.wait_for("round_updated", lambda p: p["rounds"][0]["revealed"])
    assert [(r["id"], r["score"], r["rank"], r["tie"]) for r in revealed["rounds"][0]["results"]
            ] == [(themes[1], 3, 1, False), (themes[2], 2, 2, False), (themes[0], 0, 3, False)]
    assert revealed["rounds"][0]["voters"] == 3
    final = [themes[2], themes[1], themes[0]]
    assert refused(console.call("update_round", {"round_id": round_id, "settings": {
        "final_order": [themes[2], themes[2]]}}), "invalid_input")
    assert console.call("update_round", {"round_id": round_id,
                                         "settings": {"final_order": final}})["ok"]
    after = screen.call("sync", {"since": 0})["rounds"][0]
    assert after["final_order"] == final and after["results"][0]["id"] == themes[1]


def test_consent_check_shows_least_resistance_first_only_once_revealed(
        live_server, owner, workshop, phones):
    console = live_server.staff(workshop, owner)
    screen = live_server.screen(workshop)
    round_id = console.call("open_round", {
        "kind": "consent", "question": "Womit fangen wir an?",
        "options": ["Sprachcafé im Rathaus", "Lotsenprogramm"],
        "passive_option": "Alles so lassen", "tallies_visible": True})["round_id"]
    opened = phones[0].socket.wait_for("round_updated", lambda p: p["rounds"][0]["id"] == round_id)
    assert [o["text"] for o in opened["rounds"][0]["options"]] == [
        "Alles so lassen", "Sprachcafé im Rathaus", "Lotsenprogramm"]

    for phone, values in zip(phones, [(9, 2, 5), (7, 1, 6), (8, 4, 0)]):
        for option, value in enumerate(values):
            assert phone.socket.call("rate_option", {"round_id": round_id, "option_id": option,
                                              "value": value})["ok"]
    assert refused(phones[0].socket.call("rate_option", {"round_id": round_id, "option_id": 1,
                                                     "value": 11}), "invalid_input")

    public = screen.wait_for("votes_changed", lambda p: p["rounds"][0]["voters"] == 3)
    assert "results" not in public["rounds"][0]
    assert "results" not in screen.call("sync", {"since": 0})["rounds"][0]
    assert console.call("update_round", {"round_id": round_id, "settings": {
        "state": "closed", "revealed": True}})["ok"]

    shown = screen.wait_for("round_updated", lambda p: p["rounds"][0]["revealed"])
    results = shown["rounds"][0]["results"]
    assert [(r["id"], r["score"], r["rank"]) for r in results] == [(1, 7, 1), (2, 11, 2),
                                                                   (0, 24, 3)]
    assert results[0]["distribution"] == [0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    assert results[2]["passive"] is True


# --- Catching up ----------------------------------------------------------------------------------

def test_screen_and_phone_that_missed_clustering_and_voting_catch_up_with_sync(
        live_server, live_make, owner, workshop, board, phones):
    amira_phone, ben_phone = phones[0].socket, phones[1].socket
    cards = [post(amira_phone, board.id, text) for text in ("Sprachcafé", "Kita", "Lotsen")]
    console = live_server.staff(workshop, owner)
    staying = console.call("create_cluster", {"board_id": board.id, "heading": "Bleibt",
                                              "idea_ids": [cards[0]]})["id"]
    screen = live_server.screen(workshop)
    seen = screen.call("sync", {"since": 0})["seq"]
    screen.disconnect()
    ben_phone.disconnect()

    going = console.call("create_cluster", {"board_id": board.id, "heading": "Geht",
                                            "idea_ids": [cards[1], cards[2]]})["id"]
    assert console.call("move_idea", {"idea_id": cards[2], "cluster_id": staying,
                                      "position": 0})["ok"]
    assert console.call("dissolve_cluster", {"cluster_id": going})["ok"]
    assert console.call("update_cluster", {"cluster_id": staying, "heading": "Sprache"})["ok"]
    assert console.call("place_on_matrix", {"cluster_id": staying, "x": 0.3, "y": 0.8})["ok"]
    measure = console.call("save_measure", {"title": "Sprachcafé im Rathaus",
                                            "source_cluster_id": staying})["id"]
    round_id = console.call("open_round", {"kind": "dots", "target_kind": "cluster",
                                           "board_ids": [board.id]})["round_id"]
    assert amira_phone.call("place_dot", {"round_id": round_id, "target_id": staying,
                                          "client_id": dot_id()})["ok"]
    assert console.call("update_round", {"round_id": round_id,
                                         "settings": {"state": "closed", "revealed": True}})["ok"]

    screen = live_server.screen(workshop)
    caught_up = screen.call("sync", {"since": seen})

    assert caught_up["full"] is False and caught_up["seq"] == live_make.seq(workshop.id)
    assert {c["id"]: (c["state"], c["heading"]) for c in caught_up["clusters"]} == {
        going: ("dissolved", "Geht"), staying: ("active", "Sprache")}
    assert (the(caught_up["clusters"], staying)["matrix_x"],
            the(caught_up["clusters"], staying)["matrix_y"]) == (0.3, 0.8)
    placed = {i["id"]: (i["cluster_id"], i["position"]) for i in caught_up["ideas"]}
    assert placed == {cards[2]: (staying, 0), cards[0]: (staying, 1), cards[1]: (None, 0)}
    assert [(m["id"], m["source_cluster_id"]) for m in caught_up["measures"]] == [
        (measure, staying)]
    shown = the(caught_up["rounds"], round_id)
    assert (shown["state"], shown["voters"]) == ("closed", 1)
    assert shown["results"][0] == {"id": staying, "label": "Sprache", "board_id": board.id,
                                   "score": 1, "rank": 1, "tie": False}

    phone = live_server.phone(workshop, phones[1].token, board.id)
    phone_view = phone.call("sync", {"since": seen})
    assert {c["id"] for c in phone_view["clusters"]} == {going, staying}
    assert phone_view["my_votes"] == {str(round_id): {}}
    amira_view = amira_phone.call("sync", {"since": seen})
    assert amira_view["my_votes"] == {str(round_id): {str(staying): 1}}
