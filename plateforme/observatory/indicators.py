"""Indicators and their values: definitions, values by form, series over time, values
across the communes, and the commune → EPCI aggregation of additive indicators.

Each reading function runs a fixed number of queries whatever the number of values.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..accounts.models import Organisation, User
from ..core.models import utcnow
from ..core.sanitize import clean_line
from ..core.vocabulary import FlowKind
from ..extensions import db
from ..territories.models import Territory, TerritoryKind
from .models import DEFAULT_LICENCE, Indicator, IndicatorValue
from .permissions import member_of
from .services import FIRST_YEAR, LAST_YEAR, OBSERVED_KINDS, ObservatoryError

log = logging.getLogger("plateforme.observatory")


@dataclass
class IndicatorInput:
    name: str
    unit: str
    flow_kind: FlowKind
    organisation: Organisation
    additive: bool = False
    definition: str = ""
    method: str = ""
    licence: str = DEFAULT_LICENCE


def _apply(indicator: Indicator, data: IndicatorInput) -> None:
    name = clean_line(data.name)
    taken = db.session.execute(
        select(Indicator.id).where(Indicator.name == name, Indicator.id != (indicator.id or 0))).first()
    if taken:
        raise ObservatoryError(_("Un indicateur porte déjà ce nom : précisez-le (territoire, public, source…)."),
                               "name")
    indicator.name = name
    indicator.unit = clean_line(data.unit)
    indicator.flow_kind = FlowKind(data.flow_kind)
    indicator.additive = bool(data.additive)
    indicator.definition = (data.definition or "").strip()
    indicator.method = (data.method or "").strip()
    indicator.licence = clean_line(data.licence) or DEFAULT_LICENCE
    indicator.updated_at = utcnow()


def create_indicator(by: User, data: IndicatorInput) -> Indicator:
    if not (by.is_admin or member_of(by, data.organisation.id)):
        raise ObservatoryError(_("Vous ne pouvez définir un indicateur qu'au nom d'une organisation dont vous êtes "
                                 "membre."), "organisation")
    indicator = Indicator(organisation=data.organisation, created_by=by)
    _apply(indicator, data)
    db.session.add(indicator)
    db.session.flush()
    log.info("indicator %s defined by user %s", indicator.id, by.id)
    return indicator


def update_indicator(indicator: Indicator, data: IndicatorInput) -> Indicator:
    if data.organisation.id != indicator.organisation_id:
        raise ObservatoryError(_("Un indicateur reste attaché à l'organisation qui le produit."), "organisation")
    _apply(indicator, data)
    db.session.flush()
    return indicator


# --- values -------------------------------------------------------------------------

def check_period(period) -> int:
    try:
        year = int(str(period).strip())
    except (TypeError, ValueError):
        year = None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR or len(str(period).strip()) != 4:
        raise ObservatoryError(_("L'année doit s'écrire avec quatre chiffres, par exemple 2024."), "period")
    return year


def parse_number(text) -> float:
    """A number as people type it: "12 500", "12,5", "-3.2"; ValueError otherwise."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        number = float(text)
    else:
        cleaned = str(text or "").strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if cleaned.count(",") == 1 and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
        number = float(cleaned)  # ValueError for "", "abc", "1,2,3"
    if not math.isfinite(number) or abs(number) >= 1e14:
        raise ValueError(text)
    return number


def set_value(indicator: Indicator, territory: Territory, period, value, *, note: str = "", source: str = "",
              by: User | None = None) -> tuple[IndicatorValue, bool]:
    """Record a value, replacing the one for the same territory and year; (value, created)."""
    if territory is None or territory.kind not in OBSERVED_KINDS:
        raise ObservatoryError(_("Choisissez l'intercommunalité, une commune ou un arrondissement."), "territory")
    year = check_period(period)
    try:
        number = parse_number(value)
    except ValueError:
        raise ObservatoryError(_("Saisissez un nombre, par exemple 1250 ou 12,5."), "value")
    row = db.session.execute(select(IndicatorValue).filter_by(
        indicator_id=indicator.id, territory_id=territory.id, period=year)).scalar_one_or_none()
    created = row is None
    if created:
        row = IndicatorValue(indicator=indicator, territory=territory, period=year)
        db.session.add(row)
    row.value, row.note, row.source = number, clean_line(note)[:500], clean_line(source)[:500]
    row.entered_by_id = getattr(by, "id", None)
    db.session.flush()
    return row, created


# --- reading: series, communes, aggregation --------------------------------------------

def epci_communes(epci: Territory) -> list[Territory]:
    return list(db.session.execute(
        select(Territory).where(Territory.epci_id == epci.id, Territory.kind == TerritoryKind.COMMUNE)
        .order_by(Territory.search_name)).scalars())


@dataclass
class Aggregate:
    """An EPCI's total for one year, summed from its communes."""

    period: int
    total: float
    reporting: int
    expected: int
    missing: list[Territory] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass
