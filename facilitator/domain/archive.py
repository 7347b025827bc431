"""The whole workshop as one JSON file, and back: for archiving and moving between servers.

The file numbers its rows itself (1, 2, 3 … per kind), so it carries no database ids, and
nothing secret: no participant tokens, no join code, no projector key, no facilitator accounts.
Participants appear only as numbers (with their stakeholder group; names only on request), votes
as "participant n gave this". Hidden cards keep their place but not their text; withdrawn cards
are left out. Photos travel inside the file (base64).

Importing makes a new workshop with new ids, a new join code and projector key, owned by the
facilitator who imports it. A file that does not fit changes nothing: photos are checked before
anything is written, rows as they are written in short transactions (so phones' posts never wait
for a whole import on SQLite), and a refusal deletes what was written. Exporting an imported workshop gives the same file (but for the time
of export).
"""
import base64
import binascii
import json
import secrets
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timezone

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from ..models import PROCESS_TITLE_MAX_CHARS
from ..models import (IDEA_MAX_CHARS, NAME_MAX_CHARS, PHASES, TITLE_MAX_CHARS, Board, Cluster,
                      Idea, Measure, Participant, PhaseChange, Photo, Process, RecordSection,
                      StakeholderGroup, Vote, VoteRound, Workshop, WorkshopFacilitator, utcnow)
from . import photos as photo_store
from . import stocktaking, validate, voting
from .changes import end_read_before_write
from .errors import DomainError
from .documentation import BOARD_KEYS, PHOTO_CONSENTS, TEXT_MAX_CHARS, WORKSHOP_KEYS
from .measures import HORIZONS, STATUSES
from .tokens import digest, new_secret
from ..models import IDEA_SOURCES, ContentTranslation  # table hosts and translations
from .workshops import (COLOURS, LANGUAGES, PURPOSE_MAX_CHARS, QUESTION_MAX_CHARS,
                        new_join_code)

FORMAT = "facilitator-workshop"
VERSION = 1
# Generous ceilings, so a hand-made file cannot make the import run for hours.
LIMITS = {"stakeholder_groups": 100, "boards": 200, "participants": 20_000, "clusters": 5_000,
          "ideas": 100_000, "measures": 5_000, "phase_changes": 10_000, "vote_rounds": 1_000,
          "votes": 1_000_000, "photos": photo_store.MAX_PHOTOS_PER_WORKSHOP + 1}
IDEA_STATES = ("visible", "hidden", "merged")
CLUSTER_STATES = ("active",)
ROUND_KINDS = ("dots", "consent")


class ArchiveInvalid(DomainError):
    """The file is not a workshop export this version understands; `where` says what broke."""
    code = "archive_invalid"


# --- Export -----------------------------------------------------------------------------------

def _time(value: datetime | None) -> str | None:
    return None if value is None else value.replace(microsecond=0).isoformat() + "Z"


def _numbering(rows) -> dict[int, int]:
    return {row.id: number for number, row in enumerate(rows, start=1)}


