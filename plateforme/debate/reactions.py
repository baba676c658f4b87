"""Endorsing a comment and supporting a proposal: one per person, counted exactly.

The row is written with INSERT … ON CONFLICT DO NOTHING (the unique key decides, so two
quick clicks or two tabs cannot count twice) and removed with one DELETE; the counter is
moved by the database itself, by a trigger on the rows (counters.py), so it never goes
through Python and concurrent people never overwrite each other's increment. The view
commits.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from flask_babel import gettext as _
from sqlalchemy import delete

from ..accounts.models import User
from ..consultations.models import Consultation, PhaseKind
from ..core.database import insert_if_absent
from ..core.models import utcnow
from ..extensions import db
from .models import Comment, Endorsement, Proposal, Support
from .permissions import can_endorse, can_support, participation_refusal
from .services import DebateError, refusal_message

# Posts and reactions, the busiest acts, are logged at DEBUG: the rows say who did what and
# when. Rarer acts (withdrawals, answers, moderation) stay at INFO.
log = logging.getLogger("plateforme.debate.reactions")


def _insert_once(model, **values) -> bool:
    """Insert `model` values unless the same person already did; True when inserted."""
    return insert_if_absent(model, tuple(values), created_at=utcnow(), **values)


def _refresh_counter(content, counter: str) -> None:
    """Load the counter as the database now has it (its trigger moved it)."""
    db.session.expire(content, [counter])


def _refusal(user: User, content, kind: PhaseKind, own: str, gone: str) -> DebateError:
    if content.author_id is not None and user.is_authenticated and content.author_id == user.id:
        return DebateError(own)
    if not content.is_visible:
        return DebateError(gone)
    consultation = db.session.get(Consultation, content.consultation_id)
    return DebateError(refusal_message(participation_refusal(user, consultation, kind), kind))


@dataclass(frozen=True)
class _Reaction:
    """What differs between endorsing a comment and supporting a proposal."""

    row: type  # one row per (content, person)
    key: str  # the row's column naming the content
    counter: str  # the content's counter column (moved by a trigger, counters.py)
    allowed: Callable  # the permission predicate
    refusal: Callable  # (user, content) → DebateError
    added: str  # log lines
    removed: str


def _add_reaction(reaction: _Reaction, user: User, content) -> bool:
    """Add `user`'s reaction to `content`; True when counted now, False when they already had."""
    if not reaction.allowed(user, content):
        raise reaction.refusal(user, content)
    inserted = _insert_once(reaction.row, **{reaction.key: content.id, "user_id": user.id})
    if inserted:
        log.debug(reaction.added, content.id, user.id)
    _refresh_counter(content, reaction.counter)
    return inserted


def _take_back(reaction: _Reaction, user: User, content) -> bool:
    """Remove `user`'s reaction to `content`; True when there was one."""
    if not reaction.allowed(user, content):
        raise reaction.refusal(user, content)
    row = reaction.row
    deleted = db.session.execute(delete(row).where(
        getattr(row, reaction.key) == content.id, row.user_id == user.id)).rowcount == 1
    if deleted:
        log.debug(reaction.removed, content.id, user.id)
    _refresh_counter(content, reaction.counter)
    return deleted


# --- endorsements of comments ----------------------------------------------------------------

def _endorsement_refusal(user: User, comment: Comment) -> DebateError:
    return _refusal(user, comment, PhaseKind.DEBATE, _("On ne peut pas soutenir son propre commentaire."),
                    _("Ce commentaire n'est plus affiché : on ne peut plus le soutenir."))


ENDORSEMENT = _Reaction(Endorsement, "comment_id", "endorsements_count", can_endorse, _endorsement_refusal,
                        "comment %s endorsed by user %s", "endorsement of comment %s withdrawn by user %s")


def endorse(user: User, comment: Comment) -> bool:
    """`user` endorses `comment`; True when counted now, False when they already had."""
    return _add_reaction(ENDORSEMENT, user, comment)


def withdraw_endorsement(user: User, comment: Comment) -> bool:
    """`user` takes back their endorsement; True when there was one."""
    return _take_back(ENDORSEMENT, user, comment)


# --- supports of proposals -------------------------------------------------------------------

def _support_refusal(user: User, proposal: Proposal) -> DebateError:
    return _refusal(user, proposal, PhaseKind.PROPOSALS, _("On ne peut pas soutenir sa propre proposition."),
                    _("Cette proposition n'est plus affichée : on ne peut plus la soutenir."))


SUPPORT = _Reaction(Support, "proposal_id", "supports_count", can_support, _support_refusal,
                    "proposal %s supported by user %s", "support of proposal %s withdrawn by user %s")


def support(user: User, proposal: Proposal) -> bool:
    """`user` supports `proposal`; True when counted now, False when they already had."""
    return _add_reaction(SUPPORT, user, proposal)


def withdraw_support(user: User, proposal: Proposal) -> bool:
    """`user` takes back their support; True when there was one."""
    return _take_back(SUPPORT, user, proposal)
