"""The Socket.IO protocol, written once: every event's name, who may send it, the shape of its
payload and of its answer. `sockets.py` registers its handlers from this table and checks every
payload against it before a handler runs; `static/js/protocol.js` is generated from it for the
browser (`python -m facilitator.protocol > static/js/protocol.js`); `docs/architecture.md` lists
the same names (tests/test_protocol.py holds the three together).

The schemas check shape only (types, required and unknown fields, sizes, ranges a database column
can hold); what a value means (a board of this workshop, a colour we offer) stays the domain's.
Plain Python: no Flask here."""
import json
import math
from dataclasses import dataclass, field

from .domain.errors import InvalidInput, TextTooLong

PARTICIPANT, STAFF, SCREEN = "participant", "staff", "screen"
EVERYONE = (PARTICIPANT, STAFF, SCREEN)

# Every integer fits a PostgreSQL `integer` column (and SQLite's 64 bits): an id of 2**31 or more
# cannot name a row, and passing it to the database raised instead of answering (issue 12).
MAX_INT = 2 ** 31 - 1
MIN_INT = -MAX_INT
# Far above any text the domain keeps (ideas 280, descriptions 4000 characters), so the domain's
# own, friendlier "at most N characters" answers every real case; this only stops megabytes.
MAX_TEXT = 10_000
MAX_LIST = 500
# The largest Socket.IO frame a client may send; the longest real one (a measure with every text
# at its maximum) is under 20 kB. Larger frames close the connection (python-engineio).
MAX_FRAME_BYTES = 64 * 1024


# --- Payload schemas ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    """One value's shape. `optional`: the key may be missing; `nullable`: it may be null."""
    optional: bool = field(default=False, kw_only=True)
    nullable: bool = field(default=False, kw_only=True)

    def check(self, value, path: str):
        if value is None:
            if not self.nullable:
                raise InvalidInput(field=path)
            return None
        return self.check_value(value, path)

    def check_value(self, value, path: str):
        raise NotImplementedError

    def describe(self) -> str:
        text = self.kind()
        return f"{text}|null" if self.nullable else text

    def kind(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Int(Spec):
    low: int = 0
    high: int = MAX_INT

    def check_value(self, value, path):
        # bool is an int in Python; a JSON true must not pass as 1.
        if isinstance(value, bool) or not isinstance(value, int) or not (
                self.low <= value <= self.high):
            raise InvalidInput(field=path)
        return value

    def kind(self):
        return "int"


@dataclass(frozen=True)
class Num(Spec):
    """A finite number (int or float)."""
    low: float = MIN_INT
    high: float = MAX_INT

    def check_value(self, value, path):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                isinstance(value, float) and not math.isfinite(value)) or not (
                self.low <= value <= self.high):
            raise InvalidInput(field=path)
        return value

    def kind(self):
        return "number"


@dataclass(frozen=True)
class Str(Spec):
    max_chars: int = MAX_TEXT

    def check_value(self, value, path):
        if not isinstance(value, str):
            raise InvalidInput(field=path)
        if len(value) > self.max_chars:
            raise TextTooLong(field=path, max=self.max_chars)
        return value

    def kind(self):
        return "str"


@dataclass(frozen=True)
class Bool(Spec):
    def check_value(self, value, path):
        if not isinstance(value, bool):
            raise InvalidInput(field=path)
        return value

    def kind(self):
        return "bool"


@dataclass(frozen=True)
class List(Spec):
    item: Spec = field(default_factory=Int)
    max_items: int = MAX_LIST

    def check_value(self, value, path):
        if not isinstance(value, list) or len(value) > self.max_items:
            raise InvalidInput(field=path)
        return [self.item.check(entry, path) for entry in value]

    def kind(self):
        return f"[{self.item.describe()}]"


@dataclass(frozen=True)
class Obj(Spec):
    """An object with exactly these keys (the optional ones may be missing); nothing else."""
    fields: dict = field(default_factory=dict)

    def check_value(self, value, path):
        if not isinstance(value, dict):
            raise InvalidInput(field=path or "payload")
        unknown = set(value) - set(self.fields)
        if unknown:
            raise InvalidInput(field=sorted(map(str, unknown))[0])
        # What was sent is checked before what is missing: the answer names the field at fault.
        checked = {name: spec.check(value[name], f"{path}.{name}" if path else name)
                   for name, spec in self.fields.items() if name in value}
        for name, spec in self.fields.items():
            if name not in value and not spec.optional:
                raise InvalidInput(field=f"{path}.{name}" if path else name)
        return checked

    def kind(self):
        inner = ", ".join(f"{name}{'?' if spec.optional else ''}: {spec.describe()}"
                          for name, spec in self.fields.items())
        return "{" + inner + "}"


