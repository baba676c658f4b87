"""Who may do what in the debate.

Commenting and proposing belong to their phase and to the consultation's audience
(`can_comment`, `can_propose` in consultations/permissions.py); answering a proposal is
the authority's (`can_answer_proposal`). This module adds the rules on one comment, and
says in a word why someone may not take part, so the page can tell them what to do.
"""
from __future__ import annotations

from ..accounts.permissions import is_resident, is_signed_in
from ..consultations.models import Audience, ConsultationStatus, PhaseKind
from ..consultations.permissions import can_comment, is_in_audience
from ..core.models import local_today
from ..core.permissions import predicate


@predicate
def can_reply_to_comment(user, consultation, comment) -> bool:
    """A reply to a visible comment of this consultation, while one may comment."""
    return (comment.consultation_id == consultation.id and comment.is_visible
            and can_comment(user, consultation))


@predicate
def can_withdraw_comment(user, comment) -> bool:
    """Authors withdraw their own visible comments, at any time."""
    return is_signed_in(user) and comment.author_id == user.id and comment.is_visible


def participation_refusal(user, consultation, kind: PhaseKind) -> str | None:
    """Why `user` may not comment (kind DEBATE) or propose (kind PROPOSALS), as a word the
    templates turn into a sentence; None when they may.

    "draft", "cancelled": the consultation is not (or no longer) running;
    "no_phase", "upcoming", "closed": the phase is not open (absent, not begun, over);
    "sign_in", "confirm_email": what the person has to do first;
    "residents_only", "not_in_audience": the consultation is for others.
    """
    if consultation.status == ConsultationStatus.DRAFT:
        return "draft"
    if consultation.status == ConsultationStatus.CANCELLED:
        return "cancelled"
    phase = consultation.phase(kind)
    if phase is None:
        return "no_phase"
    today = local_today()
    if today < phase.starts_on:
        return "upcoming"
    if today > phase.ends_on:
        return "closed"
    if not is_signed_in(user):
        return "sign_in"
    if not user.is_confirmed:
        return "confirm_email"
    if is_in_audience(user, consultation):
        return None
    if consultation.audience == Audience.RESIDENTS and not is_resident(user):
        return "residents_only"
    return "not_in_audience"
