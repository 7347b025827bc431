"""At the door, in real Chromium: the page a phone sees after too many wrong codes on the venue's
network (German and Arabic), and the console replacing a projector link that got out."""
import re
import uuid
from datetime import date
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect


LIVE = 10_000
UNKNOWN = "ZZZZ-ZZZZ"
SHOTS = Path("/tmp/gate-shots")


@pytest.fixture(scope="module")
def live_server(start_module_server):
    """Counting wrong codes (the suite's other servers switch limits off)."""
    return start_module_server("gate", env={"RATELIMIT_ENABLED": "1"})


def use_up_the_wrong_code_limit(live_server) -> None:
    """A prober on the same network (all of this test's requests leave from 127.0.0.1)."""
    answers = {requests.get(f"{live_server.url}/qr/{UNKNOWN}.svg", timeout=10).status_code
               for _ in range(30)}
    assert answers <= {404, 429}
    assert requests.get(f"{live_server.url}/join/{UNKNOWN}", timeout=10).status_code == 429


def type_code(page, code: str) -> None:
    page.locator("input[name=code]").fill(code)
    page.locator("form:not(.language-switch) button[type=submit]").click()


def test_too_many_wrong_codes_get_a_friendly_page_in_the_phones_language_and_a_real_code_still_works(
        live_server, live_make, phone):
    workshop = live_make.workshop(live_make.facilitator(), ["Wohnen"])
    use_up_the_wrong_code_limit(live_server)

    page = phone("de-DE")
    page.goto(f"{live_server.url}/")
    type_code(page, "AAAA-BBBB")
    expect(page.locator("h1")).to_have_text("Bitte einen Moment warten")
    expect(page.locator("main")).to_contain_text("Ein richtiger Code funktioniert weiterhin.")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.screenshot(path=str(SHOTS / "refusal-de.png"), full_page=True)

    # The phone switches to Arabic, types another wrong code: the same page, right to left.
    page.locator("#lang-select").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl", timeout=LIVE)
    type_code(page, "CCCC-DDDD")
    expect(page.locator("h1")).to_have_text("يرجى الانتظار قليلاً")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.screenshot(path=str(SHOTS / "refusal-ar.png"), full_page=True)

    # A real code, typed on the refusal page itself, leads on to joining.
    type_code(page, workshop.join_code.lower())
    expect(page).to_have_url(re.compile(f"/join/{workshop.join_code}$"), timeout=LIVE)
    expect(page.locator("input[name=board]")).to_have_count(1)


def test_a_new_projector_link_disconnects_the_old_wall_at_once(live_server, live_make, desktop):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Wohnen"])
    old_key = workshop.screen_key
    _participant, token = live_make.participant(workshop)
    wall = desktop(1280, 720)
    wall.goto(f"{live_server.url}/screen/{old_key}")
    console = desktop()
    console.goto(f"{live_server.url}/console/sign-in/{live_make.sign_in_secret(owner)}"
                 f"?next=/console/{workshop.id}")
    with console.expect_navigation():  # a sign-in link only works on a click
        console.click("[data-sign-in]")
    phone = live_server.phone(workshop, token, workshop.boards[0].id)

    def post(text: str) -> None:
        ack = phone.call("post_idea", {"board_id": workshop.boards[0].id,
                                       "client_id": uuid.uuid4().hex, "text": text})
        assert ack["ok"], ack

    post("Vor dem neuen Link")
    expect(wall.get_by_text("Vor dem neuen Link")).to_be_visible(timeout=LIVE)

    console.locator("[data-new-projector-key]").click()
    expect(console.locator(".flash")).to_contain_text("Der Beamer hat einen neuen Link", timeout=LIVE)
    with live_server.session() as session:
        from facilitator.models import Workshop
        new_key = session.get(Workshop, workshop.id).screen_key
    assert new_key != old_key
    expect(console.locator("code.break").filter(has_text="/screen/")).to_have_text(
        re.compile(f"/screen/{re.escape(new_key)}$"))
    console.screenshot(path=str(SHOTS / "console-new-key.png"))

    # The old wall was disconnected by the server: it hears nothing more.
    expect(wall.locator("[data-connection]")).not_to_have_text("", timeout=LIVE)
    post("Nach dem neuen Link")
    assert requests.get(f"{live_server.url}/screen/{old_key}", timeout=10).status_code == 404
    fresh = desktop(1280, 720)
    fresh.goto(f"{live_server.url}/screen/{new_key}")
    expect(fresh.get_by_text("Nach dem neuen Link")).to_be_visible(timeout=LIVE)
    expect(wall.get_by_text("Nach dem neuen Link")).to_have_count(0)


