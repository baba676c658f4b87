"""The debate: comments and proposals on a consultation."""
from flask import Blueprint

bp = Blueprint("debate", __name__, url_prefix="/consultations")

from . import models, permissions, personal_data, views  # noqa: E402,F401  (models, rules and routes register on import)
from . import moderation_views  # noqa: E402,F401  (reports, moderation queue and public log)
from . import edit_views, reaction_views  # noqa: E402,F401  (endorsing, supporting, editing, history)
