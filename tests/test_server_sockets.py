"""Connections the production server accepts send small writes at once (issue 11). A post's
broadcast and its ack are two small writes to one socket; with Nagle's algorithm the second
waited for the phone's delayed ACK, and half of all acks arrived 40 ms late (bench/realtime.py,
ack p50 47 ms before, 12 ms after)."""
import socket

import gevent.socket

from facilitator import server


def test_every_accepted_connection_has_nagles_algorithm_off():
    seen = []

    def app(environ, start_response):
        # gevent's WSGI input leads to the connection's socket for an ordinary request.
        connection = environ["wsgi.input"].rfile.raw._sock
        seen.append(connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    wsgi = server.ImmediateWSGIServer(("127.0.0.1", 0), app, log=None)
    wsgi.start()
    try:
        with gevent.socket.create_connection(("127.0.0.1", wsgi.server_port)) as client:
            client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            response = b""
            while chunk := client.recv(4096):
                response += chunk
    finally:
        wsgi.stop()

    assert response.startswith(b"HTTP/1.1 200")
    assert seen == [1]
