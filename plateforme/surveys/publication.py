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
from ..core.i18n import N_
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
VERSION_PARAM = Param("version", N_("Version publiée (la dernière par défaut)"), "integer", minimum=1,
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


def repeats_latest(survey: PerceptionSurvey, results: dict) -> bool:
    """Whether `results` are, byte for byte, the latest published version's: a correction
    would then be a new version number, a public change note and the same figures."""
    latest = survey.latest_publication
    return latest is not None and latest.payload == canonical_json(results)


def unchanged_message(survey: PerceptionSurvey) -> str:
    return _("Rien n'a changé depuis la version %(version)s : recalculés maintenant, les résultats sont identiques, "
             "au caractère près, à ceux déjà publiés. Une correction publie d'autres chiffres ou d'autres libellés.",
             version=survey.latest_publication.version)


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
        # transaction that ends their questionnaire, and forget who answered. Kept, that list
        # would tie answers to names: online answers differ from imported ones (channel,
        # receipt, opinions), so one official online among paper answers would be named.
        # Their private feedback needs no list: the receipt finds the answer (feedback.py).
        # Residents' answers again too: paper answers imported since the closing have a
        # commune that may need pooling (mixing.py).
        final_mix(OFFICIALS, survey, forget_participation=True)
        final_mix(RESIDENTS, survey, forget_participation=True)
    results = preview(survey).results
    if repeats_latest(survey, results):
        raise SurveyError(unchanged_message(survey))
    payload = canonical_json(results)
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


def _get(block: str, key: str):
    """A statement's figure, None when an older snapshot lacks its block (published before it)."""
    return lambda statement: (statement.get(block) or {}).get(key)


def _paired(key: str):
    return lambda statement: ((statement.get("residents_estimate") or {}).get("paired_gap") or {}).get(key)


# The CSV's columns: name, Frictionless type, meaning (the data package reads them), and how a
# statement of the snapshot gives the cell. One list: the header, the rows and the data
# package cannot disagree. survey_id, version and sha256 come from the publication itself.
CSV_SPEC = (
    ("survey_id", "integer", N_("Questionnaire (identifiant)"), None),
    ("version", "integer", N_("Version publiée des résultats"), None),
    ("sha256", "string", N_("Empreinte SHA-256 du JSON canonique de cette version"), None),
    ("key", "string", N_("Affirmation (clé)"), lambda s: s["key"]),
    ("text", "string", N_("Affirmation"), lambda s: s["text"]),
    ("theme", "string", N_("Thème"), lambda s: s["theme"]),
    ("residents_n", "integer", N_("Habitants : réponses"), _get("residents", "n")),
    ("residents_n_eff", "number", N_("Habitants : effectif efficace après pondération"), _get("residents", "n_eff")),
    ("residents_agree", "number", N_("Habitants : part d'accord (pondérée)"), _get("residents", "agree")),
    ("residents_dont_know", "number", N_("Habitants : part de « ne sait pas »"), _get("residents", "dont_know")),
    ("residents_ci_low", "number", N_("Habitants : borne basse de l'intervalle de confiance à 95 %"),
     _get("residents", "ci_low")),
    ("residents_ci_high", "number", N_("Habitants : borne haute de l'intervalle de confiance à 95 %"),
     _get("residents", "ci_high")),
    ("residents_suppressed", "boolean", N_("Habitants : chiffre non publié (trop peu de réponses)"),
     _get("residents", "suppressed")),
    ("officials_n", "integer", N_("Personnes élues : réponses"), _get("officials", "n")),
    ("officials_mean_estimate", "number", N_("Personnes élues : estimation moyenne de la part d'accord des habitants"),
     _get("officials", "mean_estimate")),
    ("officials_median_estimate", "number", N_("Personnes élues : estimation médiane"),
     _get("officials", "median_estimate")),
    ("officials_below", "number", N_("Personnes élues : part des estimations sous l'intervalle des habitants"),
     _get("officials", "below")),
    ("officials_inside", "number", N_("Personnes élues : part des estimations dans l'intervalle des habitants"),
     _get("officials", "inside")),
    ("officials_above", "number", N_("Personnes élues : part des estimations au-dessus de l'intervalle des habitants"),
     _get("officials", "above")),
    ("officials_suppressed", "boolean", N_("Personnes élues : chiffre non publié (trop peu de réponses)"),
     _get("officials", "suppressed")),
    ("gap_value", "number", N_("Écart entre l'estimation des personnes élues et la part des habitants"),
     _get("gap", "value")),
    ("gap_ci_low", "number", N_("Écart : borne basse de l'intervalle de confiance à 95 %"), _get("gap", "ci_low")),
    ("gap_ci_high", "number", N_("Écart : borne haute de l'intervalle de confiance à 95 %"), _get("gap", "ci_high")),
    # What residents think of each other (surveys/residents_estimates.py); empty in versions
    # published before these figures.
    ("residents_estimate_n", "integer", N_("Habitants : estimations données (sur 100 habitants, combien d'accord)"),
     _get("residents_estimate", "n")),
    ("residents_estimate_mean", "number",
     N_("Habitants : estimation moyenne (pondérée) de la part d'accord des habitants"),
     _get("residents_estimate", "mean")),
    ("residents_estimate_ci_low", "number", N_("Estimation des habitants : borne basse de l'intervalle à 95 %"),
     _get("residents_estimate", "ci_low")),
    ("residents_estimate_ci_high", "number", N_("Estimation des habitants : borne haute de l'intervalle à 95 %"),
     _get("residents_estimate", "ci_high")),
    ("residents_estimate_suppressed", "boolean", N_("Estimation des habitants : non publiée (trop peu d'estimations)"),
     _get("residents_estimate", "suppressed")),
    ("residents_estimate_gap_n", "integer", N_("Écart apparié : habitants ayant donné leur avis et une estimation"),
     _paired("n")),
    ("residents_estimate_gap_value", "number",
     N_("Écart apparié : moyenne pondérée de (estimation − accord) par habitant"),
     _paired("value")),
    ("residents_estimate_gap_ci_low", "number", N_("Écart apparié : borne basse de l'intervalle à 95 %"),
     _paired("ci_low")),
    ("residents_estimate_gap_ci_high", "number", N_("Écart apparié : borne haute de l'intervalle à 95 %"),
     _paired("ci_high")),
)
CSV_COLUMNS = tuple((name, kind, description) for name, kind, description, _cell in CSV_SPEC)
CSV_FIELDS = [name for name, _type, _description in CSV_COLUMNS]


def publication_csv(publication: Publication) -> str:
    """The results as CSV, one row per statement, with the API's fields (CSV_SPEC)."""
    data = json.loads(publication.payload)
    head = (data["survey"]["id"], publication.version, publication.sha256)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for statement in data["statements"]:
        row = [*head, *(cell(statement) for _n, _t, _d, cell in CSV_SPEC[len(head):])]
        writer.writerow([neutralise(value) for value in row])
    return out.getvalue()
