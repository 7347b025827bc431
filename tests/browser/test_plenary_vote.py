"""Plenary votes in real Chromium: phones at three different tables vote in one round without
changing table — a round of the whole workshop opened from the console's form while the tables
are still collecting, and one table's round opened to the whole room — and the console and the
projector show the same tallies."""
import re

from playwright.sync_api import expect

from facilitator.domain import clusters

LIVE = 10_000  # ms a live update may take to reach another screen


def open_console(desktop, live_server, make, facilitator, workshop):
    page = desktop()
    secret = make.sign_in_secret(facilitator)
    page.goto(f"{live_server.url}/console/sign-in/{secret}?next=/console/{workshop.id}")
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")
    expect(page.locator("[data-run-phases] tr")).to_have_count(len(workshop.boards) + 1,
                                                                timeout=LIVE)
    return page


def sit_down(phone, live_server, workshop, board, name: str = ""):
    """A phone opens the workshop's join page, picks its table by hand and joins (the name is
    optional); the table is still collecting ideas."""
    page = phone()
    page.goto(f"{live_server.url}/join/{workshop.join_code}")
    page.get_by_role("radio", name=board.title, exact=True).check()
    page.locator(".join-form [name=display_name]").fill(name)
    page.locator(".join-form button[type=submit]").click()
    expect(page.locator("[data-vote-phase]")).to_contain_text(re.compile(r"1\D+4"), timeout=LIVE)
    return page


def vote(page, label: str, round_id: int | None = None) -> None:
    within = page.locator(f"[data-vote-round='{round_id}']") if round_id else page
    item = within.locator("[data-vote-target]",
                          has=page.locator(".vote-label", has_text=label))
    given = int(re.sub(r"\D", "", item.locator("[data-vote-count]").inner_text()) or 0)
    item.locator("[data-vote-plus]").click()
    expect(item.locator("[data-vote-count]")).to_contain_text(re.compile(rf"\b{given + 1}$"),
                                                              timeout=LIVE)


def console_tallies(card) -> list[tuple[str, str]]:
    rows = card.locator("[data-run-result]")
    return [(rows.nth(i).locator("td").nth(1).inner_text(),
             rows.nth(i).locator("[data-result-value]").inner_text()) for i in range(rows.count())]


def wall_tallies(wall) -> list[tuple[str, str]]:
    rows = wall.locator("[data-wall-result]")
    # The wall names each item's board under it; the first line is the item.
    return [(rows.nth(i).locator(".results-item").inner_text().splitlines()[0],
             rows.nth(i).locator(".results-value").inner_text()) for i in range(rows.count())]


def reveal_and_compare(console, wall, card, expected: list[tuple[str, str]]) -> None:
    card.locator("[data-part=toggle]").click()
    card.locator("[data-part=reveal]").click()
    expect(card.locator("[data-run-result]")).to_have_count(len(expected), timeout=LIVE)
    card.locator("[data-run-project-round]").click()
    expect(wall.locator("[data-wall-result]")).to_have_count(len(expected), timeout=LIVE)
    assert console_tallies(card) == expected
    assert wall_tallies(wall) == expected


def test_plenary_rounds_are_voted_from_three_tables_without_changing_table(
        live_server, live_make, desktop, phone, tmp_path):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Sprache", "Arbeit", "Wohnen"])
    sprache, arbeit, wohnen = workshop.boards
    for board, heading in [(sprache, "Sprachcafé"), (sprache, "Abendkurse"),
                           (arbeit, "Praktika"), (wohnen, "Wohnungsbörse")]:
        live_make.run(clusters.create_cluster, workshop.id, owner.id, board.id, heading)
    console = open_console(desktop, live_server, live_make, owner, workshop)
    wall = desktop(1920, 1080)
    wall.goto(f"{live_server.url}/screen/{workshop.screen_key}")
    phones = [sit_down(phone, live_server, workshop, sprache, "Amira"),
              sit_down(phone, live_server, workshop, arbeit),
              sit_down(phone, live_server, workshop, wohnen)]
    # The third phone reads Arabic, right to left.
    phones[2].locator("#lang-select").select_option("ar")
    expect(phones[2].locator("html")).to_have_attribute("dir", "rtl", timeout=LIVE)
    expect(phones[2].locator("[data-vote-phase]")).to_contain_text(re.compile(r"1\D+4"),
                                                                   timeout=LIVE)

    # 1. The whole workshop, from the console's form; the tables keep collecting.
    form = console.locator("[data-run-dots-form]")
    form.locator("[data-run-scope][value=all]").check()
    form.locator("[data-run-target-kind][value=cluster]").check()
    form.locator("#run-dots-budget").fill("2")
    form.locator("#run-dots-cap").fill("2")
    form.locator("[data-run-move-phase]").uncheck()
    form.locator("button[type=submit]").click()
    card = console.locator("[data-run-round]").first
    expect(card.locator("[data-part=voters]")).to_contain_text(re.compile(r"\b0\D+3\b"),
                                                               timeout=LIVE)
    for page in phones:
        expect(page.locator("[data-vote-target]")).to_have_count(4, timeout=LIVE)
        expect(page.locator("[data-vote-phase]")).to_contain_text(re.compile(r"1\D+4"))
    for page, choices in zip(phones, [("Sprachcafé", "Praktika"), ("Praktika", "Praktika"),
                                      ("Wohnungsbörse", "Sprachcafé")]):
        for label in choices:
            vote(page, label)
    expect(card.locator("[data-part=voters]")).to_contain_text(re.compile(r"\b3\D+3\b"),
                                                               timeout=LIVE)
    reveal_and_compare(console, wall, card, [("Praktika", "3"), ("Sprachcafé", "2"),
                                             ("Wohnungsbörse", "1"), ("Abendkurse", "0")])

    # 2. One table's clusters, opened to the whole room (as the form's "Open to the whole room"
    # box asks; here through the console's own connection) while that table prioritises.
    opened = console.evaluate("""async (boardId) => {
        const { request } = await import("/static/js/console_state.js");
        await request("set_phase", { board_ids: [boardId], phase: "prioritise" });
        return request("open_round", { kind: "dots", target_kind: "cluster",
            board_ids: [boardId], whole_room: true, dots_per_person: 1, max_per_item: 1 });
    }""", sprache.id)
    assert opened["ok"] is True, opened
    card = console.locator(f"[data-run-round='{opened['round_id']}']")
    expect(card.locator("[data-part=voters]")).to_contain_text(re.compile(r"\b0\D+3\b"),
                                                               timeout=LIVE)
    for page in phones:
        this_round = page.locator(f"[data-vote-round='{opened['round_id']}']")
        expect(this_round.locator("[data-vote-target]")).to_have_count(2, timeout=LIVE)
    # Phones at other tables are told which table the clusters are from.
    expect(phones[1].locator(f"[data-vote-round='{opened['round_id']}'] .vote-board").first
           ).to_have_text("Sprache")
    expect(phones[0].locator(f"[data-vote-round='{opened['round_id']}'] .vote-board")
           ).to_have_count(0)
    for page, label in zip(phones, ["Abendkurse", "Abendkurse", "Sprachcafé"]):
        vote(page, label, opened["round_id"])
    phones[2].screenshot(path=str(tmp_path / "plenary-phone-ar.png"), full_page=True)
    expect(card.locator("[data-part=voters]")).to_contain_text(re.compile(r"\b3\D+3\b"),
                                                               timeout=LIVE)
    reveal_and_compare(console, wall, card, [("Abendkurse", "2"), ("Sprachcafé", "1")])
    wall.screenshot(path=str(tmp_path / "plenary-wall.png"))
