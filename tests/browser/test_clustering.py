"""End to end in real Chromium: a facilitator sorts cards into clusters by drag and drop and by
keyboard alone, names, undoes and redoes, merges duplicates and moderates — while a colleague's
console and the projector follow live."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from facilitator.domain import workshops
from facilitator.models import Idea

LIVE = 10_000  # ms a live update may take to reach another screen
AXE = Path(__file__).parent.parent / "vendor/axe-core/axe.min.js"


def console_url(live_server, make, facilitator, workshop) -> str:
    secret = make.sign_in_secret(facilitator)
    return f"{live_server.url}/console/sign-in/{secret}?next=/console/{workshop.id}"


def open_console(desktop, live_server, make, facilitator, workshop):
    page = desktop()
    page.goto(console_url(live_server, make, facilitator, workshop))
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")
    expect(page.locator("[data-idea-id]").first).to_be_visible(timeout=LIVE)
    return page


def board(page, index: int = 0):
    return page.locator("[data-board-id]").nth(index)


def card(scope, text: str):
    return scope.locator("[data-idea-id]", has=scope.page.locator(".card-text", has_text=text))


def starting(text: str) -> re.Pattern:
    return re.compile(f"^{re.escape(text)}")


def cluster(scope, heading: str):
    return scope.locator("[data-cluster-id]", has=scope.page.locator(
        "[data-heading-text]", has_text=starting(heading)))


def wall_group(wall, heading: str):
    return wall.locator(".wall-group", has=wall.locator(".wall-group-heading",
                                                        has_text=starting(heading)))


def drag(page, source, target) -> None:
    """Drag with the mouse the way a person does: press, travel, aim again until the card shows
    in the target list (lists shift under the pointer as the card leaves its own), drop there (in
    the lower part of the target: dead centre on a card is where SortableJS waits)."""
    grip = source.locator("[data-text]")  # not on one of the card's buttons
    grip.scroll_into_view_if_needed()
    box = grip.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 6, box["y"] + box["height"] / 2 + 8, steps=4)
    expect(page.locator(".card-dragging")).to_have_count(1)  # picked up: a copy follows the mouse
    arrived = target.locator(".card-ghost")
    for _ in range(10):
        goal = target.bounding_box()
        page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] * 0.8, steps=10)
        try:
            expect(arrived).to_have_count(1, timeout=1000)
            break
        except AssertionError:
            continue  # the list moved away under the pointer: aim again
    expect(arrived).to_have_count(1)
    page.mouse.up()


def choose_in_menu(page, label: str) -> None:
    """Arrow down through the open menu until `label` has the focus, then press Enter."""
    menu = page.locator("[data-menu]")
    expect(menu).to_be_visible()
    for _ in range(menu.locator("button").count()):
        if label in page.evaluate("document.activeElement.textContent"):
            page.keyboard.press("Enter")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label!r} is not in the menu")


def texts(scope) -> list[str]:
    return [text.strip() for text in scope.locator(".card-text").all_inner_texts()]


def focused_idea(page) -> str | None:
    return page.evaluate("document.activeElement.dataset.ideaId ?? null")


def run_axe(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA rules on the page as it is now (the boards, clusters, cards and
    menus; the run panel above them has tests of its own)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const context = {exclude: [['[data-run-panel]']]};
        const r = await axe.run(context, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
    }""")


@pytest.fixture
def workshop_with_cards(live_server, live_make):
    """Two facilitators running one workshop (in English, so labels are the msgids); six cards by
    two people on its first board."""
    owner, colleague = live_make.facilitator(), live_make.facilitator()
    workshop = live_make.workshop(owner, ["Sprache", "Arbeit"], language="en")
    # Through the factory: its write begins IMMEDIATE, so the running server's writes never
    # leave it a stale snapshot ("database is locked" at once, seen in CI).
    live_make.run(workshops.add_facilitator, workshop.id, colleague.id)
    sprache, _arbeit = workshop.boards
    amira, _ = live_make.participant(workshop, "Amira")
    jonas, _ = live_make.participant(workshop, "Jonas")
    for author, text in [(amira, "Sprachkurse am Abend"), (jonas, "Sprachkurse abends anbieten"),
                         (amira, "Kinderbetreuung während der Kurse"),
                         (jonas, "Sprachcafé im Quartier"), (amira, "Lernpatenschaften"),
                         (jonas, "Jobmesse für Zugewanderte")]:
        live_make.idea(author, sprache, text)
    return owner, colleague, workshop


