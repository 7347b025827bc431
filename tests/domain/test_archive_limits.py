"""Imports refuse what the live workshop could never have held, whole and with a clear reason:
dots beyond the round's budget or cap, and numbers too large for the database (which answered 500
before). A refusal half-way through the (chunked) import leaves nothing behind."""
import copy

import pytest

from facilitator.domain import archive
from facilitator.domain.archive import ArchiveInvalid
from facilitator.models import Cluster, Idea, Participant, Vote, VoteRound, Workshop

COUNTED = (Workshop, Idea, Participant, Cluster, VoteRound, Vote)


@pytest.fixture
def exported():
    """An export (as the format has it) with two cards, two clusters and a dot round (budget
    2, cap 1) in which the first participant used both dots."""
    return {
        "format": "facilitator-workshop", "version": 1,
        "workshop": {"title": "Auftakt", "language": "de"},
        "boards": [{"id": 1, "title": "Wohnen", "colour": "yellow"}],
        "participants": [{"id": 1}, {"id": 2}],
        "clusters": [{"id": 1, "board": 1, "heading": "Sprache", "position": 0},
                     {"id": 2, "board": 1, "heading": "Wohnen", "position": 1}],
        "ideas": [{"id": n, "board": 1, "participant": n, "cluster": n, "position": 0,
                   "text": f"Karte {n}"} for n in (1, 2)],
        "vote_rounds": [{"kind": "dots", "target_kind": "cluster", "boards": [1],
                         "dots_per_person": 2, "max_per_item": 1, "state": "closed",
                         "votes": [{"participant": 1, "target": 1, "value": 1},
                                   {"participant": 1, "target": 2, "value": 1}]}],
    }


@pytest.fixture
def owner(make):
    return make.facilitator()


def refused(make, owner, data, counted=COUNTED) -> str:
    counts = {model: make.count(model) for model in counted}
    with pytest.raises(ArchiveInvalid) as refusal:
        make.run(archive.import_workshop, owner.id, data)
    assert {model: make.count(model) for model in counted} == counts
    return str(refusal.value)


def test_the_export_imports_as_it_is(make, owner, exported):
    copy_ = make.run(archive.import_workshop, owner.id, exported)
    assert make.count(Vote) == 2 and make.count(Idea, workshop_id=copy_.id) == 2


def test_dots_beyond_the_rounds_budget_are_refused_whole(make, owner, exported):
    damaged = copy.deepcopy(exported)
    votes = damaged["vote_rounds"][0]["votes"]
    votes.append({**votes[0], "target": damaged["clusters"][1]["id"]})

    reason = refused(make, owner, damaged)

    assert "budget of 2" in reason and "vote_rounds[0].votes[2]" in reason


def test_more_dots_on_one_item_than_the_cap_are_refused_whole(make, owner, exported):
    damaged = copy.deepcopy(exported)
    damaged["vote_rounds"][0]["dots_per_person"] = 5
    votes = damaged["vote_rounds"][0]["votes"]
    votes.append(dict(votes[0]))

    assert "cap of 1" in refused(make, owner, damaged)


def test_a_cap_above_the_budget_is_refused(make, owner, exported):
    damaged = copy.deepcopy(exported)
    damaged["vote_rounds"][0]["max_per_item"] = 3

    assert "max_per_item" in refused(make, owner, damaged)


@pytest.mark.parametrize("huge", [2 ** 31, -(2 ** 63) - 1])
def test_numbers_too_large_for_the_database_are_refused_clearly(make, owner, exported, huge):
    for where in ("participants.id", "ideas.id", "ideas.position", "clusters.position",
                  "boards.max_ideas_per_person"):
        damaged = copy.deepcopy(exported)
        kind, key = where.split(".")
        damaged[kind][-1][key] = huge

        assert f"{kind}[{len(damaged[kind]) - 1}].{key}" in refused(make, owner, damaged,
                                                                   counted=(Workshop,))


def test_a_refusal_after_rows_were_written_leaves_nothing_behind(make, owner, exported,
                                                                  monkeypatch):
    # Small pieces: cards and clusters are committed before the round is refused.
    monkeypatch.setattr(archive, "CHUNK", 1)
    damaged = copy.deepcopy(exported)
    damaged["vote_rounds"][0]["votes"].append(dict(damaged["vote_rounds"][0]["votes"][0]))

    refused(make, owner, damaged)
