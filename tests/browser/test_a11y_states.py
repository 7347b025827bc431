"""axe-core (WCAG 2.1 A/AA) on every screen state, in German and in Arabic (right-to-left):
phone, console and projector while collecting (with a hidden card scrolled into view), during a
dot round, during a consent check and with the results revealed; the start page and the
accessibility statement. One workshop per language walks through all states."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

LIVE = 10_000
AXE = Path(__file__).parent.parent / "vendor/axe-core/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
    }""", TAGS)


@pytest.fixture
def screens(browser):
    contexts = []

    def open_screen(width, height, locale):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                      bypass_csp=True)  # only so axe-core can be injected
        contexts.append(context)
        return context.new_page()
    yield open_screen
    for context in contexts:
        context.close()


def choose_language(page, url: str, code: str, lang: str) -> None:
    """The person's own choice on this device (kept in the session for every page after)."""
    page.goto(f"{url}/join/{code}")
    if page.locator("html").get_attribute("lang") != lang:
        page.locator("#lang-select").select_option(lang)
        expect(page.locator("html")).to_have_attribute("lang", lang, timeout=LIVE)


@pytest.mark.parametrize("lang, locale", [("de", "de-DE"), ("ar", "ar")])
def test_every_screen_state_passes_axe(live_server, live_make, screens, lang, locale):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Sprache", "Wohnen"], stakeholder_groups=())
    sprache = workshop.boards[0]
    author, _ = live_make.participant(workshop, "Amira")
    ideas = [live_make.idea(author, sprache, text) for text in
             ("Sprachcafé im Quartier", "Abendkurse mit Kinderbetreuung", "Frau Müller, Lindenstraße 3")]
    staff = live_server.staff(workshop, owner)
    assert staff.call("hide_idea", {"idea_id": ideas[2].id, "hidden": True})["ok"]
    failures = {}

    def check(name, page):
        found = axe(page)
        if found:
            failures[name] = found

    start = screens(360, 740, locale)
    start.goto(f"{live_server.url}/")
    expect(start.locator("html")).to_have_attribute("lang", lang)
    check("start", start)
    start.goto(f"{live_server.url}/accessibility")
    check("statement", start)

    phone = screens(360, 740, locale)
    phone.goto(f"{live_server.url}/join/{workshop.join_code}")
    check("join", phone)
    phone.goto(f"{live_server.url}/join/{workshop.join_code}?board={sprache.id}")
    phone.locator(".join-form button[type=submit]").click()
    expect(phone.locator("[data-others] .card")).to_have_count(2, timeout=LIVE)
    check("phone collecting", phone)

    console = screens(1280, 900, locale)
    choose_language(console, live_server.url, workshop.join_code, lang)
    secret = live_make.sign_in_secret(owner)
    console.goto(f"{live_server.url}/console/sign-in/{secret}?next=/console/{workshop.id}")
    hidden = console.locator(".console-board .card-hidden")
    expect(hidden).to_have_count(1, timeout=LIVE)
    hidden.scroll_into_view_if_needed()
    check("console with a hidden card in view", console)

    wall = screens(1920, 1080, locale)
    choose_language(wall, live_server.url, workshop.join_code, lang)
    wall.goto(f"{live_server.url}/screen/{workshop.screen_key}")
    expect(wall.locator(".wall-card")).to_have_count(2, timeout=LIVE)
    check("projector collecting", wall)

    # A dot round on the cards of "Sprache".
    assert staff.call("set_phase", {"board_ids": [], "phase": "prioritise"})["ok"]
    dots = staff.call("open_round", {"kind": "dots", "target_kind": "idea",
                                     "board_ids": [sprache.id], "dots_per_person": 2,
                                     "max_per_item": 2})["round_id"]
    assert staff.call("set_projector", {"view": "round", "target_id": dots})["ok"]
    expect(phone.locator("[data-vote-target]")).to_have_count(2, timeout=LIVE)
    phone.locator("[data-vote-target]").first.locator("[data-vote-plus]").click()
    expect(phone.locator("[data-vote-round] [data-part=left]")).to_contain_text(
        re.compile(r"1\D+2"), timeout=LIVE)
    check("phone dot round", phone)
    expect(console.locator("[data-run-round]")).to_have_count(1, timeout=LIVE)
    console.locator("[data-run-round]").first.scroll_into_view_if_needed()
    check("console dot round", console)
    check("projector dot round", wall)

    assert staff.call("update_round", {"round_id": dots,
                                       "settings": {"state": "closed", "revealed": True}})["ok"]
    assert staff.call("set_phase", {"board_ids": [], "phase": "results"})["ok"]
    expect(phone.locator("[data-vote-result]").first).to_be_visible(timeout=LIVE)
    check("phone results", phone)
    expect(wall.locator("[data-wall-result]").first).to_be_visible(timeout=LIVE)
    check("projector results", wall)
    check("console results", console)

    # A consent check, answered on the phone, then revealed.
    assert staff.call("set_phase", {"board_ids": [], "phase": "prioritise"})["ok"]
    consent = staff.call("open_round", {
        "kind": "consent", "board_ids": [sprache.id], "question": "Wer koordiniert?",
        "options": ["Die Freiwilligenagentur", "Jede Gemeinde selbst"],
        "passive_option": "Alles bleibt, wie es ist"})["round_id"]
    assert staff.call("set_projector", {"view": "round", "target_id": consent})["ok"]
    scale = phone.locator("[data-vote-option]").nth(1)
    expect(scale).to_be_visible(timeout=LIVE)
    scale.locator("label").nth(3).click()
    expect(scale.locator("[data-vote-saved]")).to_contain_text("3", timeout=LIVE)
    check("phone consent check", phone)
    check("projector consent check", wall)
    assert staff.call("update_round", {"round_id": consent,
                                       "settings": {"state": "closed", "revealed": True}})["ok"]
    expect(wall.locator("[data-wall-result]")).to_have_count(3, timeout=LIVE)
    check("projector consent results", wall)
    expect(phone.locator("[data-vote-result]")).to_have_count(2 + 3, timeout=LIVE)  # both rounds
    check("phone consent results", phone)
    console.locator("[data-run-tab=consent]").click()
    check("console consent results", console)
    staff.disconnect()
    assert failures == {}
