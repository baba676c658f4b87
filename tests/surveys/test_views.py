"""Survey pages as people use them: list, create and import, the survey page and its call to
action, answering (online, with a code, as an official), management, published results."""
from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from plateforme.core.models import local_today
from plateforme.surveys.models import (
    Channel, ImportLog, InvitationCode, OfficialResponse, PerceptionSurvey, ResidentParticipation, ResidentResponse,
    SurveyStatus,
)
from plateforme.surveys.publication import publish
from plateforme.surveys.services import (
    ResidentAnswers, close_survey, generate_codes, submit_official_answers, submit_resident_answers,
)

from ..factories import SURVEY_DEFINITION, make_survey, page_text, post_form, sign_in

CODE_RE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}\b")


def _text(response) -> str:
    """Page text with the narrow and ordinary no-break spaces locales put in numbers turned plain."""
    return re.sub(r"[\u00a0\u202f]", " ", page_text(response))


def _words(response) -> str:
    """The visible words of a page, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _text(response)))


def _count(db, model, **filters) -> int:
    db.session.rollback()  # read what the requests committed
    stmt = select(func.count()).select_from(model)
    for name, value in filters.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.execute(stmt).scalar_one()


def _survey(db, survey_id) -> PerceptionSurvey:
    db.session.rollback()
    return db.session.get(PerceptionSurvey, survey_id)


def _create_fields(territory_id, **overrides) -> dict:
    fields = {
        "title": "Ouverture internationale de la métropole", "introduction": "Pourquoi **ce** questionnaire.",
        "territory": territory_id, "sampling_mode": "open", "opens_at": "2026-01-01", "closes_at": "2099-12-31",
        "min_residents": "11", "min_officials": "3", "conducted_by": "Service participation",
        "statement_1_text": "La commune devrait accueillir davantage d'étudiants étrangers",
        "statement_1_theme": "people",
        "statement_2_text": "", "statement_2_theme": "other",
        "statement_3_text": "Les entreprises étrangères sont une chance pour l'emploi local",
        "statement_3_theme": "capital",
    }
    fields.update(overrides)
    return fields


def _resident_fields(commune_id, **overrides) -> dict:
    fields = {"answer_s1": "5", "estimate_s1": "40", "answer_s2": "d", "estimate_s2": "",
              "sex": "F", "age_band": "30-44", "commune": str(commune_id)}
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def _resident(make, commune="69266", **kwargs):
    return ResidentAnswers(sex=kwargs.get("sex", "F"), age_band=kwargs.get("age_band", "30-44"),
                           commune=make.territory(commune), answers=kwargs.get("answers", {"s1": "5", "s2": "4"}),
                           estimates={})


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
    ({"opens_at": "2026-13-45"}, "Saisissez une date valide au format AAAA-MM-JJ"),
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
    assert message in body
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
    assert message in body
    if b"{" in content:  # every problem is listed, not only the first
        assert "« title » doit compter" in body and "« statements » doit être une liste" in body
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
    assert re.search(r'<fieldset id="answer_s1"[^>]*>\s*<legend>« La métropole devrait', html)
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
    stored = db.session.execute(select(ResidentResponse)).scalar_one()
    assert (stored.answers, stored.estimates, stored.sex, stored.channel) == ("5.", "40,", "F", Channel.ONLINE)
    assert _count(db, ResidentParticipation, user_id=user.id) == 1

    # A second visit and a second submission both say so, and change nothing.
    assert "Vous avez déjà répondu à ce questionnaire" in page_text(client.get(url))
    again = post_form(client, url, _resident_fields(user.commune_id, answer_s1="1"),
                      form_url=f"/questionnaires/{survey.id}")
    assert "Vous avez déjà répondu à ce questionnaire" in page_text(again)
    assert _count(db, ResidentResponse) == 1
    assert "Vous avez déjà répondu à ce questionnaire. Merci !" in page_text(client.get(f"/questionnaires/{survey.id}"))


@pytest.mark.parametrize("overrides,field,message", [
    ({"answer_s1": "7"}, "answer_s1", "Choisissez une des réponses proposées."),
    ({"estimate_s1": "150"}, "estimate_s1", "Indiquez un nombre entre 0 et 100."),
    ({"estimate_s1": "quarante"}, "estimate_s1", "Saisissez un nombre entier"),
    ({"sex": None}, "sex", "Indiquez si vous êtes une femme ou un homme."),
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
    assert _count(db, ResidentResponse) == 0 and _count(db, ResidentParticipation) == 0


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
    assert db.session.execute(select(ResidentResponse.answers)).scalar_one() == ".."


def test_a_commune_outside_the_territory_is_refused_by_the_service_too(client, db, make):
    """The commune list only holds the territory's communes; the service checks again."""
    survey = make_survey(db, "open", territory="69029")
    user = make.user(commune="69029")
    sign_in(client, user)
    response = post_form(client, f"/questionnaires/{survey.id}/repondre",
                         _resident_fields(make.territory("69266").id))
    assert "Choisissez une commune du territoire dans la liste." in page_text(response)
    assert _count(db, ResidentResponse) == 0


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
    assert _count(db, ResidentResponse) == 0

    # Past its closing date but not yet closed by hand: refused the same way.
    ended = make_survey(db, "open", opens_at="2026-01-01", closes_at=(local_today() - timedelta(days=1)).isoformat())
    response = post_form(client, f"/questionnaires/{ended.id}/repondre", _resident_fields(user.commune_id),
                         form_url=f"/questionnaires/{ended.id}")
    assert response.status_code == 403 and "n'accepte plus de réponses" in page_text(response)
    assert _count(db, ResidentResponse) == 0


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
    response = db.session.execute(select(ResidentResponse)).scalar_one()
    assert response.channel == Channel.PANEL and response.commune_id == bron.id

    # The code cannot be used twice, whichever step it comes back at.
    used = post_form(client, code_url, {"code": codes[0]})
    assert "Ce code d'invitation a déjà servi" in page_text(used)
    replay = post_form(client, code_url, {"step": "answers", "code": codes[0], **_resident_fields(bron.id)})
    assert "Ce code d'invitation a déjà servi" in page_text(replay)
    forged = post_form(client, code_url, {"step": "answers", "code": "ABCD-EFGH-JK", **_resident_fields(bron.id)})
    assert "Ce code d'invitation n'existe pas" in page_text(forged)
    assert _count(db, ResidentResponse) == 1
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
    assert _count(db, OfficialResponse) == 0

    done = post_form(client, url, {"estimate_s1": "30", "estimate_s2": "55", "opinion_s1": "4"},
                     follow_redirects=True)
    assert "Vos estimations sont enregistrées à part de votre nom" in page_text(done)
    stored = db.session.execute(select(OfficialResponse)).scalar_one()
    assert (stored.estimates, stored.opinions) == ("30,55", "4.")
    assert "Vous avez déjà répondu au questionnaire des élus" in page_text(client.get(url))
    again = post_form(client, url, {"estimate_s1": "10", "estimate_s2": "10"}, form_url=f"/questionnaires/{survey.id}")
    assert "Vous avez déjà répondu au questionnaire des élus" in page_text(again)
    assert _count(db, OfficialResponse) == 1


