"""Publishing results: frozen, versioned snapshots with their SHA-256, and their CSV twin."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging

from dataclasses import dataclass, field

from flask_babel import gettext as _, ngettext

from ..core.exports import neutralise
from ..core.params import Param
from ..core.urls import MAX_DATABASE_ID
from ..extensions import db
from .mixing import OFFICIALS, RESIDENTS, final_mix
from .models import PerceptionSurvey, Publication, SurveyStatus
from .results import compute_results
from .services import SurveyError, count_officials, participation_counts

log = logging.getLogger("plateforme.surveys")

# ?version=N on the results page and in the API: a malformed one is refused (400), never
# answered with the latest version.
VERSION_PARAM = Param("version", "Version publiée (la dernière par défaut)", "integer", minimum=1,
                      maximum=MAX_DATABASE_ID)


def canonical_json(data: dict) -> str:
    """One byte-exact serialisation, so the SHA-256 can be checked by anyone; strict JSON
    (NaN and Infinity are not JSON: results.py writes None for a number it cannot give)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


@dataclass
class PublicationPreview:
    """What publishing would freeze, computed by the very code that publishes: the results,
    and which of their figures the small-number thresholds will leave unpublished."""

    results: dict
    suppressed: list[str] = field(default_factory=list)  # statement keys with a figure withheld
    residents_hidden: list[str] = field(default_factory=list)
    officials_hidden: list[str] = field(default_factory=list)

    @property
    def nothing_published(self) -> bool:
        """Every statement's residents' share and officials' estimate withheld."""
        statements = self.results["statements"]
        return all(s["residents"]["suppressed"] and s["officials"]["suppressed"] for s in statements)

    @property
    def impossible_count(self) -> bool:
        sample = self.results["sample"]
        answered = sample["officials_answered"]
        return answered is not None and answered > sample["officials_total"]


def publication_refusal(survey: PerceptionSurvey, change_note: str) -> None:
    """Raise the reason publishing is refused now, if there is one."""
    if survey.status == SurveyStatus.PUBLISHED:
        if not change_note:
            raise SurveyError(_("Une correction doit expliquer publiquement ce qui change."), "change_note")
    elif survey.status != SurveyStatus.CLOSED:
        raise SurveyError(_("Seul un questionnaire clos peut être publié."))
    answered, total = participation_counts(survey)[1], count_officials(survey)
    if answered > total:
        raise SurveyError(ngettext(
            "%(answered)s personnes élues ont répondu pour %(num)s personne élue connue : corrigez le nombre de "
            "personnes élues (import des estimations avec « Relever le nombre de personnes élues ») avant de publier.",
            "%(answered)s personnes élues ont répondu pour %(num)s personnes élues connues : corrigez le nombre de "
            "personnes élues (import des estimations avec « Relever le nombre de personnes élues ») avant de publier.",
            total, answered=answered))


def preview(survey: PerceptionSurvey) -> PublicationPreview:
    """The results as they would be published now, and what the thresholds withhold."""
    results = compute_results(survey)
    view = PublicationPreview(results)
    for statement in results["statements"]:
        if statement["residents"]["suppressed"]:
            view.residents_hidden.append(statement["key"])
        if statement["officials"]["suppressed"]:
            view.officials_hidden.append(statement["key"])
        if statement["residents"]["suppressed"] or statement["officials"]["suppressed"]:
            view.suppressed.append(statement["key"])
    return view


