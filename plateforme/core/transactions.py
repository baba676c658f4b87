"""When transactions begin: one rule for SQLite and PostgreSQL.

SQLite is the embedded default. It runs in WAL mode (readers never block the writer),
with a busy timeout, and write transactions start with ``BEGIN IMMEDIATE``: a deferred
transaction that reads and then writes cannot wait for the lock (SQLite answers
"database is locked" at once), while an immediate one waits its turn for up to the busy
timeout. Read-only requests (GET, HEAD, OPTIONS) keep deferred transactions so they run
side by side. Outside requests, transactions are deferred unless the code runs inside
`immediate_transactions()` (the CLI's writing commands do).

On both databases a listener decides, just before each statement, whether it needs a
transaction:
- reads grouped in `read_phase()` (identifying the visitor, checking the rules before a
  write) need none: each runs on its own, holding no lock, and nothing has to be
  committed or rolled back afterwards. In READ COMMITTED, PostgreSQL's level, each
  statement takes its own snapshot anyway, so a read on its own sees what it would have
  seen inside a transaction;
- a `write_phase(alone=True)` is one statement (an INSERT whose triggers keep a counter
  is still one): the database commits it by itself, atomically, so it needs neither a
  BEGIN nor a COMMIT. The busiest writes (a comment, a support) are such statements;
- every other statement begins a transaction when none is open, and the request commits
  it once.

Three mistakes that would save something half-done raise at once instead: a second
statement in a `write_phase(alone=True)`; a write reaching the database in a read phase
with no transaction open (it would be committed on its own, apart from the rest); and a
write, later in the same request, after a lone write that was committed as it ran (the
request's writes would be split in two commits, the first kept if the second failed).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")

_immediate_outside_requests: ContextVar[bool] = ContextVar("immediate_outside_requests", default=False)
_read_phase: ContextVar[bool] = ContextVar("read_phase", default=False)
_lone_write: ContextVar[list | None] = ContextVar("lone_write", default=None)  # [statements run so far]


class HalfDoneWrite(RuntimeError):
    """A statement that would be committed apart from the rest of its operation."""


CHANGES_AT_BEGIN = "plateforme_changes_at_begin"  # in the pool's record of a SQLite connection


def _sqlite_connection(session):
    """The pooled SQLite connection under this request's session while it is in a
    transaction, else None (also on PostgreSQL)."""
    session = session()  # the scoped_session proxy → this request's Session
    if not session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        return None
    return session.connection().connection


def _end_read_transaction(session) -> None:
    """On SQLite, end a deferred transaction that only read, so that the next write begins
    with BEGIN IMMEDIATE. Reads made in `read_phase()` run outside any transaction, so
    this is rarely needed; PostgreSQL never needs it (row locks, no database lock).

    A transaction that wrote, through the ORM or straight (Core statements, `Prepared`),
    is left open: the writes that follow join it and the request commits them together."""
    pooled = _sqlite_connection(session)
    if pooled is None or not pooled.driver_connection.in_transaction:
        return
    wrote = pooled.driver_connection.total_changes != pooled.info.get(CHANGES_AT_BEGIN)
    if not (wrote or session.new or session.dirty or session.deleted):
        session.commit()


@contextmanager
def read_phase():
    """Run the reads that precede a write (checking a password, validating an answer)
    without holding SQLite's write lock: each statement runs on its own, so nothing has to
    be ended afterwards. The write itself goes in `write_phase()`.
    """
    token = _read_phase.set(True)
    try:
        yield
    finally:
        _read_phase.reset(token)


@contextmanager
def write_phase(alone: bool = False):
    """The writes of an operation, in their own short immediate transaction: its first
    statement begins with BEGIN IMMEDIATE (SQLite) or BEGIN.

    `alone=True`: the phase is exactly one statement. When no transaction is open, it runs
    on its own and the database commits it as it runs (the request's commit then has
    nothing to send); a second statement in the phase raises `HalfDoneWrite`.
    """
    from ..extensions import db

    _end_read_transaction(db.session)
    token = _read_phase.set(False)
    lone = _lone_write.set([0] if alone else None)
    try:
        yield
    finally:
        _lone_write.reset(lone)
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


def _is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(WRITE_VERBS)


def _begin_mode(statement: str, in_transaction: bool) -> str | None:
    """How `statement` begins a transaction when none is open ("BEGIN IMMEDIATE" or
    "BEGIN"); None when it needs none (it runs in the open one, or on its own)."""
    lone = _lone_write.get()
    if lone is not None:
        lone[0] += 1
        if lone[0] > 1:
            raise HalfDoneWrite("write_phase(alone=True) ran a second statement; use write_phase(): "
                                + " ".join(statement.split())[:120])
        if not in_transaction and has_request_context():
            g._lone_write_committed = True  # the database commits it as it runs
        return None
    if in_transaction:
        return None
    if _read_phase.get():
        if _is_write(statement):
            raise HalfDoneWrite("a write in a read phase, with no transaction open, would be committed on its "
                                "own; put it in write_phase(): " + " ".join(statement.split())[:120])
        return None
    if has_request_context():
        if g.get("_lone_write_committed") and _is_write(statement):
            raise HalfDoneWrite("a write after a lone write of the same request would be committed apart from "
                                "it; make both one write_phase(): " + " ".join(statement.split())[:120])
        return "BEGIN" if request.method in READ_ONLY_METHODS else "BEGIN IMMEDIATE"
    return "BEGIN IMMEDIATE" if _immediate_outside_requests.get() else "BEGIN"


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Attach the WAL / busy-timeout / transaction listeners to a SQLite engine."""
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
        # Deleted content is overwritten, not left in free space: survey answers waiting to
        # be mixed must not stay readable next to who gave them (surveys/mixing.py).
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    # SQLAlchemy's own BEGIN is only bookkeeping here: the real one is sent just before the
    # first statement that needs it, straight to the driver.
    @event.listens_for(engine, "before_cursor_execute")
    def _begin_when_needed(connection, _cursor, statement, _parameters, _context, _executemany):
        raw = connection.connection.driver_connection
        mode = _begin_mode(statement, raw.in_transaction)
        if mode is not None:
            raw.execute(mode)
            # Rows changed so far on this connection (triggers included): the transaction
            # has written once the count moves.
            connection.connection.info[CHANGES_AT_BEGIN] = raw.total_changes


_PG_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE (not imported: SQLite installs need no psycopg)


def configure_postgresql(engine: Engine) -> None:
    """Attach the transaction listener to a PostgreSQL engine: psycopg begins the
    transactions (its implicit BEGIN), except for the statements that need none, which it
    runs in autocommit mode."""
    if engine.dialect.name != "postgresql" or getattr(engine, "_plateforme_tuned", False):
        return
    engine._plateforme_tuned = True

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_when_needed(connection, _cursor, statement, _parameters, _context, _executemany):
        raw = connection.connection.driver_connection
        idle = raw.pgconn.transaction_status == _PG_IDLE
        alone = _begin_mode(statement, not idle) is None
        # Only read when a statement starts from no transaction; set each time, so a
        # statement that failed leaves nothing behind for the next one.
        if idle and raw.autocommit != alone:
            raw.autocommit = alone
