"""Keyboard only, in real Chromium: a participant joins, posts and votes, and a facilitator
prepares a workshop, hides a card and opens a dot round, with Tab, Space, Enter and typing —
never a mouse click."""
import re
import uuid

from playwright.sync_api import expect

from facilitator.models import Workshop

LIVE = 10_000


def tab_to(page, selector: str, limit: int = 300, backwards: bool = False) -> None:
    """Press Tab until the focus is on an element matching `selector` (as a keyboard user
    would walk the page); fails when it is never reached."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{selector} is not reachable with the keyboard")


def test_participant_joins_posts_and_votes_with_the_keyboard(live_server, live_make, desktop):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Sprache", "Wohnen"], stakeholder_groups=())
    page = desktop(1024, 768, locale="de-DE")
    page.goto(f"{live_server.url}/join/{workshop.join_code}")
    tab_to(page, "input[type=radio]")
    page.keyboard.press("Space")
    tab_to(page, ".join-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("[data-idea-text]")).to_be_enabled(timeout=LIVE)

    tab_to(page, "[data-idea-text]")
    page.keyboard.type("Sprachcafé im Quartier")
    tab_to(page, "[data-send]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-own-status]")).to_have_text("Gesendet", timeout=LIVE)
    expect(page.locator("[data-idea-text]")).to_be_focused()  # ready for the next idea

    staff = live_server.staff(workshop, owner)
    assert staff.call("set_phase", {"board_ids": [], "phase": "prioritise"})["ok"]
    assert staff.call("open_round", {"kind": "dots", "target_kind": "idea",
                                     "board_ids": [workshop.boards[0].id],
                                     "dots_per_person": 2, "max_per_item": 2})["ok"]
    staff.disconnect()
    expect(page.locator("[data-vote-plus]")).to_have_count(1, timeout=LIVE)
    page.keyboard.press("Shift+Tab")  # from wherever the focus was left, walk back up
    tab_to(page, "[data-vote-plus]", backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator("[data-vote-round] [data-part=left]")).to_contain_text(
        re.compile(r"1\D+2"), timeout=LIVE)


def test_facilitator_prepares_moderates_and_opens_a_round_with_the_keyboard(
        live_server, live_make, desktop):
    owner = live_make.facilitator()
    page = desktop(1440, 900, locale="de-DE")
    secret = live_make.sign_in_secret(owner)
    page.goto(f"{live_server.url}/console/sign-in/{secret}?next=/console/")

    tab_to(page, "a[href$='/console/new']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "#title")
    page.keyboard.type("Werkstatt Tastatur")
    tab_to(page, "#boards-0-title")
    page.keyboard.type("Sprache")
    tab_to(page, "#boards-0-question")
    page.keyboard.type("Was hilft beim Deutschlernen?")
    tab_to(page, ".workshop-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".join-code")).to_be_visible(timeout=LIVE)
    workshop_id = int(re.search(r"/console/(\d+)", page.url).group(1))
    workshop = live_make.fresh(Workshop, workshop_id)

    # Two cards arrive from a phone.
    participant, token = live_make.participant(workshop)
    phone = live_server.phone(workshop, token, workshop.boards[0].id)
    for text in ("Sprachcafé", "Frau Müller, Lindenstraße 3"):
        assert phone.call("post_idea", {"board_id": workshop.boards[0].id,
                                        "client_id": uuid.uuid4().hex, "text": text})["ok"]
    phone.disconnect()
    card = page.locator(".console-board .card", has_text="Frau Müller")
    expect(card).to_have_count(1, timeout=LIVE)

    # Moderate: the card's "Ausblenden" button, reached with Tab.
    page.locator("body").focus()
    tab_to(page, "[data-hide][aria-label*='Frau Müller']")
    page.keyboard.press("Enter")
    expect(card).to_have_class(re.compile("card-hidden"), timeout=LIVE)

    # Open a dot round on the board's cards.
    tab_to(page, "[data-run-dots-form] [data-run-board-picks] input[type=checkbox]")
    page.keyboard.press("Space")
    tab_to(page, "[data-run-dots-form] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-run-round]")).to_have_count(1, timeout=LIVE)