def test_an_official_of_another_territory_is_told_the_questionnaire_is_not_theirs(client, db, make):
    bron = make_survey(db, "open", territory="69029")
    sign_in(client, make.elected("69266"))  # mayor of Villeurbanne
    response = client.get(f"/questionnaires/{bron.id}/elus")
    assert response.status_code == 403
    assert "réservé aux personnes élues de Bron" in page_text(response)
    response = post_form(client, f"/questionnaires/{bron.id}/elus", {"estimate_s1": "1", "estimate_s2": "1"},
                         form_url=f"/questionnaires/{bron.id}")
    assert response.status_code == 403 and _count(db, OfficialResponse) == 0


def test_officials_questionnaire_closes_with_publication(client, db, make):
    survey = make_survey(db, "closed")
    sign_in(client, make.elected())
    assert client.get(f"/questionnaires/{survey.id}/elus").status_code == 200  # closed, not yet published
    publish(survey)
    db.session.commit()
    response = client.get(f"/questionnaires/{survey.id}/elus")
    assert response.status_code == 403 and "les résultats sont publiés" in page_text(response)


# --- management --------------------------------------------------------------------

def test_officials_open_and_close_but_only_moderators_publish(app, client, db, make):
    survey = make_survey(db, "draft")
    manage_url = f"/questionnaires/{survey.id}/gerer"
    sign_in(client, make.elected())
    page = page_text(client.get(manage_url))
    assert "Ouvrir le questionnaire" in page and "Télécharger la définition (JSON)" in page
    assert post_form(client, f"{manage_url}/ouvrir", {}, form_url=manage_url).status_code == 302
    assert _survey(db, survey.id).status == SurveyStatus.OPEN
    assert "Questionnaire ouvert" in page_text(client.get(manage_url))
    post_form(client, f"{manage_url}/clore", {}, form_url=manage_url)
    assert _survey(db, survey.id).status == SurveyStatus.CLOSED
    # Closing twice is refused politely, with the service's reason.
    post_form(client, f"{manage_url}/clore", {}, form_url=manage_url)
    assert 'class="flash flash--error"' in client.get(manage_url).get_data(as_text=True)
    assert _survey(db, survey.id).status == SurveyStatus.CLOSED
    assert "revient à la modération" in page_text(client.get(manage_url))
    denied = post_form(client, f"{manage_url}/publier", {"publish-change_note": ""}, form_url=manage_url)
    assert denied.status_code == 403 and _survey(db, survey.id).status == SurveyStatus.CLOSED

    moderator = app.test_client()
    sign_in(moderator, make.moderator())
    published = post_form(moderator, f"{manage_url}/publier", {"publish-change_note": ""}, form_url=manage_url)
    assert published.status_code == 302 and published.headers["Location"].endswith(f"/questionnaires/{survey.id}/resultats")
    assert _survey(db, survey.id).status == SurveyStatus.PUBLISHED


