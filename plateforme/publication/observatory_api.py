"""JSON API, version 1: the observatory's public findings, indicators, their values and the
external-action inventory. Paginated (at most 100 rows a page), with the same field names
as the downloadable files, and a fixed number of queries per request. Each operation declares
its query parameters (`accepts`): a value that does not fit, or a parameter it does not take,
answers 400 (problem+json) rather than an unfiltered list."""
from __future__ import annotations

from flask import abort, jsonify, url_for
from sqlalchemy import func, select

from ..core.http_cache import conditional
from ..core.i18n import N_
from ..core.params import Param, accepts, filters, paging
from ..extensions import db
from ..observatory.resources import EXTERNAL_ACTIONS, FINDINGS, INDICATORS, VALUES, reviewers_by_finding
from ..observatory.models import (
    DEFAULT_LICENCE, ExternalAction, ExternalActionKind, ExternalActionStatus, Finding, Indicator, IndicatorValue,
)
from ..observatory.queries import (
    FINDING_PARAMS, INDICATOR_PARAMS, TERRITORY_PARAM, FindingFilters, apply_finding_filters, finding_with_history,
    territory_scope,
)
from ..observatory.services import FIRST_YEAR, LAST_YEAR
from ..territories.models import Territory
from . import api_bp
from .http import link_header, page_links

FINDING_TABLES = FINDINGS.tables
FINDING_DETAIL_TABLES = (*FINDINGS.tables, "user_account")  # who wrote each version
INDICATOR_TABLES = INDICATORS.tables
VALUE_TABLES = VALUES.tables
EXTERNAL_ACTION_TABLES = EXTERNAL_ACTIONS.tables
MAX_PER_PAGE = 100
PAGING = paging(most=MAX_PER_PAGE)
VALUE_PARAMS = filters(TERRITORY_PARAM, Param("period", N_("Année"), "integer", minimum=FIRST_YEAR,
                                              maximum=LAST_YEAR))
EXTERNAL_ACTION_PARAMS = filters(
    Param("territory", N_("Code officiel de la collectivité"), max_length=16),
    Param("kind", N_("Type d'action"), "enum", ExternalActionKind),
    Param("status", N_("État"), "enum", ExternalActionStatus),
)


def _open(response):
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


def _paged(query: dict, resource, stmt, endpoint: str, view_args: dict | None = None, extra=None):
    """One page of `stmt` as {data, meta, links}: two queries (count, page), plus `extra`'s."""
    page, per_page = query["page"], query["per_page"]
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    data = [resource.record(row) for row in rows]
    if extra is not None:
        extra(rows, data)
    pages, links = page_links(endpoint, page, per_page, total, **(view_args or {}))
    response = _open(jsonify({
        "data": data,
        "meta": {"page": page, "per_page": per_page, "total": total, "pages": pages,
                 "licence": DEFAULT_LICENCE, "licence_note": "Chaque ligne porte sa propre licence (champ licence)."},
        "links": links,
    }))
    response.headers["Link"] = link_header(links)
    return response


def _finding_extras(rows, data) -> None:
    """Who approved each finding (one query for the page) and its page's address."""
    reviewers = reviewers_by_finding([row[0] for row in rows])
    for record in data:
        record["reviewed_by"] = reviewers.get(record["id"], [])
        record["url"] = url_for("observatory.finding", finding_id=record["id"], _external=True)


@api_bp.route("/findings")
@accepts(*PAGING, *FINDING_PARAMS)
@conditional(*FINDING_TABLES)
def findings(query):
    stmt = apply_finding_filters(FINDINGS.statement(), FindingFilters.from_query(query))
    return _paged(query, FINDINGS, stmt, "api.findings", extra=_finding_extras)


@api_bp.route("/findings/<int:finding_id>")
@accepts()
@conditional(*FINDING_DETAIL_TABLES)
def finding(_query, finding_id: int):
    item = finding_with_history(finding_id)
    if item is None or not item.is_public:
        abort(404)
    row = db.session.execute(FINDINGS.statement().where(Finding.id == finding_id)).one()
    record = FINDINGS.record(row)
    _finding_extras([row], [record])
    record["versions"] = [{
        "number": v.number, "title": v.title, "submitted_at": v.created_at.isoformat(timespec="seconds"),
        "change_note": v.change_note or None, "body": v.body,
    } for v in item.versions]
    # Reviews name the organisation the reviewer answered for, not the person.
    record["reviews"] = [{
        "version": r.version_number, "decision": r.decision.value, "organisation": r.organisation.name,
        "reviewed_at": r.created_at.isoformat(timespec="seconds"), "comment": r.comment or None,
    } for r in item.reviews]
    return _open(jsonify(record))


@api_bp.route("/indicators")
@accepts(*PAGING, *INDICATOR_PARAMS)
@conditional(*INDICATOR_TABLES)
def indicators(query):
    stmt = INDICATORS.statement()
    if query["flow_kind"]:
        stmt = stmt.where(Indicator.flow_kind == query["flow_kind"])
    return _paged(query, INDICATORS, stmt, "api.indicators")


@api_bp.route("/indicators/<int:indicator_id>")
@accepts()
@conditional(*INDICATOR_TABLES)
def indicator(_query, indicator_id: int):
    row = db.session.execute(INDICATORS.statement().where(Indicator.id == indicator_id)).one_or_none()
    if row is None:
        abort(404)
    record = INDICATORS.record(row)
    record["values_url"] = url_for("api.indicator_values", indicator_id=indicator_id, _external=True)
    record["url"] = url_for("observatory.indicator", indicator_id=indicator_id, _external=True)
    return _open(jsonify(record))


@api_bp.route("/indicators/<int:indicator_id>/values")
@accepts(*PAGING, *VALUE_PARAMS)
@conditional(*VALUE_TABLES)
def indicator_values(query, indicator_id: int):
    if db.session.get(Indicator, indicator_id) is None:
        abort(404)
    stmt = VALUES.statement().where(IndicatorValue.indicator_id == indicator_id)
    if query["territory"]:
        _territory, scope = territory_scope(query["territory"])
        stmt = stmt.where(IndicatorValue.territory_id.in_(scope) if scope is not None else Territory.id.is_(None))
    if query["period"] is not None:
        stmt = stmt.where(IndicatorValue.period == query["period"])
    return _paged(query, VALUES, stmt, "api.indicator_values", view_args={"indicator_id": indicator_id})


@api_bp.route("/external-actions")
@accepts(*PAGING, *EXTERNAL_ACTION_PARAMS)
@conditional(*EXTERNAL_ACTION_TABLES)
def external_actions(query):
    stmt = EXTERNAL_ACTIONS.statement()
    if query["territory"]:
        stmt = stmt.where(Territory.code == query["territory"])
    if query["kind"]:
        stmt = stmt.where(ExternalAction.kind == query["kind"])
    if query["status"]:
        stmt = stmt.where(ExternalAction.status == query["status"])
    return _paged(query, EXTERNAL_ACTIONS, stmt, "api.external_actions")
