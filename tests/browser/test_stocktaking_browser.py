"""Stock-taking (Bestandsaufnahme, Offenbach) in real Chromium, through the UI: the facilitator
makes a stock-taking board and edits its fields (one optional field left empty later), translates
a field's label; an Arabic phone (right to left) fills the small form; a table host enters a
paper card; the console and the projector show the rows marked "bereits vorhanden"; the CSV has
a table per municipality."""
import csv
import io
import os
from pathlib import Path

from playwright.sync_api import expect

from facilitator.models import Workshop
from test_core_loop import run_axe  # same folder: pytest puts it on the path

LIVE = 10_000
SHOTS = Path(os.environ.get("STOCKTAKING_SHOTS", "/tmp/stocktaking-shots"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def signed_in(desktop, live_server, make, facilitator, path: str):
    page = desktop(bypass_csp=True)  # only so the test can inject axe-core
    page.goto(f"{live_server.url}/console/sign-in/{make.sign_in_secret(facilitator)}?next={path}")
    with page.expect_navigation():
        page.click("[data-sign-in]")
    return page


def test_stocktaking_board_from_fields_to_csv_per_municipality(live_server, live_make, desktop,
                                                                phone):
    owner = live_make.facilitator()
    console = signed_in(desktop, live_server, live_make, owner, "/console/new")

    # A new workshop: the first board takes stock, the second collects ideas as usual.
    console.locator("#title").fill("Bestandsaufnahme mit den Kommunen")
    console.locator("[name='boards-0-title']").fill("Angebote Sprache")
    console.locator("[name='boards-0-kind']").select_option("stocktaking")
    console.locator("[name='boards-1-title']").fill("Was fehlt noch?")
    with console.expect_navigation():
        console.locator(".workshop-form button[type=submit]").click()
    workshop_id = int(console.url.rstrip("/").split("/")[-1])

    # The fields: the Offenbach set; "Seit wann" renamed, a field added, a bad try refused.
    console.goto(f"{live_server.url}/console/{workshop_id}/edit")
    expect(console.locator("[name='boards-0-kind']")).to_have_value("stocktaking")
    expect(console.locator("[name='boards-1-kind']")).to_have_value("cards")
    console.locator("[data-edit-fields]").click()
    labels = console.locator("[data-field-label]")
    expect(labels.nth(0)).to_have_value("Angebot")
    expect(labels.nth(2)).to_have_value("Kommune")
    expect(console.locator("[data-field-group='2']")).to_be_checked()
    assert run_axe(console) == []
    labels.nth(5).fill("Angebot")  # the same label twice: refused, nothing changes
    console.locator("[data-card-fields-form] button[type=submit]").click()
    expect(console.locator(".flash-error")).to_have_text("Es gibt schon ein Feld „Angebot“.")
    labels = console.locator("[data-field-label]")
    labels.nth(3).fill("Seit (Jahr)")
    labels.nth(5).fill("Kontakt (Einrichtung)")
    console.locator("[data-card-fields-form] button[type=submit]").click()
    expect(console.locator(".flash-info")).to_have_text("Die Felder sind gespeichert.")
    expect(console.locator("[data-field-label]").nth(5)).to_have_value("Kontakt (Einrichtung)")
    expect(console.locator("[data-field-required='5']")).not_to_be_checked()
    shot(console, "console-card-fields")

    # The first field's label in Arabic, through the workshop's translation screen.
    board_id = int(console.url.split("/boards/")[1].split("/")[0])
    console.goto(f"{live_server.url}/console/{workshop_id}/translations?lang=ar")
    console.locator(f"[data-translation='cardfield.{board_id}:f1.label']").fill("العرض")
    console.locator("[data-translations-form] button[type=submit]").click()
    expect(console.locator(".flash-info")).to_have_text("Übersetzungen gespeichert.")

    # An Arabic phone: the small form instead of the text box, labels from the facilitator.
    arabic = phone(locale="ar", bypass_csp=True)
    code = live_make.fresh(Workshop, workshop_id).join_code
    arabic.goto(f"{live_server.url}/join/{code}")
    arabic.locator("#lang-select").select_option("ar")
    expect(arabic.locator("html")).to_have_attribute("dir", "rtl", timeout=LIVE)
    arabic.locator(".join-form input[type=radio]").first.check()
    arabic.locator(".join-form button[type=submit]").click()
    expect(arabic.locator("[data-connection]")).to_have_attribute("data-state", "connected",
                                                                  timeout=LIVE)
    form = arabic.locator("[data-stock-fields]")
    expect(form).to_be_visible()
    expect(arabic.locator("[data-idea-text]")).to_be_hidden()
    expect(form.locator("label[for='stock-f1']")).to_have_text("العرض")
    expect(form.locator("label[for='stock-f4']")).to_have_text("Seit (Jahr) (اختياري)")
    arabic.locator("[data-stock-input='f1']").fill("مقهى اللغة للنساء")
    arabic.locator("[data-send]").click()  # Träger missing: said on the phone, nothing sent
    expect(arabic.locator("[data-board-notice]")).to_have_text("يرجى ملء «Träger».")
    expect(arabic.locator("[data-stock-input='f2']")).to_be_focused()
    arabic.locator("[data-stock-input='f2']").fill("جمعية النساء العربيات")
    arabic.locator("[data-stock-input='f3']").fill("Dietzenbach")
    arabic.locator("[data-stock-input='f4']").fill("2021")
    # Zielgruppe and Kontakt (optional) stay empty.
    assert run_axe(arabic) == []
    shot(arabic, "phone-stocktaking-form-ar")
    arabic.locator("[data-send]").click()
    mine = arabic.locator("[data-mine] .card")
    expect(mine).to_have_count(1, timeout=LIVE)
    expect(mine.first.locator("[data-text]")).to_have_text(
        "مقهى اللغة للنساء — جمعية النساء العربيات, Dietzenbach")
    expect(mine.first.locator("[data-stock-exists-mark]")).to_have_text("موجود بالفعل")
    expect(mine.first.locator("[data-status]")).to_have_attribute("data-status", "sent",
                                                                  timeout=LIVE)
    expect(arabic.locator("[data-stock-input='f1']")).to_have_value("")
    shot(arabic, "phone-stocktaking-sent-ar")
    # The author corrects the row field by field: the target group added after all.
    mine.first.locator("[data-edit]").click()
    editing = arabic.locator("[data-mine] form.card-editing")
    expect(editing.locator("[data-stock-input='f1']")).to_have_value("مقهى اللغة للنساء")
    editing.locator("[data-stock-input='f5']").fill("نساء")
    editing.locator("button[type=submit]").click()
    expect(arabic.locator("[data-mine] form.card-editing")).to_have_count(0, timeout=LIVE)

    # A table host types a paper card: an offer planned, not yet there.
    console.goto(f"{live_server.url}/console/{workshop_id}/hosts")
    console.locator("#host-board").select_option(str(board_id))
    console.locator("[data-invite-form] button[type=submit]").click()
    link = console.locator("[data-host-link]").inner_text()
    host = phone(bypass_csp=True)
    host.goto(link)
    card_form = host.locator("[data-host-card-form]")
    card_form.get_by_label("Papierkarte").check()
    card_form.locator("[data-stock-input='f1']").fill("Deutschkurs am Abend")
    card_form.locator("[data-stock-input='f2']").fill("VHS Kreis Offenbach")
    card_form.locator("button[type=submit]").click()  # Kommune missing: refused, kept
    expect(host.locator(".flash-error")).to_have_text("Bitte „Kommune“ ausfüllen.")
    expect(card_form.locator("[data-stock-input='f1']")).to_have_value("Deutschkurs am Abend")
    expect(card_form.get_by_label("Papierkarte")).to_be_checked()
    card_form.locator("[data-stock-input='f3']").fill("Rodgau")
    card_form.locator("[data-stock-exists]").uncheck()
    card_form.locator("button[type=submit]").click()
    expect(host.locator(".flash-info")).to_have_text("Karte hinzugefügt.")
    expect(host.locator("[data-host-card]")).to_have_count(2)
    assert run_axe(host) == []
    shot(host, "host-stocktaking")

    # A shared tablet at the table: the same fields, one anonymous row at a time.
    console.goto(f"{live_server.url}/console/{workshop_id}/hosts")
    console.locator("#host-board").select_option(str(board_id))
    console.locator("#host-role").select_option("tablet")
    console.locator("[data-invite-form] button[type=submit]").click()
    tablet = phone(bypass_csp=True)
    tablet.goto(console.locator("[data-host-link]").inner_text())
    tablet_form = tablet.locator("[data-tablet-form]")
    tablet_form.locator("[data-stock-input='f1']").fill("Elterncafé")
    tablet_form.locator("[data-stock-input='f2']").fill("Stadt Dietzenbach")
    tablet_form.locator("[data-stock-input='f3']").fill("Dietzenbach")
    tablet_form.locator("button[type=submit]").click()
    expect(tablet.locator(".flash-info")).to_contain_text("Danke")
    expect(tablet_form.locator("[data-stock-input='f1']")).to_have_value("")

    # The console shows compact rows with the mark; the projector too.
    console.goto(f"{live_server.url}/console/{workshop_id}")
    cards = console.locator(".card[data-idea-id]")
    expect(cards).to_have_count(3, timeout=LIVE)
    arabic_row = cards.filter(has_text="مقهى")
    expect(arabic_row.locator("[data-text]")).to_have_text(
        "مقهى اللغة للنساء — جمعية النساء العربيات, Dietzenbach")
    expect(arabic_row.locator("[data-card-exists]")).to_have_text("bereits vorhanden")
    paper_row = cards.filter(has_text="Rodgau")
    expect(paper_row.locator("[data-text]")).to_have_text(
        "Deutschkurs am Abend — VHS Kreis Offenbach, Rodgau")
    expect(paper_row.locator("[data-card-exists]")).to_be_hidden()
    expect(paper_row.locator("[data-card-source]")).to_have_text("Papierkarte")
    shot(console, "console-stocktaking-rows")
    wall = desktop(1280, 800)
    wall.goto(f"{live_server.url}/screen/{live_make.fresh(Workshop, workshop_id).screen_key}")
    wall_cards = wall.locator("[data-card]")
    expect(wall_cards).to_have_count(3, timeout=LIVE)
    expect(wall_cards.filter(has_text="مقهى")).to_contain_text("bereits vorhanden")
    expect(wall_cards.filter(has_text="Rodgau")).not_to_contain_text("bereits vorhanden")
    shot(wall, "projector-stocktaking")

    # The CSV: a table per municipality, the empty optional fields empty.
    href = console.locator(f"[data-stocktaking-csv='{board_id}']").get_attribute("href")
    response = console.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    rows = list(csv.reader(io.StringIO(response.body().decode("utf-8-sig"), newline=""),
                           delimiter=";"))
    header = ["Nr.", "Angebot", "Träger", "Kommune", "Seit (Jahr)", "Zielgruppe",
              "Kontakt (Einrichtung)", "Bereits vorhanden", "Quelle"]
    assert rows == [
        ["Kommune: Dietzenbach"], header,
        ["1", "مقهى اللغة للنساء", "جمعية النساء العربيات", "Dietzenbach", "2021", "نساء", "", "ja",
         "Smartphone"],
        ["2", "Elterncafé", "Stadt Dietzenbach", "Dietzenbach", "", "", "", "ja", "gemeinsames Tablet"], [],
        ["Kommune: Rodgau"], header,
        ["3", "Deutschkurs am Abend", "VHS Kreis Offenbach", "Rodgau", "", "", "", "nein",
         "Papierkarte"], [],
    ]
