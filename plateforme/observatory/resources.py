"""What the observatory publishes as open data: four resources (findings, indicators, their
values, external actions), each a list of columns with a type and a description, read by
one SELECT. The files, the data package, the JSON API and its OpenAPI document are all
built from these lists, so they cannot disagree."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Select, String, cast, select, type_coerce

from ..accounts.models import Organisation
from ..core.exports import joined, neutralise
from ..core.i18n import N_
from ..extensions import db
from ..territories.models import Territory
from .models import (
    PUBLIC_STATUSES, ExternalAction, Finding, FindingReview, Indicator, IndicatorValue, ReviewDecision,
)


def _words(value: str) -> str:
    """The space-separated words of a column, one a line (core/exports.py: LIST_SEPARATOR)."""
    return joined((value or "").split())


def _whole(value):
    """1200.0 reads 1200: most indicator values are counts."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _iso(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Column:
    name: str
    type: str                    # Frictionless field type
    description: str
    expression: object           # the SQL column it is read from
    convert: Callable | None = None       # applied for CSV and JSON
    as_json: Callable | None = None       # JSON form, when it differs (lists)
    values: tuple = ()                    # the values it may hold, when fewer than its type's


@dataclass(frozen=True)
class Resource:
    name: str
    slug: str                    # file name on the site
    title: object
    description: object
    columns: tuple[Column, ...]
    build: Callable[[], Select]  # the select, columns in order, before filters
    primary_key: str | tuple = "id"
    foreign_keys: tuple = field(default_factory=tuple)
    # Every column reads as is from the DB-API (no enum, date or decimal to convert), so the
    # files can be streamed from the raw cursor (see _raw_rows).
    plain_types: bool = False
    # The tables its rows (and the extras served with them) are read from: its files' and
    # API answers' ETag follows their change marks (core/http_cache.py).
    tables: tuple[str, ...] = ()

    def field(self, column: Column) -> dict:
        """A column as a Frictionless field: its type, description, and the values its
        enum allows (read from the SQL column's type, so a new state is declared at once)."""
        out = {"name": column.name, "type": column.type, "description": column.description}
        members = [str(v) for v in column.values] or getattr(getattr(column.expression, "type", None), "enums", None)
        if members and column.convert is None:
            out["constraints"] = {"enum": list(members)}
        return out

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def statement(self) -> Select:
        return self.build().with_only_columns(*[c.expression.label(c.name) for c in self.columns])

    def csv_row(self, row) -> list:
        return [_csv_cell(column, value) for column, value in zip(self.columns, row)]

    def record(self, row) -> dict:
        """A row as a JSON object."""
        out = {}
        for column, value in zip(self.columns, row):
            if column.as_json is not None:
                value = column.as_json(value)
            elif column.convert is not None:
                value = column.convert(value)
            out[column.name] = _iso(value)
        return out


def _csv_cell(column: Column, value):
    if column.convert is not None:
        value = column.convert(value)
    if isinstance(value, (datetime, date)):
        return _iso(value)
    return neutralise(value)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _joined_lines(text: str) -> str:
    return joined(_lines(text))