def test_cards_are_clustered_by_mouse_and_keyboard_and_every_screen_follows(
        live_server, live_make, desktop, workshop_with_cards):
    owner, colleague, workshop = workshop_with_cards
    console = open_console(desktop, live_server, live_make, owner, workshop)
    other = open_console(desktop, live_server, live_make, colleague, workshop)
    wall = desktop(1920, 1080)
    wall.goto(f"{live_server.url}/screen/{workshop.screen_key}")
    expect(wall.locator(".wall-card")).to_have_count(6, timeout=LIVE)
    mine, theirs = board(console), board(other)

    # A cluster is named first and created with Enter; everyone sees its heading.
    mine.locator("[data-new-heading]").fill("Kurse")
    mine.locator("[data-new-heading]").press("Enter")
    expect(cluster(theirs, "Kurse")).to_have_count(1, timeout=LIVE)
    expect(wall_group(wall, "Kurse")).to_have_count(1, timeout=LIVE)

    # Drag and drop with the mouse.
    drag(console, card(mine, "Sprachkurse am Abend"), cluster(mine, "Kurse").locator("[data-list]"))
    expect(cluster(theirs, "Kurse").locator("[data-idea-id]")).to_have_count(1, timeout=LIVE)
    expect(wall_group(wall, "Kurse").locator(".wall-card")).to_have_text(
        ["Sprachkurse am Abend"], timeout=LIVE)

    # Keyboard alone: Enter on a card opens "Move to", arrows choose, Enter confirms; the focus
    # stays on the card and a screen reader hears where it went.
    childcare = card(mine, "Kinderbetreuung")
    childcare.focus()
    console.keyboard.press("Enter")
    choose_in_menu(console, "Kurse")
    expect(cluster(mine, "Kurse").locator("[data-idea-id]")).to_have_count(2, timeout=LIVE)
    assert focused_idea(console) == childcare.get_attribute("data-idea-id")
    # Alt+↑ moves it one place up within the cluster.
    console.keyboard.press("Alt+ArrowUp")
    expected = ["Kinderbetreuung während der Kurse", "Sprachkurse am Abend"]
    expect(cluster(theirs, "Kurse").locator(".card-text")).to_have_text(expected, timeout=LIVE)
    expect(wall_group(wall, "Kurse").locator(".wall-card")).to_have_text(expected, timeout=LIVE)
    assert focused_idea(console) == childcare.get_attribute("data-idea-id")
    expect(console.locator("[data-announcer]")).to_contain_text("Kurse", timeout=LIVE)

    # Keyboard alone: "New cluster with this card" ticks the card and goes to the heading field.
    card(mine, "Sprachcafé").focus()
    console.keyboard.press("Enter")
    choose_in_menu(console, "New cluster with this card")
    expect(mine.locator("[data-new-heading]")).to_be_focused()
    console.keyboard.type("Begegnung")
    console.keyboard.press("Enter")
    expect(cluster(theirs, "Begegnung").locator(".card-text")).to_have_text(
        ["Sprachcafé im Quartier"], timeout=LIVE)

    # Rename a cluster inline; undo and redo with the keyboard shortcuts.
    cluster(mine, "Kurse").locator("[data-heading-button]").click()
    console.keyboard.press("Control+A")
    console.keyboard.type("Sprachkurse")
    console.keyboard.press("Enter")
    expect(theirs.locator("[data-heading-text]").first).to_have_text("Sprachkurse", timeout=LIVE)
    expect(wall_group(wall, "Sprachkurse")).to_have_count(1, timeout=LIVE)
    expect(console.locator("[data-undo]")).to_be_enabled()
    console.keyboard.press("Control+Z")
    expect(theirs.locator("[data-heading-text]").first).to_have_text("Kurse", timeout=LIVE)
    console.keyboard.press("Control+Shift+Z")
    expect(theirs.locator("[data-heading-text]").first).to_have_text("Sprachkurse", timeout=LIVE)

    # Undo survives a reload: the history lives on the server.
    console.reload()
    expect(console.locator("[data-undo]")).to_be_enabled(timeout=LIVE)
    expect(console.locator("[data-undo]")).to_contain_text("rename")
    console.locator("[data-undo]").click()
    expect(theirs.locator("[data-heading-text]").first).to_have_text("Kurse", timeout=LIVE)
    expect(console.locator("[data-redo]")).to_be_enabled()
    console.keyboard.press("Control+Y")
    expect(theirs.locator("[data-heading-text]").first).to_have_text("Sprachkurse", timeout=LIVE)
    mine = board(console)

    # While the colleague types a new heading, this console moves a card: nothing they typed, nor
    # their focus, is lost.
    cluster(theirs, "Begegnung").locator("[data-heading-button]").click()
    heading = cluster(theirs, "Begegnung").locator("[data-heading]")
    heading.press("End")
    other.keyboard.type(" im Quartier")
    drag(console, card(mine, "Lernpatenschaften"), cluster(mine, "Begegnung").locator("[data-list]"))
    expect(cluster(theirs, "Begegnung").locator("[data-idea-id]")).to_have_count(2, timeout=LIVE)
    expect(heading).to_be_focused()
    expect(heading).to_have_value("Begegnung im Quartier")
    other.keyboard.press("Enter")
    expect(mine.locator("[data-heading-text]", has_text="Begegnung im Quartier")).to_have_count(
        1, timeout=LIVE)

    # Two cards say the same: tick both, merge; one card shows both texts and both authors.
    card(mine, "Sprachkurse am Abend").locator("[data-select]").check()
    card(mine, "Sprachkurse abends").locator("[data-select]").check()
    mine.locator("[data-merge-selected]").click()
    kept = card(theirs, "Sprachkurse am Abend")
    expect(kept.locator("[data-duplicates]")).to_contain_text("Sprachkurse abends anbieten",
                                                              timeout=LIVE)
    expect(kept.locator("[data-authors]")).to_contain_text("2")
    expect(card(theirs, "Sprachkurse abends")).to_have_count(0)
    expect(wall.locator(".wall-card", has_text="Sprachkurse")).to_have_count(1, timeout=LIVE)
    expect(wall.locator(".wall-card", has_text="Sprachkurse")).to_contain_text("2")
    keeper = int(card(mine, "Sprachkurse am Abend").get_attribute("data-idea-id"))
    assert live_make.count(Idea, merged_into_id=keeper, state="merged") == 1

    # The wall shows the themes in their order, each heading above its own cards.
    expect(wall.locator(".wall-group-heading")).to_have_text(
        [re.compile("Sprachkurse"), re.compile("Begegnung im Quartier"),
         re.compile("Not sorted yet|Noch nicht sortiert")], timeout=LIVE)
    expect(wall_group(wall, "Begegnung").locator(".wall-card")).to_have_text(
        ["Sprachcafé im Quartier", "Lernpatenschaften"])


