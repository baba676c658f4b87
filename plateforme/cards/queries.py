"""Reading issue cards: the public list with its filters, one card with what its page shows,
a version by number, the moderators' queue, an author's cards, the consultations on a card."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..core.pagination import Page, paginate
from ..core.i18n import N_
from ..core.params import Param, filters
from ..core.permissions import PREDICATES
from ..extensions import db
from ..observatory.queries import TERRITORY_PARAM, territory_scope
from ..observatory.services import OBSERVED_KINDS
from ..territories.models import Territory
from .models import IssueCard, IssueCardVersion, PoliticalStatus, VersionStatus

PER_PAGE = 20
# The list's filters, for its page and the API alike (a malformed value is refused, core/params.py).
CARD_PARAMS = filters(TERRITORY_PARAM, Param("political_status", N_("Statut politique"), "enum", PoliticalStatus))


@dataclass
class CardFilters:
    """The list's filters, parsed from CARD_PARAMS."""

    territory: str = ""  # an observed territory's code
    political_status: PoliticalStatus | None = None

    @classmethod
    def from_query(cls, query: dict) -> CardFilters:
        return cls(territory=query["territory"] or "", political_status=query["political_status"])

    def as_args(self) -> dict:
        values = {"territory": self.territory, "political_status": self.political_status}
        return {k: str(v) for k, v in values.items() if v}

    @property
    def active(self) -> bool:
        return bool(self.as_args())


def public_cards(filters: CardFilters, page_arg) -> Page:
    """Published cards, most recently updated first; a territory filter includes what it contains."""
    stmt = (select(IssueCard).options(joinedload(IssueCard.territory), joinedload(IssueCard.published_version))
            .where(IssueCard.published_version_id.is_not(None)))
    if filters.territory:
        _territory, inside = territory_scope(filters.territory)
        if inside is None:
            stmt = stmt.where(IssueCard.id.is_(None))  # an unknown territory has no card
        else:
            stmt = stmt.where(IssueCard.territory_id.in_(inside))
    if filters.political_status:
        stmt = stmt.where(IssueCard.political_status == filters.political_status)
    return paginate(stmt.order_by(IssueCard.updated_at.desc(), IssueCard.id.desc()), page_arg, PER_PAGE)


def observed_territories() -> list[Territory]:
    """Territories a card can be on (for the filters and the territory step), EPCI first."""
    rows = db.session.execute(select(Territory).where(Territory.kind.in_(OBSERVED_KINDS))).scalars().all()
    order = {kind: index for index, kind in enumerate(OBSERVED_KINDS)}
    return sorted(rows, key=lambda t: (order[t.kind], t.search_name))


def card_for_page(card_id: int) -> IssueCard | None:
    """The card with its versions, their authors and the evidence they cite."""
    return db.session.execute(
        select(IssueCard).where(IssueCard.id == card_id)
        .options(joinedload(IssueCard.territory), joinedload(IssueCard.created_by),
                 selectinload(IssueCard.versions).joinedload(IssueCardVersion.author),
                 selectinload(IssueCard.versions).joinedload(IssueCardVersion.published_by))
    ).unique().scalar_one_or_none()


def version_by_number(card: IssueCard, number: int) -> IssueCardVersion | None:
    return next((v for v in card.versions if v.number == number), None)


def previous_version(card: IssueCard, version: IssueCardVersion) -> IssueCardVersion | None:
    earlier = [v for v in card.versions if v.number < version.number]
    return earlier[-1] if earlier else None


def moderation_queue(user) -> list[IssueCardVersion]:
    """Versions waiting for publication that `user` may publish, oldest submission first."""
    versions = db.session.execute(
        select(IssueCardVersion).where(IssueCardVersion.status == VersionStatus.SUBMITTED)
        .options(joinedload(IssueCardVersion.card).joinedload(IssueCard.territory),
                 joinedload(IssueCardVersion.author))
        .order_by(IssueCardVersion.submitted_at, IssueCardVersion.id)).scalars().all()
    return [v for v in versions if PREDICATES["can_publish_card"](user, v.card)]


def cards_of(user) -> list[IssueCard]:
    """Cards `user` started or wrote a version of, most recently updated first."""
    written = select(IssueCardVersion.card_id).where(IssueCardVersion.author_id == user.id)
    return list(db.session.execute(
        select(IssueCard).where(or_(IssueCard.created_by_id == user.id, IssueCard.id.in_(written)))
        .options(joinedload(IssueCard.territory), selectinload(IssueCard.versions))
        .order_by(IssueCard.updated_at.desc(), IssueCard.id.desc())).scalars().unique())


def public_consultations_on(card: IssueCard) -> list:
    """Public consultations that debate this card, newest first (drafts stay their managers')."""
    # Imported here: consultations' models import the cards' ones.
    from ..consultations.models import Consultation, consultation_card

    consultations = db.session.execute(
        select(Consultation).join(consultation_card, consultation_card.c.consultation_id == Consultation.id)
        .where(consultation_card.c.card_id == card.id).options(joinedload(Consultation.territory))
        .order_by(Consultation.id.desc())).scalars()
    return [c for c in consultations if c.is_public]
