"""The OpenAPI 3.1 description of /api/v1, built from the same column lists as the files,
so the document cannot drift from what the API returns."""
from __future__ import annotations

import re

from flask import current_app, url_for

from ..core.http_cache import validators_available
from ..core.i18n import N_
from ..core.params import PROBLEM_SCHEMA, accepts
from ..core.spreadsheet import XLSX_MIMETYPE
from ..observatory.resources import EXTERNAL_ACTIONS, FINDINGS, INDICATORS, VALUES
from ..surveys.status import SurveyState
from . import api_bp
from .comparison_openapi import COMPARISON_SCHEMAS, add_example, comparison_paths
from .consultation_openapi import consultation_paths, consultation_schemas
from .openapi_parts import PROBLEM_MEDIA, get_operation, page_of, path_id, resource_schema

_NUMBER_OR_NULL = {"type": ["number", "null"]}
# The document's description, in parts (description_parts): the API page shows each in the
# reader's language. The introduction is a catalogue message; the others carry their English.
INTRODUCTION = N_(
    "Lecture seule, sans authentification. Constats, indicateurs, valeurs et action extérieure de l'observatoire ; "
    "résultats publiés des questionnaires de perception ; fiches enjeux publiées, consultations publiques, "
    "synthèses, réponses officielles et engagements. Aucune donnée personnelle.")
STRICT_PARAMETERS = (
    "Chaque opération nomme ses paramètres : un paramètre qu'elle ne prend pas, ou une valeur qui ne convient pas "
    "(type, valeurs permises, bornes), est refusé par une réponse 400 application/problem+json (RFC 9457) qui nomme "
    "chaque paramètre fautif (invalid_params), plutôt qu'une liste non filtrée. Un filtre donné vide "
    "(allowEmptyValue, « Vide : pas de filtre ») ne filtre pas ; tout autre paramètre donné vide est refusé, et une "
    "valeur faite seulement d'espaces l'est partout. Chaque paramètre prend une seule valeur (style form) : "
    "répété, il est refusé. "
    "EN: every operation names its parameters: one it does not take, or a value that does not fit (type, allowed "
    "values, bounds), is refused with a 400 application/problem+json answer (RFC 9457) naming each faulty "
    "parameter (invalid_params), rather than an unfiltered list. A filter given empty (allowEmptyValue, \"empty: no "
    "filter\") does not filter; any other parameter given empty is refused, and a value of white space only is "
    "refused everywhere. Each parameter takes one value (style form): repeated, it is refused.")

CACHING = (
    "Mise en cache : les réponses portent ETag et Last-Modified ; une requête conditionnelle (If-None-Match, "
    "If-Modified-Since) reçoit 304 si les données n'ont pas changé. Une version publiée (?version=N) ne change "
    "jamais : Cache-Control: public, max-age=31536000, immutable. Les listes donnent aussi leurs pages dans un "
    "en-tête Link (RFC 8288). CORS ouvert à tout site, erreurs et pré-vérifications (OPTIONS, 204) comprises. "
    "EN: answers carry ETag and Last-Modified; a conditional request gets 304 when the data did not change. A "
    "published version (?version=N) never changes (immutable). Lists also give their pages in a Link header. "
    "CORS is open to any site, errors and preflights included.")
# Said only by a server without a cache (CACHE_TYPE), which has no change marks to build them from.
NO_VALIDATORS = (
    "Ce serveur n'a pas de cache partagé où compter les changements des données : ses réponses de données ne "
    "portent ni ETag ni Last-Modified et sont toujours complètes (jamais 304). Seuls les résultats publiés des "
    "questionnaires (/surveys/{survey_id}/results) gardent les leurs : une version publiée ne change jamais. "
    "La base seule ne suffit pas à les calculer : un territoire ou une organisation renommés n'y laissent "
    "aucune date. "
    "EN: this server has no shared cache to count the data's changes in: its data answers carry neither ETag nor "
    "Last-Modified and are always complete (never 304). Only the surveys' published results keep theirs: a "
    "published version never changes. The "
    "database alone cannot give them: a territory or an organisation renamed leaves no date in it.")
