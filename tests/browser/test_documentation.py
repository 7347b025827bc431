"""In real Chromium: the facilitator writes the documentation's own sections in the console
(some filled, some left empty), sees what is still empty, and the record then has the filled
sections and not the empty ones; the action-plan fields of a measure; then the results go back to
the participants: a German and an Arabic phone find the results page from their board, the
projector shows its QR code, and a hidden card never appears."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from facilitator.domain import clusters, measures, phases, voting
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.voting import RoundSpec
from facilitator.models import Measure, VoteRound

LIVE = 10_000
AXE = Path(__file__).parent.parent / "vendor/axe-core/axe.min.js"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SUMMARY = "Kurse müssen zu Arbeitszeiten und Kinderbetreuung passen."
NEXT = "Die Steuerungsgruppe berät die Maßnahmen am 12. März."
CONTACT = "Stabsstelle Integration, Tel. 05931 44-0"
QUOTE = "Deutsch lernen geht nur, wenn die Kinder versorgt sind"
HIDDEN = "Herr Müller von nebenan ist schuld"
ARABIC = "دورات لغة في المساء للعاملين"
FINAL_SET = "Endgültige Reihenfolge von Hand festgelegt"
REASON = "Erst die Kinderbetreuung, dann alles andere."


def shot(page, name: str) -> None:
    if os.environ.get("DOCS_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.fixture(scope="module")
def event(live_server):
    """A workshop with cards (one hidden), a revealed dot round and a measure."""
    make = live_server.factory()
    owner = make.facilitator()
    workshop = make.workshop(owner, ["Sprache", "Arbeit"])
    sprache, arbeit = workshop.boards
    phone, _ = make.participant(workshop)
    quote = make.idea(phone, sprache, QUOTE)
    arabic = make.idea(phone, sprache, ARABIC)
    hidden = make.idea(phone, sprache, HIDDEN)
    make.idea(phone, arbeit, "Jobmesse mit Dolmetschenden")
    make.run(clusters.set_hidden, workshop.id, owner.id, hidden.id, True)
    round_ = make.run(voting.open_round, workshop.id, RoundSpec(
        kind="dots", target_kind="idea", board_ids=[sprache.id], question="Was zuerst?"))
    for card in (quote, arabic):
        make.run(voting.place_dot, phone, round_.id, card.id, f"dot-{card.id}-0000")
    make.run(voting.update_round, workshop.id, round_.id, {"state": "closed", "revealed": True})
    make.run(measures.save_measure, workshop.id, owner.id, MeasureSpec(
        title="Kurse mit Kinderbetreuung", board_id=sprache.id))
    yield make, owner, workshop
    make.close()


def run_axe(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA rules on the page."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const r = await axe.run(document,
            {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
    }""")


def sign_in(desktop, live_server, make, owner, path: str):
    page = desktop(bypass_csp=True)  # for axe-core, added as an inline script
    page.goto(f"{live_server.url}/console/sign-in/{make.sign_in_secret(owner)}?next={path}")
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")
    return page