def Id(**options) -> Int:  # noqa: N802 - reads like the other specs
    """A row id (options of a consent round count from 0)."""
    return Int(low=0, high=MAX_INT, **options)


def optional(spec: Spec) -> Spec:
    return type(spec)(**{**spec.__dict__, "optional": True})


def nullable(spec: Spec) -> Spec:
    return type(spec)(**{**spec.__dict__, "optional": True, "nullable": True})


NOTHING = Obj()


# --- Events -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClientEvent:
    """An event a client sends; every one is answered with `{ok: true, ...ack}` or
    `{ok: false, error, message}`."""
    name: str
    senders: tuple[str, ...]
    payload: Obj
    ack: str
    # Participant writes share one budget per phone (per token, across its connections).
    participant_write: bool = False


@dataclass(frozen=True)
class ServerEvent:
    """An event the server sends to a room."""
    name: str
    to: str
    payload: str
    # Carries the workshop's sequence number: a screen that missed one catches up with `sync`.
    sequenced: bool = False


STAFF_ACK = "{id, history}"
# A stock-taking card's values, one per field key (at most 12 fields, each at most 200 characters:
# the domain says so in words).
CARD_FIELDS = List(Obj({"key": Str(max_chars=16), "value": Str(max_chars=1000)}), max_items=20)
VOTE_ACK = "{round_id, my_votes}"

