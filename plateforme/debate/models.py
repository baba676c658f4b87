"""Contributions to a consultation: comments in the debate phase, proposals in the
proposals phase. Text is markdown, rendered and sanitised once on write (`*_html`).

Nothing is ever deleted by its author or a moderator: a withdrawn or hidden contribution
keeps its row (and its place in a thread) with a visibility status and a reason.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.models import InvalidTransition, TimestampMixin, UTCDateTime, str_enum
from ..extensions import db

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

    author: Mapped[User | None] = relationship()

    def move_to(self, status: ProposalStatus) -> None:
        if status not in PROPOSAL_TRANSITIONS[self.status]:
            raise ProposalTransitionError(f"proposal {self.id}: {self.status} → {status} not allowed")
        self.status = status

    @property
    def is_visible(self) -> bool:
        return self.visibility == Visibility.VISIBLE
