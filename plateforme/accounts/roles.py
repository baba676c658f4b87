"""Role operations: mandates, partner organisations, moderator appointments."""
from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..core.sanitize import clean_line
from ..core.text import french_sort_key
from ..extensions import db
from ..territories.models import Territory
from .labels import MANDATE_TITLE_LABELS
from .models import (
    MANDATE_TERRITORY_KINDS, InvalidTransition, Mandate, MandateStatus, MandateTitle, Membership,
    ModeratorAppointment, Organisation, OrganisationKind, User,
)
from .services import AccountError

log = logging.getLogger("plateforme.accounts")


# --- mandates -----------------------------------------------------------------------

def declare_mandate(user: User, territory: Territory, title: MandateTitle) -> Mandate:
    """A person declares a mandate; it counts only once an administrator verifies it. The title
    must be one held on that kind of territory (no mayor of a métropole)."""
    if territory.kind not in MANDATE_TERRITORY_KINDS[title]:
        raise AccountError(_("%(territory)s : « %(title)s » n'est pas une fonction de ce type de territoire ; "
                             "choisissez-en une autre.", title=MANDATE_TITLE_LABELS[title],
                             territory=territory.name), "title")
    for mandate in user.mandates:
        if mandate.territory_id == territory.id and mandate.title == title and mandate.status in (
            MandateStatus.PENDING, MandateStatus.VERIFIED
        ):
            raise AccountError(_("Ce mandat est déjà déclaré."), "title")
    mandate = Mandate(user=user, territory=territory, title=title)
    db.session.add(mandate)
    db.session.flush()
    log.info("mandate %s declared by user %s", mandate.id, user.id)
    return mandate


def grant_mandate(admin: User, user: User, territory: Territory, title: MandateTitle) -> Mandate:
    """An administrator records and verifies a mandate in one step."""
    mandate = declare_mandate(user, territory, title)
    mandate.move_to(MandateStatus.VERIFIED, admin)
    return mandate


def decide_mandate(admin: User, mandate: Mandate, status: MandateStatus) -> Mandate:
    try:
        mandate.move_to(status, admin)
    except InvalidTransition:
        raise AccountError(_("Ce mandat ne peut plus passer à l'état demandé."))
    log.info("mandate %s → %s by admin %s", mandate.id, status.value, admin.id)
    return mandate


def pending_mandates() -> list[Mandate]:
    return list(db.session.execute(
        select(Mandate).options(selectinload(Mandate.user), selectinload(Mandate.territory))
        .where(Mandate.status == MandateStatus.PENDING).order_by(Mandate.created_at)
    ).scalars())


def pending_mandates_count() -> int:
    """How many declared mandates wait for an administrator's check (for the navigation)."""
    return db.session.execute(select(func.count(Mandate.id)).where(Mandate.status == MandateStatus.PENDING)).scalar_one()


def verified_mandates() -> list[Mandate]:
    return list(db.session.execute(
        select(Mandate).options(selectinload(Mandate.user), selectinload(Mandate.territory))
        .where(Mandate.status == MandateStatus.VERIFIED).order_by(Mandate.decided_at.desc())
    ).scalars())


# --- organisations ------------------------------------------------------------------

def create_organisation(name: str, kind: OrganisationKind, fields: list[str], territory: Territory | None,
                        website: str = "") -> Organisation:
    name = clean_line(name)
    exists = db.session.execute(select(Organisation).where(Organisation.name == name)).scalar_one_or_none()
    if exists:
        raise AccountError(_("Une organisation porte déjà ce nom."), "name")
    organisation = Organisation(name=name, kind=kind, fields=" ".join(sorted(set(fields))),
                                territory=territory, website=(website or "").strip())
    db.session.add(organisation)
    db.session.flush()
    log.info("organisation %s created", organisation.id)
    return organisation


def add_member(organisation: Organisation, user: User) -> Membership:
    if any(m.user_id == user.id for m in organisation.memberships):
        raise AccountError(_("Cette personne est déjà membre de l'organisation."), "email")
    membership = Membership(organisation=organisation, user=user)
    db.session.add(membership)
    db.session.flush()
    return membership


def remove_member(organisation: Organisation, user_id: int) -> None:
    for membership in list(organisation.memberships):
        if membership.user_id == user_id:
            organisation.memberships.remove(membership)
    db.session.flush()


def list_organisations() -> list[Organisation]:
    return sorted(db.session.execute(
        select(Organisation).options(selectinload(Organisation.memberships), selectinload(Organisation.territory))
    ).scalars(), key=lambda o: french_sort_key(o.name))


# --- moderators ---------------------------------------------------------------------

def appoint_moderator(admin: User, user: User, territory: Territory) -> ModeratorAppointment:
    if any(a.territory_id == territory.id for a in user.moderations):
        raise AccountError(_("Cette personne modère déjà ce territoire."), "email")
    appointment = ModeratorAppointment(user=user, territory=territory, appointed_by=admin)
    db.session.add(appointment)
    db.session.flush()
    log.info("user %s appointed moderator of territory %s by %s", user.id, territory.id, admin.id)
    return appointment


def revoke_moderator(appointment: ModeratorAppointment) -> None:
    db.session.delete(appointment)
    db.session.flush()


def list_moderators() -> list[ModeratorAppointment]:
    return list(db.session.execute(
        select(ModeratorAppointment)
        .options(selectinload(ModeratorAppointment.user), selectinload(ModeratorAppointment.territory))
        .order_by(ModeratorAppointment.created_at)
    ).scalars())


def mark_admin(user: User, is_admin: bool = True) -> None:
    user.is_admin = is_admin
    db.session.flush()
