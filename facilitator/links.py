"""The addresses people are given: phones must reach the laptop's LAN address, not localhost."""
from flask import current_app, request, url_for

from .models import Board, Workshop


def public_base() -> str:
    return current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")


def join_url(workshop: Workshop, board: Board | None = None) -> str:
    path = url_for("participant.join", code=workshop.join_code,
                   board=board.id if board is not None else None)
    return public_base() + path


def screen_url(workshop: Workshop) -> str:
    return public_base() + url_for("screen.wall", key=workshop.screen_key)
