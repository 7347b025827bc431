"""Editing a process after it was made, its JSON file and its live events table, in real
Chromium: the team edits title, fields, groups and team on the settings page (removing a field
an event works on is refused clearly), downloads the whole process and imports it again as a new
process, and watches the card count change on the process page while a phone posts. A variant
runs the process pages with the UI in Arabic (right to left) and a 200-character title."""
import re
from pathlib import Path

from playwright.sync_api import expect

from facilitator.domain import processes
from facilitator.domain.processes import EventSpec, FieldSpec, ProcessSpec

LIVE = 10_000
AXE = Path(__file__).parent.parent / "vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LONG_TITLE = ("Integrationskonzept 2026–2030 für den Landkreis Emsland und seine Städte und "
              "Gemeinden: Sprache, Bildung, Arbeit, Teilhabe, Ehrenamt, Gesundheit und Pflege "
              "— Fortschreibung mit Beteiligung aller Akteursgruppen im Kreis")[:200]


def axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
    }""", AXE_TAGS)


def sign_in(page, url: str, make, owner, next_path: str) -> None:
    page.goto(f"{url}/console/sign-in/{make.sign_in_secret(owner)}?next={next_path}")
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")


def no_sideways_scroll(page) -> None:
    """The page itself never scrolls sideways (a wide table scrolls in its own box)."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    culprits = page.evaluate("""() => [...document.querySelectorAll('body, body *')]
        .filter(e => { const r = e.getBoundingClientRect();
                       return r.right > innerWidth + 1 || r.left < -1
                              || (e.scrollWidth > e.clientWidth + 1
                                  && getComputedStyle(e).overflowX === 'visible'); })
        .filter(e => !e.parentElement.closest('.table-scroll'))
        .slice(-5).map(e => e.tagName + '.' + e.className + ' ' + (e.id || '') + ' ' + e.scrollWidth + '/' + e.clientWidth + ' ' + Math.round(e.getBoundingClientRect().left))""")
    assert overflow <= 1, f"the page is {overflow}px wider than the window: {culprits}"


def make_process(make, owner, title="Integrationskonzept Emsland"):
    process = make.run(processes.create_process, owner.id, ProcessSpec(
        title, organiser="Landkreis Emsland",
        fields=(FieldSpec("Sprache", "Wie lernen alle Deutsch?", "blue"), "Arbeit", "Gesundheit"),
        stakeholder_groups=("Verwaltung", "Politik")))
    kickoff = make.run(processes.create_event, process.id, owner.id, EventSpec(
        "Auftakt", kind="kickoff", field_ids=[process.fields[0].id]))
    return process, kickoff


def flash(page, text: str) -> None:
    expect(page.locator(".flash").first).to_contain_text(text, timeout=LIVE)


def test_the_team_edits_a_process_downloads_it_and_imports_it_again(
        live_server, live_make, desktop, phone, tmp_path):
    owner = live_make.facilitator("Lea Brandt")
    live_make.facilitator("Kollege Ahmad")
    process, kickoff = make_process(live_make, owner)
    page = desktop(bypass_csp=True, locale="en-GB")  # bypass only to inject axe-core
    sign_in(page, live_server.url, live_make, owner, f"/console/process/{process.id}")
    page.locator("[data-process-settings]").click()
    expect(page.locator(".process-title")).to_contain_text("Integrationskonzept Emsland", timeout=LIVE)
    assert axe(page) == []

    # Title, organiser, description (hostile text stays text).
    page.locator("#s-title").fill("Integrationskonzept Emsland 2026")
    page.locator("#s-description").fill("Kick-off, <b>two</b> series, closing event.")
    page.locator("[data-process-details] button[type=submit]").click()
    flash(page, "Saved.")
    expect(page.locator(".process-title")).to_contain_text("Integrationskonzept Emsland 2026")

    # Fields: add, move up, rename, remove an unused one, and the refusal for one in use.
    page.locator("#new-field-title").fill("Ehrenamt")
    page.locator("#new-field-colour").select_option("green")
    page.locator("[data-add-field] button[type=submit]").click()
    flash(page, "The thematic field was added.")
    fields = page.locator("[data-fields] > li")
    expect(fields).to_have_count(4)
    fields.nth(3).get_by_role("button", name=re.compile("^Move up")).click()
    flash(page, "The order was saved.")
    expect(fields.nth(2).locator("input[name=title]")).to_have_value("Ehrenamt")
    fields.nth(1).locator("input[name=title]").fill("Arbeit und Beruf")
    fields.nth(1).get_by_role("button", name=re.compile("^Save")).click()
    flash(page, "The thematic field was saved.")
    fields.nth(3).get_by_role("button", name=re.compile("^Remove")).click()
    flash(page, "The thematic field was removed.")
    expect(fields).to_have_count(3)
    expect(fields.nth(0).locator("[data-field-users]")).to_contain_text("Auftakt")
    fields.nth(0).get_by_role("button", name=re.compile("^Remove")).click()
    flash(page, "The thematic field “Sprache” cannot be removed: events work on it (Auftakt).")
    expect(page.locator(".flash").first).to_have_attribute("role", "alert")
    expect(fields).to_have_count(3)
    assert [fields.nth(i).locator("input[name=title]").input_value() for i in range(3)] == [
        "Sprache", "Arbeit und Beruf", "Ehrenamt"]

    # Stakeholder groups: add, rename, remove; an empty name is refused by the browser first.
    page.locator("#new-group").fill("Migrantenorganisationen")
    page.locator("[data-add-group] button[type=submit]").click()
    flash(page, "every event of the process offers it")
    groups = page.locator("[data-groups] > li")
    groups.nth(0).locator("input[name=name]").fill("Kommunalverwaltung")
    groups.nth(0).get_by_role("button", name=re.compile("^Rename")).click()
    flash(page, "The stakeholder group was renamed.")
    groups.nth(1).get_by_role("button", name=re.compile("^Remove")).click()
    flash(page, "events already made keep it")
    assert [groups.nth(i).locator("input[name=name]").input_value()
            for i in range(groups.count())] == [
        "Kommunalverwaltung", "Migrantenorganisationen"]

    # Team: an unknown name is refused; a colleague is added and removed again.
    team = page.locator("[data-team] > li")
    expect(team).to_have_count(1)
    expect(team.get_by_role("button")).to_have_count(0)  # the last member has no remove button
    page.locator("#new-member").fill("Niemand")
    page.locator("[data-add-member] button[type=submit]").click()
    flash(page, "There is no account with the name “Niemand”.")
    page.locator("#new-member").fill("Kollege Ahmad")
    page.locator("[data-add-member] button[type=submit]").click()
    flash(page, "Kollege Ahmad can now run every event of this process.")
    expect(team).to_have_count(2)
    page.screenshot(path=str(tmp_path / "settings.png"), full_page=True)
    assert axe(page) == []
    team.filter(has_text="Kollege Ahmad").get_by_role("button").click()
    flash(page, "Removed from the team.")
    expect(team).to_have_count(1)

    # The whole process as JSON, and back as a new process from the index page.
    page.locator("[data-back-to-process]").click()
    expect(page.locator("[data-process-description]")).to_have_text(
        "Kick-off, <b>two</b> series, closing event.")
    with page.expect_download() as download:
        page.locator("[data-process-json]").click()
    saved = tmp_path / "process.json"
    download.value.save_as(saved)
    assert b'"facilitator-process"' in saved.read_bytes()
    page.goto(f"{live_server.url}/console/")
    form = page.locator("[data-import-process]")
    form.locator("button[type=submit]").click()
    flash(page, "Please choose a file first.")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "facilitator-process", "process": {}}')
    form.locator("input[type=file]").set_input_files(str(broken))
    form.locator("button[type=submit]").click()
    flash(page, "This file is not a Facilitator process export, or it is damaged")
    page.screenshot(path=str(tmp_path / "index-import.png"), full_page=True)
    form.locator("input[type=file]").set_input_files(str(saved))
    form.locator("button[type=submit]").click()
    flash(page, "was imported. Its events have new join codes")
    expect(page.locator("h1")).to_contain_text("Integrationskonzept Emsland 2026")
    new_id = int(re.search(r"/console/process/(\d+)", page.url).group(1))
    assert new_id != process.id
    expect(page.locator("[data-events] tbody tr")).to_have_count(1)
    expect(page.locator("[data-events] tbody tr")).to_contain_text("Auftakt")
    page.screenshot(path=str(tmp_path / "imported.png"), full_page=True)


def test_the_process_page_follows_a_posting_phone_without_reload(live_server, live_make,
                                                                  desktop, phone, tmp_path):
    owner = live_make.facilitator()
    process, kickoff = make_process(live_make, owner)
    page = desktop(locale="de-DE")
    sign_in(page, live_server.url, live_make, owner, f"/console/process/{process.id}")
    row = page.locator(f"[data-events] tr[data-event='{kickoff.id}']")
    expect(row.locator("[data-count=cards]")).to_have_text("0", timeout=LIVE)
    expect(row.locator("[data-state]")).to_have_text("geplant")
    marker = page.evaluate("() => (window.__notReloaded = true)")
    assert marker

    mobile = phone()
    mobile.goto(f"{live_server.url}/join/{kickoff.join_code}")
    mobile.get_by_role("radio", name="Sprache", exact=True).check()
    mobile.locator(".join-form button[type=submit]").click()
    expect(mobile.locator("[data-idea-text]")).to_be_enabled(timeout=LIVE)
    for text in ("Sprachcafé am Abend", "Kinderbetreuung während der Kurse"):
        mobile.locator("[data-idea-text]").fill(text)
        mobile.locator("[data-send]").click()
        expect(mobile.locator("[data-idea-text]")).to_have_value("", timeout=LIVE)

    expect(row.locator("[data-count=cards]")).to_have_text("2", timeout=3 * LIVE)
    expect(row.locator("[data-count=participants]")).to_have_text("1")
    expect(row.locator("[data-state]")).to_have_text("läuft")
    announce = page.locator("[data-live-announce]")
    expect(announce).to_have_attribute("aria-live", "polite")
    expect(announce).to_contain_text("Auftakt")
    expect(announce).to_contain_text("Karten 2")
    assert page.evaluate("() => window.__notReloaded") is True
    page.screenshot(path=str(tmp_path / "live.png"), full_page=True)


def choose_arabic(page, url: str, event) -> None:
    """The console's own switch offers its two full languages (German, English); a facilitator
    reading Arabic picks it with the same switch on a page that lists every language (the
    join page), and the choice holds for the console on this device."""
    page.goto(f"{url}/join/{event.join_code}")
    with page.expect_navigation():
        page.locator("#lang-select").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def test_process_pages_in_arabic_with_a_200_character_title(live_server, live_make, desktop,
                                                              phone, tmp_path):
    assert len(LONG_TITLE) == 200
    owner = live_make.facilitator()
    process, kickoff = make_process(live_make, owner, LONG_TITLE)
    live_make.run(processes.create_event, process.id, owner.id, EventSpec(
        "Werkstatt Arbeit und Beruf mit einem ebenfalls recht langen Veranstaltungstitel",
        field_ids=[process.fields[1].id]))
    page = desktop(bypass_csp=True, locale="de-DE")
    sign_in(page, live_server.url, live_make, owner, f"/console/process/{process.id}")
    choose_arabic(page, live_server.url, kickoff)
    page.goto(f"{live_server.url}/console/process/{process.id}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_contain_text(LONG_TITLE[:40])
    expect(page.locator("#lang-select")).to_have_value("ar")  # shown as chosen, not "Deutsch"
    expect(page.locator("[data-process-settings]")).to_have_text(
        "الإعدادات: المجالات والمجموعات والفريق")
    no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "process-ar.png"), full_page=True)
    assert axe(page) == []

    page.locator("[data-process-settings]").click()
    expect(page.locator("#s-title")).to_have_value(LONG_TITLE, timeout=LIVE)
    no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "settings-ar.png"), full_page=True)
    assert axe(page) == []
    # The whole title is kept when it is saved again unchanged.
    page.locator("[data-process-details] button[type=submit]").click()
    flash(page, "تم الحفظ.")
    expect(page.locator("#s-title")).to_have_value(LONG_TITLE)

    # On a phone-sized screen too: the title wraps and nothing widens the page.
    small = phone(locale="ar", bypass_csp=True)
    sign_in(small, live_server.url, live_make, owner, f"/console/process/{process.id}")
    choose_arabic(small, live_server.url, kickoff)
    small.goto(f"{live_server.url}/console/process/{process.id}")
    expect(small.locator("html")).to_have_attribute("dir", "rtl")
    no_sideways_scroll(small)
    small.screenshot(path=str(tmp_path / "process-ar-phone.png"), full_page=True)
    # The events table scrolls in its own box, which a keyboard can reach.
    box = small.locator(".table-scroll").first
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    expect(box).to_have_attribute("tabindex", "0")
    assert axe(small) == []
    small.goto(f"{live_server.url}/console/process/{process.id}/settings")
    no_sideways_scroll(small)
    small.screenshot(path=str(tmp_path / "settings-ar-phone.png"), full_page=True)
