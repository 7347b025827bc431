"""The HTTP pages through the Flask test client: joining, QR codes and posters, the projector
link, the facilitator console and its limits, security headers and CSRF."""
import io
import re
from xml.etree import ElementTree

import pytest
import zxingcpp
from PIL import Image

from facilitator.domain.workshops import format_join_code
from facilitator.models import (Board, Idea, Participant, StakeholderGroup, Workshop,
                                WorkshopFacilitator)

PUBLIC_URL = "http://192.0.2.10:5000"


@pytest.fixture
def owner(app_make):
    return app_make.facilitator("Moderation Kreis")


@pytest.fixture
def workshop(app_make, owner):
    # English, so the pages' wording can be asserted without compiled translations.
    return app_make.workshop(owner, language="en", title="Kick-off integration plan")


def sign_in(client, app_make, facilitator):
    link = f"/console/sign-in/{app_make.sign_in_secret(facilitator)}"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(link).get_data(True))
    response = client.post(link, data={"csrf_token": token.group(1)})
    assert response.status_code == 302
    return response


def join(client, workshop, board, display_name="", group=""):
    return client.post(f"/join/{workshop.join_code}", data={
        "display_name": display_name, "stakeholder_group": group, "board": board.id})


def decode_qr(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0].text


# --- Health and headers ------------------------------------------------------------------------

