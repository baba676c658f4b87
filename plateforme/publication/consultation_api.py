"""JSON API, version 1: published issue cards, public consultations (with their synthesis and
the authority's response) and the commitments of those responses, plus the consultations
and commitments as CSV files.

Drafts do not exist here: a card that was never published, a consultation still in draft
answer 404, like an unknown id. Lists are paginated like the observatory's ({data, meta,
links}, at most 100 rows a page) and read in a fixed number of queries whatever the page
size: a count, the page, and one query per collection loaded with it.
"""
from __future__ import annotations

from flask import Response, abort, jsonify, stream_with_context, url_for
from sqlalchemy import func, select

from ..core.spreadsheet import FORMAT_PARAM, spreadsheet_variant
from ..cards.exports import card_detail, card_record, public_card, public_cards_statement
from ..cards.queries import CARD_PARAMS
from ..consultations.exports import (
    COMMITMENT_COLUMNS, CONSULTATION_COLUMNS, commitment_record, consultation_detail, consultation_record, public_commitments_statement, public_consultation,
    public_consultations_statement, stream_commitments_csv, stream_consultations_csv,
)
from ..consultations.models import CommitmentStatus
from ..consultations.queries import territory_ids_within
from ..core.models import local_today
from ..core.http_cache import conditional
from ..core.i18n import N_
from ..core.params import Param, accepts, filters
from ..core.urls import MAX_DATABASE_ID
from ..extensions import db
from ..observatory.models import DEFAULT_LICENCE
from ..observatory.queries import TERRITORY_PARAM
from ..territories.models import Territory
from . import api_bp
from .http import link_header, page_links
from .observatory_api import PAGING, _open

OPEN_HEADERS = {"Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}
# What the answers are read from (their ETag follows these tables' changes, core/http_cache.py).
CARD_TABLES = ("issue_card", "issue_card_version", "territory", "card_version_finding", "card_version_value",
               "finding", "indicator", "indicator_value", "organisation")
CONSULTATION_TABLES = ("consultation", "consultation_phase", "consultation_card", "synthesis", "authority_response",
                       "commitment", "commitment_update", "territory", "issue_card")
LICENCE_NOTE = "Licence Ouverte 2.0 (etalab-2.0) : réutilisation libre, en citant la source."


# --- addresses -------------------------------------------------------------------------------

def card_url(card_id: int) -> str:
    return url_for("cards.show", card_id=card_id, _external=True)


def consultation_url(consultation_id: int) -> str:
    return url_for("consultations.show", consultation_id=consultation_id, _external=True)


def finding_url(finding_id: int) -> str:
    return url_for("observatory.finding", finding_id=finding_id, _external=True)


# --- parameters ------------------------------------------------------------------------------

COMMITMENT_PARAMS = filters(TERRITORY_PARAM, Param("status", N_("État de l'engagement"), "enum", CommitmentStatus))


def territory_ids_for_code(code: str):
    """Ids of the territory named by ?territory=<code> and of everything within it; None
    without the parameter; an empty list for an unknown code (so nothing matches)."""
    if not code:
        return None
    territory = db.session.execute(
        select(Territory).where(Territory.code == code).order_by(Territory.kind)).scalars().first()
    return [] if territory is None else territory_ids_within(territory)


def _object_id(value: int) -> int:
    if not 1 <= value <= MAX_DATABASE_ID:
        abort(404)
    return value


def _paged(query: dict, stmt, endpoint: str, to_record):
    """One page of `stmt`'s objects as {data, meta, links}: a count, then the page with its
    eager loads. Same envelope as the observatory's lists."""
    page, per_page = query["page"], query["per_page"]
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    items = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique().scalars().all()
    pages, links = page_links(endpoint, page, per_page, total)
    response = _open(jsonify({
        "data": [to_record(item) for item in items],
        "meta": {"page": page, "per_page": per_page, "total": total, "pages": pages,
                 "licence": DEFAULT_LICENCE, "licence_note": LICENCE_NOTE},
        "links": links,
    }))
    response.headers["Link"] = link_header(links)
    return response


# --- issue cards -----------------------------------------------------------------------------

@api_bp.route("/cards")
@accepts(*PAGING, *CARD_PARAMS)
@conditional(*CARD_TABLES)
def cards(query):
    stmt = public_cards_statement(territory_ids_for_code(query["territory"]), query["political_status"])
    return _paged(query, stmt, "api.cards", lambda card: card_record(card, card_url))


@api_bp.route("/cards/<int:card_id>")
@accepts()
@conditional(*CARD_TABLES)
def card(_query, card_id: int):
    found = public_card(_object_id(card_id)) or abort(404)
    return _open(jsonify(card_detail(found, card_url, finding_url)))


# --- consultations ---------------------------------------------------------------------------

@api_bp.route("/consultations")
@accepts(*PAGING, TERRITORY_PARAM)
@conditional(*CONSULTATION_TABLES, dated=True)
def consultations(query):
    today = local_today()
    stmt = public_consultations_statement(territory_ids_for_code(query["territory"]))
    return _paged(query, stmt, "api.consultations",
                  lambda consultation: consultation_record(consultation, today, consultation_url))


@api_bp.route("/consultations/<int:consultation_id>")
@accepts()
@conditional(*CONSULTATION_TABLES, dated=True)
def consultation(_query, consultation_id: int):
    found = public_consultation(_object_id(consultation_id)) or abort(404)
    return _open(jsonify(consultation_detail(found, local_today(), consultation_url)))


@api_bp.route("/commitments")
@accepts(*PAGING, *COMMITMENT_PARAMS)
@conditional(*CONSULTATION_TABLES, dated=True)
def commitments(query):
    today = local_today()
    stmt = public_commitments_statement(territory_ids_for_code(query["territory"]), query["status"])
    return _paged(query, stmt, "api.commitments",
                  lambda c: commitment_record(c, c.response.consultation, today, consultation_url))


# --- files -----------------------------------------------------------------------------------

def _csv_file(body, columns, filename: str, variant: str | None, sheet: str) -> Response:
    body, mimetype, filename = spreadsheet_variant(variant, body, [t for _n, t, _d in columns], filename, sheet)
    return Response(stream_with_context(body), mimetype=mimetype, headers={
        **OPEN_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'})


@api_bp.route("/consultations.csv")
@accepts(FORMAT_PARAM)
@conditional(*CONSULTATION_TABLES, dated=True)
def consultations_csv(query):
    return _csv_file(stream_consultations_csv(local_today(), consultation_url), CONSULTATION_COLUMNS,
                     "consultations.csv", query["format"], "consultations")


@api_bp.route("/commitments.csv")
@accepts(FORMAT_PARAM)
@conditional(*CONSULTATION_TABLES, dated=True)
def commitments_csv(query):
    return _csv_file(stream_commitments_csv(local_today(), consultation_url), COMMITMENT_COLUMNS,
                     "engagements.csv", query["format"], "engagements")

