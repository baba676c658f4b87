"""/api/v1/comparisons: published surveys of different territories side by side, the same
figures as the comparison page (surveys/comparison.py), from the published snapshots only."""
from __future__ import annotations

from flask import jsonify, url_for

from ..core.http_cache import conditional
from ..core.params import InvalidParams, Param, accepts
from ..core.urls import MAX_DATABASE_ID
from ..observatory.models import DEFAULT_LICENCE
from ..surveys.comparison import MAX_SURVEYS, ComparisonError, compare, parse_survey_ids, survey_entry
from . import api_bp

SURVEYS_PARAM = Param(
    "surveys", f"Identifiants de 2 à {MAX_SURVEYS} questionnaires publiés, séparés par des virgules (« 1,2 ») ; le "
    "premier est la référence. EN: 2 to 6 published surveys' ids, comma-separated; the first is the reference.",
    kind="integers", minimum=1, maximum=MAX_DATABASE_ID, min_items=2, max_items=MAX_SURVEYS, required=True,
    max_length=200)
METHOD = (
    "Chaque questionnaire est un échantillon indépendant, pondéré sur les marges de son propre territoire ; les "
    "chiffres sont ceux de la dernière version publiée de chacun, jamais recalculés. difference = ce territoire "
    "moins le premier questionnaire choisi. Parts d'accord : intervalle de Newcombe (méthode 10, à partir des deux "
    "intervalles de Wilson publiés). Écarts : erreurs types tirées des intervalles publiés, additionnées, quantile "
    "de Student aux degrés de liberté de Welch–Satterthwaite. Un chiffre non publié d'un côté : pas de différence. "
    "EN: each survey is an independent sample, weighted to its own territory's margins; figures are each one's "
    "latest published version, never recomputed. difference = this territory minus the first chosen survey. "
    "Shares: Newcombe's interval (method 10, from the two published Wilson intervals). Gaps: standard errors "
    "recovered from the published intervals, added, Student quantile on Welch–Satterthwaite degrees of freedom. "
    "A figure withheld on either side: no difference.")


def comparison_document(comparison) -> dict:
    surveys = []
    for survey, document in zip(comparison.surveys, comparison.documents):
        entry = survey_entry(survey, document)
        entry.update(results_url=url_for("api.survey_results", survey_id=survey.id, version=entry["version"],
                                         _external=True),
                     page_url=url_for("surveys.results", survey_id=survey.id, _external=True))
        surveys.append(entry)
    ids = ",".join(str(survey.id) for survey in comparison.surveys)
    return {"reference_survey": comparison.reference.id, "surveys": surveys, "statements": comparison.statements,
            "method": METHOD, "licence": DEFAULT_LICENCE,
            "page_url": url_for("surveys.comparison", questionnaires=ids, _external=True)}


@api_bp.route("/comparisons")
@accepts(SURVEYS_PARAM)
# Read from the surveys (and their statements), their published versions and their territories
# (which may not overlap).
@conditional("perception_survey", "survey_statement", "survey_publication", "territory")
def comparisons(query):
    """Refusals (malformed, unknown or unpublished ids, fewer than two, overlapping
    territories, no shared statement) are 400s naming `surveys`, like any bad parameter."""
    try:
        comparison = compare(parse_survey_ids([query["surveys"] or ""]))
    except ComparisonError as error:
        raise InvalidParams([{"name": "surveys", "reason": str(error)}]) from None
    return jsonify(comparison_document(comparison))  # CORS: http.py, as for every /api/v1 answer