def test_healthz_answers_with_the_database_it_reached(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json()["ok"] is True
    assert response.get_json()["database"] == "sqlite"


@pytest.mark.parametrize("path", ["/", "/join/{code}", "/console/login", "/healthz",
                                  "/qr/{code}.svg", "/screen/{key}", "/privacy"])
def test_every_response_carries_a_content_security_policy_without_inline_scripts(
        client, workshop, path):
    response = client.get(path.format(code=workshop.join_code, key=workshop.screen_key))

    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_load_nothing_from_other_hosts(client, workshop):
    for path in ("/", f"/join/{workshop.join_code}", f"/screen/{workshop.screen_key}"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', html), path


def test_session_cookie_is_http_only_and_same_site(client, workshop):
    response = join(client, workshop, workshop.boards[0])

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- Joining -----------------------------------------------------------------------------------

def test_typed_join_code_leads_to_the_join_page(client, workshop):
    typed = format_join_code(workshop.join_code).lower()

    response = client.post("/", data={"code": f" {typed} "})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/join/{workshop.join_code}")


def test_wrong_join_code_says_so_on_the_start_page(client, workshop):
    response = client.post("/", data={"code": "ZZZZ-ZZZZ"}, headers={"Accept-Language": "en"})

    assert response.status_code == 422
    assert "There is no workshop with this code" in response.get_data(as_text=True)


def test_join_page_offers_the_boards_and_groups_and_explains_privacy(client, workshop):
    page = client.get(f"/join/{workshop.join_code}?board={workshop.boards[1].id}")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for item in workshop.boards + workshop.stakeholder_groups:
        assert (item.title if isinstance(item, Board) else item.name) in html
    assert "Your privacy" in html and "no tracking" in html
    # The board from the QR code is chosen already.
    assert re.search(rf'value="{workshop.boards[1].id}"[^>]*checked|checked[^>]*value='
                     rf'"{workshop.boards[1].id}"', html)


def test_joining_stores_name_and_group_and_leads_to_the_chosen_board(client, app_make,
                                                                     workshop):
    board = workshop.boards[2]
    group = workshop.stakeholder_groups[3]

    response = join(client, workshop, board, "Oksana", str(group.id))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/w/{workshop.join_code}/board/{board.id}")
    assert app_make.count(Participant, workshop_id=workshop.id, display_name="Oksana",
                          stakeholder_group_id=group.id) == 1
    page = client.get(f"/w/{workshop.join_code}/board/{board.id}")
    assert page.status_code == 200
    assert board.title in page.get_data(as_text=True)
    assert board.question in page.get_data(as_text=True)


def test_joining_anonymously_stores_no_name(client, app_make, workshop):
    assert join(client, workshop, workshop.boards[0]).status_code == 302
    assert app_make.count(Participant, workshop_id=workshop.id, display_name=None) == 1


def test_returning_phone_keeps_its_identity_and_goes_straight_to_the_board(client, app_make,
                                                                           workshop):
    join(client, workshop, workshop.boards[0], "Ali")
    board = workshop.boards[1]

    again = client.get(f"/join/{workshop.join_code}?board={board.id}")
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/w/{workshop.join_code}/board/{board.id}")

    renamed = join(client, workshop, board, "Ali K.")
    assert renamed.status_code == 302
    assert app_make.count(Participant, workshop_id=workshop.id) == 1
    assert app_make.count(Participant, display_name="Ali K.") == 1


def test_returning_phone_can_change_its_stakeholder_group(client, app_make, workshop):
    join(client, workshop, workshop.boards[0], "Ali")
    group = workshop.stakeholder_groups[2]

    response = join(client, workshop, workshop.boards[0], "Ali", str(group.id))

    assert response.status_code == 302
    assert app_make.count(Participant, stakeholder_group_id=group.id) == 1


def test_join_without_a_board_is_refused_and_nobody_joins(client, app_make, workshop):
    response = client.post(f"/join/{workshop.join_code}", data={"display_name": "Ohne Tafel"})

    assert response.status_code == 422
    assert app_make.count(Participant) == 0


def test_name_that_is_too_long_is_refused_and_nobody_joins(client, app_make, workshop):
    response = join(client, workshop, workshop.boards[0], "x" * 41)

    assert response.status_code == 422
    assert app_make.count(Participant) == 0


def test_workshop_without_groups_is_joined_without_being_asked_for_one(client, app_make, owner):
    workshop = app_make.workshop(owner, language="en", stakeholder_groups=())
    board = workshop.boards[0]

    page = client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    assert 'name="stakeholder_group"' not in page
    # What the browser sends from that page: no group field at all.
    response = client.post(f"/join/{workshop.join_code}", data={"display_name": "",
                                                                "board": board.id})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/w/{workshop.join_code}/board/{board.id}")
    assert app_make.count(Participant, workshop_id=workshop.id, stakeholder_group_id=None) == 1


def test_refused_join_says_why_above_the_form_and_at_the_field(client, app_make, workshop):
    no_table = client.post(f"/join/{workshop.join_code}", data={"display_name": "Ali"})
    long_name = join(client, workshop, workshop.boards[0], "x" * 41)

    for response, message in ((no_table, "Please choose your table."),
                              (long_name, "That is too long: at most 40 characters.")):
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        summary = re.search(r'<div class="flash flash-error" role="alert"[^>]*>(.*?)</div>', html,
                            re.S)
        assert summary and message in summary.group(1)
        assert html.count(message) == 2  # once above the form, once at its field
    assert app_make.count(Participant) == 0


def test_group_of_another_workshop_is_refused(client, app_make, workshop):
    other = app_make.workshop()

    response = join(client, workshop, workshop.boards[0], "", str(other.stakeholder_groups[0].id))

    assert response.status_code == 422
    assert app_make.count(Participant) == 0


def test_board_page_sends_phones_that_have_not_joined_to_the_join_page(client, workshop):
    board = workshop.boards[0]

    response = client.get(f"/w/{workshop.join_code}/board/{board.id}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/join/{workshop.join_code}?board={board.id}")


def test_phone_at_a_table_that_was_removed_is_asked_to_choose_another(client, app_make,
                                                                       workshop):
    join(client, workshop, workshop.boards[0])
    gone = workshop.boards[0].id + 1000

    response = client.get(f"/w/{workshop.join_code}/board/{gone}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/join/{workshop.join_code}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This table no longer exists. Please choose another one." in page


def test_joining_one_workshop_does_not_open_another(client, app_make, workshop):
    other = app_make.workshop()
    join(client, workshop, workshop.boards[0])

    response = client.get(f"/w/{other.join_code}/board/{other.boards[0].id}")

    assert response.status_code == 302 and "/join/" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/join/ZZZZZZZZ", "/qr/ZZZZZZZZ.svg", "/qr/ZZZZZZZZ.png",
                                  "/w/ZZZZZZZZ/board/1", "/poster/ZZZZZZZZ/board/1",
                                  "/screen/not-the-key"])
def test_unknown_codes_and_keys_are_not_found(client, workshop, path):
    assert client.get(path).status_code == 404


def test_board_of_another_workshop_is_not_found_under_this_code(client, app_make, workshop):
    other_board = app_make.workshop().boards[0]
    code = workshop.join_code

    for path in (f"/qr/{code}/board/{other_board.id}.png", f"/poster/{code}/board/{other_board.id}",
                 f"/w/{code}/board/{other_board.id}"):
        assert client.get(path).status_code == 404, path


def test_language_switch_only_redirects_within_the_site(client):
    for target, expected in [("/privacy", "/privacy"), ("//evil.example/", "/"),
                             ("https://evil.example/", "/")]:
        response = client.post("/language", data={"lang": "ar", "next": target})
        assert response.status_code == 302
        assert response.headers["Location"] == expected
    assert 'dir="rtl"' in client.get("/privacy").get_data(as_text=True)


# --- QR codes, poster, projector ---------------------------------------------------------------

def test_workshop_qr_code_is_served_as_svg_and_png_and_encodes_the_join_link(client, workshop):
    svg = client.get(f"/qr/{workshop.join_code}.svg")
    png = client.get(f"/qr/{workshop.join_code}.png")

    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert ElementTree.fromstring(svg.data).tag.endswith("svg")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert decode_qr(png.data) == f"{PUBLIC_URL}/join/{workshop.join_code}"


def test_board_qr_code_takes_the_phone_to_that_board(client, workshop):
    board = workshop.boards[1]

    png = client.get(f"/qr/{workshop.join_code}/board/{board.id}.png")
    svg = client.get(f"/qr/{workshop.join_code}/board/{board.id}.svg")

    assert decode_qr(png.data) == f"{PUBLIC_URL}/join/{workshop.join_code}?board={board.id}"
    assert svg.mimetype == "image/svg+xml"
    assert ElementTree.fromstring(svg.data).tag.endswith("svg")


def test_qr_code_in_another_format_is_not_found(client, workshop):
    assert client.get(f"/qr/{workshop.join_code}.gif").status_code == 404


def test_poster_shows_board_question_join_code_and_qr_code(client, workshop):
    board = workshop.boards[0]

    page = client.get(f"/poster/{workshop.join_code}/board/{board.id}")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert board.title in html and board.question in html
    assert format_join_code(workshop.join_code) in html
    assert f"/qr/{workshop.join_code}/board/{board.id}.svg" in html
    assert f"{PUBLIC_URL}/join/{workshop.join_code}?board={board.id}" in html


def test_projector_link_shows_the_wall_with_the_join_code(client, workshop):
    page = client.get(f"/screen/{workshop.screen_key}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert workshop.title in html
    assert workshop.join_code[:4] in html and workshop.join_code[4:] in html


# --- The facilitator console -----------------------------------------------------------------------

def test_console_needs_a_signed_in_facilitator(client, workshop):
    for path in ("/console/", f"/console/{workshop.id}", "/console/new"):
        response = client.get(path)
        assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_sign_in_link_works_once(client, app_make, owner):
    secret = app_make.sign_in_secret(owner)

    assert client.post(f"/console/sign-in/{secret}").headers["Location"].endswith("/console/")
    assert client.get("/console/").status_code == 200
    client.post("/console/logout")
    second = client.post(f"/console/sign-in/{secret}")
    assert "/console/login" in second.headers["Location"]
    assert client.get("/console/").status_code == 302


def test_sign_in_link_never_redirects_to_another_site(client, app_make, owner):
    secret = app_make.sign_in_secret(owner)

    response = client.post(f"/console/sign-in/{secret}?next=//evil.example/")

    assert response.headers["Location"] == "/console/"


def test_facilitator_sees_and_opens_only_own_workshops(client, app_make, owner, workshop):
    stranger = app_make.facilitator("Andere Moderation")
    foreign = app_make.workshop(stranger, title="Fremder Workshop", language="en")
    sign_in(client, app_make, owner)

    listing = client.get("/console/").get_data(as_text=True)
    assert workshop.title in listing and "Fremder Workshop" not in listing
    assert client.get(f"/console/{workshop.id}").status_code == 200
    assert client.get(f"/console/{workshop.id}/edit").status_code == 200
    for path in (f"/console/{foreign.id}", f"/console/{foreign.id}/edit", "/console/999999"):
        assert client.get(path).status_code == 404, path
    deleting = client.post(f"/console/{foreign.id}/delete",
                           data={"confirm_code": foreign.join_code})
    assert deleting.status_code == 404
    assert app_make.count(Workshop, id=foreign.id) == 1


def test_colleague_added_to_a_workshop_can_open_it(client, app_make, owner, workshop):
    colleague = app_make.facilitator("Kollegin")
    sign_in(client, app_make, colleague)
    assert client.get(f"/console/{workshop.id}").status_code == 404

    app_make.add_facilitator(workshop, colleague)

    assert client.get(f"/console/{workshop.id}").status_code == 200


def test_facilitator_prepares_a_workshop_with_boards_and_groups(client, app_make, owner):
    sign_in(client, app_make, owner)

    response = client.post("/console/new", data={
        "title": "Workshop Wohnen", "event_date": "2026-04-20", "place": "Rathaus",
        "purpose": "Ideen sammeln", "language": "de", "process_title": "",
        "stakeholder_groups": "Verwaltung\nPolitik\n",
        "boards-0-title": "Wohnraum", "boards-0-question": "Was fehlt?",
        "boards-0-colour": "blue", "boards-1-title": "Nachbarschaft",
        "boards-1-colour": "green", "boards-2-title": "", "boards-2-colour": "pink"})

    assert response.status_code == 302
    workshop_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    created = app_make.fresh(Workshop, workshop_id)
    assert created.title == "Workshop Wohnen"
    assert [(b.title, b.question, b.colour) for b in created.boards] == [
        ("Wohnraum", "Was fehlt?", "blue"), ("Nachbarschaft", "", "green")]
    assert [g.name for g in created.stakeholder_groups] == ["Verwaltung", "Politik"]
    assert app_make.count(WorkshopFacilitator, workshop_id=workshop_id,
                          facilitator_id=owner.id) == 1


def test_workshop_without_title_is_not_created(client, app_make, owner):
    sign_in(client, app_make, owner)

    response = client.post("/console/new", data={"title": "", "language": "de",
                                                 "boards-0-title": "Tafel"})

    assert response.status_code == 422
    assert app_make.count(Workshop) == 0


def test_deleting_a_workshop_needs_its_code_and_then_deletes_everything(client, app_make, owner,
                                                                        workshop):
    kept = app_make.workshop(owner, language="en")
    for each in (workshop, kept):
        phone, _ = app_make.participant(each, "Name", each.stakeholder_groups[0].id)
        app_make.idea(phone, each.boards[0])
    sign_in(client, app_make, owner)

    refused = client.post(f"/console/{workshop.id}/delete", data={"confirm_code": "falsch"})
    assert refused.status_code == 302
    assert app_make.count(Workshop, id=workshop.id) == 1

    deleted = client.post(f"/console/{workshop.id}/delete",
                          data={"confirm_code": workshop.join_code.lower()})

    assert deleted.status_code == 302 and deleted.headers["Location"].endswith("/console/")
    assert app_make.count(Workshop, id=workshop.id) == 0
    for model in (Board, Idea, Participant, StakeholderGroup, WorkshopFacilitator):
        assert app_make.count(model, workshop_id=workshop.id) == 0, model.__name__
        assert app_make.count(model, workshop_id=kept.id) > 0, model.__name__
    assert client.get(f"/join/{workshop.join_code}").status_code == 404
    assert client.get(f"/console/{workshop.id}").status_code == 404


# --- CSRF ----------------------------------------------------------------------------------------

def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.mark.csrf
def test_join_form_without_its_csrf_token_is_refused(client, app_make, workshop):
    refused = join(client, workshop, workshop.boards[0], "Ohne Token")

    assert refused.status_code == 400
    assert app_make.count(Participant) == 0

    page = client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    accepted = client.post(f"/join/{workshop.join_code}", data={
        "csrf_token": _token(page), "board": workshop.boards[0].id, "display_name": "Mit Token",
        "stakeholder_group": ""})
    assert accepted.status_code == 302
    assert app_make.count(Participant, display_name="Mit Token") == 1


@pytest.mark.csrf
def test_console_actions_without_a_csrf_token_are_refused(client, app_make, owner, workshop):
    sign_in(client, app_make, owner)

    deleting = client.post(f"/console/{workshop.id}/delete",
                           data={"confirm_code": workshop.join_code})
    creating = client.post("/console/new", data={"title": "Ohne Token", "language": "de",
                                                 "boards-0-title": "Tafel"})

    assert (deleting.status_code, creating.status_code) == (400, 400)
    assert app_make.count(Workshop) == 1


@pytest.mark.csrf
def test_start_page_code_form_needs_its_csrf_token(client, workshop):
    assert client.post("/", data={"code": workshop.join_code}).status_code == 400
