"""The demo participation process (`python run.py demo --process`), after the Emsland seed: a
kick-off, two workshop series over different thematic fields, and a closing event where the
workshops' measures, carried forward, are dot-voted by phones and by the steering group.

Made through the domain API as real events would make it. Kept apart from facilitator/demo.py
(the single-workshop demo), which another part of the app owns."""
import uuid
from datetime import date, timedelta

from sqlalchemy.orm import Session

from .domain import clusters, ideas, measures, participants, phases, processes, steering, voting
from .domain.measures import MeasureSpec
from .domain.processes import EventSpec, FieldSpec, ProcessSpec
from .domain.voting import RoundSpec

TITLE = "Integrationskonzept 2026, Landkreis Emsland"
ORGANISER = "Landkreis Emsland, Steuerungsgruppe Integration"
FIELDS = (
    FieldSpec("Sprache", "Wie lernen alle schnell und gut Deutsch?", "blue"),
    FieldSpec("Partizipation durch Bildung", "Was hilft Kindern und Eltern in Kita und Schule?",
              "green"),
    FieldSpec("Partizipation durch Arbeit und Beruf", "Wie gelingt der Weg in Ausbildung und "
              "Arbeit?", "orange"),
    FieldSpec("Gesellschaftliche Teilhabe", "Wo begegnen sich Alteingesessene und Neue?",
              "pink"),
    FieldSpec("Ehrenamt und bürgerliches Engagement", "Wie stärken wir das Ehrenamt?",
              "purple"),
    FieldSpec("Gesundheit und Pflege", "Was brauchen Zugewanderte im Gesundheitswesen?", "teal"),
)
GROUPS = ("Verwaltung", "Migrantenorganisation", "Wohlfahrtsverband", "Bildungsträger",
          "Ehrenamt", "Bürgerin / Bürger")
STEERING = ("Sozialdezernentin", "Stabsstelle Integration", "Jobcenter Emsland")

# Per event: (title, kind, fields, {field: {cluster heading: [cards]}}, [(field, measure, from
# cluster, responsible)]).
EVENTS = (
    ("Auftaktveranstaltung", "kickoff", ("Sprache", "Gesellschaftliche Teilhabe"), {
        "Sprache": {"Kurse": ["Mehr Abendkurse", "Kinderbetreuung während der Kurse"]},
        "Gesellschaftliche Teilhabe": {"Begegnung": ["Interkulturelles Stadtfest",
                                                     "Vereine öffnen sich"]},
    }, ()),
    ("Workshop-Reihe 1: Sprache und Bildung", "workshop",
     ("Sprache", "Partizipation durch Bildung"), {
        "Sprache": {"Kurse, die in den Alltag passen": ["Sprachkurse am Wochenende",
                                                        "Berufsbezogene Deutschkurse"],
                    "Üben im Alltag": ["Sprachcafé in der Bücherei", "Sprachpatenschaften"]},
        "Partizipation durch Bildung": {"Eltern einbeziehen": ["Mehrsprachige Elternabende",
                                                               "Elternlotsen"]},
    }, (("Sprache", "Sprachcafé in jeder Gemeinde", "Üben im Alltag", "Kreisvolkshochschule"),
        ("Sprache", "Deutschkurse mit Kinderbetreuung", "Kurse, die in den Alltag passen",
         "Kreisvolkshochschule"),
        ("Partizipation durch Bildung", "Elternlotsen an Grundschulen", "Eltern einbeziehen",
         "Bildungsbüro"))),
    ("Workshop-Reihe 2: Arbeit und Gesundheit", "workshop",
     ("Partizipation durch Arbeit und Beruf", "Gesundheit und Pflege"), {
        "Partizipation durch Arbeit und Beruf": {"Brücken in Betriebe": [
            "Praktika mit Sprachbegleitung", "Anerkennung ausländischer Abschlüsse beschleunigen"]},
        "Gesundheit und Pflege": {"Verständigung": ["Dolmetscherpool für Arztpraxen",
                                                    "Mehrsprachige Gesundheitsinfos"]},
    }, (("Partizipation durch Arbeit und Beruf", "Anerkennungsberatung im Jobcenter",
         "Brücken in Betriebe", "Jobcenter Emsland"),
        ("Gesundheit und Pflege", "Dolmetscherpool für Arztpraxen", "Verständigung",
         "Gesundheitsamt"))),
)
PHONE_DOTS = [[0, 0, 1], [1, 3, 3], [0, 2, 4], [4, 1, 0], [2, 2, 3], [0, 1, 4]]
STEERING_DOTS = [[3, 3, 0], [0, 3, 2], [3, 4, 4]]
# Each member's priority per field (1 high, 2 medium, 3 low), in the order of FIELDS; then the
# steering group's decision, and the schedule of the first carried measures.
FIELD_RATINGS = [[1, 2, 1, 2, 3, 2], [1, 1, 2, 2, 3, 3], [2, 2, 1, 3, 3, 1]]
FIELD_DECISION = [1, 2, 1, 2, 3, 2]
SCHEDULE = [("2027 Q1", "Kreisvolkshochschule"), ("2027 Q2", "Kreisvolkshochschule"),
            ("2027", "Bildungsbüro Emsland")]


