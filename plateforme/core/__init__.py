"""Shared building blocks, and the site-wide pages (home, legal notices, language)."""
from flask import Blueprint

bp = Blueprint("core", __name__)

from . import views  # noqa: E402,F401  (routes register on import)
