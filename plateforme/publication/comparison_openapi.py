"""The OpenAPI description of /api/v1/comparisons (merged into openapi.json by openapi.py)."""
from __future__ import annotations

from ..core.i18n import N_
from .openapi_parts import get_operation

_NUMBER_OR_NULL = {"type": ["number", "null"]}
_INTEGER_OR_NULL = {"type": ["integer", "null"]}


def _object(properties: dict, description: str = "", nullable: bool = False) -> dict:
    schema = {"type": ["object", "null"] if nullable else "object", "properties": properties,
              "required": list(properties)}
    if description:
        schema["description"] = description
    return schema


_DIFFERENCE = _object({
    "estimate": {"type": "number"}, "ci_low": {"type": "number"}, "ci_high": {"type": "number"},
    "excludes_zero": {"type": "boolean"},
}, "Ce territoire moins la référence, intervalle à 95 % ; null quand un des deux chiffres n'est pas publié. "
   "EN: this territory minus the reference, 95 % interval; null when either figure is withheld.", nullable=True)

_TERRITORY_ROW = _object({
    "survey_id": {"type": "integer"},
    "text": {"type": "string", "description": N_("Libellé de l'affirmation dans ce questionnaire")},
    "residents": _object({"suppressed": {"type": "boolean"}, "agree": _NUMBER_OR_NULL, "ci_low": _NUMBER_OR_NULL,
                          "ci_high": _NUMBER_OR_NULL, "n": _INTEGER_OR_NULL, "n_eff": _NUMBER_OR_NULL},
                         N_("Part des habitants d'accord et son intervalle de Wilson, tels que publiés")),
    "officials": _object({"suppressed": {"type": "boolean"}, "n": _INTEGER_OR_NULL,
                          "mean_estimate": _NUMBER_OR_NULL, "mean_only": {"type": "boolean"}},
                         N_("Estimation moyenne des personnes élues, telle que publiée")),
    "gap": _object({"suppressed": {"type": "boolean"}, "value": _NUMBER_OR_NULL, "ci_low": _NUMBER_OR_NULL,
                    "ci_high": _NUMBER_OR_NULL, "df": _NUMBER_OR_NULL},
                   N_("Écart élus − habitants et son intervalle de Student, tels que publiés")),
    "difference": _object({"residents": _DIFFERENCE, "gap": _DIFFERENCE},
                          "null pour la référence. EN: null for the reference.", nullable=True),
})

COMPARISON_SCHEMAS = {
    "Comparison": _object({
        "reference_survey": {"type": "integer", "description": N_("Le premier questionnaire choisi")},
        "surveys": {"type": "array", "minItems": 2, "items": _object({
            "id": {"type": "integer"}, "title": {"type": "string"}, "territory_code": {"type": "string"},
            "territory_name": {"type": "string"}, "sampling_mode": {"type": "string", "enum": ["open", "panel"]},
            "conducted_by": {"type": ["string", "null"]},
            "version": {"type": "integer", "description": N_("Version publiée lue (la dernière)")},
            "sha256": {"type": "string"}, "published_at": {"type": "string", "format": "date-time"},
            "results_url": {"type": "string", "format": "uri"}, "page_url": {"type": "string", "format": "uri"},
        })},
        "statements": {"type": "array", "minItems": 1, "items": _object({
            "key": {"type": "string"}, "text": {"type": "string", "description": N_("Libellé dans la référence")},
            "same_text": {"type": "boolean", "description": N_("Même libellé dans tous les questionnaires")},
            "territories": {"type": "array", "items": _TERRITORY_ROW},
        })},
        "method": {"type": "string"}, "licence": {"type": "string"},
        "page_url": {"type": "string", "format": "uri"},
    }, "Territoires côte à côte, affirmation par affirmation (affirmations communes à tous, même clé). "
       "EN: territories side by side, statement by statement (statements all share, same key)."),
}


def comparison_paths() -> dict:
    return {"/comparisons": get_operation(
        N_("Comparer des territoires : questionnaires publiés qui partagent des affirmations"), "Comparison", [],
        tag="questionnaires", description=(
            "Chaque territoire contre le premier questionnaire choisi. Refusés (400) : identifiants mal formés, "
            "inconnus ou non publiés, moins de deux, territoires qui se recouvrent, aucune affirmation commune. "
            "EN: each territory against the first chosen survey. Refused (400): malformed, unknown or unpublished "
            "ids, fewer than two, overlapping territories, no shared statement."))}


def add_example(paths: dict, example: list[int]) -> None:
    """The documented example of ?surveys= (after the parameters are written from the view)."""
    for parameter in paths["/comparisons"]["get"]["parameters"]:
        if parameter["name"] == "surveys":
            parameter["example"] = example
