"""Facilitator: live workshop facilitation for participatory dialogue events."""
import hashlib

from flask import Flask, request, session

from . import config
from .extensions import babel, csrf, db, limiter, socketio

ASYNC_MODE = "gevent"
UI_LANGUAGES = ("de", "en")
# Participant screens also speak the languages of newcomers; right-to-left ones flip the layout.
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "ar": "العربية", "fa": "فارسی",
                  "tr": "Türkçe", "uk": "Українська", "ru": "Русский"}
PARTICIPANT_LANGUAGES = tuple(LANGUAGE_NAMES)
RTL_LANGUAGES = ("ar", "fa")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'")


def select_locale() -> str:
    """The language a person chose on this device, else the workshop's, else the browser's."""
    chosen = session.get("lang")
    if chosen in PARTICIPANT_LANGUAGES:
        return chosen
    workshop_language = getattr(request, "workshop_language", None)
    return workshop_language or request.accept_languages.best_match(UI_LANGUAGES) or "de"


def without_websocket_compression(wsgi_app):
    """Decline browsers' permessage-deflate offer: frames here are small, and compressing each
    one for every phone in a room roughly doubles the server's CPU (measured in STACK.md)."""
    def middleware(environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)
    return middleware


def create_app(test_config: dict | None = None) -> Flask:
    root = config.PROJECT_ROOT
    app = Flask(__name__, template_folder=str(root / "templates"),
                static_folder=str(root / "static"), instance_path=config.instance_dir())
    app.config.update(config.load())
    app.config.update(test_config or {})

    db.init_app(app)
    from .broadcast import publish
    db.session.configure(info={"announcer": publish})
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    socketio.init_app(app, async_mode=app.config.get("ASYNC_MODE", ASYNC_MODE),
                      message_queue=app.config["MESSAGE_QUEUE"],
                      # Processes of one installation share the secret key; two installations
                      # sharing a Redis must not hear each other's workshops.
                      channel=app.config.get("MESSAGE_QUEUE_CHANNEL") or "facilitator-" + hashlib.sha256(
                          app.config["SECRET_KEY"].encode()).hexdigest()[:16])
    app.wsgi_app = without_websocket_compression(app.wsgi_app)

    from . import sockets  # noqa: F401  (registers the Socket.IO handlers)
    from .views import console, health, participant, qr, reports, screen, tables, uploads
    from .views import process
    for module in (console, health, participant, qr, screen, uploads, reports, tables, process):
        app.register_blueprint(module.bp)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.context_processor
    def language_context():
        from flask_babel import get_locale
        lang = str(get_locale())
        return {"lang": lang, "text_direction": "rtl" if lang in RTL_LANGUAGES else "ltr",
                "participant_languages": list(LANGUAGE_NAMES.items()),
                "ui_languages": [(code, LANGUAGE_NAMES[code]) for code in UI_LANGUAGES]}

    return app
