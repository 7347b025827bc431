"""Stock-taking boards (Bestandsaufnahme, Offenbach) straight through the domain, on SQLite and
PostgreSQL: fields defined by the facilitator, cards posted as rows, tables per municipality."""
import uuid

import pytest
from sqlalchemy import select

from facilitator.domain import hosts, ideas, processes, stocktaking, workshops
from facilitator.domain.changes import PUBLIC, STAFF, board_payload, idea_payload
from facilitator.domain.errors import (FieldLabelTaken, FieldRequired, InvalidInput, TextTooLong)
from facilitator.domain.workshops import BoardSpec, WorkshopSpec
from facilitator.models import IDEA_MAX_CHARS, Board, Idea


def cid() -> str:
    return uuid.uuid4().hex


def row(board, **by_label) -> list[dict]:
    keys = {f["label"]: f["key"] for f in board.card_fields}
    return [{"key": keys[label], "value": value} for label, value in by_label.items()]


@pytest.fixture
def workshop(make):
    return make.workshop(boards=(BoardSpec("Bestandsaufnahme", "Was gibt es schon?",
                                           kind="stocktaking"),
                                 BoardSpec("Ideen", "Was fehlt?")))


@pytest.fixture
def stock(workshop):
    return workshop.boards[0]


@pytest.fixture
def phone(make, workshop):
    return make.participant(workshop)[0]


def test_a_stocktaking_board_gets_the_offenbach_fields_and_a_plain_board_none(workshop):
    stock, plain = workshop.boards
    assert [(f["label"], f["required"], f["group"]) for f in stock.card_fields] == [
        ("Angebot", True, False), ("Träger", True, False), ("Kommune", True, True),
        ("Seit wann", False, False), ("Zielgruppe", False, False)]
    assert plain.card_fields is None
    assert stocktaking.kind_of(stock) == "stocktaking" and stocktaking.kind_of(plain) == "cards"
    assert board_payload(stock)["card_fields"][2]["group"] is True
    assert board_payload(plain)["card_fields"] is None


def test_posting_a_row_stores_its_values_and_a_short_text(session, make, stock, phone,
                                                        announced):
    posted = make.run(ideas.post_idea, phone, stock.id, cid(), "", row(
        stock, Angebot="Sprachcafé", Träger="Caritas", Kommune="Dietzenbach",
        Zielgruppe="Neuzugewanderte"), True)
    stored = make.fresh(Idea, posted.idea.id)
    keys = [f["key"] for f in stock.card_fields]
    assert stored.text == "Sprachcafé — Caritas, Dietzenbach"
    assert stored.entry == {"values": {keys[0]: "Sprachcafé", keys[1]: "Caritas",
                                       keys[2]: "Dietzenbach", keys[4]: "Neuzugewanderte"},
                            "exists": True}
    live = session.get(Idea, stored.id)
    payload = idea_payload(live, live.board, PUBLIC)
    assert payload["entry"]["exists"] is True and payload["text"] == stored.text
    assert announced[-1].event == "idea_posted"


def test_the_same_row_sent_again_is_stored_once(session, make, workshop, stock, phone):
    client_id = cid()
    values = row(stock, Angebot="Hausaufgabenhilfe", Träger="AWO", Kommune="Rodgau")
    first = make.run(ideas.post_idea, phone, stock.id, client_id, "", values, False)
    seq = make.seq(workshop.id)
    again = make.run(ideas.post_idea, phone, stock.id, client_id, "", values, False)
    assert again.duplicate and again.idea.id == first.idea.id
    assert make.seq(workshop.id) == seq
    assert make.count(Idea, board_id=stock.id) == 1
    assert make.fresh(Idea, first.idea.id).entry["exists"] is False


