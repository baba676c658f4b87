"""Publication: the JSON API (/api/v1) and open-data downloads of published results."""
from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import api, consultation_api, observatory_api, openapi  # noqa: E402,F401  (routes register on import)
