"""The facilitation's own parts of the documentation: stored as entered, only what is given
changes, empty sections are listed as missing (never stored as placeholders), quotes only from
visible cards of their board, and the action-plan and final-order fields of measures and rounds."""
import pytest

from facilitator.domain import clusters, documentation, measures, voting
from facilitator.domain.documentation import PhotoDetails, ProgrammeItem
from facilitator.domain.errors import InvalidInput, NotFound, TextTooLong
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.voting import RoundSpec
from facilitator.models import RecordSection


def test_sections_are_stored_and_read_back_and_only_given_ones_change(session, workshop, board):
    documentation.save_documentation(
        session, workshop.id, texts={"contact": "Stabsstelle Integration\n05931 44-0",
                                     "next_steps": "Die Steuerungsgruppe tagt im März."},
        programme=[{"time": "10:00–10:30", "title": "Begrüßung", "method": "",
                    "speakers": "Landrat"}, {"time": "", "title": ""}],
        boards={board.id: {"summary": "Kurse müssen in den Alltag passen."}})
    docs = documentation.save_documentation(session, workshop.id,
                                            texts={"foreword": "Liebe Teilnehmende"})

    assert docs.texts["contact"] == "Stabsstelle Integration\n05931 44-0"
    assert docs.texts["foreword"] == "Liebe Teilnehmende"
    assert docs.programme == [ProgrammeItem("10:00–10:30", "Begrüßung", "", "Landrat")]
    assert docs.board(board.id).summary == "Kurse müssen in den Alltag passen."


def test_missing_lists_every_empty_section_and_forgets_filled_ones(session, workshop, board):
    board_ids = [b.id for b in workshop.boards]
    before = documentation.missing(documentation.documentation_of(session, workshop.id),
                                   board_ids)
    assert ("next_steps", None) in {(m.key, m.board_id) for m in before}
    assert ("summary", board.id) in {(m.key, m.board_id) for m in before}
    assert next(m for m in before if m.key == "use_of_results").expected

    docs = documentation.save_documentation(
        session, workshop.id, texts={"next_steps": "Steuerungsgruppe im März"},
        boards={board.id: {"summary": "Zusammenfassung"}})
    after = {(m.key, m.board_id) for m in documentation.missing(docs, board_ids)}
    assert ("next_steps", None) not in after and ("summary", board.id) not in after
    assert ("summary", board_ids[1]) in after


def test_emptying_a_section_makes_it_missing_again_and_nothing_empty_is_stored(
        session, workshop):
    documentation.save_documentation(session, workshop.id, texts={"feedback": "   "})
    assert session.query(RecordSection).filter_by(workshop_id=workshop.id).count() == 0
    documentation.save_documentation(session, workshop.id, texts={"feedback": "gut"})
    docs = documentation.save_documentation(session, workshop.id, texts={"feedback": ""})
    assert "feedback" in {m.key for m in documentation.missing(docs, [])}


def test_quotes_come_only_from_visible_cards_of_their_board(session, make, workshop, board,
                                                             owner):
    phone = make.participant(workshop)[0]
    kept, hidden = make.idea(phone, board, "Mehr Sprachcafés"), make.idea(phone, board, "Name")
    elsewhere = make.idea(phone, workshop.boards[1], "Anderer Tisch")
    clusters.set_hidden(session, workshop.id, owner.id, hidden.id, True)

    with pytest.raises(NotFound):
        documentation.save_documentation(session, workshop.id,
                                         boards={board.id: {"quotes": [hidden.id]}})
    with pytest.raises(NotFound):
        documentation.save_documentation(session, workshop.id,
                                         boards={board.id: {"quotes": [elsewhere.id]}})
    docs = documentation.save_documentation(session, workshop.id,
                                            boards={board.id: {"quotes": [kept.id, kept.id]}})
    assert docs.board(board.id).quote_ids == [kept.id]


