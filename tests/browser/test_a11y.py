"""Barriers found by hand, each kept fixed in real Chromium: what a screen-reader user hears
about their own card, a refusal, a board page without JavaScript, the consent scale on a 320 px
phone, the console at 200% zoom and at 320 px, hidden cards' buttons, and the accessibility
statement linked from every page. Then axe-core (WCAG 2.1 A/AA) on every screen state in
German and Arabic, and keyboard-only journeys for a participant and a facilitator. One module,
one live server."""
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from facilitator.domain import boards
from facilitator.models import Workshop

LIVE = 10_000
AXE = Path(__file__).parent.parent / "vendor/axe-core/axe.min.js"
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
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")
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
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")
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
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async ([part, tags]) => {
        const r = await axe.run(part ? {include: [part]} : document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
    }""", [part, AXE_TAGS])


# --- axe-core on every screen state ----------------------------------------------------------

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
    with console.expect_navigation():  # a sign-in link only works on a click
        console.click("[data-sign-in]")
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


# --- Keyboard only ---------------------------------------------------------------------------

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
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")

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
