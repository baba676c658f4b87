"""The observatory: multi-actor findings with independent review, indicators and their
values, and the authority's own external action (AECT), all open to citizens."""
from flask import Blueprint

bp = Blueprint("observatory", __name__, url_prefix="/observatoire")

from . import models, permissions  # noqa: E402,F401  (models and rules register on import)
from . import action_views, download_views, finding_views, indicator_views, views  # noqa: E402,F401