def export_workshop(session: Session, workshop_id: int, include_names: bool = False,
                    include_photos: bool = True) -> dict:
    """The workshop as a JSON-ready dict (see the module docstring for what it leaves out)."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise ArchiveInvalid(where="workshop")
    groups = list(workshop.stakeholder_groups)
    boards = list(workshop.boards)
    by_workshop = lambda model: select(model).where(model.workshop_id == workshop_id)  # noqa: E731
    participants = list(session.scalars(by_workshop(Participant).order_by(Participant.id)))
    clusters = list(session.scalars(by_workshop(Cluster).where(
        Cluster.state == "active").order_by(Cluster.id)))
    ideas = list(session.scalars(by_workshop(Idea).where(
        Idea.state.in_(IDEA_STATES)).order_by(Idea.id)))
    measures = list(session.scalars(by_workshop(Measure).where(
        Measure.state == "active").order_by(Measure.id)))
    changes = list(session.scalars(by_workshop(PhaseChange).order_by(PhaseChange.at,
                                                                     PhaseChange.id)))
    rounds = voting.rounds_of(session, workshop_id)
    number = {"group": _numbering(groups), "board": _numbering(boards),
              "participant": _numbering(participants), "cluster": _numbering(clusters),
              "idea": _numbering(ideas), "measure": _numbering(measures)}

    def ref(kind: str, row_id: int | None) -> int | None:
        return None if row_id is None else number[kind].get(row_id)

    def target(round_: VoteRound, target_id: int) -> int | None:
        return target_id if round_.kind == "consent" else ref(round_.target_kind, target_id)

    def votes_of(round_: VoteRound) -> list[dict]:
        rows = session.scalars(select(Vote).where(Vote.round_id == round_.id).order_by(Vote.id))
        return [{"participant": ref("participant", vote.participant_id),
                 "target": target(round_, vote.target_id), "value": vote.value}
                for vote in rows if target(round_, vote.target_id) is not None]

    def results_of(round_: VoteRound) -> list[dict]:
        return [{"target": target(round_, row["id"]), "label": row["label"],
                 "score": row["score"], "rank": row["rank"]}
                for row in voting.results(session, round_)]

    archive = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _time(utcnow()),
        "workshop": {
            "title": workshop.title,
            "event_date": workshop.event_date.isoformat() if workshop.event_date else None,
            "place": workshop.place, "organiser": workshop.organiser,
            "purpose": workshop.purpose, "language": workshop.language,
            "process_title": workshop.process.title if workshop.process else "",
        },
        "stakeholder_groups": [{"id": number["group"][g.id], "name": g.name} for g in groups],
        "boards": [{"id": number["board"][b.id], "title": b.title, "question": b.question,
                    "colour": b.colour, "is_open": b.is_open, "concealed": b.concealed,
                    "revealed": b.revealed, "max_ideas_per_person": b.max_ideas_per_person,
                    "phase": b.phase, "card_fields": b.card_fields or None} for b in boards],
        "participants": [{"id": number["participant"][p.id],
                          "stakeholder_group": ref("group", p.stakeholder_group_id),
                          **({"display_name": p.display_name} if include_names else {})}
                         for p in participants],
        "clusters": [{"id": number["cluster"][c.id], "board": ref("board", c.board_id),
                      "heading": c.heading, "colour": c.colour, "position": c.position,
                      "matrix_x": c.matrix_x, "matrix_y": c.matrix_y} for c in clusters],
        "ideas": [{"id": number["idea"][i.id], "board": ref("board", i.board_id),
                   "cluster": ref("cluster", i.cluster_id),
                   "participant": ref("participant", i.participant_id),
                   "state": i.state,
                   # Moderation hid it: it counts, but its words stay behind.
                   "text": None if i.state == "hidden" else i.text,
                   "original_text": None if i.state == "hidden" else i.original_text,
                   "position": i.position, "merged_into": ref("idea", i.merged_into_id),
                   "created_at": _time(i.created_at), **_idea_extras(i)} for i in ideas],
        "measures": [{"id": number["measure"][m.id], "board": ref("board", m.board_id),
                      "title": m.title, "description": m.description,
                      "thematic_field": m.thematic_field, "responsible": m.responsible,
                      "partners": m.partners, "horizon": m.horizon,
                      "due_date": m.due_date, "status": m.status, "indicator": m.indicator,
                      "cost": m.cost,
                      "source_ideas": [n for n in (ref("idea", i) for i in m.source_idea_ids or [])
                                       if n is not None],
                      "source_cluster": ref("cluster", m.source_cluster_id),
                      "position": m.position} for m in measures],
        "phase_changes": [{"board": ref("board", c.board_id), "phase": c.phase,
                           "at": _time(c.at)} for c in changes],
        "vote_rounds": [{
            "kind": r.kind, "question": r.question, "target_kind": r.target_kind,
            "boards": [n for n in (ref("board", b) for b in r.board_ids or []) if n is not None],
            "options": list(r.options or []), "dots_per_person": r.dots_per_person,
            "max_per_item": r.max_per_item, "allow_own": r.allow_own,
            "tallies_visible": r.tallies_visible, "state": r.state, "revealed": r.revealed,
            "final_order": [n for n in (target(r, t) for t in r.final_order or [])
                            if n is not None],
            "final_order_reason": r.final_order_reason,
            "created_at": _time(r.created_at),
            "votes": votes_of(r),
            # For people and scripts reading the file; the import counts the votes again.
            "results": results_of(r),
        } for r in rounds],
        "photos": [],
        # The facilitation's sections of the record (domain/documentation.py); quotes as card
        # numbers of this file.
        "record_sections": [{
            "board": ref("board", row.board_id), "key": row.key, "text": row.text,
            "items": ([n for n in (ref("idea", i) for i in row.items or []) if n is not None]
                      if row.key == "quotes" else list(row.items or []))}
            for row in session.scalars(by_workshop(RecordSection).order_by(RecordSection.id))
            if row.board_id is None or ref("board", row.board_id) is not None],
        **_content_translations_export(workshop, number, rounds),
    }
    archive["workshop"]["results_published"] = workshop.results_published
    for photo in photo_store.photos_of(session, workshop_id, None):
        entry = {"kind": photo.kind, "board": ref("board", photo.board_id),
                 "caption": photo.caption, "width": photo.width, "height": photo.height,
                 "created_at": _time(photo.created_at), "credit": photo.credit,
                 "taken_on": photo.taken_on.isoformat() if photo.taken_on else None,
                 "consent": photo.consent}
        if include_photos:
            try:
                data = photo_store.path_of(session, photo).read_bytes()
            except FileNotFoundError:
                data = None  # lost on disk: listed, without its image
            if data is not None:
                entry["media_type"] = ("image/png" if photo.filename.endswith(".png")
                                       else "image/jpeg")
                entry["data"] = base64.b64encode(data).decode("ascii")
        archive["photos"].append(entry)
    return archive


def dumps(archive: dict) -> bytes:
    """UTF-8 JSON, readable (non-Latin text as itself, one item per line)."""
    return json.dumps(archive, ensure_ascii=False, indent=1).encode("utf-8")


# --- Import: reading the file -----------------------------------------------------------------

class _Reader:
    """Typed access to untrusted JSON; every refusal names where in the file it happened."""

    def __init__(self, value, where: str = "") -> None:
        self.value, self.where = value, where

    def fail(self, key: str | None = None, what: str = "") -> ArchiveInvalid:
        where = self.where if key is None else (f"{self.where}.{key}" if self.where else key)
        return ArchiveInvalid(f"{where}: {what}", where=where or "file")

    def raw(self, key: str, default=...):
        if not isinstance(self.value, dict):
            raise self.fail(None, "expected an object")
        if key not in self.value:
            if default is ...:
                raise self.fail(key, "missing")
            return default
        return self.value[key]

    def items(self, key: str) -> list["_Reader"]:
        value = self.raw(key, [])
        if not isinstance(value, list):
            raise self.fail(key, "expected a list")
        if len(value) > LIMITS.get(key, 10_000):
            raise self.fail(key, "too many entries")
        prefix = f"{self.where}.{key}" if self.where else key
        return [_Reader(item, f"{prefix}[{index}]") for index, item in enumerate(value)]

    def text(self, key: str, max_chars: int, required: bool = False, nullable: bool = False):
        value = self.raw(key, None if nullable else "")
        if value is None and nullable:
            return None
        try:
            return validate.text(value, max_chars, key, required=required)
        except DomainError:
            raise self.fail(key, f"expected text of at most {max_chars} characters") from None

    def integer(self, key: str, minimum: int | None = None, maximum: int | None = None,
                nullable: bool = False, default=...):
        value = self.raw(key, None if nullable else default)
        if value is None and nullable:
            return None
        try:
            return validate.integer(value, key, minimum, maximum)
        except DomainError:
            raise self.fail(key, "expected a whole number in range") from None

    def number(self, key: str):
        value = self.raw(key, None)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise self.fail(key, "expected a number from 0 to 1")
        return float(value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "expected true or false")
        return value

    def choice(self, key: str, choices, default=...):
        value = self.raw(key, default)
        if value not in choices:
            raise self.fail(key, f"expected one of {', '.join(map(str, choices))}")
        return value

    def time(self, key: str) -> datetime:
        value = self.raw(key, None)
        if value is None:
            return utcnow()
        try:
            parsed = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise self.fail(key, "expected a time (ISO 8601)") from None
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
        return parsed

    def ref(self, key: str, known: dict, nullable: bool = True):
        number = self.integer(key, nullable=nullable)
        if number is None:
            return None
        if number not in known:
            raise self.fail(key, f"refers to {number}, which the file does not contain")
        return known[number]

    def refs(self, key: str, known: dict) -> list:
        value = self.raw(key, [])
        if not isinstance(value, list) or any(
                isinstance(n, bool) or not isinstance(n, int) or n not in known for n in value):
            raise self.fail(key, "expected a list of numbers the file contains")
        return [known[n] for n in value]


def _numbered(readers: list[_Reader]) -> list[tuple[int, _Reader]]:
    seen = set()
    numbered = []
    for reader in readers:
        number = reader.integer("id", 1)
        if number in seen:
            raise reader.fail("id", "used twice")
        seen.add(number)
        numbered.append((number, reader))
    return numbered


def parse(data) -> _Reader:
    """The file's top level, once it is JSON in this format and version."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ArchiveInvalid("not UTF-8 text", where="file") from None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError):
            raise ArchiveInvalid("not JSON", where="file") from None
    top = _Reader(data)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ArchiveInvalid("not a Facilitator workshop export", where="format")
    if data.get("version") != VERSION:
        raise top.fail("version", f"this installation reads version {VERSION}")
    return top


