"""Languages in real Chromium: a fresh phone speaks its browser's language, every script has a
font on every screen, counts read right in languages with several plural forms, and the language
switch works on old phones and never reloads under a keyboard user's arrow keys."""
import re

import pytest
from playwright.sync_api import expect

from facilitator.domain import boards
from test_core_loop import run_axe  # same folder: pytest puts it on the path

LIVE = 10_000
TIGRINYA = "ናይ ቋንቋ ትምህርቲ ምሸት"  # "evening language classes"


def fresh_phone(browser, locale: str, **options):
    """A new phone whose browser asks for `locale` first (Accept-Language and navigator)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale=locale, **options)
    return context, context.new_page()


@pytest.fixture
def open_context(browser):
    contexts = []

    def open_one(locale: str, **options):
        context, page = fresh_phone(browser, locale, **options)
        contexts.append(context)
        return page
    yield open_one
    for context in contexts:
        context.close()


def join(page, url: str, board_title: str) -> None:
    page.goto(url)
    page.get_by_role("radio", name=board_title).check()
    page.locator(".join-form button[type=submit]").click()
    expect(page.locator("[data-idea-text]")).to_be_enabled(timeout=LIVE)


@pytest.mark.parametrize("locale, lang, direction", [
    ("ar", "ar", "rtl"), ("fa", "fa", "rtl"), ("prs", "prs", "rtl"), ("uk", "uk", "ltr"),
    ("ti", "ti", "ltr")])
def test_a_fresh_phone_gets_its_browser_language_on_join_and_board(
        live_server, live_make, open_context, locale, lang, direction):
    workshop = live_make.workshop(boards=["Sprache"], stakeholder_groups=())
    page = open_context(locale, bypass_csp=True)  # bypass_csp only to inject axe-core
    page.goto(f"{live_server.url}/join/{workshop.join_code}")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", direction)
    expect(page.locator("#lang-select")).to_have_value(lang)
    join(page, f"{live_server.url}/join/{workshop.join_code}", "Sprache")
    expect(html).to_have_attribute("lang", lang)
    # The workshop's own content stays as written (German), the frame is in the phone's language.
    assert "Senden" not in page.locator("[data-send]").inner_text()
    assert run_axe(page) == []


def test_the_own_choice_beats_the_browser_and_survives_a_reload(live_server, live_make,
                                                                  open_context):
    workshop = live_make.workshop(boards=["Sprache"], stakeholder_groups=())
    page = open_context("ar")
    join(page, f"{live_server.url}/join/{workshop.join_code}", "Sprache")
    page.locator("#lang-select").select_option("de@simple")
    expect(page.locator("html")).to_have_attribute("lang", "de", timeout=LIVE)
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.reload()
    expect(page.locator("#lang-select")).to_have_value("de@simple")
    expect(page.locator("[data-send]")).to_have_text("Senden")


def test_the_language_switch_works_without_request_submit(live_server, live_make, open_context):
    """iOS 15 Safari has no form.requestSubmit: the plain form submission still switches."""
    workshop = live_make.workshop(boards=["Sprache"], stakeholder_groups=())
    page = open_context("de-DE")
    page.add_init_script("delete HTMLFormElement.prototype.requestSubmit;")
    page.goto(f"{live_server.url}/join/{workshop.join_code}")
    assert page.evaluate("typeof document.forms[0].requestSubmit") == "undefined"
    page.locator("#lang-select").select_option("ti")
    expect(page.locator("html")).to_have_attribute("lang", "ti", timeout=LIVE)


def test_arrow_keys_in_the_language_list_do_not_reload_the_page(live_server, live_make, desktop):
    """WCAG 3.2.2: walking the list with the keyboard changes no context; Enter or the button
    does."""
    workshop = live_make.workshop(boards=["Sprache"], stakeholder_groups=())
    page = desktop(locale="de-DE")
    page.goto(f"{live_server.url}/join/{workshop.join_code}")
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    select = page.locator("#lang-select")
    select.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)  # a reload would have started by now
    assert navigations == []
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator(".language-switch [data-autosubmit-fallback]")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=LIVE)


def platform_fonts(page, selector: str) -> list[dict]:
    """The fonts Chromium really drew a node's text with (DevTools CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def test_a_tigrinya_card_is_drawn_in_the_shipped_ethiopic_font_on_the_projector(
        live_server, live_make, desktop):
    workshop = live_make.workshop(boards=["Sprache"], stakeholder_groups=())
    participant, _ = live_make.participant(workshop)
    live_make.idea(participant, workshop.boards[0], TIGRINYA)
    wall = desktop(1280, 720)
    fonts_loaded = []
    wall.on("requestfinished", lambda request: fonts_loaded.append(request.url)
            if request.url.endswith(".woff2") else None)
    wall.goto(f"{live_server.url}/screen/{workshop.screen_key}")
    card = wall.locator(".wall-card", has_text=TIGRINYA)
    expect(card).to_have_count(1, timeout=LIVE)
    wall.evaluate("document.fonts.ready")
    wall.evaluate("""() => { const card = [...document.querySelectorAll('.wall-card')]
        .find((node) => node.textContent.includes('ናይ')); card.id = 'tigrinya-card'; }""")
    fonts = platform_fonts(wall, "#tigrinya-card")
    ethiopic = [font for font in fonts if "Ethiopic" in font["familyName"]]
    assert ethiopic and all(font["isCustomFont"] for font in ethiopic), fonts
    assert sum(font["glyphCount"] for font in ethiopic) >= len(TIGRINYA.replace(" ", ""))
    # Only the script on the page is downloaded: Ethiopic yes, Arabic no.
    assert any("Ethiopic" in url for url in fonts_loaded)
    assert not any("Arabic" in url for url in fonts_loaded)


