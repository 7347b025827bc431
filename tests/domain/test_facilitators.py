"""Facilitator accounts: no default password, one-time sign-in links, optional passwords."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from facilitator.domain import facilitators
from facilitator.domain.errors import InvalidInput, SignInLinkInvalid
from facilitator.domain.tokens import digest
from facilitator.models import Facilitator, SignInLink, utcnow


def test_new_account_has_no_password_and_cannot_sign_in_with_one(session, make):
    facilitator = facilitators.create_facilitator(session, "  Moderation ")

    assert make.fresh(Facilitator, facilitator.id).password_hash is None
    assert facilitator.name == "Moderation"
    for guess in ("", "Moderation", "password", None):
        assert facilitators.check_password(session, "Moderation", guess) is None


def test_sign_in_link_works_exactly_once(session, make):
    facilitator = make.facilitator("Kim")
    secret = facilitators.new_sign_in_link(session, facilitator)

    assert facilitators.redeem_sign_in_link(session, secret).id == facilitator.id
    with pytest.raises(SignInLinkInvalid):
        facilitators.redeem_sign_in_link(session, secret)


def test_only_a_hash_of_the_link_secret_is_stored(session, make):
    secret = facilitators.new_sign_in_link(session, make.facilitator())

    link = session.scalars(select(SignInLink)).one()
    assert link.secret_hash == digest(secret) != secret


def test_expired_link_is_refused(session, make):
    secret = facilitators.new_sign_in_link(session, make.facilitator())
    session.execute(update(SignInLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()

    with pytest.raises(SignInLinkInvalid):
        facilitators.redeem_sign_in_link(session, secret)


def test_link_is_valid_for_a_day(session, make):
    facilitators.new_sign_in_link(session, make.facilitator())
    lifetime = session.scalars(select(SignInLink)).one().expires_at - utcnow()
    assert timedelta(hours=23, minutes=59) < lifetime <= timedelta(hours=24)


@pytest.mark.parametrize("secret", ["", "not-a-link", "x" * 200])
def test_unknown_link_is_refused(session, make, secret):
    facilitators.new_sign_in_link(session, make.facilitator())
    with pytest.raises(SignInLinkInvalid):
        facilitators.redeem_sign_in_link(session, secret)


def test_two_links_of_one_account_are_independent(session, make):
    facilitator = make.facilitator()
    first = facilitators.new_sign_in_link(session, facilitator)
    second = facilitators.new_sign_in_link(session, facilitator)

    facilitators.redeem_sign_in_link(session, first)

    assert facilitators.redeem_sign_in_link(session, second).id == facilitator.id


def test_names_are_unique(session, make):
    make.facilitator("Moderation")

    with pytest.raises(InvalidInput) as refused:
        facilitators.create_facilitator(session, "Moderation")
    assert refused.value.params["field"] == "name_taken"
    assert make.count(Facilitator) == 1
    # The session is usable after the refusal.
    assert facilitators.create_facilitator(session, "Moderation 2").id


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, None])
def test_bad_names_are_refused(session, make, name):
    with pytest.raises(InvalidInput):
        facilitators.create_facilitator(session, name)
    assert make.count(Facilitator) == 0


def test_password_needs_ten_characters_and_then_signs_in(session, make):
    facilitator = make.facilitator("Kim")

    with pytest.raises(InvalidInput) as refused:
        facilitators.set_password(session, facilitator, "kurz")
    assert refused.value.params["min"] == 10
    assert make.fresh(Facilitator, facilitator.id).password_hash is None

    facilitators.set_password(session, facilitator, "lange genug 123")

    assert facilitators.check_password(session, "Kim", "lange genug 123").id == facilitator.id
    assert facilitators.check_password(session, "Kim", "lange genug 124") is None
    assert facilitators.check_password(session, "Niemand", "lange genug 123") is None
    assert "lange genug" not in make.fresh(Facilitator, facilitator.id).password_hash


def test_has_any_tells_whether_the_first_account_exists(session, make):
    assert not facilitators.has_any(session)
    make.facilitator()
    assert facilitators.has_any(session)