def _play_event(session: Session, process, owner_id: int, event_date: date, spec) -> tuple:
    title, kind, field_titles, cards, wanted = spec
    ids = [f.id for f in process.fields if f.title in field_titles]
    event = processes.create_event(session, process.id, owner_id, EventSpec(
        title, kind=kind, event_date=event_date, place="Kreishaus Meppen", field_ids=ids))
    by_field = {f.id: f.title for f in process.fields}
    phones = [participants.join(session, event)[0] for _ in range(4)]
    made = {}
    for board in event.boards:
        for n, (heading, texts) in enumerate(cards.get(by_field[board.field_id], {}).items()):
            posted = [ideas.post_idea(session, phones[(n + i) % len(phones)], board.id,
                                      uuid.uuid4().hex, text).idea
                      for i, text in enumerate(texts)]
            made[heading] = (board, clusters.create_cluster(
                session, event.id, owner_id, board.id, heading, idea_ids=[i.id for i in posted]),
                posted)
    results = []
    for field_title, measure, heading, responsible in wanted:
        board, cluster, posted = made[heading]
        results.append(measures.save_measure(session, event.id, owner_id, MeasureSpec(
            measure, board_id=board.id, source_cluster_id=cluster.id,
            source_idea_ids=[posted[0].id], responsible=responsible, horizon="medium")))
    if event.boards:
        phases.set_phase(session, event.id, [], "results")
    return event, results


def create_process_demo(session: Session, owner_id: int) -> dict:
    """The Emsland process played through; returns {process, events, members (name, secret)}."""
    process = processes.create_process(session, owner_id, ProcessSpec(
        TITLE, organiser=ORGANISER, fields=FIELDS, stakeholder_groups=GROUPS))
    start = date.today() - timedelta(days=90)
    events, carried = [], []
    for index, spec in enumerate(EVENTS):
        event, results = _play_event(session, process, owner_id,
                                     start + timedelta(days=30 * index), spec)
        events.append(event)
        carried += results
    closing = processes.create_event(session, process.id, owner_id, EventSpec(
        "Abschlussveranstaltung", kind="closing", event_date=date.today(),
        place="Kreishaus Meppen"))
    events.append(closing)
    items = processes.carry_forward(session, closing.id, owner_id,
                                    measure_ids=[m.id for m in carried])
    round_ = voting.open_round(session, closing.id, RoundSpec(
        target_kind="measure", question="Welche Maßnahmen gehen zuerst ins Integrationskonzept?",
        dots_per_person=3, max_per_item=2, whole_room=True))
    for dots in PHONE_DOTS:
        phone = participants.join(session, closing)[0]
        for index in dots:
            try:
                voting.place_dot(session, phone, round_.id, items[index].id, uuid.uuid4().hex)
            except Exception:  # noqa: BLE001 - a capped dot is simply not placed, as on a phone
                session.rollback()
    decision = processes.put_to_steering_group(session, round_.id)
    members = []
    for name, dots in zip(STEERING, STEERING_DOTS):
        member, secret = processes.add_member(session, process.id, name)
        members.append((member, secret))
        for index in dots:
            try:
                processes.steering_dot(session, member, decision.id, items[index].id)
            except Exception:  # noqa: BLE001
                session.rollback()
    voting.update_round(session, closing.id, round_.id, {"state": "closed", "revealed": True})
    processes.close_decision(session, decision.id)
    field_ids = [f.id for f in process.fields]
    for (member, _), ratings in zip(members, FIELD_RATINGS):
        steering.rate_fields(session, member, dict(zip(field_ids, ratings)))
    decided_on = (closing.event_date or date.today()) + timedelta(days=21)
    steering.record_priorities(session, process.id, dict(zip(field_ids, FIELD_DECISION)),
                               decided_on)
    for item, (start, organisation) in zip(items, SCHEDULE):
        steering.set_schedule(session, process.id, item.id, start, organisation, decided_on)
    return {"process": process, "events": events, "members": members}
