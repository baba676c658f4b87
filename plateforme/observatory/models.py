"""Observatory records: findings with their versions and independent reviews, indicators
and their values, and the authority's own external action (AECT).

Lifecycles are enums with guarded transitions on the model; the services translate a
refused move into a message the person can act on.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Field, Organisation, User
from ..core.models import InvalidTransition, TimestampMixin, UTCDateTime, str_enum, utcnow
from ..core.vocabulary import FlowKind
from ..extensions import db
from ..territories.models import Territory

DEFAULT_LICENCE = "Licence Ouverte 2.0"


class Direction(enum.StrEnum):
    INBOUND = "inbound"    # from abroad into the territory
    OUTBOUND = "outbound"  # from the territory abroad
    BOTH = "both"


class Character(enum.StrEnum):
    WANTED = "wanted"      # voulue
    SUFFERED = "suffered"  # subie
    MIXED = "mixed"


class FindingStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


FINDING_TRANSITIONS = {
    FindingStatus.DRAFT: {FindingStatus.IN_REVIEW},
    FindingStatus.IN_REVIEW: {FindingStatus.PUBLISHED, FindingStatus.CHANGES_REQUESTED},
    FindingStatus.CHANGES_REQUESTED: {FindingStatus.IN_REVIEW},
    FindingStatus.PUBLISHED: {FindingStatus.WITHDRAWN},
    FindingStatus.WITHDRAWN: set(),
}

# Whatever is public stays public: a withdrawn finding keeps its page, with a notice.
PUBLIC_STATUSES = (FindingStatus.PUBLISHED, FindingStatus.WITHDRAWN)


class ReviewDecision(enum.StrEnum):
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"


class FindingTransitionError(InvalidTransition):
    """A lifecycle move the finding's current state does not allow."""


class Finding(TimestampMixin, db.Model):
    """A sourced statement about the territory's internationalisation (a constat)."""

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    flow_kind: Mapped[FlowKind] = mapped_column(str_enum(FlowKind, 16), nullable=False, index=True)
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, 16), nullable=False)
    character: Mapped[Character] = mapped_column(str_enum(Character, 16), nullable=False)
    # Space-separated Field values, padded (" economic social "), so a LIKE finds whole words.
    fields: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id"), nullable=False, index=True)
    period_label: Mapped[str] = mapped_column(String(60), nullable=False)
    period_start: Mapped[int] = mapped_column(Integer, nullable=False)
    period_end: Mapped[int] = mapped_column(Integer, nullable=False)
    method: Mapped[str] = mapped_column(Text, default="", nullable=False)
    sources: Mapped[str] = mapped_column(Text, default="", nullable=False)  # one per line
    licence: Mapped[str] = mapped_column(String(120), default=DEFAULT_LICENCE, nullable=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    # A deleted account leaves its findings to the organisation that produced them.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)
    body_html: Mapped[str] = mapped_column(Text, default="", nullable=False)
    status: Mapped[FindingStatus] = mapped_column(str_enum(FindingStatus, 24), default=FindingStatus.DRAFT,
                                                  nullable=False, index=True)
    # Lower-case words without accents (core.text.search_key) of the searchable texts.
    search_text: Mapped[str] = mapped_column(Text, default="", nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="", nullable=False)

    territory: Mapped[Territory] = relationship()
    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User | None] = relationship()
    versions: Mapped[list[FindingVersion]] = relationship(
        back_populates="finding", cascade="all, delete-orphan", order_by="FindingVersion.number"
    )
    reviews: Mapped[list[FindingReview]] = relationship(
        back_populates="finding", cascade="all, delete-orphan", order_by="FindingReview.id"
    )

    def move_to(self, status: FindingStatus) -> None:
        if status not in FINDING_TRANSITIONS[self.status]:
            raise FindingTransitionError(f"finding {self.id}: {self.status} → {status} not allowed")
        self.status = status
        now = utcnow()
        self.updated_at = now
        if status == FindingStatus.IN_REVIEW:
            self.submitted_at = now
        elif status == FindingStatus.PUBLISHED:
            self.published_at = now
        elif status == FindingStatus.WITHDRAWN:
            self.withdrawn_at = now

    @property
    def field_list(self) -> list[Field]:
        return [Field(value) for value in self.fields.split()]

    @property
    def source_list(self) -> list[str]:
        return [line.strip() for line in self.sources.splitlines() if line.strip()]

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def current_version(self) -> int:
        return self.versions[-1].number if self.versions else 0


