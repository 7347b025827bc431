"""Barriers found by hand, each kept fixed in real Chromium: what a screen-reader user hears
about their own card, a refusal, a board page without JavaScript, the consent scale on a 320 px
phone, the console at 200% zoom and at 320 px, hidden cards' buttons, and the accessibility
statement linked from every page."""
import re

import pytest
from playwright.sync_api import expect

from facilitator.domain import boards

LIVE = 10_000
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def join(page, url: str, workshop, board) -> None:
    page.goto(f"{url}/join/{workshop.join_code}?board={board.id}")
    page.locator(".join-form button[type=submit]").click()
    expect(page.locator("[data-connection]")).to_have_attribute("data-state", "connected",
                                                                timeout=LIVE)


def post(page, text: str) -> None:
    page.locator("[data-idea-text]").fill(text)
    page.locator("[data-send]").click()


@pytest.fixture
def context(browser):
    contexts = []

    def open_page(width=360, height=740, locale="de-DE", **options):
        made = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                   **options)
        contexts.append(made)
        return made.new_page()
    yield open_page
    for made in contexts:
        made.close()


def sign_in(live_server, make, owner, path: str) -> str:
    return f"{live_server.url}/console/sign-in/{make.sign_in_secret(owner)}?next={path}"


def test_own_card_status_and_refusal_reach_the_live_region_and_are_heard_once(
        live_server, live_make, context):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Gesundheit"], stakeholder_groups=())
    board = workshop.boards[0]
    live_make.run(boards.update_settings, workshop.id, board.id, {"max_ideas_per_person": 1})
    author, neighbour = context(), context()
    for page in (author, neighbour):
        join(page, live_server.url, workshop, board)

    post(author, "Hausärzte aufs Land")
    status = author.get_by_role("status").filter(has_text=re.compile("^Gesendet$"))
    expect(status).to_have_count(1, timeout=LIVE)
    # In the accessibility tree: a status region whose text is the card's state.
    assert re.search(r"status: Gesendet$", author.locator("main").aria_snapshot(), re.M)

    # The neighbour hears the new idea (after the announcer's pause); the author never does.
    expect(neighbour.locator("[data-announcer]")).to_contain_text("Neue Idee: Hausärzte aufs Land",
                                                                  timeout=LIVE)
    author.wait_for_timeout(500)
    expect(author.locator("[data-announcer]")).not_to_contain_text("Hausärzte")

    # Over the limit: the refusal is said, not only drawn on the card.
    post(author, "Mehr Busse am Abend")
    refused = author.locator("[data-own-status]")
    expect(refused).to_contain_text("Nicht gesendet:", timeout=LIVE)
    expect(refused).to_contain_text("1 Ideen geschickt")


def test_without_javascript_the_board_page_explains_what_is_needed(live_server, live_make,
                                                                   context):
    workshop = live_make.workshop(boards=["Gesundheit"], stakeholder_groups=())
    page = context(java_script_enabled=False)
    page.goto(f"{live_server.url}/join/{workshop.join_code}?board={workshop.boards[0].id}")
    page.locator(".join-form button[type=submit]").click()
    expect(page.get_by_role("alert")).to_contain_text("braucht JavaScript")
    expect(page.locator("[data-connection]")).to_be_hidden()
    expect(page.locator("[data-mine-empty]")).to_be_hidden()
    expect(page.get_by_role("heading", name="Gesundheit")).to_be_visible()


def test_every_page_links_the_accessibility_statement_and_a_way_to_report(
        live_server, live_make, context):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Gesundheit"], stakeholder_groups=())
    page = context(1280, 800)
    for path in ("/", f"/join/{workshop.join_code}", "/privacy", "/console/login"):
        page.goto(live_server.url + path)
        expect(page.get_by_role("link", name="Barrierefreiheit")).to_be_visible()
        expect(page.get_by_role("link", name="Barriere melden")).to_be_visible()
    page.goto(sign_in(live_server, live_make, owner, f"/console/{workshop.id}"))
    page.get_by_role("link", name="Barriere melden").click()
    expect(page.get_by_role("heading", name="Erklärung zur Barrierefreiheit")).to_be_visible()
    expect(page.get_by_role("heading", name="Barriere melden")).to_be_visible()
    expect(page.locator("[data-accessibility-status]")).to_contain_text("teilweise")


def open_consent_round(live_server, owner, workshop, board) -> None:
    staff = live_server.staff(workshop, owner)
    assert staff.call("set_phase", {"board_ids": [], "phase": "prioritise"})["ok"]
    answer = staff.call("open_round", {
        "kind": "consent", "board_ids": [board.id], "question": "Wer koordiniert?",
        "options": ["Die Freiwilligenagentur", "Jede Gemeinde selbst"],
        "passive_option": "Alles bleibt, wie es ist"})
    assert answer["ok"], answer
    staff.disconnect()


