"""Reading consultations: one with everything its page shows, the public list with its
filters, what is open now, followers, and an official's territory at a glance."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import defer, joinedload, selectinload

from ..accounts.models import MandateStatus, User
from ..core.models import local_today
from ..core.pagination import Page, paginate
from ..core.params import Param, filters, paging
from ..extensions import db
from ..territories.models import Territory
from .models import (
    AuthorityResponse, Consultation, ConsultationFollow, ConsultationPhase, ConsultationStatus, PhaseKind, Stage,
)

STAGE_FILTERS = ("open", "upcoming", "concluded", "cancelled")
PER_PAGE = 20


def territory_ids_within(territory: Territory):
    """A subquery of the ids of `territory` and of what lies within it (its communes by EPCI,
    its administrative children down to arrondissements), like `territory_contains`."""
    level1 = select(Territory.id).where(or_(Territory.epci_id == territory.id, Territory.parent_id == territory.id))
    level2 = select(Territory.id).where(Territory.parent_id.in_(level1))
    level3 = select(Territory.id).where(Territory.parent_id.in_(level2))
    return select(Territory.id).where(or_(Territory.id == territory.id, Territory.id.in_(level1),
                                          Territory.id.in_(level2), Territory.id.in_(level3)))


def _bounds():
    """Each consultation's first day and last day, over its phases."""
    return (select(ConsultationPhase.consultation_id.label("consultation_id"),
                   func.min(ConsultationPhase.starts_on).label("first_day"),
                   func.max(ConsultationPhase.ends_on).label("last_day"))
            .group_by(ConsultationPhase.consultation_id).subquery())


def _with_page_loads(stmt):
    return stmt.options(joinedload(Consultation.territory), selectinload(Consultation.phases))


def consultation_for_view(consultation_id) -> Consultation | None:
    """The consultation with what its page shows, loaded in a few queries."""
    try:
        consultation_id = int(consultation_id)
    except (TypeError, ValueError):
        return None
    return db.session.execute(
        select(Consultation).where(Consultation.id == consultation_id).options(
            joinedload(Consultation.territory), joinedload(Consultation.opened_by), joinedload(Consultation.survey),
            selectinload(Consultation.phases), selectinload(Consultation.cards),
            selectinload(Consultation.synthesis), selectinload(Consultation.response)
            .selectinload(AuthorityResponse.commitments),
        )
    ).unique().scalar_one_or_none()


@cache
def _participation_statement():
    return (select(Consultation).where(Consultation.id == bindparam("consultation_id"))
            .options(defer(Consultation.description), defer(Consultation.description_html),
                     joinedload(Consultation.phases)))


def consultation_for_participation(consultation_id: int) -> Consultation | None:
    """The consultation with its phases, in one query and without its long texts: what
    commenting, proposing and reacting check (status, phases, audience, territory)."""
    return db.session.execute(_participation_statement(),
                              {"consultation_id": consultation_id}).unique().scalar_one_or_none()


def current_consultations(territory: Territory | None = None, today: date | None = None,
                          limit: int | None = None) -> list[Consultation]:
    """Published consultations running today (a phase under way or between two phases),
    on `territory` or within it when given, ending soonest first. One query (plus phases)."""
    today = today or local_today()
    bounds = _bounds()
    stmt = (select(Consultation).join(bounds, bounds.c.consultation_id == Consultation.id)
            .where(Consultation.status == ConsultationStatus.PUBLISHED, bounds.c.first_day <= today,
                   bounds.c.last_day >= today)
            .order_by(bounds.c.last_day, Consultation.id))
    if territory is not None:
        stmt = stmt.where(Consultation.territory_id.in_(territory_ids_within(territory)))
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.execute(_with_page_loads(stmt)).unique().scalars())


# The phases in which residents act (comment, propose, answer); the others they only read.
CONTRIBUTION_PHASES = (PhaseKind.DEBATE, PhaseKind.PROPOSALS, PhaseKind.SURVEY)


