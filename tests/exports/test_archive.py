"""The JSON archive: everything a workshop holds, nothing secret, and a round trip that gives the
same file. On SQLite and PostgreSQL."""
import base64
import copy
import json

import pytest

from facilitator.domain import archive, photos, voting
from facilitator.domain.archive import ArchiveInvalid
from facilitator.models import (Idea, Participant, Photo, Vote, VoteRound, Workshop,
                                WorkshopFacilitator)
from facilitator.reports.record import build_record

from export_helpers import HIDDEN_TEXT, WITHDRAWN_TEXT, play_workshop, png_bytes


def without_time(exported: dict) -> dict:
    exported = copy.deepcopy(exported)
    exported.pop("exported_at")
    return exported


@pytest.fixture
def played(make, uploads):
    return play_workshop(make)


def test_the_export_holds_the_whole_workshop_and_nothing_secret(make, session, played):
    workshop = played.workshop
    exported = archive.export_workshop(session, workshop.id)
    text = archive.dumps(exported).decode("utf-8")

    assert exported["format"] == "facilitator-workshop" and exported["version"] == 1
    assert exported["workshop"]["organiser"] == "Landkreis Emsland"
    assert [b["title"] for b in exported["boards"]] == [b.title for b in workshop.boards]
    assert len(exported["participants"]) == 6
    assert {i["state"] for i in exported["ideas"]} == {"visible", "hidden", "merged"}
    assert len(exported["clusters"]) == 3 and len(exported["measures"]) == 1
    assert [r["kind"] for r in exported["vote_rounds"]] == ["dots", "dots", "consent"]
    assert len(exported["photos"]) == 3 and all(p["data"] for p in exported["photos"])
    assert [c["phase"] for c in exported["phase_changes"]][:2] == ["cluster", "cluster"]
    for text_shown in played.visible:
        assert json.dumps(text_shown, ensure_ascii=False)[1:-1] in text
    # Secrets and hidden words stay behind.
    for secret in (HIDDEN_TEXT, WITHDRAWN_TEXT, workshop.join_code, workshop.screen_key):
        assert secret not in text
    for participant in session.query(Participant).filter_by(workshop_id=workshop.id):
        assert participant.token_hash not in text
    assert "display_name" not in text and "token" not in text


def test_names_are_exported_only_on_request(make, session, uploads):
    workshop = make.workshop()
    make.participant(workshop, display_name="Aylin")

    assert "Aylin" not in archive.dumps(archive.export_workshop(session, workshop.id)).decode()
    named = archive.export_workshop(session, workshop.id, include_names=True)
    assert named["participants"][0]["display_name"] == "Aylin"


def test_export_import_export_gives_the_same_file(make, session, played):
    first = archive.export_workshop(session, played.workshop.id)
    importer = make.facilitator("Moderation Nord")

    copy_ = make.run(archive.import_workshop, importer.id, archive.dumps(first))

    second = archive.export_workshop(session, copy_.id)
    assert without_time(second) == without_time(first)


def test_an_imported_workshop_is_new_and_belongs_to_the_importer(make, session, played):
    original = played.workshop
    importer = make.facilitator("Moderation Nord")

    copy_ = make.run(archive.import_workshop, importer.id,
                     archive.dumps(archive.export_workshop(session, original.id)))

    assert copy_.id != original.id
    assert copy_.join_code != original.join_code and copy_.screen_key != original.screen_key
    assert make.count(WorkshopFacilitator, workshop_id=copy_.id) == 1
    assert make.count(WorkshopFacilitator, workshop_id=copy_.id,
                      facilitator_id=importer.id) == 1
    assert make.count(Idea, workshop_id=copy_.id) == make.count(
        Idea, workshop_id=original.id) - 1  # the withdrawn card stays behind
    hidden = session.query(Idea).filter_by(workshop_id=copy_.id, state="hidden").one()
    assert hidden.text == ""
    # The record of the copy shows the same results as the original's.
    before, after = build_record(session, original.id), build_record(session, copy_.id)
    assert [[(c.heading, c.votes, c.rank) for c in b.clusters] for b in after.boards] == \
        [[(c.heading, c.votes, c.rank) for c in b.clusters] for b in before.boards]
    assert after.participation.total == before.participation.total
    assert after.hidden_count == before.hidden_count
    # Its photos are files of its own.
    originals = {p.filename for p in session.query(Photo).filter_by(workshop_id=original.id)}
    copies = {p.filename for p in session.query(Photo).filter_by(workshop_id=copy_.id)}
    assert len(copies) == 3 and not originals & copies