@pytest.mark.parametrize("values, error, field", [
    ({"Angebot": "Sprachcafé", "Kommune": "Rodgau"}, FieldRequired, "Träger"),
    ({"Angebot": "  ", "Träger": "AWO", "Kommune": "Rodgau"}, FieldRequired, "Angebot"),
    ({"Angebot": "x" * 201, "Träger": "AWO", "Kommune": "Rodgau"}, TextTooLong, "Angebot"),
])
def test_bad_rows_get_a_clear_error_and_change_nothing(session, make, workshop, stock, phone,
                                                       values, error, field):
    seq = make.seq(workshop.id)
    with pytest.raises(error) as refused:
        make.run(ideas.post_idea, phone, stock.id, cid(), "", row(stock, **values))
    assert refused.value.params["label"] == field
    assert make.count(Idea) == 0 and make.seq(workshop.id) == seq


@pytest.mark.parametrize("values", [
    [{"key": "f99", "value": "x"}],  # no such field
    [{"key": "f1", "value": "a"}, {"key": "f1", "value": "b"}],  # twice
    [{"key": "f1", "value": 42}],
    [{"key": "f1"}],
    "Sprachcafé",
])
def test_values_of_the_wrong_shape_are_refused(session, make, workshop, stock, phone, values):
    seq = make.seq(workshop.id)
    with pytest.raises(InvalidInput):
        make.run(ideas.post_idea, phone, stock.id, cid(), "", values)
    assert make.count(Idea) == 0 and make.seq(workshop.id) == seq


def test_hostile_text_is_stored_as_text(session, make, stock, phone):
    hostile = "<script>alert(1)</script>'; DROP TABLE ideas;--"
    posted = make.run(ideas.post_idea, phone, stock.id, cid(), "", row(
        stock, Angebot=hostile, Träger="=HYPERLINK(\"x\")", Kommune="Offenbach"))
    stored = make.fresh(Idea, posted.idea.id)
    assert stored.entry["values"][stock.card_fields[0]["key"]] == hostile
    assert stored.text.startswith(hostile)


def test_a_plain_text_card_fills_the_first_field_and_on_a_plain_board_fields_are_ignored(
        session, make, workshop, stock, phone):
    make.run(stocktaking.set_fields, workshop.id, stock.id, [
        {"key": "f1", "label": "Angebot", "required": True}])
    posted = make.run(ideas.post_idea, phone, stock.id, cid(), "Deutschkurs")
    assert make.fresh(Idea, posted.idea.id).entry == {"values": {"f1": "Deutschkurs"},
                                                      "exists": True}
    plain = workshop.boards[1]
    posted = make.run(ideas.post_idea, phone, plain.id, cid(), "Mehr Kita-Plätze",
                      [{"key": "f1", "value": "x"}], True)
    stored = make.fresh(Idea, posted.idea.id)
    assert (stored.text, stored.entry) == ("Mehr Kita-Plätze", None)


def test_a_long_row_gets_a_short_text_within_a_cards_length(session, make, stock, phone):
    posted = make.run(ideas.post_idea, phone, stock.id, cid(), "", row(
        stock, Angebot="A" * 200, Träger="T" * 200, Kommune="K" * 200))
    text = make.fresh(Idea, posted.idea.id).text
    assert len(text) == IDEA_MAX_CHARS and text.endswith("…")


def test_facilitator_adds_renames_removes_and_regroups_fields(session, make, workshop, stock,
                                                              phone):
    posted = make.run(ideas.post_idea, phone, stock.id, cid(), "", row(
        stock, Angebot="Sprachcafé", Träger="Caritas", Kommune="Dietzenbach"))
    fields = stock.card_fields
    rows = [{"key": f["key"], "label": f["label"], "required": f["required"],
             "group": False} for f in fields]
    rows[2]["label"] = "Stadt/Gemeinde"  # renamed: the cards keep their values
    rows[3]["label"] = ""  # removed
    rows[1]["group"] = True  # grouped by Träger now
    rows.append({"label": "Kontakt", "required": False, "group": False})
    board = make.run(stocktaking.set_fields, workshop.id, stock.id, rows)
    assert [(f["key"], f["label"], f["group"]) for f in board.card_fields] == [
        ("f1", "Angebot", False), ("f2", "Träger", True), ("f3", "Stadt/Gemeinde", False),
        ("f5", "Zielgruppe", False), ("f6", "Kontakt", False)]
    idea = make.fresh(Idea, posted.idea.id)
    table = stocktaking.table(make.fresh(Board, stock.id), [idea])
    assert table.labels == ["Angebot", "Träger", "Stadt/Gemeinde", "Zielgruppe", "Kontakt"]
    assert table.group_label == "Träger"
    assert table.groups == [("Caritas", [(idea, ["Sprachcafé", "Caritas", "Dietzenbach", "", ""],
                                          True)])]


