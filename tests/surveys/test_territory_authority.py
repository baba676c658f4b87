"""Authority stops at the mandate's territory (issue 18): an official of a member commune
answers the Métropole's officials' questionnaire but does not run its survey; a draft's
management pages do not reveal that it exists."""
from __future__ import annotations

import pytest

from plateforme.surveys.models import InvitationCode, SurveyStatus

from ..factories import make_survey, page_text, post_form, sign_in
from .page_helpers import _count, _survey

LYON, VILLEURBANNE = "69123", "69266"
SITEMAP = "/plan-du-site"

# Every management route of a survey: (method, path after /questionnaires/<id>).
MANAGEMENT = [("GET", "/gerer"), ("GET", "/definition.json"), ("GET", "/gerer/clore"), ("GET", "/gerer/publier"),
              ("POST", "/gerer/ouvrir"), ("POST", "/gerer/clore"),
              ("POST", "/gerer/publier"), ("POST", "/gerer/codes"), ("POST", "/gerer/import-reponses"),
              ("POST", "/gerer/import-estimations")]


def _request(client, method, url):
    if method == "GET":
        return client.get(url)
    return post_form(client, url, {}, form_url=SITEMAP)


def test_an_official_of_lyon_does_not_run_the_metropole_survey(client, db, make):
    """The issue's story: Lyon's mayor alone opened the Métropole's panel survey, generated
    invitation codes and closed it."""
    draft = make_survey(db, "draft", sampling_mode="panel")
    running = make_survey(db, "open", sampling_mode="panel")
    sign_in(client, make.elected(LYON))
    # The draft does not exist for them: nothing to open.
    assert client.get(f"/questionnaires/{draft.id}/gerer").status_code == 404
    assert _request(client, "POST", f"/questionnaires/{draft.id}/gerer/ouvrir").status_code == 404
    assert _survey(db, draft.id).status == SurveyStatus.DRAFT
    # The open survey is public, its management is not theirs.
    assert client.get(f"/questionnaires/{running.id}/gerer").status_code == 403
    codes = post_form(client, f"/questionnaires/{running.id}/gerer/codes", {"codes-count": "5"}, form_url=SITEMAP)
    assert codes.status_code == 403 and _count(db, InvitationCode) == 0
    assert _request(client, "POST", f"/questionnaires/{running.id}/gerer/clore").status_code == 403
    assert _survey(db, running.id).status == SurveyStatus.OPEN


@pytest.mark.parametrize("who", ["resident", "member_official", "member_moderator"])
def test_a_drafts_management_pages_answer_404_to_those_who_may_not_see_it(client, db, make, who):
    draft = make_survey(db, "draft")
    person = {"resident": make.user, "member_official": lambda: make.elected(VILLEURBANNE),
              "member_moderator": lambda: make.moderator(VILLEURBANNE)}[who]()
    sign_in(client, person)
    got = {path: _request(client, method, f"/questionnaires/{draft.id}{path}").status_code
           for method, path in MANAGEMENT}
    assert got == dict.fromkeys(got, 404)
    assert _survey(db, draft.id).status == SurveyStatus.DRAFT


def test_a_visitor_is_asked_to_sign_in_and_a_manager_sees_the_draft(app, client, db, make):
    draft = make_survey(db, "draft")
    response = client.get(f"/questionnaires/{draft.id}/gerer")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    manager = app.test_client()
    sign_in(manager, make.elected())
    assert manager.get(f"/questionnaires/{draft.id}/gerer").status_code == 200


def test_a_member_communes_official_is_asked_without_running_the_survey(client, db, make):
    """Villeurbanne's mayor is among the Métropole's officials asked: the survey page invites
    them to the officials' questionnaire, their territory page lists it, and they answer it;
    the survey page offers no management."""
    survey = make_survey(db, "open")
    sign_in(client, make.elected(VILLEURBANNE))
    page = client.get(f"/questionnaires/{survey.id}")
    body = page.get_data(as_text=True)
    assert f'href="/questionnaires/{survey.id}/elus"' in body
    assert "Votre mandat porte sur une partie de la Métropole de Lyon" in page_text(page)
    assert f"/questionnaires/{survey.id}/gerer" not in body
    assert f'href="/questionnaires/{survey.id}/elus"' in client.get("/consultations/mon-territoire").get_data(
        as_text=True)
    url = f"/questionnaires/{survey.id}/elus"
    assert client.get(url).status_code == 200
    done = post_form(client, url, {"estimate_s1": "30", "estimate_s2": "55"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/questionnaires/{survey.id}/merci?elu=1")
    assert "Vous avez déjà répondu au questionnaire des élus" in page_text(client.get(url))


def test_the_metropoles_own_official_is_told_they_are_its_official(client, db, make):
    survey = make_survey(db, "open")
    sign_in(client, make.elected())
    text = page_text(client.get(f"/questionnaires/{survey.id}"))
    assert "Vous êtes élue ou élu de la Métropole de Lyon" in text and "Gérer ce questionnaire" in text