def test_documentation_journey_filled_sections_in_the_record_empty_ones_listed_and_absent(
        live_server, desktop, event):
    make, owner, workshop = event
    sprache, arbeit = workshop.boards
    page = sign_in(desktop, live_server, make, owner, f"/console/{workshop.id}")
    page.get_by_role("link", name="Dokumentation schreiben").click()
    expect(page.locator("h1")).to_contain_text("Dokumentation")
    still_empty = page.locator("[data-still-empty]")
    expect(still_empty.locator("[data-missing=next_steps]")).to_contain_text("(erwartet)")

    page.locator("#field-contact").fill(CONTACT)
    page.locator("#field-next_steps").fill(NEXT)
    page.locator("[name=programme-0-time]").fill("10:00–10:30")
    page.locator("[name=programme-0-title]").fill("Begrüßung durch die Landrätin")
    page.locator(f"#field-board-{sprache.id}-summary").fill(SUMMARY)
    page.get_by_label(QUOTE).check()
    # A hidden card is not offered as a quote.
    expect(page.locator(f"#field-board-{sprache.id}-quotes")).not_to_contain_text(HIDDEN)
    page.get_by_role("button", name="Dokumentation speichern").click()

    expect(page.locator(".flash")).to_contain_text("Dokumentation gespeichert")
    for filled in ("next_steps", "contact", "programme", f"summary-{sprache.id}",
                   f"quotes-{sprache.id}"):
        expect(still_empty.locator(f"[data-missing={filled}]")).to_have_count(0)
    for empty in ("use_of_results", "foreword", f"summary-{arbeit.id}", f"dissent-{sprache.id}"):
        expect(still_empty.locator(f"[data-missing={empty}]")).to_have_count(1)
    expect(page.locator(f"#field-board-{sprache.id}-summary")).to_have_value(SUMMARY)
    shot(page, "documentation-console.png")
    assert run_axe(page) == []

    page.get_by_role("link", name="Vorschau der Dokumentation").click()
    record = page.locator("main")
    for text in (CONTACT, NEXT, SUMMARY, QUOTE, "Begrüßung durch die Landrätin", "Impressum",
                 "Zusammenfassung der Moderation", "Programm (wie geplant)"):
        expect(record).to_contain_text(text)
    for absent in ("Vorwort", "Umgang mit den Ergebnissen", "Dissens", "Offene Fragen",
                   "Einfacher Sprache", "Bitte ergänzen", HIDDEN):
        expect(record).not_to_contain_text(absent)

    # A final order that differs from the vote says why (typed in the round's final-order part).
    page.goto(f"{live_server.url}/console/{workshop.id}")
    round_card = page.locator("[data-run-round]").first
    round_card.locator(".run-final summary").click()
    expect(round_card.locator("[data-run-final]")).to_have_count(2, timeout=LIVE)
    round_card.locator("[data-run-final]").first.locator("[data-focus-key$='-down']").click()
    round_card.get_by_label("Warum weicht die Reihenfolge").fill(REASON)
    round_card.locator("[data-part=final-save]").click()
    # "Not saved yet" while a draft, the saved state once the server answered.
    expect(round_card.locator("[data-part=final-status]")).to_have_text(FINAL_SET, timeout=LIVE)
    with live_server.session() as session:
        assert session.query(VoteRound).filter_by(workshop_id=workshop.id).one(
        ).final_order_reason == REASON

    # The action plan of a measure, in the console's measures form.
    page.locator("[data-run-tab=measures]").click()
    item = page.locator("[data-run-measure-id]")
    expect(item).to_have_count(1, timeout=LIVE)
    item.get_by_role("button", name=re.compile("Bearbeiten")).click()
    page.locator(".run-action-plan summary").click()
    page.locator("#run-measure-due").fill("2026-09-01")
    page.locator("#run-measure-status").select_option("in_progress")
    page.locator("#run-measure-indicator").fill("3 Standorte mit Kinderbetreuung")
    page.locator("#run-measure-cost").fill("40.000 € im Jahr")
    page.locator("[data-run-measure-save]").click()
    expect(page.locator("[data-run-measure-form-title]")).to_have_text("Neue Maßnahme",
                                                                        timeout=LIVE)
    with live_server.session() as session:
        saved = session.query(Measure).filter_by(workshop_id=workshop.id).one()
        assert (saved.due_date, saved.status, saved.indicator, saved.cost) == (
            "2026-09-01", "in_progress", "3 Standorte mit Kinderbetreuung", "40.000 € im Jahr")


def test_results_page_on_a_german_and_an_arabic_phone_and_the_projector_qr(
        live_server, desktop, phone, event):
    make, owner, workshop = event
    sprache = workshop.boards[0]
    results = f"{live_server.url}/w/{workshop.join_code}/results"
    german = phone(bypass_csp=True)
    german.goto(f"{live_server.url}/join/{workshop.join_code}?board={sprache.id}")
    german.locator(".join-form button[type=submit]").click()
    expect(german.locator("[data-vote-phase]")).not_to_have_text("", timeout=LIVE)
    expect(german.locator("[data-results-link]")).to_be_hidden()
    assert german.request.get(results).status == 404  # not published yet

    wall = desktop(1920, 1080)
    wall.goto(f"{live_server.url}/screen/{workshop.screen_key}")
    make.run(phases.set_projector, workshop.id, "measures")
    console = sign_in(desktop, live_server, make, owner, f"/console/{workshop.id}/documentation")
    console.locator("[data-publish-results]").click()
    expect(console.locator("[data-results-state=published]")).to_be_visible()
    # The projector's results view shows the QR code to the results page (live, no reload).
    qr = wall.locator("[data-results-qr]")
    expect(qr).to_be_visible(timeout=LIVE)
    expect(qr.locator("img")).to_have_attribute("src", re.compile(r"/results\.svg$"))
    assert wall.request.get(f"{live_server.url}/qr/{workshop.join_code}/results.svg").ok

    # The phone open on its board shows the link without a reload.
    german.locator("[data-results-link]").click()
    expect(german.locator("h1")).to_have_text("Ergebnisse des Workshops")
    page = german.locator("main")
    for text in (SUMMARY, NEXT, QUOTE, ARABIC, "Kurse mit Kinderbetreuung", "Was zuerst?",
                 REASON):
        expect(page).to_contain_text(text)
    expect(page).not_to_contain_text(HIDDEN)
    expect(german.locator("[data-result-row]")).to_have_count(2)
    shot(german, "results-phone-de.png")
    assert run_axe(german) == []

    arabic = phone(locale="ar", bypass_csp=True)
    arabic.goto(f"{live_server.url}/join/{workshop.join_code}?board={sprache.id}")
    arabic.locator("#lang-select").select_option("ar")
    expect(arabic.locator("html")).to_have_attribute("dir", "rtl")
    arabic.locator(".join-form button[type=submit]").click()
    arabic.locator("[data-results-link]").click()
    expect(arabic.locator("html")).to_have_attribute("dir", "rtl")
    expect(arabic.locator("h1")).to_have_text("نتائج ورشة العمل")
    expect(arabic.locator("main")).to_contain_text(ARABIC)
    expect(arabic.locator("main")).not_to_contain_text(HIDDEN)
    shot(arabic, "results-phone-ar.png")
    assert run_axe(arabic) == []

    # Closing it again: gone for phones.
    console.get_by_role("button", name="Ergebnisseite wieder schließen").click()
    assert german.request.get(results).status == 404
