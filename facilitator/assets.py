"""Static files for phones on a venue's Wi-Fi: compressed, and cached until they change.

Pages link every file under `/static/v-<version>/`, where the version is a hash of all static
files: a new release gets new URLs, so browsers may keep each file for a year without asking
again (a phone's reload revalidated 12 files before). Relative imports between the ES modules
stay under the same versioned prefix. Text files are compressed once per process, brotli where
the browser accepts it, else gzip (a phone's first visit went from 141 KB to under 60 KB, see
docs/performance.md); the server compresses them in a thread, all of them once the first is
asked for. Plain `/static/<file>` URLs still work, revalidated each time.
"""
import gzip
import hashlib
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import brotli
from flask import Flask, Response, abort, request
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
COMPRESSIBLE = {".css", ".js", ".mjs", ".svg", ".json", ".txt", ".html", ".map"}
# Larger files (the PDF fonts) are never compressed or held in memory.
MAX_CACHED_BYTES = 2 * 1024 * 1024
# Static files are compressed once per process: the smallest form, whatever it costs.
STATIC_QUALITY = 11
# Pages are made per request: a quick level, still a third of their size.
PAGE_BROTLI_QUALITY = 5
MIN_COMPRESSED_PAGE = 1024


def version_of(folder: Path) -> str:
    """A short hash of every file's path and contents below `folder`."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]


# Runs `function(*args)` and returns its result; the server passes one that runs it in a thread.
Offload = Callable[[Callable, tuple], bytes]


def run_here(function: Callable, args: tuple) -> bytes:
    return function(*args)


@dataclass
class Asset:
    body: bytes
    mimetype: str
    etag: str
    suffix: str
    encoded: dict[str, bytes] = field(default_factory=dict)

    def body_for(self, accepted, offload: Offload) -> tuple[bytes, str | None]:
        """The smallest form the browser accepts, compressed on first use."""
        if self.suffix not in COMPRESSIBLE:
            return self.body, None
        for encoding in ("br", "gzip"):
            if accepted[encoding]:
                return self.encode(encoding, offload), encoding
        return self.body, None

    def encode(self, encoding: str, offload: Offload) -> bytes:
        if encoding not in self.encoded:
            self.encoded[encoding] = offload(compress, (self.body, encoding, STATIC_QUALITY))
        return self.encoded[encoding]


def compress(body: bytes, encoding: str, quality: int) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=quality)
    return gzip.compress(body, compresslevel=min(9, quality), mtime=0)


class StaticFiles:
    """Serves one static folder, versioned and compressed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.version = version_of(folder)
        self._assets: dict[str, Asset] = {}
        # Where compression runs. The gevent server (server.py) moves it to a thread: brotli at
        # quality 11 on the event loop stopped every socket for as long as it took.
        self.offload: Offload = run_here
        # Called once, at the first static request: the server starts `compress_all` in the
        # background there (a browser is here, its other files follow), not at start, where
        # it cost every server 1 s of CPU whether a browser ever came or not.
        self.on_first_request: Callable[[], object] | None = None

    def compress_all(self) -> None:
        """Compress every text file in both encodings now, one at a time, so no phone waits."""
        for path in sorted(self.folder.rglob("*")):
            if (path.suffix in COMPRESSIBLE and path.is_file()
                    and path.stat().st_size <= MAX_CACHED_BYTES):
                asset = self.asset(path.relative_to(self.folder).as_posix())
                for encoding in ("br", "gzip"):
                    asset.encode(encoding, self.offload)

    def asset(self, filename: str) -> Asset:
        if filename not in self._assets:
            path = safe_join(str(self.folder), filename)
            if path is None or not Path(path).is_file():
                abort(404)
            path = Path(path)
            if path.stat().st_size > MAX_CACHED_BYTES:
                abort(404)
            body = path.read_bytes()
            # Flask adds the charset to text/* types itself.
            mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            self._assets[filename] = Asset(body, mimetype, hashlib.sha256(body).hexdigest()[:16],
                                           path.suffix)
        return self._assets[filename]

    def response(self, filename: str, immutable: bool) -> Response:
        if self.on_first_request is not None:
            start, self.on_first_request = self.on_first_request, None
            start()
        asset = self.asset(filename)
        body, encoding = asset.body_for(request.accept_encodings, self.offload)
        response = Response(body, mimetype=asset.mimetype)
        if not immutable:  # a versioned file is never asked for again: no validator needed
            response.set_etag(asset.etag + (f"-{encoding}" if encoding else ""))
        if encoding:
            response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        response.headers["Cache-Control"] = (f"public, max-age={ONE_YEAR}, immutable" if immutable
                                             else "no-cache")
        return response.make_conditional(request)


# Headers that only mean something for a document (a page, or an SVG opened on its own).
DOCUMENT_HEADERS = ("Content-Security-Policy", "Referrer-Policy")


def finish(response: Response) -> Response:
    """After every other after_request hook: a script, stylesheet or font needs no document
    policy (about 270 bytes on each of a phone's 20 static files, a tenth of its first visit);
    an HTML page is compressed."""
    if request.endpoint in ("static", "static_plain") and response.mimetype not in (
            "text/html", "image/svg+xml"):
        for name in DOCUMENT_HEADERS:
            response.headers.pop(name, None)
        return response
    return compress_page(response)


def compress_page(response: Response) -> Response:
    """Compress an HTML page for a browser that accepts it."""
    if (response.direct_passthrough or response.status_code != 200
            or "Content-Encoding" in response.headers
            or not (response.mimetype or "").startswith("text/html")):
        return response
    body = response.get_data()
    if len(body) < MIN_COMPRESSED_PAGE:
        return response
    accepted = request.accept_encodings
    encoding = "br" if accepted["br"] else "gzip" if accepted["gzip"] else None
    if encoding is None:
        return response
    response.set_data(compress(body, encoding, PAGE_BROTLI_QUALITY))
    response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    return response


def init_app(app: Flask, folder: Path) -> StaticFiles:
    """Route `static` to the versioned URLs and keep the plain ones working."""
    files = StaticFiles(folder)
    app.add_url_rule(f"/static/v-{files.version}/<path:filename>", endpoint="static",
                     view_func=lambda filename: files.response(filename, immutable=True))
    app.add_url_rule("/static/<path:filename>", endpoint="static_plain",
                     view_func=lambda filename: files.response(filename, immutable=False))
    # Registered before the app's own hooks, so it runs after them (Flask runs them in reverse).
    app.after_request(finish)
    app.extensions["static_files"] = files
    return files