def consultations_open_to_residents(territory: Territory | None = None, today: date | None = None,
                                    limit: int | None = None) -> list[Consultation]:
    """Published consultations in a phase where residents contribute today, on `territory`
    or within it when given, the most recently opened phase first (the home page lists them
    before anything else). One query, plus phases."""
    from .status import ACTIONABLE, consultation_status

    today = today or local_today()
    stmt = (select(Consultation).join(ConsultationPhase, ConsultationPhase.consultation_id == Consultation.id)
            .where(Consultation.status == ConsultationStatus.PUBLISHED,
                   ConsultationPhase.kind.in_(CONTRIBUTION_PHASES),
                   ConsultationPhase.starts_on <= today, ConsultationPhase.ends_on >= today)
            .order_by(ConsultationPhase.starts_on.desc(), Consultation.id.desc())
            .options(joinedload(Consultation.survey)))
    if territory is not None:
        stmt = stmt.where(Consultation.territory_id.in_(territory_ids_within(territory)))
    found = db.session.execute(_with_page_loads(stmt)).unique().scalars()
    # The dates say "survey phase"; the status says whether one can still answer (a survey
    # closed early is not open to anyone, and the home page must not count it).
    open_now = [c for c in found if consultation_status(c, today).progress in ACTIONABLE]
    return open_now[:limit] if limit else open_now


# The list page's filters; a malformed value is refused (400 naming it), not ignored. The bound
# keeps a huge number from overflowing the database's integer.
CONSULTATION_LIST_PARAMS = (
    *filters(Param("territory", "Territoire (identifiant)", "integer", minimum=1, maximum=2**31 - 1),
             Param("stage", "Étape", "choice", choices=STAGE_FILTERS)),
    paging()[0],
)


@dataclass
class ConsultationFilters:
    territory_id: int | None = None
    stage: str = ""

    @classmethod
    def from_query(cls, query: dict) -> ConsultationFilters:
        return cls(territory_id=query["territory"], stage=query["stage"] or "")


def search_consultations(filters: ConsultationFilters, page_arg, today: date | None = None) -> Page:
    """Public consultations (published or cancelled), filtered, newest first."""
    today = today or local_today()
    bounds = _bounds()
    stmt = select(Consultation).outerjoin(bounds, bounds.c.consultation_id == Consultation.id)
    published = Consultation.status == ConsultationStatus.PUBLISHED
    if filters.stage == "open":
        stmt = stmt.where(published, bounds.c.first_day <= today, bounds.c.last_day >= today)
    elif filters.stage == "upcoming":
        stmt = stmt.where(published, bounds.c.first_day > today)
    elif filters.stage == "concluded":
        stmt = stmt.where(published, bounds.c.last_day < today)
    elif filters.stage == "cancelled":
        stmt = stmt.where(Consultation.status == ConsultationStatus.CANCELLED)
    else:
        stmt = stmt.where(Consultation.status.in_([ConsultationStatus.PUBLISHED, ConsultationStatus.CANCELLED]))
    if filters.territory_id:
        territory = db.session.get(Territory, filters.territory_id)
        if territory is not None:
            stmt = stmt.where(Consultation.territory_id.in_(territory_ids_within(territory)))
    stmt = _with_page_loads(stmt.order_by(Consultation.published_at.desc(), Consultation.id.desc()))
    return paginate(stmt, page_arg, per_page=PER_PAGE)


def consultation_territories() -> list[Territory]:
    """Territories that have public consultations (for the list's filter)."""
    return list(db.session.execute(
        select(Territory).where(Territory.id.in_(select(Consultation.territory_id).where(
            Consultation.status.in_([ConsultationStatus.PUBLISHED, ConsultationStatus.CANCELLED]))))
        .order_by(Territory.kind, Territory.search_name)
    ).scalars())


# --- following ----------------------------------------------------------------------

def followers_of(consultation: Consultation) -> list[User]:
    """The people following `consultation` (to notify them), by id."""
    return list(db.session.execute(
        select(User).join(ConsultationFollow, ConsultationFollow.user_id == User.id)
        .where(ConsultationFollow.consultation_id == consultation.id).order_by(User.id)
    ).scalars())


def is_following(user, consultation: Consultation) -> bool:
    if not (user and user.is_authenticated):
        return False
    return db.session.execute(select(ConsultationFollow.id).filter_by(
        consultation_id=consultation.id, user_id=user.id)).first() is not None


# --- an official's territory ----------------------------------------------------------

