"""A page's module scripts run one after another as they arrive, and the socket may connect in
between. The console's first script opens the connection; a script that arrives later (on a
cold server, while the static files are still being compressed) still learns that it is
connected: its banner says so, and the moderation list is filled, without a reconnect. (The
banner said "connecting" for good: the flaky console tests of issue 11, item 4.)"""
import time

from playwright.sync_api import expect

LIVE = 10_000


def arrive_late(route) -> None:
    time.sleep(2)  # the socket of the console's first script has connected meanwhile
    route.continue_()


def test_a_console_whose_scripts_arrive_after_the_socket_connected_shows_it_connected(
        live_server, live_make, desktop):
    owner = live_make.facilitator("Kim (Moderation)")
    workshop = live_make.workshop(owner)
    participant, _token = live_make.participant(workshop, "Amira")
    live_make.idea(participant, workshop.boards[0], "Mehr Sprachkurse am Abend")
    console = desktop()
    connected_at = []
    console.on("websocket", lambda _socket: connected_at.append(time.monotonic()))
    console.route("**/js/console.js", arrive_late)
    console.route("**/js/console_moderation.js", arrive_late)
    console.goto(f"{live_server.url}/console/sign-in/{live_make.sign_in_secret(owner)}"
                 f"?next=/console/{workshop.id}")
    with console.expect_navigation():
        console.click("[data-sign-in]")

    expect(console.locator("[data-connection]")).to_have_attribute("data-state", "connected",
                                                                   timeout=LIVE)
    expect(console.locator("[data-moderation-list]")).to_contain_text("Amira", timeout=LIVE)
    assert connected_at  # the socket was open before the late scripts ran
