"""The application factory (imports Flask: kept out of the package's own __init__)."""
from __future__ import annotations

import logging

from pathlib import Path

from flask import Flask

# The templates live beside the package (templates/, as the design card lays out), not inside
# it: the app runs from its checkout (make installs it editable), so the folder is found there.
TEMPLATE_FOLDER = Path(__file__).resolve().parent.parent / "templates"


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, errors, CLI. No queries."""
    from .config import load_config

    # "plateforme" (the package), not this module: root path, static files and logger name.
    app = Flask("plateforme", instance_path=None, template_folder=str(TEMPLATE_FOLDER))
    from .core.urls import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter
    app.config.update(load_config(config))
    if app.config["PROXY_COUNT"]:
        # Behind N reverse proxies: take the client's address (rate limits, security log) and
        # the scheme from the headers those proxies set, never from the client's own.
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    _init_logging(app)
    _init_extensions(app)
    _register_blueprints(app)

    # The modules that declare tasks, so that a consumer built on this app knows them all.
    from .core import outbox_tasks  # noqa: F401
    from .consultations import tasks as consultation_tasks  # noqa: F401
    from .notifications import mailing  # noqa: F401
    from .cards import kits  # noqa: F401
    from .publication import bundle  # noqa: F401
    from .surveys import erasure, publishing, tasks as survey_tasks  # noqa: F401
    from .core.tasks import init_tasks

    init_tasks(app)

    from .core.after_response import init_after_response
    from .core.errors import init_error_handlers
    from .core.navigation import init_navigation
    from .core.redirects import init_redirects
    from .core.security import init_security_headers

    init_error_handlers(app)
    init_after_response(app)
    init_security_headers(app)
    init_redirects(app)
    init_navigation(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _init_logging(app: Flask) -> None:
    logger = logging.getLogger("plateforme")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _init_extensions(app: Flask) -> None:
    from .core.transactions import configure_sqlite
    from .core.i18n import register_template_helpers, select_locale
    from .extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    with app.app_context():
        # Creating the engine opens no connection; it only attaches the listeners (SQLite only).
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    register_template_helpers(app)
    from .core.typography import register_french_typography

    register_french_typography(app)

    from .core.page_cache import init_page_cache

    init_page_cache(app)

    from .accounts.auth import init_login_manager

    init_login_manager(app, login_manager)


def _register_blueprints(app: Flask) -> None:
    from .accounts import admin_bp, bp as accounts_bp
    from .cards import bp as cards_bp
    from .consultations import bp as consultations_bp
    from .core import bp as core_bp
    from .debate import bp as debate_bp
    from .feeds import bp as feeds_bp
    from .notifications import bp as notifications_bp
    from .observatory import bp as observatory_bp
    from .publication import api_bp, files_bp
    from .surveys import bp as surveys_bp
    from .territories import bp as territories_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(territories_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(observatory_bp)
    app.register_blueprint(cards_bp)
    app.register_blueprint(consultations_bp)
    app.register_blueprint(debate_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(files_bp)
    app.register_blueprint(feeds_bp)

    from .accounts.labels import register_label_helpers as account_labels
    from .core.permissions import can
    from .core.vocabulary import register_vocabulary_helpers
    from .territories.labels import register_label_helpers as territory_labels
    from .territories.names import register_name_helpers as territory_names

    app.jinja_env.globals["can"] = can
    account_labels(app)
    territory_labels(app)
    territory_names(app)
    register_vocabulary_helpers(app)
