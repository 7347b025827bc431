"""End to end in real Chromium: the facilitator moves the boards into "prioritise", runs a dot
vote on three phones and a consent check, places clusters on the impact/effort matrix, makes a
measure — and the projector shows each result, hidden tallies never before they are revealed."""
import re
from pathlib import Path

from playwright.sync_api import expect

from facilitator.domain import clusters
from facilitator.models import Vote

LIVE = 10_000  # ms a live update may take to reach another screen
AXE = Path(__file__).parent.parent / "vendor/axe-core/axe.min.js"


def console_url(live_server, make, facilitator, workshop) -> str:
    secret = make.sign_in_secret(facilitator)
    return f"{live_server.url}/console/sign-in/{secret}?next=/console/{workshop.id}"


def open_console(desktop, live_server, make, facilitator, workshop, **options):
    page = desktop(**options)
    page.goto(console_url(live_server, make, facilitator, workshop))
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")
    expect(page.locator("[data-run-phases] tr")).to_have_count(len(workshop.boards) + 1, timeout=LIVE)
    return page


def open_wall(desktop, live_server, workshop, width=1920, height=1080, **options):
    wall = desktop(width, height, **options)
    wall.goto(f"{live_server.url}/screen/{workshop.screen_key}")
    return wall


def join(phone, live_server, workshop, board, **options):
    """A phone scans the table's QR code (the board is chosen already) and joins."""
    page = phone(**options)
    page.goto(f"{live_server.url}/join/{workshop.join_code}?board={board.id}")
    page.locator(".join-form button[type=submit]").click()
    expect(page.locator("[data-vote-phase]")).to_contain_text(re.compile(r"1\D+4"), timeout=LIVE)
    return page


def set_phase(console, phase: str, board="all") -> None:
    console.locator(f"[data-run-phase-board='{board}'] [data-phase={phase}]").click()
    expect(console.locator(f"[data-run-phase-board='{board}'] [data-phase={phase}]")).to_have_attribute(
        "aria-pressed", "true", timeout=LIVE)


def target(page, label: str):
    return page.locator("[data-vote-target]", has=page.locator(".vote-label", has_text=label))


def plus(page, label: str):
    target(page, label).locator("[data-vote-plus]").click()


def wall_rows(wall):
    return wall.locator("[data-wall-result]")


def run_axe(page, part: str | None = None) -> list[str]:
    """axe-core's WCAG 2.1 A/AA rules on the page, or on one part of it (a CSS selector)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async (part) => {
        const r = await axe.run(part ? {include: [part]} : document,
            {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
    }""", part)


