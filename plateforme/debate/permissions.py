"""Who may do what in the debate.

Commenting and proposing belong to their phase and to the consultation's audience
(`can_comment`, `can_propose` in consultations/permissions.py); answering a proposal is
the authority's (`can_answer_proposal`). This module adds the rules on one comment, and
says in a word why someone may not take part, so the page can tell them what to do.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, select

from ..accounts.permissions import is_administrator, is_moderator, is_resident, is_signed_in
from ..consultations.models import Audience, Consultation, ConsultationStatus, PhaseKind
from ..consultations.permissions import is_in_audience
from ..core.models import local_today, utcnow
from ..core.permissions import predicate
from ..core.requests import request_memo
from ..extensions import db
from .models import AccountSuspension, ProposalStatus, Visibility

DEFAULT_EDIT_WINDOW_MINUTES = 15


def edit_window() -> timedelta:
    """How long after posting its author may still correct a comment."""
    return timedelta(minutes=current_app.config.get("DEBATE_EDIT_WINDOW_MINUTES", DEFAULT_EDIT_WINDOW_MINUTES))


def edit_deadline(comment):
    return comment.created_at + edit_window()


def within_edit_window(comment) -> bool:
    return comment.created_at is not None and utcnow() <= edit_deadline(comment)


# A proposal its author may still withdraw: public, or waiting for a moderator.
WITHDRAWABLE = (Visibility.VISIBLE, Visibility.HELD)


@predicate
def can_comment(user, consultation) -> bool:
    """In the debate phase, for people in the consultation's audience who are not suspended."""
    return (consultation.phase_is_open(PhaseKind.DEBATE, local_today()) and is_in_audience(user, consultation)
            and not is_suspended(user))


@predicate
def can_propose(user, consultation) -> bool:
    """In the proposals phase, for people in the consultation's audience who are not suspended."""
    return (consultation.phase_is_open(PhaseKind.PROPOSALS, local_today()) and is_in_audience(user, consultation)
            and not is_suspended(user))


@predicate
def can_reply_to_comment(user, consultation, comment) -> bool:
    """A reply to a visible comment of this consultation, while one may comment."""
    return (comment.consultation_id == consultation.id and comment.is_visible
            and can_comment(user, consultation))


@predicate
def can_withdraw_comment(user, comment) -> bool:
    """Authors withdraw their own visible comments, at any time."""
    return is_signed_in(user) and comment.author_id == user.id and comment.is_visible


def withdrawal_refusal(user, proposal) -> str | None:
    """Why `user` may not withdraw `proposal`, as a word (`services.withdraw_proposal` turns
    it into a sentence); None when they may. Authors withdraw their own proposal until the
    authority answers it, as long as nobody supports it: the people who support a proposal
    keep what they support."""
    if not is_signed_in(user) or proposal.author_id is None or proposal.author_id != user.id:
        return "not_author"
    if proposal.visibility == Visibility.WITHDRAWN:
        return "withdrawn"
    if proposal.visibility not in WITHDRAWABLE:
        return "hidden"
    if proposal.status != ProposalStatus.SUBMITTED:
        return "answered"
    if proposal.supports_count > 0:
        return "supported"
    return None


@predicate
def can_withdraw_proposal(user, proposal) -> bool:
    """See `withdrawal_refusal`: the rule is stated there, once."""
    return withdrawal_refusal(user, proposal) is None


def active_suspension(user):
    """The suspension `user` is under now (the one ending last), or None."""
    if not is_signed_in(user):
        return None

    return db.session.execute(
        select(AccountSuspension).where(AccountSuspension.user_id == user.id, AccountSuspension.ends_at > utcnow())
        .order_by(AccountSuspension.ends_at.desc()).limit(1)).scalar_one_or_none()


@predicate
def is_suspended(user) -> bool:
    """Suspended by a moderator: may not comment, propose, endorse, support or report until it ends.

    Asked on every contribution and reaction: one indexed existence check, remembered for
    the rest of the request (a page asks it for each of its buttons)."""
    if not is_signed_in(user):
        return False

    known = request_memo("suspended_users")
    if user.id not in known:  # forget_suspensions() clears it when one is decided
        known[user.id] = db.session.execute(select(exists().where(
            AccountSuspension.user_id == user.id, AccountSuspension.ends_at > utcnow()))).scalar()
    return known[user.id]


def forget_suspensions() -> None:
    """Drop this request's remembered answers of `is_suspended` (a suspension was just
    decided); it is written to the database first, since `is_suspended` reads it there."""

    db.session.flush()
    request_memo("suspended_users").clear()


@predicate
def can_moderate(user, consultation) -> bool:
    """Moderators of the consultation's territory or of one containing it (a member commune's
    moderator does not moderate the EPCI's debate), and the administrators."""
    return is_administrator(user) or is_moderator(user, consultation.territory)


@predicate
def can_see_held(user, content) -> bool:
    """A held first post (waiting for a moderator) is shown to its author and the
    consultation's moderators only."""
    return is_signed_in(user) and (content.author_id == user.id
                                   or can_moderate(user, _consultation_of(content)))


@predicate
def can_moderate_territory(user, territory) -> bool:
    """Who sets a territory's moderation rules: its moderators (or those of a territory
    containing it) and the administrators."""
    return is_administrator(user) or is_moderator(user, territory)


@predicate
def can_report(user, content) -> bool:
    """Anyone signed in with a confirmed address, not suspended, reports someone else's visible
    comment or proposal."""
    return (is_signed_in(user) and user.is_confirmed and content.is_visible
            and content.author_id != user.id and not is_suspended(user))


def participation_refusal(user, consultation, kind: PhaseKind) -> str | None:
    """Why `user` may not comment (kind DEBATE) or propose (kind PROPOSALS), as a word the
    templates turn into a sentence; None when they may.

    "draft", "cancelled": the consultation is not (or no longer) running;
    "no_phase", "upcoming", "closed": the phase is not open (absent, not begun, over);
    "sign_in", "confirm_email": what the person has to do first;
    "suspended": a moderator suspended the account for a time;
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
        return "suspended" if is_suspended(user) else None
    if consultation.audience == Audience.RESIDENTS and not is_resident(user):
        return "residents_only"
    return "not_in_audience"


# --- endorsing, supporting, editing (issue 6) -------------------------------------------------
# Endorsements belong to the debate phase and supports to the proposals phase: once a phase
# is over its counts are frozen (withdrawing one is refused too), so the figures quoted in
# the synthesis stay the figures on the page.

def _consultation_of(content):
    # Pages and reaction views have it in the session already: no query then.
    return db.session.get(Consultation, content.consultation_id)


@predicate
def can_endorse(user, comment) -> bool:
    """Someone in the audience, while the debate runs, endorses someone else's visible comment."""
    return (is_signed_in(user) and comment.is_visible and comment.author_id != user.id
            and can_comment(user, _consultation_of(comment)))


@predicate
def can_support(user, proposal) -> bool:
    """Someone in the audience, while proposals are collected, supports someone else's visible proposal."""
    return (is_signed_in(user) and proposal.is_visible and proposal.author_id != user.id
            and can_propose(user, _consultation_of(proposal)))


@predicate
def can_edit_comment(user, comment) -> bool:
    """Authors correct their own visible comment for a short while after posting."""
    return (is_signed_in(user) and comment.author_id == user.id and comment.is_visible
            and within_edit_window(comment) and not is_suspended(user))
