"""End to end in real Chromium: prepare a workshop, join by QR code on two phones, post live,
survive going offline — as a facilitator and participants would."""
import io
import re
from pathlib import Path

import pytest
import requests
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from facilitator.models import Idea

LIVE = 10_000  # ms a live update may take to reach another screen
AXE = Path(__file__).parent.parent / "vendor/axe-core/axe.min.js"


def decode_qr(url: str) -> str:
    response = requests.get(url, timeout=10)
    assert response.headers["Content-Type"] == "image/png"
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    return code.text


def prepare_workshop(console, boards: list[tuple[str, str]]) -> None:
    console.get_by_role("link", name=re.compile("Prepare a new workshop|Neuen Workshop")).click()
    console.locator("#title").fill("Werkstatt Integration")
    console.locator("#place").fill("Kreishaus")
    console.locator("#stakeholder_groups").fill("Verwaltung\nZivilgesellschaft\nNeuzugewanderte")
    for index, (title, question) in enumerate(boards):
        console.locator(f"#boards-{index}-title").fill(title)
        console.locator(f"#boards-{index}-question").fill(question)
    console.locator(".workshop-form button[type=submit]").click()
    expect(console.locator(".join-code")).to_be_visible()


def join_as(page, url: str, board_title: str | None = None, name: str = "") -> None:
    page.goto(url)
    if board_title:
        page.get_by_role("radio", name=board_title).check()
    if name:
        page.locator("#display_name").fill(name)
    page.locator(".join-form button[type=submit]").click()
    expect(page.locator("[data-idea-text]")).to_be_enabled(timeout=LIVE)


def sign_in_url(live_server, make, facilitator, next_path: str = "/console/") -> str:
    return f"{live_server.url}/console/sign-in/{make.sign_in_secret(facilitator)}?next={next_path}"


def post(page, text: str) -> None:
    page.locator("[data-idea-text]").fill(text)
    page.locator("[data-send]").click()


def test_workshop_runs_live_from_preparation_to_projector(live_server, live_make, desktop, phone):
    console = desktop()
    console.goto(sign_in_url(live_server, live_make, live_make.facilitator()))
    with console.expect_navigation():  # a sign-in link only works on a click
        console.click("[data-sign-in]")
    prepare_workshop(console, [("Sprache", "Was hilft beim Deutschlernen?"),
                               ("Arbeit", "Was hilft beim Weg in Arbeit?"),
                               ("Wohnen", "Was fehlt beim Wohnen?")])
    expect(console.locator(".console-board")).to_have_count(3, timeout=LIVE)
    code = console.locator(".join-code").inner_text().replace("-", "")
    wall = desktop(1920, 1080)
    wall.goto(console.get_by_role("link", name=re.compile("projector|Beamer|Projektor", re.I))
              .get_attribute("href"))

    # Phone A scans the workshop's QR code and picks its table; phone B scans the table's code.
    first = phone()
    join_as(first, decode_qr(f"{live_server.url}/qr/{code}.png"), "Sprache", name="Amira")
    board_id = int(first.url.rstrip("/").split("/")[-1])
    table_url = decode_qr(f"{live_server.url}/qr/{code}/board/{board_id}.png")
    assert table_url.startswith(live_server.url) and f"board={board_id}" in table_url
    second = phone()
    join_as(second, table_url)
    assert second.url == first.url

    post(first, "Sprachkurse mit Kinderbetreuung")
    expect(first.locator("[data-mine] [data-status]")).to_have_text(re.compile("Sent|Gesendet"))
    for screen in (second.locator("[data-others]"), wall.locator(".wall-boards"),
                   console.locator(".console-board").first):
        expect(screen).to_contain_text("Sprachkurse mit Kinderbetreuung", timeout=LIVE)

    # Hostile text is shown as text on every screen, never run.
    post(second, '<img src=x onerror="document.title=1">')
    expect(wall.locator(".wall-card", has_text="<img src=x")).to_have_count(1, timeout=LIVE)
    assert wall.locator(".wall-cards img").count() == 0
    assert wall.title() != "1"

    # Phone A loses the Wi-Fi, writes an idea, and gets it delivered once when back.
    first.context.set_offline(True)
    post(first, "Sprachcafé im Quartier")
    expect(first.locator("[data-mine] .card-pending")).to_contain_text("Sprachcafé im Quartier")
    expect(first.locator("[data-mine] .card-pending [data-status]")).to_have_text(
        re.compile("."), timeout=LIVE)
    first.context.set_offline(False)
    expect(wall.locator(".wall-card", has_text="Sprachcafé im Quartier")).to_have_count(
        1, timeout=30_000)
    expect(first.locator("[data-mine] .card-pending")).to_have_count(0, timeout=LIVE)
    second.reload()
    expect(second.locator("[data-others] .card", has_text="Sprachcafé im Quartier")).to_have_count(1)
    assert live_make.count(Idea, text="Sprachcafé im Quartier") == 1


