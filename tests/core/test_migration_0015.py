"""Migration 0015 marks the phases already begun as announced: the schedule's first run must
not tell the followers of every running consultation about a phase that began weeks ago."""
from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from plateforme import create_app
from plateforme.extensions import db

from ..conftest import make_test_config
from .test_migrations import MIGRATIONS, _backends, _empty_database


@pytest.mark.parametrize("backend", _backends())
def test_phases_already_begun_are_marked_announced(backend, tmp_path):
    with _empty_database(backend, tmp_path) as url:
        application = create_app(make_test_config(url))
        with application.app_context():
            upgrade(directory=MIGRATIONS, revision="0014_mail_outbox")
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO territory (id, kind, code, name, search_name, postal_codes, created_at) "
                    "VALUES (1, 'epci', '200046977', 'M', 'm', '', '2026-01-01 00:00:00')"))
                connection.execute(text(
                    "INSERT INTO consultation (id, title, description, description_html, territory_id, audience, "
                    "status, cancellation_reason, created_at, updated_at) VALUES (1, 'C', '', '', 1, 'registered', "
                    "'published', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
                connection.execute(text(
                    "INSERT INTO consultation_phase (id, consultation_id, kind, starts_on, ends_on, note) VALUES "
                    "(1, 1, 'information', '2020-01-01', '2020-01-10', ''), "
                    "(2, 1, 'debate', '2020-01-11', '2099-12-31', ''), "
                    "(3, 1, 'response', '2100-01-01', '2100-01-10', '')"))
            upgrade(directory=MIGRATIONS, revision="0015_scheduled_notices")
            with db.engine.connect() as connection:
                marked = connection.execute(text(
                    "SELECT id, announced_at IS NOT NULL FROM consultation_phase ORDER BY id")).all()
                assert [tuple(row) for row in marked] == [(1, True), (2, True), (3, False)]
                assert connection.execute(text("SELECT count(*) FROM commitment WHERE reminded_at IS NOT NULL")
                                          ).scalar_one() == 0
            db.engine.dispose()
