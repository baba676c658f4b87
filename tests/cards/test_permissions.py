"""Each issue-card permission rule, role by role."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from plateforme.core.permissions import PREDICATES

from .helpers import BRON, VILLEURBANNE

ANONYMOUS = AnonymousUserMixin()
RULES = ("can_draft_cards", "can_edit_card", "can_publish_card", "can_see_card", "can_see_card_drafts",
         "can_moderate_cards")


@pytest.fixture
def people(make, cards):
    """One person per role; officials and moderators of the card's territory and of another one."""
    return {
        "visitor": ANONYMOUS,
        "resident": make.user(),
        "partner": make.partner(),
        "elected_epci": cards.elected,
        "elected_villeurbanne": make.elected(VILLEURBANNE),
        "elected_bron": make.elected(BRON),
        "moderator_epci": cards.moderator,
        "moderator_bron": make.moderator(BRON),
        "admin": cards.admin,
    }


def test_rules_are_registered_by_name():
    for name in RULES:
        assert name in PREDICATES


def test_who_drafts_cards(people):
    allowed = {name: PREDICATES["can_draft_cards"](person) for name, person in people.items()}
    assert allowed == {"visitor": False, "resident": False, "partner": True, "elected_epci": True,
                       "elected_villeurbanne": True, "elected_bron": True, "moderator_epci": True,
                       "moderator_bron": True, "admin": True}


def test_who_moderates_cards(people):
    allowed = {name: PREDICATES["can_moderate_cards"](person) for name, person in people.items()}
    assert {name for name, ok in allowed.items() if ok} == {"moderator_epci", "moderator_bron", "admin"}


def test_who_edits_a_card_on_villeurbanne(cards, people, make):
    author = make.partner()
    card = cards.draft(author=author, territory=cards.villeurbanne)
    allowed = {name for name, person in people.items() if PREDICATES["can_edit_card"](person, card)}
    # Officials of the commune and of its EPCI, moderators whose territory contains it, admins.
    assert allowed == {"elected_epci", "elected_villeurbanne", "moderator_epci", "admin"}
    assert PREDICATES["can_edit_card"](author, card)


def test_who_publishes_a_card_on_villeurbanne(cards, people):
    card = cards.submitted(territory=cards.villeurbanne)
    allowed = {name for name, person in people.items() if PREDICATES["can_publish_card"](person, card)}
    assert allowed == {"moderator_epci", "admin"}


def test_who_sees_a_card_before_and_after_publication(cards, people):
    draft = cards.draft(territory=cards.villeurbanne)
    before = {name for name, person in people.items() if PREDICATES["can_see_card"](person, draft)}
    assert before == {"elected_epci", "elected_villeurbanne", "moderator_epci", "admin"}
    published = cards.published(territory=cards.villeurbanne)
    after = {name for name, person in people.items() if PREDICATES["can_see_card"](person, published)}
    assert after == set(people)
    drafts = {name for name, person in people.items() if PREDICATES["can_see_card_drafts"](person, published)}
    assert drafts == before


def test_a_card_author_who_lost_their_role_no_longer_edits(cards, make, db):
    author = make.partner()
    card = cards.draft(author=author)
    assert PREDICATES["can_edit_card"](author, card)
    for membership in list(author.memberships):
        db.session.delete(membership)
    db.session.commit()
    db.session.refresh(author)
    assert not PREDICATES["can_edit_card"](author, card)
