"""Broadcasts are written straight to the phones' WebSockets (facilitator/websocket_frames.py):
a frame built once per broadcast, sent at once where nothing waits on a phone's socket, the rest
of what a full socket did not take queued for its writer. Checked on a real server with a phone
that stops reading, as a phone on weak Wi-Fi does: every frame arrives whole and in order."""
import json
import socket
import threading
import uuid

import gevent
import gevent.queue
import gevent.socket
import pytest
import requests
from engineio import packet as engineio_packet
from wsproto import ConnectionType, WSConnection
from wsproto.connection import Connection
from wsproto.events import AcceptConnection, Request, TextMessage

from facilitator.models import IDEA_MAX_CHARS
from facilitator.websocket_frames import FrameRest, frame, frame_writing


@pytest.mark.parametrize("length", [0, 125, 126, 65535, 65536, 200_000])
def test_a_frame_reads_back_as_the_same_text_at_every_length_encoding(length):
    text = ("ä" * length)[:length] if length < 1000 else "x" * length
    reader = Connection(ConnectionType.CLIENT)  # a client after its handshake
    reader.receive_data(frame(text))
    messages = [event.data for event in reader.events() if isinstance(event, TextMessage)]
    assert messages == [text]


class EngineIOSocket:
    """What `send_now` reads of an upgraded Engine.IO socket; its queue is what Engine.IO's
    writer sends from."""
    upgraded, upgrading, closing, closed = True, False, False, False

    def __init__(self) -> None:
        self.queue = gevent.queue.JoinableQueue()


def test_what_a_full_socket_did_not_take_goes_whole_and_first_through_the_writer():
    listener = gevent.socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    phone_end = gevent.socket.socket()
    phone_end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    phone_end.connect(listener.getsockname())
    server_end, _ = listener.accept()
    server_end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    websocket = object.__new__(frame_writing(object))
    websocket.ws = type("SimpleWebSocket", (), {"sock": server_end, "connected": True})()
    eio_socket = EngineIOSocket()
    texts = [f'42["idea_posted",{{"n":{n},"text":"{"Sprachcafé " * 100}"}}]' for n in range(200)]

    for text in texts:  # as a broadcast does: at once if it can, else Engine.IO's queue
        packet = engineio_packet.Packet(engineio_packet.MESSAGE, text)
        if not websocket.send_now(eio_socket, packet):
            eio_socket.queue.put(packet)
    queued = list(eio_socket.queue.queue)
    received: list[str] = []

    def writer():  # Engine.IO's writer: what was queued, in order
        while not eio_socket.queue.empty():
            websocket.send(eio_socket.queue.get().encode())

    def phone():
        reader, partial = Connection(ConnectionType.CLIENT), ""
        while len(received) < len(texts):
            reader.receive_data(phone_end.recv(65536))
            for event in reader.events():
                partial += event.data
                if event.message_finished:
                    received.append(partial)
                    partial = ""

    gevent.joinall([gevent.spawn(writer), gevent.spawn(phone)], timeout=30, raise_error=True)

    assert isinstance(queued[0], FrameRest)  # the socket filled up partway through a frame
    assert len(queued) > 1  # and the frames after it waited their turn
    assert received == ["4" + text for text in texts]


def test_a_websocket_that_negotiated_an_extension_keeps_the_librarys_frames():
    class LibraryWebSocket:  # stands for simple-websocket's class
        def __init__(self, handler, server):
            self.sent = []

        def __call__(self, environ, start_response):
            return []

        def send(self, message):
            self.sent.append(message)

    class Handler:
        def run(self, ws):
            pass

    websocket = frame_writing(LibraryWebSocket)(Handler().run, server=None)
    websocket({"HTTP_SEC_WEBSOCKET_EXTENSIONS": "permessage-deflate"}, None)
    packet = engineio_packet.Packet(engineio_packet.MESSAGE, '42["idea_posted",{}]')

    assert websocket.send_now(EngineIOSocket(), packet) is False  # to Engine.IO's queue
    websocket.send("4" + packet.data)
    assert websocket.sent == ['442["idea_posted",{}]']


