"""PostgreSQL under gevent: send a statement without leaving the greenlet.

psycopg, when select is monkey-patched, waits through gevent at every step of a statement, even
to send on a socket that is ready: each step is a switch to gevent's hub and a turn behind every
other ready greenlet. A post's one flush (the workshop's row lock, the INSERT, COMMIT:
`WorkshopChange.write`) goes out in psycopg's pipeline one statement a step, so the lock reached
the server and the rest followed only after the greenlet's next turns: the backend held the
workshop's lock waiting for the client ("ClientRead") while every other post of the workshop
queued behind it. During a 500-phone burst, pg_stat_activity sampled every 5 ms showed 13,686
active-backend samples in ClientRead and 9,138 waiting for that row lock.

Here, as psycopg's own asyncio waiting does (`psycopg.waiting.wait_async`), a step that wants to
send first asks the operating system, without waiting, whether the socket takes it (the
unpatched poll, timeout 0), and goes on at once when it does. Waiting for PostgreSQL's answer
goes through gevent as before, so other greenlets run meanwhile. (psycopg's asyncio waiting
also yields after 5 ms of sending, for COPY's endless writes; the server sends no COPY, and a
yield in the middle of a flush is what held the lock.)"""
import select
from time import monotonic

from psycopg import Connection, errors
from psycopg.waiting import READY_NONE, READY_R, READY_W, Wait

_EVENTS = {Wait.R: select.POLLIN, Wait.W: select.POLLOUT, Wait.RW: select.POLLIN | select.POLLOUT}
_FAILED = select.POLLERR | select.POLLHUP | select.POLLNVAL


def _ready(events: int) -> int:
    ready = READY_NONE
    if events & select.POLLIN:
        ready |= READY_R
    if events & select.POLLOUT:
        ready |= READY_W
    if not ready and events & _FAILED:
        raise errors.OperationalError("connection socket closed")
    return ready


def wait_sending_at_once(gen, fileno: int, interval: float = 0.0, timeout: float | None = None):
    """psycopg's wait contract (as `psycopg.waiting.wait_poll`): drive `gen`, sending it what
    the socket is ready for; `interval`: at most this long per wait before telling it
    READY_NONE; `timeout`: raise once it has taken this long."""
    from gevent import monkey
    from psycopg.errors import _WaitTimeout

    deadline = monotonic() + timeout if timeout is not None else None
    interval_ms = max(0, int((interval or 0.0) * 1000))
    now = monkey.get_original("select", "poll")()  # never switches: asked with timeout 0
    later = select.poll()  # gevent's where patched: waits in the hub
    asked_now = asked_later = None
    try:
        wanted = next(gen)
        while True:
            if wanted & Wait.W:
                if asked_now is None:
                    now.register(fileno, _EVENTS[wanted])
                elif asked_now != wanted:
                    now.modify(fileno, _EVENTS[wanted])
                asked_now = wanted
                if events := now.poll(0):
                    wanted = gen.send(_ready(events[0][1]))
                    continue
            if asked_later is None:
                later.register(fileno, _EVENTS[wanted])
            elif asked_later != wanted:
                later.modify(fileno, _EVENTS[wanted])
            asked_later = wanted
            wait_ms = interval_ms
            if deadline is not None:
                wait_ms = max(0, min(wait_ms, int((deadline - monotonic()) * 1000)))
            events = later.poll(wait_ms)
            wanted = gen.send(_ready(events[0][1]) if events else READY_NONE)
            if deadline is not None and monotonic() >= deadline:
                raise _WaitTimeout("wait timeout expired")
    except StopIteration as done:
        return done.value


class PromptConnection(Connection):
    """A psycopg connection that waits with `wait_sending_at_once`."""

    def wait(self, gen, interval: float = 0.1, timeout: float | None = None):
        return wait_sending_at_once(gen, self.pgconn.socket, interval=interval, timeout=timeout)
