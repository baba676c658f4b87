"""The OpenAPI 3.1 description of /api/v1, built from the same column lists as the files,
so the document cannot drift from what the API returns."""
from __future__ import annotations

from flask import current_app, url_for

from ..accounts.models import Field
from ..core.vocabulary import FlowKind
from ..observatory.resources import EXTERNAL_ACTIONS, FINDINGS, INDICATORS, VALUES
from ..observatory.models import Character, Direction, ExternalActionKind, ExternalActionStatus
from . import api_bp
from .consultation_openapi import consultation_paths, consultation_schemas
from .openapi_parts import (
    PAGING, enum_schema, get_operation, page_of, path_id, query_param, resource_schema,
)

def openapi_document() -> dict:
    finding_extra = {
        "reviewed_by": {"type": "array", "items": {"type": "string"},
                        "description": "Organisations qui ont approuvé le constat (relecture indépendante)"},
        "url": {"type": "string", "format": "uri", "description": "Page du constat"},
    }
    detail_extra = {
        "versions": {"type": "array", "items": {"type": "object", "properties": {
            "number": {"type": "integer"}, "title": {"type": "string"}, "submitted_at": {"type": "string",
                                                                                        "format": "date-time"},
            "change_note": {"type": ["string", "null"]}, "body": {"type": "string"}}}},
        "reviews": {"type": "array", "items": {"type": "object", "properties": {
            "version": {"type": "integer"}, "decision": {"type": "string", "enum": ["approve", "request_changes"]},
            "organisation": {"type": "string"}, "reviewed_at": {"type": "string", "format": "date-time"},
            "comment": {"type": ["string", "null"]}}}},
    }
    schemas = {
        "Finding": resource_schema(FINDINGS, finding_extra),
        "FindingDetail": resource_schema(FINDINGS, {**finding_extra, **detail_extra}),
        "Indicator": resource_schema(INDICATORS),
        "IndicatorDetail": resource_schema(INDICATORS, {"values_url": {"type": "string", "format": "uri"},
                                                "url": {"type": "string", "format": "uri"}}),
        "IndicatorValue": resource_schema(VALUES),
        "ExternalAction": resource_schema(EXTERNAL_ACTIONS, always_nullable=("organisation_name",)),
        "FindingPage": page_of("Finding"),
        "IndicatorPage": page_of("Indicator"),
        "IndicatorValuePage": page_of("IndicatorValue"),
        "ExternalActionPage": page_of("ExternalAction"),
        "SurveyResults": {
            "type": "object", "required": ["survey", "statements"],
            "description": "Résultats publiés d'un questionnaire de perception : instantané figé, versionné, avec "
                           "son empreinte SHA-256, sa méthode et ses seuils de protection des petits nombres.",
            "properties": {
                "survey": {"type": "object", "description": "Le questionnaire, la version publiée, son sha256, "
                                                            "published_at et la note de correction"},
                "statements": {"type": "array", "items": {"type": "object"},
                               "description": "Par affirmation : habitants (part d'accord redressée, intervalle), "
                                              "élus (estimations agrégées) et écart"},
                "thresholds": {"type": "object"}, "weighting": {"type": "object"},
            },
            "additionalProperties": True,
        },
        "OpenAPI": {"type": "object", "description": "Ce document"},
    }
    finding_filters = [
        query_param("q", "Mots cherchés dans le titre, le texte, la méthode et les sources (sans accents)"),
        query_param("flow_kind", "Type de flux", enum_schema(FlowKind)),
        query_param("direction", "Sens du flux", enum_schema(Direction)),
        query_param("character", "Voulue, subie ou les deux", enum_schema(Character)),
        query_param("field", "Domaine", enum_schema(Field)),
        query_param("territory", "Code officiel d'un territoire (une intercommunalité inclut ses communes)"),
        query_param("organisation", "Organisation productrice (identifiant)", {"type": "integer"}),
        query_param("period_from", "Période observée couvrant au moins cette année ou après", {"type": "integer"}),
        query_param("period_to", "Période observée commençant au plus tard cette année", {"type": "integer"}),
    ]
    survey_id = path_id("survey_id", "Identifiant du questionnaire")
    version = query_param("version", "Version publiée (la dernière par défaut)", {"type": "integer", "minimum": 1})
    paths = {
        "/surveys/{survey_id}/results": get_operation("Résultats publiés d'un questionnaire", "SurveyResults",
                                             [survey_id, version], tag="questionnaires"),
        "/surveys/{survey_id}/results.csv": get_operation("Résultats publiés, une ligne par affirmation (CSV)", None,
                                                 [survey_id, version], media="text/csv", tag="questionnaires"),
        "/findings": get_operation("Constats publiés ou retirés", "FindingPage", PAGING + finding_filters),
        "/findings/{finding_id}": get_operation("Un constat, avec ses versions et ses relectures", "FindingDetail",
                                       [path_id("finding_id", "Identifiant du constat")]),
        "/indicators": get_operation("Indicateurs", "IndicatorPage", PAGING + [query_param("flow_kind", "Type de flux",
                                                                             enum_schema(FlowKind))]),
        "/indicators/{indicator_id}": get_operation("Un indicateur", "IndicatorDetail",
                                           [path_id("indicator_id", "Identifiant de l'indicateur")]),
        "/indicators/{indicator_id}/values": get_operation(
            "Valeurs d'un indicateur", "IndicatorValuePage",
            [path_id("indicator_id", "Identifiant de l'indicateur")] + PAGING + [
                query_param("territory", "Code officiel d'un territoire (une intercommunalité inclut ses communes)"),
                query_param("period", "Année", {"type": "integer"})]),
        "/external-actions": get_operation(
            "Inventaire de l'action extérieure des collectivités (AECT)", "ExternalActionPage", PAGING + [
                query_param("territory", "Code officiel de la collectivité"),
                query_param("kind", "Type d'action", enum_schema(ExternalActionKind)),
                query_param("status", "État", enum_schema(ExternalActionStatus))]),
        "/openapi.json": get_operation("Ce document", "OpenAPI", [], tag="documentation"),
        **consultation_paths(),
    }
    schemas.update(consultation_schemas())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{current_app.config['SITE_NAME']} — API de données ouvertes",
            "version": "1",
            "description": "Lecture seule, sans authentification. Constats, indicateurs, valeurs et action "
                           "extérieure de l'observatoire ; résultats publiés des questionnaires de perception ; "
                           "fiches enjeux publiées, consultations publiques, synthèses, réponses officielles et "
                           "engagements. "
                           "Aucune donnée personnelle.",
            "license": {"name": "Licence Ouverte 2.0", "identifier": "etalab-2.0"},
        },
        "servers": [{"url": url_for("api.openapi", _external=True).rsplit("/openapi.json", 1)[0]}],
        "tags": [{"name": "observatoire"}, {"name": "questionnaires"}, {"name": "fiches-enjeux"},
                 {"name": "consultations"}, {"name": "documentation"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


@api_bp.route("/openapi.json")
def openapi():
    response = current_app.json.response(openapi_document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
