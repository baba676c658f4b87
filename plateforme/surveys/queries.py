"""Reading surveys for the pages: what is open, awaiting publication or published, where a
person may run one, invitation and import figures, and a person's participations (for the
export of their personal data)."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import MandateStatus, User
from ..accounts.services import personal_data_section
from ..core.models import local_today
from ..extensions import db
from ..territories.models import Territory, TerritoryKind
from .models import (
    Channel, ImportLog, InvitationCode, OfficialParticipation, PerceptionSurvey, Publication, ResidentParticipation,
    ResidentPending, ResidentResponse, SurveyStatus,
)


def surveys_open_now(today=None) -> list[PerceptionSurvey]:
    """Open surveys whose closing date has not passed (some may open later), closing soonest first."""
    today = today or local_today()
    return list(db.session.execute(
        select(PerceptionSurvey).options(joinedload(PerceptionSurvey.territory))
        .where(PerceptionSurvey.status == SurveyStatus.OPEN, PerceptionSurvey.closes_at >= today)
        .order_by(PerceptionSurvey.closes_at, PerceptionSurvey.id)
    ).scalars())


def surveys_awaiting_publication(today=None) -> list[PerceptionSurvey]:
    """Surveys no longer taking residents' answers (closed, or past their closing date) and not yet published."""
    today = today or local_today()
    return list(db.session.execute(
        select(PerceptionSurvey).options(joinedload(PerceptionSurvey.territory))
        .where(or_(PerceptionSurvey.status == SurveyStatus.CLOSED,
                   (PerceptionSurvey.status == SurveyStatus.OPEN) & (PerceptionSurvey.closes_at < today)))
        .order_by(PerceptionSurvey.closes_at.desc(), PerceptionSurvey.id)
    ).scalars())


def published_surveys(limit: int | None = None) -> list[PerceptionSurvey]:
    """Published surveys, the most recently (re)published first."""
    latest = (select(Publication.survey_id, func.max(Publication.created_at).label("published_at"))
              .group_by(Publication.survey_id).subquery())
    stmt = (select(PerceptionSurvey)
            # The cards need the versions and dates, not the frozen results (tens of kB each).
            .options(joinedload(PerceptionSurvey.territory),
                     selectinload(PerceptionSurvey.publications).defer(Publication.payload))
            .join(latest, latest.c.survey_id == PerceptionSurvey.id)
            .where(PerceptionSurvey.status == SurveyStatus.PUBLISHED)
            .order_by(latest.c.published_at.desc(), PerceptionSurvey.id.desc()))
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.execute(stmt).scalars())


def survey_territories_for(user: User) -> list[Territory]:
    """Where `user` may run a survey: any loaded EPCI or commune for an administrator;
    for an elected official, the EPCI and communes of their verified mandates."""
    order = {TerritoryKind.EPCI: 0, TerritoryKind.COMMUNE: 1}
    if user.is_admin:
        territories = db.session.execute(
            select(Territory).where(Territory.kind.in_(list(order)))).scalars().all()
    else:
        territories = {m.territory for m in user.mandates
                       if m.status == MandateStatus.VERIFIED and m.territory.kind in order}
    return sorted(territories, key=lambda t: (order[t.kind], t.search_name))


def invitation_counts(survey: PerceptionSurvey) -> tuple[int, int]:
    """(issued, used) invitation codes of a panel survey, for the disclosure of non-response.
    Each code used wrote one answer of the panel channel, pending or mixed: counted so, it
    stays true once the participation list is deleted at closing."""
    issued = db.session.execute(
        select(func.count(InvitationCode.id)).where(InvitationCode.survey_id == survey.id)).scalar_one()
    used = sum(db.session.execute(
        select(func.count()).select_from(model).where(model.survey_id == survey.id, model.channel == Channel.PANEL)
    ).scalar_one() for model in (ResidentResponse, ResidentPending))
    return issued, used


def import_history(survey: PerceptionSurvey) -> list[ImportLog]:
    """The survey's file imports, latest first."""
    return list(db.session.execute(
        select(ImportLog).where(ImportLog.survey_id == survey.id).order_by(ImportLog.created_at.desc(),
                                                                          ImportLog.id.desc())
    ).scalars())


@personal_data_section("survey_participations")
def survey_participations(user: User) -> list[dict]:
    """Which surveys the person took part in — never what they answered: answers are
    stored apart and cannot be traced back to anyone. Residents' participation is deleted when
    answers stop (mixing.py), officials' at publication."""
    rows = []
    for role, model in (("resident", ResidentParticipation), ("official", OfficialParticipation)):
        for survey in db.session.execute(
            select(PerceptionSurvey).join(model, model.survey_id == PerceptionSurvey.id).where(model.user_id == user.id)
        ).scalars():
            rows.append({"survey_id": survey.id, "title": survey.title, "as": role})
    return rows


def public_surveys(territory_ids=None) -> list[PerceptionSurvey]:
    """Every survey but drafts (those exist only for the people who manage them), oldest first,
    with territory and publication dates (not the frozen results), in two queries; only those
    of `territory_ids` when given."""
    stmt = (select(PerceptionSurvey)
            .options(joinedload(PerceptionSurvey.territory),
                     selectinload(PerceptionSurvey.publications).defer(Publication.payload))
            .where(PerceptionSurvey.status != SurveyStatus.DRAFT)
            .order_by(PerceptionSurvey.id))
    if territory_ids is not None:
        stmt = stmt.where(PerceptionSurvey.territory_id.in_(territory_ids))
    return list(db.session.execute(stmt).scalars())


def surveys_with_feedback(user: User) -> list[PerceptionSurvey]:
    """Published surveys whose officials' questionnaire `user` was asked: if they answered
    online, their receipt opens their private feedback (feedback.py). Who answered is not
    kept after publication, so this cannot say more. Newest first."""
    from ..accounts.permissions import counts_among_officials_of

    published = db.session.execute(
        select(PerceptionSurvey).options(joinedload(PerceptionSurvey.territory))
        .where(PerceptionSurvey.status == SurveyStatus.PUBLISHED).order_by(PerceptionSurvey.id.desc())).scalars()
    return [survey for survey in published if counts_among_officials_of(user, survey.territory)]
