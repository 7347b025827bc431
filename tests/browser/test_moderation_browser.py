"""Against a flood, in real Chromium on a server with its socket limits on: the console lists
the phones that post most; the facilitator mutes one (its phone says why its idea was not sent),
hides all its cards at once (and can undo that), hides a selection of ticked cards, and unmutes it.
A phone that sends faster than the limit is told so in its language and loses nothing: every
idea arrives once the pause is over."""
import re

import pytest
from playwright.sync_api import expect

from facilitator.models import Idea

LIVE = 10_000  # ms a live update may take to reach another screen


@pytest.fixture(scope="module")
def limited_server(start_module_server):
    """The limits on, a phone's burst small so a test reaches it with a few ideas."""
    return start_module_server("moderation", env={
        "RATELIMIT_ENABLED": "1",
        "SOCKET_LIMITS": "participant_write_burst=3,participant_writes_per_minute=30"})


def join(page, server, workshop, board_title: str, name: str = "") -> None:
    page.goto(f"{server.url}/join/{workshop.join_code}")
    page.get_by_role("radio", name=board_title).check()
    if name:
        page.locator("#display_name").fill(name)
    page.locator(".join-form button[type=submit]").click()
    expect(page.locator("[data-idea-text]")).to_be_enabled(timeout=LIVE)


def post(page, text: str) -> None:
    page.locator("[data-idea-text]").fill(text)
    page.locator("[data-send]").click()


def open_console(desktop, server, factory, owner, workshop):
    page = desktop()
    secret = factory.sign_in_secret(owner)
    page.goto(f"{server.url}/console/sign-in/{secret}?next=/console/{workshop.id}")
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")
    # Twice the usual wait: once in CI and once in 7 local runs this first console on a fresh
    # server got no answer to its connect and connected on live.js's retry after 8 s (under
    # investigation, see the issue note).
    expect(page.locator("[data-connection]")).to_have_attribute("data-state", "connected",
                                                                timeout=2 * LIVE)
    return page


def test_facilitator_mutes_a_flooding_phone_hides_its_cards_and_undoes(limited_server, desktop,
                                                                       phone, tmp_path):
    server = limited_server
    factory = server.factory()
    owner = factory.facilitator()
    workshop = factory.workshop(owner, ["Gesundheit", "Ehrenamt"])
    board = workshop.boards[0]
    amira, _token = factory.participant(workshop, "Amira")
    factory.idea(amira, board, "Ein Sprachcafé im Rathaus")
    spam_page = phone()
    join(spam_page, server, workshop, "Gesundheit", name="<b>Werbung</b>")
    for n in range(3):
        post(spam_page, f"Kauft Uhren {n}")
    # Sent, not only shown as waiting: an idea typed while the one before is on its way follows
    # it at once (the outbox once left it until the next reconnect).
    expect(spam_page.locator("[data-mine] .card-pending")).to_have_count(0, timeout=LIVE)
    expect(spam_page.locator("[data-mine] .card")).to_have_count(3)
    console = open_console(desktop, server, factory, owner, workshop)

    box = console.locator("[data-moderation]")
    rows = box.locator("[data-participant-id]")
    expect(rows).to_have_count(2, timeout=LIVE)
    spammer = rows.first
    expect(spammer).to_contain_text("<b>Werbung</b>")  # a name stays text
    expect(spammer).to_contain_text("3 Karten sichtbar, 0 ausgeblendet")
    assert box.locator("b").count() == 0

    spammer.get_by_role("button", name=re.compile("^Stummschalten: ")).click()
    expect(spammer.locator("[data-part=muted]")).to_be_visible(timeout=LIVE)
    expect(spammer.locator("[data-part=mute]")).to_have_text("Stummschaltung aufheben")
    post(spam_page, "Noch mehr Uhren")
    expect(spam_page.locator("[data-mine] .card", has_text="Noch mehr Uhren")).to_contain_text(
        "Die Moderation hat das Senden von diesem Handy angehalten", timeout=LIVE)

    spammer.get_by_role("button", name="Alle Karten ausblenden: <b>Werbung</b> (3 sichtbar)").click()
    cards = console.locator(".console-board .card", has_text="Kauft Uhren")
    expect(console.locator(".console-board .card-hidden", has_text="Kauft Uhren")).to_have_count(
        3, timeout=LIVE)
    expect(spammer).to_contain_text("0 Karten sichtbar, 3 ausgeblendet", timeout=LIVE)
    expect(console.locator(".console-board .card-hidden", has_text="Sprachcafé")).to_have_count(0)
    box.screenshot(path=str(tmp_path / "moderation.png"))

    undo = console.locator("[data-undo]")
    expect(undo).to_have_text(re.compile("Karten ausblenden"))
    undo.click()
    expect(console.locator(".console-board .card-hidden")).to_have_count(0, timeout=LIVE)
    expect(cards).to_have_count(3)

    # A selection: tick two cards, hide just those.
    for text in ("Kauft Uhren 0", "Kauft Uhren 2"):
        console.locator(".console-board .card", has_text=text).locator("[data-select]").check()
    hide_ticked = box.locator("[data-moderation-hide-selected]")
    expect(hide_ticked).to_have_text("Die 2 angekreuzten Karten ausblenden")
    hide_ticked.click()
    expect(console.locator(".console-board .card-hidden")).to_have_count(2, timeout=LIVE)
    expect(console.locator(".console-board .card-hidden", has_text="Kauft Uhren 1")).to_have_count(0)

    spammer.get_by_role("button", name=re.compile("^Stummschaltung aufheben: ")).click()
    expect(spammer.locator("[data-part=muted]")).to_be_hidden(timeout=LIVE)
    post(spam_page, "Entschuldigung")
    expect(console.locator(".console-board .card", has_text="Entschuldigung")).to_have_count(
        1, timeout=LIVE)


def test_a_phone_sending_too_fast_is_told_so_in_arabic_and_loses_no_idea(limited_server, phone,
                                                                        tmp_path):
    server = limited_server
    factory = server.factory()
    workshop = factory.workshop(boards=["Gesundheit"])
    factory.close()
    page = phone(locale="ar")
    join(page, server, workshop, "Gesundheit")
    page.locator("#lang-select").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl", timeout=LIVE)
    expect(page.locator("[data-idea-text]")).to_be_enabled(timeout=LIVE)
    texts = [f"فكرة {n}" for n in range(6)]
    for text in texts:
        post(page, text)
    # Past the burst of three: the phone says it is sending too fast and keeps the idea.
    expect(page.locator("[data-mine] .card").filter(
        has_text="أنت ترسل بسرعة كبيرة").first).to_be_visible(timeout=LIVE)
    page.locator("[data-mine]").screenshot(path=str(tmp_path / "throttled-ar.png"))
    for text in texts:
        expect(page.locator("[data-mine] .card", has_text=text)).to_have_count(1, timeout=30_000)
    expect(page.locator("[data-mine] .card-pending")).to_have_count(0, timeout=30_000)
    check = server.factory()
    assert check.count(Idea, workshop_id=workshop.id) == len(texts)
    check.close()
