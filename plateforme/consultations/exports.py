"""Consultations and commitments as open data: the JSON records of the API and the CSV
downloads, each field listed explicitly (never an object's attributes wholesale).

Only public consultations are read (published or cancelled; a draft does not exist for
open data), and only what their public page shows: no person's name or address — a
commitment's owner is the service or office that answers for it — and, of the debate,
only the ids of visible contributions the synthesis cites.

The files stream: consultations are read in batches by increasing id, each batch with
its phases (or updates) in one more query, and each batch leaves the session once written,
so memory stays flat whatever the number of rows. Cells a spreadsheet would run as
formulas are neutralised.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from ..core.exports import joined, neutralise
from ..core.i18n import N_
from ..extensions import db
from ..observatory.models import DEFAULT_LICENCE
from ..territories.models import TerritoryKind
from .models import (
    PHASE_ORDER, Audience, AuthorityResponse, Commitment, CommitmentStatus, Consultation, ConsultationStatus, Stage,
    Synthesis,
)
from .status import Progress, consultation_status

PUBLIC_STATUSES = (ConsultationStatus.PUBLISHED, ConsultationStatus.CANCELLED)
OPEN_COMMITMENT_STATUSES = (CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS)
BATCH = 500
PARIS = ZoneInfo("Europe/Paris")

Urls = Callable[[int], str]


def _iso(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _local_day(value: datetime | None) -> str | None:
    """A UTC timestamp as the French calendar day it fell on (an update's public date)."""
    return value.astimezone(PARIS).date().isoformat() if value is not None else None


def territory_record(territory) -> dict:
    return {"code": territory.code, "name": territory.name, "kind": territory.kind.value}


def is_overdue(commitment: Commitment, today: date) -> bool:
    """Due before today and neither done nor abandoned."""
    return commitment.status in OPEN_COMMITMENT_STATUSES and commitment.due_on < today


# --- JSON records -------------------------------------------------------------------------

def public_consultations_statement(territory_ids=None) -> Select:
    """Public consultations, newest first, with what a list row shows (phases and cards in one
    more query each)."""
    stmt = (select(Consultation).where(Consultation.status.in_(PUBLIC_STATUSES))
            .options(joinedload(Consultation.territory), selectinload(Consultation.phases),
                     selectinload(Consultation.cards), selectinload(Consultation.synthesis),
                     selectinload(Consultation.response), selectinload(Consultation.survey))
            .order_by(Consultation.published_at.desc(), Consultation.id.desc()))
    if territory_ids is not None:
        stmt = stmt.where(Consultation.territory_id.in_(territory_ids))
    return stmt


def consultation_record(consultation: Consultation, today: date, url: Urls) -> dict:
    return {
        "id": consultation.id, "title": consultation.title, "territory": territory_record(consultation.territory),
        "audience": consultation.audience.value, "status": consultation.status.value,
        "stage": consultation.stage(today).value,
        "progress": consultation_status(consultation, today).value,
        "published_at": _iso(consultation.published_at), "cancelled_at": _iso(consultation.cancelled_at),
        "cancellation_reason": consultation.cancellation_reason or None,
        "phases": [{"kind": p.kind.value, "starts_on": _iso(p.starts_on), "ends_on": _iso(p.ends_on)}
                   for p in consultation.phases],
        "card_ids": [card.id for card in consultation.cards if card.is_public],
        "survey_id": consultation.survey_id, "url": url(consultation.id),
    }


def public_consultation(consultation_id: int) -> Consultation | None:
    """A public consultation with its synthesis, response, commitments and their updates."""
    return db.session.execute(
        select(Consultation).where(Consultation.id == consultation_id, Consultation.status.in_(PUBLIC_STATUSES))
        .options(joinedload(Consultation.territory), selectinload(Consultation.phases),
                 selectinload(Consultation.cards),
                 selectinload(Consultation.synthesis).selectinload(Synthesis.comments),
                 selectinload(Consultation.synthesis).selectinload(Synthesis.proposals),
                 selectinload(Consultation.response).selectinload(AuthorityResponse.commitments)
                 .selectinload(Commitment.updates))
    ).unique().scalar_one_or_none()


def commitment_record(commitment: Commitment, consultation: Consultation, today: date, url: Urls) -> dict:
    return {
        "id": commitment.id, "consultation_id": consultation.id, "territory_code": consultation.territory.code,
        "title": commitment.title, "description": commitment.description, "owner": commitment.owner,
        "due_on": _iso(commitment.due_on), "status": commitment.status.value,
        "overdue": is_overdue(commitment, today),
        "updates": [{"date": _local_day(u.created_at), "status_before": u.status_before.value,
                     "status_after": u.status_after.value, "body": u.body} for u in commitment.updates],
        "url": f"{url(consultation.id)}#engagement-{commitment.id}",
    }


def consultation_detail(consultation: Consultation, today: date, url: Urls) -> dict:
    """The list record with the description, the synthesis and the authority's response.

    Texts are given twice: `body` as written (markdown) and `body_html`, rendered and
    sanitised once when it was written — safe to show as is."""
    record = consultation_record(consultation, today, url)
    record["description"] = consultation.description
    record["description_html"] = consultation.description_html
    synthesis = consultation.synthesis
    record["synthesis"] = None if synthesis is None else {
        "published_at": _iso(synthesis.published_at), "body": synthesis.body, "body_html": synthesis.body_html,
        # A contribution hidden or withdrawn since is no longer cited.
        "comment_ids": [c.id for c in synthesis.comments if c.is_visible],
        "proposal_ids": [p.id for p in synthesis.proposals if p.is_visible],
    }
    response = consultation.response
    record["response"] = None if response is None else {
        "published_at": _iso(response.published_at), "body": response.body, "body_html": response.body_html,
        "commitments": [commitment_record(c, consultation, today, url) for c in response.commitments],
    }
    return record


def public_commitments_statement(territory_ids=None, status: CommitmentStatus | None = None) -> Select:
    """Commitments of public consultations, by consultation then position, with their updates."""
    stmt = (select(Commitment).join(AuthorityResponse, AuthorityResponse.id == Commitment.response_id)
            .join(Consultation, Consultation.id == AuthorityResponse.consultation_id)
            .where(Consultation.status.in_(PUBLIC_STATUSES))
            .options(joinedload(Commitment.response).joinedload(AuthorityResponse.consultation)
                     .joinedload(Consultation.territory), selectinload(Commitment.updates))
            .order_by(Consultation.id.desc(), Commitment.position, Commitment.id))
    if territory_ids is not None:
        stmt = stmt.where(Consultation.territory_id.in_(territory_ids))
    if status is not None:
        stmt = stmt.where(Commitment.status == status)
    return stmt


# --- CSV files ----------------------------------------------------------------------------
# Each phase's first and last day, a message each (the page translates them whole).
PHASE_EDGES = {
    "starts_on": N_("Phase %(phase)s : premier jour (vide si la consultation n'a pas cette phase)"),
    "ends_on": N_("Phase %(phase)s : dernier jour (vide si la consultation n'a pas cette phase)"),
}

CONSULTATION_COLUMNS = (
    ("id", "integer", N_("Identifiant de la consultation")),
    ("title", "string", N_("Titre")),
    ("territory_code", "string", N_("Code officiel du territoire (INSEE ou SIREN)")),
    ("territory_name", "string", N_("Territoire")),
    ("territory_kind", "string", N_("Type de territoire (epci, commune…)")),
    ("audience", "string", N_("registered (toute personne inscrite) ou residents (habitants du territoire)")),
    ("status", "string", N_("published (publiée) ou cancelled (annulée)")),
    ("stage", "string", N_("Étape le jour du téléchargement : upcoming, information, debate, proposals, survey, "
                           "synthesis, response, between_phases, concluded ou cancelled")),
    ("progress", "string", N_("Où en est la consultation, d'après les faits (celui des pages) : upcoming, "
                              "information, debate, proposals, survey_upcoming, survey_open, survey_closed, "
                              "survey_published, survey_outside, synthesis_pending, response_awaited, "
                              "response_published, between_phases, concluded ou cancelled")),
    ("published_at", "datetime", N_("Date de publication (UTC)")),
    ("cancelled_at", "datetime", N_("Date d'annulation (UTC), si annulée")),
    *[(f"{kind.value}_{edge}", "date", N_(PHASE_EDGES[edge], phase=kind.value))
      for kind in PHASE_ORDER for edge in PHASE_EDGES],
    ("card_ids", "string", N_("Fiches enjeux débattues (identifiants, un par ligne)")),
    ("survey_id", "integer", N_("Questionnaire de perception associé (identifiant)")),
    ("synthesis_published_at", "datetime", N_("Publication de la synthèse (UTC)")),
    ("response_published_at", "datetime", N_("Publication de la réponse officielle (UTC)")),
    ("commitments", "integer", N_("Nombre d'engagements de la réponse officielle")),
    ("url", "string", N_("Page de la consultation")),
    ("licence", "string", N_("Licence de réutilisation")),
)

COMMITMENT_COLUMNS = (
    ("id", "integer", N_("Identifiant de l'engagement")),
    ("consultation_id", "integer", N_("Consultation (identifiant)")),
    ("consultation_title", "string", N_("Consultation")),
    ("territory_code", "string", N_("Code officiel du territoire de la consultation")),
    ("title", "string", N_("Engagement")),
    ("owner", "string", N_("Qui en répond (un service, une fonction)")),
    ("due_on", "date", N_("Échéance")),
    ("status", "string", N_("planned (prévu), in_progress (en cours), done (tenu) ou abandoned (abandonné)")),
    ("overdue", "boolean", N_("Échéance dépassée sans que l'engagement soit tenu ou abandonné, au jour du "
                              "téléchargement")),
    ("updates", "integer", N_("Nombre de points d'avancement publiés")),
    ("last_update_on", "date", N_("Date du dernier point d'avancement (heure de Paris)")),
    ("url", "string", N_("Engagement sur la page de la consultation")),
    ("licence", "string", N_("Licence de réutilisation")),
)


def column_names(columns) -> list[str]:
    return [name for name, _type, _description in columns]


def _batches(stmt: Select, id_column) -> Iterator[list]:
    """`stmt`'s objects BATCH at a time by increasing id; the session is emptied after each."""
    last = 0
    while True:
        batch = list(db.session.execute(stmt.where(id_column > last).order_by(id_column).limit(BATCH))
                     .unique().scalars())
        if not batch:
            return
        last = getattr(batch[-1], id_column.key)
        yield batch
        for item in batch:  # what was written out is not kept (with its phases, updates…)
            db.session.expunge(item)


def _csv_text(rows: list[list]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[neutralise(_iso(cell)) for cell in row] for row in rows])
    return buffer.getvalue()


