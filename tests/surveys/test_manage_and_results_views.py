"""Survey pages: managing a survey (open, close, publish, correct, import paper answers,
generate codes) and its published results."""
from __future__ import annotations

import hashlib
import io
import json
import re

import pytest
from sqlalchemy import event

from plateforme.surveys.models import (
    Channel, ImportLog, InvitationCode, OfficialResponse, ResidentResponse, SurveyStatus,
)
from plateforme.surveys.publication import publish
from plateforme.surveys.services import close_survey, submit_official_answers, submit_resident_answers

from ..factories import make_survey, page_text, post_form, sign_in
from .page_helpers import _count, _resident, _survey, _text


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
    post_form(client, f"{manage_url}/clore", {"confirm": "yes"}, form_url=manage_url)
    assert _survey(db, survey.id).status == SurveyStatus.CLOSED
    # Closing twice is refused politely, with the service's reason.
    post_form(client, f"{manage_url}/clore", {"confirm": "yes"}, form_url=manage_url)
    assert 'class="flash flash--error"' in client.get(manage_url).get_data(as_text=True)
    assert _survey(db, survey.id).status == SurveyStatus.CLOSED
    assert "revient à la modération" in page_text(client.get(manage_url))
    denied = post_form(client, f"{manage_url}/publier", {"publish-change_note": "", "confirm": "yes"},
                       form_url=manage_url)
    assert denied.status_code == 403 and _survey(db, survey.id).status == SurveyStatus.CLOSED

    moderator = app.test_client()
    sign_in(moderator, make.moderator())
    published = post_form(moderator, f"{manage_url}/publier", {"publish-change_note": "", "confirm": "yes"},
                          form_url=manage_url)
    assert published.status_code == 302 and published.headers["Location"].endswith(f"/questionnaires/{survey.id}/resultats")
    assert _survey(db, survey.id).status == SurveyStatus.PUBLISHED


def test_a_correction_needs_a_public_note_and_becomes_a_new_version(client, db, make):
    survey = make_survey(db, "closed")
    publish(survey)
    db.session.commit()
    survey.title = "Titre sans coquille"  # a correction corrects something (else refused, test_truthful_screens)
    db.session.commit()
    sign_in(client, make.admin())
    manage_url = f"/questionnaires/{survey.id}/gerer"
    refused = post_form(client, f"{manage_url}/publier", {"publish-change_note": "  ", "confirm": "yes"},
                        form_url=manage_url)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'id="publish-change_note-error"' in html
    assert "Une correction doit expliquer publiquement ce qui change." in page_text(refused)
    assert len(_survey(db, survey.id).publications) == 1

    post_form(client, f"{manage_url}/publier", {"publish-change_note": "Coquille du titre corrigée",
                                                "confirm": "yes"}, form_url=manage_url)
    survey = _survey(db, survey.id)
    assert [p.version for p in survey.publications] == [1, 2]
    body = page_text(client.get(f"/questionnaires/{survey.id}/resultats"))
    assert "Coquille du titre corrigée" in body and "Version 2 (affichée)" in body
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
    faulty = b"sex,age_band,commune,s1,s2\nF,30-44,69266,5,dk\nZ,30-44,69266,5,5\nM,75+,75056,9,1\n"
    response = post_form(client, f"{manage_url}/import-reponses",
                         {"answers-file": (io.BytesIO(faulty), "papier.csv")}, form_url=manage_url,
                         content_type="multipart/form-data")
    body = page_text(response)
    assert response.status_code == 200 and "2 lignes en erreur\u00a0: rien n'a été importé." in body
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
    assert "papier.csv" in body and hashlib.sha256(csv_ok).hexdigest() in body
    assert admin.email not in body and "Administration de la plateforme" in body  # a role, never an address
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
    assert '<desc id="chart-desc">La métropole devrait accueillir davantage d' in svg
    assert ' : 67' in svg.replace("\u00a0", " ").replace("\u202f", " ")
    # No script draws the chart (the site's own focus helper, static/js, is not about it).
    assert not re.search(r'<script(?! src="/static/js/)(?! type="application/ld\+json")', html)  # JSON-LD: data
    assert "Élus : moyenne 35" in svg.replace("\u202f", " ").replace("\u00a0", " ")
    # Whole percentages from the snapshot; the suppressed statement is never shown as zero.
    assert f"{round(s1['residents']['agree'] * 100)} %" in body
    assert "non publié (moins de 11 réponses)" in body
    assert "s1 —" not in body and "<strong>s1</strong>" not in body  # internal keys are not for readers
    assert "Habitants\u00a0: non publié (moins de 11 réponses)" in svg
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

