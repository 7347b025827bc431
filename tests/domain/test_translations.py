"""Workshop content in more languages, card translations, the machine translation seam."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from facilitator.domain import translations
from facilitator.domain.changes import workshop_payload
from facilitator.domain.errors import InvalidInput
from facilitator.domain.machine_translation import HttpTranslator, NoTranslator, translator_for
from facilitator.models import ContentTranslation, Idea, Workshop


def test_board_title_and_question_translated_reach_the_workshop_payload(make, workshop, board,
                                                                          announced):
    make.run(translations.save_content, workshop.id, "ar", {
        f"board.{board.id}.title": "اللغة", f"board.{board.id}.question": "ماذا نحتاج؟"})
    payload = workshop_payload(make.fresh(Workshop, workshop.id))
    assert payload["translations"]["board"][str(board.id)] == {
        "title": {"ar": "اللغة"}, "question": {"ar": "ماذا نحتاج؟"}}
    assert announced[-1].event == "workshop_updated"


def test_an_empty_field_removes_the_translation(make, workshop, board):
    name = f"board.{board.id}.title"
    make.run(translations.save_content, workshop.id, "uk", {name: "Мова"})
    make.run(translations.save_content, workshop.id, "uk", {name: "  "})
    assert make.count(ContentTranslation, workshop_id=workshop.id) == 0


def test_fields_of_another_workshop_or_unknown_fields_are_refused(make, workshop, owner):
    other = make.workshop(owner)
    for name in (f"board.{other.boards[0].id}.title", f"board.{workshop.boards[0].id}.colour"):
        with pytest.raises(InvalidInput):
            make.run(translations.save_content, workshop.id, "ar", {name: "x"})


def test_the_translations_go_with_the_workshop(make, workshop, board):
    from facilitator.domain import workshops
    make.run(translations.save_content, workshop.id, "fa", {f"board.{board.id}.title": "زبان"})
    make.run(workshops.delete_workshop, workshop.id)
    assert make.count(ContentTranslation) == 0


def test_projector_language_is_set_and_cleared(make, workshop):
    make.run(translations.set_projector_language, workshop.id, "ar")
    assert make.fresh(Workshop, workshop.id).projector_language == "ar"
    make.run(translations.set_projector_language, workshop.id, "")
    assert make.fresh(Workshop, workshop.id).projector_language is None
    with pytest.raises(InvalidInput):
        make.run(translations.set_projector_language, workshop.id, "<script>")


def test_a_card_translation_keeps_the_original(make, workshop, board):
    participant, _ = make.participant(workshop)
    card = make.idea(participant, board, "Більше курсів")
    make.run(translations.translate_idea, workshop.id, card.id, "Mehr Kurse", "de")
    stored = make.fresh(Idea, card.id)
    assert (stored.text, stored.translation, stored.translation_lang) == (
        "Більше курсів", "Mehr Kurse", "de")


class _FakeLibreTranslate(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the stdlib's name
        asked = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body = json.dumps({"translatedText": f"[{asked['target']}] {asked['q']}"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_machine_translation_is_off_by_default_and_asks_only_the_configured_url():
    assert isinstance(translator_for(None), NoTranslator)
    assert translator_for(None).suggest("Hallo", "de", "ar") is None
    server = HTTPServer(("127.0.0.1", 0), _FakeLibreTranslate)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/translate"
        assert translator_for(url).suggest("Hallo", "de", "ar") == "[ar] Hallo"
    finally:
        server.shutdown()
        server.server_close()
    # A service that is gone means no suggestion, not an error.
    assert HttpTranslator(url, timeout=1).suggest("Hallo", "de", "ar") is None


def test_a_hidden_cards_translation_stays_with_staff(make, workshop, board, owner):
    from facilitator.domain import clusters
    from facilitator.domain.changes import PUBLIC, STAFF, idea_payload
    participant, _ = make.participant(workshop)
    card = make.idea(participant, board, "Kurse")
    make.run(translations.translate_idea, workshop.id, card.id, "Courses", "en")
    make.run(clusters.set_hidden, workshop.id, owner.id, card.id, True)
    make.session.expire_all()
    stored = make.session.get(Idea, card.id)
    assert idea_payload(stored, stored.board, PUBLIC)["translation"] is None
    staff = idea_payload(stored, stored.board, STAFF)
    assert (staff["translation"], staff["translation_lang"], staff["source"]) == (
        "Courses", "en", "phone")


def test_empty_originals_are_not_offered_for_translation(make, owner):
    from facilitator.domain.workshops import BoardSpec
    workshop = make.workshop(owner, [BoardSpec("Ohne Leitfrage", question="")],
                             stakeholder_groups=())
    names = [row.name for row in translations.fields_of(make.session, workshop)]
    board_id = workshop.boards[0].id
    assert f"board.{board_id}.title" in names and f"board.{board_id}.question" not in names
    assert f"workshop.{workshop.id}.purpose" not in names
