#!/usr/bin/env python3
"""Real-time load benchmark: Facilitator against a bare Flask-SocketIO board server, in one run.

Both servers get the same load from the official socket.io-client in Node (browser-like: long-polling
first, then the WebSocket upgrade, permessage-deflate offered): N phones spread over the boards of
one workshop, each posting one idea at a random moment within a window (default 500 phones, 6
boards, 5 s). For every idea it measures the time from the phone's emit until the *last* phone at
that board has the broadcast, the ack time, and deliveries that never arrived; it prints a table
with both servers and the ratio Facilitator/bare. Ratios from one run are what to compare: the
machines are shared and noisy, and the load clients run on the same cores as the server.

  .venv/bin/python bench/realtime.py                     # 500 phones, both servers
  .venv/bin/python bench/realtime.py --clients 100 --quick   # smoke run, well under a minute
  .venv/bin/python bench/realtime.py --clients 1000 --json bench-1000.json

Only 127.0.0.1 is used. Needs Node 18+ and npm (socket.io-client is installed into
bench/node_modules on first run). See bench/README.md.
"""
import argparse
import http.client
import json
import math
import os
import queue
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference" / "bare_socketio_server.py"
HOST = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")
NAMES = {"bare": "bare (gevent)", "bare-all": "bare, all rooms", "facilitator": "Facilitator"}
# Who receives an idea: its board's phones (bare), or every phone of the workshop (Facilitator's
# public room; "bare-all" makes each bare phone join every board's room to get the same fan-out).
FANOUT = {"bare": "board", "bare-all": "workshop", "facilitator": "board"}


class BenchError(RuntimeError):
    pass


# --- small utilities -------------------------------------------------------------------------

def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def proc_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def machine_busy_seconds() -> float:
    """CPU seconds all processes on this machine spent busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / CLK_TCK


def busy_cores(server_pids: list[int], own_pids: list[int], seconds: float = 1.0) -> tuple[float, float]:
    """(the server's cores, other processes' cores) busy over the next `seconds`; other means
    neither the server nor the load clients."""
    def own() -> float:
        total = 0.0
        for pid in own_pids:
            try:
                total += proc_cpu_seconds(pid)
            except OSError:
                pass
        return total
    def servers() -> float:
        return sum(proc_cpu_seconds(pid) for pid in server_pids)
    busy0, own0, server0 = machine_busy_seconds(), own(), servers()
    time.sleep(seconds)
    server = servers() - server0
    others = (machine_busy_seconds() - busy0) - (own() - own0)
    return server / seconds, max(0.0, others) / seconds


def wait_for_quiet(args, server_pids: list[int], own_pids: list[int]) -> float:
    """Wait (bounded) until the server is idle (a previous burst fully sent) and, on a shared
    machine, other processes leave the cores mostly idle. Returns the other processes' cores."""
    deadline = time.monotonic() + args.quiet_wait
    server, others = busy_cores(server_pids, own_pids)
    while (server > 0.1 or others > args.quiet) and time.monotonic() < deadline:
        log(f"  waiting: server {server:.2f} cores busy, other processes {others:.1f} "
            f"(want <= 0.1 and <= {args.quiet:g})")
        time.sleep(2)
        server, others = busy_cores(server_pids, own_pids)
    return others


def load_average() -> float:
    return os.getloadavg()[0]


