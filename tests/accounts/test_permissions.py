"""Each permission rule, one by one."""
from __future__ import annotations

from flask_login import AnonymousUserMixin

from plateforme.accounts.models import Mandate, MandateStatus, MandateTitle
from plateforme.core.permissions import PREDICATES

ANONYMOUS = AnonymousUserMixin()


def test_rules_are_registered_once_by_name():
    for name in ("is_signed_in", "is_administrator", "is_resident", "is_elected_official", "is_partner",
                 "is_moderator", "can_declare_mandate"):
        assert name in PREDICATES


def test_is_administrator(make):
    assert PREDICATES["is_administrator"](make.admin())
    assert not PREDICATES["is_administrator"](make.user())
    assert not PREDICATES["is_administrator"](ANONYMOUS)


def test_is_resident_needs_a_confirmed_address_and_a_commune(make):
    assert PREDICATES["is_resident"](make.user())
    assert not PREDICATES["is_resident"](make.user(confirmed=False))
    assert not PREDICATES["is_resident"](ANONYMOUS)


def test_is_elected_official_only_with_a_verified_mandate_on_the_territory(make, db):
    epci, villeurbanne, bron = make.territory("200046977"), make.territory("69266"), make.territory("69029")
    mayor = make.elected(territory_code="69266")
    assert PREDICATES["is_elected_official"](mayor)
    assert PREDICATES["is_elected_official"](mayor, villeurbanne)
    assert PREDICATES["is_elected_official"](mayor, epci)  # an official of a member commune
    assert not PREDICATES["is_elected_official"](mayor, bron)
    pending = make.user()
    db.session.add(Mandate(user=pending, territory=villeurbanne, title=MandateTitle.MAIRE,
                           status=MandateStatus.PENDING))
    db.session.commit()
    assert not PREDICATES["is_elected_official"](pending, villeurbanne)
    assert not PREDICATES["is_elected_official"](ANONYMOUS)


def test_is_moderator_covers_what_the_territory_contains(make):
    moderator = make.moderator("200046977")
    assert PREDICATES["is_moderator"](moderator, make.territory("69266"))
    commune_moderator = make.moderator("69029")
    assert PREDICATES["is_moderator"](commune_moderator, make.territory("69029"))
    assert not PREDICATES["is_moderator"](commune_moderator, make.territory("69266"))
    assert not PREDICATES["is_moderator"](make.user())


def test_is_partner(make):
    assert PREDICATES["is_partner"](make.partner())
    assert not PREDICATES["is_partner"](make.user())


def test_can_declare_mandate_needs_a_confirmed_address(make):
    assert PREDICATES["can_declare_mandate"](make.user())
    assert not PREDICATES["can_declare_mandate"](make.user(confirmed=False))
