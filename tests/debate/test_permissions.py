"""The debate's rules per role: who comments, proposes, replies, withdraws, answers; and
the reason given to those who may not."""
from __future__ import annotations

import pytest

from plateforme.consultations.models import Audience, PhaseKind
from plateforme.core.permissions import PREDICATES
from plateforme.debate.permissions import participation_refusal

from ..consultations.helpers import build_consultation
from .helpers import comment

ROLES = ("visitor", "unconfirmed", "resident", "no_commune", "elected", "other_official", "partner", "moderator",
         "admin")


def _person(role, make):
    return {
        "visitor": lambda: None,
        "unconfirmed": lambda: make.user(confirmed=False),
        "resident": lambda: make.user(),
        "no_commune": lambda: make.user(commune="00000"),
        "elected": lambda: make.elected(),
        "other_official": lambda: make.elected("69123"),
        "partner": lambda: make.partner(),
        "moderator": lambda: make.moderator(),
        "admin": lambda: make.admin(),
    }[role]()


class Visitor:
    is_authenticated = False
    id = None


def _rule(name, user, *objects):
    return PREDICATES[name](user or Visitor(), *objects)


# Registered-audience consultation: every confirmed account takes part.
TAKES_PART = {"visitor": False, "unconfirmed": False, **dict.fromkeys(ROLES[2:], True)}
# Residents-only: a confirmed account with a commune in the Métropole (all factories live in Villeurbanne).
TAKES_PART_RESIDENTS = {**TAKES_PART, "no_commune": False}
# Answering proposals: the territory's officials and the administrators. "other_official" is
# Lyon's mayor: Lyon is within the Métropole, not the reverse.
ANSWERS = {**dict.fromkeys(ROLES, False), "elected": True, "admin": True}


@pytest.mark.parametrize("role", ROLES)
def test_commenting_and_proposing_per_role(app, db, make, role):
    user = _person(role, make)
    with app.test_request_context():
        for audience, expected in ((Audience.REGISTERED, TAKES_PART), (Audience.RESIDENTS, TAKES_PART_RESIDENTS)):
            debating = build_consultation(make, PhaseKind.DEBATE, audience=audience)
            proposing = build_consultation(make, PhaseKind.PROPOSALS, audience=audience)
            assert _rule("can_comment", user, debating) is expected[role], (role, audience)
            assert _rule("can_propose", user, proposing) is expected[role], (role, audience)
            # Each phase is its own: no proposal during the debate, no comment during proposals.
            assert not _rule("can_propose", user, debating) and not _rule("can_comment", user, proposing)
            assert (participation_refusal(user or Visitor(), debating, PhaseKind.DEBATE) is None) is expected[role]


@pytest.mark.parametrize("role", ROLES)
def test_answering_proposals_per_role(app, db, make, role):
    user = _person(role, make)
    consultation = build_consultation(make, PhaseKind.PROPOSALS, opened_by=make.elected())
    assert _rule("can_answer_proposal", user, consultation) is ANSWERS[role]


def test_replying_and_withdrawing(app, db, make):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    elsewhere = build_consultation(make, PhaseKind.DEBATE, title="Ailleurs")
    author, other = make.user(), make.user()
    with app.test_request_context():
        written = comment(db, author, consultation)
    assert _rule("can_reply_to_comment", other, consultation, written)
    assert not _rule("can_reply_to_comment", other, elsewhere, written)
    assert not _rule("can_reply_to_comment", None, consultation, written)
    assert _rule("can_withdraw_comment", author, written)
    assert not _rule("can_withdraw_comment", other, written) and not _rule("can_withdraw_comment", None, written)
    written.visibility = "withdrawn"
    assert not _rule("can_withdraw_comment", author, written)
    assert not _rule("can_reply_to_comment", other, consultation, written)


@pytest.mark.parametrize("current, code", [
    ("upcoming", "upcoming"), ("concluded", "closed"), (PhaseKind.DEBATE, None),
])
def test_the_refusal_says_why(app, db, make, current, code):
    consultation = build_consultation(make, current)
    assert participation_refusal(make.user(), consultation, PhaseKind.DEBATE) == code
    no_debate = build_consultation(make, PhaseKind.PROPOSALS, kinds=[PhaseKind.INFORMATION, PhaseKind.PROPOSALS])
    assert participation_refusal(make.user(), no_debate, PhaseKind.DEBATE) == "no_phase"
    residents = build_consultation(make, PhaseKind.DEBATE, audience=Audience.RESIDENTS)
    assert participation_refusal(Visitor(), residents, PhaseKind.DEBATE) == "sign_in"
    assert participation_refusal(make.user(confirmed=False), residents, PhaseKind.DEBATE) == "confirm_email"
    assert participation_refusal(make.user(commune="00000"), residents, PhaseKind.DEBATE) == "residents_only"


def test_drafts_and_cancelled_consultations_say_so(app, db, make):
    from plateforme.consultations.models import ConsultationStatus

    draft = build_consultation(make, PhaseKind.DEBATE, status=ConsultationStatus.DRAFT)
    cancelled = build_consultation(make, PhaseKind.DEBATE, status=ConsultationStatus.CANCELLED)
    assert participation_refusal(make.user(), draft, PhaseKind.DEBATE) == "draft"
    assert participation_refusal(make.user(), cancelled, PhaseKind.DEBATE) == "cancelled"
    assert not _rule("can_comment", make.user(), draft) and not _rule("can_comment", make.user(), cancelled)


def test_moderating_needs_an_appointment_covering_the_consultations_territory(app, db, make, neighbour):
    """A member commune's moderator does not moderate the Métropole's debate (nor set its
    rules), a neighbour's moderator nothing here; the Métropole's moderator covers its communes'."""
    from ..conftest import GENAS, NEIGHBOUR_EPCI

    metropole = build_consultation(make, PhaseKind.DEBATE)
    villeurbanne = build_consultation(make, PhaseKind.DEBATE, territory_code="69266", title="À Villeurbanne")
    people = {"metropole": make.moderator(), "villeurbanne": make.moderator("69266"),
              "neighbour": make.moderator(NEIGHBOUR_EPCI, commune=GENAS), "official": make.elected(),
              "admin": make.admin()}

    def allowed(rule, obj):
        return {name for name, person in people.items() if _rule(rule, person, obj)}

    assert allowed("can_moderate", metropole) == {"metropole", "admin"}
    assert allowed("can_moderate", villeurbanne) == {"metropole", "villeurbanne", "admin"}
    assert allowed("can_moderate_territory", metropole.territory) == {"metropole", "admin"}
    assert allowed("can_moderate_territory", neighbour) == {"neighbour", "admin"}


# A held first post: its author and the territory's moderators (and administrators) only.
SEES_HELD = {**dict.fromkeys(ROLES, False), "moderator": True, "admin": True}


@pytest.mark.parametrize("role", ROLES)
def test_seeing_a_held_first_post_per_role(app, db, make, role):
    from plateforme.debate.models import Visibility

    consultation = build_consultation(make, PhaseKind.DEBATE)
    author = make.user()
    with app.test_request_context():
        held = comment(db, author, consultation)
        held.visibility = Visibility.HELD
        db.session.flush()
        assert _rule("can_see_held", _person(role, make), held) is SEES_HELD[role]
        assert _rule("can_see_held", author, held)
