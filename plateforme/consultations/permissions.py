"""Who may do what with consultations, their synthesis, response and commitments.

An elected official opens a consultation only on a territory within one of their verified
mandates; the territory's officials run it; a moderator writes the synthesis; the
officials publish the authority's response and update its commitments.
"""
from __future__ import annotations

from ..accounts.permissions import (
    holds_mandate_covering, is_administrator, is_elected_official, is_moderator, is_resident, is_signed_in,
)
from ..core.models import local_today
from ..core.permissions import predicate
from ..territories.models import territory_contains
from .models import Audience, ConsultationStatus, PhaseKind


@predicate
def can_open_consultation(user) -> bool:
    """Elected officials with a verified mandate (the form offers their territories)."""
    return is_elected_official(user)


@predicate
def can_open_consultation_on(user, territory) -> bool:
    """Only within a verified mandate's territory (an administrator anywhere): a member
    commune's official does not open one on the whole EPCI."""
    return is_administrator(user) or holds_mandate_covering(user, territory)


@predicate
def can_manage_consultation(user, consultation) -> bool:
    """Edit, publish, cancel: officials whose mandate covers the territory, and administrators
    (a member commune's official does not run the EPCI's consultation)."""
    return is_administrator(user) or holds_mandate_covering(user, consultation.territory)


@predicate
def can_see_consultation(user, consultation) -> bool:
    """Published (or cancelled) consultations are public; drafts are their managers'."""
    return consultation.is_public or can_manage_consultation(user, consultation)


@predicate
def is_in_audience(user, consultation) -> bool:
    """Who may take part: any registered (confirmed) person, or residents of the territory."""
    if not is_signed_in(user) or not user.is_confirmed:
        return False
    if consultation.audience == Audience.REGISTERED:
        return True
    return is_resident(user) and territory_contains(consultation.territory, user.commune)


@predicate
def can_follow_consultation(user, consultation) -> bool:
    return is_signed_in(user) and consultation.status == ConsultationStatus.PUBLISHED


@predicate
def can_write_synthesis(user, consultation) -> bool:
    """A moderator of the territory or of one containing it (or an administrator), once the
    synthesis phase has begun, and only once: a published synthesis is not rewritten."""
    if consultation.synthesis is not None:
        return False
    if not consultation.phase_has_started(PhaseKind.SYNTHESIS, local_today()):
        return False
    return is_administrator(user) or is_moderator(user, consultation.territory)


@predicate
def can_publish_response(user, consultation) -> bool:
    """The territory's officials (or an administrator), once the response phase has begun."""
    if consultation.response is not None:
        return False
    if not consultation.phase_has_started(PhaseKind.RESPONSE, local_today()):
        return False
    return can_manage_consultation(user, consultation)


@predicate
def can_update_commitment(user, commitment) -> bool:
    """The territory's officials and administrators report progress."""
    return can_manage_consultation(user, commitment.response.consultation)


@predicate
def can_answer_proposal(user, proposal_consultation) -> bool:
    """The authority (the territory's officials) answers proposals, with a public justification."""
    return can_manage_consultation(user, proposal_consultation)
