"""Issue cards (fiches enjeux) and their debate kits."""
from flask import Blueprint

bp = Blueprint("cards", __name__, url_prefix="/fiches-enjeux")

from . import models, permissions, views  # noqa: E402,F401  (models, rules and routes register on import)
from . import edit_views  # noqa: E402,F401
