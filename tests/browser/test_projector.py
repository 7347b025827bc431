"""The projector at real volume, in real Chromium: six full boards page through every card, one
board or one cluster goes full screen from the console and back, nine boards are all shown,
a ranking of 30 items pages, and the text is big enough to read from the back of a hall at
1920×1080 and still fits at 1280×720 and 1024×768. Pages are turned by the facilitator's
"next" (the staff event), never by waiting for the paging timer."""
import base64
import os
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from facilitator.domain import clusters, measures, phases, voting
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.voting import RoundSpec
from facilitator.domain.workshops import BoardSpec
from facilitator.models import Idea

LIVE = 10_000  # ms a live update may take to reach another screen
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
# What people write on a card: a few words up to a long sentence.
PHRASES = ("Sprachcafé", "Mehr Kita-Plätze während der Kurse", "Lernpaten für Jugendliche",
           "Abendkurse für Berufstätige, auch am Wochenende",
           "Ein Ort, an dem Neue und Alteingesessene sich ohne Termin treffen können",
           "Bus am Abend", "Beratung in mehreren Sprachen im Rathaus",
           "Praktika vermitteln")


@pytest.fixture(scope="module")
def live_server(live_server):
    """The suite's server, but sending phones to a LAN address as at a real event: on a loopback
    address the wall carries a warning banner over the boards these tests look at."""
    live_server.env["PUBLIC_URL"] = f"http://192.168.1.20:{live_server.port}"
    live_server.restart()
    return live_server


def card_text(board_number: int, number: int) -> str:
    return f"{board_number}.{number} {PHRASES[(board_number + number) % len(PHRASES)]}"


def seed(make, owner, board_count: int, cards: int, **workshop):
    specs = [BoardSpec(f"Handlungsfeld {n}: {title}", question=question) for n, (title, question) in
             enumerate(BOARD_TOPICS[:board_count] if board_count <= len(BOARD_TOPICS) else
                       [(f"Feld {n}", f"Was brauchen wir im Feld {n}?") for n in range(board_count)], 1)]
    made = make.workshop(owner, specs, **workshop)
    author, _ = make.participant(made, "Amira")
    for number, board in enumerate(made.boards, 1):
        for card in range(cards):
            make.idea(author, board, card_text(number, card))
    # Paging stands still until the test turns it: no page turns behind the test's back.
    make.run(phases.set_projector_paging, made.id, "pause")
    return made


BOARD_TOPICS = [
    ("Wohnen", "Was brauchen Neuzugewanderte, um eine Wohnung zu finden?"),
    ("Arbeit und Ausbildung", "Wie gelingt der Weg in Arbeit und Ausbildung?"),
    ("Sprache und Bildung", "Was hilft beim Deutschlernen neben Beruf und Familie?"),
    ("Gesundheit", "Wo fehlt es beim Zugang zu Ärztinnen und Beratung?"),
    ("Nachbarschaft", "Wie kommen Alteingesessene und Neue ins Gespräch?"),
    ("Verwaltung", "Was macht Behördengänge einfacher?"),
]


def ideas_on(make, board) -> list[int]:
    make.session.commit()
    return list(make.session.scalars(select(Idea.id).where(Idea.board_id == board.id).order_by(Idea.id)))


def open_wall(desktop, live_server, workshop, width=1920, height=1080):
    wall = desktop(width, height)
    wall.goto(f"{live_server.url}/screen/{workshop.screen_key}")
    expect(wall.locator("[data-boards] .wall-board").first).to_be_visible(timeout=LIVE)
    return wall