def test_consent_scale_at_320_px_has_24_px_targets_and_saves_once_per_choice(
        live_server, live_make, context):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Ehrenamt"], stakeholder_groups=())
    board = workshop.boards[0]
    page = context(320, 640)
    sent = []
    page.on("websocket", lambda socket: socket.on(
        "framesent", lambda frame: sent.append(frame) if "rate_option" in str(frame) else None))
    join(page, live_server.url, workshop, board)
    open_consent_round(live_server, owner, workshop, board)
    scale = page.locator("[data-vote-option]").nth(1)
    expect(scale).to_be_visible(timeout=LIVE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    for box in [label.bounding_box() for label in scale.locator("label").all()]:
        assert box["width"] >= 24 and box["height"] >= 24, box

    # Keyboard: from 0 to 3 with the arrow keys is one choice, saved and announced once.
    scale.get_by_label(re.compile(r"^0\b")).focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    saved = scale.locator("[data-vote-saved]")
    expect(saved).to_have_text(re.compile(r"\b3\b.*Gespeichert"), timeout=LIVE)
    page.wait_for_timeout(1200)
    assert len(sent) == 1, sent
    # A tap saves at once.
    scale.locator("label").nth(7).click()
    expect(saved).to_have_text(re.compile(r"\b7\b"), timeout=LIVE)
    assert len(sent) == 2


def console_with_hidden_card(live_server, live_make, context, **options):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Gesundheit", "Wohnen"], stakeholder_groups=())
    participant, _ = live_make.participant(workshop)
    idea = live_make.idea(participant, workshop.boards[0], "Frau Müller, Lindenstraße 3")
    live_make.idea(participant, workshop.boards[0], "Mehr Hausärzte auf dem Land")
    staff = live_server.staff(workshop, owner)
    assert staff.call("hide_idea", {"idea_id": idea.id, "hidden": True})["ok"]
    staff.disconnect()
    page = context(**options)
    page.goto(sign_in(live_server, live_make, owner, f"/console/{workshop.id}"))
    card = page.locator(".console-board .card", has_text="Frau Müller")
    expect(card).to_have_class(re.compile("card-hidden"), timeout=LIVE)
    return page, card, workshop


def test_hidden_cards_buttons_keep_contrast_and_say_their_visible_label(
        live_server, live_make, context):
    page, card, _ = console_with_hidden_card(live_server, live_make, context, width=1280,
                                             height=800, bypass_csp=True)
    card.scroll_into_view_if_needed()
    assert axe(page, ".card-hidden") == []
    for button in card.get_by_role("button").all():
        if not button.is_visible():
            continue
        visible = button.inner_text().strip()
        name = button.get_attribute("aria-label") or visible
        assert visible.lower() in name.lower(), (visible, name)
    expect(card.get_by_role("button", name=re.compile("^Wieder einblenden"))).to_be_visible()


def test_console_at_320_px_does_not_scroll_sideways(live_server, live_make, context):
    page, _, _ = console_with_hidden_card(live_server, live_make, context, width=320, height=800)
    table = page.locator(".run-phases")
    table.scroll_into_view_if_needed()
    overflow = page.evaluate("""() => {
        const wide = (node) => node.scrollWidth - node.clientWidth;
        const table = document.querySelector('.run-phases');
        let box = table.parentElement, scrolls = 0;
        for (; box; box = box.parentElement) scrolls = Math.max(scrolls, wide(box));
        return {page: document.documentElement.scrollWidth - innerWidth, table: scrolls,
                right: table.getBoundingClientRect().right - innerWidth};
    }""")
    assert overflow["page"] <= 0 and overflow["table"] <= 1 and overflow["right"] <= 0, overflow


@pytest.mark.parametrize("width, height, zoom", [(640, 450, 2), (853, 600, 1.5)])
def test_console_zoomed_in_never_hides_the_focus_under_the_sticky_bar(
        live_server, live_make, context, width, height, zoom):
    # 200% and 150% zoom of a 1280×900 screen: fewer CSS pixels at a higher density.
    page, _, _ = console_with_hidden_card(live_server, live_make, context, width=width,
                                          height=height, device_scale_factor=zoom)
    covered = []
    for _ in range(260):
        page.keyboard.press("Tab")
        hidden = page.evaluate("""() => {
            const node = document.activeElement, bar = document.querySelector('[data-arrange-bar]');
            if (!node || node === document.body || !bar || bar.contains(node)) return null;
            const r = node.getBoundingClientRect(), b = bar.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) return null;
            const sticky = getComputedStyle(bar).position === 'sticky';
            return sticky && r.top < b.bottom && r.bottom > b.top ? node.outerHTML.slice(0, 80) : null;
        }""")
        if hidden:
            covered.append(hidden)
    assert covered == []


def axe(page, part: str | None = None) -> list[str]:
    from pathlib import Path
    page.add_script_tag(path=str(Path(__file__).parent.parent / "vendor/axe-core/axe.min.js"))
    return page.evaluate("""async ([part, tags]) => {
        const r = await axe.run(part ? {include: [part]} : document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
    }""", [part, AXE_TAGS])
