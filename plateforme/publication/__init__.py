"""Publication: the JSON API (/api/v1) and open-data downloads of published results."""
from flask import Blueprint, redirect, url_for

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Whole files of open data at stable addresses (the bundle of every dataset).
files_bp = Blueprint("opendata", __name__, url_prefix="/donnees")


@files_bp.route("/", strict_slashes=False)
def index():
    """/donnees alone: the files here (the zip, the catalogue, the API page) are listed and
    explained on the open-data page, where anyone who shortens one of their addresses lands."""
    return redirect(url_for("observatory.open_data"))


# Routes (and the CORS hook, http.py) register on import.
from . import api, api_page, bundle_views, catalogue_views, comparison_api  # noqa: E402,F401
from . import consultation_api, http, observatory_api, openapi  # noqa: E402,F401
