"""JSON API, version 1. Only published snapshots are served; nothing is computed here."""
from __future__ import annotations

from flask import Response, abort, jsonify, request

from ..surveys.models import PerceptionSurvey, Publication
from ..core.models import local_today
from ..surveys.publication import publication_csv, publication_document
from ..surveys.publishing import RETRY_AFTER
from ..surveys.status import survey_status
from ..extensions import db
from . import api_bp


def _publication(survey_id: int) -> Publication:
    """The requested version (?version=N) or the latest one; 404 before publication."""
    survey = db.session.get(PerceptionSurvey, survey_id)
    if survey is not None and not survey.publications and survey.publishing:
        # The state every page gives (surveys/status.py), and when to come back.
        state = survey_status(survey, local_today())
        response = jsonify({"error": "publishing", "state": state.state.value, "label": state.label})
        response.status_code, response.headers["Retry-After"] = 503, str(RETRY_AFTER)
        abort(response)
    if survey is None or not survey.publications:
        abort(404)
    version = request.args.get("version", type=int)
    if version is None:
        return survey.latest_publication
    for publication in survey.publications:
        if publication.version == version:
            return publication
    abort(404)


@api_bp.route("/surveys/<int:survey_id>/results")
def survey_results(survey_id: int):
    response = jsonify(publication_document(_publication(survey_id)))
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


@api_bp.route("/surveys/<int:survey_id>/results.csv")
def survey_results_csv(survey_id: int):
    publication = _publication(survey_id)
    return Response(publication_csv(publication), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="questionnaire-{survey_id}-v{publication.version}.csv"',
        "Access-Control-Allow-Origin": "*",
    })
