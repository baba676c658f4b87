"""Contributions to a consultation: comments in the debate phase, proposals in the
proposals phase. Text is markdown, rendered and sanitised once on write (`*_html`).

Nothing is ever deleted by its author or a moderator: a withdrawn or hidden contribution
keeps its row (and its place in a thread) with a visibility status and a reason.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.models import InvalidTransition, TimestampMixin, UTCDateTime, str_enum
from ..extensions import db
from .counters import attach_counter_triggers

MAX_DEPTH = 2  # a comment (0), a reply (1), a reply to a reply (2): deeper replies attach at 2


class Stance(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    NUANCE = "nuance"
    QUESTION = "question"


class Visibility(enum.StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"          # by moderation, with a public reason
    WITHDRAWN = "withdrawn"    # by its author
    HELD = "held"              # a new account's first post, waiting for a moderator (never public yet)
    REPORTED = "reported"      # hidden pending review after reports by several people


class ProposalStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    UNDER_STUDY = "under_study"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


PROPOSAL_TRANSITIONS = {
    ProposalStatus.SUBMITTED: {ProposalStatus.UNDER_STUDY, ProposalStatus.ACCEPTED, ProposalStatus.REJECTED},
    ProposalStatus.UNDER_STUDY: {ProposalStatus.ACCEPTED, ProposalStatus.REJECTED},
    ProposalStatus.ACCEPTED: set(),
    ProposalStatus.REJECTED: set(),
}


class ProposalTransitionError(InvalidTransition):
    """An answer the proposal's current status does not allow."""


class Comment(TimestampMixin, db.Model):
    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"),
                                                 nullable=False, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    stance: Mapped[Stance] = mapped_column(str_enum(Stance, 16), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False)
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility, 16), default=Visibility.VISIBLE,
                                                   nullable=False, index=True)
    visibility_reason: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    endorsements_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    featured: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # Set on a top-level comment: no more replies in its thread.
    locked: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    author: Mapped[User | None] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id])

    @property
    def is_visible(self) -> bool:
        return self.visibility == Visibility.VISIBLE


class Proposal(TimestampMixin, db.Model):
    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"),
                                                 nullable=False, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[ProposalStatus] = mapped_column(str_enum(ProposalStatus, 16), default=ProposalStatus.SUBMITTED,
                                                   nullable=False, index=True)
    # The authority's public justification of its answer.
    justification: Mapped[str] = mapped_column(Text, default="", nullable=False)
    justification_html: Mapped[str] = mapped_column(Text, default="", nullable=False)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility, 16), default=Visibility.VISIBLE,
                                                   nullable=False, index=True)
    visibility_reason: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    supports_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    featured: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    author: Mapped[User | None] = relationship()

    def move_to(self, status: ProposalStatus) -> None:
        if status not in PROPOSAL_TRANSITIONS[self.status]:
            raise ProposalTransitionError(f"proposal {self.id}: {self.status} → {status} not allowed")
        self.status = status

    @property
    def is_visible(self) -> bool:
        return self.visibility == Visibility.VISIBLE


# --- reactions, reports and moderation (issue 6) -------------------------------------------

class TargetKind(enum.StrEnum):
    COMMENT = "comment"
    PROPOSAL = "proposal"


class Endorsement(TimestampMixin, db.Model):
    """One person's endorsement of a comment (one per person, enforced by the key)."""

    __tablename__ = "comment_endorsement"
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False,
                                         index=True)


class Support(TimestampMixin, db.Model):
    """One person's support of a proposal (one per person, enforced by the key)."""

    __tablename__ = "proposal_support"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False,
                                         index=True)


class CommentRevision(TimestampMixin, db.Model):
    """A comment's text before an edit: the history stays readable."""

    __tablename__ = "comment_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), nullable=False,
                                            index=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False)
    stance: Mapped[Stance] = mapped_column(str_enum(Stance, 16), nullable=False)


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    INSULT = "insult"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


class Report(TimestampMixin, db.Model):
    """A signed-in person's report of a comment or proposal; one per person and content."""

    __tablename__ = "content_report"
    __table_args__ = (UniqueConstraint("target_kind", "target_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"),
                                                 nullable=False, index=True)
    target_kind: Mapped[TargetKind] = mapped_column(str_enum(TargetKind, 16), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, nullable=False)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    reason: Mapped[ReportReason] = mapped_column(str_enum(ReportReason, 16), nullable=False)
    note: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class ModerationActionKind(enum.StrEnum):
    HIDE = "hide"
    RESTORE = "restore"
    FEATURE = "feature"
    UNFEATURE = "unfeature"
    LOCK = "lock"
    UNLOCK = "unlock"
    APPROVE = "approve"          # a held or report-hidden contribution is let through
    AUTO_HIDE = "auto_hide"      # hidden pending review after reports by several people
    DISMISS_REPORTS = "dismiss_reports"
    SUSPEND = "suspend"


class ModerationAction(TimestampMixin, db.Model):
    """Every moderation act, with its public reason; the public log reads from here."""

    __tablename__ = "moderation_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"),
                                                        index=True)
    kind: Mapped[ModerationActionKind] = mapped_column(str_enum(ModerationActionKind, 16), nullable=False)
    target_kind: Mapped[TargetKind | None] = mapped_column(str_enum(TargetKind, 16))
    target_id: Mapped[int | None] = mapped_column(Integer)
    # The person an account suspension applies to (never shown in the public log).
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[ReportReason | None] = mapped_column(str_enum(ReportReason, 16))
    public_reason: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # What the actor was acting as ("moderator", "administrator", "system"): the public log shows roles, not names.
    actor_role: Mapped[str] = mapped_column(String(16), nullable=False)
    # Whether the content was public when the act happened (held first posts never were).
    was_public: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)


class AccountSuspension(TimestampMixin, db.Model):
    """A person may not post, endorse, support or report until `ends_at`."""

    __tablename__ = "account_suspension"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    reason: Mapped[str] = mapped_column(String(500), nullable=False)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class ModerationPolicy(db.Model):
    """A territory's choices: how many reports hide content, whether first posts are held."""

    __tablename__ = "moderation_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id", ondelete="CASCADE"), unique=True,
                                              nullable=False)
    # Reports by this many different people hide the content pending review.
    report_threshold: Mapped[int] = mapped_column(Integer, default=3, nullable=False)
    # A new account's first N posts wait for a moderator (0 = published at once).
    hold_first_posts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


# The two counters above are moved by database triggers on these tables (counters.py).
attach_counter_triggers(Endorsement.__table__, Support.__table__)
