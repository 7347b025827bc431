"""Uploads and downloads on the real gevent server: the photo is cleaned on a worker thread and
the DOCX is made in a child process, so the event loop keeps answering meanwhile."""
import io
import re
import threading
import time
import uuid

import docx
import requests
from PIL import Image

from facilitator.domain import ideas
from facilitator.models import Photo

from export_helpers import jpeg_with_gps

CARDS = 1000  # a DOCX that takes about a second: in-process it would stall /healthz


def test_upload_and_downloads_work_and_the_server_keeps_answering_meanwhile(live_server,
                                                                           live_make):
    owner = live_make.facilitator()
    workshop = live_make.workshop(owner, language="en")
    phone, _token = live_make.participant(workshop)
    with live_make._write():
        for n in range(CARDS):
            ideas.post_idea(live_make.session, phone, workshop.boards[n % 3].id,
                            uuid.uuid4().hex, f"Karte {n}: mehr Sprachkurse für Ältere")
    http = live_server.sign_in(owner)
    page = http.get(f"{live_server.url}/console/{workshop.id}/photos", timeout=5).text
    assert 'capture="environment"' in page

    uploaded = http.post(f"{live_server.url}/console/{workshop.id}/photos",
                         headers={"Accept": "application/json"},
                         data={"csrf_token": csrf(page), "kind": "photo", "caption": "Pinnwand"},
                         files={"photo": ("IMG_1.jpg", jpeg_with_gps((3000, 2000)))}, timeout=30)
    assert uploaded.status_code == 200, uploaded.text
    [photo] = uploaded.json()["photos"]
    served = http.get(live_server.url + photo["url"], timeout=5)
    assert len(Image.open(io.BytesIO(served.content)).getexif()) == 0
    assert live_make.count(Photo, workshop_id=workshop.id) == 1

    pings: list[float] = []
    done = threading.Event()

    def ping():
        while not done.is_set():
            started = time.monotonic()
            requests.get(f"{live_server.url}/healthz", timeout=10)
            pings.append(time.monotonic() - started)
            time.sleep(0.02)

    pinger = threading.Thread(target=ping)
    pinger.start()
    try:
        started = time.monotonic()
        response = http.get(f"{live_server.url}/console/{workshop.id}/export.docx", timeout=120)
        took = time.monotonic() - started
    finally:
        done.set()
        pinger.join()
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"Karte {CARDS - 1}: mehr Sprachkurse für Ältere" in text
    assert len(document.inline_shapes) == 1
    print(f"DOCX of {CARDS} cards over HTTP: {took:.2f}s; /healthz meanwhile: "
          f"{len(pings)} answers, slowest {max(pings):.3f}s")
    # In-process, the slowest answer would wait for the whole DOCX (over a second).
    assert len(pings) >= 3 and max(pings) < 1.0

    # (The CSV goes through the same child process: test_cli_exports runs that job directly.)
    exported = http.get(f"{live_server.url}/console/{workshop.id}/export.json", timeout=60)
    assert exported.status_code == 200

    # The import runs in a child process too; its refusal still reaches the page.
    imported = http.post(f"{live_server.url}/console/import", data={"csrf_token": csrf(page)},
                         files={"archive": ("w.json", exported.content)}, allow_redirects=False,
                         timeout=60)
    assert imported.status_code == 303, imported.text
    new_id = int(imported.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert new_id != workshop.id
    assert http.get(f"{live_server.url}/console/{new_id}", timeout=5).status_code == 200
    refused = http.post(f"{live_server.url}/console/import", data={"csrf_token": csrf(page)},
                        headers={"Accept": "application/json", "Accept-Language": "en"},
                        files={"archive": ("w.json", b'{"format": "facilitator-workshop", '
                                                     b'"version": 1, "workshop": {}}')},
                        timeout=60)
    assert refused.status_code == 422
    assert "(at “workshop.title”)" in refused.json()["error"]


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