def test_dot_voting_with_three_phones_ends_in_the_ranking_on_the_projector(
        live_server, live_make, desktop, phone):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Sprache", "Arbeit"])
    sprache = workshop.boards[0]
    author, _ = live_make.participant(workshop, "Amira")
    for text in ("Sprachcafé", "Abendkurse", "Lernpaten", "Kita während der Kurse"):
        live_make.idea(author, sprache, text)
    live_make.idea(author, workshop.boards[1], "Praktikumsbörse")
    # bypass_csp only so the test can inject axe-core; the pages never need inline scripts.
    console = open_console(desktop, live_server, live_make, owner, workshop, bypass_csp=True)
    wall = open_wall(desktop, live_server, workshop, bypass_csp=True)
    phones = [join(phone, live_server, workshop, sprache, bypass_csp=True) for _ in range(3)]

    # Every board into "prioritise": phones stop offering the composer.
    set_phase(console, "prioritise")
    for page in phones:
        expect(page.locator("[data-vote-phase]")).to_contain_text(re.compile(r"3\D+4"), timeout=LIVE)
        expect(page.locator("[data-composer]")).to_be_hidden()
        expect(page.locator("[data-vote-empty]")).to_be_visible()

    # A round on the cards of "Sprache": nothing is ticked until the facilitator ticks it; the
    # console then suggests a third of the 4 options and says where the round opens.
    form = console.locator("[data-run-dots-form]")
    expect(form.locator("[data-run-board-pick]:checked")).to_have_count(0)
    expect(form.locator("[data-run-scope-summary]")).not_to_contain_text("Sprache")
    form.get_by_label("Sprache", exact=True).check()
    expect(form.locator("[data-run-scope-summary]")).to_contain_text("Sprache")
    expect(form.locator("[data-run-scope-summary]")).not_to_contain_text("Arbeit")
    expect(form.locator("[data-run-option-count]")).to_contain_text("4")
    expect(form.locator("[data-run-suggestion]")).to_contain_text(re.compile(r"\b1\b.*\b4\b"))
    expect(form.locator("#run-dots-budget")).to_have_value("1")
    form.locator("#run-dots-budget").fill("3")
    form.locator("#run-dots-cap").fill("2")
    form.locator("[data-run-own][value=no]").check()
    form.locator("button[type=submit]").click()
    round_card = console.locator("[data-run-round]").first
    expect(round_card.locator("[data-part=voters]")).to_contain_text(re.compile(r"\b0\D+3\b"), timeout=LIVE)

    first, second, third = phones
    for page in phones:
        expect(page.locator("[data-vote-target]")).to_have_count(4, timeout=LIVE)
        # The own-cards rule and the budget are stated before anyone votes.
        rules = page.locator("[data-vote-round] .vote-rules")
        expect(rules).to_contain_text("3")
        expect(rules.locator("li")).to_have_count(4)
        expect(page.locator("[data-vote-round] [data-part=left]")).to_contain_text(re.compile(r"3\D+3"))

    # Phone one: two dots on a card, a third on it is over the cap; then the budget runs out.
    plus(first, "Sprachcafé")
    expect(target(first, "Sprachcafé").locator("[data-vote-count]")).to_contain_text("1", timeout=LIVE)
    plus(first, "Sprachcafé")
    expect(target(first, "Sprachcafé").locator("[data-vote-count]")).to_contain_text("2", timeout=LIVE)
    plus(first, "Sprachcafé")
    cap_error = target(first, "Sprachcafé").get_by_role("alert")
    expect(cap_error).to_be_visible(timeout=LIVE)
    expect(cap_error).to_contain_text(re.compile(r"\b2\b"))
    plus(first, "Abendkurse")
    expect(first.locator("[data-vote-round] [data-part=left]")).to_contain_text(re.compile(r"\b0\D+3"), timeout=LIVE)
    plus(first, "Lernpaten")
    budget_error = target(first, "Lernpaten").get_by_role("alert")
    expect(budget_error).to_be_visible(timeout=LIVE)
    expect(budget_error).to_contain_text(re.compile(r"\b3\b"))
    expect(target(first, "Lernpaten").locator("[data-vote-count]")).to_contain_text("0")
    # The label a screen reader hears carries the item and the count.
    expect(target(first, "Sprachcafé").locator("[data-vote-plus]")).to_have_attribute(
        "aria-label", re.compile(r"Sprachcafé.*2"))
    # Taking a dot back frees it again.
    target(first, "Abendkurse").locator("[data-vote-minus]").click()
    expect(first.locator("[data-vote-round] [data-part=left]")).to_contain_text(re.compile(r"\b1\D+3"), timeout=LIVE)
    plus(first, "Abendkurse")
    expect(first.locator("[data-vote-round] [data-part=left]")).to_contain_text(re.compile(r"\b0\D+3"), timeout=LIVE)

    for page, choices in ((second, ["Sprachcafé", "Abendkurse", "Abendkurse"]),
                          (third, ["Sprachcafé", "Lernpaten", "Kita während der Kurse"])):
        for index, label in enumerate(choices):
            given = choices[:index + 1].count(label)
            plus(page, label)
            expect(target(page, label).locator("[data-vote-count]")).to_contain_text(
                re.compile(rf"\b{given}$"), timeout=LIVE)
            expect(page.locator("[data-vote-round] [data-part=left]")).to_contain_text(
                re.compile(rf"\b{2 - index}\D+3"), timeout=LIVE)
    assert live_make.count(Vote) == 9
    assert run_axe(first) == []

    # Everyone voted; nobody sees who voted for what, and hidden tallies stay hidden everywhere.
    expect(round_card.locator("[data-part=voters]")).to_contain_text(re.compile(r"\b3\D+3\b"), timeout=LIVE)
    round_card.locator("[data-run-project-round]").click()
    expect(wall.locator("[data-wall-view]")).to_be_visible(timeout=LIVE)
    expect(wall.locator(".wall-options li")).to_have_count(4)
    expect(wall.locator(".wall-view-voters")).to_contain_text(re.compile(r"\b3\D+3\b"))
    assert wall_rows(wall).count() == 0
    assert first.locator("[data-vote-total]:visible").count() == 0

    # Close, then reveal: the ranking with ties, on the projector and the phones.
    round_card.locator("[data-part=toggle]").click()
    expect(first.locator("[data-vote-plus]").first).to_be_disabled(timeout=LIVE)
    round_card.locator("[data-part=reveal]").click()
    expect(wall_rows(wall)).to_have_count(4, timeout=LIVE)
    expected = [("1", "Sprachcafé", "4"), ("2", "Abendkurse", "3"), ("3=", "Lernpaten", "1"),
                ("3=", "Kita während der Kurse", "1")]
    for index, (rank, label, dots) in enumerate(expected):
        row = wall_rows(wall).nth(index)
        expect(row.locator(".results-rank")).to_contain_text(rank)
        expect(row.locator(".results-item")).to_have_text(label)
        expect(row.locator(".results-value")).to_have_text(dots)
    expect(wall_rows(wall).nth(2).locator(".results-tie")).to_be_visible()
    expect(second.locator("[data-vote-result]")).to_have_count(4, timeout=LIVE)
    expect(second.locator("[data-vote-result]").first).to_contain_text("Sprachcafé")
    assert run_axe(wall) == []
    assert run_axe(second) == []
    # Revealed, the console opens its result table too.
    expect(round_card.locator("[data-run-result]")).to_have_count(4)
    expect(round_card.locator("[data-run-result]").first).to_be_visible()
    assert run_axe(console, "[data-run-panel]") == []

    # A final order set by hand with the keyboard is kept beside the votes.
    round_card.locator(".run-final summary").click()
    final = round_card.locator("[data-run-final]")
    expect(final).to_have_count(4)
    down = final.first.locator("[data-focus-key$='-down']")
    down.focus()
    console.keyboard.press("Enter")
    expect(final.nth(1)).to_contain_text("Sprachcafé")
    expect(console.locator("[data-focus-key$='-down']:focus")).to_have_count(1)
    round_card.locator("[data-part=final-save]").click()
    expect(wall_rows(wall).nth(0).locator(".results-item")).to_have_text("Abendkurse", timeout=LIVE)
    expect(wall_rows(wall).nth(1).locator(".results-item")).to_have_text("Sprachcafé")
    expect(wall_rows(wall).nth(1).locator(".results-value")).to_have_text("4")

    # Results phase: the phone shows the revealed ranking for its board.
    set_phase(console, "results")
    expect(third.locator("[data-vote-result]")).to_have_count(4, timeout=LIVE)
    expect(third.locator("[data-vote-plus]")).to_have_count(0)