def test_a_correction_needs_a_public_note_and_becomes_a_new_version(client, db, make):
    survey = make_survey(db, "closed")
    publish(survey)
    db.session.commit()
    sign_in(client, make.admin())
    manage_url = f"/questionnaires/{survey.id}/gerer"
    refused = post_form(client, f"{manage_url}/publier", {"publish-change_note": "  "}, form_url=manage_url)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'id="publish-change_note-error"' in html
    assert "Une correction doit expliquer publiquement ce qui change." in page_text(refused)
    assert len(_survey(db, survey.id).publications) == 1

    post_form(client, f"{manage_url}/publier", {"publish-change_note": "Réponses papier de Bron ajoutées"},
              form_url=manage_url)
    survey = _survey(db, survey.id)
    assert [p.version for p in survey.publications] == [1, 2]
    body = page_text(client.get(f"/questionnaires/{survey.id}/resultats"))
    assert "Réponses papier de Bron ajoutées" in body and "Version 2 (affichée)" in body
    assert f"/questionnaires/{survey.id}/resultats/v1" in body
    old = page_text(client.get(f"/questionnaires/{survey.id}/resultats/v1"))
    assert "remplacée depuis par une correction" in old and survey.publications[0].sha256 in old
    assert client.get(f"/questionnaires/{survey.id}/resultats/v9").status_code == 404


