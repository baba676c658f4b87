"""Open data: findings, indicators, values and external actions as streamed CSV and JSON,
described by a data package (Frictionless Data), each row with its licence and provenance.

Rows are read with server-side cursors in batches (`yield_per`), turned into text batch by
batch and sent as they come: memory stays flat whatever the number of rows. CSV cells that
a spreadsheet would run as formulas are neutralised. No personal data: no email, and no
person's name either — an organisation is the author of record of what it publishes (a
bulk file, once copied, could not honour a person's right to erasure).
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Select, String, cast, select, type_coerce

from ..accounts.models import Organisation
from ..core.exports import FORMULA_PREFIXES, neutralise
from ..core.models import utcnow
from ..extensions import db
from ..territories.models import Territory
from .models import (
    DEFAULT_LICENCE, PUBLIC_STATUSES, ExternalAction, Finding, FindingReview, Indicator, IndicatorValue,
    ReviewDecision,
)

BATCH = 2000


def _words(value: str) -> str:
    return " ".join((value or "").split())


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


FINDINGS = Resource(
    name="findings", slug="constats", title=_l("Constats de l'observatoire"),
    description=_l("Constats publiés ou retirés, relus par une autre organisation partenaire que celle qui les a "
                   "produits. Chaque ligne porte sa licence, son organisation productrice et ses sources."),
    build=lambda: (select(Finding.id).join(Territory, Territory.id == Finding.territory_id)
                   .join(Organisation, Organisation.id == Finding.organisation_id)
                   .where(Finding.status.in_(list(PUBLIC_STATUSES))).order_by(Finding.id)),
    columns=(
        Column("id", "integer", "Identifiant du constat", Finding.id),
        Column("title", "string", "Titre", Finding.title),
        Column("status", "string", "published (publié) ou withdrawn (retiré)", Finding.status),
        Column("flow_kind", "string", "Type de flux : people, institutions, ideas, goods, urban_models, "
               "lifestyles, gastronomy, capital, other", Finding.flow_kind),
        Column("direction", "string", "inbound, outbound ou both", Finding.direction),
        Column("character", "string", "wanted (voulue), suffered (subie) ou mixed", Finding.character),
        Column("fields", "string", "Domaines, séparés par des espaces", Finding.fields, _words,
               lambda v: (v or "").split()),
        Column("territory_kind", "string", "Type de territoire (epci, commune, arrondissement)", Territory.kind),
        Column("territory_code", "string", "Code officiel (INSEE ou SIREN)", Territory.code),
        Column("territory_name", "string", "Nom du territoire", Territory.name),
        Column("period_label", "string", "Période, telle qu'écrite", Finding.period_label),
        Column("period_start", "integer", "Première année", Finding.period_start),
        Column("period_end", "integer", "Dernière année", Finding.period_end),
        Column("body", "string", "Le constat (markdown)", Finding.body),
        Column("method", "string", "Méthode", Finding.method),
        Column("sources", "string", "Sources, une par ligne", Finding.sources, None, _lines),
        Column("licence", "string", "Licence de réutilisation", Finding.licence),
        Column("organisation_id", "integer", "Organisation productrice (identifiant)", Organisation.id),
        Column("organisation_name", "string", "Organisation productrice", Organisation.name),
        Column("organisation_kind", "string", "Type d'organisation", Organisation.kind),
        Column("published_at", "datetime", "Date de publication (UTC)", Finding.published_at),
        Column("withdrawn_at", "datetime", "Date de retrait (UTC), si retiré", Finding.withdrawn_at),
        Column("withdrawal_reason", "string", "Raison publique du retrait", Finding.withdrawal_reason),
    ),
)

INDICATORS = Resource(
    name="indicators", slug="indicateurs", title=_l("Indicateurs de l'observatoire"),
    description=_l("Définition, méthode, unité et organisation productrice de chaque indicateur."),
    build=lambda: (select(Indicator.id).join(Organisation, Organisation.id == Indicator.organisation_id)
                   .order_by(Indicator.id)),
    columns=(
        Column("id", "integer", "Identifiant de l'indicateur", Indicator.id),
        Column("name", "string", "Nom", Indicator.name),
        Column("unit", "string", "Unité", Indicator.unit),
        Column("flow_kind", "string", "Type de flux", Indicator.flow_kind),
        Column("additive", "boolean", "Les valeurs des communes s'additionnent-elles ?", Indicator.additive),
        Column("definition", "string", "Définition", Indicator.definition),
        Column("method", "string", "Méthode", Indicator.method),
        Column("licence", "string", "Licence de réutilisation", Indicator.licence),
        Column("organisation_id", "integer", "Organisation productrice (identifiant)", Organisation.id),
        Column("organisation_name", "string", "Organisation productrice", Organisation.name),
        Column("organisation_kind", "string", "Type d'organisation", Organisation.kind),
        Column("updated_at", "datetime", "Dernière modification de la définition (UTC)", Indicator.updated_at),
    ),
)

VALUES = Resource(
    name="indicator_values", slug="valeurs", title=_l("Valeurs des indicateurs"),
    description=_l("Une valeur par indicateur, territoire et année, avec sa source et la licence de l'indicateur."),
    build=lambda: (select(IndicatorValue.id).join(Indicator, Indicator.id == IndicatorValue.indicator_id)
                   .join(Territory, Territory.id == IndicatorValue.territory_id)
                   .join(Organisation, Organisation.id == Indicator.organisation_id)
                   .order_by(IndicatorValue.indicator_id, IndicatorValue.territory_id, IndicatorValue.period)),
    primary_key=("indicator_id", "territory_code", "period"),
    foreign_keys=({"fields": "indicator_id", "reference": {"resource": "indicators", "fields": "id"}},),
    columns=(
        Column("indicator_id", "integer", "Indicateur (identifiant)", IndicatorValue.indicator_id),
        Column("indicator_name", "string", "Indicateur", Indicator.name),
        # Read as plain text and a float in SQL: no per-row type conversion in Python.
        Column("territory_kind", "string", "Type de territoire", type_coerce(Territory.kind, String)),
        Column("territory_code", "string", "Code officiel (INSEE ou SIREN)", Territory.code),
        Column("territory_name", "string", "Nom du territoire", Territory.name),
        Column("period", "integer", "Année", IndicatorValue.period),
        Column("value", "number", "Valeur", cast(IndicatorValue.value, Float), _whole),
        Column("unit", "string", "Unité", Indicator.unit),
        Column("note", "string", "Note", IndicatorValue.note),
        Column("source", "string", "Source de la valeur", IndicatorValue.source),
        Column("licence", "string", "Licence de réutilisation", Indicator.licence),
        Column("organisation_name", "string", "Organisation productrice", Organisation.name),
    ),
)

EXTERNAL_ACTIONS = Resource(
    name="external_actions", slug="actions-exterieures", title=_l("Action extérieure des collectivités (AECT)"),
    description=_l("Inventaire de l'action propre des collectivités à l'étranger : jumelages, coopération "
                   "décentralisée, mobilité étudiante… distinct de l'internationalisation du territoire."),
    build=lambda: (select(ExternalAction.id).join(Territory, Territory.id == ExternalAction.territory_id)
                   .outerjoin(Organisation, Organisation.id == ExternalAction.organisation_id)
                   .order_by(ExternalAction.id)),
    columns=(
        Column("id", "integer", "Identifiant de l'action", ExternalAction.id),
        Column("title", "string", "Intitulé", ExternalAction.title),
        Column("kind", "string", "twinning, decentralised_cooperation, student_mobility, economic_mission, "
               "cross_border_cooperation, network_membership, humanitarian_aid", ExternalAction.kind),
        Column("partner_country", "string", "Pays partenaire", ExternalAction.partner_country),
        Column("partner_city", "string", "Ville ou collectivité partenaire", ExternalAction.partner_city),
        Column("budget_eur", "integer", "Budget annuel en euros, si connu", ExternalAction.budget_eur),
        Column("start_date", "date", "Début", ExternalAction.start_date),
        Column("end_date", "date", "Fin", ExternalAction.end_date),
        Column("status", "string", "planned, ongoing, suspended ou ended", ExternalAction.status),
        Column("description", "string", "Description (markdown)", ExternalAction.description),
        Column("territory_code", "string", "Collectivité (code officiel)", Territory.code),
        Column("territory_name", "string", "Collectivité", Territory.name),
        Column("organisation_name", "string", "Organisation qui porte l'action", Organisation.name),
        Column("updated_at", "datetime", "Dernière mise à jour (UTC)", ExternalAction.updated_at),
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


def _rows(stmt: Select) -> Iterator[list]:
    """Batches of rows through a server-side cursor: never the whole result in memory.

    Executed on the session's connection (Core), so rows skip the ORM's loading layer."""
    connection = db.session.connection()
    result = connection.execution_options(yield_per=BATCH, stream_results=True).execute(stmt)
    try:
        yield from result.partitions(BATCH)
    finally:
        result.close()


# A cell a spreadsheet would run: text starting with one of FORMULA_PREFIXES. Searched in a
# whole column at once (cells joined by NUL), so clean batches cost one regex scan in C.
_FORMULA_START = re.compile("(?:^|\x00)[" + re.escape("".join(FORMULA_PREFIXES)) + "]")


def _clean_text_column(values: tuple) -> tuple | list:
    """The column with formula cells neutralised; untouched when the scan finds none."""
    if not _FORMULA_START.search("\x00".join(filter(None, values))):
        return values
    starts = frozenset(FORMULA_PREFIXES)
    return [neutralise(v) if v and v[0] in starts else v for v in values]


def _csv_batch(resource: Resource, batch, extra: Callable | None) -> Iterator[tuple]:
    """Rows of one batch made safe for CSV, column by column (None becomes an empty cell)."""
    columns = list(zip(*batch))
    for i, column in enumerate(resource.columns):
        if column.convert is _whole:
            columns[i] = [int(v) if v.__class__ is float and v.is_integer() else v for v in columns[i]]
        elif column.convert is not None or column.type in ("date", "datetime", "boolean"):
            columns[i] = [_csv_cell(column, v) for v in columns[i]]
        elif column.type == "string":
            columns[i] = _clean_text_column(columns[i])
    if extra:
        computed = [extra(row) for row in batch]
        columns.extend(_clean_text_column(values) for values in zip(*computed))
    return zip(*columns)


def stream_csv(resource: Resource, stmt: Select, extra: Callable | None = None) -> Iterator[str]:
    """CSV text, batch by batch: a header, then one line per row (formula cells neutralised).

    `extra(row)` appends computed cells (the finding's reviewers, its page address).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(resource.names + (list(EXTRA_FINDING_COLUMNS) if extra else []))
    yield buffer.getvalue()
    for batch in _rows(stmt):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_csv_batch(resource, batch, extra))
        yield buffer.getvalue()


