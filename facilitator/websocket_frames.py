"""How a broadcast reaches the phones' WebSockets: the fan-out's cost per phone.

Every idea goes to every phone at its board, ~85 frames a post at a 500-phone event. Through
the libraries, each frame is put on the Engine.IO socket's queue, its writer greenlet wakes
(a switch, a gevent timeout made and cancelled), encodes it again and builds the WebSocket
frame through wsproto (an event object, the connection's state machine, the serialiser): over
a third of a post's server CPU (bench/realtime.py --py-spy: the writers 29%, the emits 8%).
Written as below, 500 phones posting within 5 s cost 3.9 ms of CPU a post instead of 7.0 (the
bare reference server: 5.1), docs/performance.md. Here:

- A broadcast's frame is built once (RFC 6455, 5.2: a server's frame is unmasked, and this
  server declines permessage-deflate, so every phone gets the same bytes) and written to each
  phone's socket at once by the emitting greenlet, when nothing is waiting on that socket's
  queue. The kernel takes it or not: the emitter never waits for one phone. What a full
  socket (a phone on weak Wi-Fi) did not take goes on the queue, and the socket's writer sends
  it before anything queued after it, so frames stay whole and in order.
- Everything else (polling, the upgrade, acks, pings, a frame behind a queued one) takes
  Engine.IO's queue and writer as before; the writer too writes whole frames built here.
- Receiving, and the closing handshake, stay simple-websocket's."""
import struct

FIN_TEXT, FIN_BINARY = 0x81, 0x82


def frame(message: str | bytes) -> bytes:
    """A whole unmasked frame from the server: FIN, opcode, payload length, payload."""
    if isinstance(message, str):
        payload, first = message.encode(), FIN_TEXT
    else:
        payload, first = message, FIN_BINARY
    length = len(payload)
    if length < 126:
        return bytes((first, length)) + payload
    if length < 65536:
        return struct.pack("!BBH", first, 126, length) + payload
    return struct.pack("!BBQ", first, 127, length) + payload


class FrameRest:
    """The rest of a frame that a full socket did not take at once, queued for the writer.
    Engine.IO's writer sends `packet.encode()`: this is already bytes on the wire."""
    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def encode(self) -> "FrameRest":
        return self


def _frame_of(packet) -> bytes:
    """The packet's frame, built once for all its recipients (a broadcast sends one packet
    object to every phone of the room)."""
    built = getattr(packet, "_websocket_frame", None)
    if built is None:
        built = packet._websocket_frame = frame(packet.encode())
    return built


def frame_writing(websocket_class):
    """Engine.IO's gevent WebSocket class, writing whole frames and able to write a broadcast's
    frame at once (`send_now`)."""

    class FrameWritingWebSocket(websocket_class):
        sending = False
        # Frames as built here: no extension negotiated. The app declines permessage-deflate
        # (without_websocket_compression); should an offer reach the handshake anyway, the
        # library frames (and compresses) everything, as before.
        plain_frames = True

        def __init__(self, handler, server):
            super().__init__(handler, server)
            # The Engine.IO socket this WebSocket carries (handler is its bound method).
            handler.__self__.websocket = self

        def __call__(self, environ, start_response):
            self.plain_frames = not environ.get("HTTP_SEC_WEBSOCKET_EXTENSIONS")
            return super().__call__(environ, start_response)

        def send(self, message):
            """Engine.IO's writer: a whole frame (or the rest of one), waiting while the
            phone's socket is full."""
            if not self.plain_frames:
                return super().send(message)
            ws = self.ws
            if not ws.connected:
                raise OSError("the WebSocket is closed")
            data = message.data if isinstance(message, FrameRest) else frame(message)
            self.sending = True
            try:
                # sendall: simple-websocket's send() dropped what a full socket did not take.
                ws.sock.sendall(data)
            finally:
                self.sending = False

        def send_now(self, eio_socket, packet) -> bool:
            """Write the packet's frame now if nothing is before it on this socket; False to
            take the queue (not upgraded yet, upgrading, closing, or something waiting)."""
            ws = getattr(self, "ws", None)
            if (self.sending or not self.plain_frames or ws is None or not ws.connected
                    or not eio_socket.upgraded or eio_socket.upgrading or eio_socket.closing
                    or eio_socket.closed or eio_socket.queue.qsize()):
                return False
            data = _frame_of(packet)
            try:
                # The operating system's socket, non-blocking: never waits for this phone.
                sent = ws.sock._sock.send(data)
            except BlockingIOError:
                sent = 0
            except OSError:
                return True  # the connection is gone; its reader closes the socket
            if sent < len(data):
                eio_socket.queue.put(FrameRest(data[sent:]))
            return True

    return FrameWritingWebSocket


def install(socketio_server) -> None:
    """Broadcasts written straight to WebSockets, whole frames from Engine.IO's writer (gevent
    with simple-websocket only; another server or driver is left as it is)."""
    eio_server = socketio_server.eio
    if eio_server.async_mode != "gevent":
        return  # (the threading mode of some tests: Werkzeug's server, frames as they were)
    from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI
    from engineio.async_drivers.gevent import WebSocketWSGI
    if not issubclass(WebSocketWSGI, SimpleWebSocketWSGI):
        return  # gevent-websocket installed: its own frames
    # A copy: the driver's table is shared by every Engine.IO server in the process.
    eio_server._async = {**eio_server._async, "websocket": frame_writing(WebSocketWSGI)}

    def send_eio_packet(eio_sid, packet):
        eio_socket = eio_server.sockets.get(eio_sid)
        websocket = getattr(eio_socket, "websocket", None)
        if websocket is None or not websocket.send_now(eio_socket, packet):
            eio_server.send_packet(eio_sid, packet)

    socketio_server._send_eio_packet = send_eio_packet