def test_consent_check_shows_least_resistance_first_only_after_reveal(
        live_server, live_make, desktop, phone):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Ehrenamt"])
    console = open_console(desktop, live_server, live_make, owner, workshop)
    wall = open_wall(desktop, live_server, workshop, 1280, 720)
    phones = [join(phone, live_server, workshop, workshop.boards[0]) for _ in range(2)]

    console.locator("[data-run-tab=consent]").click()
    form = console.locator("[data-run-consent-form]")
    passive = form.locator("[data-run-passive]")
    expect(passive).not_to_have_value("")
    passive_text = passive.input_value()
    form.locator("#run-consent-question").fill("Wer koordiniert die Ehrenamtskarte?")
    form.locator("[data-run-option]").nth(0).fill("Die Freiwilligenagentur")
    form.locator("[data-run-option]").nth(1).fill("Jede Gemeinde selbst")
    form.locator("button[type=submit]").click()
    card = console.locator("[data-run-rounds=consent] [data-run-round]").first
    expect(card).to_be_visible(timeout=LIVE)
    card.locator("[data-run-project-round]").click()

    ratings = [{0: 6, 1: 1, 2: 8}, {0: 7, 1: 3, 2: 2}]  # totals: passive 13, agency 4, towns 10
    for page, values in zip(phones, ratings):
        options = page.locator("[data-vote-option]")
        expect(options).to_have_count(3, timeout=LIVE)
        expect(options.first.locator("legend")).to_contain_text(passive_text)
        for option, value in values.items():
            scale = page.locator(f"[data-vote-option='{option}']")
            # Click, then wait for what the phone says it saved: a redraw by the other phone's
            # answer may land between the click and a check() that looks at once (seen under load).
            choice = scale.get_by_label(re.compile(rf"^{value}\b"))
            choice.click()
            expect(scale.locator("[data-vote-saved]")).to_contain_text(str(value), timeout=LIVE)
            expect(choice).to_be_checked()
    expect(card.locator("[data-part=voters]")).to_contain_text(re.compile(r"\b2\D+2\b"), timeout=LIVE)
    # Nothing of the answers is shown before the reveal.
    expect(wall.locator(".wall-view-voters")).to_contain_text(re.compile(r"\b2\D+2\b"), timeout=LIVE)
    assert wall_rows(wall).count() == 0
    assert phones[0].locator("[data-vote-result]").count() == 0

    card.locator("[data-part=reveal]").click()
    expect(wall_rows(wall)).to_have_count(3, timeout=LIVE)
    order = [("Die Freiwilligenagentur", "4"), ("Jede Gemeinde selbst", "10"), (passive_text, "13")]
    for index, (label, total) in enumerate(order):
        row = wall_rows(wall).nth(index)
        expect(row.locator(".results-item")).to_contain_text(label)
        expect(row.locator(".results-value")).to_have_text(total)
    expect(wall_rows(wall).nth(0)).to_have_attribute("data-lowest", "yes")
    # The distribution as text: passive option got a 6 and a 7.
    distribution = wall_rows(wall).nth(2).locator(".visually-hidden")
    expect(distribution).to_contain_text(re.compile(r"6\D+1.*7\D+1"))
    expect(phones[1].locator("[data-vote-result]")).to_have_count(3, timeout=LIVE)
    expect(phones[1].locator("[data-vote-result]").first).to_contain_text("Die Freiwilligenagentur")


