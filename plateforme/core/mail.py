"""Outgoing mail: `queue_mail` writes the message into the outbox, in the current
transaction (core/outbox_models.py). Nothing leaves for an action that is rolled back; once
the transaction commits, the task queue is asked to send (core/outbox_tasks.py): the request
only enqueues one small task, so neither the answer nor its timing depends on the mail
server, nor on whether an address belongs to an account. (The tests' queue runs the task at
once, in the committing thread.)
"""
from __future__ import annotations

import json

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from .mail_transport import Message
from .outbox_models import OutgoingMail

# The session wrote outbox rows in its current transaction: kick the queue on commit.
_WROTE_MAIL = "plateforme.outbox_written"


def queue_mail(to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> Message:
    """Write one plain-text message into the outbox, sent once this transaction commits."""
    db.session.add(OutgoingMail(to_address=to, subject=subject[:300], body=body,
                                headers=json.dumps(headers or {}, ensure_ascii=False)))
    db.session.info[_WROTE_MAIL] = True
    return Message(to=to, subject=subject, body=body, headers=tuple((headers or {}).items()))


def kick_outbox() -> None:
    """Ask the queue to send what is due; harmless when it cannot be reached (the periodic
    sweep sends it)."""
    from .outbox_tasks import send_outbox
    from .tasks import enqueue_quietly

    enqueue_quietly(send_outbox)


@event.listens_for(Session, "after_commit")
def _kick_after_commit(session) -> None:
    if session.in_nested_transaction() or not session.info.pop(_WROTE_MAIL, False):
        return
    kick_outbox()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_WROTE_MAIL, None)