FINDINGS = Resource(
    tables=("finding", "finding_version", "finding_review", "organisation", "territory"),
    name="findings", slug="constats", title=_l("Constats de l'observatoire"),
    description=_l("Constats publiés ou retirés, relus par une autre organisation partenaire que celle qui les a "
                   "produits. Chaque ligne porte sa licence, son organisation productrice et ses sources."),
    build=lambda: (select(Finding.id).join(Territory, Territory.id == Finding.territory_id)
                   .join(Organisation, Organisation.id == Finding.organisation_id)
                   .where(Finding.status.in_(list(PUBLIC_STATUSES))).order_by(Finding.id)),
    columns=(
        Column("id", "integer", N_("Identifiant du constat"), Finding.id),
        Column("title", "string", N_("Titre"), Finding.title),
        Column("status", "string", N_("published (publié) ou withdrawn (retiré)"), Finding.status,
               values=PUBLIC_STATUSES),
        Column("flow_kind", "string", N_("Type de flux : people, institutions, ideas, goods, urban_models, "
                  "lifestyles, gastronomy, capital, other"), Finding.flow_kind),
        Column("direction", "string", N_("inbound, outbound ou both"), Finding.direction),
        Column("character", "string", N_("wanted (voulue), suffered (subie) ou mixed"), Finding.character),
        Column("fields", "string", N_("Domaines, un par ligne"), Finding.fields, _words,
               lambda v: (v or "").split()),
        Column("territory_kind", "string", N_("Type de territoire (epci, commune, arrondissement)"), Territory.kind),
        Column("territory_code", "string", N_("Code officiel (INSEE ou SIREN)"), Territory.code),
        Column("territory_name", "string", N_("Nom du territoire"), Territory.name),
        Column("period_label", "string", N_("Période, telle qu'écrite"), Finding.period_label),
        Column("period_start", "integer", N_("Première année"), Finding.period_start),
        Column("period_end", "integer", N_("Dernière année"), Finding.period_end),
        Column("body", "string", N_("Le constat (markdown)"), Finding.body),
        Column("method", "string", N_("Méthode"), Finding.method),
        Column("sources", "string", N_("Sources, une par ligne"), Finding.sources, _joined_lines, _lines),
        Column("licence", "string", N_("Licence de réutilisation"), Finding.licence),
        Column("organisation_id", "integer", N_("Organisation productrice (identifiant)"), Organisation.id),
        Column("organisation_name", "string", N_("Organisation productrice"), Organisation.name),
        Column("organisation_kind", "string", N_("Type d'organisation"), Organisation.kind),
        Column("published_at", "datetime", N_("Date de publication (UTC)"), Finding.published_at),
        Column("withdrawn_at", "datetime", N_("Date de retrait (UTC), si retiré"), Finding.withdrawn_at),
        Column("withdrawal_reason", "string", N_("Raison publique du retrait"), Finding.withdrawal_reason),
    ),
)

INDICATORS = Resource(
    tables=("indicator", "organisation"),
    name="indicators", slug="indicateurs", title=_l("Indicateurs de l'observatoire"),
    description=_l("Définition, méthode, unité et organisation productrice de chaque indicateur."),
    build=lambda: (select(Indicator.id).join(Organisation, Organisation.id == Indicator.organisation_id)
                   .order_by(Indicator.id)),
    columns=(
        Column("id", "integer", N_("Identifiant de l'indicateur"), Indicator.id),
        Column("name", "string", N_("Nom"), Indicator.name),
        Column("unit", "string", N_("Unité"), Indicator.unit),
        Column("flow_kind", "string", N_("Type de flux"), Indicator.flow_kind),
        Column("additive", "boolean", N_("Les valeurs des communes s'additionnent-elles ?"), Indicator.additive),
        Column("definition", "string", N_("Définition"), Indicator.definition),
        Column("method", "string", N_("Méthode"), Indicator.method),
        Column("licence", "string", N_("Licence de réutilisation"), Indicator.licence),
        Column("organisation_id", "integer", N_("Organisation productrice (identifiant)"), Organisation.id),
        Column("organisation_name", "string", N_("Organisation productrice"), Organisation.name),
        Column("organisation_kind", "string", N_("Type d'organisation"), Organisation.kind),
        Column("updated_at", "datetime", N_("Dernière modification de la définition (UTC)"), Indicator.updated_at),
    ),
)

