"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from plateforme import create_app
from plateforme.extensions import db

from ..conftest import make_test_config

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")


@contextmanager
def _empty_database(backend: str, tmp_path):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    base = os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"plateforme_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


_EXPECTED_TRIGGERS = {
    "sqlite": {"comment_endorsement_counted", "comment_endorsement_uncounted", "proposal_support_counted",
               "proposal_support_uncounted"},
    "postgresql": {"comment_endorsement_count", "proposal_support_count"},
}


def _triggers(engine) -> set[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        else:
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        return set(connection.execute(text(query)).scalars())


def _backends():
    return ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.mark.parametrize("backend", _backends())
def test_upgrade_from_empty_matches_the_models(backend, tmp_path):
    with _empty_database(backend, tmp_path) as url:
        application = create_app(make_test_config(url))
        with application.app_context():
            upgrade(directory=MIGRATIONS)
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                differences = compare_metadata(context, db.metadata)
            assert differences == [], differences
            tables = set(inspect(db.engine).get_table_names())
            assert {"territory", "user_account", "auth_session", "mandate", "organisation"} <= tables
            assert _triggers(db.engine) == _EXPECTED_TRIGGERS[backend]  # the counters (debate/counters.py)
            downgrade(directory=MIGRATIONS, revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()
