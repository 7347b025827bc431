"""The production server loop: gevent's WSGI server with Socket.IO, an access log that keeps no
full IP address, and a SIGTERM that drains instead of dropping what is in flight.

Draining, in order: stop accepting connections and events; let every Socket.IO event already
being handled finish its write and send its ack (bounded by DRAIN_SECONDS); exit, which closes
the connections (phones reconnect to the next server and resend what was not acknowledged,
their ids make that safe). An ack is only ever sent after its commit, so whatever the timing, nothing acknowledged is
lost; draining spares phones the resend."""
import gc
import ipaddress
import os
import re
import signal
import socket
import sys
import time

import gevent
import gevent.event
from gevent import pywsgi
from gevent.pool import Group

DRAIN_SECONDS = 10
# Python's cyclic garbage collector, as this process uses it: a full collection walks every
# object that survived the young generations, and with 1,000 phones connected that is ~320,000
# objects (the app's ~150,000 from start-up, ~170 per socket), 170-250 ms of CPU (up to 1 s
# on a loaded machine) during which no phone was served, every 5-14 s while phones posted
# (gc.callbacks, bench/realtime.py --clients 1000 --rate 2; docs/performance.md, "Stalls under
# steady load"). The young generations keep Python's thresholds (a collection every 700
# allocations costs about a millisecond and frees a post's reference cycles); a full collection
# waits for 100 middle ones instead of 10 (about every 2-3 minutes under that load, not 5-14 s).
GC_THRESHOLDS = (700, 10, 100)

# IPv4 and IPv6 addresses as they appear in log lines (also inside tracebacks' WSGI environ).
ADDRESS = re.compile(r"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})"
                     r"(?![\w.:])")


def truncate_address(address: str) -> str:
    """The network, not the device: IPv4 to /24, IPv6 to /48 (as web analytics anonymise)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    prefix = 24 if parsed.version == 4 else 48
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False).network_address)


class TruncatingLog:
    """A file-like log that writes each line with its IP addresses truncated."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, text: str) -> None:
        self.stream.write(ADDRESS.sub(lambda match: truncate_address(match.group(0)), text))
        self.stream.flush()

    def flush(self) -> None:
        self.stream.flush()


class EventsInFlight:
    """The Socket.IO events this process is handling right now, and a switch that stops it from
    taking new ones. python-socketio reads each event packet in `_handle_event` and runs the
    handler in a greenlet of its own, started through the server's start_background_task."""

    def __init__(self, server) -> None:
        self.group = Group()
        self.accepting = True
        start, handle = server.start_background_task, server._handle_event

        def start_tracked(target, *args, **kwargs):
            task = start(target, *args, **kwargs)
            # Only event handlers: the heartbeat and other background loops never end.
            if getattr(target, "__name__", "") == "_handle_event_internal":
                self.group.add(task)
            return task

        def handle_while_accepting(*args, **kwargs):
            # Unanswered, so the phone resends it to the next server (its id makes that safe).
            if self.accepting:
                return handle(*args, **kwargs)

        server.start_background_task = start_tracked
        server._handle_event = handle_while_accepting

    def finish(self, timeout: float) -> bool:
        """Take no new event; True once every one taken has finished (False after `timeout`)."""
        self.accepting = False
        return self.group.join(timeout=timeout)


def settle_for_long_lived_connections() -> None:
    """Before serving: freeze what start-up made (modules, the app, its mappers and catalogues
    live as long as the process, so no collection ever needs to walk them again), make full
    collections rarer (GC_THRESHOLDS), and let gevent spawn greenlets without recording each
    one's spawning stack (11 frame objects per greenlet, 33,000 of the heap at 1,000 phones,
    and a stack walk for every Socket.IO event)."""
    gevent.config.track_greenlet_tree = False
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class ImmediateWSGIServer(pywsgi.WSGIServer):
    """gevent's WSGI server with Nagle's algorithm off on every connection (TCP_NODELAY).

    A post's broadcast and its ack, or two ideas for one board in quick succession, are two
    small writes to one socket. With Nagle on, the kernel holds the second until the phone
    acknowledges the first, and phones (Linux, Android) delay that acknowledgement up to 40 ms
    or more: half of all acks, and every board's second idea within a round trip, arrived 40 ms
    late (bench/realtime.py: ack p50 45 ms against 10 ms for the broadcast before it). Browsers
    and socket.io-client turn Nagle off on their side for the same reason."""

    def handle(self, client_socket, address):
        try:
            client_socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass  # not TCP (a Unix socket in a test): nothing to turn off
        return super().handle(client_socket, address)


def serve(app, socketio, host: str, port: int, access_log: bool = False,
          drain_seconds: float = DRAIN_SECONDS, background=()) -> None:
    """Serve until SIGTERM or SIGINT, then drain and exit; `background` tasks run meanwhile."""
    log = TruncatingLog(sys.stdout)
    server = ImmediateWSGIServer((host, port), app, log=log if access_log else None,
                               error_log=TruncatingLog(sys.stderr))
    in_flight = EventsInFlight(socketio.server)
    # Not serve_forever(): it returns, and the process ends, as soon as the listener closes.
    stopped = gevent.event.Event()

    def drain() -> None:
        started = time.monotonic()
        server.close()  # no new connections
        finished = in_flight.finish(drain_seconds)
        gevent.sleep(0.1)  # the acks just sent leave before the connections close
        # No Socket.IO disconnect: a client told "the server disconnected you" does not come
        # back by itself. The connections close with the process, like a lost network, and
        # every client reconnects (to the next server) and resends what was not acknowledged.
        server.stop(timeout=1)
        print(f"Drained in {time.monotonic() - started:.1f} s"
              f"{'' if finished else ' (some events were still running: not acknowledged)'};"
              " stopped.", flush=True)
        stopped.set()

    def on_signal() -> None:
        if getattr(server, "draining", False):
            os._exit(1)  # asked twice (Ctrl+C again): stop now, as before draining existed
        server.draining = True
        gevent.spawn(drain)

    gevent.signal_handler(signal.SIGTERM, on_signal)
    gevent.signal_handler(signal.SIGINT, on_signal)
    static_files = app.extensions.get("static_files")
    if static_files is not None:
        # Brotli at quality 11 takes ~1 s of CPU for all static files and lets go of the GIL:
        # in gevent's thread pool it no longer stops every socket while a phone's first page
        # loads its scripts. All of them, one at a time, once the first is asked for.
        static_files.offload = gevent.get_hub().threadpool.apply
        static_files.on_first_request = lambda: gevent.spawn(static_files.compress_all)
    settle_for_long_lived_connections()
    server.start()
    for task in background:
        socketio.start_background_task(task)
    stopped.wait()
    # Everything is committed and answered: leave now. A normal interpreter exit took a further
    # 2.6 s here (tearing down gevent and the libraries' state), which only delays a restart.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
