"""Sending the outbox: claim a batch of due rows, send them over one connection, mark each.

Never twice: a batch is *claimed* in one short transaction (on PostgreSQL `SELECT … FOR
UPDATE SKIP LOCKED`, so that two consumers take different rows without waiting on each
other; on SQLite under `BEGIN IMMEDIATE`, which lets one writer at a time in), by setting
the rows' status to `sending` with this batch's random token and a lease. Only the holder
of the token marks a row sent, in its own transaction right after the server accepted the
message, so that a consumer killed mid-batch leaves its unsent rows `sending`, taken back
by any consumer once the lease is over; at most the one message in flight at the moment of
the kill may go out again (the server took it, the mark never came). A batch that outlives
its lease stops and gives its remaining rows back rather than race the next consumer.

Failures: the server refused the message itself (5xx) → `failed` for good; anything else
(server down, connection lost, 4xx) → `queued` again after an exponential backoff, until
`MAIL_MAX_ATTEMPTS` attempts have failed.
"""
from __future__ import annotations

import json
import logging
import secrets
import smtplib
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update

from ..extensions import db
from .mail_transport import Message, PermanentFailure, transport
from .models import utcnow
from .outbox_models import MailStatus, OutgoingMail
from .transactions import immediate_transactions

log = logging.getLogger("plateforme.outbox")

OUTBOX = OutgoingMail.__table__
# Margin kept before a lease ends: a batch stops sending this long before another
# consumer may take its rows back.
LEASE_MARGIN_SECONDS = 30


@dataclass
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)
    unreachable: bool = False  # stopped because the server could not be reached


def backoff(attempts: int) -> timedelta:
    """The wait before attempt `attempts + 1`: base × 2^(attempts − 1), capped."""
    config = current_app.config
    seconds = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def _claimable(now: datetime):
    return or_(and_(OUTBOX.c.status == MailStatus.QUEUED.value, OUTBOX.c.next_attempt_at <= now),
               and_(OUTBOX.c.status == MailStatus.SENDING.value, OUTBOX.c.claimed_until < now))


def claim(limit: int, now: datetime, lease: timedelta) -> tuple[str, list]:
    """Take up to `limit` due rows for this caller alone: (token, rows)."""
    token = secrets.token_hex(16)
    with immediate_transactions(), db.engine.begin() as connection:
        # SKIP LOCKED: rows another consumer is claiming at this moment are left to it.
        # SQLite ignores FOR UPDATE; BEGIN IMMEDIATE serialises the claims there.
        ids = connection.execute(select(OUTBOX.c.id).where(_claimable(now)).order_by(OUTBOX.c.id)
                                 .limit(limit).with_for_update(skip_locked=True)).scalars().all()
        if not ids:
            return token, []
        # The condition again: a row another claim took meanwhile is not taken twice.
        connection.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids), _claimable(now)).values(
            status=MailStatus.SENDING.value, claim_token=token, claimed_until=now + lease))
        rows = connection.execute(select(OUTBOX).where(OUTBOX.c.claim_token == token)
                                  .order_by(OUTBOX.c.id)).all()
    return token, rows


def _mine(row_id: int, token: str):
    return and_(OUTBOX.c.id == row_id, OUTBOX.c.claim_token == token)


def _write(statement) -> None:
    with immediate_transactions(), db.engine.begin() as connection:
        connection.execute(statement)


@contextmanager
def _marks_connection():
    """The batch's database connection for its marks. On PostgreSQL in autocommit, each mark
    one statement (one round trip instead of BEGIN, SET, UPDATE and COMMIT), and without
    waiting for the flush to disk (`synchronous_commit` off for this connection, reset before
    it goes back to the pool): a mark is visible to every other consumer at once; only a crash
    of the database server itself in the next instant could lose it, and the message would
    then go out once more."""
    with db.engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            yield connection
            return
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql("SET synchronous_commit TO OFF")
        try:
            yield connection
        finally:
            connection.exec_driver_sql("RESET synchronous_commit")


def _mark_sent(connection, row, token: str) -> None:
    """Committed as soon as the server took the message (alone: a statement in autocommit on
    PostgreSQL, a transaction of its own on SQLite): a kill after this never sends it again."""
    statement = update(OUTBOX).where(_mine(row.id, token)).values(
        status=MailStatus.SENT.value, sent_at=utcnow(), body="", attempts=row.attempts + 1,
        claim_token=None, claimed_until=None, last_error=None)
    if connection.dialect.name == "postgresql":
        connection.execute(statement)
        return
    with immediate_transactions(), connection.begin():
        connection.execute(statement)


def _mark_failed(row, token: str, error: str) -> None:
    _write(update(OUTBOX).where(_mine(row.id, token)).values(
        status=MailStatus.FAILED.value, attempts=row.attempts + 1, last_error=error[:500],
        claim_token=None, claimed_until=None))


