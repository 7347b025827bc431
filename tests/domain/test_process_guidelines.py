"""Guidelines (Leitlinien) per thematic field with versions and a consent check in an event, and
the Fortschreibung's done / dropped measures, straight through the domain (SQLite and
PostgreSQL); the compendium prints both."""
import io

import pytest

from facilitator.domain import guidelines, measures, process_archive, processes, voting
from facilitator.domain.archive import ArchiveInvalid
from facilitator.domain.errors import InvalidInput, NotFound
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.processes import EventSpec, ProcessSpec
from facilitator.reports import compendium


@pytest.fixture
def process(session, owner):
    return processes.create_process(session, owner.id, ProcessSpec(
        "Integrationskonzept", fields=("Sprache", "Arbeit")))


@pytest.fixture
def closing(session, owner, process):
    return processes.create_event(session, process.id, owner.id, EventSpec(
        "Abschluss", kind="closing", field_ids=[process.fields[0].id]))


def check(session, process, guideline, event):
    return guidelines.start_consent_check(
        session, process.id, guideline.id, event.id, "Leitlinie Sprache, Fassung 2",
        "Annehmen", "Weiter beraten")


def docx_text(data: bytes) -> str:
    from docx import Document
    document = Document(io.BytesIO(data))
    rows = [" | ".join(c.text for c in row.cells) for t in document.tables for row in t.rows]
    return "\n".join([p.text for p in document.paragraphs] + rows)


def test_each_save_is_a_new_version_and_older_versions_stay(session, owner, process):
    language, work = process.fields
    first = guidelines.save(session, process.id, language.id, "Alle lernen Deutsch.")
    assert guidelines.save(session, process.id, language.id, "Alle lernen Deutsch.") is first
    second = guidelines.save(session, process.id, language.id,
                             "Alle lernen Deutsch — <b>früh</b> und kostenlos.")
    assert [(g.version, g.text) for g in guidelines.versions(session, language.id)] == [
        (2, "Alle lernen Deutsch — <b>früh</b> und kostenlos."), (1, "Alle lernen Deutsch.")]
    assert guidelines.current(session, language.id).id == second.id
    assert guidelines.current(session, work.id) is None
    assert list(guidelines.by_field(session, process.id)) == [language.id]
    with pytest.raises(InvalidInput):
        guidelines.save(session, process.id, language.id, "   ")
    other = processes.create_process(session, owner.id,
                                     ProcessSpec("Anderer Prozess", fields=("X",)))
    with pytest.raises(NotFound):
        guidelines.save(session, other.id, language.id, "fremd")


def test_a_consent_check_on_a_version_is_a_consent_round_of_the_event(session, make, owner,
                                                                     process, closing):
    language = process.fields[0]
    guidelines.save(session, process.id, language.id, "Erste Fassung")
    second = guidelines.save(session, process.id, language.id, "Zweite Fassung " + "lang " * 80)
    round_ = check(session, process, second, closing)
    assert (round_.kind, round_.workshop_id, round_.whole_room) == ("consent", closing.id, True)
    assert round_.options[0]["text"] == "Weiter beraten"
    assert round_.options[1]["text"].startswith("Annehmen: Zweite Fassung")
    assert len(round_.options[1]["text"]) <= voting.OPTION_MAX_CHARS
    with pytest.raises(InvalidInput):  # one check per version
        check(session, process, second, closing)

    result = guidelines.consent_result(session, second)
    assert (result.state, result.answers, result.adopted) == ("open", 0, None)
    for name, adopt, keep in (("Amira", 1, 6), ("Jonas", 3, 8)):
        phone = make.participant(closing, name)[0]
        voting.rate_option(session, phone, round_.id, 1, adopt)
        voting.rate_option(session, phone, round_.id, 0, keep)
    voting.update_round(session, closing.id, round_.id, {"state": "closed"})
    result = guidelines.consent_result(session, second)
    assert (result.state, result.answers, result.resistance, result.passive, result.adopted) == (
        "closed", 2, 4, 14, True)
    # The first version had no check; a check outside the process is refused.
    assert guidelines.consent_result(session, guidelines.versions(session, language.id)[1]) is None
    alone = make.workshop(make.facilitator())
    first = guidelines.versions(session, language.id)[1]
    with pytest.raises(NotFound):
        check(session, process, first, alone)

    book = compendium.build_compendium(session, process.id)
    chapter = book.chapters[0]
    assert (chapter.guideline.version, chapter.guideline.text[:14]) == (2, "Zweite Fassung")
    assert chapter.guideline.adopted is True and chapter.guideline.resistance == 4
    assert book.chapters[1].guideline is None
    html = compendium.compendium_html(book)
    assert "Zweite Fassung" in html and "data-guideline" in html

    # The process JSON carries every version and the check; an import finds them again.
    data = process_archive.export_process(session, process.id)
    assert [(g["field"], g["version"], g["check"]) for g in data["guidelines"]] == [
        (1, 1, None), (1, 2, {"event": 1, "round": 1})]
    copy = process_archive.import_process(session, owner.id, process_archive.dumps(data))
    copied = guidelines.current(session, copy.fields[0].id)
    assert (copied.version, copied.text) == (2, second.text)
    assert guidelines.consent_result(session, copied).adopted is True
    data["guidelines"].append(dict(data["guidelines"][0]))
    with pytest.raises(ArchiveInvalid):
        process_archive.import_process(session, owner.id, data)


