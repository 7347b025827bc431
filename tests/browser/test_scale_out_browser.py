"""The README's scale-out recipe in real Chromium: two server processes, one PostgreSQL database,
Redis between them (every announcement one Redis message, facilitator/message_queue.py). Phones
at one table on different processes, the console on one and the projector on the other see the
same cards live, and the console's moderation reaches a phone on the other process."""
import re

from playwright.sync_api import expect

from test_phone_journeys import (choose_table_and_join, post, sent, sign_in_url,
                                 small_phone)  # noqa: F401 - a fixture

LIVE = 10_000  # ms a live update may take to reach another screen


def test_phones_console_and_projector_on_two_processes_see_the_same_cards_live(
        cluster, desktop, small_phone):  # noqa: F811 - the fixture imported above
    a, b, make = cluster
    owner = make.facilitator()
    workshop = make.workshop(owner, ["Sprache und Bildung", "Wohnen"], stakeholder_groups=())
    console = desktop()
    console.goto(sign_in_url(b, make, owner, f"/console/{workshop.id}"))
    with console.expect_navigation():  # a sign-in link only works on a click
        console.click("[data-sign-in]")
    wall = desktop(1280, 720)
    wall.goto(f"{a.url}/screen/{workshop.screen_key}")
    on_a, on_b, elsewhere = small_phone(), small_phone(locale="ar"), small_phone()
    for page, server, table in ((on_a, a, "Sprache und Bildung"), (on_b, b, "Sprache und Bildung"),
                                (elsewhere, b, "Wohnen")):
        page.goto(f"{server.url}/join/{workshop.join_code}")
        choose_table_and_join(page, table)

    post(on_a, "Sprachcafé im Stadtteil")
    sent(on_a, "Sprachcafé im Stadtteil")
    post(on_b, "دورة لغة في المساء")
    sent(on_b, "دورة لغة في المساء")

    for text, other_phone in (("Sprachcafé im Stadtteil", on_b), ("دورة لغة في المساء", on_a)):
        expect(other_phone.locator("[data-others] .card", has_text=text)).to_have_count(
            1, timeout=LIVE)
        expect(console.locator(".console-board .card", has_text=text)).to_have_count(
            1, timeout=LIVE)
        expect(wall.locator(".wall-card", has_text=text)).to_have_count(1, timeout=LIVE)
    # A phone shows its own table's cards only.
    expect(elsewhere.locator(".card", has_text="Sprachcafé")).to_have_count(0)

    # The console (process B) hides a card: the projector (process A) and the table's other
    # phone take it down.
    console.locator(".console-board .card", has_text="Sprachcafé im Stadtteil").get_by_role(
        "button", name=re.compile("Hide|Ausblenden")).click()
    expect(wall.locator(".wall-card", has_text="Sprachcafé")).to_have_count(0, timeout=LIVE)
    expect(on_b.locator("[data-others] .card", has_text="Sprachcafé")).to_have_count(
        0, timeout=LIVE)
    expect(console.locator(".console-board .card-hidden", has_text="Sprachcafé")).to_have_count(1)
