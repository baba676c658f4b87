"""Issue cards as open data: what the JSON API serves of a published card, field by field.

Only the public version of a card is ever read here (`published_version_id` set); a card
that was never published does not exist for open data. The fields are listed explicitly —
never an object's attributes wholesale — so a column added to the model (an author, a
moderator's review note) cannot leak into the API by accident. No person is named: a card
is published by the platform, its evidence by organisations.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..observatory.models import PUBLIC_STATUSES, Finding, IndicatorValue
from .models import IssueCard, IssueCardVersion, PoliticalStatus, VersionStatus

CARD_FIELDS = ("id", "title", "territory", "political_status", "version", "first_published_at", "published_at",
               "url")
CARD_DETAIL_FIELDS = CARD_FIELDS + ("summary", "stakes", "known", "unknown", "questions", "change_note",
                                    "findings", "indicator_values", "versions")
# Versions that were public at some time (a draft or a submitted version never is).
PUBLIC_VERSION_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


def _iso(value):
    return value.isoformat(timespec="seconds") if value is not None else None


def territory_record(territory) -> dict:
    return {"code": territory.code, "name": territory.name, "kind": territory.kind.value}


def public_cards_statement(territory_ids=None, political_status: PoliticalStatus | None = None) -> Select:
    """Published cards, newest first publication first, with what a list row shows (one query)."""
    stmt = (select(IssueCard).where(IssueCard.published_version_id.is_not(None))
            .options(joinedload(IssueCard.territory), joinedload(IssueCard.published_version))
            .order_by(IssueCard.first_published_at.desc(), IssueCard.id.desc()))
    if territory_ids is not None:
        stmt = stmt.where(IssueCard.territory_id.in_(territory_ids))
    if political_status is not None:
        stmt = stmt.where(IssueCard.political_status == political_status)
    return stmt


def card_record(card: IssueCard, card_url: Callable[[int], str]) -> dict:
    """A list row: the card and its public version's number and date."""
    version = card.published_version
    return {
        "id": card.id, "title": card.title, "territory": territory_record(card.territory),
        "political_status": card.political_status.value, "version": version.number,
        "first_published_at": _iso(card.first_published_at), "published_at": _iso(version.published_at),
        "url": card_url(card.id),
    }


def public_card(card_id: int) -> IssueCard | None:
    """A published card with its public version, evidence and version history (a few queries);
    None when unknown or never published."""
    card = db.session.execute(
        select(IssueCard).where(IssueCard.id == card_id, IssueCard.published_version_id.is_not(None)).options(
            joinedload(IssueCard.territory),
            joinedload(IssueCard.published_version).selectinload(IssueCardVersion.findings)
            .joinedload(Finding.organisation),
            joinedload(IssueCard.published_version).selectinload(IssueCardVersion.indicator_values)
            .joinedload(IndicatorValue.indicator),
            joinedload(IssueCard.published_version).selectinload(IssueCardVersion.indicator_values)
            .joinedload(IndicatorValue.territory),
            selectinload(IssueCard.versions),
        )
    ).unique().scalar_one_or_none()
    return card


def card_detail(card: IssueCard, card_url: Callable[[int], str], finding_url: Callable[[int], str]) -> dict:
    """The public version's content, its evidence and the card's public versions."""
    version = card.published_version
    record = card_record(card, card_url)
    record.update({
        "summary": version.summary, "stakes": version.stakes, "known": version.known, "unknown": version.unknown,
        "questions": version.question_list, "change_note": version.change_note or None,
        # A finding withdrawn since stays cited (its page explains why); drafts never show.
        "findings": [{"id": f.id, "title": f.title, "url": finding_url(f.id), "organisation": f.organisation.name}
                     for f in version.findings if f.status in PUBLIC_STATUSES],
        "indicator_values": [{
            "indicator_id": v.indicator_id, "indicator_name": v.indicator.name, "unit": v.indicator.unit,
            "territory_code": v.territory.code, "period": v.period, "value": _number(v.value),
            "source": v.source or None,
        } for v in version.indicator_values],
        "versions": [{"number": v.number, "published_at": _iso(v.published_at), "change_note": v.change_note or None}
                     for v in card.versions if v.status in PUBLIC_VERSION_STATUSES],
    })
    return record


def _number(value):
    """Values are stored as decimals; JSON gets a number (1200, not 1200.0)."""
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value
