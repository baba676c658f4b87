"""Who may do what with issue cards.

Officials, moderators and observatory partners draft cards; a moderator of the territory
(or an administrator) publishes them. Editing someone else's card is authority over the
card's territory: a mandate or an appointment covering it, never one on a member commune.
Published versions are public; drafts are seen by the people who may edit or publish them.
"""
from __future__ import annotations

from ..accounts.permissions import (
    holds_mandate_covering, is_administrator, is_elected_official, is_moderator, is_partner,
)
from ..core.permissions import predicate


@predicate
def can_draft_cards(user) -> bool:
    """Elected officials, moderators, observatory partners and administrators write cards."""
    return is_administrator(user) or is_elected_official(user) or is_moderator(user) or is_partner(user)


@predicate
def can_edit_card(user, card) -> bool:
    """Its author; officials and moderators of the card's territory or of one containing it
    (an official of Villeurbanne does not touch a Métropole card written by others);
    administrators.

    Only a draft version is ever edited; the service starts a new version for a published card.
    """
    if not can_draft_cards(user):
        return False
    if is_administrator(user) or card.created_by_id == user.id:
        return True
    return holds_mandate_covering(user, card.territory) or is_moderator(user, card.territory)


@predicate
def can_publish_card(user, card) -> bool:
    """A moderator of the card's territory or of one containing it, or an administrator."""
    return is_administrator(user) or is_moderator(user, card.territory)


@predicate
def can_see_card(user, card) -> bool:
    """Public once a version is published; before that, whoever may edit or publish it."""
    return card.is_public or can_edit_card(user, card) or can_publish_card(user, card)


@predicate
def can_see_card_drafts(user, card) -> bool:
    """The work in progress on a published card (draft, submitted version)."""
    return can_edit_card(user, card) or can_publish_card(user, card)


@predicate
def can_moderate_cards(user) -> bool:
    """Who sees the queue of cards waiting for publication: moderators and administrators."""
    return is_administrator(user) or is_moderator(user)