# --- Import: writing the workshop -------------------------------------------------------------

def _unused(session: Session, column, make) -> str:
    while True:
        value = make()
        if not session.scalar(select(exists().where(column == value))):
            return value


def _process(session: Session, title: str) -> Process | None:
    if not title:
        return None
    return session.scalar(select(Process).where(Process.title == title)) or Process(title=title)


def _images(top: _Reader) -> list[tuple[_Reader, photo_store.CleanImage | None]]:
    """Every photo checked and cleaned before the first row is written."""
    checked = []
    logos = 0
    for reader in top.items("photos"):
        kind = reader.choice("kind", ("photo", "logo"), "photo")
        logos += kind == "logo"
        if logos > 1:
            raise reader.fail("kind", "only one logo")
        encoded = reader.raw("data", None)
        if encoded is None:
            checked.append((reader, None))  # listed without its file: nothing to restore
            continue
        if not isinstance(encoded, str):
            raise reader.fail("data", "expected base64 text")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise reader.fail("data", "expected base64 text") from None
        try:
            image = photo_store.accept_stored_image(
                data, max_side=photo_store.LOGO_MAX_SIDE if kind == "logo"
                else photo_store.MAX_SIDE)
        except DomainError:
            raise reader.fail("data", "not an accepted image (JPEG or PNG, at most "
                                      f"{photo_store.MAX_BYTES // (1024 * 1024)} MB)") from None
        checked.append((reader, image))
    return checked


