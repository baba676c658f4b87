"""How the engine begins transactions: SQLAlchemy's documented recipe for pysqlite.

Each request runs in one transaction of Flask-SQLAlchemy's session, which the view commits
once at the end of a successful write; the session is removed at teardown.

SQLite runs in WAL mode (readers never block the writer) with a busy timeout. The sqlite3
module's own transaction handling is switched off (`isolation_level = None`) and the
engine's "begin" event emits the BEGIN itself, as SQLAlchemy's pysqlite documentation
recommends ("Serializable isolation / Savepoints / Transactional DDL"): ``BEGIN
IMMEDIATE`` for requests that may write (any method but GET, HEAD, OPTIONS) and for the
CLI's writing commands (`immediate_transactions()`), so that a transaction that reads and
then writes waits its turn for the lock instead of failing with "database is locked";
a deferred ``BEGIN`` otherwise, so pages are read side by side.

PostgreSQL needs nothing here: psycopg, as SQLAlchemy drives it, begins a transaction
before the first statement.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_immediate_outside_requests: ContextVar[bool] = ContextVar("immediate_outside_requests", default=False)


@contextmanager
def immediate_transactions():
    """Make the transactions begun here take SQLite's write lock at once: outside a request
    (CLI, tasks), and inside one too (work run after a GET's response, such as claiming
    outbox rows, which reads and then writes)."""
    token = _immediate_outside_requests.set(True)
    try:
        yield
    finally:
        _immediate_outside_requests.reset(token)


@contextmanager
def one_transaction():
    """Outside a request (a task, a command): the block's work in one transaction that takes
    SQLite's write lock at once, committed at the end, rolled back if the block raises."""
    with immediate_transactions():
        try:
            yield
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise


def writes(command):
    """CLI command decorator: its transactions take SQLite's write lock when they begin."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with immediate_transactions():
            return command(*args, **kwargs)

    return wrapper


def begin_statement() -> str:
    """"BEGIN IMMEDIATE" where the transaction may write, else a deferred "BEGIN"."""
    if _immediate_outside_requests.get():
        return "BEGIN IMMEDIATE"
    if has_request_context():
        return "BEGIN" if request.method in READ_ONLY_METHODS else "BEGIN IMMEDIATE"
    return "BEGIN"


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Attach the WAL / busy-timeout / BEGIN listeners to a SQLite engine."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_plateforme_tuned", False):
        return
    engine._plateforme_tuned = True

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # The "begin" listener below, not the sqlite3 module, emits BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Deleted content is overwritten, not left in free space: survey answers waiting to
        # be mixed must not stay readable next to who gave them (surveys/mixing.py).
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(begin_statement())