def test_moderation_works_with_buttons_only_and_passes_axe(live_server, live_make, desktop,
                                                            workshop_with_cards):
    owner, colleague, workshop = workshop_with_cards
    console = desktop(bypass_csp=True)  # only so the test can inject axe-core
    console.goto(console_url(live_server, live_make, owner, workshop))
    with console.expect_navigation():  # a sign-in link only works on a click
        console.click("[data-sign-in]")
    expect(console.locator("[data-idea-id]").first).to_be_visible(timeout=LIVE)
    other = open_console(desktop, live_server, live_make, colleague, workshop)
    mine, theirs = board(console), board(other)

    for heading in ("Bildung", "Arbeit und Ausbildung"):
        mine.locator("[data-new-heading]").fill(heading)
        mine.locator("[data-new-cluster]").click()
        expect(cluster(theirs, heading)).to_have_count(1, timeout=LIVE)

    # "Move to…" is a menu of plain buttons.
    card(mine, "Lernpatenschaften").locator("[data-move]").click()
    console.get_by_role("menuitemradio", name="Bildung", exact=True).click()
    expect(cluster(theirs, "Bildung").locator(".card-text")).to_have_text(["Lernpatenschaften"],
                                                                          timeout=LIVE)

    # A card posted at the wrong table goes to the other board.
    card(mine, "Jobmesse").locator("[data-move]").click()
    console.get_by_role("menuitem", name="Arbeit", exact=True).click()
    expect(card(board(other, 1), "Jobmesse")).to_have_count(1, timeout=LIVE)
    expect(card(theirs, "Jobmesse")).to_have_count(0)

    # Correct a typo: the original wording stays visible to facilitators.
    target = card(mine, "Sprachcafé")
    target.locator("[data-edit]").click()
    target.locator("[data-edit-text]").fill("Sprachcafé im Stadtteil")
    target.get_by_role("button", name="Save", exact=True).click()
    corrected = card(theirs, "Sprachcafé im Stadtteil")
    expect(corrected.locator("[data-original]")).to_contain_text("Sprachcafé im Quartier",
                                                                 timeout=LIVE)

    # Hide and show again, as before.
    card(mine, "Kinderbetreuung").get_by_role("button", name=re.compile("^Hide")).click()
    expect(theirs.locator(".card-hidden", has_text="Kinderbetreuung")).to_have_count(1, timeout=LIVE)
    card(mine, "Kinderbetreuung").get_by_role(
        "button", name=re.compile("^Show again")).click()
    expect(theirs.locator(".card-hidden")).to_have_count(0, timeout=LIVE)

    # Recolour, reorder, merge and dissolve clusters from the cluster menu.
    cluster(mine, "Arbeit und Ausbildung").locator("[data-cluster-menu]").click()
    console.get_by_role("menuitemradio", name="Teal").click()
    expect(cluster(theirs, "Arbeit und Ausbildung")).to_have_class(re.compile("colour-teal"),
                                                                   timeout=LIVE)
    cluster(mine, "Arbeit und Ausbildung").locator("[data-cluster-menu]").click()
    console.get_by_role("menuitem", name="Move cluster up").click()
    expect(theirs.locator("[data-heading-text]")).to_have_text(
        ["Arbeit und Ausbildung", "Bildung"], timeout=LIVE)

    assert run_axe(console) == []
    card(mine, "Sprachkurse am Abend").locator("[data-move]").click()
    assert run_axe(console) == []  # with the menu open
    console.keyboard.press("Escape")
    expect(card(mine, "Sprachkurse am Abend").locator("[data-move]")).to_be_focused()

    cluster(mine, "Bildung").locator("[data-cluster-menu]").click()
    console.get_by_role("menuitem", name="Arbeit und Ausbildung").click()
    expect(theirs.locator("[data-cluster-id]")).to_have_count(1, timeout=LIVE)
    expect(cluster(theirs, "Arbeit und Ausbildung").locator(".card-text")).to_have_text(
        ["Lernpatenschaften"])
    cluster(mine, "Arbeit und Ausbildung").locator("[data-cluster-menu]").click()
    console.get_by_role("menuitem", name=re.compile("^Dissolve")).click()
    expect(theirs.locator("[data-cluster-id]")).to_have_count(0, timeout=LIVE)
    expect(card(theirs, "Lernpatenschaften")).to_have_count(1)
    console.locator("[data-undo]").click()
    expect(theirs.locator("[data-cluster-id]")).to_have_count(1, timeout=LIVE)
