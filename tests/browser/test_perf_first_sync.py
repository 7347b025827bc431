"""Phones that load while cards pour in end up with every card (PostgreSQL, where the first
sync's answer can trail live events): the snapshot and the live events are merged by sequence
number, never the snapshot replacing what arrived meanwhile (issue 12, item 5)."""
import threading
import time
import uuid

import pytest
from playwright.sync_api import expect

from facilitator.database import migrate

POSTS_PER_SECOND = 12
POSTING_SECONDS = 5
PHONES = 6


@pytest.fixture
def server(empty_postgres_url, start_live_server):
    migrate(empty_postgres_url)
    return start_live_server(empty_postgres_url)


def test_phones_loading_while_cards_arrive_end_up_with_every_card(server, browser,
                                                                   playwright_instance):
    make = server.factory()
    workshop = make.workshop()
    board_id = workshop.boards[0].id
    writers = []
    for _ in range(3):
        _, token = make.participant(workshop)
        writers.append(server.phone(workshop, token, board_id))
    readers = [make.participant(workshop)[1] for _ in range(PHONES)]
    make.close()
    acked, failures = [], []

    def post_steadily():
        interval = 1 / POSTS_PER_SECOND
        start = time.monotonic()
        for n in range(POSTS_PER_SECOND * POSTING_SECONDS):
            time.sleep(max(0.0, start + n * interval - time.monotonic()))
            answer = writers[n % len(writers)].call("post_idea", {
                "board_id": board_id, "client_id": uuid.uuid4().hex, "text": f"Karte {n}"})
            (acked if answer["ok"] else failures).append(answer)

    poster = threading.Thread(target=post_steadily)
    contexts = []
    try:
        poster.start()
        # The phones open one after another while the cards arrive: each first sync overlaps
        # live events.
        pages = []
        for token in readers:
            context = browser.new_context(**playwright_instance.devices["Pixel 5"], locale="de-DE")
            contexts.append(context)
            context.add_cookies([{"name": "session", "url": server.url,
                                  "value": server.phone_cookie((workshop, token)).split("=", 1)[1]}])
            page = context.new_page()
            page.goto(f"{server.url}/w/{workshop.join_code}/board/{board_id}")
            pages.append(page)
            time.sleep(POSTING_SECONDS / PHONES / 2)
        poster.join()
        assert not failures and len(acked) == POSTS_PER_SECOND * POSTING_SECONDS
        for page in pages:
            expect(page.locator("[data-others] .card")).to_have_count(len(acked), timeout=10_000)
    finally:
        poster.join()
        for context in contexts:
            context.close()
