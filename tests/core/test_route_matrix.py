"""The role × route matrix: every route of the application declares, for every role,
what a request gets. A new route without a declared expectation fails this test."""
from __future__ import annotations

import pytest

from plateforme.accounts.models import Mandate, MandateStatus, MandateTitle, Organisation

from ..factories import csrf_token, sign_in

ROLES = ("visitor", "resident", "elected", "partner", "moderator", "admin")

# What each kind of rule gives, per role. "login" = redirected to the sign-in page.
PUBLIC = dict.fromkeys(ROLES, 200)
SIGNED_IN = {"visitor": "login", **dict.fromkeys(ROLES[1:], 200)}
ADMIN_ONLY = {"visitor": "login", **dict.fromkeys(ROLES[1:-1], 403), "admin": 200}
ADMIN_ACTION = {"visitor": "login", **dict.fromkeys(ROLES[1:-1], 403), "admin": 302}
SIGNED_IN_ACTION = {"visitor": "login", **dict.fromkeys(ROLES[1:], 302)}
ANYONE_ACTION = dict.fromkeys(ROLES, 302)
VISITOR_ONLY_FORM = {"visitor": 200, **dict.fromkeys(ROLES[1:], 302)}  # signed-in people are sent to their account
TOKEN_LINK = dict.fromkeys(ROLES, 400)  # a made-up token is refused the same way for everyone
NOT_FOUND = dict.fromkeys(ROLES, 404)  # e.g. results of a survey that is not published

# endpoint -> (method, url or url builder, expectation)
MATRIX = {
    "core.home": ("GET", "/", PUBLIC),
    "core.legal": ("GET", "/mentions-legales", PUBLIC),
    "core.privacy": ("GET", "/confidentialite", PUBLIC),
    "core.accessibility": ("GET", "/accessibilite", PUBLIC),
    "core.sitemap": ("GET", "/plan-du-site", PUBLIC),
    "core.health": ("GET", "/sante", PUBLIC),
    "core.set_language": ("POST", "/langue", ANYONE_ACTION),
    "static": ("GET", "/static/css/site.css", PUBLIC),
    "territories.index": ("GET", "/territoires/", PUBLIC),
    "territories.search": ("GET", "/territoires/recherche?q=Bron", PUBLIC),
    "territories.show": ("GET", "/territoires/epci/200046977", PUBLIC),
    "accounts.register": ("GET", "/inscription", VISITOR_ONLY_FORM),
    "accounts.sign_in": ("GET", "/connexion", VISITOR_ONLY_FORM),
    "accounts.forgot_password": ("GET", "/mot-de-passe-oublie", PUBLIC),
    "accounts.confirm_email": ("POST", "/confirmer/not-a-token", TOKEN_LINK),
    "accounts.reset_password": ("GET", "/reinitialiser/not-a-token", TOKEN_LINK),
    "accounts.sign_out": ("POST", "/deconnexion", ANYONE_ACTION),
    "accounts.profile": ("GET", "/compte", SIGNED_IN),
    "accounts.change_password": ("GET", "/compte/mot-de-passe", SIGNED_IN),
    "accounts.declare_mandate": ("GET", "/compte/mandat", SIGNED_IN),
    "accounts.download_data": ("GET", "/compte/mes-donnees.json", SIGNED_IN),
    "accounts.delete_account": ("GET", "/compte/supprimer", SIGNED_IN),
    "accounts.resend_confirmation": ("POST", "/compte/renvoyer-confirmation", SIGNED_IN_ACTION),
    "admin.dashboard": ("GET", "/admin/", ADMIN_ONLY),
    "admin.people": ("GET", "/admin/personnes", ADMIN_ONLY),
    "admin.mandates": ("GET", "/admin/mandats", ADMIN_ONLY),
    "admin.decide_mandate": ("POST", lambda ids: f"/admin/mandats/{ids['mandate']}/verifier", ADMIN_ACTION),
    "admin.organisations": ("GET", "/admin/organisations", ADMIN_ONLY),
    "admin.organisation": ("GET", lambda ids: f"/admin/organisations/{ids['organisation']}", ADMIN_ONLY),
    "admin.remove_member": ("POST", lambda ids: f"/admin/organisations/{ids['organisation']}/membres/999/retirer",
                            ADMIN_ACTION),
    "admin.moderators": ("GET", "/admin/moderation", ADMIN_ONLY),
    "admin.revoke_moderator": ("POST", lambda ids: f"/admin/moderation/{ids['appointment']}/retirer", ADMIN_ACTION),
    "admin.territories": ("GET", "/admin/territoires", ADMIN_ONLY),
    "api.survey_results": ("GET", "/api/v1/surveys/999999/results", NOT_FOUND),
    "api.survey_results_csv": ("GET", "/api/v1/surveys/999999/results.csv", NOT_FOUND),
}


def test_every_route_declares_its_expectations(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    undeclared = endpoints - set(MATRIX)
    assert not undeclared, f"routes without a role expectation: {sorted(undeclared)}"
    stale = set(MATRIX) - endpoints
    assert not stale, f"expectations for routes that no longer exist: {sorted(stale)}"


def _user_for(role, make):
    return {
        "visitor": lambda: None,
        "resident": lambda: make.user(),
        "elected": lambda: make.elected(),
        "partner": lambda: make.partner(),
        "moderator": lambda: make.moderator(),
        "admin": lambda: make.admin(),
    }[role]()


def _fixtures(make, db) -> dict:
    """Objects the parametrised URLs point at, created fresh for each case."""
    declarer = make.user()
    mandate = Mandate(user=declarer, territory=make.territory("69266"), title=MandateTitle.MAIRE,
                      status=MandateStatus.PENDING)
    db.session.add(mandate)
    moderator = make.moderator()
    organisation = make.organisation()
    db.session.commit()
    return {"mandate": mandate.id, "organisation": organisation.id, "appointment": moderator.moderations[0].id}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_role_gets_what_the_matrix_says(app, client, make, db, role, endpoint):
    method, url, expectation = MATRIX[endpoint]
    ids = _fixtures(make, db)
    url = url(ids) if callable(url) else url
    user = _user_for(role, make)
    if user is not None:
        sign_in(client, user)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client, "/plan-du-site"), "lang": "en"})
    expected = expectation[role]
    if expected == "login":
        assert response.status_code == 302, (endpoint, role, response.status_code)
        assert "/connexion" in response.headers["Location"], (endpoint, role)
    else:
        assert response.status_code == expected, (endpoint, role, response.status_code)
