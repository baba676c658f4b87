"""Accounts: people, roles, mandates, organisations, sign-in, RGPD rights."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import admin_mail, admin_views, permissions, session_views, views  # noqa: E402,F401  (routes and rules register on import)
