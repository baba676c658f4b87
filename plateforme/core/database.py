"""Database engine tuning.

SQLite is the embedded default. It runs in WAL mode (readers never block the writer),
with a busy timeout, and write transactions start with ``BEGIN IMMEDIATE``: a deferred
transaction that reads and then writes cannot wait for the lock (SQLite answers
"database is locked" at once), while an immediate one waits its turn for up to the busy
timeout. Read-only requests (GET, HEAD, OPTIONS) keep deferred transactions so they run
side by side. Outside requests, transactions are deferred unless the code runs inside
`immediate_transactions()` (the CLI's writing commands do).

The BEGIN is sent by a listener just before the first statement that needs one, straight
to the driver. Reads grouped in `read_phase()` (identifying the visitor, checking the
rules before a write) need none: each runs on its own, holding no lock, and nothing has
to be committed afterwards, so the write lock is held only by the writes.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, wraps

from flask import has_request_context, request
from sqlalchemy import bindparam, event
from sqlalchemy.engine import Engine

from .prepared import Prepared

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


_immediate_outside_requests: ContextVar[bool] = ContextVar("immediate_outside_requests", default=False)
_read_phase: ContextVar[bool] = ContextVar("read_phase", default=False)


def _sqlite_connection(session):
    """The sqlite3 connection under this request's session while it is in a transaction,
    else None (also on PostgreSQL)."""
    session = session()  # the scoped_session proxy → this request's Session
    if not session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        return None
    return session.connection().connection.driver_connection


def _end_read_transaction(session) -> None:
    """On SQLite, end a deferred transaction that only read, so that the next write begins
    with BEGIN IMMEDIATE. Reads made in `read_phase()` run outside any transaction, so
    this is rarely needed; PostgreSQL never needs it (row locks, no database lock)."""
    raw = _sqlite_connection(session)
    if raw is not None and raw.in_transaction and not (session.new or session.dirty or session.deleted):
        session.commit()


@contextmanager
def read_phase():
    """Run the reads that precede a write (checking a password, validating an answer)
    without holding SQLite's write lock: each statement runs on its own (autocommit), so
    nothing has to be ended afterwards. The write itself goes in `write_phase()`.
    """
    token = _read_phase.set(True)
    try:
        yield
    finally:
        _read_phase.reset(token)


@contextmanager
def write_phase():
    """The writes of an operation, in their own short immediate transaction: its first
    statement begins with BEGIN IMMEDIATE."""
    from ..extensions import db

    _end_read_transaction(db.session)
    token = _read_phase.set(False)
    try:
        yield
    finally:
        _read_phase.reset(token)


def reads_first(view):
    """View decorator: its queries run deferred; only `write_phase()` blocks take the lock.

    For hot write paths (answering a survey) where validation needs several queries.
    """
    @wraps(view)
    def wrapper(*args, **kwargs):
        with read_phase():
            return view(*args, **kwargs)

    return wrapper


@contextmanager
def immediate_transactions():
    """Make transactions begun outside a request take the write lock at once."""
    token = _immediate_outside_requests.set(True)
    try:
        yield
    finally:
        _immediate_outside_requests.reset(token)


def _begin_mode() -> str | None:
    """How a statement issued outside a transaction begins one; None: it runs on its own."""
    if _read_phase.get():
        return None
    if has_request_context():
        return "BEGIN" if request.method in READ_ONLY_METHODS else "BEGIN IMMEDIATE"
    return "BEGIN IMMEDIATE" if _immediate_outside_requests.get() else "BEGIN"


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Attach the WAL / busy-timeout / immediate-transaction listeners to a SQLite engine."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_plateforme_tuned", False):
        return
    engine._plateforme_tuned = True

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let our listener, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    # SQLAlchemy's own BEGIN is only bookkeeping here: the real one is sent just before the
    # first statement that needs it, straight to the driver (a read phase needs none).
    @event.listens_for(engine, "before_cursor_execute")
    def _begin_when_needed(connection, _cursor, _statement, _parameters, _context, _executemany):
        raw = connection.connection.driver_connection
        if not raw.in_transaction:
            mode = _begin_mode()
            if mode is not None:
                raw.execute(mode)


def execute_core(statement, parameters=None):
    """Run a prebuilt Core statement (no objects loaded) on the session's connection, in
    its transaction, past the ORM's execution layer: about 45 µs less a statement on the
    busiest write paths. Nothing pending in the session is flushed first, so use it where
    the statement does not depend on objects changed earlier in the request."""
    from ..extensions import db

    return db.session.connection().execute(statement, parameters)


def insert_if_absent(model, key: tuple[str, ...], **values) -> bool:
    """INSERT a row of `model` unless one with the same `key` columns exists; True when
    inserted. One statement (ON CONFLICT DO NOTHING on the unique key): two clicks or two
    tabs at once cannot both insert, and no savepoint or prior SELECT is needed."""
    from ..extensions import db

    values = with_python_defaults(model.__table__, values)
    statement = _insert_unless_present(model.__table__, db.session.get_bind().dialect.name, tuple(key),
                                       frozenset(values))
    # RETURNING says whether a row went in (rowcount is not reliable with it on every driver).
    return statement.first(values) is not None


def with_python_defaults(table, values: dict) -> dict:
    """`values` and, for the columns it leaves out, their Python-side defaults (a creation
    date...), as SQLAlchemy's own INSERT would fill them in."""
    missing = [(key, default) for key, default in _python_defaults(table) if key not in values]
    if not missing:
        return values
    # A default given as a function is kept wrapped by SQLAlchemy to take an execution
    # context; ours ignore it.
    return {**values, **{key: default.arg(None) if default.is_callable else default.arg for key, default in missing}}


