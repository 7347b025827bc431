"""Photos, downloads and the import over HTTP (Flask test client, SQLite file): who may do what,
what comes back, and that a refusal changes nothing."""
import csv
import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from facilitator.domain import archive, photos
from facilitator.models import Photo, Workshop

from export_helpers import jpeg_with_gps, play_workshop, png_bytes

JSON = {"Accept": "application/json"}


@pytest.fixture(autouse=True)
def english(client):
    """Messages are asserted in English (the msgids), whatever the catalogues hold."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def owner(app_make):
    return app_make.facilitator("Moderation Kreis")


@pytest.fixture
def workshop(app_make, owner):
    return app_make.workshop(owner, language="en", title="Kick-off: Wohnen & Arbeit")


@pytest.fixture
def signed_in(client, app_make, owner):
    link = f"/console/sign-in/{app_make.sign_in_secret(owner)}"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(link).get_data(True))
    response = client.post(link, data={"csrf_token": token.group(1)})
    assert response.status_code == 302
    return client


@pytest.fixture
def upload_dir(app) -> Path:
    return Path(app.config["UPLOAD_PATH"])


def files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(client, workshop, data: bytes, name="IMG_0001.jpg", field="photo", headers=JSON,
           **form):
    return client.post(f"/console/{workshop.id}/photos", headers=headers, data={
        field: (io.BytesIO(data), name), "kind": "photo", **form},
        content_type="multipart/form-data")


# --- Uploading --------------------------------------------------------------------------------

def test_the_photos_page_offers_the_camera_and_the_file_chooser(signed_in, workshop):
    html = signed_in.get(f"/console/{workshop.id}/photos").get_data(as_text=True)

    assert 'accept="image/*" capture="environment"' in html
    assert 'type="file" name="photo" accept="image/jpeg,image/png,image/webp" multiple' in html
    assert 'name="csrf_token"' in html
    assert f"/console/{workshop.id}/export.csv" in html and "/console/import" in html


def test_a_phone_photo_is_stored_without_gps_and_served_to_the_facilitator(
        signed_in, workshop, app_make, upload_dir):
    response = upload(signed_in, workshop, jpeg_with_gps(), field="camera",
                      caption="Pinnwand", board_id=str(workshop.boards[0].id))

    assert response.status_code == 200, response.get_data(as_text=True)
    [photo] = response.get_json()["photos"]
    assert photo["caption"] == "Pinnwand" and photo["board_id"] == workshop.boards[0].id
    served = signed_in.get(photo["url"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "private" in served.headers["Cache-Control"]
    image = Image.open(io.BytesIO(served.data))
    assert len(image.getexif()) == 0 and b"GPS" not in served.data
    stored = app_make.fresh(Photo, photo["id"])
    assert "IMG_0001" not in stored.filename
    assert files(upload_dir) == [upload_dir / str(workshop.id) / stored.filename]


def test_several_photos_at_once_without_javascript(signed_in, workshop, app_make):
    response = signed_in.post(f"/console/{workshop.id}/photos", data={
        "photo": [(io.BytesIO(png_bytes()), "a.png"), (io.BytesIO(jpeg_with_gps()), "b.jpg")],
        "camera": (io.BytesIO(b""), ""), "kind": "photo", "board_id": "", "caption": "",
        "next": f"/console/{workshop.id}"}, content_type="multipart/form-data")

    assert response.status_code == 303 and response.location.endswith(f"/console/{workshop.id}")
    assert app_make.count(Photo, workshop_id=workshop.id) == 2


def test_a_text_file_named_jpg_is_refused_with_a_message_and_changes_nothing(
        signed_in, workshop, app_make, upload_dir):
    response = upload(signed_in, workshop, b"just some text, honestly\n" * 40, name="photo.jpg")

    assert response.status_code == 422
    assert response.get_json()["error"].startswith("“photo.jpg” is not a photo that can be used")
    assert app_make.count(Photo) == 0 and files(upload_dir) == []


def test_one_bad_file_among_several_stores_none(signed_in, workshop, app_make, upload_dir):
    response = signed_in.post(f"/console/{workshop.id}/photos", headers=JSON, data={
        "photo": [(io.BytesIO(png_bytes()), "good.png"), (io.BytesIO(b"<html>"), "bad.png")],
        "kind": "photo"}, content_type="multipart/form-data")

    assert response.status_code == 422 and "bad.png" in response.get_json()["error"]
    assert app_make.count(Photo) == 0 and files(upload_dir) == []


def test_an_oversize_photo_is_refused_with_the_limit(app, signed_in, workshop, app_make,
                                                      upload_dir):
    app.config["UPLOAD_MAX_BYTES"] = 1024 * 1024
    big = Image.effect_noise((1400, 1400), 100).convert("RGB")
    out = io.BytesIO()
    big.save(out, "PNG")
    assert len(out.getvalue()) > 1024 * 1024

    response = upload(signed_in, workshop, out.getvalue(), name="big.png")

    assert response.status_code == 422
    assert response.get_json()["error"] == ("“big.png” is too large: at most 1 MB per photo. "
                                            "Nothing was uploaded.")
    assert app_make.count(Photo) == 0 and files(upload_dir) == []


def test_a_request_over_the_size_limit_gets_a_clear_message(app, signed_in, workshop, app_make):
    app.config["UPLOAD_MAX_BYTES"] = 64 * 1024
    app.config["MAX_CONTENT_LENGTH"] = 128 * 1024

    response = upload(signed_in, workshop, b"\xff" * (300 * 1024), name="huge.jpg")

    assert response.status_code == 413
    assert response.get_json() == {"ok": False, "error": (
        "Too much at once: at most 1 MB per photo. Please upload fewer photos at a time.")}
    assert app_make.count(Photo) == 0


def test_signed_out_visitors_and_participants_cannot_upload(client, workshop, app_make):
    client.post(f"/join/{workshop.join_code}", data={"board": workshop.boards[0].id})

    response = upload(client, workshop, png_bytes(), headers={})

    assert response.status_code == 302 and "/console/login" in response.location
    assert app_make.count(Photo) == 0


def test_another_facilitator_gets_404_for_everything(client, app_make, workshop):
    photo = app_make.run(lambda s: photos.add_photo(s, workshop.id, png_bytes()))
    stranger = app_make.facilitator("Fremde Moderation")
    client.post(f"/console/sign-in/{app_make.sign_in_secret(stranger)}")

    for method, path in (
            ("post", f"/console/{workshop.id}/photos"),
            ("post", f"/console/{workshop.id}/photos/{photo.id}"),
            ("post", f"/console/{workshop.id}/photos/{photo.id}/delete"),
            ("get", f"/console/{workshop.id}/photos/file/{photo.filename}"),
            ("get", f"/console/{workshop.id}/photos"),
            ("get", f"/console/{workshop.id}/export.csv"),
            ("get", f"/console/{workshop.id}/export.json"),
            ("get", f"/console/{workshop.id}/export.docx")):
        assert getattr(client, method)(path).status_code == 404, path
    assert app_make.count(Photo) == 1


def test_a_photo_of_one_workshop_is_not_served_under_another(signed_in, app_make, owner,
                                                            workshop):
    other = app_make.workshop(owner, title="Zweiter Workshop")
    photo = app_make.run(lambda s: photos.add_photo(s, other.id, png_bytes()))

    assert signed_in.get(f"/console/{workshop.id}/photos/file/{photo.filename}").status_code == 404
    assert signed_in.get(f"/console/{other.id}/photos/file/{photo.filename}").status_code == 200
    assert signed_in.get(f"/console/{other.id}/photos/file/..%2F..%2Fsecret_key"
                         ).status_code == 404


def test_the_projector_shows_photos_by_its_key_only(client, app_make, workshop):
    photo = app_make.run(lambda s: photos.add_photo(s, workshop.id, png_bytes()))

    assert client.get(f"/screen/{workshop.screen_key}/photos/{photo.filename}").status_code == 200
    assert client.get(f"/screen/wrong-key/photos/{photo.filename}").status_code == 404
    assert client.get(f"/screen/{workshop.screen_key}/photos/"
                      f"{'A' * 24}.jpg").status_code == 404


def test_caption_edit_and_delete(signed_in, workshop, app_make, upload_dir):
    photo = app_make.run(lambda s: photos.add_photo(s, workshop.id, png_bytes()))

    saved = signed_in.post(f"/console/{workshop.id}/photos/{photo.id}", headers=JSON,
                           data={"caption": "Flipchart „Wohnen“", "board_id": ""})
    assert saved.get_json()["photo"]["caption"] == "Flipchart „Wohnen“"
    assert app_make.fresh(Photo, photo.id).caption == "Flipchart „Wohnen“"

    deleted = signed_in.post(f"/console/{workshop.id}/photos/{photo.id}/delete")
    assert deleted.status_code == 303
    assert app_make.count(Photo) == 0 and files(upload_dir) == []


def test_deleting_the_workshop_in_the_console_deletes_its_photo_files(
        signed_in, workshop, app_make, upload_dir):
    upload(signed_in, workshop, jpeg_with_gps())
    assert files(upload_dir)

    signed_in.post(f"/console/{workshop.id}/delete", data={"confirm_code": workshop.join_code})

    assert app_make.count(Workshop, id=workshop.id) == 0 and files(upload_dir) == []


@pytest.mark.csrf
def test_uploads_and_imports_need_the_csrf_token(signed_in, workshop, app_make):
    assert upload(signed_in, workshop, png_bytes(), headers={}).status_code == 400
    assert signed_in.post("/console/import", data={
        "archive": (io.BytesIO(b"{}"), "a.json")}).status_code == 400
    assert app_make.count(Photo) == 0


# --- Organiser --------------------------------------------------------------------------------

def test_the_organiser_is_saved_from_the_workshop_form(signed_in, workshop, app_make):
    page = signed_in.get(f"/console/{workshop.id}/edit").get_data(as_text=True)
    assert 'name="organiser"' in page

    signed_in.post(f"/console/{workshop.id}/edit", data={
        "title": workshop.title, "language": "en", "organiser": "Landkreis Emsland",
        "boards-0-board_id": str(workshop.boards[0].id), "boards-0-title": "Wohnen",
        "boards-0-colour": "yellow"})

    assert app_make.fresh(Workshop, workshop.id).organiser == "Landkreis Emsland"


# --- Downloads and import ---------------------------------------------------------------------

@pytest.fixture
def played(app, app_make):
    app_make.session.info["upload_path"] = app.config["UPLOAD_PATH"]
    return play_workshop(app_make)


def sign_in_as(client, app_make, facilitator):
    client.post(f"/console/sign-in/{app_make.sign_in_secret(facilitator)}")
    return client


def test_downloads_have_the_right_types_and_names(client, app_make, played):
    sign_in_as(client, app_make, played.owner)
    base = f"/console/{played.workshop.id}/export"

    csv_response = client.get(f"{base}.csv")
    assert csv_response.mimetype == "text/csv"
    assert csv_response.mimetype_params["charset"] == "utf-8"
    disposition = csv_response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Integrationskonzept-Auftaktworkshop-S_d')
    assert "filename*=UTF-8''Integrationskonzept-Auftaktworkshop-S%C3%BCd.csv" in disposition
    rows = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + len(played.visible)

    json_response = client.get(f"{base}.json")
    assert json_response.mimetype == "application/json"
    assert json.loads(json_response.data)["format"] == "facilitator-workshop"

    docx_response = client.get(f"{base}.docx")
    assert docx_response.data.startswith(b"PK")
    assert docx_response.mimetype.endswith("wordprocessingml.document")


def test_import_makes_a_new_workshop_of_the_importer(client, app_make, played):
    exported = client.application.test_client()
    exported.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in_as(exported, app_make, played.owner)
    data = exported.get(f"/console/{played.workshop.id}/export.json").data
    importer = app_make.facilitator("Moderation Nord")
    sign_in_as(client, app_make, importer)

    response = client.post("/console/import", data={"archive": (io.BytesIO(data), "w.json")})

    assert response.status_code == 303
    new_id = int(response.location.rstrip("/").rsplit("/", 1)[1])
    assert new_id != played.workshop.id
    assert client.get(f"/console/{new_id}").status_code == 200
    assert client.get(f"/console/{played.workshop.id}").status_code == 404
    page = client.get(f"/console/{new_id}/photos").get_data(as_text=True)
    assert page.count('data-photo-item data-photo-id="') == 3  # two photos + the template


def test_a_malformed_import_says_so_and_changes_nothing(signed_in, app_make, workshop):
    before = app_make.count(Workshop)

    response = signed_in.post("/console/import", headers=JSON, data={
        "archive": (io.BytesIO(b'{"format": "facilitator-workshop", "version": 1}'), "x.json")})

    assert response.status_code == 422
    assert response.get_json()["error"] == (
        "This file is not a Facilitator workshop export, or it is damaged (at “workshop”). "
        "Nothing was imported.")
    assert app_make.count(Workshop) == before


def test_import_without_a_file_asks_for_one(signed_in, app_make):
    response = signed_in.post("/console/import", data={})

    assert response.status_code == 303
    assert "Please choose a file first." in signed_in.get(response.location).get_data(
        as_text=True)


def test_an_archive_larger_than_a_form_may_be_is_still_read(signed_in, app, app_make):
    assert app.config["MAX_CONTENT_LENGTH"] < 17 * 1024 * 1024

    response = signed_in.post("/console/import", headers=JSON, data={
        "archive": (io.BytesIO(b" " * (17 * 1024 * 1024) + b"{}"), "big.json")})

    assert response.status_code == 422  # read and judged, not cut off at the form limit
    assert "(at “format”)" in response.get_json()["error"]
