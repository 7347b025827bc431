"""Table hosts and translated content through the Flask test client: who may open which table
page, what a tablet may not do, translated names on the join page and the poster, and the
sources and translations in the CSV and the JSON archive."""
import pytest

from facilitator.domain import archive, hosts, translations
from facilitator.models import Idea, TableHost, Workshop
from facilitator.reports.csv_export import export_csv


@pytest.fixture
def owner(app_make):
    return app_make.facilitator("Moderation Kreis")


@pytest.fixture
def workshop(app_make, owner):
    return app_make.workshop(owner, language="en", title="Kick-off integration plan")


def sign_in(client, app_make, facilitator):
    assert client.post(f"/console/sign-in/{app_make.sign_in_secret(facilitator)}").status_code == 302


def test_host_pages_need_a_facilitator_or_the_boards_own_link(client, app_make, workshop):
    first, second = workshop.boards[:2]
    assert client.get(f"/console/{workshop.id}/hosts").status_code == 302  # to sign-in
    assert client.get(f"/table/{first.id}").status_code == 404
    invitation = app_make.run(hosts.invite, workshop.id, first.id)
    assert client.get(f"/table/join/{invitation.secret}").headers["Location"].endswith(
        f"/table/{first.id}")
    assert client.get(f"/table/{first.id}").status_code == 200
    assert client.get(f"/table/{first.id}/seq").get_json() == {
        "seq": app_make.seq(workshop.id)}
    assert client.get(f"/table/{second.id}/seq").status_code == 404
    # The link opens its own board only.
    assert client.get(f"/table/{second.id}").status_code == 404
    assert client.post(f"/table/{second.id}/cards", data={
        "text": "anderswo", "source": "paper"}).status_code == 404
    assert app_make.count(Idea, board_id=second.id) == 0
    app_make.run(hosts.revoke, workshop.id, invitation.host.id)
    assert client.get(f"/table/{first.id}").status_code == 404
    assert client.get(f"/table/join/{invitation.secret}").status_code == 404


def test_invitation_link_is_shown_once_and_only_its_hash_is_stored(client, app_make, owner,
                                                                   workshop):
    sign_in(client, app_make, owner)
    page = client.post(f"/console/{workshop.id}/hosts", data={
        "board_id": workshop.boards[0].id, "role": "host", "name": "Amal"}).get_data(as_text=True)
    secret = page.split("/table/join/")[1].split("<")[0]
    stored = app_make.fresh(TableHost, 1)
    assert stored.secret_hash != secret and secret not in stored.secret_hash
    assert "/table/join/" not in client.get(f"/console/{workshop.id}/hosts").get_data(
        as_text=True)


def test_a_tablet_posts_anonymous_cards_and_nothing_else(client, app_make, workshop):
    board = workshop.boards[0]
    invitation = app_make.run(hosts.invite, workshop.id, board.id, "tablet")
    client.get(f"/table/join/{invitation.secret}")
    page = client.get(f"/table/{board.id}").get_data(as_text=True)
    assert "data-tablet-form" in page and "data-host-card" not in page
    client.post(f"/table/{board.id}/cards", data={"text": "Spielplatz", "source": "on_behalf"})
    card = app_make.fresh(Idea, 1)
    assert (card.source, card.participant_id) == ("tablet", None)
    client.post(f"/table/{board.id}/cards/{card.id}/hide", data={"hidden": "1"})
    assert app_make.fresh(Idea, card.id).state == "visible"
    # The next person sees no card of the one before.
    assert "Spielplatz" not in client.get(f"/table/{board.id}").get_data(as_text=True)


def test_join_page_names_tables_and_groups_in_the_phones_language(client, app_make, workshop):
    board, group = workshop.boards[0], workshop.stakeholder_groups[0]
    app_make.run(translations.save_content, workshop.id, "uk", {
        f"board.{board.id}.title": "Мова і освіта", f"group.{group.id}.name": "Мешканці",
        f"workshop.{workshop.id}.title": "Стартовий семінар"})
    client.post("/language", data={"lang": "uk", "next": "/"})
    page = client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    for text in ("Мова і освіта", "Мешканці", "Стартовий семінар"):
        assert text in page
    assert "Kick-off integration plan" in page  # the original title stays on the page


def test_poster_shows_the_second_language_under_the_original(client, app_make, workshop):
    board = workshop.boards[0]
    app_make.run(translations.save_content, workshop.id, "ar", {
        f"board.{board.id}.title": "اللغة"})
    poster = f"/poster/{workshop.join_code}/board/{board.id}"
    assert "data-poster-second" not in client.get(poster).get_data(as_text=True)
    app_make.run(translations.set_projector_language, workshop.id, "ar")
    page = client.get(poster).get_data(as_text=True)
    assert 'lang="ar"' in page and "اللغة" in page and board.title in page


def test_csv_and_archive_carry_sources_and_translations(app_make, owner, workshop):
    board = workshop.boards[0]
    host = app_make.run(hosts.invite, workshop.id, board.id).host
    card = app_make.run(hosts.post_card, host, "Папір: курси", "paper")
    app_make.run(hosts.translate_card, host, card.id, "Papier: Kurse", "de")
    app_make.run(translations.save_content, workshop.id, "ar", {
        f"board.{board.id}.question": "ماذا نحتاج؟"})
    app_make.run(translations.set_projector_language, workshop.id, "ar")

    rows = export_csv(app_make.session, workshop.id).decode("utf-8-sig").splitlines()
    assert rows[0].endswith("Source;Translation")
    assert rows[1].endswith("paper card;de: Papier: Kurse")

    exported = archive.export_workshop(app_make.session, workshop.id)
    assert {"source": "paper", "translation": "Papier: Kurse",
            "translation_lang": "de"}.items() <= exported["ideas"][0].items()
    assert exported["content_translations"] == [{"kind": "board", "object": 1,
                                                 "field": "question", "lang": "ar",
                                                 "text": "ماذا نحتاج؟"}]
    copy = app_make.run(archive.import_workshop, owner.id, archive.dumps(exported))
    again = archive.export_workshop(app_make.session, copy.id)
    assert again["content_translations"] == exported["content_translations"]
    assert again["projector_language"] == "ar"
    assert [i["source"] for i in again["ideas"]] == ["paper"]
    assert app_make.fresh(Workshop, copy.id).projector_language == "ar"


def test_a_suggested_translation_is_filled_in_to_check_never_saved_on_its_own(
        client, app, app_make, workshop):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class FakeService(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the stdlib's name
            asked = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(json.dumps({"translatedText": f"<{asked['target']}> {asked['q']}"})
                             .encode())

        def log_message(self, *args):
            pass

    board = workshop.boards[0]
    host = app_make.run(hosts.invite, workshop.id, board.id)
    card = app_make.run(hosts.post_card, host.host, "Курси ввечері", "paper")
    client.get(f"/table/join/{host.secret}")
    assert "Suggest a translation" not in client.get(f"/table/{board.id}").get_data(as_text=True)

    server = HTTPServer(("127.0.0.1", 0), FakeService)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config["MACHINE_TRANSLATION_URL"] = f"http://127.0.0.1:{server.server_port}/translate"
    try:
        client.post(f"/table/{board.id}/cards/{card.id}/translation",
                    data={"action": "suggest", "lang": "de", "text": ""})
    finally:
        server.shutdown()
        server.server_close()
    page = client.get(f"/table/{board.id}").get_data(as_text=True)
    assert "&lt;de&gt; Курси ввечері" in page  # in the form, as text
    assert app_make.fresh(Idea, card.id).translation is None