def stream_json(resource: Resource, stmt: Select, meta: dict, extra: Callable | None = None) -> Iterator[str]:
    """A JSON document, batch by batch: the provenance first, then `data`, one object per row."""
    head = json.dumps(meta, ensure_ascii=False)
    yield head[:-1] + ', "data": ['
    first = True
    for batch in _rows(stmt):
        parts = []
        for row in batch:
            record = resource.record(row)
            if extra:
                record.update(zip(EXTRA_FINDING_COLUMNS, extra(row), strict=True))
            parts.append(("" if first else ",") + "\n" + json.dumps(record, ensure_ascii=False))
            first = False
        yield "".join(parts)
    yield "\n]}\n"


EXTRA_FINDING_COLUMNS = ("reviewed_by", "url")


def finding_extra(page_url: Callable[[int], str]):
    """The computed cells of a finding row: approving organisations, and its page."""
    reviewers = reviewers_by_finding()

    def extra(row):
        return ("; ".join(reviewers.get(row[0], [])), page_url(row[0]))

    return extra


def export_meta(resource: Resource, site_url: str, csv_url: str) -> dict:
    return {
        "name": resource.name, "title": str(resource.title), "description": str(resource.description),
        "licence": DEFAULT_LICENCE, "licence_note": "Chaque ligne porte sa propre licence (colonne licence).",
        "publisher": site_url, "generated_at": utcnow().isoformat(timespec="seconds"), "csv": csv_url,
        "fields": resource.names + (list(EXTRA_FINDING_COLUMNS) if resource is FINDINGS else []),
    }


