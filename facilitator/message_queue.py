"""Several server processes (the README's recipe): one Redis message per announcement.

python-socketio's RedisManager publishes every emit as a message of its own, and every process
reads every message (its own too, to drop it). A change goes out as two emits, the staff's view
and the public's (`broadcast.publish`); sent `together()`, they are one PUBLISH, and one message
for every process to read and decode.
"""
import threading
from contextlib import contextmanager

import socketio


def socketio_options(url: str | None, channel: str) -> dict:
    """Flask-SocketIO's options for the message queue at `url` (none: one process)."""
    if url and url.startswith(("redis://", "rediss://")):
        return {"client_manager": RedisManager(url, channel=channel)}
    return {"message_queue": url, "channel": channel}  # Flask-SocketIO's own choice of manager


@contextmanager
def together(server: socketio.Server):
    """Emits made inside go out as one message where the manager can (`RedisManager`)."""
    manager = server.manager
    if isinstance(manager, RedisManager):
        with manager.together():
            yield
    else:
        yield


class RedisManager(socketio.RedisManager):
    """socketio's RedisManager that can publish several emits as one message; every process
    (this one at once, the others when the message arrives) handles them in their order."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held = threading.local()  # a greenlet's own where gevent has patched threading

    @contextmanager
    def together(self):
        if getattr(self._held, "messages", None) is not None:
            yield  # within an outer together(): it publishes
            return
        self._held.messages = []
        try:
            yield
        finally:
            messages, self._held.messages = self._held.messages, None
            if len(messages) == 1:
                super()._publish(messages[0])
            elif messages:
                super()._publish({"method": "emit", "together": messages,
                                  "host_id": self.host_id})

    def _publish(self, data):
        held = getattr(self._held, "messages", None)
        if held is not None and data.get("method") == "emit":
            held.append(data)  # already handled here (PubSubManager.emit); the others later
            return None
        return super()._publish(data)

    def _handle_emit(self, message):
        for emit in message.get("together") or (message,):
            super()._handle_emit(emit)
