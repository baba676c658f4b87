"""Published results, drawn from the frozen snapshot only: nothing is recomputed, so the
page shows exactly what the SHA-256 certifies, in a fixed number of queries."""
from __future__ import annotations

import json

from flask import Response, abort, current_app, render_template, url_for

from ..core.http_cache import IMMUTABLE, not_modified, validated
from ..core.page_cache import public_page
from ..core.params import accepts
from ..core.permissions import can
from . import bp
from .comparison import comparable_with
from .coverage import coverage_study
from .models import SamplingMode
from .publication import VERSION_PARAM
from .presentation import chart_description, chart_height, chart_rows, chart_ticks, finding_title
from .queries import invitation_counts
from .publishing import RETRY_AFTER
from .services import get_survey


def _published_survey(survey_id: int):
    survey = get_survey(survey_id) or abort(404)
    if not can("can_see_results", survey):
        # Nobody sees results before publication; say so rather than a bare 404. While the
        # queue computes them, "come back shortly" (503 + Retry-After), the same for robots.
        if survey.publishing:
            abort(Response(render_template("surveys/not_published.html", survey=survey), status=503,
                           headers={"Retry-After": str(RETRY_AFTER)}))
        abort(Response(render_template("surveys/not_published.html", survey=survey), status=404))
    return survey


def _publication(survey, version: int):
    for publication in survey.publications:
        if publication.version == version:
            return publication
    abort(404)


def _dataset(publication) -> dict:
    """The version shown as a schema.org Dataset (the catalogue's own entry for it)."""
    from ..publication.catalogue import publication_entry, schema_org  # the catalogue spans every domain

    page = url_for("surveys.results_version", survey_id=publication.survey_id, version=publication.version,
                   _external=True)
    return schema_org(publication_entry(publication), page, url_for("opendata.catalogue", _external=True),
                      current_app.config["SITE_NAME"])


def _render_results(survey, publication):
    data = json.loads(publication.payload)
    statements, thresholds = data["statements"], data["thresholds"]
    codes = invitation_counts(survey) if data["survey"]["sampling_mode"] == SamplingMode.PANEL.value else None
    return render_template(
        "surveys/results.html", survey=survey, publication=publication, data=data, statements=statements,
        thresholds=thresholds, latest=survey.latest_publication, codes=codes,
        chart_title=finding_title(statements), chart_rows=chart_rows(statements, thresholds),
        chart_desc=chart_description(statements, thresholds), chart_height=chart_height(statements),
        chart_ticks=chart_ticks(), coverage=coverage_study(), dataset=_dataset(publication),
        comparable=comparable_with(survey),
    )


@bp.route("/<int:survey_id>/resultats")
@public_page
@accepts(VERSION_PARAM, strict=False)
def results(query, survey_id):
    """The latest version, or the one ?version=N names (as the API reads it): the page then
    says it was replaced and links to the latest."""
    survey = _published_survey(survey_id)
    version = query["version"]
    return _render_results(survey, survey.latest_publication if version is None else _publication(survey, version))


@bp.route("/<int:survey_id>/resultats/v<int:version>")
@public_page
def results_version(survey_id, version):
    survey = _published_survey(survey_id)
    return _render_results(survey, _publication(survey, version))


@bp.route("/<int:survey_id>/resultats/v<int:version>.json")
def results_snapshot(survey_id, version):
    """The exact bytes whose SHA-256 the page shows, so anyone can check them."""
    survey = _published_survey(survey_id)
    publication = _publication(survey, version)
    # A version never changes (its SHA-256 certifies it): any cache may keep it for good.
    etag = f"{publication.sha256[:32]}-v{publication.version}-snapshot"
    early = not_modified(etag, publication.created_at, IMMUTABLE)
    if early is not None:
        return early
    return validated(Response(publication.payload.encode("utf-8"), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="questionnaire-{survey.id}-v{publication.version}.json"',
        "Access-Control-Allow-Origin": "*",
    }), etag, publication.created_at, IMMUTABLE)
