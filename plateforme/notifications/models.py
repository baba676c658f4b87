"""In-platform notifications. A notification stores what happened (its kind and the
object), not a sentence: the text is written when it is shown or mailed, in the
reader's language."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import TimestampMixin, UTCDateTime, str_enum
from ..extensions import db


class NotificationKind(enum.StrEnum):
    SYNTHESIS_PUBLISHED = "synthesis_published"
    RESPONSE_PUBLISHED = "response_published"
    COMMITMENT_UPDATED = "commitment_updated"
    CONSULTATION_CANCELLED = "consultation_cancelled"
    # A phase began on its date (consultations/schedule.py); the subject is the phase's kind.
    PHASE_STARTED = "phase_started"
    # Debate (issue 6): replies, answers to proposals, moderation of one's content.
    COMMENT_REPLY = "comment_reply"
    PROPOSAL_ANSWERED = "proposal_answered"
    SUPPORTED_PROPOSAL_ANSWERED = "supported_proposal_answered"
    CONTENT_MODERATED = "content_moderated"
    # Observatory (issue 19): a finding to review, for the partners of other organisations;
    # the review's outcome, for the finding's author. No consultation; the subject is the title.
    FINDING_TO_REVIEW = "finding_to_review"
    FINDING_PUBLISHED = "finding_published"
    FINDING_CHANGES_REQUESTED = "finding_changes_requested"


OBSERVATORY_KINDS = frozenset({NotificationKind.FINDING_TO_REVIEW, NotificationKind.FINDING_PUBLISHED,
                               NotificationKind.FINDING_CHANGES_REQUESTED})


class Notification(TimestampMixin, db.Model):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, 32), nullable=False)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    # The page to open, relative to the site (built with url_for when the notification is made).
    target_path: Mapped[str] = mapped_column(String(300), nullable=False)
    # A short title of the object (a commitment's, a proposal's), as it was at that time.
    subject: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who did it (the person who replied…), named as the pages name them when the notification
    # is shown; NULL once their account is deleted, and then not named.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Its email is still to be written (notifications/mailing.py, by the task queue), and why
    # the person receives it ("follows", "supports", "took_part", "partner"); NULL once
    # written into the outbox, or when the person does not receive emails.
    mail_reason: Mapped[str | None] = mapped_column(String(16))

    consultation = relationship("Consultation")
    actor = relationship("User", foreign_keys=[actor_id])


class NotificationFanout(TimestampMixin, db.Model):
    """A consultation's followers still to be told of something: one row written with the
    action, whatever their number; the task queue turns it into their notifications (one
    INSERT … SELECT) and deletes it, in one transaction (mailing.py)."""

    __tablename__ = "notification_fanout"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, 32), nullable=False)
    target_path: Mapped[str] = mapped_column(String(300), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    # Who acted: not notified of their own action.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    consultation = relationship("Consultation")
    actor = relationship("User", foreign_keys=[actor_id])