def test_moderation_hides_an_idea_on_phones_and_projector_at_once(live_server, live_make, desktop,
                                                                  phone):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Gesundheit", "Ehrenamt"])
    console = desktop()
    console.goto(sign_in_url(live_server, live_make, owner, f"/console/{workshop.id}"))
    with console.expect_navigation():  # a sign-in link only works on a click
        console.click("[data-sign-in]")
    wall = desktop(1280, 720)
    wall.goto(f"{live_server.url}/screen/{workshop.screen_key}")
    author, reader = phone(), phone()
    join_as(author, f"{live_server.url}/join/{workshop.join_code}", "Gesundheit")
    join_as(reader, f"{live_server.url}/join/{workshop.join_code}", "Gesundheit")
    post(author, "Max Mustermann wohnt in der Hauptstraße 5")
    expect(wall.locator(".wall-card", has_text="Max Mustermann")).to_have_count(1, timeout=LIVE)

    console.locator(".console-board .card", has_text="Max Mustermann").get_by_role(
        "button", name=re.compile("Hide|Ausblenden")).click()
    expect(wall.locator(".wall-card", has_text="Max Mustermann")).to_have_count(0, timeout=LIVE)
    expect(reader.locator("[data-others] .card", has_text="Max Mustermann")).to_have_count(0)
    expect(console.locator(".console-board .card-hidden", has_text="Max Mustermann")).to_have_count(1)


def test_closed_board_refuses_ideas_with_a_clear_message(live_server, live_make, desktop, phone):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Wohnen"])
    console = desktop()
    console.goto(sign_in_url(live_server, live_make, owner, f"/console/{workshop.id}"))
    with console.expect_navigation():  # a sign-in link only works on a click
        console.click("[data-sign-in]")
    page = phone()
    join_as(page, f"{live_server.url}/join/{workshop.join_code}", "Wohnen")
    # As a facilitator does: once the console shows the boards live (before its first sync the
    # board's settings are redrawn from the server's state, undoing an earlier click).
    # Twice the usual wait: a console's connect sometimes goes unanswered and connects on
    # live.js's retry after 8 s (seen in CI; open, see the issue note).
    expect(console.locator("[data-connection]")).to_have_attribute("data-state", "connected",
                                                                   timeout=2 * LIVE)
    console.locator("[data-setting=is_open]").uncheck()
    expect(page.locator("[data-send]")).to_be_disabled(timeout=LIVE)
    expect(page.locator("[data-board-notice]")).to_be_visible()


@pytest.mark.parametrize("path", ["start", "join", "board", "console", "wall"])
def test_pages_have_no_detectable_accessibility_violations(live_server, live_make, desktop, phone,
                                                           path):
    """axe-core's WCAG 2.1 A/AA rules on every page type, phone and desktop."""
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Sprache", "Bildung"])
    # Only so the test can inject axe-core; the app's own pages never need inline scripts.
    page = desktop(bypass_csp=True) if path in ("console", "wall") else phone(bypass_csp=True)
    if path == "start":
        page.goto(live_server.url + "/")
    elif path == "join":
        page.goto(f"{live_server.url}/join/{workshop.join_code}")
    elif path == "board":
        join_as(page, f"{live_server.url}/join/{workshop.join_code}", "Sprache")
        post(page, "Lernpatenschaften")
        expect(page.locator("[data-mine] [data-status]")).to_have_text(re.compile("Sent|Gesendet"))
    elif path == "console":
        page.goto(sign_in_url(live_server, live_make, owner, f"/console/{workshop.id}"))
        with page.expect_navigation():  # a sign-in link only works on a click
            page.click("[data-sign-in]")
        expect(page.locator(".console-board")).to_have_count(2, timeout=LIVE)
    else:
        page.goto(f"{live_server.url}/screen/{workshop.screen_key}")
        expect(page.locator(".wall-board")).to_have_count(2, timeout=LIVE)
    violations = run_axe(page)
    assert violations == [], violations


def run_axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
    }""")
    return result
