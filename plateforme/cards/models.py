"""Issue cards (fiches enjeux): plain-language debate material built from published
findings and indicator values.

A card's content lives in numbered versions. A version is written as a draft, submitted,
then published by a moderator; a published version is never edited again: a change is a
new version (with a change note), and the previous one stays readable with its diff. The
evidence (findings, indicator values) is linked per version, so a diff shows it too.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.models import InvalidTransition, TimestampMixin, UTCDateTime, str_enum, utcnow
from ..extensions import db
from ..observatory.models import Finding, IndicatorValue
from ..territories.models import Territory


class PoliticalStatus(enum.StrEnum):
    CONSENSUAL = "consensual"  # consensuel
    INVISIBLE = "invisible"    # invisible: nobody talks about it yet
    DIVISIVE = "divisive"      # clivant


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"      # waiting for a moderator
    PUBLISHED = "published"      # the card's public version
    SUPERSEDED = "superseded"    # was public, replaced by a later version (still readable)


VERSION_TRANSITIONS = {
    VersionStatus.DRAFT: {VersionStatus.SUBMITTED},
    # A moderator publishes, or sends it back to its authors with a note.
    VersionStatus.SUBMITTED: {VersionStatus.PUBLISHED, VersionStatus.DRAFT},
    VersionStatus.PUBLISHED: {VersionStatus.SUPERSEDED},
    VersionStatus.SUPERSEDED: set(),
}

EDITABLE_STATUSES = (VersionStatus.DRAFT,)


class CardTransitionError(InvalidTransition):
    """A lifecycle move the card version's current state does not allow."""


card_version_finding = Table(
    "card_version_finding", db.metadata,
    Column("version_id", ForeignKey("issue_card_version.id", ondelete="CASCADE"), primary_key=True),
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True, index=True),
)

card_version_value = Table(
    "card_version_value", db.metadata,
    Column("version_id", ForeignKey("issue_card_version.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_value_id", ForeignKey("indicator_value.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class IssueCard(TimestampMixin, db.Model):
    """A card: its territory, who started it, and which of its versions is public."""

    __tablename__ = "issue_card"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id"), nullable=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"),
                                                      index=True)
    # Denormalised from the public version, so lists need no join: title and status.
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    political_status: Mapped[PoliticalStatus] = mapped_column(str_enum(PoliticalStatus, 16), nullable=False)
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("issue_card_version.id", use_alter=True, ondelete="SET NULL"))
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    territory: Mapped[Territory] = relationship()
    created_by: Mapped[User | None] = relationship()
    versions: Mapped[list[IssueCardVersion]] = relationship(
        back_populates="card", cascade="all, delete-orphan", order_by="IssueCardVersion.number",
        foreign_keys="IssueCardVersion.card_id",
    )
    published_version: Mapped[IssueCardVersion | None] = relationship(
        foreign_keys=[published_version_id], post_update=True)

    @property
    def is_public(self) -> bool:
        return self.published_version_id is not None

    @property
    def latest_version(self) -> IssueCardVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def working_version(self) -> IssueCardVersion | None:
        """The draft or submitted version in progress, if any (at most one at a time)."""
        latest = self.latest_version
        if latest is not None and latest.status in (VersionStatus.DRAFT, VersionStatus.SUBMITTED):
            return latest
        return None


class IssueCardVersion(TimestampMixin, db.Model):
    """One version of a card's content, with the evidence it cites."""

    __tablename__ = "issue_card_version"
    __table_args__ = (UniqueConstraint("card_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("issue_card.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[VersionStatus] = mapped_column(str_enum(VersionStatus, 16), default=VersionStatus.DRAFT,
                                                  nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    summary: Mapped[str] = mapped_column(Text, default="", nullable=False)        # en clair
    stakes: Mapped[str] = mapped_column(Text, default="", nullable=False)         # ce qui est en jeu
    known: Mapped[str] = mapped_column(Text, default="", nullable=False)          # ce que l'on sait (texte)
    unknown: Mapped[str] = mapped_column(Text, default="", nullable=False)        # ce que l'on ne sait pas
    questions: Mapped[str] = mapped_column(Text, default="", nullable=False)      # one question per line
    political_status: Mapped[PoliticalStatus] = mapped_column(str_enum(PoliticalStatus, 16), nullable=False)
    # What changed since the previous version, in its authors' words (public once published).
    change_note: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    # The moderator's note when a submitted version is sent back to its authors.
    review_note: Mapped[str] = mapped_column(Text, default="", nullable=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    card: Mapped[IssueCard] = relationship(back_populates="versions", foreign_keys=[card_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    findings: Mapped[list[Finding]] = relationship(secondary=card_version_finding, order_by="Finding.id")
    indicator_values: Mapped[list[IndicatorValue]] = relationship(
        secondary=card_version_value, order_by="IndicatorValue.id")

    def move_to(self, status: VersionStatus) -> None:
        if status not in VERSION_TRANSITIONS[self.status]:
            raise CardTransitionError(f"card version {self.id}: {self.status} → {status} not allowed")
        self.status = status
        now = utcnow()
        if status == VersionStatus.SUBMITTED:
            self.submitted_at = now
        elif status == VersionStatus.PUBLISHED:
            self.published_at = now

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def question_list(self) -> list[str]:
        return [line.strip() for line in self.questions.splitlines() if line.strip()]


class CardKitPdf(TimestampMixin, db.Model):
    """A published version's debate kit as a PDF, in one language, built by the task queue
    (kits.py) and served as stored: a version never changes, so neither does its kit."""

    __tablename__ = "card_kit_pdf"
    __table_args__ = (UniqueConstraint("version_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("issue_card_version.id", ondelete="CASCADE"), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