NOT_MODIFIED = {"description": N_("Non modifié depuis la copie que le client a (If-None-Match, If-Modified-Since)")}
SNAPSHOTS = ("api.survey_results", "api.survey_results_csv", "api.survey_changes", "api.survey_changes_csv")

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
_SURVEY_RESIDENTS_ESTIMATE = {"type": "object", "description": (
    "Ce que les habitants pensent les uns des autres : moyenne pondérée (mêmes poids que la part d'accord) de leur "
    "réponse à « sur 100 habitants, combien sont d'accord ? », parmi ceux qui l'ont donnée, en fraction de 0 à 1, "
    "avec son intervalle à 95 % (variance linéarisée sur le calage, quantile de Student à df degrés de liberté). "
    "Null, suppressed vrai, sous le seuil min_residents d'estimations. Absent des versions publiées avant ce "
    "chiffre. EN: what residents think of each other: weighted mean (the agreement share's weights) of their "
    "answer to \"out of 100 residents, how many agree?\" among those who gave one, as a fraction, with its 95 % "
    "interval (linearised variance on the raking's calibration, Student t on df). Null, suppressed true, below "
    "min_residents estimates. Absent from versions published before this figure."), "properties": {
    "n": {"type": ["integer", "null"]}, "n_eff": _NUMBER_OR_NULL, "mean": _NUMBER_OR_NULL,
    "ci_low": _NUMBER_OR_NULL, "ci_high": _NUMBER_OR_NULL, "df": _NUMBER_OR_NULL,
    "variance": {"type": ["string", "null"], "enum": ["linearised", "srs", None]},
    "suppressed": {"type": "boolean"},
    "paired_gap": {"type": "object", "description": (
        "Écart apparié : moyenne pondérée de (estimation − accord) par habitant ayant donné son avis et une "
        "estimation (« ne sait pas » = pas d'accord), avec son intervalle à 95 % ; négatif, les habitants "
        "sous-estiment l'adhésion de leurs voisins. Non publié (suppressed) sous le seuil, ou quand il permettrait de "
        "recalculer par différence un groupe de moins de min_residents (ceux qui n'ont donné que l'avis, ou que "
        "l'estimation). "
        "EN: paired gap: weighted mean of (estimate − agreement) per resident who gave both (\"don't know\" = not "
        "agreeing), with its 95 % interval; negative, residents underestimate their neighbours' agreement. "
        "Withheld below the threshold, or when it would let a group of fewer than min_residents (those who gave "
        "only the opinion, or only the estimate) be recomputed by subtraction."),
        "properties": {"n": {"type": ["integer", "null"]}, "value": _NUMBER_OR_NULL, "ci_low": _NUMBER_OR_NULL,
                       "ci_high": _NUMBER_OR_NULL, "df": _NUMBER_OR_NULL,
                       "excludes_zero": {"type": ["boolean", "null"]}, "suppressed": {"type": "boolean"}},
        "additionalProperties": True},
}, "additionalProperties": True}
_SURVEY_STATEMENT = {"type": "object", "properties": {
    "key": {"type": "string"}, "text": {"type": "string"}, "residents": _SURVEY_RESIDENTS,
    "officials": _SURVEY_OFFICIALS, "gap": _SURVEY_GAP, "communes": {"type": "array", "items": {"type": "object"}},
    "residents_estimate": _SURVEY_RESIDENTS_ESTIMATE,
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



_CHANGE = {"type": "object", "properties": {
    "previous": _NUMBER_OR_NULL, "current": _NUMBER_OR_NULL,
    "change": {"type": ["number", "null"], "description": (
        "Cette vague moins la précédente ; null si l'une des deux vagues masque le chiffre (suppressed) ou si "
        "l'affirmation n'est que dans l'une (status). EN: this wave minus the previous one; null when either "
        "wave withholds the figure (suppressed) or the statement is in one wave only (status).")},
    "ci_low": _NUMBER_OR_NULL, "ci_high": _NUMBER_OR_NULL,
    "excludes_zero": {"type": ["boolean", "null"]}, "suppressed": {"type": "boolean"},
}}
_WAVE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "version": {"type": "integer"},
    "sha256": {"type": "string"}, "opens_at": {"type": "string", "format": "date"},
    "collected_until": {"type": "string", "format": "date"}, "sampling_mode": {"type": "string"}}}
