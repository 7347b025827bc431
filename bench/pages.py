#!/usr/bin/env python3
"""Bytes a phone transfers to join a workshop and open its board, in real Chromium.

Starts Facilitator (`run.py serve`) on a fresh SQLite database, makes the demo workshop, and
opens a phone-sized Chromium on a board's join link: the join page, the form posted, the board
page with every stylesheet, script and icon (the first visit, an empty cache). Then the same
phone opens the board page again (the second visit) and reloads it. Two boards, each with a
phone of its own: one whose cards are all German, and one with a card in Arabic, for which
Chromium also fetches the Arabic face. Bytes are what crossed the
network as Chromium's DevTools protocol counts them (headers and bodies, compressed as sent);
the Socket.IO connection is listed apart.

  .venv/bin/python bench/pages.py                 # port 5400
  .venv/bin/python bench/pages.py --port 5410 --json pages.json

Needs Chromium (Debian's /usr/bin/chromium, or CHROMIUM=...) and Playwright (a dev dependency).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-quic", "--no-first-run"]


class Traffic:
    """Requests of one page as the DevTools protocol reports them."""

    def __init__(self, cdp) -> None:
        self.requests: dict[str, dict] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.send("Network.enable")

    def _sent(self, event):
        self.requests.setdefault(event["requestId"], {})["url"] = event["request"]["url"]

    def _response(self, event):
        response = event["response"]
        entry = self.requests.setdefault(event["requestId"], {})
        entry.update(status=response["status"], encoding=response["headers"].get(
            "content-encoding", response["headers"].get("Content-Encoding", "")),
            cached=response.get("fromDiskCache") or response.get("fromPrefetchCache"))

    def _finished(self, event):
        self.requests.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

    def _from_cache(self, event):
        self.requests.setdefault(event["requestId"], {})["cached"] = True

    def take(self) -> dict:
        """Totals since the last call: page traffic and Socket.IO traffic apart."""
        rows = list(self.requests.values())
        self.requests = {}
        def is_socket(row):  # the connection, not the client library under /static/vendor/
            return row.get("url", "").split("/", 3)[-1].startswith("socket.io/")
        pages = [r for r in rows if not is_socket(r)]
        network = [r for r in pages if not r.get("cached") and r.get("bytes", 0) > 0]
        return {
            "bytes": sum(r.get("bytes", 0) for r in pages),
            "requests": len(pages),
            "from_network": len(network),
            "revalidated": sum(1 for r in pages if r.get("status") == 304),
            "socketio_bytes": sum(r.get("bytes", 0) for r in rows if is_socket(r)),
            "files": sorted((r.get("url", "").split("/", 3)[-1], r.get("status"), r.get("bytes", 0),
                             r.get("encoding"), bool(r.get("cached"))) for r in pages),
        }


def start_server(port: int, tmp: Path, python: str):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'pages.db'}", "INSTANCE_PATH": str(tmp),
           "SECRET_KEY": "bench", "PUBLIC_URL": f"http://127.0.0.1:{port}", "RATELIMIT_ENABLED": "0"}
    env.pop("MESSAGE_QUEUE", None)
    demo = subprocess.run([python, "run.py", "demo", "--json"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    links = json.loads(demo.stdout.strip().splitlines()[-1])
    server = subprocess.Popen([python, "run.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=REPO, env=env, stdout=open(tmp / "server.log", "w"),
                              stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server, links
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


# The demo's boards (facilitator/data/demo.json): the first carries a card in Arabic.
BOARDS = {"German board": 1, "board with an Arabic card": 0}


def visits(playwright, join_url: str) -> dict:
    """A new phone's first visit, second visit and reload of one board."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    try:
        context = browser.new_context(**playwright.devices["Pixel 5"], locale="de-DE")
        page = context.new_page()
        traffic = Traffic(context.new_cdp_session(page))
        page.goto(join_url)
        page.locator(".join-form button[type=submit]").click()
        page.locator("[data-idea-text]").wait_for(state="visible")
        page.wait_for_load_state("networkidle")
        first = traffic.take()
        board_url = page.url
        page.goto("about:blank")
        page.goto(board_url)
        page.wait_for_load_state("networkidle")
        second = traffic.take()
        page.reload()
        page.wait_for_load_state("networkidle")
        reload_ = traffic.take()
    finally:
        browser.close()
    return {"first_visit": first, "second_visit": second, "reload": reload_}


def measure(port: int, python: str) -> dict:
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        server, links = start_server(port, Path(tmp), python)
        try:
            with sync_playwright() as playwright:
                return {name: visits(playwright, links["boards"][index]["join_url"])
                        for name, index in BOARDS.items()}
        finally:
            server.terminate()
            server.wait(10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=5400)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--files", action="store_true", help="list every file of each visit")
    args = ap.parse_args()
    figures = measure(args.port, args.python)
    load = os.getloadavg()[0]
    for board, board_visits in figures.items():
        print(board)
        for name, visit in board_visits.items():
            print(f"  {name.replace('_', ' '):13} {visit['bytes'] / 1024:7.1f} KB in "
                  f"{visit['requests']:2} requests ({visit['from_network']} from the network, "
                  f"{visit['revalidated']} revalidated); Socket.IO "
                  f"{visit['socketio_bytes'] / 1024:.1f} KB")
            if args.files:
                for row in visit["files"]:
                    print("     ", row)
    print(f"load average {load:.2f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    if args.json:
        Path(args.json).write_text(json.dumps({**figures, "load_average_1min": load}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
