"""Atom feeds of the public events of each territory, sitemap.xml and robots.txt."""
from flask import Blueprint

bp = Blueprint("feeds", __name__)

from . import views  # noqa: E402,F401  (routes register on import)