SURVEY_CHANGES_SCHEMA = {
    "type": "object", "required": ["survey", "previous_wave", "statements", "summary"],
    "description": (
        "Ce qui a changé depuis la vague précédente, affirmation par affirmation (même clé), calculé à partir des "
        "chiffres publiés des deux vagues (cette version-ci, la dernière version de la précédente), jamais des "
        "réponses. Échantillons indépendants, chacun redressé sur ses propres marges : part des habitants, "
        "intervalle de Newcombe (score hybride) tiré des deux intervalles de Wilson ; écart, intervalle de Welch. "
        "Une variation est masquée dès que l'une des vagues masque le chiffre. closer : l'écart est plus petit en "
        "valeur absolue (les estimations des élus sont plus proches de l'avis des habitants) ; excludes_zero dit "
        "si l'intervalle de la variation exclut zéro. EN: what changed since the previous wave, per statement key, "
        "from both waves' published figures (this version, the previous wave's latest), never from answers. "
        "Independent samples, each weighted to its own margins: residents' share, Newcombe hybrid score interval "
        "from the two Wilson intervals; gap, Welch interval. A change is withheld whenever either wave withholds "
        "the figure. closer: the gap is smaller in absolute value; excludes_zero says whether the change's "
        "interval excludes zero."),
    "properties": {
        "survey": _WAVE, "previous_wave": _WAVE,
        "statements": {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "string"}, "text": {"type": "string"},
            "status": {"type": "string", "enum": ["compared", "new", "removed"]},
            "previous_text": {"type": ["string", "null"]}, "wording_changed": {"type": "boolean"},
            "residents": _CHANGE,
            "gap": {**_CHANGE, "properties": {**_CHANGE["properties"], "closer": {"type": ["boolean", "null"]}}},
        }}},
        "summary": {"type": "object", "properties": {name: {"type": "integer"} for name in (
            "statements_compared", "gaps_compared", "closer", "closer_excluding_zero", "further",
            "further_excluding_zero", "residents_changes_excluding_zero", "statements_new", "statements_removed")}},
    },
}


