from flask import Blueprint, jsonify
from sqlalchemy import text

from ..extensions import db, socketio

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the app can reach its database; 503 with the reason otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any database failure means unhealthy
        return jsonify(ok=False, database=type(error).__name__), 503
    return jsonify(ok=True, database=db.engine.dialect.name, async_mode=socketio.async_mode)
