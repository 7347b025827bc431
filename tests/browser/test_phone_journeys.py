"""The phone's journeys in real Chromium, as a new participant goes through them: join by code or
QR link (with and without stakeholder groups, anonymous or named, in German and Arabic), post,
edit and withdraw, learn what the facilitation did with an own card, change table, reload
mid-post, switch the language."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from facilitator.models import Idea, Participant, Workshop

LIVE = 10_000  # ms a live update may take to reach another screen
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
SENT = re.compile("^(Gesendet|Sent|تم الإرسال)$")


@pytest.fixture
def small_phone(browser, playwright_instance):
    """A cheap phone's screen (360×740), its own cookies and storage per call."""
    contexts = []
    pixel = playwright_instance.devices["Pixel 5"]

    def open_phone(locale: str = "de-DE", scale: float = 2, **options):
        context = browser.new_context(
            user_agent=pixel["user_agent"], viewport={"width": 360, "height": 740},
            device_scale_factor=scale, is_mobile=True, has_touch=True, locale=locale,
            **options)
        contexts.append(context)
        page = context.new_page()
        # Withdrawing asks "really?" in a native dialog: the person says yes.
        page.on("dialog", lambda dialog: dialog.accept())
        return page
    yield open_phone
    for context in contexts:
        context.close()


def sign_in_url(live_server, make, facilitator, next_path: str = "/console/") -> str:
    return f"{live_server.url}/console/sign-in/{make.sign_in_secret(facilitator)}?next={next_path}"


def prepare_in_console(console, title: str, boards: list[str], groups: str = "") -> str:
    """Fill /console/new the way a facilitator does; returns the join code."""
    console.goto(console.url.split("/console")[0] + "/console/new")
    console.locator("#title").fill(title)
    console.locator("#stakeholder_groups").fill(groups)
    for index, board_title in enumerate(boards):
        console.locator(f"#boards-{index}-title").fill(board_title)
        console.locator(f"#boards-{index}-question").fill(f"Was brauchen wir: {board_title}?")
    console.locator(".workshop-form button[type=submit]").click()
    expect(console.locator(".join-code")).to_be_visible(timeout=LIVE)
    return console.locator(".join-code").inner_text().replace("-", "")


def join_by_code(page, base_url: str, code: str) -> None:
    page.goto(base_url + "/")
    page.locator("#code").fill(f"{code[:4]}-{code[4:].lower()}")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".join-form")).to_be_visible()


def choose_table_and_join(page, board_title: str, name: str = "", group: str = "") -> None:
    page.get_by_role("radio", name=board_title).check()
    if name:
        page.locator("#display_name").fill(name)
    if group:
        page.locator("#stakeholder_group").select_option(label=group)
    page.locator(".join-form button[type=submit]").click()
    expect(page.locator("[data-idea-text]")).to_be_enabled(timeout=LIVE)


def post(page, text: str) -> None:
    page.locator("[data-idea-text]").fill(text)
    page.locator("[data-send]").click()


def own_card(page, text: str):
    return page.locator("[data-mine] .card", has_text=text)


def switch_language(page, code: str) -> None:
    page.locator("#lang-select").select_option(code)
    expect(page.locator("html")).to_have_attribute("lang", code, timeout=LIVE)


LONG_TITLE = ("Arbeit, Ausbildung und Anerkennung ausländischer Berufsabschlüsse im ländlichen "
              "Raum des Landkreises")


@pytest.mark.parametrize("variant", ["no groups", "groups and a name", "long title", "arabic"])
def test_workshop_prepared_in_the_console_is_joined_by_code_and_the_idea_reaches_the_console(
        live_server, live_make, desktop, small_phone, variant):
    owner = live_make.facilitator()
    console = desktop()
    console.goto(sign_in_url(live_server, live_make, owner))
    groups = "Verwaltung\nNeuzugewanderte" if variant == "groups and a name" else ""
    board_title = LONG_TITLE if variant == "long title" else "Sprache"
    code = prepare_in_console(console, f"Werkstatt {variant}", [board_title, "Wohnen"], groups)
    expect(console.locator(".console-board")).to_have_count(2, timeout=LIVE)

    page = small_phone(locale="ar" if variant == "arabic" else "de-DE")
    join_by_code(page, live_server.url, code)
    if variant == "arabic":
        switch_language(page, "ar")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # The form asks for a group only when the workshop has groups.
    expect(page.locator("#stakeholder_group")).to_have_count(1 if groups else 0)
    name = {"groups and a name": "Amira", "arabic": "أمل"}.get(variant, "")
    choose_table_and_join(page, board_title, name=name,
                          group="Neuzugewanderte" if groups else "")

    text = "دورات لغة مع رعاية الأطفال" if variant == "arabic" else "Sprachkurse am Abend"
    post(page, text)
    expect(own_card(page, text).locator("[data-status]")).to_have_text(SENT, timeout=LIVE)
    expect(console.locator(".console-board").first).to_contain_text(text, timeout=LIVE)
    if name:
        expect(console.locator(".console-board .card", has_text=text)).to_contain_text(name)
    workshop_id = int(console.url.rstrip("/").split("/")[-1])
    assert live_make.count(Participant, workshop_id=workshop_id, display_name=name or None) == 1
    assert live_make.count(Participant, workshop_id=workshop_id,
                           stakeholder_group_id=None) == (0 if groups else 1)