def sign_in(desktop, live_server, live_make, owner, workshop, **options):
    console = desktop(**options)
    console.goto(f"{live_server.url}/console/sign-in/{live_make.sign_in_secret(owner)}"
                 f"?next=/console/{workshop.id}")
    with console.expect_navigation():  # a sign-in link only works on a click
        console.click("[data-sign-in]")
    return console


def test_the_console_says_when_participation_data_goes_and_sets_the_workshops_period(
        live_server, live_make, desktop):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Wohnen"], event_date=date(2027, 3, 10))
    console = sign_in(desktop, live_server, live_make, owner, workshop)
    section = console.locator("[data-retention]")
    # 90 days (the installation's) after the end of 10 March 2027.
    expect(section.locator("[data-retention-state=due]")).to_contain_text("09.06.2027")
    expect(section).to_contain_text("sobald die Dokumentation erstellt ist")

    section.locator("#retention-days").fill("0")
    section.get_by_role("button", name="Speichern").click()
    expect(console.locator(".flash")).to_have_text("Aufbewahrungsfrist gespeichert.")
    expect(section.locator("[data-retention-state=kept]")).to_be_visible()

    section.locator("#retention-days").fill("7")
    section.get_by_role("button", name="Speichern").click()
    expect(section.locator("[data-retention-state=due]")).to_contain_text("18.03.2027")
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(SHOTS / "console-retention.png"))


HOSTILE = ['<img src=x onerror="window.__hit=1;alert(1)">', "<script>alert(2)</script>",
           '"><svg onload=alert(3)>', "javascript:alert(4)", "{{7*7}} ${7*7}"]
INJECTED = ("img[src='x'], svg[onload], [onerror], [onload], [onmouseover], "
            "script:not([src]):not([type='application/json'])")
WATCH = """window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));"""


def test_hostile_text_stays_text_on_the_phone_the_console_the_projector_and_the_posters(
        live_server, live_make, desktop, phone):
    owner = live_make.facilitator()
    workshop = live_make.workshop(
        owner, [HOSTILE[1], HOSTILE[2]], title=HOSTILE[0], place=HOSTILE[3], purpose=HOSTILE[4],
        stakeholder_groups=[HOSTILE[0]])
    author, token = live_make.participant(workshop, HOSTILE[2][:40])
    for board in workshop.boards:
        for text in HOSTILE:
            live_make.idea(author, board, text)
    board = workshop.boards[0]
    pages, dialogs, foreign = [], [], []

    def watched(page):
        page.add_init_script(WATCH)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("request", lambda request: None if request.url.startswith(
            (live_server.url, "data:", "blob:")) else foreign.append(request.url))
        pages.append(page)
        return page

    handset = phone("de-DE")
    handset.context.add_cookies([{"name": "session", "url": live_server.url,
                                  "value": live_server.phone_cookie((workshop, token))
                                  .split("=", 1)[1]}])
    handset = watched(handset)
    handset.goto(f"{live_server.url}/w/{workshop.join_code}/board/{board.id}")
    expect(handset.get_by_text(HOSTILE[0], exact=True).first).to_be_visible(timeout=LIVE)
    joining = watched(phone("ar"))
    joining.goto(f"{live_server.url}/join/{workshop.join_code}")
    expect(joining.get_by_text(HOSTILE[1], exact=True).first).to_be_visible()
    console = watched(sign_in(desktop, live_server, live_make, owner, workshop))
    console.reload()  # now with the watcher, which only applies from the next page on
    expect(console.get_by_text(HOSTILE[4], exact=True).first).to_be_visible(timeout=LIVE)
    wall = watched(desktop(1280, 720))
    wall.goto(f"{live_server.url}/screen/{workshop.screen_key}")
    expect(wall.get_by_text(HOSTILE[3], exact=True).first).to_be_visible(timeout=LIVE)
    for path in (f"/poster/{workshop.join_code}/board/{board.id}",
                 f"/poster/{workshop.join_code}/boards", "/console/"):
        page = watched(console.context.new_page())
        page.goto(live_server.url + path)
        expect(page.get_by_text(HOSTILE[0]).first).to_be_attached()

    for page in pages:
        assert page.locator(INJECTED).count() == 0, page.url
        assert page.evaluate("window.__hit") is None, page.url
        assert page.evaluate("window.__csp") == [], page.url
    assert dialogs == [] and foreign == []