def test_timer_counts_down_on_phone_and_projector(live_server, live_make, desktop, phone):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Gesundheit"])
    console = open_console(desktop, live_server, live_make, owner, workshop)
    wall = open_wall(desktop, live_server, workshop)
    page = join(phone, live_server, workshop, workshop.boards[0])
    phone_timer, wall_timer = page.locator("[data-vote-timer]"), wall.locator("[data-wall-timer]")
    expect(phone_timer).to_be_hidden()
    expect(wall_timer).to_be_hidden()

    console.locator("#run-minutes").fill("2")
    console.locator("[data-run-timer-form] button[type=submit]").click()
    for timer in (phone_timer, wall_timer):
        expect(timer).to_be_visible(timeout=LIVE)
        expect(timer).to_have_text(re.compile(r"^(2:00|1:5\d)$"))
        expect(timer).to_have_attribute("data-state", "running")
    console.locator("[data-run-timer-action=pause]").click()
    for timer in (phone_timer, wall_timer):
        expect(timer).to_have_attribute("data-state", "paused", timeout=LIVE)
    console.locator("[data-run-timer-action=extend][data-seconds='300']").click()
    for timer in (phone_timer, wall_timer):
        expect(timer).to_have_text(re.compile(r"^(7:00|6:5\d)\b"), timeout=LIVE)
    console.locator("[data-run-timer-action=resume]").click()
    expect(wall_timer).to_have_attribute("data-state", "running", timeout=LIVE)
    console.locator("[data-run-timer-action=stop]").click()
    for timer in (phone_timer, wall_timer):
        expect(timer).to_be_hidden(timeout=LIVE)


