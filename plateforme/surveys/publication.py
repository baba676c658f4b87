"""Publishing results: frozen, versioned snapshots with their SHA-256, and their CSV twin."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging

from flask_babel import gettext as _

from ..core.exports import neutralise
from ..extensions import db
from .models import PerceptionSurvey, Publication, SurveyStatus
from .results import compute_results
from .services import SurveyError

log = logging.getLogger("plateforme.surveys")


def canonical_json(data: dict) -> str:
    """One byte-exact serialisation, so the SHA-256 can be checked by anyone; strict JSON
    (NaN and Infinity are not JSON: results.py writes None for a number it cannot give)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def publish(survey: PerceptionSurvey, published_by=None, change_note: str = "") -> Publication:
    """Freeze the results in a new version. The first needs a closed survey; a correction
    needs a public change note. Nothing published is ever modified."""
    change_note = (change_note or "").strip()
    if survey.status == SurveyStatus.PUBLISHED:
        if not change_note:
            raise SurveyError(_("Une correction doit expliquer publiquement ce qui change."), "change_note")
    elif survey.status != SurveyStatus.CLOSED:
        raise SurveyError(_("Seul un questionnaire clos peut être publié."))
    payload = canonical_json(compute_results(survey))
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


CSV_FIELDS = [
    "survey_id", "version", "sha256", "key", "text", "theme",
    "residents_n", "residents_n_eff", "residents_agree", "residents_dont_know", "residents_ci_low",
    "residents_ci_high", "residents_suppressed",
    "officials_n", "officials_mean_estimate", "officials_median_estimate", "officials_below", "officials_inside",
    "officials_above", "officials_suppressed", "gap_value", "gap_ci_low", "gap_ci_high",
]


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
