"""The debate: comments and proposals on a consultation."""
from flask import Blueprint

bp = Blueprint("debate", __name__, url_prefix="/consultations")

from . import models, permissions, personal_data, views  # noqa: E402,F401  (models, rules and routes register on import)
