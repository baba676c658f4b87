"""Open-data downloads: the page that lists them, streamed CSV and JSON files, and the
data package descriptor."""
from __future__ import annotations

from flask import Response, current_app, render_template, stream_with_context, url_for

from flask_babel import format_number, get_locale, gettext as _, ngettext

from ..core.http_cache import REVALIDATE, conditional, not_modified, validated
from ..core.params import InvalidParams, Param, accepts, filters
from ..core.spreadsheet import FORMAT_PARAM, XLSX_MAX_ROWS, fits_a_workbook, spreadsheet_variant
from ..core.urls import MAX_DATABASE_ID
from . import bp
from .exports import export_meta, finding_extra, stream_csv, stream_json
from .resources import FINDINGS, RESOURCES, VALUES, values_statement

OPEN_HEADERS = {"Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}


def file_url(resource, fmt: str) -> str:
    return url_for("observatory.download", slug=resource.slug, fmt=fmt, _external=True)


@bp.route("/donnees")
def open_data():
    from ..publication.bundle import bundle_built_at  # the bundle gathers every domain's data
    from ..publication.catalogue import PAGE_PLACES, cached, entries, schema_org
    from ..publication.datapackage import data_state

    # Each dataset as schema.org reads it, for search engines (the same entries as the catalogue).
    site_name, site_url = current_app.config["SITE_NAME"], url_for("observatory.index", _external=True)
    page, catalogue = url_for("observatory.open_data", _external=True), url_for("opendata.catalogue", _external=True)
    state = data_state()
    datasets = cached("schema.org", state, lambda: [
        schema_org(entry, page, catalogue, site_name)
        for entry in entries(state, file_url, site_name, site_url, places=PAGE_PLACES)])
    # A file too long for a workbook is refused as XLSX: its link is replaced by why.
    workbook = cached("workbook", state, lambda: {slug: fits_a_workbook(resource.statement())
                                                  for slug, resource in RESOURCES.items()})
    return render_template("observatory/open_data.html", resources=list(RESOURCES.values()),
                           bundle_built_at=bundle_built_at(), datasets=datasets, workbook=workbook,
                           xlsx_max_rows=XLSX_MAX_ROWS)


@bp.route("/donnees/<any(constats,indicateurs,valeurs,'actions-exterieures'):slug>.<any(csv,json):fmt>")
@accepts(*filters(Param("indicateur", "Les valeurs d'un seul indicateur (identifiant)", "integer", minimum=1,
                        maximum=MAX_DATABASE_ID)), FORMAT_PARAM, strict=False)
@conditional(tables_for=lambda slug, fmt: RESOURCES[slug].tables)
def download(query, slug, fmt):
    resource = RESOURCES[slug]
    stmt = resource.statement()
    filename = slug
    indicator_id = query["indicateur"]
    if resource is VALUES and indicator_id is not None:
        stmt = values_statement(indicator_id)
        filename = f"{slug}-indicateur-{indicator_id}"
    extra = None
    if resource is FINDINGS:
        prefix = url_for("observatory.findings", _external=True)
        extra = finding_extra(lambda finding_id: f"{prefix}/{finding_id}")
    if fmt == "json" and query["format"]:
        raise InvalidParams([{"name": "format", "reason": _("seul un fichier CSV a une variante pour tableur")}])
    if query["format"] == "xlsx" and not fits_a_workbook(stmt):
        raise InvalidParams([{"name": "format", "reason": ngettext(
            "ce fichier compte plus de %(count)s ligne : il n'est proposé qu'en CSV et en CSV pour Excel",
            "ce fichier compte plus de %(count)s lignes : il n'est proposé qu'en CSV et en CSV pour Excel",
            XLSX_MAX_ROWS, count=format_number(XLSX_MAX_ROWS))}])
    filename = f"{filename}.{fmt}"
    if fmt == "csv":
        types = [c.type for c in resource.columns] + (["string", "string"] if extra else [])
        body, mimetype, filename = spreadsheet_variant(query["format"], stream_csv(resource, stmt, extra), types,
                                                       filename, resource.name)
    else:
        meta = export_meta(resource, url_for("observatory.index", _external=True), file_url(resource, "csv"))
        body, mimetype = stream_json(resource, stmt, meta, extra), "application/json"
    return Response(stream_with_context(body), mimetype=mimetype, headers={
        **OPEN_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"',
    })


@bp.route("/donnees/datapackage.json")
def datapackage():
    from ..publication.datapackage import data_package, data_state  # the package gathers every domain

    state = data_state()
    # Stable while the data are, in one language (titles are translated): a client that asks
    # again with If-None-Match / If-Modified-Since gets a 304 before the package is built.
    etag = f"{state.version}-{get_locale()}"
    early = not_modified(etag, state.last_modified, REVALIDATE)
    if early is not None:
        early.headers.update(OPEN_HEADERS)
        return early
    descriptor = data_package(file_url, current_app.config["SITE_NAME"], url_for("observatory.index", _external=True),
                              state)
    response = current_app.json.response(descriptor)
    response.headers.update(OPEN_HEADERS)
    return validated(response, etag, state.last_modified, REVALIDATE)
