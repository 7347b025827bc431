"""A small participation process end to end in real Chromium: the facilitator creates the process
and its events from the process page (a kick-off with two boards, a workshop on one field, a
closing event), carries the earlier measures into the closing event, phones dot-vote them, a
steering-group member votes by personal link, and the compendium PDF holds every event, each
field's chapter and the measure catalogue with both votes side by side."""
import io
import re
from pathlib import Path

import pypdf
from playwright.sync_api import expect

from facilitator.domain import clusters, measures, processes
from facilitator.domain.measures import MeasureSpec

LIVE = 10_000
AXE = Path(__file__).parent.parent / "vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
    }""", AXE_TAGS)
TITLE = "Integrationskonzept 2026, Landkreis Emsland — Fortschreibung mit langem Titel"


def create_event(page, title: str, kind: str, fields: list[str], template: str = "dots"):
    form = page.locator("[data-next-event]")
    form.locator("#e-title").fill(title)
    form.locator("#e-kind").select_option(kind)
    for name in fields:
        form.locator("label.check", has_text=name).locator("input").check()
    form.locator("#e-template").select_option(template)
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-events] tbody tr", has_text=title)).to_have_count(1, timeout=LIVE)


def results_of(make, event, owner, board_index: int, cards: list[str], heading: str,
               measure: str):
    """Cards from a phone, a cluster of them and a measure made from it (the clustering and
    measure screens have their own browser tests)."""
    board = event.boards[board_index]
    author = make.participant(event)[0]
    posted = [make.idea(author, board, text) for text in cards]
    cluster = make.run(clusters.create_cluster, event.id, owner.id, board.id, heading,
                       idea_ids=[c.id for c in posted])
    make.run(measures.save_measure, event.id, owner.id, MeasureSpec(
        measure, board_id=board.id, source_cluster_id=cluster.id, responsible="Landkreis"))


def sign_in(page, url: str, make, owner, next_path: str) -> None:
    page.goto(f"{url}/console/sign-in/{make.sign_in_secret(owner)}?next={next_path}")
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")


def vote(page, label: str) -> None:
    item = page.locator("[data-vote-target]", has=page.locator(".vote-label", has_text=label))
    given = int(re.sub(r"\D", "", item.locator("[data-vote-count]").inner_text()) or 0)
    item.locator("[data-vote-plus]").click()
    expect(item.locator("[data-vote-count]")).to_contain_text(re.compile(rf"\b{given + 1}$"),
                                                              timeout=LIVE)


def test_a_small_process_from_kick_off_to_compendium(live_server, live_make, desktop, phone,
                                                      tmp_path):
    owner = live_make.facilitator()
    # bypass_csp only so axe-core can be injected for the accessibility checks.
    page = desktop(bypass_csp=True, locale="de-DE")
    sign_in(page, live_server.url, live_make, owner, "/console/process/new")
    assert axe(page) == []
    page.locator("#p-title").fill(TITLE)
    page.locator("#p-organiser").fill("Landkreis Emsland")
    page.locator("#p-fields").fill("Sprache\nArbeit")
    page.locator("#p-groups").fill("Verwaltung\nMigrantenorganisation")
    page.locator("[data-new-process] button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Integrationskonzept 2026", timeout=LIVE)
    process_id = int(re.search(r"/console/process/(\d+)", page.url).group(1))

    create_event(page, "Auftakt", "kickoff", ["Sprache", "Arbeit"])
    create_event(page, "Werkstatt Arbeit", "workshop", ["Arbeit"])
    kickoff, workshop = live_make.run(processes.events, process_id)
    assert [b.title for b in kickoff.boards] == ["Sprache", "Arbeit"]
    assert [b.title for b in workshop.boards] == ["Arbeit"]
    results_of(live_make, kickoff, owner, 0, ["Abendkurse", "Sprachcafé"], "Kurse",
               "Sprachcafé im Rathaus")
    results_of(live_make, workshop, owner, 0, ["Praktika", "Jobmesse"], "Brücken in Betriebe",
               "Jobmesse mit Dolmetschenden")
    create_event(page, "Abschluss", "closing", ["Sprache"])
    closing = live_make.run(processes.events, process_id)[-1]

    # Carry both measures into the closing event (the last event is preselected).
    page.reload()
    carry = page.locator("[data-carry]")
    for title in ("Sprachcafé im Rathaus", "Jobmesse mit Dolmetschenden"):
        carry.locator("label.check", has_text=f"{title}").locator("input").check()
    carry.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("2", timeout=LIVE)

    # The closing event's console opens a dot vote on the carried measures; two phones vote.
    console = desktop()
    sign_in(console, live_server.url, live_make, owner, f"/console/{closing.id}")
    expect(console.locator("[data-run-phases] tr")).to_have_count(2, timeout=LIVE)
    opened = console.evaluate("""async () => {
        const { request } = await import("/static/js/console_state.js");
        return request("open_round", { kind: "dots", target_kind: "measure", board_ids: [],
            dots_per_person: 2, max_per_item: 2, question: "Was zuerst?" });
    }""")
    assert opened["ok"] is True, opened
    phones = []
    for _ in range(2):
        screen = phone()
        screen.goto(f"{live_server.url}/join/{closing.join_code}")
        screen.get_by_role("radio", name="Sprache", exact=True).check()
        screen.locator(".join-form button[type=submit]").click()
        expect(screen.locator("[data-vote-target]")).to_have_count(2, timeout=LIVE)
        phones.append(screen)
    vote(phones[0], "Sprachcafé")
    vote(phones[0], "Sprachcafé")
    vote(phones[1], "Sprachcafé")
    vote(phones[1], "Jobmesse")

    # The steering group: the round is put before it, a member gets a personal link.
    page.reload()
    page.locator("form", has_text="Was zuerst?").locator("button").click()
    page.locator("#member-name").fill("Sozialdezernentin")
    page.locator("#member-name").press("Enter")
    link = page.locator("[data-steering-link]").inner_text().strip()
    member = desktop(390, 844, bypass_csp=True, locale="de-DE")
    member.goto(live_server.url + "/steering/" + link.rsplit("/steering/", 1)[1])
    assert axe(member) == []
    expect(member.locator("h1")).to_have_text(re.compile("Steering group|Steuerungsgruppe"))
    # The member sees the decision and nothing else: no cards of any event.
    assert "Abendkurse" not in member.content() and closing.join_code not in member.content()
    for _ in range(2):
        target = member.locator("li[data-target]", has_text="Jobmesse")
        target.locator("button[value='1']").click()
    expect(member.locator("li[data-target]", has_text="Jobmesse").locator("[data-my-dots]")
           ).to_have_text("2", timeout=LIVE)

    closed = console.evaluate("""async (roundId) => {
        const { request } = await import("/static/js/console_state.js");
        return request("update_round", { round_id: roundId,
            settings: { state: "closed", revealed: true } });
    }""", opened["round_id"])
    assert closed["ok"] is True, closed
    page.goto(f"{live_server.url}/console/process/{process_id}")
    decision = page.locator("[data-decision]").first
    rows = {decision.locator("tbody tr").nth(i).locator("td").nth(0).inner_text():
            (decision.locator("tbody tr").nth(i).locator("[data-participants]").inner_text(),
             decision.locator("tbody tr").nth(i).locator("[data-steering]").inner_text())
            for i in range(decision.locator("tbody tr").count())}
    assert rows == {"Sprachcafé im Rathaus": ("3", "0"), "Jobmesse mit Dolmetschenden": ("1", "2")}
    page.screenshot(path=str(tmp_path / "process-page.png"), full_page=True)
    member.screenshot(path=str(tmp_path / "steering-page.png"), full_page=True)
    assert axe(page) == []

    with page.expect_download(timeout=120_000) as download:
        # The click waits for the response (the PDF is made meanwhile): as long as the download.
        page.locator("[data-compendium-pdf]").click(timeout=120_000)
    pdf = pypdf.PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pdf.pages))
    for title in ("Auftakt", "Werkstatt Arbeit", "Abschluss"):
        assert title in text
    for chapter in ("Sprache", "Arbeit"):
        assert chapter in text
    assert re.search(r"Sprachcafé im Rathaus .*?3 0", text), text[-1500:]
    assert re.search(r"Jobmesse mit Dolmetschenden .*?1 2", text), text[-1500:]
    assert ("Steering group's dots" in text) or ("Punkte der Steuerungsgruppe" in text)
