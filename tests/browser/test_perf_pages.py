"""A phone's first visit (join page, form, board page with every stylesheet and script) fits
60 KB on the wire, and its second visit fetches no static file again (issue 11).

Everything counts, fonts too. The two small faces that draw the language switch's names in Arabic
and Ethiopic script (`static/css/fonts.css`, 3.7 KB) load only when a pointer or the keyboard
reaches the switch, so a German phone's first visit fetches no font; they are checked to load
then and held to a budget of their own."""
from playwright.sync_api import expect

FIRST_VISIT_BUDGET = 60 * 1024
LANGUAGE_NAME_FONTS_BUDGET = 5 * 1024


def traffic(cdp) -> list[dict]:
    """Requests of the page as Chromium's DevTools protocol reports them (bytes on the wire)."""
    rows: dict[str, dict] = {}
    cdp.on("Network.requestWillBeSent",
           lambda e: rows.setdefault(e["requestId"], {}).update(url=e["request"]["url"]))
    cdp.on("Network.responseReceived", lambda e: rows.setdefault(e["requestId"], {}).update(
        status=e["response"]["status"], headers=e["response"]["headers"]))
    cdp.on("Network.loadingFinished", lambda e: rows.setdefault(e["requestId"], {}).update(
        bytes=e["encodedDataLength"]))
    cdp.send("Network.enable")
    return rows


def pages_only(rows: dict) -> list[dict]:
    # The Socket.IO connection itself is live traffic, not the page.
    return [row for row in rows.values() if "/socket.io/?" not in row.get("url", "")]


def test_first_visit_fits_the_budget_and_the_second_fetches_no_static_file(
        live_server, live_make, browser, playwright_instance):
    workshop = live_make.workshop()
    board = workshop.boards[0]
    context = browser.new_context(**playwright_instance.devices["Pixel 5"], locale="de-DE")
    page = context.new_page()
    rows = traffic(context.new_cdp_session(page))

    page.goto(f"{live_server.url}/join/{workshop.join_code}?board={board.id}")
    page.locator(".join-form button[type=submit]").click()
    expect(page.locator("[data-idea-text]")).to_be_enabled(timeout=10_000)
    page.wait_for_load_state("networkidle")
    first = pages_only(rows)
    assert not [row["url"] for row in first if ".woff2" in row.get("url", "")]
    sent = sum(row.get("bytes", 0) for row in first)
    static = [row for row in first if "/static/" in row.get("url", "")]
    assert len(static) >= 10 and sent <= FIRST_VISIT_BUDGET, sorted(
        (row.get("url"), row.get("bytes")) for row in first)
    encodings = {row["url"]: {k.lower(): v for k, v in row.get("headers", {}).items()}.get(
        "content-encoding") for row in static if row.get("bytes") and row["url"].endswith(".js")}
    assert encodings and set(encodings.values()) == {"br"}, encodings

    # Reaching the switch loads the faces that draw "العربية" and "ትግርኛ" before the list opens.
    rows.clear()
    page.locator("#lang-select").focus()
    page.wait_for_function("""() => [...document.fonts].filter(
        (face) => face.family.includes('Language Names')).every((face) => face.status === 'loaded')""")
    names = [row for row in pages_only(rows) if "/fonts/web/LanguageNames-" in row.get("url", "")]
    assert len(names) == 2 and sum(row.get("bytes", 0) for row in names) <= LANGUAGE_NAME_FONTS_BUDGET
    family = page.locator("#lang-select").evaluate("(node) => getComputedStyle(node).fontFamily")
    assert family.startswith('"Facilitator Language Names"'), family

    rows.clear()
    page.goto("about:blank")
    page.goto(f"{live_server.url}/w/{workshop.join_code}/board/{board.id}")
    expect(page.locator("[data-idea-text]")).to_be_enabled(timeout=10_000)
    page.wait_for_load_state("networkidle")
    again = [row for row in pages_only(rows) if "/static/" in row.get("url", "")]
    # Served from the browser's cache: no bytes, no revalidation.
    assert again and all(row.get("bytes", 0) == 0 and row.get("status") == 200 for row in again)
    context.close()
