"""How fast one phone may send: token buckets per connection and per participant (the phone's
token, across all its connections), never per address, because a whole venue shares one.

One phone once put 2,000 cards on a board in 32.5 s while another phone's post took 1.8 s or
timed out (issue 12). Here every event costs a token from its connection's bucket; a participant's
writes (posting, editing, withdrawing, voting) also cost one from the participant's bucket. An
empty bucket refuses with `rate_limited` (the phone keeps the idea and sends it later); a
connection that goes on sending into refusals is disconnected. In-process: each server process
counts its own connections (a phone's connection lives on one process). Plain Python; the clock
is passed in so tests control time."""
import time
from dataclasses import dataclass, field
from typing import Callable

ADMITTED, LIMITED, DISCONNECT = "admitted", "limited", "disconnect"


@dataclass
class Bucket:
    """`burst` tokens at most, refilled at `rate` per second."""
    rate: float
    burst: float
    tokens: float
    stamp: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def full_at(self, now: float) -> bool:
        return self.tokens + (now - self.stamp) * self.rate >= self.burst


@dataclass(frozen=True)
class Limits:
    """What one connection and one participant may send; the defaults leave every real use alone
    (a phone flushing 20 ideas kept while offline, a quick series of dots) and stop floods."""
    events_per_second: float = 10
    event_burst: int = 40
    participant_writes_per_minute: float = 60
    participant_write_burst: int = 20
    # Refusals a connection may collect (forgiven at one a second) before it is disconnected.
    disconnect_after_refusals: int = 50


@dataclass
class SocketLimits:
    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], float] = time.monotonic
    connections: dict = field(default_factory=dict)
    participants: dict = field(default_factory=dict)
    strikes: dict = field(default_factory=dict)

    def admit(self, sid: str, participant_id: int | None, participant_write: bool) -> str:
        """ADMITTED, LIMITED (refuse this event) or DISCONNECT (refuse it and drop the socket)."""
        now = self.clock()
        limits = self.limits
        connection = self._bucket(self.connections, sid, limits.events_per_second,
                                  limits.event_burst, now)
        admitted = connection.take(now)
        if admitted and participant_write and participant_id is not None:
            self._forget_idle_participants(now)
            participant = self._bucket(self.participants, participant_id,
                                       limits.participant_writes_per_minute / 60,
                                       limits.participant_write_burst, now)
            admitted = participant.take(now)
        if admitted:
            return ADMITTED
        count, stamp = self.strikes.get(sid, (0.0, now))
        count = max(0.0, count - (now - stamp)) + 1
        self.strikes[sid] = (count, now)
        return DISCONNECT if count > limits.disconnect_after_refusals else LIMITED

    def forget(self, sid: str) -> None:
        """The connection closed (the participant's bucket stays: reconnecting resets nothing)."""
        self.connections.pop(sid, None)
        self.strikes.pop(sid, None)

    @staticmethod
    def _bucket(buckets: dict, key, rate: float, burst: int, now: float) -> Bucket:
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = Bucket(rate, burst, burst, now)
        return bucket

    def _forget_idle_participants(self, now: float) -> None:
        # A full bucket holds nothing worth keeping; drop them now and then so memory stays
        # bounded by the phones that posted lately.
        if len(self.participants) > 5000:
            for key in [key for key, bucket in self.participants.items() if bucket.full_at(now)]:
                del self.participants[key]