# Rows written per transaction. SQLite has one writer: a phone's post waits for the import's
# transaction to end, so the import commits in short pieces (an import of 20,000 cards and
# 60,000 dots held the lock for its whole run before, and phones' posts waited as long).
CHUNK = 500


def import_workshop(session: Session, facilitator_id: int, data,
                    on_started: Callable[[int], None] | None = None) -> Workshop:
    """Restore an exported workshop as a new one owned by `facilitator_id` (bytes, text or the
    parsed dict). Raises ArchiveInvalid, naming the place in the file, and then changes
    nothing.

    Written in short transactions; the workshop belongs to nobody (so nobody sees or runs it)
    until the last one gives it to the importer. A refusal half-way deletes what was written.
    `on_started(workshop_id)` hears the new id once its first transaction committed: should the
    process die half-way, whoever waits for it removes the rest (`discard_unfinished`)."""
    top = parse(data)
    images = _images(top)
    written = []
    started: list[int] = []
    try:
        workshop = _build(session, facilitator_id, top, images, written, started, on_started)
        session.commit()
    except BaseException:
        session.rollback()
        if started:
            session.execute(delete(Workshop).where(Workshop.id == started[0]))
            session.commit()
        photo_store.remove_files(written)
        raise
    return workshop


def discard_unfinished(session: Session, workshop_id: int) -> bool:
    """Delete what an import that died half-way wrote: the workshop it started, unless that
    import finished after all (then it has its facilitator). True if something was deleted."""
    from .workshops import delete_workshop
    owned = session.scalar(select(exists().where(WorkshopFacilitator.workshop_id == workshop_id)))
    if owned or session.get(Workshop, workshop_id) is None:
        session.rollback()
        return False
    delete_workshop(session, workshop_id)
    return True


