"""People, their sign-in sessions, mandates, organisations and moderator appointments."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import InvalidTransition, TimestampMixin, UTCDateTime, str_enum, utcnow
from ..extensions import db
from ..territories.models import Territory, TerritoryKind


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: one account per address whatever its case.
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(80), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # Notifications are always kept on the site; this says whether they are also emailed.
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(),
                                                      nullable=False)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # A new address waiting for its confirmation link: until then `email` stays the one
    # used to sign in, reset the password and receive notifications (a stolen session cannot
    # move the account to another mailbox on its own).
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # Inactive accounts are erased after ACCOUNT_RETENTION_DAYS (accounts/retention.py).
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    commune: Mapped[Territory | None] = relationship()
    mandates: Mapped[list[Mandate]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="Mandate.user_id"
    )
    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")
    moderations: Mapped[list[ModeratorAppointment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="ModeratorAppointment.user_id"
    )
    sessions: Mapped[list[AuthSession]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def verified_mandates(self) -> list[Mandate]:
        return [m for m in self.mandates if m.status == MandateStatus.VERIFIED]

    def __repr__(self) -> str:
        return f"<User {self.id} {self.display_name!r}>"


class AuthSession(TimestampMixin, db.Model):
    """A signed-in browser. Deleting the row ends that sign-in, even for a copied cookie.

    It lives SESSION_ABSOLUTE_DAYS after `created_at` at most, and SESSION_IDLE_DAYS after
    `last_seen_at` (refreshed at most once per SESSION_TOUCH_SECONDS). No IP address is kept:
    the browser's user agent is enough for people to recognise their sessions."""

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    # SHA-256 of the random token kept in the signed session cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_agent: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    user: Mapped[User] = relationship(back_populates="sessions")


class MandateTitle(enum.StrEnum):
    MAIRE = "maire"
    ADJOINT = "adjoint"
    CONSEILLER_MUNICIPAL = "conseiller_municipal"
    PRESIDENT_EPCI = "president_epci"
    VICE_PRESIDENT_EPCI = "vice_president_epci"
    CONSEILLER_COMMUNAUTAIRE = "conseiller_communautaire"
    CONSEILLER_DEPARTEMENTAL = "conseiller_departemental"
    CONSEILLER_REGIONAL = "conseiller_regional"


# The territories each title is held on: a mayor of a commune, a president of an intercommunality…
# (an arrondissement of Lyon, Paris or Marseille has its own mayor and council).
MANDATE_TERRITORY_KINDS = {
    MandateTitle.MAIRE: {TerritoryKind.COMMUNE, TerritoryKind.ARRONDISSEMENT},
    MandateTitle.ADJOINT: {TerritoryKind.COMMUNE, TerritoryKind.ARRONDISSEMENT},
    MandateTitle.CONSEILLER_MUNICIPAL: {TerritoryKind.COMMUNE, TerritoryKind.ARRONDISSEMENT},
    MandateTitle.PRESIDENT_EPCI: {TerritoryKind.EPCI},
    MandateTitle.VICE_PRESIDENT_EPCI: {TerritoryKind.EPCI},
    MandateTitle.CONSEILLER_COMMUNAUTAIRE: {TerritoryKind.EPCI},
    MandateTitle.CONSEILLER_DEPARTEMENTAL: {TerritoryKind.DEPARTEMENT},
    MandateTitle.CONSEILLER_REGIONAL: {TerritoryKind.REGION},
}


class MandateStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    ENDED = "ended"


# Which moves an administrator may make on a mandate.
MANDATE_TRANSITIONS = {
    MandateStatus.PENDING: {MandateStatus.VERIFIED, MandateStatus.REJECTED},
    MandateStatus.VERIFIED: {MandateStatus.ENDED},
    MandateStatus.REJECTED: set(),
    MandateStatus.ENDED: set(),
}


class Mandate(TimestampMixin, db.Model):
    """An elected official's mandate on a territory, declared then verified by an administrator."""

    __tablename__ = "mandate"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id"), nullable=False, index=True)
    title: Mapped[MandateTitle] = mapped_column(str_enum(MandateTitle), nullable=False)
    status: Mapped[MandateStatus] = mapped_column(str_enum(MandateStatus, 16), default=MandateStatus.PENDING, nullable=False)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="mandates", foreign_keys=[user_id])
    territory: Mapped[Territory] = relationship()
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    def move_to(self, status: MandateStatus, by: User) -> None:
        if status not in MANDATE_TRANSITIONS[self.status]:
            raise InvalidTransition(f"mandate {self.id}: {self.status} → {status} not allowed")
        self.status = status
        self.verified_by = by
        self.decided_at = utcnow()


class OrganisationKind(enum.StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    COMPANY = "company"
    ASSOCIATION = "association"
    STUDY_FIRM = "study_firm"
    RESEARCH = "research"
    PUBLIC_AGENCY = "public_agency"
    OTHER = "other"


class Field(enum.StrEnum):
    SOCIAL = "social"
    LEGAL = "legal"
    ECONOMIC = "economic"
    CULTURAL = "cultural"
    EDUCATION = "education"
    ENVIRONMENT = "environment"
    HEALTH = "health"
    OTHER = "other"


class Organisation(TimestampMixin, db.Model):
    """An observatory partner: a local authority, company, association, study firm…"""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind), nullable=False)
    # Space-separated Field values: a small fixed vocabulary, filtered rarely.
    fields: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"), index=True)
    website: Mapped[str] = mapped_column(String(300), default="", nullable=False)

    territory: Mapped[Territory | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation", cascade="all, delete-orphan")

    @property
    def field_list(self) -> list[Field]:
        return [Field(value) for value in self.fields.split()]


class Membership(TimestampMixin, db.Model):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class ModeratorAppointment(TimestampMixin, db.Model):
    """A moderator for one territory (and what it contains)."""

    __tablename__ = "moderator_appointment"
    __table_args__ = (UniqueConstraint("territory_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    territory: Mapped[Territory] = relationship()
    user: Mapped[User] = relationship(back_populates="moderations", foreign_keys=[user_id])
    appointed_by: Mapped[User | None] = relationship(foreign_keys=[appointed_by_id])
