"""photos.js in real headless Chromium against the real server: upload with progress, a photo
from the camera input goes up at once, a refused file says why, captions save, delete asks first.
Skipped, with the reason, where Chromium is not installed."""
import pytest
from playwright.sync_api import expect

from facilitator.models import Photo

from export_helpers import jpeg_with_gps, png_bytes

pytestmark = pytest.mark.browser


def test_photos_page_uploads_captions_and_deletes_without_reloading(browser, live_server,
                                                                    live_make, tmp_path):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, language="en")
    (tmp_path / "flipchart.jpg").write_bytes(jpeg_with_gps())
    (tmp_path / "room.png").write_bytes(png_bytes())
    (tmp_path / "notes.jpg").write_text("this is a text file\n")
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The refused upload answers 422, which Chromium logs as a failed resource: expected.
    page.on("console", lambda message: message.type == "error" and "422" not in message.text
            and errors.append(message.text))
    page.goto(f"{live_server.url}/console/sign-in/{live_make.sign_in_secret(owner)}"
              f"?next=/console/{workshop.id}/photos")
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")
    items = page.locator("[data-photo-list] [data-photo-item]")

    page.set_input_files("#photo-files", [str(tmp_path / "flipchart.jpg"),
                                          str(tmp_path / "room.png")])
    page.fill("#photo-caption", "Tisch Wohnen")
    page.click("[data-photo-upload] button[type=submit]")
    expect(items).to_have_count(2)
    expect(page.locator("[data-photo-status]")).to_have_text("2 photos added.")
    assert page.url.endswith(f"/console/{workshop.id}/photos")  # no reload
    images = page.locator("[data-photo-list] [data-photo-image]")
    for index in range(2):
        expect(images.nth(index)).to_have_js_property("complete", True)
        assert images.nth(index).evaluate("image => image.naturalWidth") > 0
    assert live_make.count(Photo, workshop_id=workshop.id) == 2

    page.set_input_files("#photo-files", str(tmp_path / "notes.jpg"))
    page.click("[data-photo-upload] button[type=submit]")
    expect(page.locator("[data-photo-error]")).to_contain_text("“notes.jpg” is not a photo")
    assert items.count() == 2

    page.set_input_files("#photo-camera", str(tmp_path / "flipchart.jpg"))  # goes up at once
    expect(items).to_have_count(3)

    first = items.nth(0)
    first.locator("input[name=caption]").fill("Pinnwand „Wohnen“")
    first.locator("[data-photo-caption] button[type=submit]").click()
    expect(first.locator("[data-photo-saved]")).to_have_text("Saved")
    photo_id = int(first.get_attribute("data-photo-id"))
    assert live_make.fresh(Photo, photo_id).caption == "Pinnwand „Wohnen“"

    page.once("dialog", lambda dialog: dialog.accept())
    first.locator("[data-photo-delete] button").click()
    expect(items).to_have_count(2)
    assert live_make.count(Photo, workshop_id=workshop.id) == 2
    assert errors == []
    context.close()
