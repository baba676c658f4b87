"""What a debate POST acts on, read in one statement, without the mapped consultation.

Commenting, replying, proposing, endorsing and supporting are the busiest writes of the
site. Their rules (consultations/permissions.py, debate/permissions.py) need little: the
consultation's status, audience, territory and the dates of the phase the POST acts in,
whether the person is suspended, and for a reaction the contribution's author and
visibility. Loading the mapped `Consultation` with its phases cost about a third of a
comment; these light values stand in for it in the same predicates (`ConsultationAtHand`
shares `PhaseCalendar` with the model). The same statement loads the person, when
Flask-Login has not yet, and tells whether they already follow the consultation. Pages,
and a POST that must show its form again, keep the mapped objects.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from flask_login import current_user
from sqlalchemy import and_, bindparam, exists, select

from ..accounts.auth import adopt_signed_in_user, claimed_identity, signed_in_condition
from ..accounts.models import User
from ..consultations.models import (
    Audience, Consultation, ConsultationFollow, ConsultationPhase, ConsultationStatus, PhaseCalendar, PhaseKind,
)
from ..consultations.services import remember_following
from ..core.database import as_loaded
from ..core.prepared import Prepared
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
    """A consultation as the participation rules read it, with the one phase a POST acts
    in (the debate for comments and endorsements, the proposals phase for proposals and
    supports): asking it about another phase is a mistake, and says so."""

    id: int
    title: str
    status: ConsultationStatus
    audience: Audience
    territory_id: int
    phase_kind: PhaseKind
    phases: tuple[PhaseDates, ...]  # the phase of `phase_kind`, when the consultation has one

    @property
    def territory(self) -> Territory:
        """Loaded only when a rule needs it (residents-only audience, managers of drafts)."""
        return db.session.get(Territory, self.territory_id)

    def phase(self, kind: PhaseKind) -> PhaseDates | None:
        if kind != self.phase_kind:
            raise LookupError(f"consultation {self.id} was read for its {self.phase_kind} phase, not {kind}")
        return self.phases[0] if self.phases else None

    def current_phase(self, today: date):
        raise LookupError("a consultation read at hand knows one phase: load Consultation for its calendar")

    def stage(self, today: date):
        raise LookupError("a consultation read at hand knows one phase: load Consultation for its calendar")


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
    """The consultation, its phase of `phase_kind`, and two facts about the person `user_id`:
    one row (a consultation has one phase of each kind at most)."""
    consultation, phase = Consultation.__table__, ConsultationPhase.__table__
    suspended = exists().where(AccountSuspension.user_id == bindparam("user_id"),
                               AccountSuspension.ends_at > bindparam("now"))
    follows = exists().where(ConsultationFollow.consultation_id == consultation.c.id,
                             ConsultationFollow.user_id == bindparam("user_id"))
    return (consultation.c.id, consultation.c.title, consultation.c.status, consultation.c.audience,
            consultation.c.territory_id, phase.c.kind, phase.c.starts_on, phase.c.ends_on,
            suspended.label("suspended"), follows.label("follows"))


@cache
def _statement(with_person: bool, contribution_table=None):
    """Built once per use. `with_person`: the person the cookie names is loaded along,
    under the user loader's own condition (accounts/auth.py), so that the request needs no
    query of its own to know who posts. `contribution_table`: the comment or proposal
    `contribution_id` comes along too, when it belongs to the consultation."""
    consultation, phase = Consultation.__table__, ConsultationPhase.__table__
    columns = _consultation_columns()
    joined = consultation.outerjoin(phase, and_(phase.c.consultation_id == consultation.c.id,
                                                phase.c.kind == bindparam("phase_kind")))
    if contribution_table is not None:
        contribution = contribution_table
        columns += (contribution.c.id.label("contribution_id"), contribution.c.author_id.label("contribution_author_id"),
                    contribution.c.visibility.label("contribution_visibility"))
        joined = joined.outerjoin(contribution, and_(contribution.c.id == bindparam("contribution_id"),
                                                     contribution.c.consultation_id == consultation.c.id))
    if with_person:  # the person's columns, as Core columns: the ORM's loading layer is skipped (as_loaded)
        columns += tuple(column.label(f"{PERSON}{key}") for key, column in _person_columns())
    statement = select(*columns).select_from(joined).where(consultation.c.id == bindparam("consultation_id"))
    return statement.outerjoin(User, signed_in_condition()) if with_person else statement


PERSON = "person__"


@cache
def _person_columns() -> tuple:
    """(attribute, column) of every column of `User`."""
    return tuple((prop.key, prop.columns[0]) for prop in User.__mapper__.column_attrs)


def _person(row) -> User | None:
    """The signed-in person of a `_statement(True)` row, as the session's `User`."""
    if getattr(row, f"{PERSON}id") is None:
        return None
    return as_loaded(User, {key: getattr(row, f"{PERSON}{key}") for key, _ in _person_columns()})