def test_paper_imports_list_every_faulty_line_and_are_logged(app, client, db, make):
    survey = make_survey(db, "open")
    manage_url = f"/questionnaires/{survey.id}/gerer"
    official = app.test_client()
    sign_in(official, make.elected())
    assert "Importer les réponses papier" not in page_text(official.get(manage_url))
    csv_ok = b"sex,age_band,commune,s1,s2\nF,30-44,69266,5,dk\nM,75+,69029,1,\n"
    forbidden = post_form(official, f"{manage_url}/import-reponses",
                          {"answers-file": (io.BytesIO(csv_ok), "papier.csv")}, form_url=manage_url,
                          content_type="multipart/form-data")
    assert forbidden.status_code == 403

    admin = make.admin()
    sign_in(client, admin)
    faulty = b"sex,age_band,commune,s1,s2\nF,30-44,69266,5,dk\nX,30-44,69266,5,5\nM,75+,75056,9,1\n"
    response = post_form(client, f"{manage_url}/import-reponses",
                         {"answers-file": (io.BytesIO(faulty), "papier.csv")}, form_url=manage_url,
                         content_type="multipart/form-data")
    body = page_text(response)
    assert response.status_code == 200 and "2 lignes en erreur : rien n'a été importé." in body
    rows = re.findall(r'<tr><td class="number">(\d+)</td><td>([^<]*)</td></tr>', response.get_data(as_text=True))
    assert [line for line, _ in rows] == ["3", "4"]
    assert "sexe" in rows[0][1] and "commune" in rows[1][1] and "s1" in rows[1][1]
    assert _count(db, ResidentResponse) == 0

    done = post_form(client, f"{manage_url}/import-reponses", {"answers-file": (io.BytesIO(csv_ok), "papier.csv")},
                     form_url=manage_url, content_type="multipart/form-data")
    assert done.status_code == 302
    assert _count(db, ResidentResponse, channel=Channel.PAPER) == 2
    estimates = post_form(client, f"{manage_url}/import-estimations",
                          {"estimates-file": (io.BytesIO(b"nom,s1,s2\nA,30,40\nB,101,x\n"), "elus.csv")},
                          form_url=manage_url, content_type="multipart/form-data")
    assert "1 ligne en erreur" in page_text(estimates) and _count(db, OfficialResponse) == 0
    page = client.get(manage_url)
    body = page_text(page)
    assert "papier.csv" in body and hashlib.sha256(csv_ok).hexdigest() in body and admin.email in body
    assert _count(db, ImportLog) == 1


def test_import_with_no_file_says_so(client, db, make):
    survey = make_survey(db, "open")
    sign_in(client, make.admin())
    manage_url = f"/questionnaires/{survey.id}/gerer"
    response = post_form(client, f"{manage_url}/import-estimations", {}, form_url=manage_url)
    assert response.status_code == 200 and "Choisissez un fichier CSV." in page_text(response)


def test_codes_need_a_sensible_number(client, db, make):
    survey = make_survey(db, "open", sampling_mode="panel")
    sign_in(client, make.elected())
    manage_url = f"/questionnaires/{survey.id}/gerer"
    response = post_form(client, f"{manage_url}/codes", {"codes-count": "0"}, form_url=manage_url)
    assert "Indiquez un nombre de codes entre 1 et 5 000." in _text(response)
    assert _count(db, InvitationCode) == 0


# --- published results ---------------------------------------------------------------

@pytest.mark.parametrize("status", ["draft", "open", "closed"])
def test_results_are_not_visible_before_publication(app, client, db, make, status):
    survey = make_survey(db, status)
    sign_in(client, make.admin())  # not even administrators
    for path in ("resultats", "resultats/v1", "resultats/v1.json"):
        response = client.get(f"/questionnaires/{survey.id}/{path}")
        assert response.status_code == 404, path
    assert "Ces résultats ne sont pas publiés" in page_text(client.get(f"/questionnaires/{survey.id}/resultats"))
    assert app.test_client().get(f"/api/v1/surveys/{survey.id}/results").status_code == 404