def _retry_later(rows, token: str, error: str, now: datetime) -> tuple[int, int]:
    """Give `rows` back for a later attempt (or fail them for good past the maximum);
    returns (retried, failed)."""
    retried = failed = 0
    maximum = current_app.config["MAIL_MAX_ATTEMPTS"]
    with immediate_transactions(), db.engine.begin() as connection:
        for row in rows:
            attempts = row.attempts + 1
            values = {"attempts": attempts, "last_error": error[:500], "claim_token": None, "claimed_until": None}
            if attempts >= maximum:
                values["status"] = MailStatus.FAILED.value
                failed += 1
            else:
                values.update(status=MailStatus.QUEUED.value, next_attempt_at=now + backoff(attempts))
                retried += 1
            connection.execute(update(OUTBOX).where(_mine(row.id, token)).values(**values))
    return retried, failed


def _release(rows, token: str) -> None:
    """Give back rows not attempted (the lease is running out): due again at once."""
    with immediate_transactions(), db.engine.begin() as connection:
        for row in rows:
            connection.execute(update(OUTBOX).where(_mine(row.id, token)).values(
                status=MailStatus.QUEUED.value, claim_token=None, claimed_until=None))


def _message(row) -> Message:
    headers = json.loads(row.headers or "{}")
    # The same Message-ID at every attempt: should a message go out twice (a consumer killed
    # between the server's acceptance and the mark), the copies are recognisably one.
    domain = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or "localhost"
    headers.setdefault("Message-ID", f"<outbox.{row.id}.{row.created_at:%Y%m%d%H%M%S}@{domain}>")
    return Message(to=row.to_address, subject=row.subject, body=row.body, headers=tuple(headers.items()))


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def send_batch(rows, token: str, now: datetime, report: DrainReport, lease: timedelta) -> bool:
    """Send claimed `rows` over one connection; False when the server could not be
    reached or the connection broke (the caller stops: the rest waits for the backoff)."""
    deadline = time.monotonic() + lease.total_seconds() - LEASE_MARGIN_SECONDS
    pending = list(rows)
    try:
        # One database connection for the batch's marks, beside the one SMTP connection.
        with transport() as sender, _marks_connection() as marks:
            while pending:
                row = pending[0]
                if time.monotonic() > deadline:
                    _release(pending, token)
                    pending = []
                    break
                try:
                    sender.send(_message(row))
                except PermanentFailure as error:
                    _mark_failed(row, token, _describe(error))
                    report.failed += 1
                    report.errors.append(_describe(error))
                except (smtplib.SMTPServerDisconnected, OSError):
                    raise  # the connection is gone: this row and the rest, later
                except smtplib.SMTPException as error:  # this message, this time (4xx)
                    retried, failed = _retry_later([row], token, _describe(error), now)
                    report.retried += retried
                    report.failed += failed
                    report.errors.append(_describe(error))
                else:
                    _mark_sent(marks, row, token)
                    report.sent += 1
                pending.pop(0)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail server unreachable, %d message(s) retried later: %s", len(pending), error)
        retried, failed = _retry_later(pending, token, _describe(error), now)
        report.retried += retried
        report.failed += failed
        report.errors.append(_describe(error))
        return False
    return True


def drain(now: datetime | None = None, batch_size: int | None = None, max_batches: int | None = None) -> DrainReport:
    """Send every due row, batch after batch, until none is left or the server fails.
    `now` stands for the current time in the claims and the backoff (tests)."""
    report = DrainReport()
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    batch_size = batch_size or current_app.config["MAIL_BATCH_SIZE"]
    while max_batches is None or report.batches < max_batches:
        moment = now or utcnow()
        token, rows = claim(batch_size, moment, lease)
        if not rows:
            break
        report.batches += 1
        if not send_batch(rows, token, moment, report, lease):
            report.unreachable = True
            break
    if report.batches:
        log.info("outbox: %d sent, %d to retry, %d failed in %d batch(es)", report.sent, report.retried,
                 report.failed, report.batches)
    return report


def purge_old(now: datetime | None = None) -> int:
    """Delete sent and failed rows older than MAIL_RETENTION_DAYS (they name who was
    written to); queued rows are never purged. Returns how many were deleted."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["MAIL_RETENTION_DAYS"])
    with immediate_transactions(), db.engine.begin() as connection:
        result = connection.execute(delete(OUTBOX).where(or_(
            and_(OUTBOX.c.status == MailStatus.SENT.value, OUTBOX.c.sent_at < cutoff),
            and_(OUTBOX.c.status == MailStatus.FAILED.value, OUTBOX.c.created_at < cutoff))))
    return result.rowcount
