"""The OpenAPI description of the issue-card, consultation and commitment endpoints (merged
into /api/v1/openapi.json by openapi.py). The CSV columns come from the same lists as the
files, so the description cannot drift from them."""
from __future__ import annotations

from ..cards.models import PoliticalStatus
from ..consultations.exports import COMMITMENT_COLUMNS, CONSULTATION_COLUMNS
from ..consultations.models import Audience, CommitmentStatus, ConsultationStatus, PhaseKind, Stage
from ..consultations.status import Progress
from ..core.i18n import N_
from .openapi_parts import enum_schema, get_operation, page_of, path_id

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}
URI = {"type": "string", "format": "uri"}
IDS = {"type": "array", "items": {"type": "integer"}}


def _object(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "required": list(properties)}
    if description:
        schema["description"] = description
    return schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def consultation_schemas() -> dict:
    territory = _object({"code": {**STRING, "description": N_("Code officiel (INSEE ou SIREN)")}, "name": STRING,
                         "kind": {**STRING, "description": N_("region, departement, epci, commune ou arrondissement")}})
    card = {
        "id": {"type": "integer"}, "title": STRING, "territory": _ref("Territory"),
        "political_status": {**enum_schema(PoliticalStatus), "description": N_("consensuel, invisible ou clivant")},
        "version": {"type": "integer", "description": N_("Numéro de la version publique")},
        "first_published_at": DATETIME, "published_at": {**DATETIME, "description": N_("Publication de cette version")},
        "url": URI,
    }
    card_detail = {
        **card, "summary": STRING, "stakes": STRING, "known": STRING, "unknown": STRING,
        "questions": {"type": "array", "items": STRING, "description": N_("Questions pour le débat")},
        "change_note": {**NULLABLE_STRING, "description": N_("Ce qui a changé depuis la version précédente")},
        "findings": {"type": "array", "items": _object({"id": {"type": "integer"}, "title": STRING, "url": URI,
                                                        "organisation": STRING})},
        "indicator_values": {"type": "array", "items": _object({
            "indicator_id": {"type": "integer"}, "indicator_name": STRING, "unit": STRING, "territory_code": STRING,
            "period": {"type": "integer"}, "value": {"type": "number"}, "source": NULLABLE_STRING})},
        "versions": {"type": "array", "items": _object({
            "number": {"type": "integer"}, "published_at": NULLABLE_DATETIME, "change_note": NULLABLE_STRING})},
    }
    update = _object({"date": {**DATE, "description": N_("Jour de publication (heure de Paris)")},
                      "status_before": enum_schema(CommitmentStatus), "status_after": enum_schema(CommitmentStatus),
                      "body": {**STRING, "description": N_("Le point d'avancement (markdown)")}})
    commitment = _object({
        "id": {"type": "integer"}, "consultation_id": {"type": "integer"}, "territory_code": STRING,
        "title": STRING, "description": {**STRING, "description": N_("Markdown")},
        "owner": {**STRING, "description": N_("Qui en répond (un service, une fonction)")}, "due_on": DATE,
        "status": enum_schema(CommitmentStatus),
        "overdue": {"type": "boolean", "description": N_("Échéance dépassée, ni tenu ni abandonné")},
        "updates": {"type": "array", "items": update}, "url": URI,
    })
    consultation = {
        "id": {"type": "integer"}, "title": STRING, "territory": _ref("Territory"), "audience": enum_schema(Audience),
        "status": {"type": "string", "enum": [ConsultationStatus.PUBLISHED.value, ConsultationStatus.CANCELLED.value]},
        "stage": {**enum_schema(Stage), "description": N_("Étape le jour de la requête (jamais draft ici)")},
        "progress": {**enum_schema(Progress), "description": N_(
            "Où en est la consultation d'après les faits (synthèse, réponse, questionnaire), comme sur ses pages")},
        "published_at": NULLABLE_DATETIME, "cancelled_at": NULLABLE_DATETIME, "cancellation_reason": NULLABLE_STRING,
        "phases": {"type": "array", "items": _object({"kind": enum_schema(PhaseKind), "starts_on": DATE,
                                                      "ends_on": {**DATE, "description": N_("Inclus")}})},
        "card_ids": {**IDS, "description": N_("Fiches enjeux publiées débattues")},
        "survey_id": {"type": ["integer", "null"], "description": N_("Questionnaire de perception associé")},
        "url": URI,
    }
    consultation_detail = {
        **consultation, "description": STRING, "description_html": STRING,
        "synthesis": {"oneOf": [{"type": "null"}, _object({
            "published_at": DATETIME, "body": STRING, "body_html": STRING,
            "comment_ids": {**IDS, "description": N_("Commentaires cités (visibles seulement)")},
            "proposal_ids": {**IDS, "description": N_("Propositions citées (visibles seulement)")},
        }, N_("Ce qui a été entendu, écrit par la modération. `body` est le texte tel qu'écrit (markdown) ; "
              "`body_html` son rendu, nettoyé à l'écriture."))]},
        "response": {"oneOf": [{"type": "null"}, _object({
            "published_at": DATETIME, "body": STRING, "body_html": STRING,
            "commitments": {"type": "array", "items": _ref("Commitment")},
        }, N_("La réponse officielle de la collectivité et ses engagements. `body` est le texte tel qu'écrit "
              "(markdown) ; `body_html` son rendu, nettoyé à l'écriture."))]},
    }
    return {
        "Territory": territory,
        "IssueCard": _object(card), "IssueCardDetail": _object(card_detail), "IssueCardPage": page_of("IssueCard"),
        "Consultation": _object(consultation), "ConsultationDetail": _object(consultation_detail),
        "ConsultationPage": page_of("Consultation"),
        "Commitment": commitment, "CommitmentPage": page_of("Commitment"),
    }