class SeriesPoint:
    period: int
    value: float
    source: str = ""
    note: str = ""
    aggregate: Aggregate | None = None  # set when the value is summed from the communes


@dataclass
class IndicatorView:
    """Everything the indicator page shows about one territory, from three queries."""

    indicator: Indicator
    territory: Territory
    series: list[SeriesPoint]
    communes: list[Territory]
    by_commune: dict[int, dict[int, IndicatorValue]]  # commune id → year → value
    years: list[int]
    aggregates: dict[int, Aggregate]                    # year → aggregate (additive indicators on an EPCI)
    direct: dict[int, IndicatorValue]                   # year → value entered for the territory itself

    def across_communes(self, year: int) -> list[tuple[Territory, IndicatorValue | None]]:
        return [(c, self.by_commune.get(c.id, {}).get(year)) for c in self.communes]


def indicator_view(indicator: Indicator, territory: Territory) -> IndicatorView:
    """Values of `indicator` for `territory` over time and, for an EPCI, across its communes
    with the sums of additive indicators and the communes missing from each sum."""
    communes = epci_communes(territory) if territory.kind == TerritoryKind.EPCI else []
    ids = [territory.id] + [c.id for c in communes]
    rows = db.session.execute(
        select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id,
                                     IndicatorValue.territory_id.in_(ids))
        .order_by(IndicatorValue.period)).scalars().all()
    direct = {r.period: r for r in rows if r.territory_id == territory.id}
    by_commune: dict[int, dict[int, IndicatorValue]] = {}
    for row in rows:
        if row.territory_id != territory.id:
            by_commune.setdefault(row.territory_id, {})[row.period] = row
    years = sorted({r.period for r in rows})
    aggregates = {}
    if indicator.additive and communes:
        for year in years:
            aggregates[year] = _aggregate(year, communes, by_commune)
    series = []
    for year in years:
        if year in direct:
            series.append(SeriesPoint(year, direct[year].value, direct[year].source, direct[year].note,
                                      aggregates.get(year)))
        elif year in aggregates and aggregates[year].reporting:
            series.append(SeriesPoint(year, aggregates[year].total, aggregate=aggregates[year]))
    return IndicatorView(indicator=indicator, territory=territory, series=series, communes=communes,
                         by_commune=by_commune, years=years, aggregates=aggregates, direct=direct)


def _aggregate(year: int, communes: list[Territory], by_commune: dict) -> Aggregate:
    total, reporting, missing = 0.0, 0, []
    for commune in communes:
        value = by_commune.get(commune.id, {}).get(year)
        if value is None:
            missing.append(commune)
        else:
            total += value.value
            reporting += 1
    return Aggregate(period=year, total=round(total, 6), reporting=reporting, expected=len(communes),
                     missing=missing)


def aggregate_to_epci(indicator: Indicator, epci: Territory, period: int) -> Aggregate:
    """The EPCI's total of an additive indicator for one year, with the missing communes."""
    if not indicator.additive:
        raise ObservatoryError(_("Cet indicateur ne s'additionne pas d'une commune à l'autre."))
    view = indicator_view(indicator, epci)
    return view.aggregates.get(period) or _aggregate(period, view.communes, view.by_commune)


@dataclass
class KeyFigure:
    indicator: Indicator
    point: SeriesPoint


def key_figures(territory: Territory, limit: int = 6) -> list[KeyFigure]:
    """The latest value of each indicator for a territory (summed from the communes for an
    additive indicator on an EPCI that has no value of its own), in two queries."""
    indicators = db.session.execute(
        select(Indicator).options(joinedload(Indicator.organisation)).order_by(Indicator.name)).scalars().all()
    if not indicators:
        return []
    communes = epci_communes(territory) if territory.kind == TerritoryKind.EPCI else []
    commune_ids = [c.id for c in communes]
    rows = db.session.execute(
        select(IndicatorValue).where(or_(IndicatorValue.territory_id == territory.id,
                                         IndicatorValue.territory_id.in_(commune_ids)))).scalars().all()
    figures = []
    for indicator in indicators:
        own = [r for r in rows if r.indicator_id == indicator.id]
        direct = {r.period: r for r in own if r.territory_id == territory.id}
        by_commune: dict[int, dict[int, IndicatorValue]] = {}
        for row in own:
            if row.territory_id != territory.id:
                by_commune.setdefault(row.territory_id, {})[row.period] = row
        years = sorted({r.period for r in own}, reverse=True)
        point = None
        for year in years:
            if year in direct:
                point = SeriesPoint(year, direct[year].value, direct[year].source, direct[year].note)
            elif indicator.additive and communes:
                aggregate = _aggregate(year, communes, by_commune)
                if aggregate.reporting:
                    point = SeriesPoint(year, aggregate.total, aggregate=aggregate)
            if point:
                break
        if point:
            figures.append(KeyFigure(indicator, point))
    return figures[:limit]
