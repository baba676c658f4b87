"""Each issue-card permission rule, role by role."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from plateforme.core.permissions import PREDICATES

from ..conftest import GENAS, NEIGHBOUR_EPCI
from .helpers import BRON, VILLEURBANNE

ANONYMOUS = AnonymousUserMixin()
RULES = ("can_draft_cards", "can_edit_card", "can_publish_card", "can_see_card", "can_see_card_drafts",
         "can_moderate_cards")


@pytest.fixture
def people(make, cards, neighbour):
    """One person per role; officials and moderators of the Métropole, of member communes and
    of a neighbouring EPCI (the CC de l'Est Lyonnais)."""
    return {
        "visitor": ANONYMOUS,
        "resident": make.user(),
        "partner": make.partner(),
        "elected_epci": cards.elected,
        "elected_villeurbanne": make.elected(VILLEURBANNE),
        "elected_bron": make.elected(BRON),
        "elected_neighbour": make.elected(NEIGHBOUR_EPCI, commune=GENAS),
        "moderator_epci": cards.moderator,
        "moderator_villeurbanne": make.moderator(VILLEURBANNE),
        "moderator_bron": make.moderator(BRON),
        "moderator_neighbour": make.moderator(NEIGHBOUR_EPCI, commune=GENAS),
        "admin": cards.admin,
    }


def test_rules_are_registered_by_name():
    for name in RULES:
        assert name in PREDICATES


def test_who_drafts_cards(people):
    allowed = {name: PREDICATES["can_draft_cards"](person) for name, person in people.items()}
    assert allowed == {"visitor": False, "resident": False, "partner": True, "elected_epci": True,
                       "elected_villeurbanne": True, "elected_bron": True, "elected_neighbour": True,
                       "moderator_epci": True, "moderator_villeurbanne": True, "moderator_bron": True,
                       "moderator_neighbour": True, "admin": True}


def test_who_moderates_cards(people):
    allowed = {name: PREDICATES["can_moderate_cards"](person) for name, person in people.items()}
    # The queue itself: each sees there only what they may publish (cards/queries.py).
    assert {name for name, ok in allowed.items() if ok} == {"moderator_epci", "moderator_villeurbanne",
                                                            "moderator_bron", "moderator_neighbour", "admin"}


def test_who_edits_a_card_on_villeurbanne(cards, people, make):
    author = make.partner()
    card = cards.draft(author=author, territory=cards.villeurbanne)
    allowed = {name for name, person in people.items() if PREDICATES["can_edit_card"](person, card)}
    # Officials of the commune and of its EPCI, moderators whose territory contains it, admins.
    assert allowed == {"elected_epci", "elected_villeurbanne", "moderator_epci", "moderator_villeurbanne", "admin"}
    assert PREDICATES["can_edit_card"](author, card)


def test_who_edits_a_metropole_card(cards, people, make):
    """Only a mandate or an appointment covering the Métropole: Villeurbanne's and Bron's
    officials and moderators do not touch a card written by another organisation, nor does a
    neighbour's."""
    author = make.partner()
    card = cards.draft(author=author)
    allowed = {name for name, person in people.items() if PREDICATES["can_edit_card"](person, card)}
    assert allowed == {"elected_epci", "moderator_epci", "admin"}
    assert PREDICATES["can_edit_card"](author, card)


def test_who_publishes_a_card_on_villeurbanne(cards, people):
    card = cards.submitted(territory=cards.villeurbanne)
    allowed = {name for name, person in people.items() if PREDICATES["can_publish_card"](person, card)}
    assert allowed == {"moderator_epci", "moderator_villeurbanne", "admin"}


def test_who_publishes_a_metropole_card(cards, people):
    card = cards.submitted()
    allowed = {name for name, person in people.items() if PREDICATES["can_publish_card"](person, card)}
    assert allowed == {"moderator_epci", "admin"}


def test_who_sees_a_card_before_and_after_publication(cards, people):
    draft = cards.draft(territory=cards.villeurbanne)
    before = {name for name, person in people.items() if PREDICATES["can_see_card"](person, draft)}
    assert before == {"elected_epci", "elected_villeurbanne", "moderator_epci", "moderator_villeurbanne", "admin"}
    published = cards.published(territory=cards.villeurbanne)
    after = {name for name, person in people.items() if PREDICATES["can_see_card"](person, published)}
    assert after == set(people)
    drafts = {name for name, person in people.items() if PREDICATES["can_see_card_drafts"](person, published)}
    assert drafts == before


def test_who_sees_a_metropole_draft(cards, people, make):
    draft = cards.draft(author=make.partner())
    allowed = {name for name, person in people.items() if PREDICATES["can_see_card"](person, draft)}
    assert allowed == {"elected_epci", "moderator_epci", "admin"}


def test_a_card_author_who_lost_their_role_no_longer_edits(cards, make, db):
    author = make.partner()
    card = cards.draft(author=author)
    assert PREDICATES["can_edit_card"](author, card)
    for membership in list(author.memberships):
        db.session.delete(membership)
    db.session.commit()
    db.session.refresh(author)
    assert not PREDICATES["can_edit_card"](author, card)