class FindingVersion(TimestampMixin, db.Model):
    """What was submitted for review, each time: the content as the reviewer read it."""

    __tablename__ = "finding_version"
    __table_args__ = (UniqueConstraint("finding_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    flow_kind: Mapped[FlowKind] = mapped_column(str_enum(FlowKind, 16), nullable=False)
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, 16), nullable=False)
    character: Mapped[Character] = mapped_column(str_enum(Character, 16), nullable=False)
    fields: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id"), nullable=False)
    period_label: Mapped[str] = mapped_column(String(60), nullable=False)
    method: Mapped[str] = mapped_column(Text, default="", nullable=False)
    sources: Mapped[str] = mapped_column(Text, default="", nullable=False)
    licence: Mapped[str] = mapped_column(String(120), nullable=False)
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)
    body_html: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # What changed since the previous version, in the author's words (shown in the history).
    change_note: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    finding: Mapped[Finding] = relationship(back_populates="versions")
    territory: Mapped[Territory] = relationship()
    submitted_by: Mapped[User | None] = relationship()


class FindingReview(TimestampMixin, db.Model):
    """A reviewer's decision on one submitted version, and the organisation they answer for."""

    __tablename__ = "finding_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), nullable=False,
                                            index=True)
    version_number: Mapped[int] = mapped_column(Integer, nullable=False)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # Kept even if the reviewer's account goes: the independence must stay checkable.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False)
    decision: Mapped[ReviewDecision] = mapped_column(str_enum(ReviewDecision, 16), nullable=False)
    comment: Mapped[str] = mapped_column(Text, default="", nullable=False)

    finding: Mapped[Finding] = relationship(back_populates="reviews")
    reviewer: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation] = relationship()


class Indicator(TimestampMixin, db.Model):
    """A measured quantity, defined by a partner organisation, with values per territory and year."""

    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    unit: Mapped[str] = mapped_column(String(60), nullable=False)
    definition: Mapped[str] = mapped_column(Text, default="", nullable=False)
    method: Mapped[str] = mapped_column(Text, default="", nullable=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    licence: Mapped[str] = mapped_column(String(120), default=DEFAULT_LICENCE, nullable=False)
    flow_kind: Mapped[FlowKind] = mapped_column(str_enum(FlowKind, 16), nullable=False, index=True)
    # Whether commune values add up to the EPCI's (a count does; a rate or a median does not).
    additive: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()


class IndicatorValue(TimestampMixin, db.Model):
    """One indicator's value for one territory and one year, with its own source."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("indicator_id", "territory_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), nullable=False)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id"), nullable=False, index=True)
    period: Mapped[int] = mapped_column(Integer, nullable=False)  # the year, "YYYY"
    # An exact decimal in PostgreSQL; read as a float, so SQLite and PostgreSQL give the same numbers.
    value: Mapped[float] = mapped_column(Numeric(20, 6, asdecimal=False), nullable=False)
    note: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    source: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    indicator: Mapped[Indicator] = relationship()
    territory: Mapped[Territory] = relationship()


class ExternalActionKind(enum.StrEnum):
    TWINNING = "twinning"
    DECENTRALISED_COOPERATION = "decentralised_cooperation"
    STUDENT_MOBILITY = "student_mobility"
    ECONOMIC_MISSION = "economic_mission"
    CROSS_BORDER_COOPERATION = "cross_border_cooperation"
    NETWORK_MEMBERSHIP = "network_membership"
    HUMANITARIAN_AID = "humanitarian_aid"


class ExternalActionStatus(enum.StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    SUSPENDED = "suspended"
    ENDED = "ended"


class ExternalAction(TimestampMixin, db.Model):
    """An item of the authority's own action abroad (AECT inventory)."""

    __tablename__ = "external_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[ExternalActionKind] = mapped_column(str_enum(ExternalActionKind), nullable=False)
    partner_country: Mapped[str] = mapped_column(String(100), nullable=False)
    partner_city: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    budget_eur: Mapped[int | None] = mapped_column(Integer)  # yearly budget in euros, when known
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ExternalActionStatus] = mapped_column(str_enum(ExternalActionStatus, 16),
                                                         default=ExternalActionStatus.ONGOING, nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    description_html: Mapped[str] = mapped_column(Text, default="", nullable=False)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id"), nullable=False, index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    territory: Mapped[Territory] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
