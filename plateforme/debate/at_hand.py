"""What a debate POST acts on, read in one statement and without mapped objects.

Commenting, proposing, endorsing and supporting are the busiest writes of the site. Their
rules (consultations/permissions.py, debate/permissions.py) need little: the
consultation's status, audience, territory and phase dates, whether the person is
suspended, and for a reaction the contribution's author and visibility. Loading the mapped
`Consultation` with its phases cost about a third of a comment; these light values stand in
for it in the same predicates (`ConsultationAtHand` shares `PhaseCalendar` with the model).
Pages, and a POST that must show its form again, keep the mapped objects.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from flask_login import current_user
from sqlalchemy import bindparam, exists, select

from ..accounts.auth import adopt_signed_in_user, claimed_identity, signed_in_condition
from ..accounts.models import User
from ..consultations.models import (
    Audience, Consultation, ConsultationFollow, ConsultationPhase, ConsultationStatus, PhaseCalendar, PhaseKind,
)
from ..consultations.services import remember_following
from ..core.database import execute_core
from ..core.models import utcnow
from ..core.requests import request_memo
from ..extensions import db
from ..territories.models import Territory
from .models import AccountSuspension, Visibility
from .permissions import remember_suspension

MEMO = "consultations_at_hand"


class PhaseDates(NamedTuple):
    kind: PhaseKind
    starts_on: date
    ends_on: date


@dataclass(frozen=True, eq=False)
class ConsultationAtHand(PhaseCalendar):
    """A consultation as the participation rules read it."""

    id: int
    title: str
    status: ConsultationStatus
    audience: Audience
    territory_id: int
    phases: tuple[PhaseDates, ...]  # by start date, like Consultation.phases

    @property
    def territory(self) -> Territory:
        """Loaded only when a rule needs it (residents-only audience, managers of drafts)."""
        return db.session.get(Territory, self.territory_id)


@dataclass(frozen=True, eq=False)
class ContributionAtHand:
    """A comment or a proposal as the reaction rules read it."""

    id: int
    consultation_id: int
    author_id: int | None
    visibility: Visibility

    @property
    def is_visible(self) -> bool:
        return self.visibility == Visibility.VISIBLE


def _consultation_columns():
    """The consultation, one row per phase, and two facts about the person `user_id`."""
    consultation, phase = Consultation.__table__, ConsultationPhase.__table__
    suspended = exists().where(AccountSuspension.user_id == bindparam("user_id"),
                               AccountSuspension.ends_at > bindparam("now"))
    follows = exists().where(ConsultationFollow.consultation_id == consultation.c.id,
                             ConsultationFollow.user_id == bindparam("user_id"))
    return (consultation.c.id, consultation.c.title, consultation.c.status, consultation.c.audience,
            consultation.c.territory_id, phase.c.kind, phase.c.starts_on, phase.c.ends_on,
            suspended.label("suspended"), follows.label("follows"))


def _from_consultation(statement):
    consultation, phase = Consultation.__table__, ConsultationPhase.__table__
    return (statement.select_from(consultation.outerjoin(phase, phase.c.consultation_id == consultation.c.id))
            .where(consultation.c.id == bindparam("consultation_id")).order_by(phase.c.starts_on))


@cache
def _consultation_statement():
    """Built once, for a person already loaded (or nobody)."""
    return _from_consultation(select(*_consultation_columns()))


@cache
def _consultation_and_person_statement():
    """Built once: the same, with the person the cookie names loaded along, under the
    user loader's own condition (accounts/auth.py), so that the request needs no query
    of its own to know who posts."""
    return _from_consultation(select(User, *_consultation_columns())).outerjoin(User, signed_in_condition())


def consultation_at_hand(consultation_id: int) -> ConsultationAtHand | None:
    """The consultation the current person is about to take part in, or None. The same
    statement says whether they are suspended and already follow it (`is_suspended` and
    `follow` then ask the database nothing more in this request) and, when Flask-Login
    has not loaded them yet, loads them too."""
    now = utcnow()
    identity = claimed_identity()
    if identity is not None:
        rows = db.session.execute(_consultation_and_person_statement(),
                                  {"consultation_id": consultation_id, "now": now, **identity}).all()
        if rows and rows[0].User is not None:
            adopt_signed_in_user(rows[0].User)
    else:
        rows = None
    user = current_user  # loaded above, or by Flask-Login now (nobody, or an ended session)
    user_id = user.id if user.is_authenticated else 0
    if rows is None or (rows and rows[0].User is None and user_id):
        rows = execute_core(_consultation_statement(),
                            {"consultation_id": consultation_id, "user_id": user_id, "now": now}).all()
    if not rows:
        return None
    first = rows[0]
    consultation = ConsultationAtHand(
        id=first.id, title=first.title, status=first.status, audience=first.audience,
        territory_id=first.territory_id,
        phases=tuple(PhaseDates(row.kind, row.starts_on, row.ends_on) for row in rows if row.kind is not None))
    if user_id:
        remember_suspension(user_id, bool(first.suspended))
        if first.follows:
            remember_following(consultation.id, user_id)
    request_memo(MEMO)[consultation.id] = consultation
    return consultation


def remembered_consultation(consultation_id: int) -> ConsultationAtHand | None:
    """The consultation this request already read at hand (the reaction rules ask for the
    consultation of a contribution)."""
    return request_memo(MEMO).get(consultation_id)


@cache
def _contribution_statement(table):
    """Built once per table (comments, proposals)."""
    return (select(table.c.id, table.c.consultation_id, table.c.author_id, table.c.visibility)
            .where(table.c.id == bindparam("contribution_id")))


def contribution_at_hand(model, consultation: ConsultationAtHand, contribution_id: int) -> ContributionAtHand | None:
    """A comment or proposal (`model`) of `consultation`, as a reaction needs it; None when
    it is not one of its contributions."""
    row = execute_core(_contribution_statement(model.__table__), {"contribution_id": contribution_id}).first()
    if row is None or row.consultation_id != consultation.id:
        return None
    return ContributionAtHand(*row)
