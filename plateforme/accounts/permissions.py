"""Who may do what with accounts, roles and the administration pages."""
from __future__ import annotations

from ..core.permissions import predicate
from ..territories.models import territory_contains
from .models import MandateStatus


@predicate
def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


@predicate
def is_administrator(user) -> bool:
    return is_signed_in(user) and user.is_admin


@predicate
def is_resident(user) -> bool:
    """A registered person with a confirmed address and a commune of residence."""
    return is_signed_in(user) and user.is_confirmed and user.commune_id is not None


@predicate
def is_elected_official(user, territory=None) -> bool:
    """Holds a verified mandate (on `territory` or a territory within it, when given)."""
    if not is_signed_in(user):
        return False
    for mandate in user.mandates:
        if mandate.status != MandateStatus.VERIFIED:
            continue
        if territory is None or territory_contains(territory, mandate.territory) or territory_contains(
            mandate.territory, territory
        ):
            return True
    return False


@predicate
def is_partner(user) -> bool:
    return is_signed_in(user) and bool(user.memberships)


@predicate
def is_moderator(user, territory=None) -> bool:
    """Appointed moderator (of a territory containing `territory`, when given)."""
    if not is_signed_in(user):
        return False
    return any(territory is None or territory_contains(a.territory, territory) for a in user.moderations)


@predicate
def can_declare_mandate(user) -> bool:
    return is_signed_in(user) and user.is_confirmed
