"""Perception surveys: the instrument, who took part, the anonymous answers, publications.

Anonymity by design: who answered (`*_participation`) and what was answered live in
separate tables with nothing that links them — no user id, session, invitation code or
timestamp on an answer, and a random primary key. An answer first waits in a pending
pool (`*_pending`), written in the same transaction as the participation; it is then
moved, with others, to the mixed table (`*_response`) in random order with fresh keys:
mixing.py says when and why. On SQLite the answer tables are WITHOUT ROWID, so the
storage order is the random key's.
"""
from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import InvalidTransition, TimestampMixin, UTCDateTime, str_enum, utcnow
from ..core.vocabulary import FlowKind
from ..extensions import db
from ..territories.models import Territory

# One character per statement in a response's `answers` string.
ANSWER_ALPHABET = "12345d."  # 1 = pas du tout d'accord … 5 = tout à fait d'accord, d = ne sait pas, . = blank
AGREE = frozenset("45")


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


SURVEY_TRANSITIONS = {
    SurveyStatus.DRAFT: {SurveyStatus.OPEN},
    SurveyStatus.OPEN: {SurveyStatus.CLOSED},
    SurveyStatus.CLOSED: {SurveyStatus.PUBLISHED},
    SurveyStatus.PUBLISHED: {SurveyStatus.PUBLISHED},  # a correction publishes a new version
}


class SamplingMode(enum.StrEnum):
    OPEN = "open"    # self-selected, online
    PANEL = "panel"  # invitation codes sent to a random sample


class Channel(enum.StrEnum):
    ONLINE = "online"
    PANEL = "panel"
    PAPER = "paper"


class SurveyTransitionError(InvalidTransition):
    """A lifecycle move the survey's current state does not allow."""


class PerceptionSurvey(TimestampMixin, db.Model):
    __tablename__ = "perception_survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    introduction: Mapped[str] = mapped_column(Text, default="", nullable=False)
    introduction_html: Mapped[str] = mapped_column(Text, default="", nullable=False)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id"), nullable=False, index=True)
    sampling_mode: Mapped[SamplingMode] = mapped_column(str_enum(SamplingMode, 8), nullable=False)
    opens_at: Mapped[date] = mapped_column(Date, nullable=False)
    closes_at: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[SurveyStatus] = mapped_column(str_enum(SurveyStatus, 16), default=SurveyStatus.DRAFT,
                                                 nullable=False)
    min_residents: Mapped[int] = mapped_column(Integer, default=11, nullable=False)
    min_officials: Mapped[int] = mapped_column(Integer, default=3, nullable=False)
    trim_low: Mapped[float] = mapped_column(Float, default=0.3, nullable=False)
    trim_high: Mapped[float] = mapped_column(Float, default=3.0, nullable=False)
    # Who ran it, for the disclosure block (loi 77-808 art. 2; AAPOR).
    conducted_by: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    officials_total: Mapped[int | None] = mapped_column(Integer)  # M, when known better than the mandates
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A publication asked for and not yet done: the task queue computes and freezes it
    # (publishing.py). Cleared by the task, in the transaction that publishes or that
    # records why it could not (`publish_failure`, shown to staff, who may ask again).
    publish_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    publish_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    publish_change_note: Mapped[str] = mapped_column(Text, default="", nullable=False)
    publish_failure: Mapped[str] = mapped_column(Text, default="", nullable=False)

    territory: Mapped[Territory] = relationship()
    statements: Mapped[list[Statement]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="Statement.position"
    )
    publications: Mapped[list[Publication]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="Publication.version"
    )

    def move_to(self, status: SurveyStatus) -> None:
        if status not in SURVEY_TRANSITIONS[self.status]:
            raise SurveyTransitionError(f"survey {self.id}: {self.status} → {status} not allowed")
        self.status = status
        if status == SurveyStatus.CLOSED:
            self.closed_at = utcnow()

    def accepts_answers(self, today: date) -> bool:
        return self.status == SurveyStatus.OPEN and self.opens_at <= today <= self.closes_at

    @property
    def publishing(self) -> bool:
        """A publication (first or correction) waits for the task queue."""
        return self.publish_requested_at is not None

    @property
    def latest_publication(self) -> Publication | None:
        return self.publications[-1] if self.publications else None


