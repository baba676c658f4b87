"""The comparison of a wave with the previous one as the page, the API and the CSV give it:
one document, built from the shown version of this wave and the latest version of the
previous one (a correction of either is taken into account at once)."""
from __future__ import annotations

import csv
import io
import json

from ..core.exports import neutralise
from ..core.i18n import N_
from .models import PerceptionSurvey, Publication, SurveyStatus
from .wave_changes import compare_waves


def previous_publication(survey: PerceptionSurvey) -> Publication | None:
    """The latest published version of the wave `survey` follows, if any."""
    previous = survey.previous_wave
    if previous is None or previous.status != SurveyStatus.PUBLISHED:
        return None
    return previous.latest_publication


def _wave(publication: Publication, data: dict) -> dict:
    info = data["survey"]
    return {"id": publication.survey_id, "title": info["title"], "version": publication.version,
            "sha256": publication.sha256, "opens_at": info["opens_at"],
            "collected_until": info.get("collected_until") or info["closes_at"],
            "sampling_mode": info["sampling_mode"]}


def comparison_document(survey: PerceptionSurvey, publication: Publication) -> dict | None:
    """The changes since the previous wave; None when there is none to compare with (no
    previous wave, or one not yet published)."""
    before = previous_publication(survey)
    if before is None:
        return None
    current, previous = json.loads(publication.payload), json.loads(before.payload)
    return {"survey": _wave(publication, current), "previous_wave": _wave(before, previous),
            **compare_waves(current, previous)}


# The CSV's columns with their Frictionless type and meaning, as in publication.CSV_COLUMNS.
CHANGE_COLUMNS = (
    ("survey_id", "integer", N_("Questionnaire (identifiant) : la vague comparée")),
    ("version", "integer", N_("Version publiée de ses résultats")),
    ("sha256", "string", N_("Empreinte SHA-256 de cette version")),
    ("previous_survey_id", "integer", N_("Vague précédente (identifiant)")),
    ("previous_version", "integer", N_("Version des résultats de la vague précédente (la dernière publiée)")),
    ("previous_sha256", "string", N_("Empreinte SHA-256 de cette version de la vague précédente")),
    ("key", "string", N_("Affirmation (clé, la même d'une vague à l'autre)")),
    ("status", "string", N_("compared (dans les deux vagues), new (nouvelle), removed (retirée de cette vague)")),
    ("text", "string", N_("Affirmation (texte de cette vague, ou de la précédente si elle a été retirée)")),
    ("wording_changed", "boolean", N_("La formulation a changé entre les deux vagues")),
    ("residents_previous", "number", N_("Habitants : part d'accord à la vague précédente")),
    ("residents_current", "number", N_("Habitants : part d'accord à cette vague")),
    ("residents_change", "number", N_("Habitants : variation de la part d'accord (cette vague − la précédente)")),
    ("residents_change_ci_low", "number", N_("Variation de la part : borne basse de l'intervalle à 95 % (Newcombe)")),
    ("residents_change_ci_high", "number", N_("Variation de la part : borne haute de l'intervalle à 95 % (Newcombe)")),
    ("residents_change_excludes_zero", "boolean", N_("Variation de la part : l'intervalle exclut zéro")),
    ("residents_change_suppressed", "boolean", N_("Variation de la part non publiée (chiffre masqué dans une vague)")),
    ("gap_previous", "number", N_("Écart (élus − habitants) à la vague précédente")),
    ("gap_current", "number", N_("Écart (élus − habitants) à cette vague")),
    ("gap_change", "number", N_("Variation de l'écart (cette vague − la précédente)")),
    ("gap_change_ci_low", "number", N_("Variation de l'écart : borne basse de l'intervalle à 95 % (Welch)")),
    ("gap_change_ci_high", "number", N_("Variation de l'écart : borne haute de l'intervalle à 95 % (Welch)")),
    ("gap_change_excludes_zero", "boolean", N_("Variation de l'écart : l'intervalle exclut zéro")),
    ("gap_change_suppressed", "boolean", N_("Variation de l'écart non publiée (écart masqué dans une vague)")),
    ("gap_closer", "boolean", N_("Écart plus petit en valeur absolue qu'à la vague précédente (vide : égal ou "
                                 "sans objet)")),
)
CHANGE_FIELDS = [name for name, _type, _description in CHANGE_COLUMNS]


def comparison_csv(document: dict) -> str:
    """One row per statement key, the API's fields in CHANGE_COLUMNS' order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CHANGE_FIELDS)
    now, before = document["survey"], document["previous_wave"]
    for s in document["statements"]:
        residents, gap = s["residents"], s["gap"]
        row = [now["id"], now["version"], now["sha256"], before["id"], before["version"], before["sha256"],
               s["key"], s["status"], s["text"], s["wording_changed"],
               residents["previous"], residents["current"], residents["change"], residents["ci_low"],
               residents["ci_high"], residents["excludes_zero"], residents["suppressed"],
               gap["previous"], gap["current"], gap["change"], gap["ci_low"], gap["ci_high"], gap["excludes_zero"],
               gap["suppressed"], gap["closer"]]
        writer.writerow([neutralise(value) for value in row])
    return out.getvalue()