CLIENT_EVENTS: dict[str, ClientEvent] = {event.name: event for event in (
    # Negative or ahead of the server: answered with everything (a restored backup).
    ClientEvent("sync", EVERYONE, Obj({"since": optional(Int(low=MIN_INT))}),
                "{seq, full, workshop, boards, ideas, clusters, measures, rounds, my_votes?}"),
    # Participants.
    # On a stock-taking board a card also carries its fields and "already exists"
    # (facilitator/domain/stocktaking.py); `text` is then its short form.
    ClientEvent("post_idea", (PARTICIPANT,),
                Obj({"board_id": Id(), "client_id": Str(max_chars=64), "text": Str(),
                     "fields": optional(CARD_FIELDS), "exists": optional(Bool())}),
                "{idea, duplicate}", participant_write=True),
    ClientEvent("edit_idea", (PARTICIPANT,), Obj({
        "idea_id": Id(), "text": Str(), "fields": optional(CARD_FIELDS),
        "exists": optional(Bool())}), "{idea}", participant_write=True),
    ClientEvent("withdraw_idea", (PARTICIPANT,), Obj({"idea_id": Id()}), "{idea}",
                participant_write=True),
    ClientEvent("place_dot", (PARTICIPANT,), Obj({
        "round_id": Id(), "target_id": Id(), "client_id": optional(Str(max_chars=64))}),
        VOTE_ACK, participant_write=True),
    ClientEvent("remove_dot", (PARTICIPANT,), Obj({"round_id": Id(), "target_id": Id()}),
                VOTE_ACK, participant_write=True),
    ClientEvent("rate_option", (PARTICIPANT,), Obj({
        "round_id": Id(), "option_id": Id(), "value": Int(low=MIN_INT)}),
        VOTE_ACK, participant_write=True),
    # Facilitators: boards and the room.
    ClientEvent("update_board", (STAFF,), Obj({"board_id": Id(), "settings": Obj({
        "is_open": optional(Bool()), "concealed": optional(Bool()),
        "revealed": optional(Bool()), "max_ideas_per_person": nullable(Int(low=MIN_INT))})}),
        "{board_id}"),
    ClientEvent("set_phase", (STAFF,), Obj({"board_ids": List(Id()), "phase": Str(max_chars=40)}),
                "{board_ids}"),
    ClientEvent("set_timer", (STAFF,), Obj({
        "action": Str(max_chars=20), "seconds": nullable(Int(low=MIN_INT))}), "{timer}"),
    ClientEvent("set_projector", (STAFF,), Obj({
        "view": Str(max_chars=20), "target_id": nullable(Id()),
        "board_ids": nullable(List(Id()))}), "{view}"),
    ClientEvent("set_projector_paging", (STAFF,), Obj({
        "action": nullable(Str(max_chars=20)), "seconds": nullable(Int(low=MIN_INT))}),
        "{paging}"),
    # Facilitators: clustering and moderation (undoable).
    ClientEvent("create_cluster", (STAFF,), Obj({
        "board_id": Id(), "heading": optional(Str()), "colour": optional(Str(max_chars=20)),
        "idea_ids": optional(List(Id()))}), STAFF_ACK),
    ClientEvent("update_cluster", (STAFF,), Obj({
        "cluster_id": Id(), "heading": nullable(Str()), "colour": nullable(Str(max_chars=20)),
        "base_heading": nullable(Str())}), STAFF_ACK),
    ClientEvent("move_cluster", (STAFF,), Obj({"cluster_id": Id(), "position": Int(low=MIN_INT)}),
                STAFF_ACK),
    ClientEvent("dissolve_cluster", (STAFF,), Obj({"cluster_id": Id()}), STAFF_ACK),
    ClientEvent("merge_clusters", (STAFF,), Obj({"source_id": Id(), "target_id": Id()}),
                STAFF_ACK),
    ClientEvent("move_idea", (STAFF,), Obj({
        "idea_id": Id(), "cluster_id": nullable(Id()), "position": nullable(Int(low=MIN_INT)),
        "board_id": nullable(Id())}), STAFF_ACK),
    ClientEvent("hide_idea", (STAFF,), Obj({"idea_id": Id(), "hidden": Bool()}), STAFF_ACK),
    ClientEvent("correct_idea", (STAFF,), Obj({"idea_id": Id(), "text": Str()}), STAFF_ACK),
    ClientEvent("merge_duplicates", (STAFF,), Obj({"idea_id": Id(), "into_id": Id()}),
                STAFF_ACK),
    ClientEvent("place_on_matrix", (STAFF,), Obj({
        "cluster_id": Id(), "x": nullable(Num()), "y": nullable(Num())}), STAFF_ACK),
    ClientEvent("save_measure", (STAFF,), Obj({
        "measure_id": nullable(Id()), "title": Str(), "description": optional(Str()),
        "thematic_field": optional(Str()), "responsible": optional(Str()),
        "partners": optional(Str()), "horizon": optional(Str(max_chars=20)),
        "due_date": optional(Str(max_chars=20)), "status": optional(Str(max_chars=20)),
        "indicator": optional(Str()), "cost": optional(Str()),
        "board_id": nullable(Id()), "source_idea_ids": optional(List(Id())),
        "source_cluster_id": nullable(Id())}), STAFF_ACK),
    ClientEvent("delete_measure", (STAFF,), Obj({"measure_id": Id()}), STAFF_ACK),
    ClientEvent("undo", (STAFF,), NOTHING, STAFF_ACK),
    ClientEvent("redo", (STAFF,), NOTHING, STAFF_ACK),
    ClientEvent("history", (STAFF,), NOTHING, "{history}"),
    # Facilitators: against a flood (facilitator/domain/moderation.py).
    ClientEvent("mute_participant", (STAFF,), Obj({
        "idea_id": optional(Id()), "participant_id": optional(Id()), "muted": Bool()}),
        "{participants}"),
    ClientEvent("hide_cards", (STAFF,), Obj({
        "idea_ids": optional(List(Id())), "participant_id": optional(Id())}),
        "{hidden, history}"),
    ClientEvent("list_participants", (STAFF,), NOTHING, "{participants}"),
    # Facilitators: prioritisation.
    ClientEvent("open_round", (STAFF,), Obj({
        "kind": optional(Str(max_chars=20)), "target_kind": optional(Str(max_chars=20)),
        "board_ids": optional(List(Id())), "question": optional(Str()),
        "dots_per_person": optional(Int(low=MIN_INT)), "max_per_item": optional(Int(low=MIN_INT)),
        "allow_own": optional(Bool()), "tallies_visible": optional(Bool()),
        "options": optional(List(Str(), max_items=50)), "passive_option": optional(Str()),
        "whole_room": optional(Bool())}), "{round_id}"),
    ClientEvent("update_round", (STAFF,), Obj({"round_id": Id(), "settings": Obj({
        "state": optional(Str(max_chars=20)), "tallies_visible": optional(Bool()),
        "revealed": optional(Bool()), "whole_room": optional(Bool()),
        "final_order": optional(List(Id())), "final_order_reason": optional(Str())})}),
        "{round_id}"),
)}

