"""Consultations: phases, synthesis, the authority's response and its commitments."""
from flask import Blueprint

bp = Blueprint("consultations", __name__, url_prefix="/consultations")

from . import models, permissions, personal_data, views  # noqa: E402,F401  (models, rules and routes register on import)
from . import response_views  # noqa: E402,F401
