"""Several server processes: an announcement's emits (staff and public views) go through Redis
as one message (facilitator/message_queue.py), and every process handles them in order. Across
real server processes: tests/test_scale_out.py."""
import json
import time
import uuid

import pytest
import redis
import socketio

from facilitator.message_queue import RedisManager, socketio_options, together


class Recording(RedisManager):
    """Records the emits this process handles, local and from the queue."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.handled = []

    def _handle_emit(self, message):
        for emit in message.get("together") or (message,):
            self.handled.append((emit["event"], emit["data"], emit["room"]))
        super()._handle_emit(message)


def published(subscription, seconds: float = 1.0) -> list[dict]:
    """Every message published on the channel within `seconds`."""
    messages, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        message = subscription.get_message(timeout=left)
        if message and message["type"] == "message":
            messages.append(json.loads(message["data"]))
    return messages


def wait_until(condition, shown=None, seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert condition(), shown() if shown else None


@pytest.fixture
def two_processes(redis_url):
    """Two Socket.IO servers' managers on one channel, as two server processes have them, and
    a subscriber that sees what is published."""
    channel = f"facilitator-test-{uuid.uuid4().hex}"
    subscriber = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
    subscriber.subscribe(channel)
    servers = [socketio.Server(async_mode="threading",
                               client_manager=Recording(redis_url, channel=channel))
               for _ in range(2)]
    for server in servers:  # as a server's first connection does: its listener starts
        server.manager_initialized = True
        server.manager.initialize()
    queue = redis.Redis.from_url(redis_url)
    wait_until(lambda: queue.pubsub_numsub(channel)[0][1] == 3)  # both listening, and we
    yield servers, subscriber
    subscriber.close()


def test_emits_made_together_are_one_message_handled_in_order_by_every_process(two_processes):
    (a, b), subscriber = two_processes

    with together(a):
        a.emit("idea_posted", {"view": "staff"}, to="workshop:1:staff")
        a.emit("idea_posted", {"view": "public"}, to=["workshop:1:screens", "board:7"])

    messages = published(subscriber)
    assert len(messages) == 1
    assert [emit["data"] for emit in messages[0]["together"]] == [[{"view": "staff"}],
                                                                 [{"view": "public"}]]
    expected = [("idea_posted", [{"view": "staff"}], "workshop:1:staff"),
                ("idea_posted", [{"view": "public"}], ["workshop:1:screens", "board:7"])]
    assert a.manager.handled == expected  # at once, in this process
    wait_until(lambda: b.manager.handled == expected, lambda: b.manager.handled)  # the other, from Redis


def test_an_emit_on_its_own_is_published_as_before(two_processes):
    (a, b), subscriber = two_processes

    a.emit("moderation_changed", {"participants": []}, to="workshop:1:staff")
    with together(a):
        a.emit("presence_changed", {"participants": 3}, to="workshop:1:screens")

    messages = published(subscriber)
    assert [(m["event"], "together" in m) for m in messages] == [("moderation_changed", False),
                                                                  ("presence_changed", False)]
    wait_until(lambda: [e for e, _d, _r in b.manager.handled] == ["moderation_changed",
                                                                   "presence_changed"])


def test_without_redis_the_emits_go_out_as_they_did():
    assert socketio_options(None, "c") == {"message_queue": None, "channel": "c"}
    assert socketio_options("kafka://host", "c") == {"message_queue": "kafka://host",
                                                     "channel": "c"}
    server = socketio.Server(async_mode="threading")
    with together(server):
        server.emit("idea_posted", {}, to="nobody")  # no manager to hold them: nothing held
