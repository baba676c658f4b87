"""Each permission rule, one by one."""
from __future__ import annotations

from flask_login import AnonymousUserMixin

from plateforme.accounts.models import Mandate, MandateStatus, MandateTitle
from plateforme.core.permissions import PREDICATES

from ..conftest import GENAS, NEIGHBOUR_EPCI

ANONYMOUS = AnonymousUserMixin()
EPCI, VILLEURBANNE, LYON, LYON_1ER, BRON = "200046977", "69266", "69123", "69381", "69029"


def test_rules_are_registered_once_by_name():
    for name in ("is_signed_in", "is_administrator", "is_resident", "is_elected_official", "holds_mandate_covering",
                 "counts_among_officials_of", "is_partner", "is_moderator", "can_declare_mandate"):
        assert name in PREDICATES


def test_is_administrator(make):
    assert PREDICATES["is_administrator"](make.admin())
    assert not PREDICATES["is_administrator"](make.user())
    assert not PREDICATES["is_administrator"](ANONYMOUS)


def test_is_resident_needs_a_confirmed_address_and_a_commune(make):
    assert PREDICATES["is_resident"](make.user())
    assert not PREDICATES["is_resident"](make.user(confirmed=False))
    assert not PREDICATES["is_resident"](ANONYMOUS)


def test_is_elected_official_only_with_a_verified_mandate(make, db):
    mayor = make.elected(territory_code="69266")
    assert PREDICATES["is_elected_official"](mayor)
    pending = make.user()
    db.session.add(Mandate(user=pending, territory=make.territory("69266"), title=MandateTitle.MAIRE,
                           status=MandateStatus.PENDING))
    db.session.commit()
    assert not PREDICATES["is_elected_official"](pending)
    assert not PREDICATES["is_elected_official"](make.user())
    assert not PREDICATES["is_elected_official"](ANONYMOUS)


def _territories(make):
    return {code: make.territory(code) for code in (EPCI, VILLEURBANNE, LYON, LYON_1ER, BRON, NEIGHBOUR_EPCI, GENAS)}


def test_holds_mandate_covering_its_territory_and_what_lies_within_only(make, db, neighbour):
    places = _territories(make)

    def covered(user):
        return {code for code, territory in places.items() if PREDICATES["holds_mandate_covering"](user, territory)}

    assert covered(make.elected(EPCI)) == {EPCI, VILLEURBANNE, LYON, LYON_1ER, BRON}
    # A member commune's official has no authority over the EPCI, nor over another commune.
    assert covered(make.elected(VILLEURBANNE)) == {VILLEURBANNE}
    assert covered(make.elected(LYON)) == {LYON, LYON_1ER}
    # A neighbour's official over nothing of the Métropole.
    assert covered(make.elected(NEIGHBOUR_EPCI, commune=GENAS)) == {NEIGHBOUR_EPCI, GENAS}
    pending = make.user()
    db.session.add(Mandate(user=pending, territory=places[EPCI], title=MandateTitle.MAIRE,
                           status=MandateStatus.PENDING))
    db.session.commit()
    assert covered(pending) == set()
    assert covered(ANONYMOUS) == set()


def test_counts_among_officials_of_includes_member_communes_officials(make, db, neighbour):
    places = _territories(make)

    def counted_for(user):
        return {code for code, territory in places.items()
                if PREDICATES["counts_among_officials_of"](user, territory)}

    # A member commune's mayor is one of the EPCI's officials when they are asked...
    assert counted_for(make.elected(VILLEURBANNE)) == {VILLEURBANNE, EPCI}
    assert counted_for(make.elected(EPCI)) == {EPCI, VILLEURBANNE, LYON, LYON_1ER, BRON}
    # ... a neighbour's official never is.
    assert counted_for(make.elected(NEIGHBOUR_EPCI, commune=GENAS)) == {NEIGHBOUR_EPCI, GENAS}
    assert counted_for(ANONYMOUS) == set()


def test_is_moderator_covers_what_the_territory_contains(make, neighbour):
    moderator = make.moderator("200046977")
    assert PREDICATES["is_moderator"](moderator, make.territory("69266"))
    commune_moderator = make.moderator("69029")
    assert PREDICATES["is_moderator"](commune_moderator, make.territory("69029"))
    assert not PREDICATES["is_moderator"](commune_moderator, make.territory("69266"))
    # A member commune's moderator does not moderate the EPCI; a neighbour's nothing here.
    assert not PREDICATES["is_moderator"](commune_moderator, make.territory(EPCI))
    neighbour_moderator = make.moderator(NEIGHBOUR_EPCI, commune=GENAS)
    assert PREDICATES["is_moderator"](neighbour_moderator, make.territory(GENAS))
    assert not PREDICATES["is_moderator"](neighbour_moderator, make.territory(EPCI))
    assert not PREDICATES["is_moderator"](neighbour_moderator, make.territory(VILLEURBANNE))
    assert not PREDICATES["is_moderator"](make.user())


def test_is_partner(make):
    assert PREDICATES["is_partner"](make.partner())
    assert not PREDICATES["is_partner"](make.user())


def test_can_declare_mandate_needs_a_confirmed_address(make):
    assert PREDICATES["can_declare_mandate"](make.user())
    assert not PREDICATES["can_declare_mandate"](make.user(confirmed=False))
