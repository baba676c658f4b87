"""JSON API, version 1. Only published snapshots are served; nothing is computed here."""
from __future__ import annotations

from flask import Response, abort, current_app, jsonify

from ..surveys.models import PerceptionSurvey, Publication
from ..core.models import local_today
from ..core.params import accepts
from ..surveys.publication import VERSION_PARAM, publication_csv, publication_document
from ..surveys.publishing import RETRY_AFTER
from ..surveys.status import survey_status
from ..extensions import db
from . import api_bp


def _publication(survey_id: int, version: int | None) -> Publication:
    """The requested version (?version=N) or the latest one; 404 before publication or for a
    version that does not exist (a malformed one never gets here: 400)."""
    survey = db.session.get(PerceptionSurvey, survey_id)
    if survey is not None and not survey.publications and survey.publishing:
        # The state every page gives (surveys/status.py), and when to come back.
        state = survey_status(survey, local_today())
        # problem+json like every other error of the API (core/errors.py), with the state.
        response = current_app.json.response({"type": "about:blank", "title": state.label, "status": 503,
                                              "state": state.state.value})
        response.mimetype, response.status_code = "application/problem+json", 503
        response.headers["Retry-After"] = str(RETRY_AFTER)
        response.headers["Access-Control-Allow-Origin"] = "*"
        abort(response)
    if survey is None or not survey.publications:
        abort(404)
    if version is None:
        return survey.latest_publication
    for publication in survey.publications:
        if publication.version == version:
            return publication
    abort(404)


@api_bp.route("/surveys/<int:survey_id>/results")
@accepts(VERSION_PARAM)
def survey_results(query, survey_id: int):
    response = jsonify(publication_document(_publication(survey_id, query["version"])))
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


@api_bp.route("/surveys/<int:survey_id>/results.csv")
@accepts(VERSION_PARAM)
def survey_results_csv(query, survey_id: int):
    publication = _publication(survey_id, query["version"])
    return Response(publication_csv(publication), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="questionnaire-{survey_id}-v{publication.version}.csv"',
        "Access-Control-Allow-Origin": "*",
    })
