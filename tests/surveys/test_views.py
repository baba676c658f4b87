"""Survey pages as people use them: the list, creating and importing, the survey page and its
call to action, answering as a resident."""
from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from plateforme.core.models import local_today
from plateforme.core.text import french_spacing
from plateforme.surveys.models import (
    Channel, PerceptionSurvey, ResidentParticipation, ResidentPending, SurveyStatus,
)
from plateforme.surveys.publication import publish
from plateforme.surveys.services import close_survey, submit_resident_answers

from ..factories import SURVEY_DEFINITION, make_survey, page_text, post_form, sign_in
from .page_helpers import _count, _create_fields, _resident, _resident_fields, _text, _words


# --- list, navigation, home -------------------------------------------------------------

def test_list_says_what_to_do_when_empty_then_shows_open_and_published_surveys(client, db, make):
    body = _text(client.get("/questionnaires/"))
    assert "Aucun questionnaire n'est ouvert pour le moment." in body
    assert "Aucun résultat n'est encore publié." in body
    assert "Créer un compte" in body

    open_survey = make_survey(db, "open", title="Questionnaire ouvert aux habitants")
    published = make_survey(db, "closed", title="Questionnaire déjà publié")
    publish(published)
    db.session.commit()
    make_survey(db, "draft", title="Brouillon secret")
    body = _text(client.get("/questionnaires/"))
    assert "Questionnaire ouvert aux habitants" in body and "Métropole de Lyon" in body
    assert "Ouvert jusqu'au 31 décembre 2099 inclus" in body
    assert f'/questionnaires/{open_survey.id}"' in client.get("/questionnaires/").get_data(as_text=True)
    assert "Questionnaire déjà publié" in body and f"/questionnaires/{published.id}/resultats" in body
    assert "Brouillon secret" not in body


def test_navigation_site_map_and_home_lead_to_surveys(client, db, make):
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<nav class="main-nav".*href="/questionnaires/"[^>]*>Questionnaires</a>', home, re.S)
    assert "Aucun questionnaire n'est ouvert pour le moment sur le territoire." in page_text(client.get("/"))
    assert "/questionnaires/" in client.get("/plan-du-site").get_data(as_text=True)

    make_survey(db, "open", title="Questionnaire de la métropole")
    bron = make_survey(db, "open", title="Questionnaire de Bron", territory="69029")
    published = make_survey(db, "closed", title="Résultats de la métropole")
    publish(published)
    db.session.commit()
    body = _text(client.get("/"))
    assert "Questionnaire de la métropole" in body
    assert "Questionnaire de Bron" in body, "surveys of the home territory's communes are listed too"
    assert f"/questionnaires/{bron.id}" in body
    assert "Résultats de la métropole" in body and f"/questionnaires/{published.id}/resultats" in body
    assert "Aucun questionnaire n'est ouvert" not in body


# --- creating a survey ----------------------------------------------------------------

def test_official_creates_a_draft_from_the_form_with_keys_in_order_and_blank_rows_ignored(client, db, make):
    official = make.elected()
    sign_in(client, official)
    page = client.get("/questionnaires/nouveau").get_data(as_text=True)
    epci = make.territory("200046977")
    # An official chooses among the territories of their verified mandates only.
    assert f'<option value="{epci.id}"' in page
    assert f'<option value="{make.territory("69029").id}"' not in page
    assert 'value="11"' in page and 'value="3"' in page  # default thresholds

    response = post_form(client, "/questionnaires/nouveau", _create_fields(epci.id))
    assert response.status_code == 302
    survey = db.session.execute(select(PerceptionSurvey)).scalar_one()
    assert response.headers["Location"].endswith(f"/questionnaires/{survey.id}/gerer")
    assert survey.status == SurveyStatus.DRAFT and survey.territory_id == epci.id
    assert survey.created_by_id == official.id and survey.conducted_by == "Service participation"
    assert "<strong>ce</strong>" in survey.introduction_html
    assert [(s.key, s.theme.value) for s in survey.statements] == [("s1", "people"), ("s2", "capital")]
    assert survey.statements[1].text.startswith("Les entreprises étrangères")


