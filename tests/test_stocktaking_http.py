"""Stock-taking pages over HTTP: the fields page and the CSV only for the workshop's team, bad
field definitions refused with a message and nothing changed, a board kind that does not exist
refused in the workshop form."""
import re

import pytest

from facilitator.domain.workshops import BoardSpec
from facilitator.models import Board, Workshop


@pytest.fixture
def owner(app_make):
    return app_make.facilitator("Moderation Offenbach")


@pytest.fixture
def workshop(app_make, owner):
    return app_make.workshop(owner, (BoardSpec("Bestand", kind="stocktaking"),
                                     BoardSpec("Ideen")), language="en")


def sign_in(client, app_make, facilitator):
    link = f"/console/sign-in/{app_make.sign_in_secret(facilitator)}"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(link).get_data(True))
    assert client.post(link, data={"csrf_token": token.group(1)}).status_code == 302


def fields_url(workshop, board) -> str:
    return f"/console/{workshop.id}/boards/{board.id}/fields"


def test_the_team_edits_the_fields_and_bad_definitions_change_nothing(client, app_make, owner,
                                                                      workshop):
    sign_in(client, app_make, owner)
    board = workshop.boards[0]
    page = client.get(fields_url(workshop, board)).get_data(True)
    assert 'value="Offer"' in page and 'value="Municipality"' in page  # English workshop

    saved = client.post(fields_url(workshop, board), data={
        "rows": "3", "key-0": "f1", "label-0": "Offer", "required-0": "1",
        "key-1": "", "label-1": "Ort <b>", "group": "1", "key-2": "f2", "label-2": ""})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(
        fields_url(workshop, board))
    fields = app_make.fresh(Board, board.id).card_fields
    assert [(f["key"], f["label"], f["required"], f["group"]) for f in fields] == [
        ("f1", "Offer", True, False), ("f6", "Ort <b>", False, True)]
    assert "Ort &lt;b&gt;" in client.get(fields_url(workshop, board)).get_data(True)

    refused = client.post(fields_url(workshop, board), data={
        "rows": "2", "key-0": "f1", "label-0": "Offer", "key-1": "", "label-1": "offer"})
    assert refused.status_code == 422
    assert "There is already a field called “offer”." in refused.get_data(True)
    assert app_make.fresh(Board, board.id).card_fields == fields


def test_only_the_team_reaches_fields_and_csv(client, app_make, workshop):
    stranger = app_make.facilitator("Andere Moderation")
    sign_in(client, app_make, stranger)
    board = workshop.boards[0]
    assert client.get(fields_url(workshop, board)).status_code == 404
    assert client.post(fields_url(workshop, board), data={"rows": "0"}).status_code == 404
    csv_url = f"/console/{workshop.id}/boards/{board.id}/stocktaking.csv"
    assert client.get(csv_url).status_code == 404
    assert app_make.fresh(Board, board.id).card_fields is not None


def test_csv_of_an_ordinary_or_foreign_board_is_not_found(client, app_make, owner, workshop):
    sign_in(client, app_make, owner)
    other = app_make.workshop(owner, (BoardSpec("Fremd", kind="stocktaking"),))
    ordinary = workshop.boards[1]
    assert client.get(
        f"/console/{workshop.id}/boards/{ordinary.id}/stocktaking.csv").status_code == 404
    assert client.get(
        f"/console/{workshop.id}/boards/{other.boards[0].id}/stocktaking.csv").status_code == 404
    assert client.get(fields_url(workshop, other.boards[0])).status_code == 404
    ok = client.get(f"/console/{workshop.id}/boards/{workshop.boards[0].id}/stocktaking.csv")
    assert ok.status_code == 200 and ok.data.startswith(b"\xef\xbb\xbf")


def test_a_board_kind_that_does_not_exist_is_refused(client, app_make, owner):
    sign_in(client, app_make, owner)
    before = app_make.count(Workshop)
    response = client.post("/console/new", data={
        "title": "Bestandsaufnahme", "language": "de", "boards-0-title": "Angebote",
        "boards-0-colour": "yellow", "boards-0-kind": "table"})
    assert response.status_code == 422
    assert app_make.count(Workshop) == before
