"""Two facilitators on one workshop in real Chromium: each console names the colleague who is
on it too, and stops as soon as the colleague leaves."""
from playwright.sync_api import expect

LIVE = 10_000  # ms a live update may take to reach another screen


def open_console(desktop, live_server, make, facilitator, workshop):
    page = desktop()
    secret = make.sign_in_secret(facilitator)
    page.goto(f"{live_server.url}/console/sign-in/{secret}?next=/console/{workshop.id}")
    expect(page.locator("[data-connection]")).to_have_attribute("data-state", "connected",
                                                                timeout=LIVE)
    return page


def test_each_console_names_the_colleague_on_it_until_they_leave(live_server, live_make,
                                                                 desktop, tmp_path):
    owner = live_make.facilitator("Ayşe (Moderation)")
    colleague = live_make.facilitator("<b>Ben</b>")
    workshop = live_make.workshop(owner)
    live_make.add_facilitator(workshop, colleague)

    mine = open_console(desktop, live_server, live_make, owner, workshop)
    theirs = open_console(desktop, live_server, live_make, colleague, workshop)

    team = mine.locator("[data-console-team]")
    expect(team).to_have_text("Auch hier: <b>Ben</b>", timeout=LIVE)  # a name stays text
    expect(theirs.locator("[data-console-team]")).to_have_text("Auch hier: Ayşe (Moderation)",
                                                               timeout=LIVE)
    assert team.locator("b").count() == 0
    mine.screenshot(path=str(tmp_path / "console-team.png"), clip={"x": 0, "y": 0, "width": 1440,
                                                                   "height": 300})

    theirs.close()
    expect(team).to_be_hidden(timeout=LIVE)
