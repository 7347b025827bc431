"""The steering group sets the priority of the thematic fields and the schedule of measures, in
real Chromium: two members answer on their personal links on phone-sized pages (one in English,
one in German by keyboard only), the facilitator sees the answers gathered on the process page
and records the decided priorities and a schedule for two measures, a member agrees with a
comment, and the compendium PDF prints the fields in the decided order and the schedule."""
import io
import re

import pypdf
from playwright.sync_api import expect

from facilitator.domain import measures, processes, steering
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.processes import EventSpec, ProcessSpec

from test_process import axe, sign_in  # same folder: pytest puts it on the path

LIVE = 10_000
LONG_FIELD = "Partizipation durch Arbeit und Beruf, Ausbildung und Anerkennung von Abschlüssen"


def test_the_steering_group_sets_field_priorities_and_a_schedule(live_server, live_make,
                                                                  desktop, tmp_path):
    owner = live_make.facilitator()
    process = live_make.run(processes.create_process, owner.id, ProcessSpec(
        "Integrationskonzept Mainz-Bingen", organiser="Kreisverwaltung", language="de",
        fields=("Sprache", LONG_FIELD, "Gesundheit")))
    language, work, health = process.fields
    event = live_make.run(processes.create_event, process.id, owner.id, EventSpec(
        "Abschlussveranstaltung", kind="closing", field_ids=[language.id, work.id]))
    phone = live_make.participant(event, "Amira")[0]
    live_make.idea(phone, event.boards[0], "Karte aus dem Raum")
    for title, board in (("Sprachcafé in jeder Gemeinde", 0), ("Jobmesse mit Dolmetschenden", 1)):
        live_make.run(measures.save_measure, event.id, owner.id, MeasureSpec(
            title, board_id=event.boards[board].id, responsible="Landkreis"))
    links = [live_make.run(steering.add_member, process.id, name)[1]
             for name in ("Sozialdezernentin", "Jobcenter Mainz-Bingen")]

    # Member 1, English UI, on a phone-sized page: clicks the answers.
    english = desktop(390, 844, bypass_csp=True, locale="en-US")
    english.goto(f"{live_server.url}/steering/{links[0]}")
    priorities = english.locator("[data-field-priorities]")
    expect(priorities.locator("h2")).to_have_text("Priority of the thematic fields")
    for process_field, answer in ((language, "2 – medium"), (work, "1 – high"),
                                  (health, "1 – high")):
        priorities.locator(f"[data-field='{process_field.id}']").get_by_label(answer).check()
    priorities.locator("[data-save-priorities]").click()
    expect(english.locator(".flash")).to_have_text("Your priorities are saved.", timeout=LIVE)
    assert "Karte aus dem Raum" not in english.content() and "Amira" not in english.content()
    assert axe(english) == []
    english.screenshot(path=str(tmp_path / "member-en.png"), full_page=True)

    # Member 2, German UI, keyboard only: Space checks, Tab goes to the next field, arrows move.
    german = desktop(390, 844, bypass_csp=True, locale="de-DE")
    german.goto(f"{live_server.url}/steering/{links[1]}")
    expect(german.locator("[data-field-priorities] h2")).to_have_text(
        "Priorität der Handlungsfelder")
    german.locator(f"input[name='field-{language.id}'][value='1']").focus()
    german.keyboard.press("Space")             # Sprache: 1
    german.keyboard.press("Tab")
    german.keyboard.press("ArrowDown")         # long field: 2
    german.keyboard.press("Tab")
    german.keyboard.press("ArrowDown")
    german.keyboard.press("ArrowDown")         # Gesundheit: 3
    german.keyboard.press("Tab")
    expect(german.locator("[data-save-priorities]")).to_be_focused()
    german.keyboard.press("Enter")
    expect(german.locator(".flash")).to_have_text("Ihre Prioritäten sind gespeichert.",
                                                  timeout=LIVE)
    expect(german.locator(f"input[name='field-{work.id}'][value='2']")).to_be_checked()
    expect(german.locator(f"input[name='field-{health.id}'][value='3']")).to_be_checked()

    # The facilitator sees the answers gathered and records the decision.
    page = desktop(bypass_csp=True, locale="de-DE")
    sign_in(page, live_server.url, live_make, owner, f"/console/process/{process.id}")
    answers = page.locator("[data-field-answers]")
    counts = {answers.nth(i).locator("th").inner_text(): [
        answers.nth(i).locator(f"[data-count='{v}']").inner_text() for v in (1, 2, 3)]
        for i in range(answers.count())}
    assert counts == {"Sprache": ["1", "1", "0"], LONG_FIELD: ["1", "1", "0"],
                      "Gesundheit": ["1", "0", "1"]}
    form = page.locator("[data-record-priorities]")
    form.get_by_label("Beschlossene Priorität von „Gesundheit“").select_option("1")
    form.get_by_label(f"Beschlossene Priorität von „{LONG_FIELD}“").select_option("2")
    form.get_by_label("Beschlossene Priorität von „Sprache“").select_option("3")
    form.get_by_label("Beschlossen am").fill("2027-01-12")
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_have_text(
        "Die Prioritäten der Steuerungsgruppe sind eingetragen.", timeout=LIVE)

    cafe, fair = live_make.run(processes.round_measures, process.id)
    for measure, start, organisation in ((cafe, "2027 Q1", "Kreisvolkshochschule"),
                                         (fair, "2028", "Agentur für Arbeit")):
        row = page.locator(f"[data-schedule-measure='{measure.id}']")
        row.get_by_label("Beginn").fill(start)
        row.get_by_label("Verantwortliche Organisation").fill(organisation)
        row.get_by_label("Beschlossen am").fill("2027-01-12")
        row.locator("button[type=submit]").click()
        expect(page.locator(".flash")).to_have_text("Der Zeitplan ist gespeichert.",
                                                    timeout=LIVE)
    expect(page.locator(f"[data-schedule-measure='{fair.id}']").get_by_label("Beginn")
           ).to_have_value("2028")

    # A member agrees with a comment; the facilitators see it by name.
    english.reload()
    entry = english.locator("[data-schedule-entry]", has_text="Sprachcafé")
    expect(entry).to_contain_text("2027 Q1")
    entry.get_by_label("I agree").check()
    entry.get_by_label("Comment (optional)").fill("Gut — <b>bitte</b> früh starten")
    entry.get_by_role("button", name=re.compile("Save")).click()
    expect(english.locator(".flash")).to_have_text("Your answer is saved.", timeout=LIVE)
    english.screenshot(path=str(tmp_path / "member-en-schedule.png"), full_page=True)
    german.reload()
    german.screenshot(path=str(tmp_path / "member-de.png"), full_page=True)
    page.reload()
    expect(page.locator(f"[data-schedule-measure='{cafe.id}'] [data-schedule-responses]")
           ).to_have_text("Sozialdezernentin: stimmt zu — Gut — <b>bitte</b> früh starten")
    assert axe(page) == []
    page.locator("#steering-title").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "process-page.png"), full_page=True)

    with page.expect_download(timeout=120_000) as download:
        # The click waits for the response (the PDF is made meanwhile): as long as the download.
        page.locator("[data-compendium-pdf]").click(timeout=120_000)
    download.value.save_as(tmp_path / "compendium.pdf")
    pdf = pypdf.PdfReader(io.BytesIO((tmp_path / "compendium.pdf").read_bytes()))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pdf.pages))
    first = text.index("Priorität laut Steuerungsgruppe: 1 (hoch)")
    second = text.index("Priorität laut Steuerungsgruppe: 2 (mittel)")
    third = text.index("Priorität laut Steuerungsgruppe: 3 (niedrig)")
    assert first < second < third
    assert text.rindex("Gesundheit", 0, first) > text.rindex("Sprache", 0, first)
    decisions = text[text.index("Beschlüsse der Steuerungsgruppe", third):]
    assert re.search(r"1 Gesundheit 1 \(hoch\) 12\.01\.2027", decisions), decisions[:600]
    # (a narrow cell may break a long word: compared without spaces)
    packed = decisions.replace(" ", "")
    assert re.search(r"2027Q1SprachcaféinjederGemeindeSprachceKreisvolkshochschule"
                     .replace("Sprachce", "Sprache"), packed), decisions
    assert re.search(r"2028JobmessemitDolmetschenden.*AgenturfürArbeit12\.01\.2027", packed)
    catalogue = text[text.index("Maßnahmenkatalog", third):]
    # (a word hyphenated at a line end is joined again)
    catalogue = catalogue[:catalogue.index("Beschlüsse der Steuerungsgruppe")].replace(
        "\u2010 ", "").replace("- ", "")
    assert re.search(r"Sprachcafé in jeder Gemeinde .*2027 Q1", catalogue), catalogue
    assert "Kreisvolkshoch" in catalogue and "beschlossen am 12.01.2027" in catalogue