def data_package(url_for_file: Callable[[Resource, str], str], site_name: str, site_url: str) -> dict:
    """The Frictionless data package descriptor: every resource, its schema, licence and sources."""
    resources = []
    for resource in RESOURCES.values():
        fields = [{"name": c.name, "type": c.type, "description": c.description} for c in resource.columns]
        if resource is FINDINGS:
            fields += [{"name": "reviewed_by", "type": "string",
                        "description": "Organisations qui ont approuvé le constat (relecture indépendante)"},
                       {"name": "url", "type": "string", "format": "uri", "description": "Page du constat"}]
        schema = {"fields": fields, "primaryKey": resource.primary_key, "missingValues": [""]}
        if resource.foreign_keys:
            schema["foreignKeys"] = list(resource.foreign_keys)
        resources.append({
            "name": resource.name, "path": url_for_file(resource, "csv"), "title": str(resource.title),
            "description": str(resource.description), "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "schema": schema,
            "dialect": {"delimiter": ",", "lineTerminator": "\n", "quoteChar": "\"", "header": True},
        })
        resources.append({
            "name": f"{resource.name}-json", "path": url_for_file(resource, "json"),
            "title": str(resource.title) + " (JSON)", "profile": "data-resource", "format": "json",
            "mediatype": "application/json", "encoding": "utf-8",
            "description": "Les mêmes lignes en JSON, dans la clé « data », précédées de leur provenance.",
        })
    organisations = db.session.execute(select(Organisation.name).order_by(Organisation.name)).scalars().all()
    return {
        "profile": "tabular-data-package",
        "name": "observatoire-internationalisation",
        "title": f"{site_name} — observatoire de l'internationalisation du territoire",
        "description": "Constats, indicateurs, valeurs et action extérieure des collectivités, publiés en données "
                       "ouvertes. Les chiffres marqués « illustratif » sont des données de démonstration.",
        "homepage": site_url,
        "created": utcnow().isoformat(timespec="seconds"),
        "licenses": [{"name": "etalab-2.0", "title": DEFAULT_LICENCE,
                      "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}],
        "sources": [{"title": name} for name in organisations],
        "contributors": [{"title": name, "role": "author"} for name in organisations],
        "resources": resources,
    }
