"""PostgreSQL under gevent: wait for the database only when it is not ready.

psycopg, when select is monkey-patched, waits through gevent at every step of a statement, even
when its socket is ready: each step is a switch to gevent's hub and a turn behind every other
ready greenlet. In a post's single flush (the workshop's row lock, the INSERT, COMMIT:
`WorkshopChange.write`) psycopg sends one statement per step, so the lock reached the server
and the rest followed only after the greenlet's next turns: the backend sat holding the
workshop's lock, waiting for the client ("ClientRead"), while every other post of the
workshop queued behind it. During a 500-phone burst, pg_stat_activity sampled every 5 ms
showed 13,686 active-backend samples in ClientRead and 9,138 waiting for that row lock.

Here each step first asks the operating system, without waiting, whether the socket is ready
(the unpatched poll, timeout 0); only when it is not does the greenlet wait through gevent. So
a flush goes out whole, and a greenlet yields only to wait for PostgreSQL's answer."""
import select

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


def wait_when_not_ready(gen, fileno: int, interval: float = 0.0, timeout: float | None = None):
    """psycopg's wait contract (as `psycopg.waiting.wait_poll`): drive `gen`, sending it what
    the socket is ready for; `interval`: at most this long per wait before telling it
    READY_NONE; `timeout`: raise once it has taken this long."""
    from time import monotonic

    from gevent import monkey
    from psycopg.errors import _WaitTimeout
    deadline = monotonic() + timeout if timeout is not None else None
    interval_ms = max(0, int((interval or 0.0) * 1000))
    now = monkey.get_original("select", "poll")()  # never switches: asked with timeout 0
    later = select.poll()  # gevent's where patched: waits in the hub
    try:
        wanted = _EVENTS[next(gen)]
        now.register(fileno, wanted)
        later.register(fileno, wanted)
        while True:
            events = now.poll(0)
            if not events:
                wait_ms = interval_ms
                if deadline is not None:
                    wait_ms = max(0, min(wait_ms, int((deadline - monotonic()) * 1000)))
                events = later.poll(wait_ms)
            if not events:
                wanted = _EVENTS[gen.send(READY_NONE)]
            else:
                wanted = _EVENTS[gen.send(_ready(events[0][1]))]
            now.modify(fileno, wanted)
            later.modify(fileno, wanted)
            if deadline is not None and monotonic() >= deadline:
                raise _WaitTimeout("wait timeout expired")
    except StopIteration as done:
        return done.value


class PromptConnection(Connection):
    """A psycopg connection that waits with `wait_when_not_ready`."""

    def wait(self, gen, interval: float = 0.1, timeout: float | None = None):
        return wait_when_not_ready(gen, self.pgconn.socket, interval=interval, timeout=timeout)
