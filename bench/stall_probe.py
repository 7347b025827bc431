"""What stops the server's event loop: a probe to load into a running Facilitator process.

Not imported by the application. To use it, add these two lines to run.py after the
`from facilitator.cli import main` line (and take them out again):

    if os.environ.get("STALL_PROBE"):
        import sys; sys.path.insert(0, "bench"); import stall_probe  # noqa

then run a benchmark with the variable set, e.g.
`STALL_PROBE=/tmp/stalls bench/realtime.py --clients 1000 --rate 2 --duration 60 --no-deflate
--servers facilitator`. Each process writes `/tmp/stalls.<pid>`, one line per finding:

- `gc genN W ms cpu=C`: every full collection, and any collection over 10 ms (wall and CPU);
- `lag W ms gc=G`: a greenlet that sleeps 5 ms woke W ms late (G ms of it in collections);
- `sql exec|commit W ms`: a statement or commit over 10 ms;
- `totals ...` every 10 s: collections per generation (count, wall ms, CPU ms), thresholds,
  objects frozen;
- on SIGUSR1 a census of the heap by type; on SIGUSR2 a census of the cyclic garbage made in
  the next 5 s (by type, and the code of the frames in it).

docs/performance.md ("Stalls under steady load") has what it found.
"""
import collections
import gc
import os
import signal
import time

import gevent
from sqlalchemy.engine import default

_out = open(os.environ["STALL_PROBE"] + f".{os.getpid()}", "w", buffering=1)
_started: dict[str, float] = {}
_totals = {generation: [0, 0.0, 0.0] for generation in (0, 1, 2)}
_gc_in_window = [0.0]


def _write(line: str) -> None:
    _out.write(f"{time.time():.3f} {line}\n")


def _on_collection(phase: str, info: dict) -> None:
    if phase == "start":
        _started["wall"], _started["cpu"] = time.perf_counter(), time.thread_time()
        return
    wall = (time.perf_counter() - _started["wall"]) * 1000
    cpu = (time.thread_time() - _started["cpu"]) * 1000
    generation = info["generation"]
    _totals[generation][0] += 1
    _totals[generation][1] += wall
    _totals[generation][2] += cpu
    _gc_in_window[0] += wall
    if generation == 2 or wall > 10:
        _write(f"gc gen{generation} {wall:.1f}ms cpu={cpu:.1f} collected={info['collected']}")


def _watch_the_loop() -> None:
    last_totals = time.monotonic()
    while True:
        _gc_in_window[0] = 0.0
        started = time.perf_counter()
        gevent.sleep(0.005)
        late = (time.perf_counter() - started - 0.005) * 1000
        if late > 15:
            _write(f"lag {late:.1f}ms gc={_gc_in_window[0]:.1f}")
        if time.monotonic() - last_totals > 10:
            last_totals = time.monotonic()
            _write(f"totals {_totals} counts={gc.get_count()} thresholds={gc.get_threshold()} "
                   f"frozen={gc.get_freeze_count()}")


def _by_type(objects) -> collections.Counter:
    counts = collections.Counter()
    for kind, number in collections.Counter(type(o) for o in objects).items():
        name = f"{getattr(kind, '__module__', '?')}.{getattr(kind, '__qualname__', kind)}"
        counts[name] += number
    return counts


def _heap_census() -> None:
    objects = gc.get_objects()
    _write(f"census {len(objects)} frozen={gc.get_freeze_count()}")
    for name, number in _by_type(objects).most_common(60):
        _out.write(f"    {number:8d} {name}\n")


def _garbage_census() -> None:
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    gevent.sleep(5)
    gc.collect()
    gc.set_debug(0)
    garbage = list(gc.garbage)
    gc.garbage.clear()
    _write(f"garbage in 5 s: {len(garbage)}")
    for name, number in _by_type(garbage).most_common(40):
        _out.write(f"    {number:8d} {name}\n")
    frames = collections.Counter(
        f"{o.f_code.co_filename.rsplit('site-packages/', 1)[-1]}:{o.f_code.co_name}"
        for o in garbage if type(o).__name__ == "frame")
    for name, number in frames.most_common(20):
        _out.write(f"    frame {number:6d} {name}\n")


def _timed(name: str, function):
    def timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return function(self, *args, **kwargs)
        finally:
            took = (time.perf_counter() - started) * 1000
            if took > 10:
                statement = str(args[1])[:80].replace("\n", " ") if name == "exec" else ""
                _write(f"sql {name} {took:.1f}ms {statement}")
    return timed


gc.callbacks.append(_on_collection)
gevent.spawn(_watch_the_loop)
gevent.signal_handler(signal.SIGUSR1, _heap_census)
gevent.signal_handler(signal.SIGUSR2, lambda: gevent.spawn(_garbage_census))
default.DefaultDialect.do_execute = _timed("exec", default.DefaultDialect.do_execute)
default.DefaultDialect.do_commit = _timed("commit", default.DefaultDialect.do_commit)