def save_screenshot(page, name: str) -> None:
    """A screenshot for docs/ when DOCS_SCREENSHOTS=1 (a test run never changes committed
    files), halved in size in the browser itself if it is over 300 KB."""
    data = page.screenshot()
    if os.environ.get("DOCS_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if len(data) > 300_000:
        url = page.evaluate("""async (png) => {
            const image = await createImageBitmap(await (await fetch(png)).blob());
            const canvas = Object.assign(document.createElement('canvas'),
                {width: image.width / 2, height: image.height / 2});
            canvas.getContext('2d').drawImage(image, 0, 0, canvas.width, canvas.height);
            return canvas.toDataURL('image/png');
        }""", "data:image/png;base64," + base64.b64encode(data).decode())
        data = base64.b64decode(url.split(",", 1)[1])
    (SCREENSHOTS / name).write_bytes(data)


WALL_STATE = """() => [...document.querySelectorAll('[data-boards] .wall-board')].map((board) => {
    const indicator = board.querySelector('[data-page-indicator]');
    const area = board.querySelector('[data-ideas]').getBoundingClientRect();
    const cards = [...board.querySelectorAll('[data-card]')].filter((card) => card.offsetParent !== null);
    return {
        title: board.querySelector('[data-title]').textContent,
        page: Number(indicator.dataset.page), pages: Number(indicator.dataset.pages),
        cards: cards.map((card) => card.firstElementChild.textContent),
        // A card cut off at the bottom or side of its board would be partly unreadable.
        cut: cards.filter((card) => { const r = card.getBoundingClientRect();
            return r.bottom > area.bottom + 0.5 || r.right > area.right + 0.5 || r.left < area.left - 0.5; }).length,
    };
})"""

SIZES = """() => {
    const size = (selector) => parseFloat(getComputedStyle(document.querySelector(selector)).fontSize);
    return {card: size('.wall-card'), question: size('.wall-board .question'), title: size('.wall-board h2'),
            code: size('.wall-join-code'), url: size('.wall-join-url')};
}"""


def wall_state(wall):
    return wall.evaluate(WALL_STATE)


def turn_and_wait(staff, wall, action="next"):
    """Press next/previous as the facilitator; wait until the wall turned its pages."""
    before = wall.evaluate("() => document.querySelector('[data-boards]').dataset.turns || '0'")
    assert staff.call("set_projector_paging", {"action": action})["ok"]
    wall.wait_for_function("(before) => (document.querySelector('[data-boards]').dataset.turns || '0') !== before",
                           arg=before, timeout=LIVE)


def test_six_full_boards_show_every_card_within_their_pages_in_large_print(
        live_server, live_make, desktop):
    owner = live_make.facilitator()
    workshop = seed(live_make, owner, 6, 60)
    staff = live_server.staff(workshop, owner)
    wall = open_wall(desktop, live_server, workshop)
    expect(wall.locator("[data-boards] .wall-board")).to_have_count(6)
    expect(wall.locator("[data-paging-paused]")).to_be_visible()

    sizes = wall.evaluate(SIZES)
    assert sizes["card"] >= 32 and sizes["code"] >= 40 and sizes["url"] >= 40, sizes
    first = wall_state(wall)
    print(f"\n1920x1080, 6 boards x 60 cards: {sizes}; cards per page "
          f"{[len(board['cards']) for board in first]}, pages {[board['pages'] for board in first]}")
    save_screenshot(wall, "projector-6-boards-1920.png")

    seen = {board["title"]: set(board["cards"]) for board in first}
    for _ in range(max(board["pages"] for board in first) - 1):
        turn_and_wait(staff, wall)
        for board in wall_state(wall):
            assert board["cut"] == 0, board
            seen[board["title"]] |= set(board["cards"])

    for number, board in enumerate(first, 1):
        assert board["pages"] > 1 and board["cut"] == 0
        assert seen[board["title"]] == {card_text(number, card) for card in range(60)}
    # Back one page: the facilitator can go back to what the room was reading.
    page_before = wall_state(wall)[0]["page"]
    turn_and_wait(staff, wall, "previous")
    assert wall_state(wall)[0]["page"] == page_before - 1


def test_a_new_card_does_not_throw_the_room_back_to_the_first_page(live_server, live_make,
                                                                    desktop):
    owner = live_make.facilitator()
    workshop = seed(live_make, owner, 1, 40)
    staff = live_server.staff(workshop, owner)
    _, token = live_make.participant(workshop)
    phone = live_server.phone(workshop, token, board_id=workshop.boards[0].id)
    wall = open_wall(desktop, live_server, workshop, 1280, 720)
    turn_and_wait(staff, wall)
    reading = wall_state(wall)[0]
    assert reading["page"] == 2

    assert phone.call("post_idea", {"board_id": workshop.boards[0].id,
                                    "client_id": uuid.uuid4().hex, "text": "Ganz neue Karte"})["ok"]
    expect(wall.locator("[data-boards]")).to_have_attribute("data-cards", "41", timeout=LIVE)
    assert wall_state(wall)[0]["page"] == 2
    assert wall_state(wall)[0]["cards"] == reading["cards"]


def test_one_board_and_one_cluster_go_full_screen_from_the_console_and_back(
        live_server, live_make, desktop):
    owner = live_make.facilitator()
    workshop = seed(live_make, owner, 3, 30)
    board = workshop.boards[1]
    cards = ideas_on(live_make, board)[:8]
    theme = live_make.run(clusters.create_cluster, workshop.id, owner.id, board.id,
                          "Kinderbetreuung", "pink", cards)
    console = desktop(1440, 900)
    console.goto(f"{live_server.url}/console/sign-in/{live_make.sign_in_secret(owner)}"
                 f"?next=/console/{workshop.id}")
    with console.expect_navigation():  # a sign-in link only works on a click
        console.click("[data-sign-in]")
    wall = open_wall(desktop, live_server, workshop)
    expect(wall.locator("[data-boards] .wall-board")).to_have_count(3)
    # The console's board and cluster headers carry these buttons (drawn by the console).
    console.evaluate("""([board, cluster]) => {
        for (const [name, id, text] of [['projectBoard', board, 'Full screen'], ['projectCluster', cluster, 'Cluster full screen']]) {
            const button = Object.assign(document.createElement('button'), {type: 'button', textContent: text});
            button.dataset[name] = String(id);
            document.querySelector('main').prepend(button);
        }
    }""", [board.id, theme.id])
    normal = wall.evaluate(SIZES)["card"]

    console.get_by_role("button", name="Full screen", exact=True).click()
    expect(wall.locator("[data-boards] .wall-board")).to_have_count(1, timeout=LIVE)
    expect(wall.locator("[data-boards] [data-title]")).to_have_text(board.title)
    expect(console.get_by_role("button", name="Full screen", exact=True)).to_have_attribute("aria-pressed", "true")
    big = wall.evaluate(SIZES)["card"]
    assert big >= 1.3 * normal, (big, normal)
    assert all(board_state["cut"] == 0 for board_state in wall_state(wall))
    save_screenshot(wall, "projector-board-fullscreen.png")

    # Paging from the run panel (in German, the workshop's language): the pause button shows
    # its state; "next" turns the page.
    pages = console.get_by_role("group", name="Seiten in der Beamer-Ansicht")
    expect(pages.get_by_role("button", name="Blättern anhalten")).to_have_attribute("aria-pressed", "true", timeout=LIVE)
    pages.get_by_role("button", name="Nächste Seite").click()
    expect(wall.locator("[data-page-indicator]")).to_have_attribute("data-page", "2", timeout=LIVE)
    pages.get_by_role("button", name="Blättern anhalten").click()
    expect(wall.locator("[data-paging-paused]")).to_be_hidden(timeout=LIVE)
    staff = live_server.staff(workshop, owner)
    console.get_by_label("Sekunden pro Seite").select_option("20")
    staff.wait_for("workshop_updated", lambda p: p["workshop"]["projector_paging"]["seconds"] == 20)

    console.get_by_role("button", name="Cluster full screen").click()
    expect(wall.locator("[data-boards] [data-title]")).to_have_text("Kinderbetreuung", timeout=LIVE)
    assert sorted(wall_state(wall)[0]["cards"]) == sorted(card_text(2, n) for n in range(8))

    pages.get_by_role("button", name="Zurück zu allen Thementischen").click()
    expect(wall.locator("[data-boards] .wall-board")).to_have_count(3, timeout=LIVE)
    expect(pages.get_by_role("button", name="Zurück zu allen Thementischen")).to_be_hidden()


def test_nine_boards_are_all_shown_on_screens_of_at_most_six(live_server, live_make, desktop):
    owner = live_make.facilitator()
    workshop = seed(live_make, owner, 9, 3)
    staff = live_server.staff(workshop, owner)
    wall = open_wall(desktop, live_server, workshop)
    expect(wall.locator("[data-screen-indicator]")).to_be_visible()

    seen = []
    for _ in range(2):
        state = wall_state(wall)
        assert 1 <= len(state) <= 6
        seen += [board["title"] for board in state]
        turn_and_wait(staff, wall)

    assert sorted(seen) == sorted(board.title for board in workshop.boards)
    assert [board["title"] for board in wall_state(wall)] == seen[:5]


@pytest.mark.parametrize("width, height", [(1920, 1080), (1280, 720), (1024, 768)])
def test_a_ranking_of_thirty_items_pages_and_fits_the_screen(live_server, live_make, desktop,
                                                            width, height):
    owner = live_make.facilitator()
    workshop = seed(live_make, owner, 1, 30)
    board = workshop.boards[0]
    round_ = live_make.run(voting.open_round, workshop.id, RoundSpec(
        target_kind="idea", board_ids=[board.id], dots_per_person=5, max_per_item=5))
    voters = [live_make.participant(workshop)[0] for _ in range(3)]
    ideas = ideas_on(live_make, board)
    for number, voter in enumerate(voters):
        for idea_id in ideas[number * 5:number * 5 + 5]:
            live_make.run(voting.place_dot, voter, round_.id, idea_id, uuid.uuid4().hex)
    live_make.run(voting.update_round, workshop.id, round_.id, {"state": "closed", "revealed": True})
    live_make.run(phases.set_projector, workshop.id, "round", round_.id)
    staff = live_server.staff(workshop, owner)
    wall = desktop(width, height)
    wall.goto(f"{live_server.url}/screen/{workshop.screen_key}")
    pages, seen = collect_paged(staff, wall, "[data-wall-result]", "wallResult")

    assert pages > 1 and seen == {str(idea) for idea in ideas}
    # One more "next" wraps round to the top of the ranking.
    assert staff.call("set_projector_paging", {"action": "next"})["ok"]
    expect(wall.locator("[data-wall-view] [data-page-indicator]")).to_have_attribute("data-page", "1", timeout=LIVE)
    if width == 1280:
        save_screenshot(wall, "projector-ranking-1280.png")


@pytest.mark.parametrize("width, height", [(1280, 720), (1024, 768)])
def test_six_boards_fit_smaller_projectors_without_cutting_or_overlap(live_server, live_make,
                                                                     desktop, width, height):
    owner = live_make.facilitator()
    workshop = seed(live_make, owner, 6, 20)
    wall = open_wall(desktop, live_server, workshop, width, height)
    expect(wall.locator("[data-boards] .wall-board")).to_have_count(6)

    for board in wall_state(wall):
        assert board["cards"] and board["cut"] == 0, board
    # Every part of the join panel and every board header lies inside the screen, and the join
    # panel's parts do not overlap.
    boxes = wall.evaluate("""() => [...document.querySelectorAll(
            '.wall-join img, .wall-join-label, .wall-join-code, .wall-join-url, .wall-online, .wall-board header')]
        .map((node) => { const r = node.getBoundingClientRect();
            return {name: node.className || node.tagName, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                    scrolls: node.scrollWidth > node.clientWidth + 1}; })""")
    assert wall.locator("[data-address-warning]").count() == 0
    for box in boxes:
        assert box["top"] >= 0 and box["bottom"] <= height and box["right"] <= width, box
        assert not box["scrolls"], box
    join = [box for box in boxes if box["name"] != "HEADER"]
    for above, below in zip(join, join[1:]):
        assert above["bottom"] <= below["top"] + 0.5, (above, below)
    print(f"\n{width}x{height}: {wall.evaluate(SIZES)}; cards per page "
          f"{[len(board['cards']) for board in wall_state(wall)]}")
    if width == 1280:
        save_screenshot(wall, "projector-1280.png")


def collect_paged(staff, wall, item_selector: str, key: str) -> tuple[int, set]:
    """Turn a paged view (ranking, measures) through all its pages as the facilitator; returns
    the number of pages and every item's `data-*` key seen, checking each page fits the screen."""
    indicator = wall.locator("[data-wall-view] [data-page-indicator]")
    expect(indicator).to_have_attribute("data-page", "1", timeout=LIVE)
    pages = int(indicator.get_attribute("data-pages"))
    height = wall.viewport_size["height"]
    seen = set()
    for page in range(1, pages + 1):
        expect(indicator).to_have_attribute("data-page", str(page), timeout=LIVE)
        items = wall.evaluate("""([selector, key]) => [...document.querySelectorAll(selector)]
            .filter((item) => item.offsetParent !== null)
            .map((item) => ({key: item.dataset[key] || item.textContent, bottom: item.getBoundingClientRect().bottom}))""",
                              [item_selector, key])
        assert items and all(item["bottom"] <= height for item in items), items
        seen |= {item["key"] for item in items}
        if page < pages:
            assert staff.call("set_projector_paging", {"action": "next"})["ok"]
    return pages, seen


def test_twenty_measures_page_on_the_projector(live_server, live_make, desktop):
    owner = live_make.facilitator()
    workshop = seed(live_make, owner, 1, 0)
    titles = [f"Maßnahme {n}: {PHRASES[n % len(PHRASES)]}" for n in range(20)]
    for title in titles:
        live_make.run(measures.save_measure, workshop.id, owner.id, MeasureSpec(
            title=title, responsible="Integrationsbüro", horizon="short"))
    live_make.run(phases.set_projector, workshop.id, "measures")
    staff = live_server.staff(workshop, owner)
    wall = desktop(1920, 1080)
    wall.goto(f"{live_server.url}/screen/{workshop.screen_key}")

    pages, seen = collect_paged(staff, wall, ".wall-measure h3", "none")

    assert pages > 1 and seen == set(titles)


def test_arabic_wall_with_long_titles_pages_right_to_left_and_cuts_nothing(live_server, live_make,
                                                                         desktop):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, [BoardSpec(
        "السكن والجوار والعمل والتعليم في المدينة والريف " * 2,
        question="ما الذي نحتاجه حتى يشعر الجميع بأنهم في بيتهم؟ " * 2) for _ in range(6)])
    author, _ = live_make.participant(workshop)
    for board in workshop.boards:
        for number in range(15):
            live_make.idea(author, board, f"فكرة {number}: دورات لغة مسائية مع رعاية الأطفال")
    live_make.run(phases.set_projector_paging, workshop.id, "pause")
    # The projector's browser chose Arabic (the language switch on the start page).
    wall = desktop(1920, 1080)
    wall.goto(live_server.url)
    wall.select_option("#lang-select", "ar")
    expect(wall.locator("html")).to_have_attribute("lang", "ar", timeout=LIVE)
    wall.goto(f"{live_server.url}/screen/{workshop.screen_key}")
    expect(wall.locator("[data-boards] .wall-board")).to_have_count(6, timeout=LIVE)

    assert wall.evaluate("document.documentElement.dir") == "rtl"
    expect(wall.locator("[data-page-indicator]").first).to_contain_text("صفحة 1 من")
    for board in wall_state(wall):
        assert board["cards"] and board["cut"] == 0 and board["pages"] > 1, board
    headers = wall.evaluate("""() => [...document.querySelectorAll('.wall-board header')].map((header) =>
        header.scrollHeight <= header.clientHeight + 1 && header.getBoundingClientRect().bottom
            < header.parentElement.querySelector('[data-page-indicator]').getBoundingClientRect().top)""")
    assert all(headers)


def test_pages_turn_by_themselves_at_the_interval_the_facilitator_set(live_server, live_make,
                                                                    desktop):
    owner = live_make.facilitator()
    workshop = seed(live_make, owner, 1, 40)
    staff = live_server.staff(workshop, owner)
    wall = open_wall(desktop, live_server, workshop, 1280, 720)
    indicator = wall.locator("[data-boards] [data-page-indicator]")
    expect(indicator).to_have_attribute("data-page", "1")

    assert staff.call("set_projector_paging", {"action": "resume", "seconds": 3})["ok"]

    expect(indicator).to_have_attribute("data-page", "2", timeout=LIVE)
    expect(wall.locator("[data-paging-paused]")).to_be_hidden()
