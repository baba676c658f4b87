"""Survey pages: answering with an invitation code (panel mode) and the officials' questionnaire."""
from __future__ import annotations

from sqlalchemy import select

from plateforme.surveys.models import Channel, InvitationCode, OfficialPending, ResidentPending
from plateforme.surveys.publication import publish

from ..factories import make_survey, page_text, post_form, sign_in
from .page_helpers import CODE_RE, _count, _resident_fields, _words


# --- panel mode: invitation codes ----------------------------------------------------------

def test_codes_are_generated_once_on_printable_letters_and_used_once(app, client, db, make):
    survey = make_survey(db, "open", sampling_mode="panel")
    manager = app.test_client()
    sign_in(manager, make.elected())
    manage_url = f"/questionnaires/{survey.id}/gerer"
    letters = post_form(manager, f"{manage_url}/codes", {"codes-count": "2"}, form_url=manage_url)
    html = letters.get_data(as_text=True)
    codes = sorted(set(CODE_RE.findall(html)))
    assert letters.status_code == 200 and len(codes) == 2
    assert html.count('class="letter"') == 2 and "letters-print.css" in html
    assert f"http://localhost/questionnaires/{survey.id}/code" in html
    assert "ne sont affichés qu'une fois" in page_text(letters)
    assert _count(db, InvitationCode) == 2
    assert codes[0] not in "".join(db.session.execute(select(InvitationCode.code_hash)).scalars())

    # A visitor without an account: a wrong code, then the right one typed loosely.
    code_url = f"/questionnaires/{survey.id}/code"
    response = post_form(client, code_url, {"code": "ZZZZ-ZZZZ-ZZ"})
    assert "Ce code d'invitation n'existe pas" in page_text(response)
    assert 'id="code-error"' in response.get_data(as_text=True)
    form = post_form(client, code_url, {"code": codes[0].replace("-", " ").lower()})
    html = form.get_data(as_text=True)
    assert 'name="step" value="answers"' in html and f'value="{codes[0]}"' in html
    assert '<fieldset id="answer_s1"' in html
    bron = make.territory("69029")
    done = post_form(client, code_url, {"step": "answers", "code": codes[0], **_resident_fields(bron.id)},
                     follow_redirects=True)
    assert "Merci, vos réponses sont enregistrées" in page_text(done)
    response = db.session.execute(select(ResidentPending)).scalar_one()
    assert response.channel == Channel.PANEL and response.commune_id == bron.id

    # The code cannot be used twice, whichever step it comes back at.
    used = post_form(client, code_url, {"code": codes[0]})
    assert "Ce code d'invitation a déjà servi" in page_text(used)
    replay = post_form(client, code_url, {"step": "answers", "code": codes[0], **_resident_fields(bron.id)})
    assert "Ce code d'invitation a déjà servi" in page_text(replay)
    forged = post_form(client, code_url, {"step": "answers", "code": "ABCD-EFGH-JK", **_resident_fields(bron.id)})
    assert "Ce code d'invitation n'existe pas" in page_text(forged)
    assert _count(db, ResidentPending) == 1
    assert "1 code utilisé sur 2 envoyés" in _words(manager.get(manage_url))


def test_code_page_exists_only_for_open_panel_surveys(client, db, make):
    open_mode = make_survey(db, "open")
    assert client.get(f"/questionnaires/{open_mode.id}/code").status_code == 404
    closed_panel = make_survey(db, "closed", sampling_mode="panel")
    response = client.get(f"/questionnaires/{closed_panel.id}/code")
    assert response.status_code == 403 and "n'accepte plus de réponses" in page_text(response)


def test_code_submissions_are_rate_limited(client, db, make):
    survey = make_survey(db, "open", sampling_mode="panel")
    url = f"/questionnaires/{survey.id}/code"
    statuses = [post_form(client, url, {"code": "ZZZZ-ZZZZ-ZZ"}).status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


# --- the officials' questionnaire -----------------------------------------------------

def test_official_answers_before_any_result_once(client, db, make):
    survey = make_survey(db, "open")
    sign_in(client, make.elected())
    url = f"/questionnaires/{survey.id}/elus"
    page = client.get(url)
    assert page.status_code == 200 and "avant que le moindre résultat ne soit visible" in page_text(page)
    missing = post_form(client, url, {"estimate_s1": "30", "opinion_s1": "4"})
    assert "Donnez votre estimation, de 0 à 100." in page_text(missing)
    assert 'href="#estimate_s2"' in missing.get_data(as_text=True)
    too_high = post_form(client, url, {"estimate_s1": "30", "estimate_s2": "101"})
    assert "Indiquez un nombre entre 0 et 100." in page_text(too_high)
    assert _count(db, OfficialPending) == 0

    done = post_form(client, url, {"estimate_s1": "30", "estimate_s2": "55", "opinion_s1": "4"},
                     follow_redirects=True)
    assert "Vos estimations sont enregistrées à part de votre nom" in page_text(done)
    stored = db.session.execute(select(OfficialPending)).scalar_one()
    assert (stored.estimates, stored.opinions) == ("30,55", "4.")
    assert "Vous avez déjà répondu au questionnaire des élus" in page_text(client.get(url))
    again = post_form(client, url, {"estimate_s1": "10", "estimate_s2": "10"}, form_url=f"/questionnaires/{survey.id}")
    assert "Vous avez déjà répondu au questionnaire des élus" in page_text(again)
    assert _count(db, OfficialPending) == 1


def test_an_official_of_another_territory_is_told_the_questionnaire_is_not_theirs(client, db, make):
    bron = make_survey(db, "open", territory="69029")
    sign_in(client, make.elected("69266"))  # mayor of Villeurbanne
    response = client.get(f"/questionnaires/{bron.id}/elus")
    assert response.status_code == 403
    assert "réservé aux personnes élues de Bron" in page_text(response)
    response = post_form(client, f"/questionnaires/{bron.id}/elus", {"estimate_s1": "1", "estimate_s2": "1"},
                         form_url=f"/questionnaires/{bron.id}")
    assert response.status_code == 403 and _count(db, OfficialPending) == 0


def test_officials_questionnaire_closes_with_publication(client, db, make):
    survey = make_survey(db, "closed")
    sign_in(client, make.elected())
    assert client.get(f"/questionnaires/{survey.id}/elus").status_code == 200  # closed, not yet published
    publish(survey)
    db.session.commit()
    response = client.get(f"/questionnaires/{survey.id}/elus")
    assert response.status_code == 403 and "les résultats sont publiés" in page_text(response)
