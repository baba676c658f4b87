"""Migration 0010 rewrites the import log's importer emails as roles and starts existing
sessions' idle time from their creation."""
from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from plateforme import create_app
from plateforme.extensions import db

from ..conftest import make_test_config
from .test_migrations import MIGRATIONS, _backends, _empty_database


@pytest.mark.parametrize("backend", _backends())
def test_importer_emails_become_roles(backend, tmp_path):
    with _empty_database(backend, tmp_path) as url:
        application = create_app(make_test_config(url))
        with application.app_context():
            upgrade(directory=MIGRATIONS, revision="0007_reaction_counter_triggers")
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO user_account (id, email, display_name, password_hash, is_admin, email_notifications, "
                    "password_changed_at, created_at) VALUES "
                    "(1, 'admin@example.org', 'A', 'x', TRUE, TRUE, '2026-01-01 00:00:00', '2026-01-01 00:00:00'), "
                    "(2, 'elue@example.org', 'E', 'x', FALSE, TRUE, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
                connection.execute(text(
                    "INSERT INTO auth_session (user_id, token_hash, user_agent, created_at) "
                    "VALUES (2, 'h', '', '2026-02-03 04:05:06')"))
                connection.execute(text(
                    "INSERT INTO territory (id, kind, code, name, search_name, postal_codes, created_at) "
                    "VALUES (1, 'epci', '200046977', 'M', 'm', '', '2026-01-01 00:00:00')"))
                connection.execute(text(
                    "INSERT INTO perception_survey (id, title, introduction, introduction_html, territory_id, "
                    "sampling_mode, opens_at, closes_at, status, min_residents, min_officials, trim_low, trim_high, "
                    "conducted_by, created_at) VALUES (1, 'Q', '', '', 1, 'open', '2026-01-01', '2026-12-31', "
                    "'open', 30, 5, 0.3, 3.0, '', '2026-01-01 00:00:00')"))
                connection.execute(text(
                    "INSERT INTO survey_import_log (survey_id, kind, filename, rows, sha256, imported_by_id, "
                    "imported_by_label, created_at) VALUES "
                    "(1, 'answers', 'a.csv', 1, 'x', 1, 'admin@example.org', '2026-01-01 00:00:00'), "
                    "(1, 'answers', 'b.csv', 1, 'x', 2, 'elue@example.org', '2026-01-01 00:00:00'), "
                    "(1, 'answers', 'c.csv', 1, 'x', NULL, 'supprimee@example.org', '2026-01-01 00:00:00'), "
                    "(1, 'answers', 'd.csv', 1, 'x', NULL, 'cli', '2026-01-01 00:00:00')"))
            upgrade(directory=MIGRATIONS, revision="0010")
            with db.engine.connect() as connection:
                labels = connection.execute(text(
                    "SELECT filename, imported_by_label FROM survey_import_log ORDER BY filename")).all()
                assert [tuple(row) for row in labels] == [
                    ("a.csv", "admin"), ("b.csv", "manager"), ("c.csv", "manager"), ("d.csv", "cli")]
                seen = connection.execute(text("SELECT created_at = last_seen_at FROM auth_session")).scalar_one()
                assert seen
            db.engine.dispose()