def test_fortschreibung_marks_measures_done_or_dropped_and_the_compendium_prints_the_diff(
        session, owner, process, closing):
    board = closing.boards[0]
    cafe, app, flyer, kurs = (measures.save_measure(session, closing.id, owner.id, MeasureSpec(
        title, board_id=board.id, responsible="VHS")) for title in (
        "Sprachcafé", "Sprach-App", "Flyer", "Abendkurs"))
    guidelines.save(session, process.id, process.fields[1].id, "Alt")
    guidelines.save(session, process.id, process.fields[1].id, "Arbeit für alle")
    update = processes.start_update(session, process.id, owner.id, "Fortschreibung 2027")
    # The current guideline is the new round's first draft; fields without one stay empty.
    carried_guideline = guidelines.current(session, update.fields[1].id)
    assert (carried_guideline.version, carried_guideline.text) == (1, "Arbeit für alle")
    assert guidelines.consent_result(session, carried_guideline) is None
    assert guidelines.current(session, update.fields[0].id) is None
    review = processes.create_event(session, update.id, owner.id, EventSpec(
        "Bilanz", field_ids=[update.fields[0].id]))
    carried = processes.carry_forward(session, review.id, owner.id,
                                      measure_ids=[cafe.id, app.id, kurs.id])
    processes.mark_status(session, update.id, owner.id, carried[0].id, "done")
    processes.mark_status(session, update.id, owner.id, carried[1].id, "dropped")
    measures.save_measure(session, review.id, owner.id, MeasureSpec(
        "Abendkurs", board_id=review.boards[0].id, responsible="Kreisvolkshochschule"),
        measure_id=carried[2].id)
    fresh = measures.save_measure(session, review.id, owner.id, MeasureSpec("Lernpatenschaften"))
    with pytest.raises(InvalidInput):
        processes.mark_status(session, update.id, owner.id, fresh.id, "finished")
    with pytest.raises(NotFound):  # a measure of the earlier round is not this round's
        processes.mark_status(session, update.id, owner.id, cafe.id, "done")

    diff = processes.update_diff(session, update.id)
    assert [m.title for m in diff["done"]] == ["Sprachcafé"]
    assert [m.title for m in diff["given_up"]] == ["Sprach-App"]
    assert [new.title for old, new, fields in diff["changed"]] == ["Abendkurs"]
    assert [m.title for m in diff["new"]] == ["Lernpatenschaften"]
    assert [m.title for m in diff["dropped"]] == ["Flyer"]
    assert [m.title for m in processes.round_measures(session, update.id)] == [
        "Sprachcafé", "Sprach-App", "Abendkurs", "Lernpatenschaften"]

    book = compendium.build_compendium(session, update.id)
    assert book.changes.previous_title == "Integrationskonzept"
    assert [(row.kind, row.title) for row in book.changes.rows] == [
        ("new", "Lernpatenschaften"), ("changed", "Abendkurs"), ("done", "Sprachcafé"),
        ("given_up", "Sprach-App"), ("not_carried", "Flyer")]
    assert book.changes.rows[1].detail == ["responsible"]
    html = compendium.compendium_html(book)
    assert "data-changes" in html and "Lernpatenschaften" in html
    words = docx_text(compendium.export_docx(book))
    assert "Leitlinie (Fassung 1)" in words and "Arbeit für alle" in words
    assert "Umgesetzt | Sprachcafé" in words and "Nicht fortgeführt | Flyer" in words
    assert compendium.build_compendium(session, process.id).changes is None