def _build(session: Session, facilitator_id: int, top: _Reader, images, written: list,
           started: list, on_started: Callable[[int], None] | None = None) -> Workshop:
    info = _Reader(top.raw("workshop"), "workshop")
    event_date = info.raw("event_date", None)
    if event_date is not None:
        try:
            event_date = date.fromisoformat(event_date)
        except (TypeError, ValueError):
            raise info.fail("event_date", "expected a date (YYYY-MM-DD)") from None
    process = _process(session, info.text("process_title", PROCESS_TITLE_MAX_CHARS))
    workshop = Workshop(
        title=info.text("title", TITLE_MAX_CHARS, required=True), event_date=event_date,
        place=info.text("place", TITLE_MAX_CHARS), organiser=info.text("organiser",
                                                                       TITLE_MAX_CHARS),
        purpose=info.text("purpose", PURPOSE_MAX_CHARS),
        language=info.choice("language", LANGUAGES, "de"),
        results_published=info.flag("results_published"),
        join_code=_unused(session, Workshop.join_code, new_join_code),
        screen_key=_unused(session, Workshop.screen_key, lambda: secrets.token_urlsafe(24)),
        seq=1, updated_seq=1)
    # Every transaction of the import writes before it reads: on SQLite a transaction that
    # read first is refused its write when a phone's post committed meanwhile.
    end_read_before_write(session)
    workshop.process = process
    session.add(workshop)
    session.flush()
    workshop_id = workshop.id
    started.append(workshop_id)
    session.commit()
    if on_started is not None:
        on_started(workshop_id)
    new = {"workshop_id": workshop_id}
    # Between two transactions the import lets others write: a waiting writer on SQLite polls
    # for the lock and would otherwise rarely find it free (the job runner pauses here).
    between_writes = session.info.get("between_writes", lambda held: None)

    def add_all(rows: dict) -> dict:
        """Write the rows in short transactions; their new ids by the file's numbers."""
        ids = {}
        numbers = list(rows)
        for start in range(0, len(numbers), CHUNK):
            piece = numbers[start:start + CHUNK]
            began = time.monotonic()
            session.add_all(rows[number] for number in piece)
            session.flush()
            ids.update((number, rows[number].id) for number in piece)
            session.commit()
            between_writes(time.monotonic() - began)
        return ids

    groups = add_all({number: StakeholderGroup(
        name=r.text("name", NAME_MAX_CHARS * 2, required=True), position=position, **new)
        for position, (number, r) in enumerate(_numbered(top.items("stakeholder_groups")))})
    boards = add_all({number: Board(
        title=r.text("title", TITLE_MAX_CHARS, required=True),
        question=r.text("question", QUESTION_MAX_CHARS), colour=r.choice("colour", COLOURS),
        position=position, is_open=r.flag("is_open", True), concealed=r.flag("concealed"),
        revealed=r.flag("revealed"),
        max_ideas_per_person=r.integer("max_ideas_per_person", 1, nullable=True),
        phase=r.choice("phase", PHASES, "collect"), card_fields=_card_fields_import(r),
        updated_seq=1, **new)
        for position, (number, r) in enumerate(_numbered(top.items("boards")))})
    projector_board_ids = list(boards.values())
    people = add_all({number: Participant(
        # A token nobody holds: the imported participant can never sign in again.
        token_hash=digest(new_secret()),
        display_name=r.text("display_name", NAME_MAX_CHARS) or None,
        stakeholder_group_id=r.ref("stakeholder_group", groups), **new)
        for number, r in _numbered(top.items("participants"))})
    clusters = add_all({number: Cluster(
        board_id=r.ref("board", boards, nullable=False), heading=r.text("heading",
                                                                         TITLE_MAX_CHARS),
        colour=r.choice("colour", COLOURS, "grey"), position=r.integer("position", 0, default=0),
        matrix_x=r.number("matrix_x"), matrix_y=r.number("matrix_y"), updated_seq=1, **new)
        for number, r in _numbered(top.items("clusters"))})
    idea_readers = _numbered(top.items("ideas"))
    idea_rows = {}
    for number, r in idea_readers:
        state = r.choice("state", IDEA_STATES, "visible")
        text = "" if state == "hidden" else r.text("text", IDEA_MAX_CHARS, required=True)
        idea_rows[number] = Idea(
            board_id=r.ref("board", boards, nullable=False), cluster_id=r.ref("cluster", clusters),
            participant_id=r.ref("participant", people), client_id=uuid.uuid4().hex, text=text,
            state=state, original_text=None if state == "hidden" else r.text(
                "original_text", IDEA_MAX_CHARS, nullable=True),
            position=r.integer("position", 0, default=0), created_at=r.time("created_at"),
            updated_seq=1, **new, **_idea_extras_import(r, state))
    ideas = add_all(idea_rows)
    merged = [{"id": ideas[number], "merged_into_id": r.ref("merged_into", ideas)}
              for number, r in idea_readers if r.raw("merged_into", None) is not None]
    for start in range(0, len(merged), CHUNK):
        session.execute(update(Idea), merged[start:start + CHUNK])
        session.commit()
    measures = add_all({number: Measure(
        board_id=r.ref("board", boards), title=r.text("title", TITLE_MAX_CHARS, required=True),
        description=r.text("description", 4000),
        thematic_field=r.text("thematic_field", TITLE_MAX_CHARS),
        responsible=r.text("responsible", TITLE_MAX_CHARS), partners=r.text("partners", 1000),
        horizon=r.choice("horizon", HORIZONS, ""), due_date=_due_date(r),
        status=r.choice("status", STATUSES, ""), indicator=r.text("indicator", 1000),
        cost=r.text("cost", TITLE_MAX_CHARS), source_idea_ids=r.refs("source_ideas", ideas),
        source_cluster_id=r.ref("source_cluster", clusters),
        position=r.integer("position", 0, default=0), updated_seq=1, **new)
        for number, r in _numbered(top.items("measures"))})
    add_all(dict(enumerate(PhaseChange(
        board_id=r.ref("board", boards, nullable=False), phase=r.choice("phase", PHASES),
        at=r.time("at"), **new) for r in top.items("phase_changes"))))
    for r in top.items("vote_rounds"):
        _add_round(session, r, new, people, {"idea": ideas, "cluster": clusters,
                                             "measure": measures}, boards, add_all)
    _content_translations_import(session, workshop, top, {"board": boards, "group": groups})
    for r, image in images:
        if image is None:
            continue
        kind = r.choice("kind", ("photo", "logo"), "photo")
        filename, path = photo_store.write_file(session, workshop.id, image)
        written.append(path)
        session.add(Photo(kind=kind, board_id=None if kind == "logo" else r.ref("board", boards),
                          filename=filename, caption=r.text("caption",
                                                            photo_store.CAPTION_MAX_CHARS),
                          width=image.width, height=image.height, created_at=r.time("created_at"),
                          credit=r.text("credit", TITLE_MAX_CHARS), taken_on=_taken_on(r),
                          consent=r.choice("consent", PHOTO_CONSENTS, ""), **new))
    _add_sections(session, top, new, boards, ideas)
    # Last: from here on the workshop is the importer's, complete.
    session.execute(update(Workshop).where(Workshop.id == workshop_id).values(
        projector_board_ids=projector_board_ids))
    session.add(WorkshopFacilitator(workshop_id=workshop_id, facilitator_id=facilitator_id))
    session.flush()
    return session.get(Workshop, workshop_id)


