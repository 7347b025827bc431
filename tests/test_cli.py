"""`python run.py …` as people type it: help, the demo workshop, accounts, migrations, serving."""
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from facilitator.database import migrate
from facilitator.domain import facilitators, workshops
from facilitator.models import Board, Idea, Workshop

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PUBLIC_URL = "http://192.0.2.10:5000"  # the `app` fixture's, so its links open there


def run(*args, database_url, tmp_path, check=True, **env):
    """Run `python run.py ARGS` with its own instance directory; returns the finished process."""
    done = subprocess.run(
        [PYTHON, "run.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**{k: v for k, v in os.environ.items() if k not in ("MESSAGE_QUEUE", "PORT", "HOST")},
             "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "cli-instance"),
             "SECRET_KEY": "cli-test", "PUBLIC_URL": PUBLIC_URL, **env})
    if check:
        assert done.returncode == 0, done.stderr
    return done


def local(url: str) -> str:
    """The path and query of a link, to open it with the Flask test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_help_lists_the_commands_and_server_options(tmp_path):
    shown = run("--help", database_url="sqlite:///unused.db", tmp_path=tmp_path).stdout

    for command in ("serve", "demo", "add-facilitator", "sign-in-link", "migrate"):
        assert re.search(rf"^\s+{command}\s", shown, re.MULTILINE), command
    for option in ("--host", "--port", "DATABASE_URL", "PUBLIC_URL"):
        assert option in shown
    assert not (ROOT / "unused.db").exists()


def test_demo_json_prints_links_that_work_and_a_facilitator_link_that_works_once(
        app, client, app_make, tmp_path):
    printed = run("demo", "--json", database_url=app.config["DATABASE_URL"], tmp_path=tmp_path)

    links = json.loads(printed.stdout)
    assert set(links) >= {"join_code", "join_url", "facilitator_url", "screen_url", "boards"}
    code = links["join_code"]
    assert links["join_url"] == f"{PUBLIC_URL}/join/{code}"
    assert links["screen_url"].startswith(f"{PUBLIC_URL}/screen/")
    assert links["facilitator_url"].startswith(f"{PUBLIC_URL}/console/sign-in/")
    workshop = app_make.run(workshops.find_by_join_code, code)
    assert [(b["title"], b["join_url"]) for b in links["boards"]] == [
        (board.title, f"{PUBLIC_URL}/join/{code}?board={board.id}") for board in workshop.boards]
    assert len(links["boards"]) >= 3 and all(board.question for board in workshop.boards)
    assert app_make.count(Idea, workshop_id=workshop.id) >= len(workshop.boards)

    for url in [links["join_url"], links["screen_url"]] + [b["join_url"] for b in links["boards"]]:
        assert client.get(local(url)).status_code == 200, url

    assert client.get(local(links["facilitator_url"])).status_code == 200  # shows the button
    signed_in = client.post(local(links["facilitator_url"]))
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"].endswith(f"/console/{workshop.id}")
    assert client.get(f"/console/{workshop.id}").status_code == 200

    client.post("/console/logout")
    again = client.post(local(links["facilitator_url"]))
    assert again.status_code == 302 and "/console/login" in again.headers["Location"]
    assert client.get(f"/console/{workshop.id}").status_code == 302


def test_demo_without_json_prints_the_same_links_for_people(app, tmp_path):
    printed = run("demo", database_url=app.config["DATABASE_URL"], tmp_path=tmp_path).stdout

    assert re.search(r"join code [2-9A-Z]{8}", printed)
    assert f"{PUBLIC_URL}/console/sign-in/" in printed
    assert f"{PUBLIC_URL}/screen/" in printed
    assert printed.count(f"{PUBLIC_URL}/join/") >= 4


def test_add_facilitator_prints_a_one_time_link_and_refuses_a_taken_name(app, client, tmp_path):
    database_url = app.config["DATABASE_URL"]
    link = run("add-facilitator", "Kim Berger", database_url=database_url,
               tmp_path=tmp_path).stdout.strip()

    assert link.startswith(f"{PUBLIC_URL}/console/sign-in/")
    assert client.post(local(link)).headers["Location"].endswith("/console/")
    assert client.get("/console/").status_code == 200

    taken = run("add-facilitator", "Kim Berger", database_url=database_url, tmp_path=tmp_path,
                check=False)
    assert taken.returncode != 0

    fresh = run("sign-in-link", "Kim Berger", database_url=database_url,
                tmp_path=tmp_path).stdout.strip()
    assert fresh.startswith(f"{PUBLIC_URL}/console/sign-in/") and fresh != link

    unknown = run("sign-in-link", "Niemand", database_url=database_url, tmp_path=tmp_path,
                  check=False)
    assert unknown.returncode != 0 and "Niemand" in unknown.stderr


def test_add_facilitator_admin_makes_an_admin_and_without_it_a_facilitator(app, app_make,
                                                                          tmp_path):
    database_url = app.config["DATABASE_URL"]
    app_make.facilitator("Erste Person")  # the first account is always an admin
    run("add-facilitator", "--admin", "Ada Admin", database_url=database_url, tmp_path=tmp_path)
    run("add-facilitator", "Moritz Moderation", database_url=database_url, tmp_path=tmp_path)

    def admin(name: str) -> bool:
        return app_make.run(lambda session: facilitators.find_by_name(session, name).is_admin)
    assert admin("Ada Admin") is True
    assert admin("Moritz Moderation") is False
    assert "--admin" in run("add-facilitator", "--help", database_url=database_url,
                            tmp_path=tmp_path).stdout
    taken = run("add-facilitator", "--admin", "Moritz Moderation", database_url=database_url,
                tmp_path=tmp_path, check=False)
    assert taken.returncode != 0 and "exists already" in taken.stderr
    assert "Traceback" not in taken.stderr
    assert admin("Moritz Moderation") is False


def test_migrate_creates_the_schema_and_can_run_again(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'fresh.db'}"
    for _ in range(2):
        assert "up to date" in run("migrate", database_url=database_url,
                                   tmp_path=tmp_path).stdout
    with sqlite3.connect(tmp_path / "fresh.db") as connection:
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {Workshop.__tablename__, Board.__tablename__, Idea.__tablename__} <= tables


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            return requests.get(url + "/healthz", timeout=1).json()
        except requests.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("no answer on /healthz")


def test_plain_run_py_serves_on_host_and_port_from_the_environment(tmp_path):
    port = _free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "SECRET_KEY": "x",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "INSTANCE_PATH": str(tmp_path)}
    env.pop("PUBLIC_URL", None)
    env.pop("MESSAGE_QUEUE", None)
    log = open(tmp_path / "serve.log", "w")
    process = subprocess.Popen([PYTHON, "run.py"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        health = _wait_healthy(f"http://127.0.0.1:{port}", process)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)
        log.close()

    assert (health["ok"], health["database"], health["async_mode"]) == (True, "sqlite", "gevent")
    printed = (tmp_path / "serve.log").read_text()
    # Phones need the laptop's address, not localhost, unless PUBLIC_URL says otherwise.
    assert re.search(rf"Phones join at:\s+http://[\d.]+:{port}/", printed)


def test_first_start_prints_a_one_time_sign_in_link_and_later_starts_do_not(start_live_server):
    server = start_live_server()
    printed = server.log()
    assert f"Phones join at:      {server.url}/" in printed
    links = re.findall(r"First sign-in \(one-time link, valid 24 h\): (\S+)", printed)
    assert len(links) == 1 and links[0].startswith(f"{server.url}/console/sign-in/")

    browser = requests.Session()
    # Opening the link (as a chat app's preview does) spends nothing; the button's POST does.
    page = browser.get(links[0], allow_redirects=False, timeout=5)
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    first = browser.post(links[0], data={"csrf_token": token}, allow_redirects=False, timeout=5)
    assert first.status_code == 302 and first.headers["Location"].endswith("/console/")
    assert browser.get(f"{server.url}/console/", allow_redirects=False).status_code == 200
    other = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', other.get(links[0]).text).group(1)
    second = other.post(links[0], data={"csrf_token": token}, allow_redirects=False, timeout=5)
    assert "/console/login" in second.headers["Location"]

    server.restart()
    assert len(re.findall(r"First sign-in", server.log())) == 1
    # The one-time link is spent: every later start says how to get a new one, for whom.
    assert "Sign in:             run `python run.py sign-in-link Moderation` for a one-time link " \
           "(no password yet: Moderation)" in server.log()


def test_every_start_names_the_accounts_and_the_command_for_a_new_sign_in_link(
        start_live_server):
    server = start_live_server(start=False)
    migrate(server.database_url)
    factory = server.factory()
    factory.run(facilitators.create_facilitator, "Kim Berger")
    with_password = factory.facilitator("Ada Yıldız")
    factory.run(facilitators.set_password, with_password, "a long enough password")
    factory.close()
    server.start()

    printed = server.log()
    assert "First sign-in" not in printed
    assert "run `python run.py sign-in-link 'Kim Berger'` for a one-time link " \
           "(no password yet: Kim Berger)" in printed


def test_serve_warns_loudly_when_phones_would_be_sent_to_loopback(start_live_server):
    loopback = start_live_server()  # PUBLIC_URL is its own 127.0.0.1 address
    assert f"PHONES CANNOT JOIN: {loopback.url} only works on this laptop" in loopback.log()
    assert f"PUBLIC_URL=http://192.168.1.20:{loopback.port} make run" in loopback.log()

    lan = start_live_server(env={"PUBLIC_URL": "http://192.168.1.20:5000"})
    assert "Phones join at:      http://192.168.1.20:5000/" in lan.log()
    assert "CANNOT JOIN" not in lan.log()


def test_demo_links_carry_the_port_from_port_and_the_port_option(app, tmp_path):
    database_url = app.config["DATABASE_URL"]
    for args, env in ((["demo", "--json", "--port", "8123"], {}),
                      (["--port", "8123", "demo", "--json"], {}),
                      (["demo", "--json"], {"PORT": "8123"})):
        links = json.loads(run(*args, database_url=database_url, tmp_path=tmp_path,
                               PUBLIC_URL="", **env).stdout)
        urls = [links["join_url"], links["screen_url"], links["facilitator_url"]] + [
            board["join_url"] for board in links["boards"]]
        assert all(urlsplit(url).port == 8123 for url in urls), (args, env, urls)


def test_demo_warns_loudly_about_a_loopback_address_and_not_about_a_lan_one(app, tmp_path):
    database_url = app.config["DATABASE_URL"]
    loopback = run("demo", database_url=database_url, tmp_path=tmp_path,
                   PUBLIC_URL="http://127.0.0.1:5000")
    assert "PHONES CANNOT JOIN: http://127.0.0.1:5000 only works on this laptop" in loopback.stderr

    assert "CANNOT JOIN" not in run("demo", database_url=database_url, tmp_path=tmp_path).stderr


# --- `make test` on a fresh machine: install what is missing, or fail with the command ----------

def test_make_test_and_ci_install_from_the_same_package_list():
    makefile = (ROOT / "Makefile").read_text()
    ci_run = (ROOT / ".ci/run").read_text().strip().splitlines()
    listed = [line.split()[0] for line in (ROOT / ".ci/debian-packages").read_text().splitlines()
              if line.strip() and not line.startswith("#")]

    assert re.search(r"^test: test-packages ", makefile, re.MULTILINE)
    assert re.search(r"^test-packages:\n\t@\.ci/install-packages$", makefile, re.MULTILINE)
    assert ".ci/install-packages" in ci_run and ci_run[-1] == "make test"
    assert {"chromium", "libreoffice-writer-nogui", "poppler-utils"} <= set(listed)


def test_missing_packages_are_named_with_the_command_when_not_root():
    # As root the script would install; run it as nobody, as a developer without sudo would (in
    # a directory nobody can read: pytest's tmp_path is private to its user).
    as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] \
        if os.getuid() == 0 else []
    with tempfile.TemporaryDirectory() as directory:
        ci = Path(directory)
        ci.chmod(0o755)
        (ci / "install-packages").write_bytes((ROOT / ".ci/install-packages").read_bytes())
        (ci / "install-packages").chmod(0o755)
        (ci / "debian-packages").write_text("make\nno-such-package-here  # a missing one\n")

        done = subprocess.run([*as_user, str(ci / "install-packages")], capture_output=True,
                              text=True, timeout=60)

    assert done.returncode == 1
    assert "sudo apt-get install -y --no-install-recommends no-such-package-here" in done.stderr
    # Only the missing one is named, not `make`, which is installed.
    assert "not installed: no-such-package-here\n" in done.stderr


def test_browser_tests_fail_with_the_command_when_chromium_is_missing(tmp_path):
    done = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
         "tests/browser/test_posters.py::test_the_console_prints_all_posters_one_page_per_board"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "CHROMIUM": str(tmp_path / "no-chromium")})

    assert done.returncode != 0
    assert "sudo apt-get install chromium" in done.stdout
    assert "skipped" not in done.stdout.splitlines()[-1]
