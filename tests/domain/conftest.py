"""Fixtures shared by the domain tests: a workshop run by its owner, and its first board."""
import pytest


@pytest.fixture
def owner(make):
    return make.facilitator()


@pytest.fixture
def workshop(make, owner):
    return make.workshop(owner)


@pytest.fixture
def board(workshop):
    return workshop.boards[0]
