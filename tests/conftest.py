"""Shared fixtures. Every test runs on SQLite, and again on PostgreSQL when
TEST_DATABASE_URL is set (the `app` fixture is parametrised by backend)."""
from __future__ import annotations

import os

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text

from plateforme import create_app
from plateforme.extensions import cache, db as _db, limiter
from plateforme.territories.services import load_territory

from .factories import Factories

DEMO_EPCI = "200046977"
# A neighbour of the Métropole de Lyon, outside it: the CC de l'Est Lyonnais and Genas, one
# of its communes (next to Bron and Chassieu). Loaded by the `neighbour` fixture.
NEIGHBOUR_EPCI = "246900575"
GENAS = "69277"


def _backends() -> list[str]:
    backends = ["sqlite"]
    if os.environ.get("TEST_DATABASE_URL"):
        backends.append("postgresql")
    return backends


def _database_url(backend: str, tmp_path_factory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    url = os.environ["TEST_DATABASE_URL"]
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


def _worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker empties its tables between tests, so each has a database
    of its own beside TEST_DATABASE_URL's (`test_gw0`, `test_gw1`…), made when missing."""
    base, name = url.rsplit("/", 1)
    own = f"{name}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": own}).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{own}"'))
    finally:
        admin.dispose()
    return f"{base}/{own}"


def make_test_config(database_url: str) -> dict:
    return {
        "ENV_NAME": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_BACKEND": "memory",
        # Real hashing, fewer rounds: the suite creates hundreds of accounts.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
    }


class FreshContextClient(FlaskClient):
    """Each request gets its own application context, as in production.

    Without this, a request made while the test holds an app context would share the
    test's `g` (Flask-Login's cached user, Flask-WTF's CSRF token) and its database
    session, and tests could pass where real requests fail.
    """

    def open(self, *args, **kwargs):
        # End the test's own transaction around each request: it must neither hold
        # locks the request needs nor keep reading from a snapshot taken before it.
        if has_app_context():
            _db.session.rollback()
        # Closed as a WSGI server closes it once sent: what runs after the response
        # (core/after_response.py: mail, bookkeeping) has run when the test looks.
        kwargs.setdefault("buffered", True)
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            _db.session.rollback()
            _db.session.expire_all()  # objects the test holds show what the request wrote
        return response


@pytest.fixture(scope="session", params=_backends())
def app(request, tmp_path_factory):
    database_url = _database_url(request.param, tmp_path_factory)
    application = create_app(make_test_config(database_url))
    application.config["BACKEND"] = request.param
    application.test_client_class = FreshContextClient
    with application.app_context():
        _db.drop_all()
        _db.create_all()
        load_territory(DEMO_EPCI)
        _db.session.commit()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


# Reference territories stay loaded for the whole session; everything else is emptied.
KEPT_TABLES = {"territory"}


def _empty_tables(application) -> None:
    """DELETE every row but the territories', children first. On PostgreSQL the emptied
    tables' id sequences start again at 1, as they do on SQLite. (TRUNCATE … RESTART
    IDENTITY did both in one statement, but took 100–180 ms for the 46 small tables where
    DELETE takes 10: it makes new files for every table.)"""
    tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in KEPT_TABLES]
    with _db.engine.begin() as connection:
        for table in tables:
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            restarts = application.extensions.get("test_sequence_restarts")
            if restarts is None:
                sequences = connection.execute(text(
                    "SELECT pg_get_serial_sequence(quote_ident(table_name), column_name) "
                    "FROM information_schema.columns WHERE table_schema = current_schema() "
                    "AND table_name = ANY(:names) AND column_default LIKE 'nextval%'"),
                    {"names": [t.name for t in tables]}).scalars().all()
                restarts = text("SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in sequences))
                application.extensions["test_sequence_restarts"] = restarts
            connection.execute(restarts)


@pytest.fixture(autouse=True)
def _limiter_bound_to_the_session_app():
    """Flask-Limiter keeps one storage per extension object, replaced by every
    `create_app`; tests that build extra apps must not leave theirs behind."""
    saved = (limiter._storage, limiter._limiter)
    yield
    limiter._storage, limiter._limiter = saved


@pytest.fixture(autouse=True)
def _task_queue_runs_tasks_at_once():
    """The tests' queue runs each task when it is enqueued; a test that put a real storage
    in its place (tests/core/test_task_queue.py) must not leave it for the next."""
    from plateforme.core.tasks import huey

    yield
    if not huey.immediate:
        huey.configure(huey.flask_app, "immediate")


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db
        _db.session.remove()
        _empty_tables(app)
    limiter.reset()
    app.extensions["mail_outbox"] = []


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def make(db):
    """Factories for users, mandates, organisations, moderators (see factories.py)."""
    return Factories(db)


@pytest.fixture
def neighbour(db):
    """The CC de l'Est Lyonnais and its communes (Genas...), which border the Métropole de Lyon
    without belonging to it; kept for the session, like every territory (loading is idempotent)."""
    from plateforme.territories.models import Territory, TerritoryKind

    load_territory(NEIGHBOUR_EPCI)
    _db.session.commit()
    return _db.session.execute(select(Territory).filter_by(kind=TerritoryKind.EPCI, code=NEIGHBOUR_EPCI)).scalar_one()


@pytest.fixture
def outbox(app, db):
    app.extensions["mail_outbox"] = []
    return app.extensions["mail_outbox"]


@pytest.fixture
def request_context(app, db):
    """For services that build links (url_for) outside a client's request."""
    with app.test_request_context():
        yield


@pytest.fixture
def cached(app, db):
    """The page cache on (the suite runs without it: no page kept, no HTTP validator),
    emptied before and after."""
    app.config["CACHE_TYPE"] = "SimpleCache"
    cache.init_app(app, config={"CACHE_TYPE": "SimpleCache"})
    cache.clear()
    yield cache
    cache.clear()
    app.config["CACHE_TYPE"] = "NullCache"
    cache.init_app(app, config={"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True})
