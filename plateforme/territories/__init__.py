"""Territories: INSEE reference data, lookup, population margins."""
from flask import Blueprint

bp = Blueprint("territories", __name__, url_prefix="/territoires")

from . import views  # noqa: E402,F401  (routes register on import)