def test_a_german_phone_downloads_no_font_and_an_arabic_phone_only_arabic(
        live_server, live_make, open_context):
    """The language-name faces load on a German phone only when the switch is reached."""
    workshop = live_make.workshop(boards=["Sprache"], stakeholder_groups=())
    names = {"LanguageNames-Arabic.woff2", "LanguageNames-Ethiopic.woff2"}
    arabic = {"NotoSansArabic-Regular.woff2", "NotoSansArabic-Bold.woff2"}
    for locale, allowed, most in (("de-DE", set(), 1), ("ar", names | arabic, 110_000)):
        page = open_context(locale)
        join(page, f"{live_server.url}/join/{workshop.join_code}", "Sprache")
        page.evaluate("document.fonts.ready")
        loaded = page.evaluate("""() => performance.getEntriesByType('resource')
            .filter((entry) => entry.name.endsWith('.woff2'))
            .map((entry) => [entry.name.split('/').pop(), entry.encodedBodySize])""")
        assert {name for name, _ in loaded} <= allowed, loaded
        assert sum(size for _, size in loaded) < most, loaded
        if locale == "ar":
            assert "NotoSansArabic-Regular.woff2" in {name for name, _ in loaded}


@pytest.mark.parametrize("locale, expected", [
    ("de-DE", ["Sie können noch 2 von 3 Ideen schicken.", "Sie können noch 1 von 3 Ideen schicken."]),
    ("ru", ["Осталось 2 идеи из 3.", "Осталась 1 идея из 3."]),
    ("ar", ["بقيت لك فكرتان من 3.", "بقيت لك فكرة واحدة من 3."]),
])
def test_counts_filled_in_by_the_phone_use_the_language_plural_forms(
        live_server, live_make, open_context, locale, expected):
    workshop = live_make.workshop(boards=["Sprache"], stakeholder_groups=())
    live_make.run(boards.update_settings, workshop.id, workshop.boards[0].id,
                  {"max_ideas_per_person": 3})
    page = open_context(locale)
    join(page, f"{live_server.url}/join/{workshop.join_code}", "Sprache")
    notice = page.locator("[data-notice]")
    for text, wanted in zip(("Erste Idee", "Zweite Idee"), expected):
        page.locator("[data-idea-text]").fill(text)
        page.locator("[data-send]").click()
        expect(page.get_by_text(wanted)).to_have_count(1, timeout=LIVE)


def test_the_console_counts_one_idea_as_one(live_server, live_make, desktop):
    from test_core_loop import sign_in_url  # same folder: pytest puts it on the path
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, ["Sprache"], stakeholder_groups=())
    participant, _ = live_make.participant(workshop)
    live_make.idea(participant, workshop.boards[0], "Sprachcafé")
    console = desktop(locale="de-DE")
    console.goto(sign_in_url(live_server, live_make, owner, f"/console/{workshop.id}"))
    with console.expect_navigation():  # a sign-in link only works on a click
        console.click("[data-sign-in]")
    expect(console.locator(".console-board [data-count]").first).to_have_text("1 Idee",
                                                                              timeout=LIVE)
