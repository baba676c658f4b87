"""What waits for an elected official on their territories: consultations to publish or to
answer, commitments past their date still open, officials' questionnaires not answered.
The "Mon territoire" page lists them and the navigation counts them, from the same reading."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..extensions import db
from .models import AuthorityResponse, Commitment, CommitmentStatus, Consultation
from .queries import managed_consultations, next_step

# The steps where the officials themselves must act (the others wait on time or on moderators).
ACTION_STEPS = ("publish", "response")
OPEN_COMMITMENTS = (CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS)


@dataclass
class OfficialWork:
    consultations: list[tuple[Consultation, str]] = field(default_factory=list)  # every managed one, with its step
    commitments: list[Commitment] = field(default_factory=list)  # open and past their date
    surveys: list = field(default_factory=list)  # officials' questionnaires not answered yet

    @property
    def to_run(self) -> list[tuple[Consultation, str]]:
        return [(c, step) for c, step in self.consultations if step in ACTION_STEPS]

    @property
    def total(self) -> int:
        return len(self.to_run) + len(self.commitments) + len(self.surveys)


def official_work(user: User, today: date) -> OfficialWork:
    """What waits for `user` on their territories, in a fixed number of queries."""
    consultations = managed_consultations(user)
    response_ids = [c.response.id for c in consultations if c.response is not None]
    commitments = []
    if response_ids:
        commitments = list(db.session.execute(
            select(Commitment).options(joinedload(Commitment.response).joinedload(AuthorityResponse.consultation))
            .where(Commitment.response_id.in_(response_ids), Commitment.status.in_(OPEN_COMMITMENTS),
                   Commitment.due_on < today)  # past their date, as exports.is_overdue says
            .order_by(Commitment.due_on, Commitment.id)).scalars())
    return OfficialWork(consultations=[(c, next_step(c, today)) for c in consultations],
                        commitments=commitments, surveys=surveys_waiting(user, today))


def surveys_waiting(user: User, today: date) -> list:
    """Open surveys whose officials' questionnaire `user` is asked and has not answered: two
    queries whatever their number."""
    from ..accounts.permissions import counts_among_officials_of
    from ..surveys.models import OfficialParticipation
    from ..surveys.queries import surveys_open_now

    surveys = [s for s in surveys_open_now(today) if counts_among_officials_of(user, s.territory)]
    if not surveys:
        return []
    answered = set(db.session.execute(select(OfficialParticipation.survey_id).where(
        OfficialParticipation.user_id == user.id,
        OfficialParticipation.survey_id.in_([s.id for s in surveys]))).scalars())
    return [s for s in surveys if s.id not in answered]