def _add_round(session: Session, r: _Reader, new: dict, people: dict, targets: dict,
               boards: dict, add_all) -> None:
    kind = r.choice("kind", ROUND_KINDS)
    target_kind = r.choice("target_kind",
                           ("option",) if kind == "consent" else voting.DOT_TARGETS)
    options = r.raw("options", [])
    if kind == "consent":
        if not isinstance(options, list) or not options or len(options) > voting.MAX_OPTIONS + 1:
            raise r.fail("options", "expected a list of options")
        cleaned = []
        for index, option in enumerate(options):
            o = _Reader(option, f"{r.where}.options[{index}]")
            if o.integer("id") != index:
                raise o.fail("id", "options are numbered 0, 1, 2 …")
            cleaned.append({"id": index, "text": o.text("text", voting.OPTION_MAX_CHARS,
                                                         required=True)})
        options = cleaned
        known = {o["id"]: o["id"] for o in options}
    else:
        options = []
        known = targets[target_kind]
    round_ = VoteRound(
        kind=kind, question=r.text("question", 300), target_kind=target_kind,
        board_ids=r.refs("boards", boards), options=options,
        dots_per_person=r.integer("dots_per_person", 1, voting.MAX_DOTS),
        max_per_item=r.integer("max_per_item", 1, voting.MAX_DOTS),
        allow_own=r.flag("allow_own", True), tallies_visible=r.flag("tallies_visible"),
        state=r.choice("state", ("open", "closed"), "closed"), revealed=r.flag("revealed"),
        final_order=r.refs("final_order", known),
        final_order_reason=r.text("final_order_reason", voting.FINAL_ORDER_REASON_MAX_CHARS),
        created_at=r.time("created_at"),
        updated_seq=1, **new)
    session.add(round_)
    session.flush()
    if kind == "dots" and round_.max_per_item > round_.dots_per_person:
        raise r.fail("max_per_item", "expected at most dots_per_person")
    round_id = round_.id
    maximum = voting.RESISTANCE_MAX if kind == "consent" else 1
    votes = []
    rated = set()
    # Dots as the live round would have let them be placed: the budget per person, the cap per
    # person and item. Results beyond them are refused whole, never stored.
    spent: dict = {}
    for v in r.items("votes"):
        participant_id = v.ref("participant", people, nullable=False)
        target_id = v.ref("target", known, nullable=False)
        if kind == "consent" and (participant_id, target_id) in rated:
            raise v.fail(None, "a participant rated the same option twice")
        rated.add((participant_id, target_id))
        if kind == "dots":
            spent[participant_id] = spent.get(participant_id, 0) + 1
            spent[participant_id, target_id] = spent.get((participant_id, target_id), 0) + 1
            if spent[participant_id] > round_.dots_per_person:
                raise v.fail(None, f"more dots than the round's budget of "
                                   f"{round_.dots_per_person} per participant")
            if spent[participant_id, target_id] > round_.max_per_item:
                raise v.fail(None, f"more dots on one item than the round's cap of "
                                   f"{round_.max_per_item} per participant")
        # The same ids the live app gives: a consent rating can be changed again if reopened.
        client_id = (f"consent-{participant_id}-{target_id}" if kind == "consent"
                     else uuid.uuid4().hex)
        votes.append(Vote(round_id=round_id, participant_id=participant_id, target_id=target_id,
                          value=v.integer("value", 0 if kind == "consent" else 1, maximum),
                          client_id=client_id))
    add_all(dict(enumerate(votes)))



