"""The DCAT-AP catalogue (JSON-LD) at a stable address, for portals to harvest (catalogue.py)."""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import get_locale

from ..core.http_cache import REVALIDATE, not_modified, validated
from ..observatory.download_views import OPEN_HEADERS, file_url
from . import files_bp
from .catalogue import cached, dcat_catalogue, entries
from .datapackage import data_state


@files_bp.route("/catalogue.jsonld")
def catalogue():
    state = data_state()
    # The same answer while the data do not change, in one language: harvesters that ask with
    # If-None-Match get a 304 before the catalogue is drawn.
    etag = f"{state.version}-{get_locale()}"
    early = not_modified(etag, state.last_modified, REVALIDATE)
    if early is not None:
        early.headers.update(OPEN_HEADERS)
        return early
    site_name, site_url = current_app.config["SITE_NAME"], url_for("observatory.index", _external=True)
    document = cached("dcat", state, lambda: dcat_catalogue(
        entries(state, file_url, site_name, site_url), state, url_for("opendata.catalogue", _external=True),
        url_for("observatory.open_data", _external=True), site_name, site_url,
        current_app.config["CONTACT_EMAIL"]))
    response = current_app.json.response(document)
    response.mimetype = "application/ld+json"
    response.headers.update(OPEN_HEADERS)
    return validated(response, etag, state.last_modified, REVALIDATE)
