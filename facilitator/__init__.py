"""Facilitator: live workshop facilitation for participatory dialogue events."""
import hashlib

from flask import Flask, request, session

from . import config
from .extensions import babel, csrf, db, limiter, socketio

ASYNC_MODE = "gevent"
UI_LANGUAGES = ("de", "en")
# Participant screens also speak the languages of newcomers; right-to-left ones flip the layout.
# Adding a language is adding a catalogue: see docs/accessibility.md ("Adding a language").
LANGUAGE_NAMES = {"de": "Deutsch", "de@simple": "Deutsch – Einfache Sprache", "en": "English",
                  "ar": "العربية", "fa": "فارسی", "prs": "دری", "tr": "Türkçe",
                  "uk": "Українська", "ru": "Русский", "ti": "ትግርኛ"}
PARTICIPANT_LANGUAGES = tuple(LANGUAGE_NAMES)
RTL_LANGUAGES = ("ar", "fa", "prs")
# Babel knows Dari as Persian of Afghanistan; its catalogue lives in translations/fa_AF. Easy
# German is a variant ("modifier") of German with a catalogue of its own, translations/de@simple.
CATALOGUE_LOCALES = {"prs": "fa_AF"}
LANGUAGE_OF_LOCALE = {locale: code for code, locale in CATALOGUE_LOCALES.items()}
# What <html lang> says (a valid BCP 47 tag: screen readers pick their voice by it).
HTML_LANG = {"de@simple": "de"}
# Browsers' names for a shipped language that differ from ours (Dari is often sent as fa-AF).
BROWSER_ALIASES = {"fa-AF": "prs"}
# A browser's language alone never picks a variant: easy German is a person's own choice.
BROWSER_LANGUAGES = tuple(code for code in PARTICIPANT_LANGUAGES if "@" not in code) + tuple(
    BROWSER_ALIASES)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'")


def select_locale() -> str:
    """On phones: the language the person chose on this device, else the browser's among those
    shipped, else the workshop's. Console and projector: the choice, else the workshop's, else
    the browser's among the facilitator languages (a projector is shared by the whole room)."""
    phone = request.blueprint == "participant" or request.path.startswith("/socket.io")
    chosen = session.get("lang")
    if chosen in PARTICIPANT_LANGUAGES:
        # A variant (easy German) rewrites the participant texts only: console and projector
        # read the language it varies.
        if "@" in chosen and not phone:
            return chosen.split("@")[0]
        return CATALOGUE_LOCALES.get(chosen, chosen)
    workshop_language = getattr(request, "workshop_language", None)
    if phone:
        browser = request.accept_languages.best_match(BROWSER_LANGUAGES)
        if browser:
            browser = BROWSER_ALIASES.get(browser, browser)
            return CATALOGUE_LOCALES.get(browser, browser)
    return workshop_language or request.accept_languages.best_match(UI_LANGUAGES) or "de"


def language_code(locale) -> str:
    """Our code for a Babel locale: `fa_AF` is Dari (`prs`), `de@simple` stays itself."""
    return LANGUAGE_OF_LOCALE.get(str(locale), str(locale))


def without_websocket_compression(wsgi_app):
    """Decline browsers' permessage-deflate offer: frames here are small, and compressing each
    one for every phone in a room roughly doubles the server's CPU (measured in STACK.md).
    (Nagle's algorithm is turned off where connections are accepted: server.py.)"""
    def middleware(environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)
    return middleware


def create_app(test_config: dict | None = None) -> Flask:
    root = config.PROJECT_ROOT
    # Static files are served by assets.py (versioned URLs, compressed, cached for a year).
    app = Flask(__name__, template_folder=str(root / "templates"), static_folder=None,
                instance_path=config.instance_dir())
    app.config.update(config.load())
    app.config.update(test_config or {})

    db.init_app(app)
    from .broadcast import publish
    db.session.configure(info={"announcer": publish})
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    # Registered before init_app: Flask-SocketIO keeps handlers registered while it has no
    # server and gives them to every server it makes, so a second app in one process (tests)
    # has them too (imported after, they went to the first server only).
    from . import message_queue, sockets
    from .protocol import MAX_FRAME_BYTES, FrameJSON
    socketio.init_app(app, async_mode=app.config.get("ASYNC_MODE", ASYNC_MODE),
                      # Frames are checked (size, nesting, NaN) before any handler sees them.
                      json=FrameJSON, max_http_buffer_size=MAX_FRAME_BYTES,
                      **message_queue.socketio_options(
                          app.config["MESSAGE_QUEUE"],
                          # Processes of one installation share the secret key; two
                          # installations sharing a Redis must not hear each other's workshops.
                          channel=app.config.get("MESSAGE_QUEUE_CHANNEL") or "facilitator-"
                          + hashlib.sha256(app.config["SECRET_KEY"].encode()).hexdigest()[:16]))
    sockets.guard_against_floods(socketio.server, app)
    from . import websocket_frames
    websocket_frames.install(socketio.server)
    from . import socket_context
    socket_context.init_app(app)
    app.wsgi_app = without_websocket_compression(app.wsgi_app)

    from . import assets
    assets.init_app(app, root / "static")

    from .views import (console, documentation, health, participant, qr, reports, results, screen,
                        tables, uploads)
    from .views import process
    from .views import steering as steering_views
    # working_groups_phone adds the phone's sign-up routes to participant.bp before it is registered.
    from .views import working_groups, working_groups_phone  # noqa: F401
    from .views import process_settings
    for module in (console, health, participant, qr, screen, uploads, reports, tables,
                   documentation, results, process, process_settings, working_groups,
                   steering_views):
        app.register_blueprint(module.bp)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    from .plurals import count_texts
    app.jinja_env.globals["count_texts"] = count_texts

    @app.context_processor
    def language_context():
        from flask_babel import get_locale
        lang = language_code(get_locale())
        return {"lang": HTML_LANG.get(lang, lang), "chosen_language": lang,
                "plural_locale": get_locale().language,
                "text_direction": "rtl" if lang in RTL_LANGUAGES else "ltr",
                "participant_languages": list(LANGUAGE_NAMES.items()),
                "ui_languages": [(code, LANGUAGE_NAMES[code]) for code in UI_LANGUAGES]}

    return app