class Statement(db.Model):
    __tablename__ = "survey_statement"
    __table_args__ = (UniqueConstraint("survey_id", "key"), UniqueConstraint("survey_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("perception_survey.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(32), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(String(500), nullable=False)
    theme: Mapped[FlowKind] = mapped_column(str_enum(FlowKind, 16), default=FlowKind.OTHER, nullable=False)

    survey: Mapped[PerceptionSurvey] = relationship(back_populates="statements")


def _random_id() -> str:
    return uuid.uuid4().hex


class ResidentParticipation(db.Model):
    """That someone answered — a person or an invitation code — and nothing of what."""

    __tablename__ = "resident_participation"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"), UniqueConstraint("survey_id", "invitation_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("perception_survey.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation_code.id", ondelete="CASCADE"))


class _ResidentAnswerColumns:
    """What a resident answered: no user, no code, no time; a random key."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("perception_survey.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    sex: Mapped[str] = mapped_column(String(1), nullable=False)
    age_band: Mapped[str] = mapped_column(String(8), nullable=False)
    # None once the survey is closed if fewer than COMMUNE_KEPT_FROM answers named this
    # commune: "another commune of the territory" (see mixing.py).
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"))
    # One ANSWER_ALPHABET character per statement, in statement order.
    answers: Mapped[str] = mapped_column(String(200), nullable=False)
    # The resident's own guesses ("out of 100, how many agree?"), comma-separated, blank allowed.
    estimates: Mapped[str] = mapped_column(String(800), default="", nullable=False)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 8), nullable=False)


class ResidentPending(_ResidentAnswerColumns, db.Model):
    """An answer waiting to be mixed: written with its participation, so linkable until then."""

    __tablename__ = "resident_pending"
    __table_args__ = {"sqlite_with_rowid": False}


class ResidentResponse(_ResidentAnswerColumns, db.Model):
    """One resident's anonymous answers, mixed with at least MIX_BATCH others (or a paper answer)."""

    __tablename__ = "resident_response"
    __table_args__ = {"sqlite_with_rowid": False}


class OfficialParticipation(db.Model):
    __tablename__ = "official_participation"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("perception_survey.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)


class _OfficialAnswerColumns:
    """One official's estimates and own opinions, kept apart from who gave them."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("perception_survey.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    estimates: Mapped[str] = mapped_column(String(800), nullable=False)  # "40,55,,70" (0–100, blank allowed)
    opinions: Mapped[str] = mapped_column(String(200), default="", nullable=False)  # ANSWER_ALPHABET codes
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 8), nullable=False)
    # SHA-256 of the receipt given to the official who answered online (feedback.py): a
    # random secret only they hold, so nothing here leads to their account, yet they alone
    # can find their answer again. None for imported estimates.
    receipt_hash: Mapped[str | None] = mapped_column(String(64))


class OfficialPending(_OfficialAnswerColumns, db.Model):
    __tablename__ = "official_pending"
    __table_args__ = {"sqlite_with_rowid": False}


class OfficialResponse(_OfficialAnswerColumns, db.Model):
    __tablename__ = "official_response"
    __table_args__ = {"sqlite_with_rowid": False}


class InvitationCode(TimestampMixin, db.Model):
    """A one-time code for panel mode; only its hash is kept."""

    __tablename__ = "invitation_code"
    __table_args__ = (UniqueConstraint("survey_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("perception_survey.id", ondelete="CASCADE"), nullable=False)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)


class ImportLog(TimestampMixin, db.Model):
    """Paper answers or officials' estimates imported from a file, and by whom."""

    __tablename__ = "survey_import_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("perception_survey.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # "answers" | "estimates"
    filename: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    rows: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Who imported, as a role code shown to the survey's managers ("admin", "manager", "cli"):
    # never an address or a name (surveys/imports.py IMPORTER_LABELS).
    imported_by_label: Mapped[str] = mapped_column(String(120), default="", nullable=False)
    # Set when an import of estimates raised the survey's number of officials (M), explicitly.
    officials_total_before: Mapped[int | None] = mapped_column(Integer)
    officials_total_after: Mapped[int | None] = mapped_column(Integer)


class Publication(TimestampMixin, db.Model):
    """A frozen, versioned snapshot of results; never changed once written."""

    __tablename__ = "survey_publication"
    __table_args__ = (UniqueConstraint("survey_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("perception_survey.id", ondelete="CASCADE"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON of the results
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    change_note: Mapped[str] = mapped_column(Text, default="", nullable=False)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    survey: Mapped[PerceptionSurvey] = relationship(back_populates="publications")