@cache
def _prepared(with_person: bool, contribution_table=None) -> Prepared:
    return Prepared(_statement(with_person, contribution_table))


def _read(consultation_id: int, phase_kind: PhaseKind, contribution_table=None, contribution_id=None):
    """The row of `_statement` for the current person, who is loaded along when Flask-Login
    has not done it yet."""
    params = {"consultation_id": consultation_id, "phase_kind": phase_kind, "now": utcnow(),
              "contribution_id": contribution_id}
    identity = claimed_identity()
    row = None
    person = None
    if identity is not None:
        row = _prepared(True, contribution_table).first({**params, **identity})
        person = _person(row) if row is not None else None
        if person is not None:
            adopt_signed_in_user(person)
    user_id = current_user.id if current_user.is_authenticated else 0  # loaded above, or now
    if identity is None or (row is not None and person is None and user_id):
        # The facts about the person must be about whoever Flask-Login found.
        row = _prepared(False, contribution_table).first({**params, "user_id": user_id})
    if row is None:
        return None
    if user_id:
        remember_suspension(user_id, bool(row.suspended))
        if row.follows:
            remember_following(row.id, user_id)
    return row


def _consultation(row, phase_kind: PhaseKind) -> ConsultationAtHand:
    consultation = ConsultationAtHand(
        id=row.id, title=row.title, status=row.status, audience=row.audience, territory_id=row.territory_id,
        phase_kind=phase_kind,
        phases=(PhaseDates(row.kind, row.starts_on, row.ends_on),) if row.kind is not None else ())
    request_memo(MEMO)[consultation.id] = consultation
    return consultation


def consultation_at_hand(consultation_id: int, phase_kind: PhaseKind) -> ConsultationAtHand | None:
    """The consultation the current person is about to take part in, read for its
    `phase_kind` phase; None when there is none. The same statement says whether the person
    is suspended and already follows it (`is_suspended` and `follow` then ask the database
    nothing more in this request) and, when Flask-Login has not loaded them yet, loads them."""
    row = _read(consultation_id, phase_kind)
    return None if row is None else _consultation(row, phase_kind)


def reaction_at_hand(model, consultation_id: int, contribution_id: int,
                     phase_kind: PhaseKind) -> tuple[ConsultationAtHand | None, ContributionAtHand | None]:
    """`consultation_at_hand`, with the comment or proposal (`model`) reacted to, in the
    same statement; the contribution is None when it is not one of the consultation's."""
    row = _read(consultation_id, phase_kind, model.__table__, contribution_id)
    if row is None:
        return None, None
    contribution = None
    if row.contribution_id is not None:
        contribution = ContributionAtHand(row.contribution_id, row.id, row.contribution_author_id,
                                          row.contribution_visibility)
    return _consultation(row, phase_kind), contribution


def remembered_consultation(consultation_id: int) -> ConsultationAtHand | None:
    """The consultation this request already read at hand (the reaction rules ask for the
    consultation of a contribution)."""
    return request_memo(MEMO).get(consultation_id)
