"""The evidence a card may cite: published findings and indicator values of its territory,
of the territories within it (communes, arrondissements) and of those containing it (the
commune's EPCI, the arrondissement's commune). One list for the form, one check for the
service, so the form never offers what the service would refuse."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..observatory.models import Finding, FindingStatus, Indicator, IndicatorValue
from ..territories.models import Territory


def related_territory_ids(territory: Territory) -> set[int]:
    """The territory, what lies directly within it, and what directly contains it."""
    ids = {territory.id}
    ids.update(db.session.execute(select(Territory.id).where(
        or_(Territory.epci_id == territory.id, Territory.parent_id == territory.id))).scalars())
    for container_id in (territory.epci_id, territory.parent_id):
        if container_id is not None:
            ids.add(container_id)
    if territory.parent is not None and territory.parent.epci_id is not None:
        ids.add(territory.parent.epci_id)  # an arrondissement's commune's EPCI
    return ids


def available_findings(territory: Territory, ids=None) -> list[Finding]:
    """Published findings a card on `territory` may cite (restricted to `ids` when given)."""
    stmt = (select(Finding).options(joinedload(Finding.organisation), joinedload(Finding.territory))
            .where(Finding.status == FindingStatus.PUBLISHED,
                   Finding.territory_id.in_(related_territory_ids(territory))))
    if ids is not None:
        stmt = stmt.where(Finding.id.in_(ids))
    return list(db.session.execute(stmt.order_by(Finding.published_at.desc(), Finding.id.desc())).scalars())


def available_values(territory: Territory, ids=None) -> list[IndicatorValue]:
    """Indicator values a card on `territory` may cite, by indicator, territory and latest year first.

    Values have no review of their own: they are public as soon as they are entered.
    """
    stmt = (select(IndicatorValue)
            .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
            .join(Territory, IndicatorValue.territory_id == Territory.id)
            .options(joinedload(IndicatorValue.indicator).joinedload(Indicator.organisation),
                     joinedload(IndicatorValue.territory))
            .where(IndicatorValue.territory_id.in_(related_territory_ids(territory))))
    if ids is not None:
        stmt = stmt.where(IndicatorValue.id.in_(ids))
    stmt = stmt.order_by(Indicator.name, Territory.search_name, IndicatorValue.period.desc(), IndicatorValue.id)
    return list(db.session.execute(stmt).scalars())


def values_by_indicator(values: list[IndicatorValue]) -> list[tuple[Indicator, list[IndicatorValue]]]:
    """Values grouped under their indicator, keeping their order (for one fieldset each)."""
    groups: dict[int, tuple[Indicator, list[IndicatorValue]]] = {}
    for value in values:
        groups.setdefault(value.indicator_id, (value.indicator, []))[1].append(value)
    return list(groups.values())
