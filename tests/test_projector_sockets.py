"""The projector at real volume through real Socket.IO clients: the facilitator puts one board or
one cluster full screen and back, and pauses and turns the projector's pages; every projector
hears it, a reloaded one gets it in its snapshot, and nobody else may do it."""

from facilitator.domain import clusters


def refused(ack, error):
    return (ack["ok"], ack.get("error")) == (False, error)


def test_one_board_and_one_cluster_go_full_screen_and_back_on_every_projector(
        live_server, live_make, owner, workshop):
    board = workshop.boards[1]
    theme = live_make.run(clusters.create_cluster, workshop.id, owner.id, board.id, "Kita",
                          "pink", [])
    console, screen = live_server.staff(workshop, owner), live_server.screen(workshop)

    assert console.call("set_projector", {"view": "board", "target_id": board.id}) == {
        "ok": True, "view": "board"}
    shown = screen.wait_for("workshop_updated", lambda p: p["workshop"]["projector_view"] == "board")
    assert shown["workshop"]["projector_target_id"] == board.id

    assert console.call("set_projector", {"view": "cluster", "target_id": theme.id})["ok"]
    shown = screen.wait_for("workshop_updated",
                            lambda p: p["workshop"]["projector_view"] == "cluster")
    assert shown["workshop"]["projector_target_id"] == theme.id

    assert console.call("set_projector", {"view": "boards"})["ok"]
    screen.wait_for("workshop_updated", lambda p: p["workshop"]["projector_view"] == "boards")
    assert refused(console.call("set_projector", {"view": "cluster", "target_id": board.id}),
                   "not_found")


def test_paging_is_paused_and_turned_by_the_facilitator_and_a_reloaded_projector_follows(
        live_server, owner, workshop):
    console, screen = live_server.staff(workshop, owner), live_server.screen(workshop)

    assert console.call("set_projector_paging", {"action": "pause", "seconds": 15}) == {
        "ok": True, "paging": {"paused": True, "step": 0, "seconds": 15}}
    for action in ("next", "next", "previous", "next"):
        assert console.call("set_projector_paging", {"action": action})["ok"]
    screen.wait_for("workshop_updated", lambda p: p["workshop"]["projector_paging"]["step"] == 2)

    reloaded = live_server.screen(workshop)
    snapshot = reloaded.call("sync", {"since": 0})
    assert snapshot["workshop"]["projector_paging"] == {"paused": True, "step": 2, "seconds": 15}
    assert refused(console.call("set_projector_paging", {"action": "rewind"}), "invalid_input")
    assert refused(console.call("set_projector_paging", {"action": "next", "seconds": 1}),
                   "invalid_input")


def test_paging_and_full_screen_from_a_phone_or_the_projector_are_refused(
        live_server, live_make, owner, workshop):
    _, token = live_make.participant(workshop)
    phone = live_server.phone(workshop, token, board_id=workshop.boards[0].id)
    screen = live_server.screen(workshop)
    console = live_server.staff(workshop, owner)

    for client in (phone, screen):
        assert refused(client.call("set_projector_paging", {"action": "next"}), "forbidden")
        assert refused(client.call("set_projector", {"view": "board",
                                                     "target_id": workshop.boards[0].id}),
                       "forbidden")

    snapshot = console.call("sync", {"since": 0})["workshop"]
    assert snapshot["projector_paging"] == {"paused": False, "step": 0, "seconds": 12}
    assert snapshot["projector_view"] == "boards"
