"""Working groups (Kaiserslautern) in real Chromium, through the UI: the facilitator opens a
field's working group on the process page; a German phone signs up with consent, name and
contact (after being refused without the box ticked), a Farsi phone (right to left) without
consent and is only counted; the facilitator sees the member list and counts, downloads the
CSV, and creates a meeting that appears among the process's events; the German phone
withdraws, which deletes its sign-up."""
import re
from pathlib import Path

from playwright.sync_api import expect

from facilitator.domain import processes
from facilitator.domain.processes import EventSpec, ProcessSpec

LIVE = 10_000
AXE = Path(__file__).parent.parent / "vendor/axe-core/axe.min.js"
CONTACT = "amina.k@example.org"
HOSTILE_NOTE = "<script>alert(1)</script> jeden 2. Dienstag, Rathaus"
LONG_FIELD = ("Zusammenleben in der Nachbarschaft, Vereinsleben, Ehrenamt und interkulturelle "
              "Öffnung der Verwaltung")


def axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
    }""")


def sign_in(page, url: str, make, owner, next_path: str) -> None:
    page.goto(f"{url}/console/sign-in/{make.sign_in_secret(owner)}?next={next_path}")
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")


def join(screen, url: str, code: str, board: str) -> None:
    screen.goto(f"{url}/join/{code}")
    screen.get_by_role("radio", name=board, exact=True).check()
    screen.locator(".join-form button[type=submit]").click()
    expect(screen.locator("[data-board-title]")).to_have_text(board, timeout=LIVE)


def test_working_group_sign_up_list_csv_and_meeting(live_server, live_make, desktop, phone,
                                                    tmp_path):
    owner = live_make.facilitator()
    process = live_make.run(processes.create_process, owner.id, ProcessSpec(
        "Integrationskonzept Kaiserslautern", organiser="Stadt Kaiserslautern",
        fields=("Sprache und Bildung", "Arbeit", "Wohnen", LONG_FIELD)))
    language = process.fields[0]
    kickoff = live_make.run(processes.create_event, process.id, owner.id, EventSpec(
        "Auftaktveranstaltung", kind="kickoff", field_ids=[f.id for f in process.fields[:2]]))
    url = live_server.url

    # The facilitator opens the working group "Sprache und Bildung" on the process page.
    page = desktop(bypass_csp=True, locale="de-DE")
    sign_in(page, url, live_make, owner, f"/console/process/{process.id}")
    opener = page.locator("[data-open-working-group]")
    opener.get_by_label("Handlungsfeld").select_option(label="Sprache und Bildung")
    opener.get_by_label("Beschreibung (optional)").fill("Sprachkurse und Kitas vor Ort")
    opener.get_by_label("Wann und wo sie sich trifft (optional)").fill(HOSTILE_NOTE)
    opener.get_by_role("button", name="Arbeitsgruppe zur Anmeldung öffnen").click()
    group = page.locator("[data-working-group]")
    expect(group).to_have_count(1, timeout=LIVE)
    expect(group.locator("h3")).to_contain_text("Sprache und Bildung")
    expect(group).to_contain_text(HOSTILE_NOTE)  # text, not markup
    expect(group.locator("[data-working-group-count]")).to_contain_text(
        "Mitglieder mit Kontakt: 0 · interessiert ohne Kontakt: 0")
    group_id = group.get_attribute("data-working-group")
    # A second group with a long field title and the optional fields left empty.
    opener.get_by_label("Handlungsfeld").select_option(label=LONG_FIELD)
    opener.get_by_role("button", name="Arbeitsgruppe zur Anmeldung öffnen").click()
    expect(page.locator("[data-working-group]")).to_have_count(2, timeout=LIVE)

    # A German phone: from its board page to the sign-up screen.
    german = phone("de-DE", bypass_csp=True)
    join(german, url, kickoff.join_code, "Sprache und Bildung")
    link = german.get_by_role("link", name="Mitmachen in der Arbeitsgruppe „Sprache und Bildung“")
    expect(link).to_be_visible()
    expect(link.locator("bdi")).to_have_text("Sprache und Bildung")  # the title is isolated
    german.screenshot(path=str(tmp_path / "phone_board_de.png"), full_page=True)
    link.click()
    expect(german.locator("h1")).to_have_text(
        "Mitmachen in der Arbeitsgruppe „Sprache und Bildung“")
    # Name and contact without the consent box: refused, said at the top and at the box.
    german.get_by_label("Ihr Name").fill("Amina K.")
    german.get_by_label("Ihre E-Mail-Adresse oder Telefonnummer").fill(CONTACT)
    german.get_by_role("button", name="Anmelden").click()
    expect(german.locator("[data-error-summary]")).to_contain_text("kreuzen Sie bitte an")
    consent = german.get_by_role("checkbox", name=re.compile("Ja, speichern Sie meinen Namen"))
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(german.get_by_label("Ihr Name")).to_have_value("Amina K.")  # nothing typed is lost
    german.screenshot(path=str(tmp_path / "phone_refused_de.png"), full_page=True)
    # With the keyboard: tick the box with the space bar, send with Enter.
    consent.focus()
    german.keyboard.press("Space")
    expect(consent).to_be_checked()
    german.get_by_label("Ihre E-Mail-Adresse oder Telefonnummer").focus()
    german.keyboard.press("Enter")
    expect(german.locator(".flash-success")).to_contain_text(
        "Sie sind für die Arbeitsgruppe „Sprache und Bildung“ angemeldet", timeout=LIVE)
    expect(german.locator("[data-my-signup]")).to_have_text(
        "Sie sind mit Namen und Kontakt angemeldet.")
    long_group = german.locator("[data-working-group]", has_text=LONG_FIELD)
    expect(long_group.get_by_role("link", name=re.compile("Mitmachen in der Arbeitsgruppe"))
           ).to_be_visible()
    assert german.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    german.screenshot(path=str(tmp_path / "phone_signed_up_de.png"), full_page=True)
    assert axe(german) == []

    # A Farsi phone (right to left) signs up without consent: only counted.
    farsi = phone("fa", bypass_csp=True)
    join(farsi, url, kickoff.join_code, "Arbeit")
    expect(farsi.locator("html")).to_have_attribute("dir", "rtl")
    farsi.get_by_role("link", name="شرکت در گروه کاری «Sprache und Bildung»").click()
    expect(farsi.locator("h1")).to_contain_text("شرکت در گروه کاری")
    expect(farsi.get_by_label("ایمیل یا شماره تلفن شما")).to_have_attribute("dir", "ltr")
    farsi.screenshot(path=str(tmp_path / "phone_form_fa.png"), full_page=True)
    assert axe(farsi) == []
    farsi.get_by_role("button", name="ثبت‌نام").click()
    expect(farsi.locator(".flash-success")).to_contain_text("هیچ چیزی درباره شما ذخیره نشد",
                                                            timeout=LIVE)
    expect(farsi.locator("[data-my-signup]")).to_contain_text("علاقه‌مند")
    farsi.screenshot(path=str(tmp_path / "phone_counted_fa.png"), full_page=True)
    assert axe(farsi) == []

    # The facilitator sees the member with contact, the count, and downloads the CSV.
    page.reload()
    group = page.locator(f"[data-working-group='{group_id}']")
    expect(group.locator("[data-working-group-count]")).to_contain_text(
        "Mitglieder mit Kontakt: 1 · interessiert ohne Kontakt: 1")
    members = group.locator("[data-working-group-members] tbody tr")
    expect(members).to_have_count(1)
    expect(members).to_contain_text("Amina K.")
    expect(members).to_contain_text(CONTACT)
    expect(members).to_contain_text("Auftaktveranstaltung")
    with page.expect_download() as download:
        page.locator("[data-working-groups-csv]").click()
    csv = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    lines = csv.strip().split("\r\n")
    assert lines[0] == "Arbeitsgruppe;Name;Kontakt;Angemeldet in;Angemeldet am", lines
    assert lines[1].startswith(f"Sprache und Bildung;Amina K.;{CONTACT};Auftaktveranstaltung;")
    assert len(lines) == 2  # the Farsi phone left nothing personal

    # "Treffen der Arbeitsgruppe anlegen": the meeting is the process's next event.
    form = group.locator("[data-working-group-meeting-form]")
    expect(form.get_by_label("Titel")).to_have_value(
        "Arbeitsgruppe „Sprache und Bildung“: Treffen 1")
    form.get_by_label("Datum").fill("2027-01-12")
    form.get_by_role("button", name="Treffen der Arbeitsgruppe anlegen").click()
    expect(page.locator(".flash-success")).to_contain_text("nächste Veranstaltung", timeout=LIVE)
    meeting_row = page.locator("[data-events] tr", has_text="Treffen 1")
    expect(meeting_row).to_contain_text("Treffen der Arbeitsgruppe")
    expect(page.locator(f"[data-working-group='{group_id}'] [data-working-group-meetings] li")
           ).to_contain_text("Arbeitsgruppe „Sprache und Bildung“: Treffen 1")
    events = live_make.run(processes.events, process.id)
    assert (events[-1].event_kind, [b.title for b in events[-1].boards]) == (
        "working_group", ["Sprache und Bildung"])
    page.screenshot(path=str(tmp_path / "process_page.png"), full_page=True)
    assert axe(page) == []

    # The German phone withdraws its own sign-up: deleted, gone from the facilitator's list.
    german.get_by_role("button", name="Meine Anmeldung zurückziehen").click()
    expect(german.locator(".flash-success")).to_contain_text("zurückgezogen und gelöscht",
                                                             timeout=LIVE)
    expect(german.locator("[data-my-signup]")).to_have_count(0)
    page.reload()
    expect(page.locator(f"[data-working-group='{group_id}'] [data-working-group-count]")
           ).to_contain_text("Mitglieder mit Kontakt: 0 · interessiert ohne Kontakt: 1")
    expect(page.locator("body")).not_to_contain_text(CONTACT)
