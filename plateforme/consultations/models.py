"""Consultations: opened by an elected official on issue cards, run in dated phases,
closed by a moderator's synthesis and the authority's response with its commitments.

The consultation's own lifecycle (draft → published, or cancelled) is stored; which phase
is current is derived from the phases' dates, so it never goes stale. Actions that belong
to a phase (commenting, proposing, the synthesis, the response) are guarded by it.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..cards.models import IssueCard
from ..core.models import InvalidTransition, TimestampMixin, UTCDateTime, str_enum, utcnow
from ..extensions import db
from ..surveys.models import PerceptionSurvey
from ..territories.models import Territory


class PhaseKind(enum.StrEnum):
    """The phases, in the order they run (DESIGN.md section 4)."""

    INFORMATION = "information"
    DEBATE = "debate"
    PROPOSALS = "proposals"
    SURVEY = "survey"
    SYNTHESIS = "synthesis"
    RESPONSE = "response"


PHASE_ORDER = list(PhaseKind)


class Audience(enum.StrEnum):
    REGISTERED = "registered"  # any registered person
    RESIDENTS = "residents"    # people whose commune of residence is in the territory


class ConsultationStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


CONSULTATION_TRANSITIONS = {
    ConsultationStatus.DRAFT: {ConsultationStatus.PUBLISHED, ConsultationStatus.CANCELLED},
    ConsultationStatus.PUBLISHED: {ConsultationStatus.CANCELLED},
    ConsultationStatus.CANCELLED: set(),
}


class Stage(enum.StrEnum):
    """Where a consultation stands on a given day (derived, never stored)."""

    DRAFT = "draft"
    UPCOMING = "upcoming"
    INFORMATION = "information"
    DEBATE = "debate"
    PROPOSALS = "proposals"
    SURVEY = "survey"
    SYNTHESIS = "synthesis"
    RESPONSE = "response"
    BETWEEN_PHASES = "between_phases"
    CONCLUDED = "concluded"
    CANCELLED = "cancelled"


class ConsultationTransitionError(InvalidTransition):
    """A lifecycle move the consultation's current state does not allow."""


class CommitmentStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ABANDONED = "abandoned"


COMMITMENT_TRANSITIONS = {
    CommitmentStatus.PLANNED: {CommitmentStatus.IN_PROGRESS, CommitmentStatus.DONE, CommitmentStatus.ABANDONED},
    CommitmentStatus.IN_PROGRESS: {CommitmentStatus.DONE, CommitmentStatus.ABANDONED},
    CommitmentStatus.DONE: set(),
    CommitmentStatus.ABANDONED: set(),
}


class CommitmentTransitionError(InvalidTransition):
    """A commitment status change its current status does not allow."""


