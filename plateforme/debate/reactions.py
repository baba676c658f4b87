"""Endorsing a comment and supporting a proposal: one per person, counted exactly.

The row and its counter change in the request's one transaction. The row is written with
INSERT … ON CONFLICT DO NOTHING (the unique key decides, so two quick clicks or two tabs
cannot count twice), and the counter moves by a single SQL UPDATE only when a row was
really inserted or deleted: it never reads the count into Python, so concurrent people
never overwrite each other's increment. The view commits.
"""
from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import delete, update

from ..accounts.models import User
from ..consultations.models import Consultation, PhaseKind
from ..core.database import insert_if_absent, write_phase
from ..core.models import utcnow
from ..extensions import db
from .models import Comment, Endorsement, Proposal, Support
from .permissions import can_endorse, can_support, participation_refusal
from .services import DebateError, refusal_message

log = logging.getLogger("plateforme.debate.reactions")


def _insert_once(model, **values) -> bool:
    """Insert `model` values unless the same person already did; True when inserted."""
    return insert_if_absent(model, tuple(values), created_at=utcnow(), **values)


def _move_counter(model, counter, target_id: int, step: int) -> None:
    """`counter = counter + step` in the database itself (one UPDATE, no read)."""
    column = getattr(model, counter)
    db.session.execute(update(model).where(model.id == target_id).values({counter: column + step})
                       .execution_options(synchronize_session=False))


def _refresh_counter(content, counter: str) -> None:
    """Load the counter as the database now has it (the page shows it right after)."""
    db.session.expire(content, [counter])


def _refusal(user: User, content, kind: PhaseKind, own: str, gone: str) -> DebateError:
    if content.author_id is not None and user.is_authenticated and content.author_id == user.id:
        return DebateError(own)
    if not content.is_visible:
        return DebateError(gone)
    consultation = db.session.get(Consultation, content.consultation_id)
    return DebateError(refusal_message(participation_refusal(user, consultation, kind), kind))


# --- endorsements of comments ----------------------------------------------------------------

def _endorsement_refusal(user: User, comment: Comment) -> DebateError:
    return _refusal(user, comment, PhaseKind.DEBATE, _("On ne peut pas soutenir son propre commentaire."),
                    _("Ce commentaire n'est plus affiché : on ne peut plus le soutenir."))


def endorse(user: User, comment: Comment) -> bool:
    """`user` endorses `comment`; True when counted now, False when they already had."""
    if not can_endorse(user, comment):
        raise _endorsement_refusal(user, comment)
    with write_phase():
        inserted = _insert_once(Endorsement, comment_id=comment.id, user_id=user.id)
        if inserted:
            _move_counter(Comment, "endorsements_count", comment.id, +1)
            log.info("comment %s endorsed by user %s", comment.id, user.id)
    _refresh_counter(comment, "endorsements_count")
    return inserted


def withdraw_endorsement(user: User, comment: Comment) -> bool:
    """`user` takes back their endorsement; True when there was one."""
    if not can_endorse(user, comment):
        raise _endorsement_refusal(user, comment)
    with write_phase():
        deleted = db.session.execute(delete(Endorsement).where(
            Endorsement.comment_id == comment.id, Endorsement.user_id == user.id)).rowcount == 1
        if deleted:
            _move_counter(Comment, "endorsements_count", comment.id, -1)
            log.info("endorsement of comment %s withdrawn by user %s", comment.id, user.id)
    _refresh_counter(comment, "endorsements_count")
    return deleted


# --- supports of proposals -------------------------------------------------------------------

def _support_refusal(user: User, proposal: Proposal) -> DebateError:
    return _refusal(user, proposal, PhaseKind.PROPOSALS, _("On ne peut pas soutenir sa propre proposition."),
                    _("Cette proposition n'est plus affichée : on ne peut plus la soutenir."))


def support(user: User, proposal: Proposal) -> bool:
    """`user` supports `proposal`; True when counted now, False when they already had."""
    if not can_support(user, proposal):
        raise _support_refusal(user, proposal)
    with write_phase():
        inserted = _insert_once(Support, proposal_id=proposal.id, user_id=user.id)
        if inserted:
            _move_counter(Proposal, "supports_count", proposal.id, +1)
            log.info("proposal %s supported by user %s", proposal.id, user.id)
    _refresh_counter(proposal, "supports_count")
    return inserted


def withdraw_support(user: User, proposal: Proposal) -> bool:
    """`user` takes back their support; True when there was one."""
    if not can_support(user, proposal):
        raise _support_refusal(user, proposal)
    with write_phase():
        deleted = db.session.execute(delete(Support).where(
            Support.proposal_id == proposal.id, Support.user_id == user.id)).rowcount == 1
        if deleted:
            _move_counter(Proposal, "supports_count", proposal.id, -1)
            log.info("support of proposal %s withdrawn by user %s", proposal.id, user.id)
    _refresh_counter(proposal, "supports_count")
    return deleted

