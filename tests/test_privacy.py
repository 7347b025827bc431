"""Data protection checks a county's officer makes on the files themselves: a deleted workshop
leaves none of its text in the SQLite file, and what the server writes is private to its user."""
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sign_in(client, app_make, facilitator):
    assert client.post(f"/console/sign-in/{app_make.sign_in_secret(facilitator)}").status_code == 302


def database_bytes(app) -> bytes:
    path = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    return b"".join(candidate.read_bytes() for candidate in
                    (path, Path(f"{path}-wal")) if candidate.exists())


def test_a_deleted_workshop_leaves_no_text_in_the_sqlite_file(app, client, app_make):
    owner = app_make.facilitator("Moderation")
    workshop = app_make.workshop(owner, language="en", title="Geheimworkshop Zitrone")
    phone, _ = app_make.participant(workshop, "Ljudmila Zitronenfalter")
    app_make.idea(phone, workshop.boards[0], "Unverwechselbare Idee Zitronenbaum")
    sign_in(client, app_make, owner)
    app_make.session.close()
    assert b"Zitronenbaum" in database_bytes(app)

    deleted = client.post(f"/console/{workshop.id}/delete",
                          data={"confirm_code": workshop.join_code})

    assert deleted.status_code == 302
    stored = database_bytes(app)
    for text in ("Zitronenbaum", "Zitronenfalter", "Geheimworkshop Zitrone"):
        assert text.encode() not in stored, text


def test_the_server_keeps_its_database_and_folders_private(tmp_path):
    instance = tmp_path / "instance"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(INSTANCE_PATH=str(instance), SECRET_KEY="x" * 32)
    # The shell's umask lets everyone read; the server must not.
    subprocess.run([sys.executable, str(ROOT / "run.py"), "migrate"], env=env, check=True,
                   timeout=60, preexec_fn=lambda: os.umask(0o022),
                   capture_output=True)

    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    database = instance / "facilitator.db"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