@pytest.mark.parametrize("overrides,message", [
    ({"opens_at": "2026-13-45"}, "Saisissez une date valide, par exemple 31/03/2026."),
    ({"opens_at": "2026-06-01", "closes_at": "2026-05-01"}, "La date de clôture précède la date d'ouverture."),
    ({"statement_1_text": "", "statement_3_text": ""}, "Écrivez au moins une affirmation."),
    ({"statement_1_theme": "weather"}, "Ce thème n'existe pas : choisissez-en un dans la liste."),
    ({"statement_1_text": "Oui"}, "Une affirmation compte entre 5 et 500 caractères."),
    ({"min_residents": "2"}, "Le seuil doit être compris entre 5 et 1 000."),
    ({"min_officials": "trois"}, "Saisissez un nombre entier"),
    ({"sampling_mode": "lottery"}, "Choisissez une des options proposées."),
])
def test_bad_survey_definitions_are_explained_and_nothing_is_created(client, db, make, overrides, message):
    sign_in(client, make.admin())
    response = post_form(client, "/questionnaires/nouveau", _create_fields(make.territory("200046977").id, **overrides))
    assert response.status_code == 200
    body = page_text(response)
    assert french_spacing(message) in body  # the message as the French catalogue prints it
    assert 'role="alert"' in response.get_data(as_text=True)  # the error summary
    assert body.count("Erreur — Créer un questionnaire") == 1
    assert _count(db, PerceptionSurvey) == 0


def test_official_cannot_create_a_survey_outside_their_mandates(client, db, make):
    sign_in(client, make.elected())
    response = post_form(client, "/questionnaires/nouveau", _create_fields(make.territory("69029").id))
    assert "Choisissez un territoire de la liste." in page_text(response)
    assert _count(db, PerceptionSurvey) == 0


def test_an_administrator_may_run_a_survey_on_any_commune(client, db, make):
    sign_in(client, make.admin())
    bron = make.territory("69029")
    assert post_form(client, "/questionnaires/nouveau", _create_fields(bron.id)).status_code == 302
    assert db.session.execute(select(PerceptionSurvey)).scalar_one().territory_id == bron.id


def test_a_definition_is_exported_then_imported_on_another_territory(client, db, make):
    source = make_survey(db, "open", conducted_by="Réseau des villes")
    sign_in(client, make.admin())
    exported = client.get(f"/questionnaires/{source.id}/definition.json")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    assert "attachment" in exported.headers["Content-Disposition"]
    definition = json.loads(exported.data)
    assert definition["territory"] == "200046977" and len(definition["statements"]) == 2

    bron = make.territory("69029")
    response = post_form(client, "/questionnaires/importer", {
        "import-file": (io.BytesIO(exported.data), "definition.json"), "import-territory": bron.id,
    }, form_url="/questionnaires/nouveau", content_type="multipart/form-data")
    assert response.status_code == 302
    copy = db.session.execute(select(PerceptionSurvey).where(PerceptionSurvey.id != source.id)).scalar_one()
    assert copy.territory_id == bron.id and copy.status == SurveyStatus.DRAFT
    assert [s.text for s in copy.statements] == [s["text"] for s in SURVEY_DEFINITION["statements"]]
    assert copy.conducted_by == "Réseau des villes"


@pytest.mark.parametrize("content,message", [
    (b"\xff\xfe not json", "Ce fichier n'est pas du JSON lisible"),
    (b'{"title": "Ab", "sampling_mode": "sometimes", "statements": []}', "« sampling_mode » doit valoir"),
])
def test_a_faulty_definition_file_is_explained(client, db, make, content, message):
    sign_in(client, make.admin())
    response = post_form(client, "/questionnaires/importer", {
        "import-file": (io.BytesIO(content), "definition.json"), "import-territory": make.territory("69029").id,
    }, form_url="/questionnaires/nouveau", content_type="multipart/form-data")
    assert response.status_code == 200
    body = page_text(response)
    assert french_spacing(message) in body  # the message as the French catalogue prints it
    if b"{" in content:  # every problem is listed, not only the first
        assert "«\u00a0title\u00a0» doit compter" in body and "«\u00a0statements\u00a0» doit être une liste" in body
    assert _count(db, PerceptionSurvey) == 0


# --- the survey page -----------------------------------------------------------------

def test_survey_page_shows_one_call_to_action_per_person(app, client, db, make):
    survey = make_survey(db, "open", introduction="Une **présentation**.")
    url = f"/questionnaires/{survey.id}"
    body = page_text(client.get(url))
    assert "Se connecter pour répondre" in body and "Métropole de Lyon" in body
    assert "La métropole devrait accueillir davantage d'étudiants étrangers" in body
    assert "elles sont enregistrées à part de la liste des personnes qui ont répondu" in body
    assert re.search(r"<strong>0</strong>\s+réponses? d'habitants?", body)
    assert "<strong>présentation</strong>" in client.get(url).get_data(as_text=True)

    resident = app.test_client()
    sign_in(resident, make.user())
    assert "Répondre au questionnaire" in page_text(resident.get(url))

    official = app.test_client()
    sign_in(official, make.elected())
    body = page_text(official.get(url))
    assert "Répondre au questionnaire des élus" in body and "Gérer ce questionnaire" in body
    assert f'href="/questionnaires/{survey.id}/repondre"' not in official.get(url).get_data(as_text=True)