def test_an_imported_consent_rating_can_still_be_changed_if_the_round_is_reopened(
        make, session, played):
    exported = archive.export_workshop(session, played.workshop.id)
    copy_ = make.run(archive.import_workshop, played.owner.id, archive.dumps(exported))
    consent = session.query(VoteRound).filter_by(workshop_id=copy_.id, kind="consent").one()
    make.run(voting.update_round, copy_.id, consent.id, {"state": "open"})
    voter = session.get(Participant, session.query(Vote.participant_id).filter_by(
        round_id=consent.id).first()[0])

    make.run(voting.rate_option, voter, consent.id, 1, 9)

    assert make.count(Vote, round_id=consent.id, participant_id=voter.id) == 3


def broken(exported: dict, change) -> bytes:
    damaged = copy.deepcopy(exported)
    change(damaged)
    return json.dumps(damaged).encode()


@pytest.mark.parametrize("damage, where", [
    (lambda a: a.update(format="something-else"), "format"),
    (lambda a: a.update(version=99), "version"),
    (lambda a: a["workshop"].pop("title"), "workshop.title"),
    (lambda a: a["workshop"].update(title="x" * 500), "workshop.title"),
    (lambda a: a["workshop"].update(event_date="22.11.2026"), "workshop.event_date"),
    (lambda a: a["boards"][0].update(colour="chartreuse"), "boards[0].colour"),
    (lambda a: a["ideas"][0].update(board=99), "ideas[0].board"),
    (lambda a: a["ideas"][1].update(text=None), "ideas[1].text"),
    (lambda a: a["clusters"].append(dict(a["clusters"][0])), "clusters[3].id"),
    (lambda a: a["vote_rounds"][0]["votes"][0].update(participant=999),
     "vote_rounds[0].votes[0].participant"),
    (lambda a: a["vote_rounds"][2]["votes"].append(a["vote_rounds"][2]["votes"][0]),
     "vote_rounds[2].votes[18]"),
    (lambda a: a["photos"][0].update(data=base64.b64encode(b"not a picture").decode()),
     "photos[0].data"),
    (lambda a: a["photos"][0].update(data="%%%"), "photos[0].data"),
    (lambda a: a.update(ideas={"not": "a list"}), "ideas"),
])
def test_a_damaged_file_is_refused_with_where_and_changes_nothing(make, session, played, uploads,
                                                                  damage, where):
    exported = archive.export_workshop(session, played.workshop.id)
    files_before = sorted(uploads.rglob("*"))
    counts = {model: make.count(model) for model in (Workshop, Idea, Photo, Vote, Participant)}

    with pytest.raises(ArchiveInvalid) as refused:
        make.run(archive.import_workshop, played.owner.id, broken(exported, damage))

    assert refused.value.params["where"] == where
    assert {model: make.count(model) for model in counts} == counts
    assert sorted(uploads.rglob("*")) == files_before


@pytest.mark.parametrize("data", [b"", b"not json at all", b"\xff\xfe\x00garbage", b"[1, 2]",
                                  b'{"format": "facilitator-workshop"}', b"[" * 100_000])
def test_something_that_is_not_an_export_is_refused(make, session, uploads, data):
    owner = make.facilitator()

    with pytest.raises(ArchiveInvalid):
        make.run(archive.import_workshop, owner.id, data)

    assert make.count(Workshop) == 0


def test_a_photo_listed_without_its_image_is_left_out(make, session, uploads):
    workshop = make.workshop()
    make.run(photos.add_photo, workshop.id, png_bytes())
    exported = archive.export_workshop(session, workshop.id, include_photos=False)
    assert "data" not in exported["photos"][0]

    copy_ = make.run(archive.import_workshop, make.facilitator().id, archive.dumps(exported))

    assert make.count(Photo, workshop_id=copy_.id) == 0