def publish(survey: PerceptionSurvey, published_by=None, change_note: str = "") -> Publication:
    """Freeze the results in a new version. The first needs a closed survey; a correction
    needs a public change note; neither may show more officials answering than counted.
    Nothing published is ever modified."""
    change_note = (change_note or "").strip()
    publication_refusal(survey, change_note)
    if survey.status == SurveyStatus.CLOSED:
        # Officials answer until now: mix their late answers with all the others, in the
        # transaction that ends their questionnaire. Who answered is kept (never what): only
        # they may open their private feedback (feedback.py, can_see_own_feedback). Residents'
        # answers again too: paper answers imported since the closing have a commune that
        # may need pooling (mixing.py).
        final_mix(OFFICIALS, survey, forget_participation=False)
        final_mix(RESIDENTS, survey, forget_participation=True)
    payload = canonical_json(preview(survey).results)
    version = (survey.latest_publication.version + 1) if survey.publications else 1
    publication = Publication(survey=survey, version=version, payload=payload,
                              sha256=hashlib.sha256(payload.encode("utf-8")).hexdigest(), change_note=change_note,
                              published_by_id=getattr(published_by, "id", None))
    db.session.add(publication)
    if survey.status != SurveyStatus.PUBLISHED:
        survey.move_to(SurveyStatus.PUBLISHED)
    db.session.flush()
    log.info("survey %s published, version %s, sha256 %s", survey.id, version, publication.sha256)
    return publication


def publication_document(publication: Publication) -> dict:
    """The API form of a snapshot: the frozen results plus version, time and hash."""
    data = json.loads(publication.payload)
    data["survey"].update({
        "version": publication.version,
        "sha256": publication.sha256,
        "published_at": publication.created_at.isoformat(timespec="seconds"),
        "change_note": publication.change_note or None,
    })
    return data


# The CSV's columns with their Frictionless type and meaning (the data package reads them).
CSV_COLUMNS = (
    ("survey_id", "integer", "Questionnaire (identifiant)"),
    ("version", "integer", "Version publiée des résultats"),
    ("sha256", "string", "Empreinte SHA-256 du JSON canonique de cette version"),
    ("key", "string", "Affirmation (clé)"),
    ("text", "string", "Affirmation"),
    ("theme", "string", "Thème"),
    ("residents_n", "integer", "Habitants : réponses"),
    ("residents_n_eff", "number", "Habitants : effectif efficace après pondération"),
    ("residents_agree", "number", "Habitants : part d'accord (pondérée)"),
    ("residents_dont_know", "number", "Habitants : part de « ne sait pas »"),
    ("residents_ci_low", "number", "Habitants : borne basse de l'intervalle de confiance à 95 %"),
    ("residents_ci_high", "number", "Habitants : borne haute de l'intervalle de confiance à 95 %"),
    ("residents_suppressed", "boolean", "Habitants : chiffre non publié (trop peu de réponses)"),
    ("officials_n", "integer", "Personnes élues : réponses"),
    ("officials_mean_estimate", "number", "Personnes élues : estimation moyenne de la part d'accord des habitants"),
    ("officials_median_estimate", "number", "Personnes élues : estimation médiane"),
    ("officials_below", "number", "Personnes élues : part des estimations sous l'intervalle des habitants"),
    ("officials_inside", "number", "Personnes élues : part des estimations dans l'intervalle des habitants"),
    ("officials_above", "number", "Personnes élues : part des estimations au-dessus de l'intervalle des habitants"),
    ("officials_suppressed", "boolean", "Personnes élues : chiffre non publié (trop peu de réponses)"),
    ("gap_value", "number", "Écart entre l'estimation des personnes élues et la part des habitants"),
    ("gap_ci_low", "number", "Écart : borne basse de l'intervalle de confiance à 95 %"),
    ("gap_ci_high", "number", "Écart : borne haute de l'intervalle de confiance à 95 %"),
)
CSV_FIELDS = [name for name, _type, _description in CSV_COLUMNS]


def publication_csv(publication: Publication) -> str:
    """The results as CSV, one row per statement, with the API's fields."""
    data = json.loads(publication.payload)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for statement in data["statements"]:
        residents, officials, difference = statement["residents"], statement["officials"], statement["gap"]
        row = [data["survey"]["id"], publication.version, publication.sha256, statement["key"], statement["text"],
               statement["theme"], residents["n"], residents["n_eff"], residents["agree"], residents["dont_know"],
               residents["ci_low"], residents["ci_high"], residents["suppressed"], officials["n"],
               officials["mean_estimate"], officials["median_estimate"], officials["below"], officials["inside"],
               officials["above"], officials["suppressed"], difference["value"], difference["ci_low"],
               difference["ci_high"]]
        writer.writerow([neutralise(value) for value in row])
    return out.getvalue()
