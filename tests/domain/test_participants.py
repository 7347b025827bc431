"""Anonymous phones: a random token, a name and a stakeholder group only if the person chose them."""
import pytest

from facilitator.domain import participants
from facilitator.domain.errors import InvalidInput, TextTooLong
from facilitator.domain.tokens import digest
from facilitator.models import NAME_MAX_CHARS, Participant


@pytest.fixture
def workshop(make):
    return make.workshop()


def test_joining_is_anonymous_by_default(session, make, workshop):
    participant, token = participants.join(session, workshop)

    stored = make.fresh(Participant, participant.id)
    assert (stored.display_name, stored.stakeholder_group_id) == (None, None)
    assert participants.find(session, workshop.id, token).id == participant.id


def test_blank_name_stays_anonymous(session, workshop):
    participant, _ = participants.join(session, workshop, "   ", "")
    assert participant.display_name is None


def test_joining_with_a_name_and_a_stakeholder_group(session, make, workshop):
    group = workshop.stakeholder_groups[3]

    participant, _ = participants.join(session, workshop, "  Oksana ", group.id)

    stored = make.fresh(Participant, participant.id)
    assert (stored.display_name, stored.stakeholder_group_id) == ("Oksana", group.id)


def test_only_a_hash_of_the_phones_token_is_stored(session, make, workshop):
    participant, token = participants.join(session, workshop)

    stored = make.fresh(Participant, participant.id)
    assert len(token) >= 32
    assert stored.token_hash == digest(token) != token


def test_every_phone_gets_its_own_token(session, workshop):
    tokens = {participants.join(session, workshop)[1] for _ in range(20)}
    assert len(tokens) == 20


@pytest.mark.parametrize("group", ["Verwaltung", 999999, True, "1"])
def test_unknown_or_malformed_group_is_refused_and_nobody_joins(session, make, workshop, group):
    with pytest.raises(InvalidInput):
        participants.join(session, workshop, "Name", group)
    assert make.count(Participant) == 0


def test_group_of_another_workshop_is_refused(session, make, workshop):
    other = make.workshop()
    with pytest.raises(InvalidInput):
        participants.join(session, workshop, None, other.stakeholder_groups[0].id)
    assert make.count(Participant) == 0


@pytest.mark.parametrize("name, error", [("x" * (NAME_MAX_CHARS + 1), TextTooLong),
                                         (["Liste"], InvalidInput), (12, InvalidInput)])
def test_bad_name_is_refused_and_nobody_joins(session, make, workshop, name, error):
    with pytest.raises(error):
        participants.join(session, workshop, name)
    assert make.count(Participant) == 0


def test_token_only_opens_its_own_workshop(session, make, workshop):
    other = make.workshop()
    _, token = participants.join(session, workshop)

    assert participants.find(session, other.id, token) is None
    assert participants.find(session, workshop.id, token + "x") is None
    assert participants.find(session, workshop.id, None) is None
    assert participants.find(session, workshop.id, "") is None


def test_returning_phone_changes_name_and_group(session, make, workshop):
    participant, _ = participants.join(session, workshop, "Ali", workshop.stakeholder_groups[0].id)

    participants.update_profile(session, participant, "Ali K.", workshop.stakeholder_groups[1].id)
    stored = make.fresh(Participant, participant.id)
    assert (stored.display_name, stored.stakeholder_group_id) == (
        "Ali K.", workshop.stakeholder_groups[1].id)

    participants.update_profile(session, participant, "", None)
    stored = make.fresh(Participant, participant.id)
    assert (stored.display_name, stored.stakeholder_group_id) == (None, None)
