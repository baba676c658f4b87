"""Reading what closes consultations: a commitment with its updates, the evidence chain
back from a consultation to the findings and figures its cards cite, a territory's
accountability table, and the consultations that used a finding. Each read runs a fixed
number of queries, whatever the number of rows."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..cards.models import IssueCard, IssueCardVersion, card_version_finding
from ..extensions import db
from ..observatory.models import Finding, Indicator, IndicatorValue
from ..territories.models import Territory
from .exports import OPEN_COMMITMENT_STATUSES, PUBLIC_STATUSES, is_overdue
from .models import (
    AuthorityResponse, Commitment, CommitmentStatus, Consultation, CommitmentUpdate, consultation_card,
)
from .queries import territory_ids_within
from .status import consultation_status

__all__ = ["OPEN_COMMITMENT_STATUSES", "is_overdue"]


def commitment_for_view(commitment_id) -> Commitment | None:
    """The commitment with its updates, its response and consultation (and that one's territory)."""
    try:
        commitment_id = int(commitment_id)
    except (TypeError, ValueError):
        return None
    return db.session.execute(
        select(Commitment).where(Commitment.id == commitment_id).options(
            joinedload(Commitment.response).joinedload(AuthorityResponse.consultation)
            .joinedload(Consultation.territory),
            selectinload(Commitment.updates).joinedload(CommitmentUpdate.author),
        )
    ).unique().scalar_one_or_none()


def evidence_chain(consultation: Consultation) -> list[IssueCard]:
    """The consultation's published cards, each with its public version's findings (with their
    organisation and territory) and indicator values (with their indicator, its organisation,
    and the territory). Cards never published are left out: they are not public."""
    version = selectinload(IssueCard.published_version)
    stmt = (select(IssueCard)
            .join(consultation_card, consultation_card.c.card_id == IssueCard.id)
            .where(consultation_card.c.consultation_id == consultation.id,
                   IssueCard.published_version_id.is_not(None))
            .options(version.selectinload(IssueCardVersion.findings).joinedload(Finding.organisation),
                     version.selectinload(IssueCardVersion.findings).joinedload(Finding.territory),
                     version.selectinload(IssueCardVersion.indicator_values).joinedload(IndicatorValue.indicator)
                     .joinedload(Indicator.organisation),
                     version.selectinload(IssueCardVersion.indicator_values).joinedload(IndicatorValue.territory))
            .order_by(IssueCard.id))
    return list(db.session.execute(stmt).scalars())


def consultations_citing_finding(finding_id: int) -> list[Consultation]:
    """Public consultations whose cards' public versions cite the finding, newest first."""
    citing_cards = (select(consultation_card.c.consultation_id)
                    .join(IssueCard, IssueCard.id == consultation_card.c.card_id)
                    .join(card_version_finding, card_version_finding.c.version_id == IssueCard.published_version_id)
                    .where(card_version_finding.c.finding_id == finding_id))
    return list(db.session.execute(
        select(Consultation).where(Consultation.id.in_(citing_cards), Consultation.status.in_(PUBLIC_STATUSES))
        .options(joinedload(Consultation.territory))
        .order_by(Consultation.published_at.desc(), Consultation.id.desc())
    ).scalars())


# --- accountability -------------------------------------------------------------------------

@dataclass
class AccountabilityRow:
    """One consultation of the table: its stage and what became of it."""

    consultation: Consultation
    status: object  # status.ConsultationStatusView
    commitments: list[Commitment] = field(default_factory=list)
    counts: dict[CommitmentStatus, int] = field(default_factory=dict)
    overdue: list[Commitment] = field(default_factory=list)


@dataclass
class Accountability:
    territory: Territory
    rows: list[AccountabilityRow]
    totals: dict[CommitmentStatus, int]
    overdue_total: int


def accountability(territory: Territory, today: date) -> Accountability:
    """Every public consultation on `territory` or within it (newest first) with its stage,
    synthesis, response and commitments (counts per status, overdue ones). Five queries."""
    stmt = (select(Consultation)
            .where(Consultation.status.in_(PUBLIC_STATUSES),
                   Consultation.territory_id.in_(territory_ids_within(territory)))
            .options(joinedload(Consultation.territory), selectinload(Consultation.phases),
                     selectinload(Consultation.synthesis),
                     selectinload(Consultation.response).selectinload(AuthorityResponse.commitments))
            .order_by(Consultation.published_at.desc(), Consultation.id.desc()))
    rows, totals, overdue_total = [], Counter(), 0
    for consultation in db.session.execute(stmt).unique().scalars():
        commitments = list(consultation.response.commitments) if consultation.response else []
        counts = Counter(c.status for c in commitments)
        overdue = [c for c in commitments if is_overdue(c, today)]
        rows.append(AccountabilityRow(consultation, consultation_status(consultation, today), commitments,
                                      {s: counts[s] for s in CommitmentStatus if counts[s]}, overdue))
        totals.update(counts)
        overdue_total += len(overdue)
    return Accountability(territory, rows, {s: totals[s] for s in CommitmentStatus}, overdue_total)
