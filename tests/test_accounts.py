"""Facilitator accounts against the security officer's checks: signing out ends the session on
the server (a copied cookie is worth nothing after), only the installation's admin manages
accounts, and sign-in never redirects to another host."""
import re

import pytest

from facilitator import links
from facilitator.models import Facilitator


TIMEOUT = 10


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def signed_in(client, app_make, facilitator):
    response = client.post(f"/console/sign-in/{app_make.sign_in_secret(facilitator)}")
    assert response.status_code == 302 and "/console/login" not in response.headers["Location"]
    return client


def copy_cookie(source, target) -> None:
    target.set_cookie("session", source.get_cookie("session").value)


def test_the_first_account_is_the_admin_and_later_ones_are_not(app_make):
    first = app_make.facilitator("Moderation")
    second = app_make.facilitator("Kollegin")

    assert first.is_admin and not second.is_admin


def test_signing_out_ends_a_copied_session_cookie_too(app, client, app_make):
    owner = app_make.facilitator("Moderation")
    signed_in(client, app_make, owner)
    thief = app.test_client()
    copy_cookie(client, thief)
    assert thief.get("/console/").status_code == 200

    client.post("/console/logout")

    assert thief.get("/console/").status_code == 302
    assert client.get("/console/").status_code == 302
    # Signing in again works, with a new session.
    assert signed_in(app.test_client(), app_make, owner).get("/console/").status_code == 200


def test_a_staff_socket_loses_its_actions_when_its_facilitator_signs_out(live_server):
    make = live_server.factory()
    owner = make.facilitator()
    workshop = make.workshop(owner)
    board_id = workshop.boards[0].id
    make.close()
    http = live_server.sign_in(owner)
    staff = live_server.socket("staff", cookie=http, code=workshop.join_code)
    assert staff.call("create_cluster", {"board_id": board_id, "heading": "Kurse"})["ok"]

    console = http.get(f"{live_server.url}/console/", timeout=TIMEOUT).text
    response = http.post(f"{live_server.url}/console/logout", allow_redirects=False,
                         data={"csrf_token": csrf_token(console)}, timeout=TIMEOUT)
    assert response.status_code in (302, 303), response.status_code

    answer = staff.call("create_cluster", {"board_id": board_id, "heading": "Wohnen"})
    assert answer == {"ok": False, "error": "forbidden", "message": answer["message"]}


def test_only_the_admin_sees_and_adds_accounts(app, client, app_make):
    admin = app_make.facilitator("Ayşe Admin")
    colleague = app_make.facilitator("Kollegin")

    colleague_page = signed_in(client, app_make, colleague).get("/console/facilitators")
    assert colleague_page.status_code == 200
    assert "Ayşe Admin" not in colleague_page.get_data(as_text=True)
    assert client.post("/console/facilitators", data={"name": "Eindringling"}).status_code == 403
    assert app_make.count(Facilitator, name="Eindringling") == 0

    admin_client = signed_in(app.test_client(), app_make, admin)
    listing = admin_client.get("/console/facilitators").get_data(as_text=True)
    assert "Kollegin" in listing
    created = admin_client.post("/console/facilitators", data={"name": "Neu"})
    assert created.status_code == 200 and "/console/sign-in/" in created.get_data(as_text=True)
    assert app_make.count(Facilitator, name="Neu") == 1


def test_a_facilitator_adds_a_colleague_by_name_to_an_own_workshop_only(client, app_make):
    app_make.facilitator("Moderation")
    owner = app_make.facilitator("Kreis")
    colleague = app_make.facilitator("Kollegin")
    workshop = app_make.workshop(owner, language="en")
    signed_in(client, app_make, owner)

    unknown = client.post(f"/console/{workshop.id}/team", data={"name": "Niemand"},
                          follow_redirects=True)
    assert unknown.status_code == 200 and "Es gibt kein Konto mit diesem Namen" in unknown.get_data(
        as_text=True)
    client.post(f"/console/{workshop.id}/team", data={"name": "Kollegin"})

    colleague_client = signed_in(client.application.test_client(), app_make, colleague)
    assert colleague_client.get(f"/console/{workshop.id}").status_code == 200


@pytest.mark.parametrize("target", [
    "//evil.example/", "/\t/evil.example/", "/\\evil.example/",
    "https://evil.example/", "/\n/evil.example", " /console/", "",
])
def test_sign_in_never_redirects_to_another_host(client, app_make, target):
    owner = app_make.facilitator("Moderation")
    secret = app_make.sign_in_secret(owner)

    response = client.post(f"/console/sign-in/{secret}", query_string={"next": target})

    location = response.headers["Location"]
    assert location == "/console/", (target, location)


def test_local_paths_pass_and_everything_else_is_refused():
    assert links.local_path("/console/3?tab=run") == "/console/3?tab=run"
    for target in ("//x", "/\t/x", "/\\x", "x", "https://x", None, 3, "/a\x7fb"):
        assert links.local_path(target) is None, target
