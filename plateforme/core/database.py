"""Database engine tuning.

SQLite is the embedded default. It runs in WAL mode (readers never block the writer),
with a busy timeout, and write transactions start with ``BEGIN IMMEDIATE``: a deferred
transaction that reads and then writes cannot wait for the lock (SQLite answers
"database is locked" at once), while an immediate one waits its turn for up to the busy
timeout. Read-only requests (GET, HEAD, OPTIONS) keep deferred transactions so they run
side by side. Outside requests, transactions are deferred unless the code runs inside
`immediate_transactions()` (the CLI's writing commands do).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


_immediate_outside_requests: ContextVar[bool] = ContextVar("immediate_outside_requests", default=False)
_read_phase: ContextVar[bool] = ContextVar("read_phase", default=False)


def _end_read_transaction(session) -> None:
    """End the current transaction if it only read (nothing pending), keeping loaded
    objects usable: the session does not expire them on commit."""
    session = session()  # the scoped_session proxy → this request's Session
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.commit()


@contextmanager
def read_phase():
    """Run the reads that precede a write (checking a password, validating an answer)
    in deferred transactions, so the write lock is not held meanwhile; the write itself
    goes in `write_phase()`. The read transaction ends with the block.
    """
    from ..extensions import db

    token = _read_phase.set(True)
    try:
        yield
    finally:
        _end_read_transaction(db.session)
        _read_phase.reset(token)


@contextmanager
def write_phase():
    """The writes of an operation, in their own short immediate transaction: the read
    transaction before them is ended, and the flush begins with BEGIN IMMEDIATE."""
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


def _begin_mode() -> str:
    if _read_phase.get():
        return "BEGIN"
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
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(_begin_mode())
