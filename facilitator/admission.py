"""Load shedding: at most one write and one read in flight per connection.

A client that re-sends before its first answer came (a phone on bad Wi-Fi, a script) must not
queue more work: on PostgreSQL each waiting event holds a greenlet that waits for a pooled
connection, and 500 such clients exhausted the pool (8,124 pool timeouts, 38 of 500 posts
acknowledged in 93 s). A second event while one is running is answered at once with
`{ok: false, error: "busy"}`; the phone's outbox sends it again a moment later.
"""
READ_EVENTS = frozenset({"sync", "history"})
BUSY = {"ok": False, "error": "busy"}

_in_flight: set[tuple[str, str]] = set()


def admit(sid: str, event: str) -> tuple[str, str] | None:
    """A lane for this event of this connection, or None while the lane is taken."""
    lane = (sid, "read" if event in READ_EVENTS else "write")
    if lane in _in_flight:
        return None
    _in_flight.add(lane)
    return lane


def release(lane: tuple[str, str]) -> None:
    _in_flight.discard(lane)


def in_flight() -> int:
    return len(_in_flight)