def test_survey_page_explains_why_someone_cannot_take_part(client, db, make):
    bron = make_survey(db, "open", territory="69029")
    sign_in(client, make.user(commune="69266"))
    body = page_text(client.get(f"/questionnaires/{bron.id}"))
    assert "réservé aux habitantes et habitants de Bron" in body and "Villeurbanne" in body

    closed = make_survey(db, "closed")
    assert "n'accepte plus de réponses" in page_text(client.get(f"/questionnaires/{closed.id}"))
    panel = make_survey(db, "open", sampling_mode="panel")
    assert "Répondre avec mon code d'invitation" in page_text(client.get(f"/questionnaires/{panel.id}"))
    later = make_survey(db, "open", opens_at=(local_today() + timedelta(days=3)).isoformat())
    assert "Ce questionnaire ouvrira le" in page_text(client.get(f"/questionnaires/{later.id}"))


def test_a_draft_is_visible_only_to_those_who_manage_it(app, client, db, make):
    draft = make_survey(db, "draft")
    assert client.get(f"/questionnaires/{draft.id}").status_code == 404
    sign_in(client, make.user())
    assert client.get(f"/questionnaires/{draft.id}").status_code == 404
    assert client.get(f"/questionnaires/{draft.id}/repondre").status_code == 404
    manager = app.test_client()
    sign_in(manager, make.elected())
    assert "en préparation" in page_text(manager.get(f"/questionnaires/{draft.id}"))
    assert client.get("/questionnaires/999999").status_code == 404


def test_participation_counts_are_shown_but_never_results_before_publication(client, db, make):
    survey = make_survey(db, "open")
    for sex in "FFMMF":
        submit_resident_answers(survey, _resident(make, sex=sex))
    body = _words(client.get(f"/questionnaires/{survey.id}"))
    assert "5 réponses d'habitants" in body
    assert "%" not in body.split("Participation", 1)[1].split("Les affirmations", 1)[0]


# --- answering as a resident ------------------------------------------------------------

def test_resident_form_is_accessible_and_preselects_the_commune(client, db, make):
    survey = make_survey(db, "open")
    user = make.user(commune="69029")
    sign_in(client, user)
    html = client.get(f"/questionnaires/{survey.id}/repondre").get_data(as_text=True)
    assert html.count("<h1>") == 1 and 'aria-label="Fil d\'Ariane"' in html
    # One fieldset with its legend per statement; six answers including "ne sait pas".
    assert re.search(r'<fieldset id="answer_s1"[^>]*>\s*<legend>«\sLa métropole devrait', html)
    for label in ("Tout à fait d'accord", "Plutôt d'accord", "Ni d'accord ni pas d'accord",
                  "Plutôt pas d'accord", "Pas du tout d'accord", "Ne sait pas"):
        assert html.count(label) >= 2, label
    assert 'for="estimate_s1"' in html
    assert re.search(rf'<option selected value="{user.commune_id}">|<option value="{user.commune_id}" selected',
                     html)
    assert "75 ans ou plus" in html and 'id="sex"' in html


def test_resident_answers_once_and_anonymously(client, db, make):
    survey = make_survey(db, "open")
    user = make.user()
    sign_in(client, user)
    url = f"/questionnaires/{survey.id}/repondre"
    response = post_form(client, url, _resident_fields(user.commune_id, answer_s2=None), follow_redirects=True)
    body = page_text(response)
    # Post/redirect/get: reloading the thank-you page submits nothing again.
    assert [r.status_code for r in response.history] == [302]
    assert response.status_code == 200 and "Merci, vos réponses sont enregistrées" in body
    assert "anonymes" in body and "31 décembre 2099" in body
    stored = db.session.execute(select(ResidentPending)).scalar_one()
    assert (stored.answers, stored.estimates, stored.sex, stored.channel) == ("5.", "40,", "F", Channel.ONLINE)
    assert _count(db, ResidentParticipation, user_id=user.id) == 1

    # A second visit and a second submission both say so, and change nothing.
    assert "Vous avez déjà répondu à ce questionnaire" in page_text(client.get(url))
    again = post_form(client, url, _resident_fields(user.commune_id, answer_s1="1"),
                      form_url=f"/questionnaires/{survey.id}")
    assert "Vous avez déjà répondu à ce questionnaire" in page_text(again)
    assert _count(db, ResidentPending) == 1
    assert "Vous avez déjà répondu à ce questionnaire. Merci\u00a0!" in page_text(client.get(f"/questionnaires/{survey.id}"))


