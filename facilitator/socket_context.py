"""The Flask request context of a Socket.IO event, without the work no handler uses.

Flask-SocketIO runs every event (a post, a sync, a dot) in a request context made from the
connection's WSGI environ, path `/socket.io/`. Two parts of that were paid on every event:

- The session: Flask opened it from the phone's cookie (signature check and decoding: a context
  cost 243-465 µs with the cookie, 79-117 µs without) and Flask-SocketIO then replaced it with
  the copy it keeps for the connection (`environ["saved_session"]`, made from the cookie at
  connect). The bare reference server's phones carry no cookie, so it never paid this.
- Routing: no URL rule matched `/socket.io/`, so every event raised a NotFound and kept it,
  its traceback holding the context in a reference cycle (~35 objects per event for the cyclic
  garbage collector, a third of a post's).
"""
from flask import Flask, abort
from flask.sessions import SecureCookieSessionInterface

SOCKETIO_PATH = "/socket.io/"


class SocketEventSessions(SecureCookieSessionInterface):
    """Cookie sessions as Flask's, except that a Socket.IO event gets its connection's saved
    session straight away (the object Flask-SocketIO would put in its place anyway)."""

    def open_session(self, app: Flask, request):
        saved = request.environ.get("saved_session")
        if saved is not None:
            return saved
        return super().open_session(app, request)


def _not_served_here():
    # Engine.IO's middleware answers every HTTP request under /socket.io/ before Flask sees it.
    abort(404)


def init_app(app: Flask) -> None:
    app.session_interface = SocketEventSessions()
    app.add_url_rule(SOCKETIO_PATH, endpoint="socketio_events", view_func=_not_served_here,
                     methods=["GET", "POST"])
