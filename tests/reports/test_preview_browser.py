"""The record preview in real headless Chromium against the real server: an Arabic chart label
is whole and inside the page, a long one wraps, an Arabic card keeps its dots in the page's
direction, and "Make PDF" ends with the download link (the job runner behind the console)."""
import uuid

import pytest
from playwright.sync_api import expect

from facilitator.domain import voting
from facilitator.domain.voting import RoundSpec

pytestmark = pytest.mark.browser

ARABIC = "نحتاج إلى دورات لغة مسائية للأمهات"
LONG = ("Anerkennung ausländischer Abschlüsse beschleunigen und Beratung dazu im Landratsamt "
        "an zwei Tagen pro Woche anbieten")


def test_the_preview_shows_whole_chart_labels_and_makes_the_pdf(browser, live_server, live_make,
                                                                tmp_path):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, language="de")
    board = workshop.boards[0]
    people = [live_make.participant(workshop)[0] for _ in range(2)]
    cards = [live_make.idea(people[0], board, text) for text in (ARABIC, LONG)]
    round_ = live_make.run(voting.open_round, workshop.id, RoundSpec(
        kind="dots", target_kind="idea", board_ids=[board.id], question="Was zuerst?"))
    for person in people:
        for card in cards:
            live_make.run(voting.place_dot, person, round_.id, card.id, uuid.uuid4().hex)
    live_make.run(voting.update_round, workshop.id, round_.id, {"state": "closed"})

    page = browser.new_context(locale="de-DE", viewport={"width": 1100, "height": 900}).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/console/sign-in/{live_make.sign_in_secret(owner)}"
              f"?next=/console/{workshop.id}/record")
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")
    labels = page.locator(".bar-label")
    expect(labels).to_have_count(2)
    expect(labels.filter(has_text=ARABIC)).to_have_attribute("dir", "rtl")
    expect(labels.filter(has_text=LONG)).to_have_text(LONG)  # whole, not cut with "…"
    width = page.evaluate("document.documentElement.clientWidth")
    for index in range(2):
        box = labels.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    expect(page.locator(f'.card[lang="ar"] .card-votes[dir="ltr"]')).to_have_text("2 Punkte")
    page.screenshot(path=str(tmp_path / "record-preview.png"), full_page=True)

    page.locator("[data-record-button]").first.click()
    expect(page.locator("[data-record-download]").first).to_be_visible(timeout=120_000)
    assert not errors