def proc_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def http_get(port: int, path: str, headers: dict | None = None, timeout: float = 10):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def wait_healthy(port: int, proc: subprocess.Popen, log_path: Path, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"server exited with {proc.returncode}; log:\n{tail(log_path)}")
        try:
            status, _, body = http_get(port, "/healthz", timeout=2)
            if status == 200 and json.loads(body).get("ok"):
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    raise BenchError(f"server on port {port} not healthy after {timeout} s; log:\n{tail(log_path)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(proc: subprocess.Popen | None, grace: float = 5) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


# --- Node load client ------------------------------------------------------------------------

def ensure_node_deps() -> str:
    node = shutil.which("node")
    if node is None:
        raise BenchError("node is not installed (Node 18+ is needed for the socket.io-client load)")
    if not (BENCH / "node_modules" / "socket.io-client" / "package.json").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise BenchError("npm is not installed; cannot install socket.io-client into bench/")
        log("installing socket.io-client into bench/node_modules (npm ci) ...")
        cmd = [npm, "ci" if (BENCH / "package-lock.json").exists() else "install",
               "--no-audit", "--no-fund", "--loglevel=error"]
        done = subprocess.run(cmd, cwd=BENCH, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise BenchError(f"npm failed:\n{done.stdout}\n{done.stderr}")
    return node


def client_version() -> str:
    try:
        return json.loads((BENCH / "node_modules/socket.io-client/package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "?"


class Worker:
    """One Node process holding a slice of the phones; JSON lines on stdin/stdout."""

    def __init__(self, node: str, config: dict, tmp: Path):
        self.index = config["worker"]
        self.config_path = tmp / f"worker{self.index}.json"
        self.config_path.write_text(json.dumps(config))
        self.stderr_path = tmp / f"worker{self.index}.log"
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen([node, str(BENCH / "load_client.mjs"), str(self.config_path)],
                                     cwd=BENCH, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, text=True, bufsize=1)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def expect(self, kind: str, deadline: float) -> dict:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BenchError(f"load client {self.index}: no '{kind}' in time; "
                                 f"log:\n{tail(self.stderr_path)}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise BenchError(f"load client {self.index} exited ({self.proc.poll()}) before "
                                 f"'{kind}'; log:\n{tail(self.stderr_path)}")
            message = json.loads(line)
            if message.get("type") == kind:
                return message

    def send(self, message: dict) -> None:
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.stderr.close()


# --- the two servers -------------------------------------------------------------------------

def start_bare(args, tmp: Path, port: int):
    log_path = tmp / "server.log"
    proc = subprocess.Popen(
        [args.python, str(args.reference), "--port", str(port), "--async-mode", "gevent",
         "--db", str(tmp / "bare.sqlite")],
        cwd=tmp, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    wait_healthy(port, proc, log_path)
    boards = [str(i + 1) for i in range(args.boards)]
    return Servers([proc], [port]), {"boards": boards, "cookies": None, "code": None,
                                     "cookie_name": None}


def facilitator_env(args, tmp: Path, port: int) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'bench.db'}",
               INSTANCE_PATH=str(tmp), SECRET_KEY="bench", PUBLIC_URL=f"http://{HOST}:{port}",
               RATELIMIT_ENABLED="0")
    env.pop("MESSAGE_QUEUE", None)
    if args.processes > 1:
        # The README's recipe for several processes: one database, one Redis message queue (a
        # channel of this run's own, so other runs on the same Redis are not heard).
        env.update(MESSAGE_QUEUE=args.redis, MESSAGE_QUEUE_CHANNEL=f"bench-{os.getpid()}-{time.time_ns()}")
    return env


class Servers:
    """One or more Facilitator processes (or the bare server): pids for CPU, ports for phones."""

    def __init__(self, procs: list, ports: list[int]) -> None:
        self.procs, self.ports = procs, ports

    @property
    def pids(self) -> list[int]:
        return [proc.pid for proc in self.procs]

    def cpu_seconds(self) -> float:
        return sum(proc_cpu_seconds(pid) for pid in self.pids)

    def rss_mb(self) -> float:
        return sum(proc_rss_mb(pid) for pid in self.pids)

    def stop(self) -> None:
        for proc in self.procs:
            stop(proc)


def start_facilitator(args, tmp: Path, port: int):
    ports = [port + i for i in range(args.processes)]
    env = facilitator_env(args, tmp, port)
    if args.database_url:
        migrated = subprocess.run([args.python, "run.py", "migrate"], cwd=REPO, env=env,
                                  capture_output=True, text=True, timeout=120)
        if migrated.returncode != 0:
            raise BenchError(f"`run.py migrate` failed:\n{migrated.stderr}")
    demo = subprocess.run([args.python, "run.py", "demo", "--json"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    if demo.returncode != 0:
        raise BenchError(f"`run.py demo --json` failed:\n{demo.stdout}\n{demo.stderr}")
    links = json.loads(demo.stdout.strip().splitlines()[-1])
    code = links["join_code"]
    screen_key = links["screen_url"].rstrip("/").rsplit("/", 1)[-1]
    boards = [urllib.parse.parse_qs(urllib.parse.urlparse(b["join_url"]).query)["board"][0]
              for b in links["boards"]]
    if len(boards) < args.boards:
        raise BenchError(f"the demo workshop has {len(boards)} boards, --boards {args.boards} asked")
    boards = boards[:args.boards]
    cookies, cookie_name, join_stats, extra = None, "session", None, {}
    if args.join == "direct" or args.dots:
        t = time.monotonic()
        command = [args.python, str(BENCH / "facilitator_join.py"), "--code", code,
                   "--count", str(args.clients)]
        if args.dots:
            command += ["--dots-round", "--board", boards[0]]
        done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            raise BenchError(f"facilitator_join.py failed:\n{done.stderr}")
        joined = json.loads(done.stdout)
        cookies, cookie_name = joined["cookies"], joined["cookie_name"]
        extra = {k: joined[k] for k in ("round_id", "target_ids") if k in joined}
        join_stats = {"mode": "direct", "seconds": time.monotonic() - t}
    procs = []
    for n, p in enumerate(ports):
        log_path = tmp / f"server-{p}.log"
        procs.append(subprocess.Popen(
            [args.python, "run.py", "serve", "--host", HOST, "--port", str(p)], cwd=REPO,
            env={**env, "PUBLIC_URL": f"http://{HOST}:{p}"}, stdout=open(log_path, "w"),
            stderr=subprocess.STDOUT))
    for proc, p in zip(procs, ports):
        wait_healthy(p, proc, tmp / f"server-{p}.log")
    if args.join == "http" and not args.dots:
        cookies, join_stats = http_join_all(args, port, code, boards)
    return Servers(procs, ports), {"boards": boards, "cookies": cookies, "code": code,
                                   "cookie_name": cookie_name, "join": join_stats,
                                   "screen_key": screen_key, **extra}


CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def session_cookie(headers, name: str = "session") -> str | None:
    for key, value in headers:
        if key.lower() == "set-cookie" and value.startswith(name + "="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return None


def http_join(port: int, code: str, board: str) -> tuple[str, float]:
    """Join like a phone: GET the join form, POST it back with its CSRF token and cookie."""
    t = time.monotonic()
    path = f"/join/{code}?board={board}"
    status, headers, body = http_get(port, path, timeout=60)
    match = CSRF_RE.search(body)
    cookie = session_cookie(headers)
    if status != 200 or not match or not cookie:
        raise BenchError(f"GET {path}: {status}, no CSRF token or cookie")
    token = (match.group(1) or match.group(2)).decode()
    form = urllib.parse.urlencode({"csrf_token": token, "display_name": "",
                                   "stakeholder_group": "", "board": board})
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("POST", path, body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"session={cookie}"})
        response = conn.getresponse()
        response.read()
        joined = session_cookie(response.getheaders())
        if response.status not in (302, 303) or not joined:
            raise BenchError(f"POST {path}: {response.status} (expected a redirect and a cookie)")
    finally:
        conn.close()
    return joined, time.monotonic() - t


def http_join_all(args, port: int, code: str, boards: list[str]):
    t = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.join_concurrency) as pool:
        done = list(pool.map(lambda i: http_join(port, code, boards[i % len(boards)]),
                             range(args.clients)))
    seconds = time.monotonic() - t
    times = [d[1] * 1000 for d in done]
    stats = {"mode": "http", "seconds": seconds, "concurrency": args.join_concurrency,
             "per_s": args.clients / seconds, "p50_ms": percentile(times, 50),
             "p99_ms": percentile(times, 99)}
    log(f"  {args.clients} HTTP joins in {seconds:.1f} s ({stats['per_s']:.0f}/s, "
        f"p50 {stats['p50_ms']:.0f} ms, p99 {stats['p99_ms']:.0f} ms)")
    return [d[0] for d in done], stats


# --- one measured run against one server -----------------------------------------------------

def posting_schedule(args, rng: random.Random) -> list[float]:
    """Offsets (ms) of one phone's posts: one within the window (burst), or `--rate` a minute
    for `--duration` s at a steady pace from a random phase (steady)."""
    if not args.rate:
        return [rng.uniform(0, args.window * 1000)]
    interval = 60_000 / args.rate
    first = rng.uniform(0, interval)
    return [first + k * interval for k in range(int((args.window * 1000 - first) // interval) + 1)]


def run_target(target: str, args, node: str, run_id: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{target}-"))
    port = args.port_base + (0 if target.startswith("bare") else 10) if args.port_base else free_port()
    servers, workers, schema = None, [], None
    started = time.monotonic()
    try:
        if target == "facilitator" and args.db:
            schema, args.database_url = make_schema(args.db)
        else:
            args.database_url = None
        log(f"{NAMES[target]}: starting on port {port} ({tmp})")
        servers, setup = (start_facilitator if target == "facilitator" else start_bare)(args, tmp, port)
        cpu_start = servers.cpu_seconds()
        # Board ids: strings for the bare server, integers for Facilitator (its board_id).
        boards = [int(b) for b in setup["boards"]] if target == "facilitator" else setup["boards"]
        rng = random.Random(args.seed)  # the same schedule for both servers
        phones = [{"idx": i, "board": boards[i % len(boards)],
                   "offsetsMs": posting_schedule(args, rng)} for i in range(args.clients)]
        for phone, cookie in zip(phones, setup["cookies"] or []):
            phone["cookie"] = cookie
        for phone in phones:  # spread over the processes, as a sticky load balancer would
            phone["url"] = f"http://{HOST}:{servers.ports[phone['idx'] % len(servers.ports)]}"
        n_workers = max(1, math.ceil(args.clients / args.per_process))
        base = {"url": f"http://{HOST}:{port}", "mode": "facilitator" if target == "facilitator"
                else "bare", "fanout": FANOUT[target], "boards": boards, "deflate": args.deflate,
                "code": setup["code"],
                "cookieName": setup["cookie_name"], "run": run_id,
                "transports": args.transports.split(","), "connectConcurrency": args.connect_concurrency,
                "connectTimeoutMs": 20000, "ackTimeoutMs": int((args.window + args.drain) * 1000),
                "phoneSync": args.phone_sync, "verbose": args.verbose,
                "dots": bool(args.dots), "roundId": setup.get("round_id"),
                "targetIds": setup.get("target_ids"), "screenKey": setup.get("screen_key")}
        t_connect = time.monotonic()
        spy = start_py_spy(args, servers, target, "connect")
        for w in range(n_workers):
            workers.append(Worker(node, {**base, "worker": w, "phones": phones[w::n_workers],
                                         "projector": args.dots and w == 0}, tmp))
        readies = [w.expect("ready", time.monotonic() + args.connect_timeout) for w in workers]
        connect_s = time.monotonic() - t_connect
        connect_cpu = servers.cpu_seconds() - cpu_start
        stop_py_spy(spy)
        connected = {idx for r in readies for idx in r["connected"]}
        failed = [f for r in readies for f in r["failed"]]
        log(f"  {len(connected)}/{args.clients} phones connected in {connect_s:.1f} s "
            f"over {n_workers} Node process(es)" + (f"; first failure: {failed[0]}" if failed else ""))
        if not connected:
            raise BenchError(f"no phone could connect to {NAMES[target]}")
        posters: dict[str, int] = {}
        for phone in phones:
            if phone["idx"] in connected:
                posters[str(phone["board"])] = (posters.get(str(phone["board"]), 0)
                                                + len(phone["offsetsMs"]))
        own_pids = servers.pids + [w.proc.pid for w in workers]
        if args.warmup:
            warm_up(args, workers, phones, connected)
        attempts = []
        for burst in range(1 + args.noisy_retries):
            time.sleep(args.settle)  # let join-time (or the last burst's) traffic die down
            others = wait_for_quiet(args, servers.pids, own_pids)
            rss_before = servers.rss_mb()
            cpu0, busy0, load0 = servers.cpu_seconds(), machine_busy_seconds(), load_average()
            database0 = database_cpu_seconds(args)
            m0 = time.monotonic()
            t0 = time.time() * 1000 + 300
            go = {"type": "go", "burst": burst, "t0": t0, "windowMs": args.window * 1000,
                  "drainMs": args.drain * 1000, "posters": posters,
                  "totalPosters": sum(posters.values())}
            spy = start_py_spy(args, servers, target, burst)
            for w in workers:
                w.send(go)
            results = [w.expect("result", time.monotonic() + args.window + args.drain + 30)
                       for w in workers]
            cpu1, busy1 = servers.cpu_seconds(), machine_busy_seconds()
            database1 = database_cpu_seconds(args)
            stop_py_spy(spy)
            span = time.monotonic() - m0
            figures = aggregate(FANOUT[target], phones, connected, results, t0, args.dots)
            other = max(0.0, (busy1 - busy0) - (cpu1 - cpu0) - figures["client_cpu_s"])
            figures.update(server_cpu_s=cpu1 - cpu0,
                           server_rss_mb=max(rss_before, servers.rss_mb()),
                           connect_s=connect_s, connect_server_cpu_s=connect_cpu,
                           connect_failures=len(failed), load_average_1min=load0,
                           load_average_after=load_average(), processes=len(servers.procs),
                           other_cores_before=others, other_cpu_s=other,
                           other_cores_during=other / span, burst_no=burst,
                           failures_sample=failed[:3], join=setup.get("join"),
                           wall_s=time.monotonic() - started)
            if figures["burst_s"]:
                figures["server_cpu_util"] = figures["server_cpu_s"] / figures["burst_s"]
            if figures["frames_delivered"]:
                figures["server_us_per_frame"] = (1e6 * figures["server_cpu_s"]
                                                  / figures["frames_delivered"])
            if figures["posts_ok"]:
                figures["server_cpu_ms_per_post"] = (1e3 * figures["server_cpu_s"]
                                                     / figures["posts_ok"])
            if target == "facilitator" and database0 is not None:
                figures["database_cpu_s"] = sum(cpu - database0.get(pid, 0.0)
                                                for pid, cpu in database1.items())
                if figures["posts_ok"]:
                    figures["database_cpu_ms_per_post"] = (1e3 * figures["database_cpu_s"]
                                                           / figures["posts_ok"])
            if target == "facilitator" and not args.dots:
                figures["stored"] = count_stored(args, tmp, f"r{run_id}b{burst}-")
            attempts.append(figures)
            if figures["other_cores_during"] <= args.noisy:
                break
            if figures["stats"].get("disconnects") or figures["lost_deliveries"] or args.dots:
                log(f"  burst {burst + 1}: noisy (other processes kept "
                    f"{figures['other_cores_during']:.1f} cores busy), but phones were dropped, "
                    "deliveries lost or dots placed, so the run is no longer comparable: not repeating")
                break
            log(f"  burst {burst + 1}: other processes kept {figures['other_cores_during']:.1f} "
                f"cores busy (p50 {fmt(figures['deliver_p50_ms'], '{:.0f}')} ms)"
                + ("; posting again on the same connections"
                   if burst < args.noisy_retries else "; keeping the quietest burst"))
        figures = min(attempts, key=lambda f: f["other_cores_during"])
        figures["bursts_tried"] = len(attempts)
        figures["wall_s"] = time.monotonic() - started
        return figures
    finally:
        for w in workers:
            w.close()
        if servers is not None:
            servers.stop()
        if schema:
            drop_schema(args.db, schema)
        if args.keep:
            log(f"  kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def warm_up(args, workers: list, phones: list, connected: set) -> None:
    """Before the measured bursts: every connected phone posts once within --warmup s, and
    the figures are dropped. Without it the first half second of a burst measured the warm-up
    of both the load clients and the server (the first posts after start-up), not a
    running event: the slowest posts of a 500-phone burst were all in its first 0.6 s."""
    posters: dict[str, int] = {}
    for phone in phones:
        if phone["idx"] in connected:
            posters[str(phone["board"])] = posters.get(str(phone["board"]), 0) + 1
    go = {"type": "go", "burst": "warmup", "warmup": True, "t0": time.time() * 1000 + 300,
          "windowMs": args.warmup * 1000, "drainMs": args.drain * 1000, "posters": posters,
          "totalPosters": sum(posters.values())}
    for w in workers:
        w.send(go)
    for w in workers:
        w.expect("result", time.monotonic() + args.warmup + args.drain + 30)
    log(f"  warmed up: {go['totalPosters']} posts within {args.warmup:g} s, not measured")


def make_schema(url: str) -> tuple[str, str]:
    """A PostgreSQL schema of this run's own; (its name, a URL that uses it)."""
    import psycopg
    name = f"bench_{os.getpid()}_{time.time_ns() % 10**9}"
    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    options = urllib.parse.quote(f"-csearch_path={name}")
    return name, f"{url}{'&' if '?' in url else '?'}options={options}"


def drop_schema(url: str, name: str) -> None:
    import psycopg
    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def plain_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def database_cpu_seconds(args) -> dict[int, float] | None:
    """PostgreSQL (on this machine): CPU seconds of each backend serving the run's database,
    by process id; None on SQLite. Other databases' backends (other test runs) are left out."""
    if not args.database_url or args.database_url.startswith("sqlite"):
        return None
    import psycopg
    with psycopg.connect(plain_url(args.db).partition("?")[0], autocommit=True) as conn:
        pids = [pid for (pid,) in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()")]
    cpu = {}
    for pid in pids:
        try:
            cpu[pid] = proc_cpu_seconds(pid)
        except OSError:
            pass  # ended meanwhile
    return cpu


def count_stored(args, tmp: Path, prefix: str) -> int:
    """This burst's ideas in the database (acknowledged == stored is checked against this)."""
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    if url.startswith("sqlite"):
        import sqlite3
        with sqlite3.connect(url[len("sqlite:///"):]) as conn:
            return conn.execute("SELECT count(*) FROM ideas WHERE client_id LIKE ?",
                                (prefix + "%",)).fetchone()[0]
    import psycopg
    base, _, query = plain_url(url).partition("?")
    schema = urllib.parse.unquote(query).split("search_path=", 1)[1]
    with psycopg.connect(base) as conn:
        return conn.execute(f"SELECT count(*) FROM {schema}.ideas WHERE client_id LIKE %s",
                            (prefix + "%",)).fetchone()[0]


def start_py_spy(args, servers, target: str, burst: int):
    """py-spy (the bench extra) records the first Facilitator process during the burst."""
    if not args.py_spy or target != "facilitator":
        return None
    spy = shutil.which("py-spy") or str(Path(args.python).parent / "py-spy")
    out = f"{args.py_spy}-{burst}.txt"
    log(f"  py-spy recording {servers.pids[0]} into {out}")
    return subprocess.Popen([spy, "record", "--pid", str(servers.pids[0]), "--format", "raw",
                             "--rate", "200", "--gil", "-o", out]
                            + (["--duration", str(args.py_spy_seconds)] if args.py_spy_seconds
                               else []), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def stop_py_spy(spy) -> None:
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        try:
            spy.wait(30)
        except subprocess.TimeoutExpired:
            spy.kill()


def aggregate(fanout: str, phones: list, connected: set, results: list, t0: float,
              dots: bool = False) -> dict:
    members: dict[str, int] = {}
    for phone in phones:
        if phone["idx"] in connected:
            members[str(phone["board"])] = members.get(str(phone["board"]), 0) + 1
    total_members = len(connected)
    receipts: dict[str, dict] = {}
    for result in results:
        for mid, r in result["receipts"].items():
            agg = receipts.setdefault(mid, {"n_board": 0, "last_board": 0.0, "n_all": 0,
                                            "last_all": 0.0})
            agg["n_board"] += r["n_board"]
            agg["n_all"] += r["n_all"]
            agg["last_board"] = max(agg["last_board"], r["last_board"])
            agg["last_all"] = max(agg["last_all"], r["last_all"])
    posts = [p for result in results for p in result["posts"]]
    last_board, last_all, acks = [], [], []
    board_emitted = []  # when each idea of last_board was sent, ms after the burst began
    lost_board = lost_all = incomplete = 0
    ok = sum(1 for p in posts if p["ok"])
    t_end = t0
    for p in posts:
        if p["ok"]:
            acks.append(p["t_ack"] - p["t_emit"])
        if dots:  # a dot is not broadcast as such: its tally is timed below
            t_end = max(t_end, p["t_ack"] or 0)
            continue
        r = receipts.get(p["mid"], {"n_board": 0, "last_board": 0.0, "n_all": 0, "last_all": 0.0})
        expected = members[str(p["board"])]
        lost_board += max(0, expected - r["n_board"])
        if r["n_board"] >= expected:
            last_board.append(r["last_board"] - p["t_emit"])
            board_emitted.append(p["t_emit"] - t0)
        else:
            incomplete += 1
        if fanout == "workshop":
            lost_all += max(0, total_members - r["n_all"])
            if r["n_all"] >= total_members:
                last_all.append(r["last_all"] - p["t_emit"])
        t_end = max(t_end, r["last_all"], p["t_ack"] or 0)
    stats: dict[str, int] = {}
    for result in results:
        for key, value in result["stats"].items():
            stats[key] = stats.get(key, 0) + value
    figures = {
        "phones": len(phones), "connected": total_members, "posts_sent": len(posts),
        "posts_ok": ok, "post_errors": sorted({p["error"] for p in posts if p["error"]})[:3],
        "deliver_p50_ms": percentile(last_board, 50), "deliver_p95_ms": percentile(last_board, 95),
        "deliver_p99_ms": percentile(last_board, 99), "deliver_max_ms": percentile(last_board, 100),
        "ack_p50_ms": percentile(acks, 50), "ack_p95_ms": percentile(acks, 95),
        "ack_p99_ms": percentile(acks, 99), "ack_max_ms": percentile(acks, 100),
        "expected_deliveries": 0 if dots else sum(members[str(p["board"])] for p in posts),
        "lost_deliveries": lost_board, "incomplete_posts": incomplete,
        "frames_delivered": sum(r["n_all"] for r in receipts.values()),
        "burst_s": (t_end - t0) / 1000,
        "client_elu_max": max(r["event_loop"]["utilization"] for r in results),
        "client_lag_p99_ms": max(r["event_loop"]["lag_p99_ms"] for r in results),
        "client_cpu_s": sum(r["cpu_s"] for r in results),
        "stats": stats,
        "samples": {"deliver_ms": [round(x, 2) for x in last_board],
                    "deliver_emitted_at_ms": [round(x, 1) for x in board_emitted],
                    "ack_ms": [round(x, 2) for x in acks]},
    }
    tallies = [t for result in results for t in result.get("tallies", [])]
    if tallies:
        # The k-th dot acknowledged is on the wall once a tally counts k dots (more than before).
        before = max(result.get("dots_before", 0) for result in results)
        ordered = sorted((p for p in posts if p["ok"]), key=lambda p: p["t_ack"])
        waits, missing = [], 0
        for k, p in enumerate(ordered, start=1):
            shown = next((t["t"] for t in tallies if t["total"] - before >= k), None)
            if shown is None:
                missing += 1
            else:
                waits.append(max(shown, p["t_ack"]) - p["t_emit"])
        figures.update(tally_p50_ms=percentile(waits, 50), tally_p99_ms=percentile(waits, 99),
                       tally_max_ms=percentile(waits, 100), dots_not_on_wall=missing,
                       tally_updates=len(tallies))
    if fanout == "workshop":
        figures.update(workshop_p50_ms=percentile(last_all, 50),
                       workshop_p99_ms=percentile(last_all, 99),
                       workshop_max_ms=percentile(last_all, 100), lost_workshop=lost_all)
    return figures


# --- report ----------------------------------------------------------------------------------

ROWS = [  # key, label, format
    ("deliver_p50_ms", "to last board member p50 ms", "{:.1f}"),
    ("deliver_p95_ms", "to last board member p95 ms", "{:.1f}"),
    ("deliver_p99_ms", "to last board member p99 ms", "{:.1f}"),
    ("deliver_max_ms", "to last board member max ms", "{:.1f}"),
    ("lost_deliveries", "lost deliveries (board)", "{:.0f}"),
    ("expected_deliveries", "expected deliveries (board)", "{:.0f}"),
    ("incomplete_posts", "ideas not at every board member", "{:.0f}"),
    ("ack_p50_ms", "ack p50 ms", "{:.1f}"),
    ("ack_p95_ms", "ack p95 ms", "{:.1f}"),
    ("ack_p99_ms", "ack p99 ms", "{:.1f}"),
    ("ack_max_ms", "ack max ms", "{:.1f}"),
    ("posts_ok", "posts acknowledged ok", "{:.0f}"),
    ("posts_sent", "posts sent", "{:.0f}"),
    ("connected", "phones connected", "{:.0f}"),
    ("connect_s", "connect phase s", "{:.1f}"),
    ("connect_server_cpu_s", "server CPU s while connecting", "{:.2f}"),
    ("frames_delivered", "idea frames delivered", "{:.0f}"),
    ("burst_s", "burst s (t0 to last frame/ack)", "{:.2f}"),
    ("server_cpu_s", "server CPU s in burst", "{:.2f}"),
    ("server_cpu_util", "server CPU / burst (1.0 = a core)", "{:.2f}"),
    ("server_us_per_frame", "server CPU us per idea frame", "{:.1f}"),
    ("server_cpu_ms_per_post", "server CPU ms per acked post", "{:.2f}"),
    ("stored", "ideas stored (must equal acked)", "{:.0f}"),
    ("tally_p50_ms", "dots: on the projector p50 ms", "{:.1f}"),
    ("tally_p99_ms", "dots: on the projector p99 ms", "{:.1f}"),
    ("dots_not_on_wall", "dots: never on the projector", "{:.0f}"),
    ("processes", "server processes", "{:.0f}"),
    ("load_average_after", "load average after burst", "{:.2f}"),
    ("server_rss_mb", "server RSS MB", "{:.0f}"),
    ("client_cpu_s", "load clients CPU s in burst", "{:.2f}"),
    ("client_elu_max", "load client event loop util (max)", "{:.2f}"),
    ("client_lag_p99_ms", "load client loop lag p99 ms (max)", "{:.1f}"),
    ("database_cpu_s", "PostgreSQL backends CPU s in burst", "{:.2f}"),
    ("database_cpu_ms_per_post", "PostgreSQL CPU ms per acked post", "{:.2f}"),
    ("other_cpu_s", "other processes CPU s in burst (PostgreSQL too)", "{:.2f}"),
    ("other_cores_during", "other processes' cores in burst", "{:.2f}"),
    ("other_cores_before", "other processes' cores before burst", "{:.2f}"),
    ("load_average_1min", "load average before burst", "{:.2f}"),
    ("bursts_tried", "bursts tried (noisy ones repeated)", "{:.0f}"),
]


def median_figures(runs: list[dict]) -> dict:
    out = {}
    for key in {k for r in runs for k in r} - {"samples"}:
        values = [r[key] for r in runs if isinstance(r.get(key), (int, float))
                  and not isinstance(r.get(key), bool)]
        out[key] = statistics.median(values) if values else runs[0].get(key)
    return out


def fmt(value, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)


def ratio(f, b) -> str:
    if isinstance(b, (int, float)) and isinstance(f, (int, float)) and b:
        return f"{f / b:.2f}×"
    return "—"


def ratios(summary: dict, base: str) -> dict:
    out = {}
    if base in summary and "facilitator" in summary:
        for key, _, _ in ROWS:
            b, f = summary[base].get(key), summary["facilitator"].get(key)
            if isinstance(b, (int, float)) and isinstance(f, (int, float)) and b:
                out[key] = f / b
    return out


def print_table(args, servers: list[str], summary: dict, rounds: int) -> None:
    bases = [b for b in ("bare", "bare-all") if b in summary and "facilitator" in summary]
    mode = (f"{args.rate:g} ideas per phone a minute for {args.duration:g} s" if args.rate
            else f"one {'dot' if args.dots else 'idea'} each within {args.window:g} s")
    title = (f"{args.clients} phones over {args.boards} boards, {mode}; "
             f"{'PostgreSQL' if args.db else 'SQLite'}, {args.processes} Facilitator process(es); "
             f"uptime load {os.getloadavg()[0]:.2f}; socket.io-client {client_version()} in "
             f"{max(1, math.ceil(args.clients / args.per_process))} Node process(es), transports "
             f"{args.transports}, permessage-deflate {'offered' if args.deflate else 'off'}; "
             + (f"median of {rounds} rounds" if rounds > 1 else "1 round") + f"; {os.cpu_count()} CPUs")
    print()
    print(title)
    header = f"{'':36}" + "".join(f" {NAMES[s]:>15}" for s in servers) + \
        "".join(f" {'Facilitator/' + b:>20}" for b in bases)
    print(header)
    print("-" * len(header))
    for key, label, pattern in ROWS:
        line = f"{label:36}" + "".join(f" {fmt(summary[s].get(key), pattern):>15}" for s in servers)
        line += "".join(f" {ratio(summary['facilitator'].get(key), summary[b].get(key)):>20}"
                        for b in bases)
        print(line)
    print()
    print("Latency is from a phone's emit until the last phone at the idea's board has the "
          "broadcast (every server); ack is emit until the phone has the acknowledgement.")
    if "facilitator" in summary:
        print(f"Fan-out: both servers send an idea to the phones at its board "
              f"(~{args.clients / args.boards:.0f} phones), Facilitator also to the console and "
              f"projector"
              + ("; 'bare, all rooms' has each bare phone join every board's room (every phone "
                 "gets every idea)." if "bare-all" in summary else ".")
              + (" The bare server accepts the permessage-deflate that the clients offer; "
                 "Facilitator declines it." if args.deflate else ""))
    for name in servers:
        figures = summary[name]
        if FANOUT[name] == "workshop":
            print(f"{NAMES[name]}, to the last phone of the workshop: p50 "
                  f"{fmt(figures.get('workshop_p50_ms'), '{:.1f}')} ms, p99 "
                  f"{fmt(figures.get('workshop_p99_ms'), '{:.1f}')} ms, max "
                  f"{fmt(figures.get('workshop_max_ms'), '{:.1f}')} ms, lost "
                  f"{figures.get('lost_workshop')}.")
    if "facilitator" in summary:
        fac = summary["facilitator"]
        s = fac.get("stats", {})
        print(f"Facilitator: idea_posted with a sequence gap (expected: phones hear only their "
              f"own table's cards and catch up on reconnect): "
              f"{s.get('seq_gaps', 0)}; older than the last seen: {s.get('seq_out_of_order', 0)}"
              + (f"; syncs sent {s.get('syncs_sent', 0)} (failed {s.get('syncs_failed', 0)})"
                 if args.phone_sync else "")
              + f"; other events (presence_changed) during the burst: {s.get('other_events', 0)}"
              + f"; answered busy and sent again: {s.get('busy', 0)}.")
        if fac.get("join"):
            j = fac["join"]
            extra = (f", {j['per_s']:.0f}/s, p50 {j['p50_ms']:.0f} ms, p99 {j['p99_ms']:.0f} ms"
                     if j["mode"] == "http" else "")
            print(f"Facilitator participants joined via {j['mode']} in {j['seconds']:.1f} s{extra}.")
    for name in servers:
        figures = summary[name]
        transports = {k[len("transport_"):]: v for k, v in figures.get("stats", {}).items()
                      if k.startswith("transport_")}
        print(f"{NAMES[name]}: transports when posting began {transports}; disconnects "
              f"{figures.get('stats', {}).get('disconnects', 0)}"
              + (f"; post errors {figures['post_errors']}" if figures.get("post_errors") else "")
              + (f"; connect failures {figures['failures_sample']}"
                 if figures.get("failures_sample") else "") + ".")
        if figures.get("client_elu_max", 0) > 0.9:
            print(f"Warning ({NAMES[name]}): a load client's event loop was >90% busy; the clients "
                  "may be part of the measured latency (try a smaller --per-process).")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=500, help="phones (default 500)")
    ap.add_argument("--boards", type=int, default=6, help="boards to spread them over (default 6)")
    ap.add_argument("--window", type=float, default=5.0,
                    help="every phone posts once at a random moment within this many s (default 5)")
    ap.add_argument("--drain", type=float, default=30.0,
                    help="s after the window to wait for late deliveries (default 30)")
    ap.add_argument("--settle", type=float, default=2.0,
                    help="pause after all phones connected, before posting (default 2 s)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="alternate the servers this many times and report medians (default 1)")
    ap.add_argument("--servers", default="bare,facilitator",
                    help="which to run, comma-separated, of bare, bare-all, facilitator "
                         "(default bare,facilitator)")
    ap.add_argument("--per-process", type=int, default=250,
                    help="phones per Node load process (default 250)")
    ap.add_argument("--connect-concurrency", type=int, default=20,
                    help="connections being opened at once per Node process (default 20)")
    ap.add_argument("--connect-timeout", type=float, default=180,
                    help="s allowed for all phones to connect (default 180)")
    ap.add_argument("--transports", default="polling,websocket",
                    help="engine.io transports, as browsers: polling,websocket (default)")
    ap.add_argument("--no-deflate", dest="deflate", action="store_false",
                    help="clients do not offer permessage-deflate (browsers do)")
    ap.add_argument("--join", choices=("direct", "http"), default="direct",
                    help="Facilitator participants: through the domain API (default) or the join form")
    ap.add_argument("--join-concurrency", type=int, default=8, help="parallel HTTP joins (default 8)")
    ap.add_argument("--phone-sync", action="store_true",
                    help="Facilitator phones call sync on a sequence gap, as static/js/live.js does")
    ap.add_argument("--quiet", type=float, default=0.5,
                    help="before each burst, wait until other processes use at most this many "
                         "cores (default 0.5) ...")
    ap.add_argument("--quiet-wait", type=float, default=60,
                    help="... but no longer than this many s (default 60; 0 = do not wait)")
    ap.add_argument("--noisy", type=float, default=0.5,
                    help="a burst during which other processes used more than this many cores "
                         "on average (default 0.5) is repeated on the same connections ...")
    ap.add_argument("--noisy-retries", type=int, default=2,
                    help="... at most this many times, keeping the quietest (default 2)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the posting schedule")
    ap.add_argument("--warmup", type=float, default=0,
                    help="before measuring, every phone posts once within this many s, not "
                         "measured (default 0: the first burst after start-up is measured)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke mode: 2 s window, 5 s drain, 0.5 s settle, 1 round")
    ap.add_argument("--json", metavar="FILE", help="also write all figures as JSON")
    ap.add_argument("--rate", type=float, default=0,
                    help="steady mode: ideas per phone per minute, for --duration s (instead of "
                         "one idea per phone within --window)")
    ap.add_argument("--duration", type=float, default=60.0,
                    help="steady mode: how long phones keep posting (default 60 s)")
    ap.add_argument("--db", metavar="URL",
                    help="Facilitator on PostgreSQL (postgresql+psycopg://...; a schema of the "
                         "run's own, dropped afterwards) instead of a SQLite file")
    ap.add_argument("--processes", type=int, default=1,
                    help="Facilitator processes (the README's recipe: one database, Redis "
                         "message queue; phones spread over them as a sticky balancer would)")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0",
                    help="message queue for --processes > 1 (default redis://127.0.0.1:6379/0)")
    ap.add_argument("--port-base", type=int, default=0,
                    help="fixed ports: bare server on this one, Facilitator from +10 (default: "
                         "free ports)")
    ap.add_argument("--dots", action="store_true",
                    help="dots mode: every phone places one dot within the window (30 s with "
                         "--window 30) in an open dots round; the projector's tallies are timed")
    ap.add_argument("--py-spy", metavar="PREFIX",
                    help="record the (first) Facilitator process with py-spy during each burst "
                         "into PREFIX-<burst>.txt (collapsed stacks; needs the bench extra)")
    ap.add_argument("--py-spy-seconds", type=int, metavar="S",
                    help="... only the first S s of each burst (default: all of it)")
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE,
                    help="bare_socketio_server.py (default: ../shared/reference/ from the repo)")
    ap.add_argument("--python", help="Python for the servers (default: the repo's .venv)")
    ap.add_argument("--keep", action="store_true", help="keep temporary databases and logs")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.window, args.drain, args.settle, args.rounds = 2.0, 5.0, 0.5, 1
        args.quiet_wait, args.noisy_retries = min(args.quiet_wait, 3), 0
    if args.rate:
        args.window = args.duration
    if args.dots:
        servers_default = "facilitator"
        if args.servers == "bare,facilitator":
            args.servers = servers_default  # the bare server has no voting
    if args.processes > 1 and not args.db:
        ap.error("--processes > 1 needs --db postgresql+psycopg://... (SQLite is one process)")
    if args.clients < 1 or args.boards < 1 or args.rounds < 1 or args.per_process < 1:
        ap.error("--clients, --boards, --rounds and --per-process must be positive")
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    if not servers or any(s not in NAMES for s in servers):
        ap.error("--servers takes bare, bare-all and/or facilitator")
    if args.python is None:
        venv = REPO / ".venv" / "bin" / "python"
        args.python = str(venv) if venv.exists() else sys.executable
    args.reference = args.reference.resolve()
    if any(s.startswith("bare") for s in servers) and not args.reference.exists():
        print(f"error: the reference server is missing: {args.reference}\n"
              "It lives in the shared workspace next to the repository "
              "(../shared/reference/bare_socketio_server.py); pass --reference PATH, or "
              "--servers facilitator to measure Facilitator alone.", file=sys.stderr)
        return 2

    started = time.monotonic()
    try:
        node = ensure_node_deps()
        runs: dict[str, list[dict]] = {s: [] for s in servers}
        for round_no in range(args.rounds):
            order = servers if round_no % 2 == 0 else list(reversed(servers))
            for target in order:
                figures = run_target(target, args, node, run_id=round_no)
                runs[target].append(figures)
                log(f"  {NAMES[target]}: p50 {fmt(figures['deliver_p50_ms'], '{:.1f}')} ms, "
                    f"p99 {fmt(figures['deliver_p99_ms'], '{:.1f}')} ms, lost "
                    f"{figures['lost_deliveries']}, {figures['wall_s']:.0f} s")
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    summary = {target: median_figures(r) for target, r in runs.items()}
    print_table(args, servers, summary, args.rounds)
    elapsed = time.monotonic() - started
    print(f"Whole benchmark took {elapsed:.0f} s.")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "socket_io_client": client_version(), "cpus": os.cpu_count(),
            "elapsed_s": elapsed, "summary": summary,
            "ratio_facilitator_over_bare": ratios(summary, "bare"),
            "ratio_facilitator_over_bare_all": ratios(summary, "bare-all"),
            "runs": runs}, indent=2))
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