@cache
def _python_defaults(table) -> tuple:
    return tuple((column.key, column.default) for column in table.columns
                 if column.default is not None and (column.default.is_scalar or column.default.is_callable))


@cache
def _insert_unless_present(table, dialect: str, key: tuple[str, ...], columns: frozenset[str]) -> Prepared:
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return Prepared(insert(table).values({name: bindparam(name) for name in sorted(columns)})
                    .on_conflict_do_nothing(index_elements=list(key)).returning(table.c.id))


@cache
def _insert_returning_id(table, columns: frozenset[str]) -> Prepared:
    """Built once per table and set of columns; the values come as parameters."""
    from sqlalchemy import insert

    return Prepared(insert(table).values({name: bindparam(name) for name in sorted(columns)})
                    .returning(table.c.id))


def insert_object(model, **values):
    """INSERT one row of `model` with a single statement and return it as an object of the
    session, as if just loaded: for the busiest write paths, where the unit of work's
    bookkeeping costs several times the INSERT itself. Columns left out of `values` are
    loaded from the database if read later (give them all to spare that query)."""
    unknown = values.keys() - _column_keys(model)
    if unknown:
        raise TypeError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    values = with_python_defaults(model.__table__, values)
    row_id = _insert_returning_id(model.__table__, frozenset(values)).first(values).id
    return as_loaded(model, {**values, "id": row_id})


def as_loaded(model, values: dict):
    """The object of the session for a row of `model` read or written by a Core statement
    (`values`: its columns by attribute name, the primary key included), as if the ORM had
    loaded it; the session's own object when it already holds that row."""
    from sqlalchemy.orm import make_transient_to_detached
    from sqlalchemy.orm.attributes import instance_state

    from ..extensions import db

    held = db.session.identity_map.get(model.__mapper__.identity_key_from_primary_key((values["id"],)))
    if held is not None:
        return held
    # Built as a load builds it (no constructor, no attribute events: a quarter of the cost).
    instance = model.__mapper__.class_manager.new_instance()
    instance.__dict__.update(values)
    make_transient_to_detached(instance)  # its attributes now read as loaded, not as changes
    # What Session.add does, less its cascade walk over every relationship of the model (User
    # has a dozen): the object holds columns only, so the walk would find nothing.
    # tests/core/test_database.py: the object is then the session's (insert_object goes through here).
    db.session()._save_or_update_impl(instance_state(instance))
    return instance


@cache
def _column_keys(model) -> frozenset[str]:
    return frozenset(model.__mapper__.column_attrs.keys())
