"""Writing the notifications of a consultation's followers, and every notification's email,
off the request path.

A consultation's followers: the action's transaction writes one `NotificationFanout` row
however many they are; once it commits, the task queue writes their notifications (one
INSERT … SELECT) and deletes the row, in one transaction: written once, and never for a
rolled-back action. Other notifications (a reply, a moderation…) are written by the action.
Either way a notification carries a `mail_reason` when its person receives emails; the queue
then writes each email into the outbox, in its reader's language, and clears the reason,
both in one transaction: an email is written exactly once. The outbox sends them
(core/outbox_sender.py). The minute sweep does what a lost kick left.
"""
from __future__ import annotations

import logging

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, joinedload

from ..accounts.models import User
from ..core.tasks import crontab, enqueue_quietly, periodic_task, task
from ..core.transactions import immediate_transactions
from ..core.urls import absolute_url
from ..extensions import db
from .models import Notification, NotificationFanout
from .services import MAIL_TO_WRITE, fan_out, queue_notification_mail

log = logging.getLogger("plateforme.notifications")

BATCH = 200


def fan_out_pending() -> int:
    """Write the notifications of every pending fan-out, each with its row's deletion in one
    transaction; how many notifications."""
    written = 0
    while True:
        with immediate_transactions():
            # SKIP LOCKED: two consumers take different fan-outs (PostgreSQL).
            fanout = db.session.execute(
                select(NotificationFanout).order_by(NotificationFanout.id).limit(1)
                .with_for_update(skip_locked=True)).scalar_one_or_none()
            if fanout is None:
                db.session.rollback()
                return written
            written += fan_out(fanout)
            db.session.delete(fanout)
            # Their emails are written right after, by this same task: no kick for them.
            db.session.info.pop(MAIL_TO_WRITE, None)
            db.session.commit()


def write_pending_mail(batch: int = BATCH) -> int:
    """Write the emails of notifications that await theirs, batch after batch; how many."""
    written = 0
    while True:
        with immediate_transactions():
            # SKIP LOCKED: two consumers take different notifications (PostgreSQL).
            rows = db.session.execute(
                select(Notification, User).join(User, User.id == Notification.user_id)
                .where(Notification.mail_reason.is_not(None)).order_by(Notification.id).limit(batch)
                .options(joinedload(Notification.consultation), joinedload(Notification.actor))
                .with_for_update(of=Notification, skip_locked=True)).all()
            if not rows:
                db.session.rollback()
                return written
            for notification, user in rows:
                # Asked again now: the person may have turned emails off since the action.
                if user.email_confirmed_at is not None and user.email_notifications:
                    queue_notification_mail(user, notification.kind, notification.consultation, notification.subject,
                                            absolute_url(notification.target_path), because=notification.mail_reason,
                                            actor=notification.actor)
                    written += 1
            db.session.execute(update(Notification).where(Notification.id.in_([n.id for n, _ in rows]))
                               .values(mail_reason=None))
            db.session.commit()
        log.info("notification emails written: %s", written)


@task()
def write_notification_mail() -> None:
    """After a commit that wrote notifications to be mailed, or followers to be notified."""
    fan_out_pending()
    write_pending_mail()


@periodic_task(crontab(minute="*"))
def sweep_notification_mail() -> None:
    fan_out_pending()
    write_pending_mail()


@event.listens_for(Session, "after_commit")
def _kick_after_commit(session) -> None:
    if session.in_nested_transaction() or not session.info.pop(MAIL_TO_WRITE, False):
        return
    enqueue_quietly(write_notification_mail)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(MAIL_TO_WRITE, None)
