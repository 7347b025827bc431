"""Guidelines and Fortschreibung in real Chromium: the facilitator writes a field's guideline on
the process page, saves a second version (the first stays listed), starts a consent check on it
in the closing event, a phone answers it, and the compendium prints the current version with its
result; then the next round marks carried measures done and dropped on the page, and its
compendium prints what changed. Hostile and right-to-left text stays text."""
import io
import re
from pathlib import Path

import pypdf
from playwright.sync_api import expect

from facilitator.domain import measures, processes, voting
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.processes import EventSpec, ProcessSpec

LIVE = 10_000
AXE = Path(__file__).parent.parent / "vendor/axe-core/axe.min.js"
HOSTILE = "<img src=x onerror=alert(1)> Alle lernen Deutsch"
ARABIC = "لكل شخص الحق في تعلم اللغة"
SECOND = "Alle lernen Deutsch: früh, kostenlos und in der Nähe."


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


def pdf_text(page) -> str:
    with page.expect_download(timeout=120_000) as download:
        # The click waits for the response (the PDF is made meanwhile): as long as the download.
        page.locator("[data-compendium-pdf]").click(timeout=120_000)
    pdf = pypdf.PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pdf.pages))


def save_guideline(page, field_id: int, text: str) -> None:
    block = page.locator(f"[data-guideline-field='{field_id}']")
    block.locator("textarea").fill(text)
    block.locator("[data-guideline-form] button[type=submit]").click()
    expect(page.locator(f"[data-guideline-field='{field_id}'] [data-guideline-current]")
           ).to_have_text(text, timeout=LIVE)


def test_guideline_versions_consent_check_and_fortschreibung(live_server, live_make, desktop,
                                                             phone, tmp_path):
    owner = live_make.facilitator()
    process = live_make.run(processes.create_process, owner.id, ProcessSpec(
        "Integrationskonzept Emsland", fields=("Sprache", "Arbeit", "Gesundheit")))
    language, work, health = (f.id for f in process.fields)
    closing = live_make.run(processes.create_event, process.id, owner.id, EventSpec(
        "Abschlussveranstaltung", kind="closing", field_ids=[language]))
    for title in ("Sprachcafé im Rathaus", "Sprach-App", "Abendkurse"):
        live_make.run(measures.save_measure, closing.id, owner.id, MeasureSpec(
            title, board_id=closing.boards[0].id, responsible="VHS"))

    page = desktop(bypass_csp=True, locale="de-DE")
    sign_in(page, live_server.url, live_make, owner, f"/console/process/{process.id}")
    # No guideline yet on any field; the consent form appears only once there is a version.
    expect(page.locator("[data-guideline-field] [data-guideline-current]")).to_have_count(0)
    save_guideline(page, language, HOSTILE)
    save_guideline(page, language, SECOND)
    save_guideline(page, work, ARABIC)
    block = page.locator(f"[data-guideline-field='{language}']")
    versions = block.locator("[data-guideline-versions]")
    versions.locator("summary").click()
    expect(versions.locator("li")).to_have_count(1)
    expect(versions.locator("li")).to_contain_text(HOSTILE)  # text, not markup
    assert page.locator("img[src=x]").count() == 0
    expect(block.locator("p", has_text="2").first).to_be_visible()
    assert page.locator(f"[data-guideline-field='{health}'] [data-guideline-form]").count() == 1

    # The consent check on version 2 runs on the phones of the closing event (preselected).
    block.locator("[data-consent-form] button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("Abschlussveranstaltung", timeout=LIVE)
    screen = phone()
    screen.goto(f"{live_server.url}/join/{closing.join_code}")
    screen.get_by_role("radio", name="Sprache", exact=True).check()
    screen.locator(".join-form button[type=submit]").click()
    options = screen.locator("[data-vote-option]")
    expect(options).to_have_count(2, timeout=LIVE)
    expect(options.nth(1)).to_contain_text("Alle lernen Deutsch: früh")
    for option, value in ((1, 2), (0, 9)):
        scale = screen.locator(f"[data-vote-option='{option}']")
        scale.get_by_label(re.compile(rf"^{value}\b")).click()
        expect(scale.locator("[data-vote-saved]")).to_contain_text(str(value), timeout=LIVE)
    round_id = live_make.run(voting.rounds_of, closing.id)[-1].id
    live_make.run(voting.update_round, closing.id, round_id, {"state": "closed"})
    page.reload()
    result = page.locator(f"[data-guideline-field='{language}'] [data-consent-result]")
    expect(result).to_contain_text(re.compile(r"1\D+2\D+9"))
    expect(page.locator(f"[data-guideline-field='{language}'] [data-consent-form]")).to_have_count(0)
    expect(page.locator(f"[data-guideline-field='{work}'] [data-guideline-current]")
           ).to_have_attribute("dir", "auto")
    page.screenshot(path=str(tmp_path / "guidelines.png"), full_page=True)
    assert axe(page) == []
    text = pdf_text(page)
    assert SECOND in text and "Fassung 2" in text, text[:3000]
    assert "Antworten: 1, Gesamtwiderstand 2; weiter beraten: 9" in text, text[:3000]

    # Fortschreibung: the next round carries the measures on; two are marked done and dropped.
    page.locator("#update-title-input").fill("Integrationskonzept Emsland 2027")
    page.locator("[data-start-update] button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("2027", timeout=LIVE)
    update_id = int(re.search(r"/console/process/(\d+)", page.url).group(1))
    update = live_make.run(processes.get_process, update_id)
    review = live_make.run(processes.create_event, update_id, owner.id, EventSpec(
        "Bilanz 2027", field_ids=[update.fields[0].id]))
    ids = [m.id for m in live_make.run(processes.round_measures, process.id)]
    live_make.run(processes.carry_forward, review.id, owner.id, measure_ids=ids[:2])
    page.reload()
    table = page.locator("[data-round-measures]")
    for title, status in (("Sprachcafé im Rathaus", "done"), ("Sprach-App", "dropped")):
        row = table.locator("tr", has_text=title)
        row.locator("select").select_option(status)
        row.locator("button").click()
        expect(page.locator("[data-round-measures] tr", has_text=title).locator("select")
               ).to_have_value(status, timeout=LIVE)
    diff = page.locator("[data-update-diff]")
    expect(diff.locator("[data-diff=done]")).to_contain_text("Sprachcafé im Rathaus")
    expect(diff.locator("[data-diff=given_up]")).to_contain_text("Sprach-App")
    expect(diff.locator("[data-diff=dropped]")).to_contain_text("Abendkurse")
    page.screenshot(path=str(tmp_path / "fortschreibung.png"), full_page=True)
    assert axe(page) == []
    text = pdf_text(page)
    assert "Was sich seit" in text or "What changed since" in text, text[-2000:]
    assert re.search(r"Umgesetzt Sprachcafé im Rathaus", text), text[-2000:]
    assert re.search(r"Verworfen Sprach-App", text), text[-2000:]
    assert re.search(r"Nicht fortgeführt Abendkurse", text), text[-2000:]
