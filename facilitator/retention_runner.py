"""Retention in a running installation: how to tell a workshop's record was made, one pass now
(`run.py retention`) and a pass every hour in the server."""
from typing import Callable

from flask import current_app

from .domain import retention
from .extensions import db
from .models import Workshop

EVERY_SECONDS = 3600


def record_made(session) -> Callable[[Workshop], bool]:
    """True when the workshop's record PDF exists. The reports module names its files through
    the session's `workshop_files` hooks (the same ones deleting a workshop uses)."""
    hooks = session.info.get("workshop_files", ())

    def made(workshop: Workshop) -> bool:
        return any(path.suffix == ".pdf" and path.is_file()
                   for hook in hooks for path in hook(workshop))
    return made


def run_once(app) -> list[retention.Deleted]:
    with app.app_context():
        try:
            return retention.delete_due(db.session, app.config["RETENTION_DAYS"],
                                        record_made(db.session))
        finally:
            db.session.remove()


def run_periodically(app, sleep) -> None:
    """The server's background task: a pass at start, then every EVERY_SECONDS."""
    while True:
        try:
            for deleted in run_once(app):
                app.logger.warning("retention: deleted the raw participation data of workshop "
                                   "%s (%s participants, %s votes)", deleted.workshop_id,
                                   deleted.participants, deleted.votes)
        except Exception:  # noqa: BLE001 - a failed pass is retried next time, never fatal
            app.logger.exception("retention pass failed")
        sleep(app.config.get("RETENTION_CHECK_SECONDS", EVERY_SECONDS))


def installation_days() -> int:
    return current_app.config["RETENTION_DAYS"]
