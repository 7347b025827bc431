"""The addresses people are given: phones must reach the laptop's LAN address, not localhost."""
from urllib.parse import urlsplit

from flask import current_app, request, url_for

from . import network
from .models import Board, Workshop


def public_base() -> str:
    return current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")


def unreachable_address() -> dict | None:
    """When the address on QR codes, posters and the projector works on this laptop only: that
    address and a command that gives phones one they can use; else None."""
    base = public_base()
    # A server listening on loopback only (`serve --host 127.0.0.1`: tests, a try-out on this
    # laptop) is local on purpose; its terminal still warns, its console and projector stay quiet.
    if not network.is_loopback_url(base) or network.is_loopback_host(current_app.config["HOST"]):
        return None
    port = urlsplit(base).port or 5000
    return {"url": base, "example": f"PUBLIC_URL=http://192.168.1.20:{port} make run"}


def join_url(workshop: Workshop, board: Board | None = None) -> str:
    path = url_for("participant.join", code=workshop.join_code,
                   board=board.id if board is not None else None)
    return public_base() + path


def screen_url(workshop: Workshop) -> str:
    return public_base() + url_for("screen.wall", key=workshop.screen_key)


def local_path(target) -> str | None:
    """`target` if it is a path on this site, else None: never bounce anyone to another host.
    Browsers drop tabs and newlines and read a backslash as a slash, so `/\t/evil` and
    `/\\evil` would lead to //evil: any control character, space or backslash is refused."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return None
    if any(char <= " " or char in "\\\x7f" for char in target):
        return None
    return target
