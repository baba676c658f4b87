"""Who may close a consultation, one role at a time: the territory's moderators (and the
administrators) write the synthesis; its officials (and the administrators) publish the
response, add commitments and report their progress. Refusals save nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plateforme.consultations.models import (
    AuthorityResponse, Commitment, CommitmentUpdate, PhaseKind, Synthesis,
)

from ..factories import post_form, sign_in
from .helpers import build_consultation
from .outcome_helpers import response_with_commitments

SITEMAP = "/plan-du-site"
# A visitor's pages carry no CSRF token but on forms (core/page_cache.py): the sign-in form's.
SIGN_IN = "/connexion"

PEOPLE = {
    "visitor": lambda make: None,
    "resident": lambda make: make.user(),
    "partner": lambda make: make.partner(),
    "metropole_moderator": lambda make: make.moderator("200046977"),
    "commune_moderator": lambda make: make.moderator("69266"),
    "metropole_official": lambda make: make.elected("200046977"),
    "commune_official": lambda make: make.elected("69266"),
    "admin": lambda make: make.admin(),
}


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _post_as(client, make, who, url, data):
    user = PEOPLE[who](make)
    if user is not None:
        sign_in(client, user)
    return post_form(client, url, data, form_url=SITEMAP if user is not None else SIGN_IN)


def _expect(response, allowed: bool) -> None:
    if allowed:
        assert response.status_code == 302 and "/connexion" not in response.headers["Location"]
    elif response.status_code == 302:
        assert "/connexion" in response.headers["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("who, allowed", [
    ("visitor", False), ("resident", False), ("partner", False), ("metropole_official", False),
    ("commune_moderator", False), ("metropole_moderator", True), ("admin", True),
])
def test_who_writes_the_synthesis(client, make, db, who, allowed):
    consultation = build_consultation(make, current=PhaseKind.SYNTHESIS)
    response = _post_as(client, make, who, f"/consultations/{consultation.id}/synthese",
                        {"body": "Une synthèse assez longue pour être acceptée.", "confirm": "yes"})
    _expect(response, allowed)
    assert _count(db, Synthesis) == (1 if allowed else 0)


@pytest.mark.parametrize("who, allowed", [
    ("visitor", False), ("resident", False), ("partner", False), ("metropole_moderator", False),
    ("commune_official", False), ("metropole_official", True), ("admin", True),
])
def test_who_publishes_the_response(client, make, db, who, allowed):
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    response = _post_as(client, make, who, f"/consultations/{consultation.id}/reponse",
                        {"body": "Une réponse assez longue pour être acceptée.", "no_commitment": "y",
                         "confirm": "yes"})
    _expect(response, allowed)
    assert _count(db, AuthorityResponse) == (1 if allowed else 0)


@pytest.mark.parametrize("who, allowed", [
    ("visitor", False), ("resident", False), ("metropole_moderator", False), ("commune_official", False),
    ("metropole_official", True), ("admin", True),
])
def test_who_adds_and_updates_commitments(client, make, db, who, allowed):
    consultation = build_consultation(make, current="concluded")
    commitment = response_with_commitments(db, consultation, consultation.opened_by)[0]
    user = PEOPLE[who](make)
    if user is not None:
        sign_in(client, user)
    update = post_form(client, f"/consultations/engagements/{commitment.id}/suivi",
                       {"body": "Le chantier a commencé ce mois-ci.", "status": "in_progress"},
                       form_url=SITEMAP if user is not None else SIGN_IN)
    _expect(update, allowed)
    added = post_form(client, f"/consultations/{consultation.id}/engagements/nouveau",
                      {"title": "Un engagement de plus", "owner": "La mairie", "due_on": "2099-01-01",
                       "status": "planned"}, form_url=SITEMAP if user is not None else SIGN_IN)
    _expect(added, allowed)
    assert _count(db, CommitmentUpdate) == (1 if allowed else 0)
    assert _count(db, Commitment) == (2 if allowed else 1)


def test_phase_refusals_are_explained_to_those_who_could_act_later(client, make, db):
    consultation = build_consultation(make, current=PhaseKind.DEBATE)
    sign_in(client, consultation.opened_by)
    page = client.get(f"/consultations/{consultation.id}/reponse", follow_redirects=True).get_data(as_text=True)
    assert "se publie à partir du" in page
    assert client.get(f"/consultations/{consultation.id}/engagements/nouveau",
                      follow_redirects=True).status_code == 200  # told to publish the response first
    assert _count(db, AuthorityResponse) == 0
