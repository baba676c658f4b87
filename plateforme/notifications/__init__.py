"""Notifications in the platform (and by email) about what a person follows."""
from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/compte/notifications")

from . import models, views  # noqa: E402,F401  (models and routes register on import)
