"""QR codes for the whole workshop and for each board, a printable A4 poster per board, and all
posters on one page to print in one go."""
from flask import Blueprint, Response, abort, render_template

from .. import code_gate, links, qr

bp = Blueprint("qr", __name__)
FORMATS = {"svg": (qr.svg, "image/svg+xml"), "png": (qr.png, "image/png")}
# For templates/_address_warning.html on the console and the projector: the address these codes
# carry may be loopback only, which must be fixed before anyone scans.
bp.add_app_template_global(links.unreachable_address, "unreachable_address")


def _workshop_and_board(code: str, board_id: int | None):
    # The same answer and limit for an unknown code as the join pages: QR codes and posters
    # must not tell a prober which codes exist.
    workshop = code_gate.workshop_for_code(code)
    if board_id is None:
        return workshop, None
    board = next((b for b in workshop.boards if b.id == board_id), None)
    if board is None:
        abort(404)
    return workshop, board


def _image(url: str, fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    render, mimetype = FORMATS[fmt]
    response = Response(render(url), mimetype=mimetype)
    response.cache_control.max_age = 3600
    return response


@bp.get("/qr/<code>.<fmt>")
def workshop_code(code: str, fmt: str):
    workshop, _ = _workshop_and_board(code, None)
    return _image(links.join_url(workshop), fmt)


@bp.get("/qr/<code>/board/<int:board_id>.<fmt>")
def board_code(code: str, board_id: int, fmt: str):
    workshop, board = _workshop_and_board(code, board_id)
    return _image(links.join_url(workshop, board), fmt)


@bp.get("/poster/<code>/board/<int:board_id>")
def poster(code: str, board_id: int):
    workshop, board = _workshop_and_board(code, board_id)
    return render_template("participant/poster.html", workshop=workshop, board=board,
                           join_url=links.join_url(workshop, board))


@bp.get("/poster/<code>/boards")
def posters(code: str):
    workshop, _ = _workshop_and_board(code, None)
    return render_template("participant/posters.html", workshop=workshop,
                           posters=[(board, links.join_url(workshop, board))
                                    for board in workshop.boards])
