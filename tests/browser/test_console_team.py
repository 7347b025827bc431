"""Two facilitators on one workshop in real Chromium: each console names the colleague who is
on it too (and stops as soon as the colleague leaves), and says when the colleague renamed a
cluster, so a heading replaced by a later rename is seen, not lost without a word."""
from playwright.sync_api import expect

from facilitator.domain import clusters

LIVE = 10_000  # ms a live update may take to reach another screen


def open_console(desktop, live_server, make, facilitator, workshop):
    page = desktop()
    secret = make.sign_in_secret(facilitator)
    page.goto(f"{live_server.url}/console/sign-in/{secret}?next=/console/{workshop.id}")
    with page.expect_navigation():  # a sign-in link only works on a click
        page.click("[data-sign-in]")
    expect(page.locator("[data-connection]")).to_have_attribute("data-state", "connected",
                                                                timeout=LIVE)
    return page


def test_each_console_names_the_colleague_on_it_until_they_leave(live_server, live_make,
                                                                 desktop, tmp_path):
    owner = live_make.facilitator("Ayşe (Moderation)")
    colleague = live_make.facilitator("<b>Ben</b>")
    workshop = live_make.workshop(owner)
    live_make.add_facilitator(workshop, colleague)
    courses = live_make.run(clusters.create_cluster, workshop.id, owner.id,
                            workshop.boards[0].id, "Kurse")

    mine = open_console(desktop, live_server, live_make, owner, workshop)
    theirs = open_console(desktop, live_server, live_make, colleague, workshop)

    team = mine.locator("[data-console-team]")
    expect(team).to_have_text("Auch hier: <b>Ben</b>", timeout=LIVE)  # a name stays text
    expect(theirs.locator("[data-console-team]")).to_have_text("Auch hier: Ayşe (Moderation)",
                                                               timeout=LIVE)
    assert team.locator("b").count() == 0

    # Ben renames the cluster on his console; Ayşe's console says so.
    cluster = theirs.locator(f"[data-cluster-id='{courses.id}']")
    cluster.locator("[data-heading-button]").click()
    cluster.locator("[data-heading]").fill("Deutschkurse")
    cluster.locator("[data-heading]").press("Enter")
    expect(mine.locator(f"[data-cluster-id='{courses.id}'] [data-heading-text]")).to_have_text(
        "Deutschkurse", timeout=LIVE)
    expect(team).to_contain_text("<b>Ben</b> hat „Kurse“ in „Deutschkurse“ umbenannt.")
    mine.screenshot(path=str(tmp_path / "console-team.png"), clip={"x": 0, "y": 0, "width": 1440,
                                                                   "height": 450})
    # His own rename is no news on his console.
    expect(theirs.locator("[data-console-team]")).not_to_contain_text("umbenannt")

    theirs.close()
    expect(team).not_to_contain_text("Auch hier", timeout=LIVE)
    expect(team).to_contain_text("umbenannt")