def _published_survey(db, make):
    """30 residents, most agreeing with s1; s2 answered by too few to publish; 4 officials who
    think far fewer agree."""
    survey = make_survey(db, "open")
    for index in range(30):
        answers = {"s1": "5" if index % 3 else "2"}
        if index < 5:
            answers["s2"] = "4"
        submit_resident_answers(survey, _resident(make, sex="FM"[index % 2], answers=answers))
    for estimate in (20, 30, 40, 50):
        submit_official_answers(survey, make.elected(), {"s1": estimate, "s2": 50}, {})
    close_survey(survey)
    publication = publish(survey)
    db.session.commit()
    return survey, json.loads(publication.payload)


def test_results_page_is_drawn_from_the_snapshot(client, db, make):
    survey, payload = _published_survey(db, make)
    s1, s2 = payload["statements"]
    assert s2["residents"]["suppressed"] and s1["gap"]["value"] < 0
    expected_gap = round(-s1["gap"]["value"] * 100)

    # Answers slipped into the database after publication change nothing on the page.
    db.session.add_all(ResidentResponse(survey_id=survey.id, sex="F", age_band="30-44",
                                        commune_id=make.territory("69266").id, answers="11", estimates="",
                                        channel=Channel.PAPER) for _ in range(20))
    db.session.commit()
    response = client.get(f"/questionnaires/{survey.id}/resultats")
    html = response.get_data(as_text=True)
    body = _text(response)
    assert response.status_code == 200 and html.count("<h1>") == 1
    title = f"Les élus sous-estiment l'adhésion des habitants de {expected_gap} points"
    assert f"<h2 id=\"chart-heading\">{title.replace(chr(39), '&#39;')}" in html
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert re.search(r'<title id="chart-title">Les élus sous-estiment', svg)
    assert '<desc id="chart-desc">s1 : 67' in svg.replace("\u00a0", " ").replace("\u202f", " ")
    assert "<script" not in html and "Élus : moyenne 35" in svg.replace("\u202f", " ").replace("\u00a0", " ")
    # Whole percentages from the snapshot; the suppressed statement is never shown as zero.
    assert f"{round(s1['residents']['agree'] * 100)} %" in body
    assert "non publié (moins de 11 réponses)" in body
    assert "Habitants : non publié (moins de 11 réponses)" in svg
    assert "intervalle fondé sur un modèle, pas une marge d'erreur d'échantillonnage" in body
    assert "Élus sous / dans / au-dessus de l'intervalle des habitants" in body
    assert "30 habitantes et habitants" in body and "4 personnes élues sur 4" in body
    assert payload["survey"]["title"] in body and survey.latest_publication.sha256 in body
    assert "Questions posées, mot pour mot" in body and "Ni d'accord ni pas d'accord" in body
    assert f"/api/v1/surveys/{survey.id}/results.csv?version=1" in html
    assert f"/questionnaires/{survey.id}/resultats/v1.json" in html


def test_snapshot_download_is_the_exact_published_bytes(client, db, make):
    survey, _payload = _published_survey(db, make)
    response = client.get(f"/questionnaires/{survey.id}/resultats/v1.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert hashlib.sha256(response.data).hexdigest() == survey.latest_publication.sha256
    assert response.data == survey.latest_publication.payload.encode("utf-8")


def test_results_with_no_published_gap_have_a_neutral_title(client, db, make):
    survey = make_survey(db, "closed")
    publish(survey)
    db.session.commit()
    response = client.get(f"/questionnaires/{survey.id}/resultats")
    body = page_text(response)
    assert "Estimations des élus et adhésion des habitants, affirmation par affirmation" in body
    assert "sous-estiment" not in body and "surestiment" not in body
    assert "non publié (moins de 3 réponses)" in body


def test_results_page_costs_the_same_queries_whatever_the_number_of_answers(client, db, make):
    def queries_for(survey_id) -> int:
        statements = []

        def count(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/questionnaires/{survey_id}/resultats").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    small = make_survey(db, "open")
    for _ in range(12):
        submit_resident_answers(small, _resident(make))
    close_survey(small)
    publish(small)
    large, _payload = _published_survey(db, make)
    db.session.commit()
    assert queries_for(small.id) == queries_for(large.id)