SERVER_EVENTS: dict[str, ServerEvent] = {event.name: event for event in (
    ServerEvent("idea_posted", "staff, screen and the card's board room", "{seq, ideas}", True),
    ServerEvent("idea_updated", "staff, screen and the card's board room", "{seq, ideas}", True),
    ServerEvent("board_updated", "staff and public rooms", "{seq, boards, ideas?}", True),
    ServerEvent("workshop_updated", "staff and public rooms", "{seq, workshop, boards?}", True),
    ServerEvent("arrangement_changed", "staff and public rooms",
                "{seq, ideas?, clusters?, measures?}", True),
    ServerEvent("measure_updated", "staff and public rooms", "{seq, measures}", True),
    ServerEvent("round_updated", "staff and public rooms", "{seq, rounds}", True),
    ServerEvent("votes_changed", "staff, screen and phones rooms", "{rounds}"),
    ServerEvent("presence_changed", "staff and screen rooms",
                "{participants, boards, facilitators?}"),
    ServerEvent("moderation_changed", "staff room", "{participants}"),
)}

# Answers every client may get besides the domain's error codes.
PROTOCOL_ERRORS = ("unknown_event", "invalid_input", "rate_limited", "server_error", "forbidden")


def check_payload(event: ClientEvent, args: tuple) -> dict:
    """The payload of one event as its schema allows it, or InvalidInput naming the field.
    No payload at all counts as `{}`; more than one argument is refused."""
    if len(args) > 1:
        raise InvalidInput(field="payload")
    data = args[0] if args else {}
    if data is None and not event.payload.fields:
        data = {}
    if not isinstance(data, dict):
        raise InvalidInput(field="payload")
    return event.payload.check(data, "")


# --- Frames -------------------------------------------------------------------------------------

MALFORMED = "malformed_payload"
MAX_DEPTH = 32


class FrameJSON:
    """The JSON module the Socket.IO server decodes frames with. An event's arguments (a JSON
    array) that are not JSON, nest deeper than any real payload, or hold NaN/Infinity become the
    event `malformed_payload`, which is answered with `invalid_input` like any other bad payload
    (a plain json.loads raised RecursionError inside python-socketio, and the client never got an
    answer). Anything else that is not JSON raises ValueError as json.loads does: python-engineio
    tries every message as JSON and keeps the text when that fails (its upgrade probe "probe";
    answering those with a list kept browsers on long-polling)."""

    @staticmethod
    def dumps(*args, **kwargs):
        return json.dumps(*args, **kwargs)

    @staticmethod
    def loads(text, *args, **kwargs):
        arguments = (text[:1] == b"[") if isinstance(text, bytes) else text.startswith("[")
        try:
            if _nesting(text) > MAX_DEPTH:
                raise ValueError("nested too deep")
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            if arguments:
                return [MALFORMED]
            raise ValueError("not JSON") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _nesting(text) -> int:
    """How deep brackets nest, counted outside strings (cheap: one pass, no parsing)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


# --- The browser's copy -------------------------------------------------------------------------

def javascript() -> str:
    """static/js/protocol.js: the event names for the browser, generated from this module."""
    client = ",\n".join(f"  {json.dumps(name)}: {json.dumps(list(event.senders))}"
                         for name, event in CLIENT_EVENTS.items())
    server = list(SERVER_EVENTS)
    sequenced = [name for name, event in SERVER_EVENTS.items() if event.sequenced]
    return (
        "// Generated from facilitator/protocol.py by `python -m facilitator.protocol > "
        "static/js/protocol.js`:\n"
        "// do not edit by hand (tests/test_protocol.py fails when the two differ).\n\n"
        "// Client → server events and who may send them.\n"
        f"export const CLIENT_EVENTS = Object.freeze({{\n{client},\n}});\n\n"
        "// Server → client events.\n"
        f"export const SERVER_EVENTS = Object.freeze({json.dumps(server)});\n\n"
        "// Server events that carry the workshop's sequence number.\n"
        f"export const SEQUENCED_EVENTS = Object.freeze({json.dumps(sequenced)});\n\n"
        "// Refusals the protocol itself answers with (besides the domain's codes).\n"
        f"export const PROTOCOL_ERRORS = Object.freeze({json.dumps(list(PROTOCOL_ERRORS))});\n"
    )


if __name__ == "__main__":
    print(javascript(), end="")
