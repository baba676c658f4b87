"""JSON API, version 1: the surveys and their published results. Only published snapshots
are served; nothing is computed here. A snapshot never changes: its version and SHA-256 are
its ETag, and a versioned address (?version=N) may be kept by any cache for a year; the
latest one is revalidated (core/http_cache.py)."""
from __future__ import annotations

from flask import Response, abort, current_app, jsonify, url_for

from ..surveys.models import PerceptionSurvey, Publication
from ..core.models import local_today
from ..core.http_cache import IMMUTABLE, REVALIDATE, conditional, not_modified, validated
from ..core.i18n import N_
from ..core.params import Param, accepts, filters
from ..core.spreadsheet import FORMAT_PARAM, spreadsheet_variant
from ..surveys.publication import CSV_COLUMNS as SURVEY_COLUMNS, VERSION_PARAM, publication_csv, publication_document
from ..surveys.publishing import RETRY_AFTER
from ..surveys.queries import public_surveys
from ..surveys.status import SurveyState, survey_status
from ..surveys.wave_publication import CHANGE_COLUMNS, comparison_csv, comparison_document
from ..extensions import db
from . import api_bp
from .consultation_api import territory_ids_for_code
from .http import link_header, page_links
from .observatory_api import PAGING
from ..observatory.models import DEFAULT_LICENCE
from ..observatory.queries import TERRITORY_PARAM

SURVEY_PARAMS = filters(TERRITORY_PARAM, Param("status", N_("État du questionnaire, tel que ses pages le disent"),
                                               "choice",
                                               choices=tuple(s.value for s in SurveyState if s != SurveyState.DRAFT)))


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


def _snapshot(publication: Publication, fmt: str, versioned: bool, body):
    """The snapshot's answer, or a 304 without building it: `body()` makes the Response."""
    etag = f"{publication.sha256[:32]}-v{publication.version}-{fmt}"
    cache_control = IMMUTABLE if versioned else REVALIDATE
    early = not_modified(etag, publication.created_at, cache_control)
    if early is not None:
        return early
    return validated(body(), etag, publication.created_at, cache_control)


@api_bp.route("/surveys/<int:survey_id>/results")
@accepts(VERSION_PARAM)
def survey_results(query, survey_id: int):
    publication = _publication(survey_id, query["version"])
    return _snapshot(publication, "json", query["version"] is not None,
                     lambda: jsonify(publication_document(publication)))


def _csv_file(variant: str | None, text: str, columns, filename: str, sheet: str) -> Response:
    """A survey's CSV as written, or in the spreadsheet form `variant` names (core/spreadsheet.py)."""
    body, mimetype, filename = spreadsheet_variant(variant, [text], [t for _n, t, _d in columns], filename, sheet)
    return Response(b"".join(b if isinstance(b, bytes) else b.encode("utf-8") for b in body),
                    mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@api_bp.route("/surveys/<int:survey_id>/results.csv")
@accepts(VERSION_PARAM, FORMAT_PARAM)
def survey_results_csv(query, survey_id: int):
    publication = _publication(survey_id, query["version"])
    variant = query["format"]

    def answer():
        return _csv_file(variant, publication_csv(publication), SURVEY_COLUMNS,
                         f"questionnaire-{survey_id}-v{publication.version}.csv", f"questionnaire-{survey_id}")
    # Each variant is its own representation: its own ETag.
    return _snapshot(publication, f"csv-{variant}" if variant else "csv", query["version"] is not None, answer)


def _comparison(survey_id: int, version: int | None) -> tuple[Publication, Publication, dict]:
    """This wave's publication, the previous wave's latest and the changes between them; 404
    without a previous wave or before either is published."""
    publication = _publication(survey_id, version)
    document = comparison_document(publication.survey, publication)
    if document is None:
        abort(404)
    return publication, publication.survey.previous_wave.latest_publication, document


def _comparison_answer(publication, before, fmt: str, body):
    """Revalidated even for ?version=N: the previous wave may publish a correction, whose
    figures the comparison then takes. The ETag names both versions compared."""
    etag = f"{publication.sha256[:16]}-v{publication.version}-{before.sha256[:16]}-v{before.version}-{fmt}"
    modified = max(publication.created_at, before.created_at)
    early = not_modified(etag, modified, REVALIDATE)
    if early is not None:
        return early
    return validated(body(), etag, modified, REVALIDATE)


@api_bp.route("/surveys/<int:survey_id>/changes")
@accepts(VERSION_PARAM)
def survey_changes(query, survey_id: int):
    publication, before, document = _comparison(survey_id, query["version"])
    return _comparison_answer(publication, before, "json", lambda: jsonify(document))


@api_bp.route("/surveys/<int:survey_id>/changes.csv")
@accepts(VERSION_PARAM, FORMAT_PARAM)
def survey_changes_csv(query, survey_id: int):
    publication, before, document = _comparison(survey_id, query["version"])
    variant = query["format"]

    def answer():
        return _csv_file(variant, comparison_csv(document), CHANGE_COLUMNS,
                         f"questionnaire-{survey_id}-v{publication.version}-evolution.csv", f"evolution-{survey_id}")
    return _comparison_answer(publication, before, f"csv-{variant}" if variant else "csv", answer)


def survey_record(survey, today) -> dict:
    """A survey as the listing gives it: its state is the one every page shows (status.py)."""
    state = survey_status(survey, today)
    latest = survey.latest_publication if state.state == SurveyState.PUBLISHED else None
    return {
        "id": survey.id, "title": survey.title, "territory": survey.territory.code,
        "territory_name": survey.territory.name, "status": state.state.value, "status_label": state.label,
        "opens_on": survey.opens_at.isoformat(), "closes_on": survey.closes_at.isoformat(),
        "latest_version": latest.version if latest else None,
        "published_at": latest.created_at.isoformat(timespec="seconds") if latest else None,
        "url": url_for("surveys.show", survey_id=survey.id, _external=True),
        "results_url": url_for("api.survey_results", survey_id=survey.id, _external=True) if latest else None,
        # The wave this survey repeats (surveys/waves.py); its changes at changes_url once both are published.
        "previous_wave": survey.previous_wave_id,
    }


@api_bp.route("/surveys")
@accepts(*PAGING, *SURVEY_PARAMS)
@conditional("perception_survey", "survey_publication", "territory", dated=True)
def surveys(query):
    """Every survey but drafts. The state follows the calendar, so it is computed for each
    survey (there are tens, not thousands) and the filter and the page are applied after."""
    today = local_today()
    records = [survey_record(survey, today) for survey in public_surveys(territory_ids_for_code(query["territory"]))]
    if query["status"]:
        records = [record for record in records if record["status"] == query["status"]]
    page, per_page = query["page"], query["per_page"]
    pages, links = page_links("api.surveys", page, per_page, len(records))
    response = jsonify({
        "data": records[(page - 1) * per_page:page * per_page],
        "meta": {"page": page, "per_page": per_page, "total": len(records), "pages": pages,
                 "licence": DEFAULT_LICENCE, "licence_note": "Licence Ouverte 2.0 (etalab-2.0)."},
        "links": links,
    })
    response.headers["Link"] = link_header(links)
    return response