def _iso_day(r: _Reader, key: str) -> date | None:
    value = r.raw(key, None)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise r.fail(key, "expected a date (YYYY-MM-DD)") from None


def _due_date(r: _Reader) -> str:
    day = _iso_day(r, "due_date")
    return day.isoformat() if day else ""


def _taken_on(r: _Reader) -> date | None:
    return _iso_day(r, "taken_on")


def _add_sections(session: Session, top: _Reader, new: dict, boards: dict, ideas: dict) -> None:
    """The facilitation's documentation sections; quotes refer to the file's cards."""
    seen = set()
    for r in top.items("record_sections"):
        board_id = r.ref("board", boards)
        key = r.choice("key", BOARD_KEYS if board_id is not None else WORKSHOP_KEYS)
        if (board_id, key) in seen:
            raise r.fail("key", "used twice")
        seen.add((board_id, key))
        if key == "quotes":
            items = r.refs("items", ideas)
        elif key == "programme":
            items = r.raw("items", [])
            if not isinstance(items, list) or len(items) > 100 or not all(
                    isinstance(row, dict) and all(isinstance(v, str) and len(v) <= 1000
                                                  for v in row.values()) for row in items):
                raise r.fail("items", "expected programme rows")
            items = [{k: row.get(k, "") for k in ("time", "title", "method", "speakers")}
                     for row in items]
        else:
            items = []
        session.add(RecordSection(board_id=board_id, key=key,
                                  text=r.text("text", TEXT_MAX_CHARS), items=items, **new))


