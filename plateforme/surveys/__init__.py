"""Perception surveys: residents' openness against officials' assumptions."""
from flask import Blueprint

bp = Blueprint("surveys", __name__, url_prefix="/questionnaires")

from . import models, permissions, views  # noqa: E402,F401  (models, rules and routes register on import)
from . import comparison_views, feedback_views, manage_views, results_views  # noqa: E402,F401
