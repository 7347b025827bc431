"""The record in the console: preview, PDF made by a child process, status, download."""
import re
import time
from io import BytesIO

from pypdf import PdfReader

from record_helpers import HOSTILE

WAIT = 120  # seconds a small PDF may take on a busy two-core machine


def _workshop_with_cards(app_make):
    owner = app_make.facilitator()
    workshop = app_make.workshop(owner, language="en")
    person, _ = app_make.participant(workshop)
    for text in ("Mehr Sprachkurse am Abend", "نحتاج إلى دورات لغة", *HOSTILE):
        app_make.idea(person, workshop.boards[0], text)
    return owner, workshop


def _sign_in(client, app_make, facilitator):
    response = client.post(f"/console/sign-in/{app_make.sign_in_secret(facilitator)}")
    assert response.status_code == 302


def test_the_record_pages_need_a_facilitator_who_runs_the_workshop(client, app_make):
    _, workshop = _workshop_with_cards(app_make)
    base = f"/console/{workshop.id}/record"
    for path in (base, base + "/status", base + ".pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "/console/login" in response.headers["Location"]
    response = client.post(base + "/pdf")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]

    _sign_in(client, app_make, app_make.facilitator())  # signed in, but not running this one
    for path in (base, base + "/status", base + ".pdf"):
        assert client.get(path).status_code == 404
    assert client.post(base + "/pdf").status_code == 404


def test_the_preview_shows_the_record_with_user_text_escaped_and_no_inline_code(client, app_make):
    owner, workshop = _workshop_with_cards(app_make)
    _sign_in(client, app_make, owner)
    response = client.get(f"/console/{workshop.id}/record")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert workshop.title in html and "Mehr Sprachkurse am Abend" in html
    assert '<li class="card" dir="rtl" lang="ar">نحتاج إلى دورات لغة</li>' in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    # The Content-Security-Policy allows no inline styles or scripts.
    assert "<style" not in html and " style=" not in html
    assert all(src.startswith("/static/") for src in re.findall(r'<script[^>]*src="([^"]+)"', html))
    assert "/static/reports/screen.css" in html and "/static/reports/print.css" not in html


def test_the_pdf_is_made_by_a_child_process_and_can_then_be_downloaded(client, app_make):
    owner, workshop = _workshop_with_cards(app_make)
    _sign_in(client, app_make, owner)
    base = f"/console/{workshop.id}/record"
    assert client.get(base + "/status").json["state"] == "idle"
    assert client.get(base + ".pdf").status_code == 303  # nothing made yet: back to the preview

    started = client.post(base + "/pdf", headers={"Accept": "application/json"})
    assert started.status_code == 202 and started.json["state"] == "running"
    again = client.post(base + "/pdf", headers={"Accept": "application/json"})
    assert again.json["state"] == "running"  # one job per workshop at a time

    deadline = time.monotonic() + WAIT
    while (status := client.get(base + "/status").json)["state"] == "running":
        assert time.monotonic() < deadline, status
        time.sleep(0.3)
    assert status["state"] == "done", status
    assert status["url"] == base + ".pdf" and status["outdated"] is False

    response = client.get(base + ".pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(BytesIO(response.data))
    assert len(reader.pages) == status["pages"]
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Mehr Sprachkurse am Abend" in text and HOSTILE[0] in text

    # A change after the PDF was made: the status says the PDF is outdated.
    person, _ = app_make.participant(workshop)
    app_make.idea(person, workshop.boards[1], "Noch eine Idee")
    assert client.get(base + "/status").json["outdated"] is True


def test_a_failed_child_is_reported_as_failed(client, app_make, app, monkeypatch):
    owner, workshop = _workshop_with_cards(app_make)
    _sign_in(client, app_make, owner)
    base = f"/console/{workshop.id}/record"
    app.config["DATABASE_URL"] = "sqlite:////nonexistent/dir/x.db"
    try:
        client.post(base + "/pdf")
        deadline = time.monotonic() + WAIT
        while (status := client.get(base + "/status").json)["state"] == "running":
            assert time.monotonic() < deadline, status
            time.sleep(0.3)
    finally:
        app.config["DATABASE_URL"] = app_make.session.get_bind().url.render_as_string(
            hide_password=False)
    assert status["state"] == "failed" and status["message"]
    assert "Traceback" not in status["message"]


def test_the_console_partial_links_to_the_record_and_its_pdf_job(app, app_make):
    from flask import render_template_string
    _, workshop = _workshop_with_cards(app_make)
    with app.test_request_context(f"/console/{workshop.id}"):
        html = render_template_string('{% include "facilitator/_record_link.html" %}',
                                      workshop=workshop)
    assert f'href="/console/{workshop.id}/record"' in html
    assert "Documentation (PDF)" in html or "Dokumentation (PDF)" in html
    assert f'data-status-url="/console/{workshop.id}/record/status"' in html
    assert f'action="/console/{workshop.id}/record/pdf"' in html
    assert 'src="/static/reports/record.js"' in html