def test_bad_input_changes_nothing(session, make, workshop):
    other = make.workshop()
    for call in (lambda: documentation.save_documentation(session, workshop.id,
                                                          texts={"unknown": "x"}),
                 lambda: documentation.save_documentation(
                     session, workshop.id, texts={"contact": "ok"},
                     boards={other.boards[0].id: {"summary": "fremd"}}),
                 lambda: documentation.save_documentation(session, workshop.id,
                                                          texts={"contact": "x" * 9000})):
        with pytest.raises((InvalidInput, NotFound, TextTooLong)):
            call()
    docs = documentation.documentation_of(session, workshop.id)
    assert docs.texts["contact"] == ""


def test_photo_details_and_publishing(session, make, workshop):
    from facilitator.demo import pinboard_photo
    from facilitator.domain import photos
    photo = photos.add_photo(session, workshop.id, pinboard_photo(["Karte"]), caption="Wand")
    saved = documentation.save_photo_details(session, workshop.id, photo.id, PhotoDetails(
        credit="Foto: A. Beispiel", taken_on="2026-11-30", consent="no_people"))
    assert (saved.credit, saved.taken_on.isoformat(), saved.consent) == (
        "Foto: A. Beispiel", "2026-11-30", "no_people")
    with pytest.raises(InvalidInput):
        documentation.save_photo_details(session, workshop.id, photo.id,
                                         PhotoDetails(taken_on="30.11.2026"))
    assert documentation.publish_results(session, workshop.id, True).results_published


def test_measure_action_plan_fields_are_checked_and_kept(session, workshop, owner):
    measure = measures.save_measure(session, workshop.id, owner.id, MeasureSpec(
        title="Sprachcafés", due_date="2027-06-30", status="planned",
        indicator="10 Gemeinden mit Sprachcafé", cost="ca. 12.000 € im Jahr"))
    assert (measure.due_date, measure.status, measure.indicator, measure.cost) == (
        "2027-06-30", "planned", "10 Gemeinden mit Sprachcafé", "ca. 12.000 € im Jahr")
    for bad in (MeasureSpec(title="x", status="someday"),
                MeasureSpec(title="x", due_date="2027-02-30")):
        with pytest.raises(InvalidInput):
            measures.save_measure(session, workshop.id, owner.id, bad)


def test_final_order_reason_is_stored_with_the_round(session, make, workshop, board, owner):
    phone = make.participant(workshop)[0]
    for text in ("A", "B"):
        make.idea(phone, board, text)
    round_ = voting.open_round(session, workshop.id, RoundSpec(
        kind="dots", target_kind="idea", board_ids=[board.id], question="Was zuerst?"))
    ids = [t["id"] for t in voting.targets(session, round_)]
    updated = voting.update_round(session, workshop.id, round_.id, {
        "final_order": ids[::-1], "final_order_reason": "B ist Voraussetzung für A."})
    assert updated.final_order_reason == "B ist Voraussetzung für A."


def test_sections_travel_in_the_archive_and_go_with_the_workshop(session, make, workshop,
                                                                 board, owner):
    from facilitator.domain import archive, workshops
    phone = make.participant(workshop)[0]
    card = make.idea(phone, board, "Sprachcafé am Samstag")
    documentation.save_documentation(
        session, workshop.id, texts={"next_steps": "Steuerungsgruppe im März"},
        programme=[{"time": "10:00", "title": "Begrüßung"}],
        boards={board.id: {"summary": "Kurz", "quotes": [card.id]}})
    measures.save_measure(session, workshop.id, owner.id, MeasureSpec(
        title="Sprachcafés", due_date="2027-06-30", status="planned", cost="500 €"))
    documentation.publish_results(session, workshop.id, True)

    first = archive.export_workshop(session, workshop.id)
    copy_ = archive.import_workshop(session, owner.id, archive.dumps(first))
    again = archive.export_workshop(session, copy_.id)
    first.pop("exported_at"), again.pop("exported_at")
    assert first == again and len(first["record_sections"]) == 4
    copied = documentation.documentation_of(session, copy_.id)
    assert copied.board(copy_.boards[0].id).quote_ids != [card.id]  # the copy's own card

    workshops.delete_workshop(session, copy_.id)
    assert session.query(RecordSection).filter_by(workshop_id=copy_.id).count() == 0