@pytest.mark.parametrize("rows, error", [
    ([{"label": "Angebot"}, {"label": "angebot"}], FieldLabelTaken),
    ([{"label": "A", "group": True}, {"label": "B", "group": True}], InvalidInput),
    ([{"label": "x" * 61}], TextTooLong),
    ([{"label": f"Feld {n}"} for n in range(13)], InvalidInput),
    ([{"label": "A", "key": "f77"}], InvalidInput),
    ([{"label": "A", "required": "yes"}], InvalidInput),
    ("Angebot", InvalidInput),
])
def test_bad_field_definitions_are_refused_and_change_nothing(session, make, workshop, stock,
                                                              rows, error):
    before = make.fresh(Board, stock.id).card_fields
    seq = make.seq(workshop.id)
    with pytest.raises(error):
        make.run(stocktaking.set_fields, workshop.id, stock.id, rows)
    assert make.fresh(Board, stock.id).card_fields == before and make.seq(workshop.id) == seq


def test_first_field_is_always_required_and_no_fields_make_a_plain_board(session, make,
                                                                          workshop, stock):
    board = make.run(stocktaking.set_fields, workshop.id, stock.id,
                     [{"label": "Angebot", "required": False}, {"label": "Ort"}])
    assert [f["required"] for f in board.card_fields] == [True, False]
    board = make.run(stocktaking.set_fields, workshop.id, stock.id, [{"label": ""}])
    assert board.card_fields is None and stocktaking.kind_of(board) == "cards"


def test_tables_per_municipality_sorted_with_rows_without_one_last(session, make, workshop,
                                                                   stock, phone):
    make.run(stocktaking.set_fields, workshop.id, stock.id, [
        {"key": "f1", "label": "Angebot", "required": True},
        {"key": "f2", "label": "Träger", "required": False},
        {"key": "f3", "label": "Kommune", "required": False, "group": True}])
    stock = make.fresh(Board, stock.id)
    for offer, town in [("Sprachcafé", "Rodgau"), ("Kita-Lotsen", ""), ("Deutschkurs", "Dreieich"),
                        ("Nähcafé", "rodgau "), ("Versteckt", "Dreieich")]:
        posted = make.run(ideas.post_idea, phone, stock.id, cid(), "", row(
            stock, Angebot=offer, **({"Kommune": town} if town else {})))
        if offer == "Versteckt":
            from facilitator.domain import clusters
            make.run(clusters.set_hidden, workshop.id, None, posted.idea.id, True)
    tables = stocktaking.tables_of(session, make.fresh(type(workshop), workshop.id))
    assert [(name, [values[0] for _, values, _ in rows]) for name, rows in tables[0].groups] == [
        ("Dreieich", ["Deutschkurs"]), ("Rodgau", ["Sprachcafé", "Nähcafé"]),
        ("", ["Kita-Lotsen"])]
    assert tables[0].count == 4


def test_a_table_host_enters_a_paper_row_and_a_tablet_one(session, make, workshop, stock):
    host = make.run(hosts.invite, workshop.id, stock.id).host
    card = make.run(hosts.post_card, host, "", "paper", row(
        stock, Angebot="Frauentreff", Träger="Internationaler Bund", Kommune="Offenbach"), True)
    stored = make.fresh(Idea, card.id)
    assert (stored.source, stored.text) == ("paper", "Frauentreff — Internationaler Bund, Offenbach")
    with pytest.raises(FieldRequired):
        make.run(hosts.post_card, host, "", "paper", row(stock, Angebot="Nur ein Feld"))
    assert make.count(Idea) == 1
    tablet = make.run(hosts.invite, workshop.id, stock.id, "tablet").host
    card = make.run(hosts.post_card, tablet, "", None, row(
        stock, Angebot="Elterncafé", Träger="Stadt", Kommune="Langen"), False)
    stored = make.fresh(Idea, card.id)
    assert (stored.source, stored.entry["exists"]) == ("tablet", False)


