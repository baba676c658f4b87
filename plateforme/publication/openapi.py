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

_NUMBER_OR_NULL = {"type": ["number", "null"]}

_SURVEY_RESIDENTS = {"type": "object", "properties": {
    "agree": {"type": ["number", "null"], "description": (
        "Part pondérée des répondants à l'affirmation qui sont d'accord (4 ou 5). « Ne sait pas » compte au "
        "dénominateur : c'est la question posée aux élus (« sur 100 habitants, combien sont d'accord ? »), "
        "qui porte sur tous les habitants, avec ou sans avis. "
        "EN: weighted share of those who answered the statement who agree (4 or 5). \"Don't know\" is in the "
        "denominator: this is the question officials are asked (\"out of 100 residents, how many agree?\"), "
        "about all residents, with an opinion or not.")},
    "dont_know": _NUMBER_OR_NULL, "ci_low": _NUMBER_OR_NULL, "ci_high": _NUMBER_OR_NULL,
    "n_eff": {"type": ["number", "null"], "description": (
        "Taille effective de l'intervalle de Wilson (ci_low, ci_high) : p(1 − p)/V, V étant la variance du "
        "calage estimée par linéarisation (résidus de la part sur les totaux calés, facteur n/(n − r)), "
        "plafonnée au nombre de réponses ; taille de Kish quand variance vaut « kish » ou est absente. "
        "EN: effective size of Wilson's interval (ci_low, ci_high): p(1 − p)/V, V being the raked share's "
        "linearised variance (residuals of the share on the calibrated totals, factor n/(n − r)), capped at "
        "the number of answers; Kish's size when variance is \"kish\" or absent.")},
    "variance": {"type": ["string", "null"], "enum": ["linearised", "kish", None], "description": (
        "Comment la variance de la part a été estimée ; absente des versions publiées avant ce calcul (Kish). "
        "EN: how the share's variance was estimated; absent from versions published before it (Kish).")},
}, "additionalProperties": True}
_SURVEY_OFFICIALS = {"type": "object", "properties": {
    "mean_only": {"type": "boolean", "description": (
        "Moins de 5 élus : seule la moyenne est publiée (médiane, écart-type et répartition restent null), "
        "sinon les estimations individuelles pourraient être recalculées. EN: fewer than 5 officials: only the "
        "mean is published, else single estimates could be solved for.")},
    "mean_absolute_error": {"type": ["number", "null"], "description": (
        "Moyenne de |estimation − part des habitants d'accord estimée| : mesurée par rapport à l'estimation "
        "de l'échantillon, pas à la vraie part. EN: mean of |estimate − residents' estimated share|, measured "
        "against the sample estimate, not the true share.")},
}, "additionalProperties": True}
_SURVEY_GAP = {"type": "object", "properties": {
    "value": _NUMBER_OR_NULL, "ci_low": _NUMBER_OR_NULL, "ci_high": _NUMBER_OR_NULL,
    "df": {"type": ["number", "null"], "description": (
        "Intervalle à 95 % : quantile de Student à ces degrés de liberté (Welch–Satterthwaite), car la "
        "variance des élus repose sur peu d'estimations. La correction de population finie (1 − m/M) suppose "
        "que les élus qui ont répondu sont un sous-ensemble aléatoire des M élus ; null quand elle est nulle "
        "(m = M). EN: 95 % interval with a Student t quantile on these (Welch–Satterthwaite) degrees of freedom, "
        "since the officials' variance rests on few estimates. The finite-population correction (1 − m/M) "
        "assumes the officials who answered are a random subset of the M; null when infinite (m = M).")},
    "excludes_zero": {"type": ["boolean", "null"], "description": "L'intervalle exclut 0. EN: the interval "
                                                                  "excludes 0."},
}, "additionalProperties": True}
_SURVEY_STATEMENT = {"type": "object", "properties": {
    "key": {"type": "string"}, "text": {"type": "string"}, "residents": _SURVEY_RESIDENTS,
    "officials": _SURVEY_OFFICIALS, "gap": _SURVEY_GAP, "communes": {"type": "array", "items": {"type": "object"}},
}, "additionalProperties": True}
_SURVEY_WEIGHTING = {"type": "object", "description": (
    "Calage sur les cases sexe × tranche d'âge (tranches voisines regroupées sous 10 répondants par case, "
    "age_groups) et sur la commune (communes de moins de 5 répondants regroupées, jusqu'à 20 répondants au moins "
    "dans le regroupement ; pooled_commune_count dit combien, pas lesquelles). Sexe non indiqué (sex_not_given) : "
    "la personne compte pour les deux sexes au prorata de la population de sa tranche d'âge. Bornes des facteurs "
    "impossibles à tenir avec les marges : la borne haute est élargie à la plus petite valeur qui converge "
    "(trim_widened, trim_used). max_margin_error et max_weight (rapport au poids moyen) sont publiés pour chaque "
    "questionnaire. EN: raked on sex × age-band cells (adjacent bands merged below 10 respondents a cell, "
    "age_groups) and commune (communes under 5 respondents pooled, until the pool holds at least 20; "
    "pooled_commune_count says how many, not which). Sex not given: the respondent counts for both sexes in "
    "proportion to the population of their age band. Trim bounds the margins make infeasible: the upper bound is "
    "widened to the smallest value that converges. The largest remaining margin error and the largest weight "
    "(over the mean) are published for every survey."), "properties": {
    "max_margin_error": _NUMBER_OR_NULL, "max_weight": _NUMBER_OR_NULL,
    "trim_used": {"type": ["array", "null"], "items": {"type": "number"}},
    "trim_widened": {"type": "boolean"}, "pooled_commune_count": {"type": "integer"},
    "margins": {"type": ["string", "null"], "enum": ["sex_by_age", "one_way", None]},
    "age_groups": {"type": "array", "items": {"type": "string"}},
    "sex_not_given": {"type": "integer"},
}, "additionalProperties": True}
_SURVEY_SUMMARY = {"type": "object", "description": (
    "Le titre des résultats : écart absolu moyen entre élus et habitants (des écarts de signes opposés ne "
    "s'annulent pas) et nombre d'affirmations dont l'intervalle de l'écart exclut zéro. EN: the headline: mean "
    "absolute gap (opposite gaps do not cancel) and how many statements' gap intervals exclude zero."),
    "properties": {"statements_with_gap": {"type": "integer"}, "mean_absolute_gap": _NUMBER_OR_NULL,
                   "gaps_excluding_zero": {"type": "integer"}}}




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
                "statements": {"type": "array", "items": _SURVEY_STATEMENT,
                               "description": "Par affirmation : habitants (part d'accord redressée, intervalle), "
                                              "élus (estimations agrégées) et écart"},
                "thresholds": {"type": "object"},
                "weighting": _SURVEY_WEIGHTING,
                "summary": _SURVEY_SUMMARY,
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
