"""Load shedding: at most one write and one read in flight per phone's connection.

A client that re-sends before its first answer came (a phone on bad Wi-Fi, a script) must not
queue more work: on PostgreSQL each waiting event holds a greenlet that waits for a pooled
connection, and 500 such clients exhausted the pool (8,124 pool timeouts, 38 of 500 posts
acknowledged in 93 s). A second event while one is running is answered at once with
`{ok: false, error: "busy"}`; the page sends it again a moment later. A console may have a few
writes under way (a card dragged while the timer is set): one person, never a hall.
"""
READ_EVENTS = frozenset({"sync", "history"})
BUSY = {"ok": False, "error": "busy"}

_in_flight: dict[tuple[str, str], int] = {}


def admit(sid: str, event: str, limit: int = 1) -> tuple[str, str] | None:
    """A lane for this event of this connection, or None while `limit` such events run."""
    lane = (sid, "read" if event in READ_EVENTS else "write")
    if _in_flight.get(lane, 0) >= limit:
        return None
    _in_flight[lane] = _in_flight.get(lane, 0) + 1
    return lane


def release(lane: tuple[str, str]) -> None:
    left = _in_flight.pop(lane, 1) - 1
    if left:
        _in_flight[lane] = left