def test_withdrawing_erases_the_row_and_editing_rewrites_it(session, make, stock, phone):
    posted = make.run(ideas.post_idea, phone, stock.id, cid(), "", row(
        stock, Angebot="Sprachcafé", Träger="Caritas", Kommune="Dietzenbach"))
    edited = make.run(ideas.edit_idea, phone, posted.idea.id, "", row(
        stock, Angebot="Sprachcafé plus", Träger="Caritas", Kommune="Heusenstamm"), False)
    stored = make.fresh(Idea, edited.id)
    assert stored.text == "Sprachcafé plus — Caritas, Heusenstamm"
    assert stored.entry["exists"] is False
    withdrawn = make.run(ideas.withdraw_idea, phone, posted.idea.id)
    stored = make.fresh(Idea, withdrawn.id)
    assert (stored.text, stored.entry) == ("", None)
    live = session.get(Idea, stored.id)
    assert idea_payload(live, live.board, STAFF)["entry"] is None


def test_deleting_the_workshop_deletes_the_rows(session, make, workshop, stock, phone):
    make.run(ideas.post_idea, phone, stock.id, cid(), "", row(
        stock, Angebot="Sprachcafé", Träger="Caritas", Kommune="Dietzenbach"))
    make.run(workshops.delete_workshop, workshop.id)
    assert session.scalars(select(Idea)).all() == []
    assert session.scalars(select(Board).where(Board.workshop_id == workshop.id)).all() == []


def test_switching_kind_in_the_workshop_form_keeps_existing_fields(session, make, workshop,
                                                                  stock, phone):
    make.run(stocktaking.set_fields, workshop.id, stock.id, [{"label": "Angebot"},
                                                             {"label": "Ort", "group": True}])
    specs = [BoardSpec(b.title, b.question, b.colour, id=b.id, kind="stocktaking")
             for b in make.fresh(type(workshop), workshop.id).boards]
    make.run(workshops.update_workshop, workshop.id, WorkshopSpec(title=workshop.title,
                                                                  boards=tuple(specs)))
    first, second = make.fresh(type(workshop), workshop.id).boards
    assert [f["label"] for f in first.card_fields] == ["Angebot", "Ort"]
    assert [f["label"] for f in second.card_fields][:3] == ["Angebot", "Träger", "Kommune"]
    with pytest.raises(InvalidInput):
        make.run(workshops.update_workshop, workshop.id, WorkshopSpec(
            title=workshop.title, boards=(BoardSpec("X", id=first.id, kind="table"),)))


def test_the_process_template_makes_stocktaking_boards_and_a_copy_keeps_their_fields(
        session, make, owner):
    process = make.run(processes.create_process, owner.id, processes.ProcessSpec(
        title="Integrationskonzept Offenbach", fields=(processes.FieldSpec("Sprache"),
                                                       processes.FieldSpec("Arbeit"))))
    event = make.run(processes.create_event, process.id, owner.id, processes.EventSpec(
        title="Bestandsaufnahme mit den Kommunen", template="stocktaking",
        field_ids=[f.id for f in process.fields]))
    assert [(b.title, stocktaking.kind_of(b)) for b in event.boards] == [
        ("Sprache", "stocktaking"), ("Arbeit", "stocktaking")]
    copy = make.run(processes.copy_event, event.id, owner.id, "Bestandsaufnahme 2027")
    assert [stocktaking.kind_of(b) for b in copy.boards] == ["stocktaking", "stocktaking"]
    assert copy.boards[0].card_fields == event.boards[0].card_fields