def openapi_document() -> dict:
    finding_extra = {
        "reviewed_by": {"type": "array", "items": {"type": "string"},
                        "description": N_("Organisations qui ont approuvé le constat (relecture indépendante)")},
        "url": {"type": "string", "format": "uri", "description": N_("Page du constat")},
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
            "description": N_("Résultats publiés d'un questionnaire de perception : instantané figé, versionné, avec "
                              "son empreinte SHA-256, sa méthode et ses seuils de protection des petits nombres."),
            "properties": {
                "survey": {"type": "object", "description": N_("Le questionnaire, la version publiée, son sha256, "
                                                               "published_at et la note de correction")},
                "statements": {"type": "array", "items": _SURVEY_STATEMENT,
                               "description": N_("Par affirmation : habitants (part d'accord redressée, intervalle), "
                                                 "élus (estimations agrégées) et écart")},
                "thresholds": {"type": "object"},
                "weighting": _SURVEY_WEIGHTING,
                "summary": _SURVEY_SUMMARY,
            },
            "additionalProperties": True,
        },
        "SurveyChanges": SURVEY_CHANGES_SCHEMA,
        "OpenAPI": {"type": "object", "description": N_("Ce document")},
    }
    survey_id = path_id("survey_id", N_("Identifiant du questionnaire"))
    paths = {
        "/surveys/{survey_id}/results": get_operation(N_("Résultats publiés d'un questionnaire"), "SurveyResults",
                                             [survey_id], tag="questionnaires"),
        "/surveys/{survey_id}/results.csv": get_operation(
            N_("Résultats publiés, une ligne par affirmation (CSV)"), None, [survey_id], media="text/csv",
            tag="questionnaires"),
        "/surveys/{survey_id}/changes": get_operation(
            N_("Évolution depuis la vague précédente : variation de la part des habitants et de l'écart, avec leurs "
               "intervalles"), "SurveyChanges", [survey_id], tag="questionnaires"),
        "/surveys/{survey_id}/changes.csv": get_operation(
            N_("Évolution depuis la vague précédente, une ligne par affirmation (CSV)"), None, [survey_id],
            media="text/csv", tag="questionnaires"),
        "/findings": get_operation(N_("Constats publiés ou retirés"), "FindingPage", []),
        "/findings/{finding_id}": get_operation(N_("Un constat, avec ses versions et ses relectures"), "FindingDetail",
                                       [path_id("finding_id", N_("Identifiant du constat"))]),
        "/indicators": get_operation(N_("Indicateurs"), "IndicatorPage", []),
        "/indicators/{indicator_id}": get_operation(N_("Un indicateur"), "IndicatorDetail",
                                           [path_id("indicator_id", N_("Identifiant de l'indicateur"))]),
        "/indicators/{indicator_id}/values": get_operation(
            N_("Valeurs d'un indicateur"), "IndicatorValuePage",
            [path_id("indicator_id", N_("Identifiant de l'indicateur"))]),
        "/external-actions": get_operation(
            N_("Inventaire de l'action extérieure des collectivités (AECT)"), "ExternalActionPage", []),
        "/openapi.json": get_operation(N_("Ce document"), "OpenAPI", [], tag="documentation"),
        "/": get_operation(N_("Liste des opérations de l'API, tirée de ce document"), "Index", [],
                           tag="documentation"),
        "/surveys": get_operation(
            N_("Questionnaires de perception (sauf brouillons), avec leur état et leurs résultats"), "SurveyPage", [],
            tag="questionnaires"),
        **consultation_paths(),
        **comparison_paths(),
    }
    schemas.update(consultation_schemas())
    schemas.update(COMPARISON_SCHEMAS)
    schemas["ProblemDetails"] = PROBLEM_SCHEMA
    schemas.update(SURVEY_LIST_SCHEMAS)
    _declared_parameters(paths)
    add_example(paths, [1, 2])
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{current_app.config['SITE_NAME']} — API de données ouvertes",
            "version": "1",
            "description": " ".join(description_parts()),
            "license": {"name": "Licence Ouverte 2.0", "identifier": "etalab-2.0"},
        },
        "servers": [{"url": url_for("api.openapi", _external=True).rsplit("/openapi.json", 1)[0]}],
        "tags": [{"name": "observatoire"}, {"name": "questionnaires"}, {"name": "fiches-enjeux"},
                 {"name": "consultations"}, {"name": "documentation"}],
        "paths": paths,
        "components": {"schemas": schemas, "responses": {"InvalidParameters": INVALID_PARAMETERS}},
    }


def description_parts() -> list[str]:
    """The document's description, part by part; a server without a cache says it has no
    change marks (NO_VALIDATORS)."""
    return [INTRODUCTION, STRICT_PARAMETERS, CACHING] + ([] if validators_available() else [NO_VALIDATORS])


