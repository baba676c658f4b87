"""Who may do what with a consultation: one rule at a time, role by role, including an
official of another territory (Villeurbanne's mayor on a Lyon consultation)."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from plateforme.consultations.models import Audience, ConsultationStatus, PhaseKind
from plateforme.core.permissions import PREDICATES

from .helpers import build_consultation

ROLES = ("visitor", "resident", "unconfirmed", "official", "official_elsewhere", "epci_official", "moderator",
         "admin")


def _people(make) -> dict:
    """Everyone lives in Villeurbanne (69266) except the Lyon resident; consultations are on Lyon."""
    return {
        "visitor": AnonymousUserMixin(),
        "resident": make.user(commune="69123"),
        "unconfirmed": make.user(commune="69123", confirmed=False),
        "official": make.elected("69123"),            # Lyon's mayor
        "official_elsewhere": make.elected("69266"),  # Villeurbanne's mayor
        "epci_official": make.elected("200046977"),  # a metropolitan councillor: Lyon is within
        "moderator": make.moderator(),
        "admin": make.admin(),
    }


def _check(rule, people, expected: set, *objects):
    got = {role for role in ROLES if PREDICATES[rule](people[role], *objects)}
    assert got == expected, rule


def test_who_may_open_a_consultation(make, db):
    people = _people(make)
    _check("can_open_consultation", people, {"official", "official_elsewhere", "epci_official"})
    _check("can_open_consultation_on", people, {"official", "epci_official", "admin"}, make.territory("69123"))
    _check("can_open_consultation_on", people, {"epci_official", "admin"}, make.territory("200046977"))


def test_who_manages_and_who_sees_a_draft(make, db):
    people = _people(make)
    draft = build_consultation(make, territory_code="69123", status=ConsultationStatus.DRAFT)
    _check("can_manage_consultation", people, {"official", "epci_official", "admin"}, draft)
    _check("can_see_consultation", people, {"official", "epci_official", "admin"}, draft)
    published = build_consultation(make, territory_code="69123")
    _check("can_see_consultation", people, set(ROLES), published)
    cancelled = build_consultation(make, territory_code="69123", status=ConsultationStatus.CANCELLED)
    _check("can_see_consultation", people, set(ROLES), cancelled)


def test_only_a_mandate_covering_the_metropole_runs_its_consultations(make, db, neighbour):
    """Officials of its member communes (Lyon, Villeurbanne) and of a neighbouring EPCI open
    none on the Métropole and do not manage its draft."""
    from ..conftest import GENAS, NEIGHBOUR_EPCI

    people = {**_people(make), "neighbour_official": make.elected(NEIGHBOUR_EPCI, commune=GENAS)}
    metropole = make.territory("200046977")
    opening = {role for role, person in people.items() if PREDICATES["can_open_consultation_on"](person, metropole)}
    assert opening == {"epci_official", "admin"}
    draft = build_consultation(make, status=ConsultationStatus.DRAFT)
    managing = {role for role, person in people.items() if PREDICATES["can_manage_consultation"](person, draft)}
    assert managing == {"epci_official", "admin"}


def test_who_comments_in_the_debate(make, db):
    people = _people(make)
    signed_in_and_confirmed = set(ROLES) - {"visitor", "unconfirmed"}
    open_to_all = build_consultation(make, current=PhaseKind.DEBATE, territory_code="69123")
    _check("can_comment", people, signed_in_and_confirmed, open_to_all)
    _check("can_propose", people, set(), open_to_all)  # not the proposals phase yet
    residents_only = build_consultation(make, current=PhaseKind.DEBATE, territory_code="69123",
                                        audience=Audience.RESIDENTS)
    # Only people living in Lyon; the others (Villeurbanne) read but do not take part.
    _check("can_comment", people, {"resident"}, residents_only)


def test_who_proposes(make, db):
    people = _people(make)
    consultation = build_consultation(make, current=PhaseKind.PROPOSALS, territory_code="69123")
    _check("can_propose", people, set(ROLES) - {"visitor", "unconfirmed"}, consultation)
    _check("can_comment", people, set(), consultation)


@pytest.mark.parametrize("status, expected", [
    (ConsultationStatus.PUBLISHED, set(ROLES) - {"visitor"}),
    (ConsultationStatus.DRAFT, set()),
    (ConsultationStatus.CANCELLED, set()),
])
def test_who_follows(make, db, status, expected):
    people = _people(make)
    consultation = build_consultation(make, territory_code="69123", status=status)
    _check("can_follow_consultation", people, expected, consultation)


def test_nobody_takes_part_in_a_draft_or_a_cancelled_consultation(make, db):
    people = _people(make)
    for status in (ConsultationStatus.DRAFT, ConsultationStatus.CANCELLED):
        consultation = build_consultation(make, current=PhaseKind.DEBATE, territory_code="69123", status=status)
        _check("can_comment", people, set(), consultation)