# --- Table hosts and translations (card sources, card translations, translated content) --------

def _idea_extras(idea: Idea) -> dict:
    """How the card reached the board and its translation (none for a hidden card's words)."""
    hidden = idea.state == "hidden"
    return {"source": idea.source, "translation": None if hidden else idea.translation,
            "translation_lang": None if hidden else idea.translation_lang,
            "entry": None if hidden else idea.entry}


def _idea_extras_import(r: "_Reader", state: str) -> dict:
    translation = None if state == "hidden" else r.text("translation", IDEA_MAX_CHARS * 2,
                                                        nullable=True)
    lang = r.text("translation_lang", 8, nullable=True) if translation else None
    try:
        entry = None if state == "hidden" else stocktaking.checked_entry(r.raw("entry", None))
    except DomainError:
        raise r.fail("entry", "not a stock-taking row") from None
    return {"source": r.choice("source", IDEA_SOURCES, "phone"), "translation": translation,
            "translation_lang": lang, "entry": entry}


def _card_fields_import(r: "_Reader") -> list[dict] | None:
    """A stock-taking board's fields (domain/stocktaking.py), checked like the console's form."""
    try:
        return stocktaking.checked_fields(r.raw("card_fields", None))
    except DomainError:
        raise r.fail("card_fields", "not a list of card fields") from None


def _content_translations_export(workshop: Workshop, number: dict, rounds: list) -> dict:
    """The facilitator's translations, each pointing at its row by the archive's numbers
    (workshop: 1; a round by its place in `vote_rounds`; an option as "round:option")."""
    round_number = {round_.id: index for index, round_ in enumerate(rounds, 1)}

    def object_number(kind: str, key: str):
        if kind == "workshop":
            return 1
        if kind in ("board", "group"):
            return number[kind].get(int(key))
        round_id, _, option = key.partition(":")
        found = round_number.get(int(round_id))
        if found is None:
            return None
        return found if kind == "round" else f"{found}:{option}"
    rows = []
    for row in workshop.content_translations:
        ref = object_number(row.kind, row.object_key)
        if ref is not None:
            rows.append({"kind": row.kind, "object": ref, "field": row.field,
                         "lang": row.lang, "text": row.text})
    return {"content_translations": rows, "projector_language": workshop.projector_language}


def _content_translations_import(session: Session, workshop: Workshop, top: "_Reader",
                                 known: dict) -> None:
    from .translations import FIELDS, language
    session.flush()
    round_ids = list(session.scalars(select(VoteRound.id).where(
        VoteRound.workshop_id == workshop.id).order_by(VoteRound.id)))
    lang = top.raw("projector_language", None)
    workshop.projector_language = language(lang) if lang else None
    for r in top.items("content_translations"):
        kind = r.choice("kind", ("workshop", "board", "group", "round", "option"))
        ref = r.raw("object")
        if kind == "workshop":
            key = str(workshop.id)
        elif kind in known:
            key = str(r.ref("object", known[kind], nullable=False))
        else:
            round_number, _, option = str(ref).partition(":")
            if not round_number.isdigit() or not 1 <= int(round_number) <= len(round_ids):
                raise r.fail("object", "expected a vote round's number")
            key = str(round_ids[int(round_number) - 1]) + (f":{option}" if kind == "option"
                                                             else "")
        workshop.content_translations.append(ContentTranslation(
            kind=kind, object_key=key, field=r.choice("field", FIELDS[kind]),
            lang=language(r.text("lang", 8, required=True)),
            text=r.text("text", 4000, required=True)))