VALUES = Resource(
    tables=("indicator_value", "indicator", "territory", "organisation"),
    name="indicator_values", slug="valeurs", title=_l("Valeurs des indicateurs"),
    description=_l("Une valeur par indicateur, territoire et année, avec sa source et la licence de l'indicateur."),
    build=lambda: (select(IndicatorValue.id).join(Indicator, Indicator.id == IndicatorValue.indicator_id)
                   .join(Territory, Territory.id == IndicatorValue.territory_id)
                   .join(Organisation, Organisation.id == Indicator.organisation_id)
                   .order_by(IndicatorValue.indicator_id, IndicatorValue.territory_id, IndicatorValue.period)),
    primary_key=("indicator_id", "territory_code", "period"), plain_types=True,
    foreign_keys=({"fields": "indicator_id", "reference": {"resource": "indicators", "fields": "id"}},),
    columns=(
        Column("indicator_id", "integer", N_("Indicateur (identifiant)"), IndicatorValue.indicator_id),
        Column("indicator_name", "string", N_("Indicateur"), Indicator.name),
        # Read as plain text and a float in SQL: no per-row type conversion in Python.
        Column("territory_kind", "string", N_("Type de territoire"), type_coerce(Territory.kind, String)),
        Column("territory_code", "string", N_("Code officiel (INSEE ou SIREN)"), Territory.code),
        Column("territory_name", "string", N_("Nom du territoire"), Territory.name),
        Column("period", "integer", N_("Année"), IndicatorValue.period),
        Column("value", "number", N_("Valeur"), cast(IndicatorValue.value, Float), _whole),
        Column("unit", "string", N_("Unité"), Indicator.unit),
        Column("note", "string", N_("Note"), IndicatorValue.note),
        Column("source", "string", N_("Source de la valeur"), IndicatorValue.source),
        Column("licence", "string", N_("Licence de réutilisation"), Indicator.licence),
        Column("organisation_name", "string", N_("Organisation productrice"), Organisation.name),
    ),
)

EXTERNAL_ACTIONS = Resource(
    tables=("external_action", "territory", "organisation"),
    name="external_actions", slug="actions-exterieures", title=_l("Action extérieure des collectivités (AECT)"),
    description=_l("Inventaire de l'action propre des collectivités à l'étranger : jumelages, coopération "
                   "décentralisée, mobilité étudiante… distinct de l'internationalisation du territoire."),
    build=lambda: (select(ExternalAction.id).join(Territory, Territory.id == ExternalAction.territory_id)
                   .outerjoin(Organisation, Organisation.id == ExternalAction.organisation_id)
                   .order_by(ExternalAction.id)),
    columns=(
        Column("id", "integer", N_("Identifiant de l'action"), ExternalAction.id),
        Column("title", "string", N_("Intitulé"), ExternalAction.title),
        Column("kind", "string", "twinning, decentralised_cooperation, student_mobility, economic_mission, "
               "cross_border_cooperation, network_membership, humanitarian_aid", ExternalAction.kind),
        Column("partner_country", "string", N_("Pays partenaire"), ExternalAction.partner_country),
        Column("partner_city", "string", N_("Ville ou collectivité partenaire"), ExternalAction.partner_city),
        Column("budget_eur", "integer", N_("Budget annuel en euros, si connu"), ExternalAction.budget_eur),
        Column("start_date", "date", N_("Début"), ExternalAction.start_date),
        Column("end_date", "date", N_("Fin"), ExternalAction.end_date),
        Column("status", "string", N_("planned, ongoing, suspended ou ended"), ExternalAction.status),
        Column("description", "string", N_("Description (markdown)"), ExternalAction.description),
        Column("territory_code", "string", N_("Collectivité (code officiel)"), Territory.code),
        Column("territory_name", "string", N_("Collectivité"), Territory.name),
        Column("organisation_name", "string", N_("Organisation qui porte l'action"), Organisation.name),
        Column("updated_at", "datetime", N_("Dernière mise à jour (UTC)"), ExternalAction.updated_at),
    ),
)

RESOURCES = {r.slug: r for r in (FINDINGS, INDICATORS, VALUES, EXTERNAL_ACTIONS)}


def values_statement(indicator_id: int | None = None) -> Select:
    stmt = VALUES.statement()
    if indicator_id is not None:
        stmt = stmt.where(IndicatorValue.indicator_id == indicator_id)
    return stmt


def reviewers_by_finding(finding_ids=None) -> dict[int, list[str]]:
    """Names of the organisations that approved each finding (one query)."""
    stmt = (select(FindingReview.finding_id, Organisation.name)
            .join(Organisation, Organisation.id == FindingReview.organisation_id)
            .where(FindingReview.decision == ReviewDecision.APPROVE).order_by(FindingReview.id))
    if finding_ids is not None:
        stmt = stmt.where(FindingReview.finding_id.in_(list(finding_ids)))
    out: dict[int, list[str]] = {}
    for finding_id, name in db.session.execute(stmt):
        out.setdefault(finding_id, []).append(name)
    return out