def _consultation_row(consultation: Consultation, today: date, url: Urls) -> list:
    phases = {p.kind: p for p in consultation.phases}
    dates = []
    for kind in PHASE_ORDER:
        phase = phases.get(kind)
        dates += [phase.starts_on, phase.ends_on] if phase else [None, None]
    response = consultation.response
    return [
        consultation.id, consultation.title, consultation.territory.code, consultation.territory.name,
        consultation.territory.kind.value, consultation.audience.value, consultation.status.value,
        consultation.stage(today).value, consultation_status(consultation, today).value,
        consultation.published_at, consultation.cancelled_at, *dates,
        joined(card.id for card in consultation.cards if card.is_public), consultation.survey_id,
        consultation.synthesis.published_at if consultation.synthesis else None,
        response.published_at if response else None, len(response.commitments) if response else 0,
        url(consultation.id), DEFAULT_LICENCE,
    ]


def stream_consultations_csv(today: date, url: Urls) -> Iterator[str]:
    """One line per public consultation, its phases' first and last days as columns."""
    yield _csv_text([column_names(CONSULTATION_COLUMNS)])
    stmt = (select(Consultation).where(Consultation.status.in_(PUBLIC_STATUSES))
            .options(joinedload(Consultation.territory), selectinload(Consultation.phases),
                     selectinload(Consultation.cards), selectinload(Consultation.synthesis),
                     selectinload(Consultation.response).selectinload(AuthorityResponse.commitments),
                     selectinload(Consultation.survey)))
    for batch in _batches(stmt, Consultation.id):
        yield _csv_text([_consultation_row(c, today, url) for c in batch])


