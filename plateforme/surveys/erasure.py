"""Really deleting what mixing deletes (mixing.py, step 4): once the transaction that deleted
pending answers or participations commits, the task queue rewrites those tables without
the deleted rows (PostgreSQL's VACUUM FULL) or empties SQLite's write-ahead log, off the
request path: the person who answered, or the closing, does not wait for it. When the queue
cannot be reached it runs at once instead, never not at all.
"""
from __future__ import annotations

import logging

from sqlalchemy import event

from ..core.tasks import enqueue_quietly, task
from ..extensions import db

log = logging.getLogger("plateforme.surveys")

VACUUM_LOCK_TIMEOUT = "10s"
# Rewritten in full on PostgreSQL (VACUUM FULL: a new file holding only the live rows; it
# locks the table for the few milliseconds that takes). The pending tables hold at most a
# few batches; participation rows are four integers, and are rewritten only at closing.
_REWRITTEN = {"resident_pending", "official_pending", "resident_participation", "official_participation"}
# The tables a queued erasure may name (its argument comes back from the queue's storage,
# and becomes SQL).
_ERASABLE = _REWRITTEN | {"resident_response", "official_response"}


def erase_deleted_after_commit(*tables: str) -> None:
    """Once the current transaction commits, make what it deleted from `tables` unreadable
    (VACUUM and checkpoints cannot run inside a transaction)."""
    session = db.session()
    if "plateforme_erase" not in session.info:
        session.info["plateforme_erase"] = set()
        event.listen(session, "after_commit", _erase_on_commit)
        event.listen(session, "after_rollback", _forget_on_rollback)
    session.info["plateforme_erase"].update(tables)


def _forget_on_rollback(session) -> None:
    if not session.in_transaction():
        session.info["plateforme_erase"].clear()


def _erase_on_commit(session) -> None:
    tables = sorted(session.info["plateforme_erase"])
    session.info["plateforme_erase"].clear()
    if tables and not enqueue_quietly(erase_deleted_rows, tables):
        erase_deleted(session.get_bind(), tables)  # no queue: at once rather than never


@task()
def erase_deleted_rows(tables: list[str]) -> None:
    """`erase_deleted` by a consumer: VACUUM FULL locks the tables it rewrites, and a
    checkpoint waits on readers, neither of which a person's request should wait for.
    (Returns nothing: huey would keep the result.)"""
    erase_deleted(db.engine, sorted(table for table in tables if table in _ERASABLE))


def erase_deleted(engine, tables: list[str]) -> None:
    """Rewrite `tables` without their deleted rows (PostgreSQL), or push the file's
    overwritten pages out of the write-ahead log and empty it (SQLite). Never raises: the
    answers are already mixed; a failure here is logged and the next mix tries again."""
    try:
        if engine.dialect.name == "postgresql":
            raw = engine.raw_connection()
            try:
                driver = raw.driver_connection
                driver.autocommit = True  # VACUUM refuses to run in a transaction
                with driver.cursor() as cursor:
                    # Never wait long behind a transaction still reading these tables: the
                    # request would hang; the next mix rewrites them anyway.
                    cursor.execute(f"SET lock_timeout = '{VACUUM_LOCK_TIMEOUT}'")
                    try:
                        for table in tables:
                            cursor.execute(f"VACUUM {'FULL ' if table in _REWRITTEN else ''}{table}")
                    finally:
                        cursor.execute("RESET lock_timeout")
            finally:
                raw.driver_connection.autocommit = False
                raw.close()
        elif engine.dialect.name == "sqlite":
            raw = engine.raw_connection()  # the driver's own: no BEGIN before the PRAGMA
            driver = raw.driver_connection
            timeout = driver.execute("PRAGMA busy_timeout").fetchone()[0]
            try:
                # Without waiting: a waiting TRUNCATE checkpoint blocks every writer. When
                # others are busy the log is emptied by a later mix's attempt instead.
                driver.execute("PRAGMA busy_timeout = 0")
                busy = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                driver.execute(f"PRAGMA busy_timeout = {int(timeout)}")
                raw.close()
            if busy and busy[0]:
                log.info("write-ahead log not emptied after mixing: others were using it")
    except Exception:  # noqa: BLE001 — the commit is done; this is cleaning after it
        log.exception("could not erase deleted rows of %s", ", ".join(tables))