class SlowPhone:
    """A phone's Socket.IO connection spoken by hand over a raw socket with a small receive
    buffer, so that it can stop reading while the room keeps posting."""

    def __init__(self, server, workshop, token, board_id) -> None:
        self.cookie = server.phone_cookie((workshop, token))
        base = f"{server.url}/socket.io/?EIO=4"
        headers = {"Cookie": self.cookie}
        opened = requests.get(f"{base}&transport=polling", headers=headers, timeout=10)
        sid = json.loads(opened.text[1:])["sid"]
        auth = {"role": "participant", "code": workshop.join_code, "board_id": board_id}
        assert requests.post(f"{base}&transport=polling&sid={sid}", headers=headers, timeout=10,
                             data="40" + json.dumps(auth)).text.lower() == "ok"
        assert requests.get(f"{base}&transport=polling&sid={sid}", headers=headers,
                            timeout=10).text.startswith("40")
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.socket.settimeout(10)
        self.socket.connect(("127.0.0.1", server.port))
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.socket.sendall(self.ws.send(Request(
            host="127.0.0.1", target=f"/socket.io/?EIO=4&transport=websocket&sid={sid}",
            extra_headers=[(b"cookie", self.cookie.encode())])))
        self.messages: list[str] = []
        self._read_until(lambda: self.accepted)
        self.send("2probe")
        self._read_until(lambda: "3probe" in self.messages)
        self.send("5")  # upgraded: from here the server writes frames to this socket

    accepted = False
    partial = ""

    def send(self, text: str) -> None:
        self.socket.sendall(self.ws.send(TextMessage(data=text)))

    def _read_until(self, done) -> None:
        while not done():
            self.ws.receive_data(self.socket.recv(65536))
            for event in self.ws.events():
                if isinstance(event, AcceptConnection):
                    self.accepted = True
                elif isinstance(event, TextMessage):
                    self.partial += event.data  # a frame may come in several reads
                    if not event.message_finished:
                        continue
                    message, self.partial = self.partial, ""
                    if message == "2":
                        self.send("3")  # Engine.IO's ping
                    self.messages.append(message)

    def events(self, name: str) -> list:
        found = []
        for message in self.messages:
            if message.startswith("42"):
                event, *data = json.loads(message[2:])
                if event == name:
                    found.append(data[0] if data else None)
        return found

    def read_until(self, name: str, count: int) -> list:
        self._read_until(lambda: sum(len(p["ideas"]) for p in self.events(name)) >= count)
        return self.events(name)


def test_a_phone_that_stops_reading_gets_every_card_whole_and_in_order(
        live_server, live_make, owner, workshop):
    board = workshop.boards[0]
    slow = SlowPhone(live_server, workshop, live_make.participant(workshop)[1], board.id)
    poster = live_server.phone(workshop, live_make.participant(workshop)[1], board.id)
    console = live_server.staff(workshop, owner)
    texts = [f"{number:04d} " + "Sprachcafé im Rathaus, dienstags. " * 12 for number in range(400)]
    texts = [text[:IDEA_MAX_CHARS] for text in texts]
    acks: dict[int, dict] = {}
    all_acked = threading.Event()

    def acked(number):
        def record(ack):
            acks[number] = ack
            if len(acks) == len(texts):
                all_acked.set()
        return record

    # Sent without waiting for each ack, as a busy room does; meanwhile the slow phone reads
    # nothing, and its socket fills up.
    for number, text in enumerate(texts):
        poster.sio.emit("post_idea", {"board_id": board.id, "client_id": uuid.uuid4().hex,
                                      "text": text}, callback=acked(number))
    assert all_acked.wait(120)
    assert all(ack["ok"] for ack in acks.values())
    sent = [acks[number]["idea"]["id"] for number in range(len(texts))]

    heard = [card for posted in slow.read_until("idea_posted", len(texts))
             for card in posted["ideas"]]

    assert [card["id"] for card in heard] == sent
    assert [card["text"] for card in heard] == texts
    # The room was served meanwhile: the console has every card too.
    console.wait_for("idea_posted", lambda posted: posted["ideas"][-1]["id"] == sent[-1])
