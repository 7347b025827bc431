"""Static files: versioned URLs cached for a year, plain URLs revalidated, text compressed for
browsers that accept it, nothing outside the static folder (issue 11)."""
import gzip
import re

import brotli


def versioned(client, name: str) -> str:
    with client.application.test_request_context():
        from flask import url_for
        return url_for("static", filename=name)


def test_pages_link_versioned_files_that_are_cached_for_a_year_and_compressed(client):
    url = versioned(client, "js/live.js")
    assert re.fullmatch(r"/static/v-[0-9a-f]{12}/js/live\.js", url)
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert b"class LiveWorkshop" in brotli.decompress(response.data)

    only_gzip = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert only_gzip.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(only_gzip.data) == brotli.decompress(response.data)
    plain = client.get(url, headers={"Accept-Encoding": ""})
    assert "Content-Encoding" not in plain.headers and b"class LiveWorkshop" in plain.data


def test_plain_static_urls_still_work_and_are_revalidated(client):
    first = client.get("/static/css/app.css")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    again = client.get("/static/css/app.css", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_nothing_outside_the_static_folder_is_served(client):
    for path in ("/static/../facilitator/config.py", "/static/%2e%2e/run.py",
                 "/static/v-000000000000/../../run.py", "/static/js/missing.js"):
        assert client.get(path).status_code == 404, path


def test_html_pages_are_compressed_for_browsers_that_accept_it(client):
    page = client.get("/privacy", headers={"Accept-Encoding": "gzip, br"})
    assert page.status_code == 200 and page.headers["Content-Encoding"] == "br"
    assert b"</html>" in brotli.decompress(page.data)
    assert "Content-Encoding" not in client.get("/privacy").headers


def test_static_files_are_compressed_where_the_server_says_once_each(client, app):
    # The gevent server hands compression to a thread (server.py): brotli at quality 11 on the
    # event loop stopped every socket while a phone's first page loaded its scripts.
    files = app.extensions["static_files"]
    compressed = []

    def offload(function, args):
        compressed.append(args[1])
        return function(*args)
    files.offload = offload
    started = []
    files.on_first_request = lambda: started.append("compress the rest")
    url = versioned(client, "js/live.js")

    first = client.get(url, headers={"Accept-Encoding": "br"})
    again = client.get(url, headers={"Accept-Encoding": "br"})

    assert compressed == ["br"]
    assert started == ["compress the rest"]  # once, at the first static request
    assert first.data == again.data and b"class LiveWorkshop" in brotli.decompress(again.data)


def test_compress_all_compresses_every_text_file_ahead_so_no_request_waits(tmp_path):
    from facilitator.assets import StaticFiles
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "live.js").write_text("export const live = 1;\n" * 50)
    (tmp_path / "app.css").write_text("body { margin: 0 }\n" * 50)
    (tmp_path / "photo.png").write_bytes(b"\x89PNG" + bytes(100))
    files = StaticFiles(tmp_path)
    compressed = []

    def offload(function, args):
        compressed.append(args[1])
        return function(*args)
    files.offload = offload

    files.compress_all()

    assert sorted(compressed) == ["br", "br", "gzip", "gzip"]  # the two text files, not the PNG
    assert gzip.decompress(files.asset("js/live.js").encoded["gzip"]).startswith(b"export")