consultation_card = Table(
    "consultation_card", db.metadata,
    Column("consultation_id", ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True),
    Column("card_id", ForeignKey("issue_card.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class PhaseCalendar:
    """What a consultation's status and phases say about today: reads `status` and `phases`
    (ordered by start), each phase with `kind`, `starts_on` and `ends_on`."""

    @property
    def is_public(self) -> bool:
        return self.status in (ConsultationStatus.PUBLISHED, ConsultationStatus.CANCELLED)

    def phase(self, kind: PhaseKind) -> ConsultationPhase | None:
        return next((p for p in self.phases if p.kind == kind), None)

    def current_phase(self, today: date) -> ConsultationPhase | None:
        return next((p for p in self.phases if p.starts_on <= today <= p.ends_on), None)

    def stage(self, today: date) -> Stage:
        """The consultation's stage on `today`, from its status and its phases' dates."""
        if self.status == ConsultationStatus.DRAFT:
            return Stage.DRAFT
        if self.status == ConsultationStatus.CANCELLED:
            return Stage.CANCELLED
        current = self.current_phase(today)
        if current is not None:
            return Stage(current.kind.value)
        if not self.phases or today < self.phases[0].starts_on:
            return Stage.UPCOMING
        if today > self.phases[-1].ends_on:
            return Stage.CONCLUDED
        return Stage.BETWEEN_PHASES

    def phase_is_open(self, kind: PhaseKind, today: date) -> bool:
        """Whether the phase `kind` runs on `today` (a published consultation only)."""
        phase = self.phase(kind)
        return (self.status == ConsultationStatus.PUBLISHED and phase is not None
                and phase.starts_on <= today <= phase.ends_on)

    def phase_has_started(self, kind: PhaseKind, today: date) -> bool:
        """Whether the phase `kind` has begun (for what may be done then or later)."""
        phase = self.phase(kind)
        return self.status == ConsultationStatus.PUBLISHED and phase is not None and phase.starts_on <= today


class Consultation(TimestampMixin, PhaseCalendar, db.Model):
    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    description_html: Mapped[str] = mapped_column(Text, default="", nullable=False)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id"), nullable=False, index=True)
    audience: Mapped[Audience] = mapped_column(str_enum(Audience, 16), default=Audience.REGISTERED, nullable=False)
    status: Mapped[ConsultationStatus] = mapped_column(
        str_enum(ConsultationStatus, 16), default=ConsultationStatus.DRAFT, nullable=False, index=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("perception_survey.id", ondelete="SET NULL"),
                                                  index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"),
                                                     index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancellation_reason: Mapped[str] = mapped_column(Text, default="", nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    territory: Mapped[Territory] = relationship()
    opened_by: Mapped[User | None] = relationship()
    survey: Mapped[PerceptionSurvey | None] = relationship()
    cards: Mapped[list[IssueCard]] = relationship(secondary=consultation_card, order_by="IssueCard.id")
    phases: Mapped[list[ConsultationPhase]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="ConsultationPhase.starts_on")
    synthesis: Mapped[Synthesis | None] = relationship(back_populates="consultation", uselist=False,
                                                       cascade="all, delete-orphan")
    response: Mapped[AuthorityResponse | None] = relationship(back_populates="consultation", uselist=False,
                                                              cascade="all, delete-orphan")

    def move_to(self, status: ConsultationStatus) -> None:
        if status not in CONSULTATION_TRANSITIONS[self.status]:
            raise ConsultationTransitionError(f"consultation {self.id}: {self.status} → {status} not allowed")
        self.status = status
        now = utcnow()
        self.updated_at = now
        if status == ConsultationStatus.PUBLISHED:
            self.published_at = now
        elif status == ConsultationStatus.CANCELLED:
            self.cancelled_at = now


class ConsultationPhase(db.Model):
    __tablename__ = "consultation_phase"
    __table_args__ = (UniqueConstraint("consultation_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"),
                                                 nullable=False, index=True)
    kind: Mapped[PhaseKind] = mapped_column(str_enum(PhaseKind, 16), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)  # inclusive
    note: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    # When the schedule dealt with this phase's start (consultations/schedule.py): its
    # followers told, or — a phase already over when it looked, or begun by the publication
    # itself — passed over in silence. Set once, so a start is never announced twice.
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    consultation: Mapped[Consultation] = relationship(back_populates="phases")


class ConsultationFollow(TimestampMixin, db.Model):
    """A person following a consultation: notified of its synthesis, response and updates."""

    __tablename__ = "consultation_follow"
    __table_args__ = (UniqueConstraint("consultation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"),
                                                 nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False,
                                         index=True)


synthesis_comment = Table(
    "synthesis_comment", db.metadata,
    Column("synthesis_id", ForeignKey("synthesis.id", ondelete="CASCADE"), primary_key=True),
    Column("comment_id", ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True),
)

synthesis_proposal = Table(
    "synthesis_proposal", db.metadata,
    Column("synthesis_id", ForeignKey("synthesis.id", ondelete="CASCADE"), primary_key=True),
    Column("proposal_id", ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True),
)


class Synthesis(TimestampMixin, db.Model):
    """What was heard, written by a moderator, linking the contributions it draws on."""

    __tablename__ = "synthesis"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"),
                                                 unique=True, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    consultation: Mapped[Consultation] = relationship(back_populates="synthesis")
    author: Mapped[User | None] = relationship()
    comments = relationship("Comment", secondary=synthesis_comment, order_by="Comment.id")
    proposals = relationship("Proposal", secondary=synthesis_proposal, order_by="Proposal.id")


class AuthorityResponse(TimestampMixin, db.Model):
    """The authority's official response: what it will do, as commitments."""

    __tablename__ = "authority_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"),
                                                 unique=True, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    consultation: Mapped[Consultation] = relationship(back_populates="response")
    author: Mapped[User | None] = relationship()
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Commitment.position")


class Commitment(TimestampMixin, db.Model):
    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("authority_response.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    description_html: Mapped[str] = mapped_column(Text, default="", nullable=False)
    owner: Mapped[str] = mapped_column(String(200), nullable=False)  # who answers for it (a service, an élu)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus, 16), default=CommitmentStatus.PLANNED, nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # The last reminder sent to the territory's officials while it was overdue (schedule.py).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    response: Mapped[AuthorityResponse] = relationship(back_populates="commitments")
    updates: Mapped[list[CommitmentUpdate]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="CommitmentUpdate.id")

    def move_to(self, status: CommitmentStatus) -> None:
        if status == self.status:
            return
        if status not in COMMITMENT_TRANSITIONS[self.status]:
            raise CommitmentTransitionError(f"commitment {self.id}: {self.status} → {status} not allowed")
        self.status = status
        self.updated_at = utcnow()


class CommitmentUpdate(TimestampMixin, db.Model):
    """A dated progress report on a commitment; `created_at` is its public date."""

    __tablename__ = "commitment_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"), nullable=False,
                                               index=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False)
    status_before: Mapped[CommitmentStatus] = mapped_column(str_enum(CommitmentStatus, 16), nullable=False)
    status_after: Mapped[CommitmentStatus] = mapped_column(str_enum(CommitmentStatus, 16), nullable=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    commitment: Mapped[Commitment] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()
