"""A download or an import whose child process fails (facilitator.jobs, JobFailed) answers a
clear message in the UI language with 503, never a 500, and an import that died half-way leaves
nothing behind. The child really runs (as under gevent) and really fails: a sitecustomize on
its PYTHONPATH breaks it, and only it."""
import io
import os
import re
import textwrap

import pytest

from facilitator.models import Board, Workshop, WorkshopFacilitator
from facilitator.views import reports, uploads


# The import dies the hard way after its first transaction (like a killed process): no
# exception handler of its own runs, the started workshop belongs to nobody.
CRASH_IMPORT = """
    import os, sys
    sys.path.insert(0, os.getcwd())
    from facilitator.domain import archive
    original = archive.import_workshop
    def crashing(session, facilitator_id, data, on_started=None):
        def started(workshop_id):
            on_started(workshop_id)
            os._exit(3)
        return original(session, facilitator_id, data, started)
    archive.import_workshop = crashing
"""
# The import raises inside the child (its own handler deletes what it wrote).
RAISE_IN_IMPORT = """
    import os, sys
    sys.path.insert(0, os.getcwd())
    from facilitator.domain import archive
    def broken(*args, **kwargs):
        raise RuntimeError("broken in the child only")
    archive.import_workshop = broken
"""
BREAK_EXPORT = """
    import os, sys
    sys.path.insert(0, os.getcwd())
    from facilitator.reports import export_job
    def broken(*args, **kwargs):
        raise RuntimeError("broken in the child only")
    export_job.render = broken
"""


@pytest.fixture
def child_breaks(monkeypatch, tmp_path):
    """Run downloads and imports in a child process (as the gevent server does) and break the
    child with `code`."""
    def breaking(code: str):
        folder = tmp_path / "breaks"
        folder.mkdir(exist_ok=True)
        (folder / "sitecustomize.py").write_text(textwrap.dedent(code))
        monkeypatch.setattr(uploads, "_under_gevent", lambda: True)
        environment = reports.job_env
        monkeypatch.setattr(reports, "job_env", lambda: {
            **environment(), "PYTHONPATH": os.pathsep.join(
                [str(folder)] + [p for p in [os.environ.get("PYTHONPATH")] if p])})
    return breaking


@pytest.fixture
def owner(app_make):
    return app_make.facilitator("Moderation Kreis")


@pytest.fixture
def signed_in(client, app_make, owner):
    link = f"/console/sign-in/{app_make.sign_in_secret(owner)}"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(link).get_data(True))
    assert client.post(link, data={"csrf_token": token.group(1)}).status_code == 302
    return client


def an_archive(client, app_make, owner) -> bytes:
    workshop = app_make.workshop(owner, language="de", title="Auftakt")
    data = client.get(f"/console/{workshop.id}/export.json").data  # in-process: not broken yet
    assert data.startswith(b"{")
    return data


def import_(client, data: bytes, **headers):
    return client.post("/console/import", headers=headers,
                       data={"archive": (io.BytesIO(data), "w.json")})


@pytest.mark.parametrize("breakage", [CRASH_IMPORT, RAISE_IN_IMPORT], ids=["killed", "raises"])
def test_an_import_failing_in_its_child_says_so_in_german_and_leaves_nothing(
        signed_in, app_make, owner, child_breaks, breakage):
    data = an_archive(signed_in, app_make, owner)
    before = (app_make.count(Workshop), app_make.count(Board), app_make.count(WorkshopFacilitator))
    child_breaks(breakage)

    response = import_(signed_in, data, **{"Accept-Language": "de"})

    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Der Import ist fehlgeschlagen. Es wurde nichts importiert." in page
    assert 'href="/console/"' in page or 'href="/console"' in page
    assert (app_make.count(Workshop), app_make.count(Board),
            app_make.count(WorkshopFacilitator)) == before


def test_an_import_failing_in_its_child_answers_json_with_503(signed_in, app_make, owner,
                                                             child_breaks):
    data = an_archive(signed_in, app_make, owner)
    before = app_make.count(Workshop)
    child_breaks(CRASH_IMPORT)

    response = import_(signed_in, data, Accept="application/json", **{"Accept-Language": "en"})

    assert response.status_code == 503
    assert response.get_json() == {"ok": False, "error": (
        "The import failed. Nothing was imported. Please try again; if it fails again, the "
        "server log names the reason.")}
    assert app_make.count(Workshop) == before


@pytest.mark.parametrize("fmt", ["csv", "json", "docx"])
def test_a_download_failing_in_its_child_says_so_with_503(signed_in, app_make, owner,
                                                         child_breaks, fmt):
    workshop = app_make.workshop(owner, language="de", title="Auftakt")
    child_breaks(BREAK_EXPORT)

    response = signed_in.get(f"/console/{workshop.id}/export.{fmt}",
                             headers={"Accept-Language": "de"})

    assert response.status_code == 503
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    page = response.get_data(as_text=True)
    assert "Der Download konnte nicht erstellt werden." in page
    assert f'href="/console/{workshop.id}' in page