def _csv(summary: str, columns) -> dict:
    names = ", ".join(name for name, _type, _description in columns)
    operation = get_operation(summary, None, [], media="text/csv", tag="consultations",
                              description=N_("CSV UTF-8, séparateur virgule, sous Licence Ouverte 2.0. Colonnes : "
                                             "%(columns)s. Les cellules qui commencent par = + - @ sont précédées "
                                             "d'une apostrophe ; une cellule à plusieurs valeurs (card_ids) en a une "
                                             "par ligne.", columns=names))
    del operation["get"]["responses"]["404"]
    return operation


def consultation_paths() -> dict:
    # Query parameters and the 400 answer come from the views' declarations (openapi._declared_parameters).
    return {
        "/cards": get_operation(N_("Fiches enjeux publiées"), "IssueCardPage", [], tag="fiches-enjeux"),
        "/cards/{card_id}": get_operation(
            N_("Une fiche enjeu : sa version publique, ses constats et valeurs, ses versions"), "IssueCardDetail",
            [path_id("card_id", N_("Identifiant de la fiche"))], tag="fiches-enjeux",
            description=N_("404 pour une fiche jamais publiée.")),
        "/consultations": get_operation(N_("Consultations publiques (publiées ou annulées)"), "ConsultationPage", [],
                                        tag="consultations"),
        "/consultations/{consultation_id}": get_operation(
            N_("Une consultation, avec sa synthèse et la réponse officielle"), "ConsultationDetail",
            [path_id("consultation_id", N_("Identifiant de la consultation"))], tag="consultations",
            description=N_("404 pour un brouillon. Les textes sont donnés en markdown (`body`) et en HTML nettoyé "
                           "(`body_html`).")),
        "/commitments": get_operation(N_("Engagements des réponses officielles"), "CommitmentPage", [],
                                      tag="consultations"),
        "/consultations.csv": _csv(N_("Consultations publiques, une ligne par consultation (CSV)"),
                                   CONSULTATION_COLUMNS),
        "/commitments.csv": _csv(N_("Engagements, une ligne par engagement (CSV)"), COMMITMENT_COLUMNS),
    }