INVALID_PARAMETERS = {
    "description": N_("Paramètre que l'opération ne prend pas, ou valeur qui ne convient pas : chacun est nommé "
                      "dans invalid_params"),
    "content": {PROBLEM_MEDIA: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
}


def _declared_parameters(paths: dict) -> None:
    """Each operation's query parameters and its 400, from the very list its view parses
    (`accepts`): a view that declares none fails here, so no operation goes undocumented."""
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        operation = paths[path]["get"]
        view = current_app.view_functions[rule.endpoint]
        declared = view.query_params
        operation["parameters"] = ([p for p in operation["parameters"] if p["in"] == "path"]
                                   + [param.openapi() for param in declared])
        operation["responses"]["400"] = {"$ref": "#/components/responses/InvalidParameters"}
        if hasattr(view, "read_tables") or rule.endpoint in SNAPSHOTS:  # conditional: core/http_cache.py
            operation["responses"]["304"] = NOT_MODIFIED
        if any(param.name == "format" for param in declared):  # a CSV with its spreadsheet variants
            operation["responses"]["200"]["content"][XLSX_MIMETYPE] = {
                "schema": {"type": "string", "contentMediaType": XLSX_MIMETYPE}}
        if any(param.name == "per_page" for param in declared):  # a paginated list
            operation["responses"]["200"]["headers"] = {"Link": {
                "description": N_("Pages first, prev, next, last (RFC 8288), comme links"),
                "schema": {"type": "string"}}}


INDEX_SCHEMA = {"type": "object", "required": ["title", "openapi", "endpoints"], "properties": {
    "title": {"type": "string"}, "openapi": {"type": "string", "format": "uri"},
    "endpoints": {"type": "array", "items": {"type": "object", "required": ["path", "summary", "methods"],
                                             "properties": {"path": {"type": "string"},
                                                            "url": {"type": ["string", "null"], "format": "uri"},
                                                            "summary": {"type": "string"},
                                                            "methods": {"type": "array",
                                                                        "items": {"type": "string"}}}}}}}
_STRING_OR_NULL = {"type": ["string", "null"]}
SURVEY_LIST_SCHEMAS = {
    "Index": INDEX_SCHEMA,
    "Survey": {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"},
        "territory": {"type": "string", "description": N_("Code officiel (INSEE ou SIREN) du territoire")},
        "territory_name": {"type": "string"},
        "status": {"type": "string", "enum": [s.value for s in SurveyState if s != SurveyState.DRAFT],
                   "description": N_("État, le même que sur les pages du site (surveys/status.py)")},
        "status_label": {"type": "string", "description": N_("La phrase d'état des pages, dans la langue demandée")},
        "opens_on": {"type": "string", "format": "date"}, "closes_on": {"type": "string", "format": "date"},
        "latest_version": {"type": ["integer", "null"]}, "published_at": _STRING_OR_NULL,
        "url": {"type": "string", "format": "uri"}, "results_url": {**_STRING_OR_NULL, "format": "uri"},
        "previous_wave": {"type": ["integer", "null"], "description": (
            "Le questionnaire dont celui-ci est la vague suivante ; l'évolution est à /surveys/{id}/changes. EN: the "
            "survey this one is the next wave of; the changes are at /surveys/{id}/changes.")},
    }, "required": ["id", "title", "territory", "status", "latest_version", "url", "results_url"]},
    "SurveyPage": page_of("Survey"),
}


@api_bp.route("/", strict_slashes=False)
@accepts()
def index(_query):
    """The operations, from the OpenAPI description (the same list, so it cannot drift)."""
    document = openapi_document()
    server = document["servers"][0]["url"]
    endpoints = [{"path": path, "url": None if "{" in path else server + path, "summary": item["get"]["summary"],
                  "methods": ["GET", "HEAD"]} for path, item in document["paths"].items()]
    return current_app.json.response({"title": document["info"]["title"], "openapi": server + "/openapi.json",
                                      "endpoints": endpoints})


@api_bp.route("/openapi.json")
@accepts()
def openapi(_query):
    response = current_app.json.response(openapi_document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