def _commitment_row(commitment: Commitment, today: date, url: Urls) -> list:
    consultation = commitment.response.consultation
    last = commitment.updates[-1].created_at if commitment.updates else None
    return [
        commitment.id, consultation.id, consultation.title, consultation.territory.code, commitment.title,
        commitment.owner, commitment.due_on, commitment.status.value, is_overdue(commitment, today),
        len(commitment.updates), _local_day(last), f"{url(consultation.id)}#engagement-{commitment.id}",
        DEFAULT_LICENCE,
    ]


def stream_commitments_csv(today: date, url: Urls) -> Iterator[str]:
    """One line per commitment of a public consultation, with its latest update's date."""
    yield _csv_text([column_names(COMMITMENT_COLUMNS)])
    stmt = public_commitments_statement().order_by(None)
    for batch in _batches(stmt, Commitment.id):
        yield _csv_text([_commitment_row(c, today, url) for c in batch])


# The values a column may hold, declared to data users as enum constraints.
CONSULTATION_ENUMS = {"territory_kind": TerritoryKind, "audience": Audience, "stage": Stage, "progress": Progress,
                      "status": PUBLIC_STATUSES}
COMMITMENT_ENUMS = {"status": CommitmentStatus}


def schema_fields(columns, enums: dict) -> list[dict]:
    """Frictionless fields from an explicit column list and its enums."""
    fields = []
    for name, type_, description in columns:
        field = {"name": name, "type": type_, "description": description}
        if name in enums:
            field["constraints"] = {"enum": [member.value for member in enums[name]]}
        fields.append(field)
    return fields


