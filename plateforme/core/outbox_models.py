"""The outbox: every email is first a row, written in the transaction of the action that
causes it (core/mail.py `queue_mail`), then sent by the task queue (core/outbox_sender.py).

A row is `queued` until a consumer claims it (`sending`, with a claim token and a lease),
then `sent`, or back to `queued` with a later `next_attempt_at` when the mail server failed,
or `failed` for good (the server refused the message itself, or every attempt failed).
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .models import TimestampMixin, UTCDateTime, str_enum, utcnow


class MailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutgoingMail(TimestampMixin, db.Model):
    __tablename__ = "outgoing_mail"
    # The sender's query: the rows due now, or whose claim has lapsed, oldest first.
    __table_args__ = (Index("ix_outgoing_mail_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    # Emptied once sent: a sent row keeps who, what subject and when, not the links it
    # carried (a password reset link stays valid for an hour).
    body: Mapped[str] = mapped_column(Text, nullable=False)
    # Extra headers (List-Unsubscribe…), as a JSON object.
    headers: Mapped[str] = mapped_column(Text, default="{}", nullable=False)
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus, 16), default=MailStatus.QUEUED,
                                               nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # Who holds a `sending` row, and until when: past `claimed_until` (a consumer killed
    # mid-batch) another consumer takes it back.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
