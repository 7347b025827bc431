"""Help at the table and content in more languages, in real Chromium: a board translated by the
facilitator on an Arabic phone (the German original one tap away); the table host's journey
(invite, link, a card on behalf, paper cards beyond the cap, paper dots in a running vote) with
its sources and tallies in the console and the record; a card translation on the projector and in
the record, marked as a translation."""
import os
import re
from pathlib import Path

from playwright.sync_api import expect

from facilitator.domain import boards
from facilitator.models import Idea
from test_core_loop import run_axe  # same folder: pytest puts it on the path

LIVE = 10_000  # ms a live update may take to reach another screen
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"


def shot(page, name: str) -> None:
    """For the documentation, only when asked (DOCS_SCREENSHOTS=1)."""
    if os.environ.get("DOCS_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def signed_in(desktop, live_server, make, facilitator, path: str):
    page = desktop(bypass_csp=True)  # only so the test can inject axe-core
    page.goto(f"{live_server.url}/console/sign-in/{make.sign_in_secret(facilitator)}?next={path}")
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")
    return page


def sit_down(phone, live_server, workshop, board, language: str | None = None):
    page = phone(locale=f"{language}" if language else "de-DE", bypass_csp=True)
    page.goto(f"{live_server.url}/join/{workshop.join_code}")
    if language:
        page.locator("#lang-select").select_option(language)
        expect(page.locator("html")).to_have_attribute("lang", language, timeout=LIVE)
    page.locator(".join-form input[type=radio]").nth(
        [b.id for b in workshop.boards].index(board.id)).check()
    page.locator(".join-form button[type=submit]").click()
    expect(page.locator("[data-connection]")).to_have_attribute("data-state", "connected",
                                                                timeout=LIVE)
    return page


def record_text(page, live_server, workshop) -> str:
    page.goto(f"{live_server.url}/console/{workshop.id}/record")
    return page.locator("body").inner_text()


def test_board_translated_by_the_facilitator_reaches_an_arabic_phone_with_the_original_a_tap_away(
        live_server, live_make, desktop, phone):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Sprache und Bildung", "Arbeit"])
    board = workshop.boards[0]
    console = signed_in(desktop, live_server, live_make, owner,
                        f"/console/{workshop.id}/translations?lang=ar")
    console.locator(f"[data-translation='board.{board.id}.title']").fill("اللغة والتعليم")
    console.locator(f"[data-translation='board.{board.id}.question']").fill(
        "ماذا نحتاج للغة والتعليم؟")
    console.locator("[data-translations-form] button[type=submit]").click()
    expect(console.locator(".flash-info")).to_have_text("Übersetzungen gespeichert.")
    assert run_axe(console) == []
    shot(console, "console-translations")

    arabic = sit_down(phone, live_server, workshop, board, "ar")
    title, question = arabic.locator("[data-board-title]"), arabic.locator("[data-board-question]")
    expect(title).to_have_text("اللغة والتعليم", timeout=LIVE)
    expect(question).to_have_text("ماذا نحتاج للغة والتعليم؟")
    original = arabic.locator("[data-show-original]")
    expect(original).to_contain_text("Deutsch")
    assert run_axe(arabic) == []
    shot(arabic, "phone-board-translated-ar")
    original.click()
    expect(title).to_have_text("Sprache und Bildung")
    expect(title).to_have_attribute("lang", "de")
    expect(question).to_have_text("Was brauchen wir für „Sprache und Bildung“?")
    original.click()
    expect(title).to_have_text("اللغة والتعليم")

    # A German phone at the same table sees the original and no button.
    german = sit_down(phone, live_server, workshop, board)
    expect(german.locator("[data-board-title]")).to_have_text("Sprache und Bildung", timeout=LIVE)
    expect(german.locator("[data-original-row]")).to_be_hidden()


def test_table_host_journey_ends_with_sources_and_tallies_in_console_and_record(
        live_server, live_make, desktop, phone):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Sprache", "Arbeit"])
    board, other_board = workshop.boards
    live_make.run(boards.update_settings, workshop.id, board.id, {"max_ideas_per_person": 1})

    # The facilitator invites a host for the first table and hands over the link.
    console = signed_in(desktop, live_server, live_make, owner, f"/console/{workshop.id}")
    console.locator("[data-hosts-link]").click()
    console.locator("#host-board").select_option(str(board.id))
    console.locator("#host-name").fill("Amal")
    console.locator("[data-invite-form] button[type=submit]").click()
    link = console.locator("[data-host-link]").inner_text()
    console.goto(f"{live_server.url}/console/{workshop.id}")

    host = phone(bypass_csp=True)
    host.goto(link)
    expect(host.locator("h1")).to_have_text("Sprache")
    form = host.locator("[data-host-card-form]")
    form.locator("textarea").fill("Mehr Abendkurse für Eltern")  # on behalf: the default
    form.locator("button[type=submit]").click()
    expect(host.locator(".flash-info")).to_have_text("Karte hinzugefügt.")
    for text in ("Papier: Kinderbetreuung", "Papier: Sprachcafé"):  # beyond the cap of 1
        form.get_by_label("Papierkarte").check()
        form.locator("textarea").fill(text)
        form.locator("button[type=submit]").click()
        expect(host.locator(".flash-info")).to_have_text("Karte hinzugefügt.")
    expect(host.locator("[data-host-card]")).to_have_count(3)
    assert run_axe(host) == []

    cards = console.locator(".card[data-idea-id]")
    expect(cards).to_have_count(3, timeout=LIVE)
    on_behalf = cards.filter(has_text="Mehr Abendkurse für Eltern")
    expect(on_behalf.locator("[data-card-source]")).to_have_text("stellvertretend")
    expect(cards.filter(has_text="Papier: Sprachcafé").locator("[data-card-source]")).to_have_text(
        "Papierkarte")

    # A host may not touch another table: refused on the server, whatever the page offers.
    elsewhere = live_make.run(_post_as_phone, live_make, workshop, other_board)
    response = host.request.post(
        f"{live_server.url}/table/{other_board.id}/cards/{elsewhere}/hide",
        form={"hidden": "1", "csrf_token": host.locator("[name=csrf_token]").first.input_value()})
    assert response.status == 404
    assert live_make.fresh(Idea, elsewhere).state == "visible"

    # A dot vote runs on the cards; a phone votes, the host adds the dots from the paper.
    voter = sit_down(phone, live_server, workshop, board)
    opened = console.evaluate("""async (boardId) => {
        const { request } = await import("/static/js/console_state.js");
        await request("set_phase", { board_ids: [boardId], phase: "prioritise" });
        return request("open_round", { kind: "dots", target_kind: "idea", board_ids: [boardId],
            dots_per_person: 3, max_per_item: 3 });
    }""", board.id)
    assert opened["ok"] is True, opened
    round_id = opened["round_id"]
    behalf_id = int(on_behalf.get_attribute("data-idea-id"))
    expect(voter.locator("[data-vote-target]")).to_have_count(3, timeout=LIVE)
    voter.locator("[data-vote-target]", has=voter.locator(".vote-label", has_text="Abendkurse")
                  ).locator("[data-vote-plus]").click()
    host.reload()
    dots = host.locator(f"[data-paper-dots='{round_id}']")
    dots.locator("select").select_option(str(behalf_id))
    dots.locator("input[name=count]").fill("5")
    dots.locator("button[type=submit]").click()
    expect(host.locator(".flash-info")).to_have_text("Papierpunkte hinzugefügt.")
    expect(host.locator("[data-paper-dots-added]")).to_contain_text("5")
    shot(host, "table-host")

    closed = console.evaluate("""async (roundId) => {
        const { request } = await import("/static/js/console_state.js");
        return request("update_round", { round_id: roundId,
            settings: { state: "closed", revealed: true } });
    }""", round_id)
    assert closed["ok"] is True, closed
    result = console.locator(f"[data-run-round='{round_id}'] [data-run-result]").filter(
        has_text="Mehr Abendkurse für Eltern")
    expect(result.locator("[data-result-value]")).to_have_text("6", timeout=LIVE)
    shot(console, "console-card-sources")

    text = record_text(console, live_server, workshop)
    assert re.search(r"Mehr Abendkurse für Eltern.*\[stellvertretend\]", text)
    assert re.search(r"Papier: Kinderbetreuung.*\[Papierkarte\]", text)
    assert re.search(r"Papier: Sprachcafé.*\[Papierkarte\]", text)
    assert re.search(r"Mehr Abendkurse für Eltern\s*6", text), text


def _post_as_phone(session, make, workshop, board) -> int:
    from facilitator.domain import ideas, participants
    participant, _ = participants.join(session, workshop, None, None)
    return ideas.post_idea(session, participant, board.id, "phone-card-elsewhere",
                           "Am anderen Tisch").idea.id


def test_card_translation_shows_on_projector_and_in_record_marked_as_translation(
        live_server, live_make, desktop, phone):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Sprache"])
    board = workshop.boards[0]
    arabic = sit_down(phone, live_server, workshop, board, "ar")
    arabic.locator("[data-idea-text]").fill("مزيد من دورات اللغة في المساء")
    arabic.locator("[data-send]").click()
    wall = desktop(1280, 800)
    wall.goto(f"{live_server.url}/screen/{workshop.screen_key}")
    expect(wall.locator("[data-card]")).to_have_count(1, timeout=LIVE)

    # The facilitator opens the table's page (as a host would) and translates the card.
    table = signed_in(desktop, live_server, live_make, owner, f"/table/{board.id}")
    card = table.locator("[data-host-card]").first
    card.locator("summary").click()
    card.locator("select[name=lang]").select_option("de")
    card.locator("textarea[name=text]").fill("Mehr Sprachkurse am Abend")
    card.locator("button[value=save]").click()
    expect(table.locator(".flash-info")).to_have_text("Übersetzung gespeichert.")
    # A new card from a phone: the host's page offers a refresh instead of reloading itself.
    expect(table.locator("[data-changes]")).to_be_hidden()
    arabic.locator("[data-idea-text]").fill("حديقة للأطفال")
    arabic.locator("[data-send]").click()
    expect(table.locator("[data-changes]")).to_be_visible(timeout=LIVE)

    translation = wall.locator("[data-card] [data-card-translation]").first
    expect(translation).to_have_text("Übersetzung: Mehr Sprachkurse am Abend", timeout=LIVE)
    expect(translation).to_have_attribute("lang", "de")
    expect(wall.locator("[data-card]", has=wall.locator("[data-card-translation]"))).to_contain_text(
        "مزيد من دورات اللغة في المساء")
    shot(wall, "projector-card-translation")

    text = record_text(table, live_server, workshop)
    assert re.search(r"مزيد من دورات اللغة في المساء.*\(Übersetzung, de: Mehr Sprachkurse am "
                     r"Abend\)", text), text

    # The console's setting: the projector adds a second language under the board's title.
    table.goto(f"{live_server.url}/console/{workshop.id}/translations?lang=ar")
    table.locator(f"[data-translation='board.{board.id}.title']").fill("اللغة")
    table.locator("[data-translations-form] button[type=submit]").click()
    table.locator("#projector-language").select_option("ar")
    table.locator("#projector-language ~ button[type=submit]").click()
    expect(table.locator(".flash-info")).to_have_text("Sprache des Beamers gespeichert.")
    second = wall.locator("[data-title-second]")
    expect(second).to_have_text("اللغة", timeout=LIVE)
    expect(second).to_have_attribute("lang", "ar")
    expect(wall.locator("[data-title]")).to_have_text("Sprache")


def test_shared_tablet_posts_anonymous_cards_in_turn_and_keeps_none_on_the_device(
        live_server, live_make, desktop, phone):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Wohnen"])
    board = workshop.boards[0]
    live_make.run(boards.update_settings, workshop.id, board.id, {"max_ideas_per_person": 1})
    console = signed_in(desktop, live_server, live_make, owner, f"/console/{workshop.id}/hosts")
    console.locator("#host-role").select_option("tablet")
    console.locator("[data-invite-form] button[type=submit]").click()
    link = console.locator("[data-host-link]").inner_text()
    assert run_axe(console) == []

    tablet = phone(bypass_csp=True)
    tablet.goto(link)
    for text in ("Bezahlbare Wohnungen", "Mehr Spielplätze"):  # two people, one device
        tablet.locator("[data-tablet-form] textarea").fill(text)
        tablet.locator("[data-tablet-form] button[type=submit]").click()
        expect(tablet.locator(".flash-info")).to_contain_text("Danke!")
        expect(tablet.locator("[data-tablet-form] textarea")).to_have_value("")
        assert text not in tablet.locator("main").inner_text()
    assert run_axe(tablet) == []
    shot(tablet, "shared-tablet")
    # The tablet may only post: a host's page and actions stay closed to it.
    expect(tablet.locator("[data-host-card]")).to_have_count(0)

    console.goto(f"{live_server.url}/console/{workshop.id}")
    cards = console.locator(".card[data-idea-id]")
    expect(cards).to_have_count(2, timeout=LIVE)
    for index in range(2):
        expect(cards.nth(index).locator("[data-card-source]")).to_have_text("gemeinsames Tablet")
        expect(cards.nth(index).locator("[data-author]")).to_have_text("anonym")