def tabular_resources(file_url: Callable[[str], str]) -> list[dict]:
    """The two files as Frictionless tabular resources (for the data package); `file_url(endpoint)`
    gives a file's address. Each commitment refers to its consultation (a foreign key)."""
    out = []
    for name, endpoint, title, description, columns, enums in (
            ("consultations", "api.consultations_csv", _l("Consultations publiques"),
             _l("Une ligne par consultation publiée ou annulée : son territoire, le public visé, son étape et son "
                "avancement, ses dates (publication, synthèse, réponse officielle), les fiches enjeux et le "
                "questionnaire qui l'accompagnent, le nombre d'engagements et l'adresse de sa page."),
             CONSULTATION_COLUMNS, CONSULTATION_ENUMS),
            ("commitments", "api.commitments_csv", _l("Engagements des réponses officielles"),
             _l("Une ligne par engagement d'une réponse officielle : la consultation à laquelle il répond, qui "
                "en est responsable, son échéance, son état, s'il est en retard, le nombre de points d'étape et "
                "la date du dernier."),
             COMMITMENT_COLUMNS, COMMITMENT_ENUMS)):
        schema = {"fields": schema_fields(columns, enums), "primaryKey": ["id"], "missingValues": [""]}
        if name == "commitments":
            schema["foreignKeys"] = [{"fields": ["consultation_id"],
                                      "reference": {"resource": "consultations", "fields": ["id"]}}]
        out.append({
            "name": name, "path": file_url(endpoint), "title": str(title), "description": str(description),
            "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "schema": schema,
            "dialect": {"delimiter": ",", "lineTerminator": "\n", "quoteChar": "\"", "header": True},
        })
    return out