@pytest.mark.parametrize("overrides,field,message", [
    ({"answer_s1": "7"}, "answer_s1", "Choisissez une des réponses proposées."),
    ({"estimate_s1": "150"}, "estimate_s1", "Indiquez un nombre entre 0 et 100."),
    ({"estimate_s1": "quarante"}, "estimate_s1", "Saisissez un nombre entier"),
    ({"sex": None}, "sex", "Indiquez si vous êtes une femme ou un homme, ou que vous préférez ne pas répondre."),
    ({"age_band": "12-17"}, "age_band", "Choisissez une des options proposées."),
    ({"commune": "999999"}, "commune", "Choisissez une commune du territoire dans la liste."),
])
def test_bad_resident_answers_are_shown_next_to_their_field(client, db, make, overrides, field, message):
    survey = make_survey(db, "open")
    user = make.user()
    sign_in(client, user)
    response = post_form(client, f"/questionnaires/{survey.id}/repondre", _resident_fields(user.commune_id, **overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="#{field}"' in html, "the error summary links to the field"
    assert re.search(rf'id="{field}-error">.*?{re.escape(message.replace(chr(39), "&#39;"))}', html, re.S)
    assert _count(db, ResidentPending) == 0 and _count(db, ResidentParticipation) == 0


def test_error_summary_follows_the_order_of_the_page(client, db, make):
    survey = make_survey(db, "open")
    sign_in(client, make.user())
    response = post_form(client, f"/questionnaires/{survey.id}/repondre", {"answer_s2": "9", "estimate_s1": "-1"})
    summary = response.get_data(as_text=True).split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert re.findall(r'href="#([\w-]+)"', summary) == ["estimate_s1", "answer_s2", "sex", "age_band", "commune"]


def test_statements_may_be_left_blank(client, db, make):
    survey = make_survey(db, "open")
    user = make.user()
    sign_in(client, user)
    post_form(client, f"/questionnaires/{survey.id}/repondre",
              _resident_fields(user.commune_id, answer_s1=None, answer_s2=None, estimate_s1=""))
    assert db.session.execute(select(ResidentPending.answers)).scalar_one() == ".."


def test_a_commune_outside_the_territory_is_refused_by_the_service_too(client, db, make):
    """The commune list only holds the territory's communes; the service checks again."""
    survey = make_survey(db, "open", territory="69029")
    user = make.user(commune="69029")
    sign_in(client, user)
    response = post_form(client, f"/questionnaires/{survey.id}/repondre",
                         _resident_fields(make.territory("69266").id))
    assert "Choisissez une commune du territoire dans la liste." in page_text(response)
    assert _count(db, ResidentPending) == 0


def test_a_late_answer_after_closing_is_refused_with_a_clear_message(app, client, db, make):
    survey = make_survey(db, "open")
    user = make.user()
    sign_in(client, user)
    url = f"/questionnaires/{survey.id}/repondre"
    client.get(url)  # the form was opened while the survey ran…
    close_survey(survey)
    db.session.commit()
    response = post_form(client, url, _resident_fields(user.commune_id), form_url=f"/questionnaires/{survey.id}")
    assert response.status_code == 403
    assert "Ce questionnaire est clos depuis le" in page_text(response)
    assert _count(db, ResidentPending) == 0

    # Past its closing date but not yet closed by hand: refused the same way.
    ended = make_survey(db, "open", opens_at="2026-01-01", closes_at=(local_today() - timedelta(days=1)).isoformat())
    response = post_form(client, f"/questionnaires/{ended.id}/repondre", _resident_fields(user.commune_id),
                         form_url=f"/questionnaires/{ended.id}")
    assert response.status_code == 403 and "n'accepte plus de réponses" in page_text(response)
    assert _count(db, ResidentPending) == 0


def test_residents_of_other_territories_and_unconfirmed_accounts_are_told_why(app, client, db, make):
    bron = make_survey(db, "open", territory="69029")
    sign_in(client, make.user(commune="69266"))
    response = client.get(f"/questionnaires/{bron.id}/repondre")
    assert response.status_code == 403 and "réservé aux habitantes et habitants de Bron" in page_text(response)

    unconfirmed = app.test_client()
    sign_in(unconfirmed, make.user(confirmed=False))
    survey = make_survey(db, "open")
    response = unconfirmed.get(f"/questionnaires/{survey.id}/repondre")
    assert response.status_code == 403 and "confirmez d'abord votre adresse" in page_text(response)
    assert client.get(f"/questionnaires/{survey.id}/repondre").status_code == 200
    visitor = app.test_client().get(f"/questionnaires/{survey.id}/repondre")
    assert visitor.status_code == 302 and "/connexion" in visitor.headers["Location"]
