"""Each survey permission rule, role by role: officials and moderators of the Métropole de
Lyon, of its member communes (Lyon, Villeurbanne) and of a neighbouring EPCI."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from plateforme.core.permissions import PREDICATES
from plateforme.surveys.services import officials_of

from ..conftest import GENAS, NEIGHBOUR_EPCI
from ..factories import make_survey

EPCI, LYON, VILLEURBANNE = "200046977", "69123", "69266"


@pytest.fixture
def people(make, neighbour):
    return {
        "visitor": AnonymousUserMixin(),
        "resident": make.user(),
        "partner": make.partner(),
        "epci_official": make.elected(EPCI),
        "lyon_official": make.elected(LYON),
        "villeurbanne_official": make.elected(VILLEURBANNE),
        "neighbour_official": make.elected(NEIGHBOUR_EPCI, commune=GENAS),
        "epci_moderator": make.moderator(EPCI),
        "villeurbanne_moderator": make.moderator(VILLEURBANNE),
        "neighbour_moderator": make.moderator(NEIGHBOUR_EPCI, commune=GENAS),
        "admin": make.admin(),
    }


def _allowed(rule, people, *objects) -> set:
    return {name for name, person in people.items() if PREDICATES[rule](person, *objects)}


def test_rules_are_registered_by_name():
    for name in ("can_create_survey", "can_manage_survey", "can_see_survey", "can_publish_survey",
                 "can_import_paper_answers", "can_answer_as_resident", "can_answer_as_official", "can_see_results"):
        assert name in PREDICATES


def test_only_a_mandate_covering_the_territory_manages_a_survey(db, people):
    metropole = make_survey(db, "open", sampling_mode="panel")
    # Neither Lyon's nor Villeurbanne's officials run the Métropole's survey, nor a neighbour's.
    assert _allowed("can_manage_survey", people, metropole) == {"epci_official", "epci_moderator", "admin"}
    villeurbanne = make_survey(db, "open", territory=VILLEURBANNE)
    assert _allowed("can_manage_survey", people, villeurbanne) == {
        "epci_official", "villeurbanne_official", "epci_moderator", "villeurbanne_moderator", "admin"}


def test_a_draft_is_seen_by_its_managers_only(db, people):
    draft = make_survey(db, "draft")
    assert _allowed("can_see_survey", people, draft) == {"epci_official", "epci_moderator", "admin"}
    assert _allowed("can_see_survey", people, make_survey(db, "open")) == set(people)


def test_only_moderators_covering_the_territory_publish(db, people):
    closed = make_survey(db, "closed")
    assert _allowed("can_publish_survey", people, closed) == {"epci_moderator", "admin"}


def test_member_communes_officials_answer_the_officials_questionnaire(db, people):
    """Being asked is not running the survey: Lyon's and Villeurbanne's mayors are among the
    Métropole's officials asked what its residents think; a neighbour's official is not."""
    survey = make_survey(db, "open")
    asked = {"epci_official", "lyon_official", "villeurbanne_official"}
    assert _allowed("can_answer_as_official", people, survey) == asked
    assert {u.id for u in officials_of(survey.territory)} == {people[name].id for name in asked}
    assert _allowed("can_answer_as_official", people, make_survey(db, "draft")) == set()


def test_any_official_creates_a_survey_on_their_own_territories(people):
    assert _allowed("can_create_survey", people) == {
        "epci_official", "lyon_official", "villeurbanne_official", "neighbour_official", "admin"}