def test_matrix_by_keyboard_and_a_measure_from_a_cluster_reach_the_projector(
        live_server, live_make, desktop):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Wohnen"])
    wohnen = workshop.boards[0]
    author, _ = live_make.participant(workshop)
    cards = [live_make.idea(author, wohnen, text) for text in ("Mietpaten", "Wohnungsbörse")]
    cluster = live_make.run(clusters.create_cluster, workshop.id, None, wohnen.id,
                            "Wohnraum finden", "green", [card.id for card in cards])
    console = open_console(desktop, live_server, live_make, owner, workshop, bypass_csp=True)
    wall = open_wall(desktop, live_server, workshop)

    console.locator("[data-run-tab=matrix]").click()
    quick_wins = console.locator(".matrix-quadrant[data-quadrant=quick_wins] span").inner_text()
    row = console.locator("[data-run-matrix-row]")
    expect(row).to_have_count(1, timeout=LIVE)
    row.locator("[data-axis=x]").fill("2")
    row.locator("[data-axis=y]").fill("8")
    row.locator("[data-axis=y]").press("Tab")
    chip = console.locator("[data-run-chip]")
    expect(chip).to_have_count(1, timeout=LIVE)
    expect(row.locator("[data-part=quadrant]")).to_have_text(quick_wins)
    # Arrow keys on the chip move it: two steps right is more effort, still a quick win.
    chip.focus()
    console.keyboard.press("ArrowRight")
    console.keyboard.press("ArrowRight")
    expect(row.locator("[data-axis=x]")).to_have_value("4", timeout=LIVE)
    console.locator("[data-run-matrix-project]").click()
    wall_chip = wall.locator(".wall-matrix .matrix-chip")
    expect(wall_chip).to_have_text("Wohnraum finden", timeout=LIVE)
    expect(wall_chip).to_have_attribute("style", re.compile(r"40%.*20%"), timeout=LIVE)
    # Left 40 %, top 20 % of the grid: effort 4, impact 8.
    grid = wall.locator(".wall-matrix").bounding_box()
    box = wall_chip.bounding_box()
    assert abs((box["x"] + box["width"] / 2 - grid["x"]) / grid["width"] - 0.4) < 0.03
    assert abs((box["y"] + box["height"] / 2 - grid["y"]) / grid["height"] - 0.2) < 0.03

    console.locator("[data-run-tab=measures]").click()
    source = console.locator("[data-run-measure-source]")
    source.select_option(f"cluster:{cluster.id}")
    console.locator("[data-run-measure-prefill]").click()
    expect(console.locator("#run-measure-title")).to_have_value("Wohnraum finden")
    expect(console.locator("#run-measure-field")).to_have_value("Wohnen")
    console.locator("#run-measure-responsible").fill("Sozialamt")
    console.locator("#run-measure-horizon").select_option("short")
    console.locator("[data-run-measure-save]").click()
    measure = console.locator("[data-run-measure-id]")
    expect(measure).to_have_count(1, timeout=LIVE)
    expect(measure).to_contain_text("Sozialamt")
    assert run_axe(console, "[data-run-panel]") == []
    console.locator("[data-run-measures-project]").click()
    expect(wall.locator(".wall-measure h3")).to_have_text("Wohnraum finden", timeout=LIVE)
    expect(wall.locator(".wall-measure")).to_contain_text("Sozialamt")