def managed_consultations(user: User) -> list[Consultation]:
    """Consultations on (or within) the territories of `user`'s verified mandates, drafts
    included, not cancelled; every one for an administrator. Newest first."""
    stmt = select(Consultation).where(Consultation.status != ConsultationStatus.CANCELLED)
    if not user.is_admin:
        territories = [m.territory for m in user.mandates if m.status == MandateStatus.VERIFIED]
        if not territories:
            return []
        stmt = stmt.where(or_(*(Consultation.territory_id.in_(territory_ids_within(t)) for t in territories)))
    stmt = stmt.options(selectinload(Consultation.synthesis), selectinload(Consultation.response))
    return list(db.session.execute(
        _with_page_loads(stmt.order_by(Consultation.created_at.desc(), Consultation.id.desc()))).unique().scalars())


def next_step(consultation: Consultation, today: date) -> str:
    """What the territory's officials have to do next, as a key the page words."""
    stage = consultation.stage(today)
    if stage == Stage.DRAFT:
        return "publish"
    if stage == Stage.UPCOMING:
        return "prepare"
    started = {p.kind for p in consultation.phases if p.starts_on <= today}
    if PhaseKind.RESPONSE in started and consultation.response is None:
        return "response"
    if PhaseKind.SYNTHESIS in started and consultation.synthesis is None:
        return "synthesis"
    if stage in (Stage.CONCLUDED,):
        return "commitments" if consultation.response is not None else "done"
    if stage == Stage.BETWEEN_PHASES:
        return "between"
    return "run"


def surveys_awaiting_official(user: User, today: date | None = None) -> list:
    """Open surveys of `user`'s territories whose officials' questionnaire they have not answered."""
    from ..surveys.queries import surveys_open_now
    from ..surveys.services import official_has_answered
    from ..accounts.permissions import counts_among_officials_of

    return [s for s in surveys_open_now(today) if counts_among_officials_of(user, s.territory)
            and not official_has_answered(s, user)]


# --- what the form offers ---------------------------------------------------------------

def territories_for(user: User) -> list[Territory]:
    """Where `user` may open a consultation: their verified mandates' territories and the
    communes within them; for an administrator, every loaded EPCI and commune."""
    from ..territories.models import TerritoryKind
    from ..territories.services import children_of

    order = {TerritoryKind.REGION: 0, TerritoryKind.DEPARTEMENT: 1, TerritoryKind.EPCI: 2,
             TerritoryKind.COMMUNE: 3, TerritoryKind.ARRONDISSEMENT: 4}
    if user.is_admin:
        found = set(db.session.execute(select(Territory).where(
            Territory.kind.in_([TerritoryKind.EPCI, TerritoryKind.COMMUNE]))).scalars())
    else:
        found = set()
        for mandate in user.verified_mandates:
            found.add(mandate.territory)
            found.update(t for t in children_of(mandate.territory) if t.kind == TerritoryKind.COMMUNE)
    return sorted(found, key=lambda t: (order.get(t.kind, 9), t.search_name))


def cards_within(territories: list[Territory]) -> list:
    """Published issue cards on these territories or within them, by title."""
    from ..cards.models import IssueCard

    if not territories:
        return []
    ids = [t.id for t in territories]
    return list(db.session.execute(
        select(IssueCard).options(joinedload(IssueCard.territory))
        .where(IssueCard.published_version_id.is_not(None),
               or_(IssueCard.territory_id.in_(ids), *(IssueCard.territory_id.in_(territory_ids_within(t))
                                                     for t in territories)))
        .order_by(IssueCard.title, IssueCard.id)
    ).scalars())


def surveys_within(territories: list[Territory]) -> list:
    """Perception surveys on these territories or within them that still collect answers (in
    preparation or open: a consultation's questionnaire phase is their collection), newest first."""
    from ..surveys.models import PerceptionSurvey, SurveyStatus

    if not territories:
        return []
    return list(db.session.execute(
        select(PerceptionSurvey).options(joinedload(PerceptionSurvey.territory))
        .where(or_(*(PerceptionSurvey.territory_id.in_(territory_ids_within(t)) for t in territories)),
               PerceptionSurvey.status.in_((SurveyStatus.DRAFT, SurveyStatus.OPEN)))
        .order_by(PerceptionSurvey.opens_at.desc(), PerceptionSurvey.id.desc())
    ).scalars())
