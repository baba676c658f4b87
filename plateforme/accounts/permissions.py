"""Who may do what with accounts, roles and the administration pages.

Two rules tie an elected official to a territory, and they differ on purpose:

- `holds_mandate_covering(user, territory)`: a verified mandate on the territory or on a
  territory containing it. It is the rule of *authority* (managing, editing, publishing an
  object that belongs to a territory): a commune's mayor has no say over what belongs to
  its EPCI, nor over a neighbour's; an EPCI's councillor has over its communes'.
- `counts_among_officials_of(user, territory)`: a verified mandate on it, within it or
  containing it. It says who is *asked* as one of the territory's officials (the officials'
  perception questionnaire), never who may act on its objects.

Moderators follow the first shape (`is_moderator(user, territory)`: an appointment on a
territory containing it).
"""
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


def _verified_mandates(user) -> list:
    if not is_signed_in(user):
        return []
    return [m for m in user.mandates if m.status == MandateStatus.VERIFIED]


def mandate_covers(mandate, territory) -> bool:
    """Whether a verified `mandate` is on `territory` or on a territory containing it."""
    return (mandate.status == MandateStatus.VERIFIED and territory is not None
            and territory_contains(mandate.territory, territory))


def mandate_counts_for(mandate, territory) -> bool:
    """Whether a verified `mandate` makes its holder one of `territory`'s officials: it
    covers the territory, or lies within it (surveys/services.officials_of lists by it)."""
    return mandate_covers(mandate, territory) or (
        mandate.status == MandateStatus.VERIFIED and territory is not None
        and territory_contains(territory, mandate.territory))


@predicate
def is_elected_official(user) -> bool:
    """Holds a verified mandate, on any territory. Says nothing of a given territory: ask
    `holds_mandate_covering` (authority) or `counts_among_officials_of` (being asked)."""
    return bool(_verified_mandates(user))


@predicate
def holds_mandate_covering(user, territory) -> bool:
    """A verified mandate on `territory` or on a territory containing it: the rule of every
    act of authority on a territory's objects. An official of a member commune does not run
    the EPCI's surveys or edit its cards; a neighbour's official does nothing here."""
    return any(mandate_covers(m, territory) for m in _verified_mandates(user))


@predicate
def counts_among_officials_of(user, territory) -> bool:
    """One of `territory`'s officials for being *asked*: a verified mandate on it, on a
    territory within it (a member commune's mayor is asked about the EPCI's residents) or
    containing it (an EPCI councillor about a commune's). Grants no authority."""
    return any(mandate_counts_for(m, territory) for m in _verified_mandates(user))


@predicate
def is_partner(user) -> bool:
    return is_signed_in(user) and bool(user.memberships)


@predicate
def is_moderator(user, territory=None) -> bool:
    """Appointed moderator; given `territory`, of that territory or one containing it (a
    member commune's moderator does not moderate what belongs to the EPCI)."""
    if not is_signed_in(user):
        return False
    return any(territory is None or territory_contains(a.territory, territory) for a in user.moderations)


@predicate
def can_declare_mandate(user) -> bool:
    return is_signed_in(user) and user.is_confirmed
