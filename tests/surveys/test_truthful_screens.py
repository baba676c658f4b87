"""Every screen tells the truth (issue 19), for surveys: one state from the facts on every page;
counts that cannot contradict each other; confirmation pages before what cannot be undone."""
from __future__ import annotations

import html as html_module
import io
import json
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, ngettext

from plateforme.consultations.models import PhaseKind
from plateforme.core.models import local_today
from plateforme.surveys.imports import import_answers, import_estimates
from plateforme.surveys.models import ImportLog, OfficialResponse, Publication, SurveyStatus
from plateforme.surveys.publication import canonical_json, publish
from plateforme.surveys.services import SurveyError, close_survey

from ..consultations.helpers import build_consultation
from ..factories import csrf_token, make_survey, post_form, sign_in
from .page_helpers import _count, _survey, _text, _words


def _today():
    # Read at each use, not at import: a run that crosses midnight in Paris would compare
    # yesterday's date with the page's.
    return local_today()


def _planned():
    return local_today() + timedelta(days=200)


def _day(d) -> str:
    return f"{d.day} {['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'][d.month - 1]} {d.year}"  # noqa: E501


def _state(html: str) -> str:
    return re.search(r'class="[^"]*survey-state[^"]*" data-state="([a-z]+)"', html).group(1)


def _paper(n: int, s2: str = "4") -> bytes:
    return b"sex,age_band,commune,s1,s2\n" + f"F,18-29,69266,5,{s2}\n".encode() * n


def _estimates(n: int) -> bytes:
    return b"s1,s2\n" + b"40,50\n" * n


def test_a_survey_reads_the_same_everywhere_from_draft_to_published(client, db, make):
    survey = make_survey(db, "draft", opens_at=str(_today() - timedelta(days=30)), closes_at=str(_planned()))
    consultation = build_consultation(make, current=PhaseKind.SURVEY, survey=survey)
    sign_in(client, make.admin())
    page, in_consultation = f"/questionnaires/{survey.id}", f"/consultations/{consultation.id}"

    def states():
        return {_state(client.get(page).get_data(as_text=True)),
                _state(client.get(in_consultation).get_data(as_text=True))}

    assert states() == {"draft"}
    survey.move_to(SurveyStatus.OPEN)
    db.session.commit()
    assert states() == {"open"}
    assert f"ouvert jusqu'au {_day(_planned())} inclus" in _text(client.get(in_consultation))

    # Closed seven months early: every page gives today's date, none the planned one.
    confirm_url = f"/questionnaires/{survey.id}/gerer/clore"
    assert post_form(client, confirm_url, {"confirm": "yes"}, form_url=confirm_url).status_code == 302
    assert states() == {"closed"}
    for url in (page, in_consultation, "/questionnaires/"):
        text = _words(client.get(url))
        assert f"clos le {_day(_today())}".lower() in text.lower(), url
        assert f"jusqu'au {_day(_planned())}" not in text
    assert "clos plus tôt que prévu" in _words(client.get(page))

    publish_url = f"/questionnaires/{survey.id}/gerer/publier"
    assert post_form(client, publish_url, {"confirm": "yes"}, form_url=publish_url).status_code == 302
    assert states() == {"published"}
    assert f"résultats publiés le {_day(_today())}" in _words(client.get(in_consultation))
    results = _words(client.get(f"/questionnaires/{survey.id}/resultats"))
    assert f"du {_day(survey.opens_at)} au {_day(_today())} inclus" in results
    assert f"Recueil du {_day(survey.opens_at)} au {_day(_today())} inclus" in results
    assert f"au {_day(_planned())}" not in results and "clos avant la date annoncée" in results
    api = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    snapshot = json.loads(client.get(f"/questionnaires/{survey.id}/resultats/v1.json").data)
    assert api["survey"]["collected_until"] == snapshot["survey"]["collected_until"] == _today().isoformat()


# --- counts ---------------------------------------------------------------------------------

def test_more_estimates_than_officials_are_refused_unless_the_total_is_raised(client, db, make):
    survey = make_survey(db, "open")  # nobody holds a verified mandate here
    sign_in(client, make.admin())
    manage = f"/questionnaires/{survey.id}/gerer"

    def upload(**fields):
        return post_form(client, f"{manage}/import-estimations",
                         {"estimates-file": (io.BytesIO(_estimates(3)), "elus.csv"), **fields}, form_url=manage,
                         content_type="multipart/form-data")

    refused = _words(upload())
    assert "Ce fichier porterait à 3 le nombre de personnes élues qui ont répondu" in refused
    assert _count(db, OfficialResponse) == 0 and _count(db, ImportLog) == 0
    assert upload(**{"estimates-raise_total": "y"}).status_code == 302
    assert _count(db, OfficialResponse) == 3 and _survey(db, survey.id).officials_total == 3
    log = db.session.query(ImportLog).one()
    assert (log.officials_total_before, log.officials_total_after) == (0, 3)
    text = _words(client.get(manage))
    assert "nombre de personnes élues relevé de 0 à 3" in text and "3 réponses d'élus sur 3 personnes élues" in text


def test_publishing_refuses_more_officials_answering_than_counted(client, db, make):
    survey = make_survey(db, "open")
    import_estimates(survey, _estimates(4), raise_total=True)
    survey.officials_total = 2  # corrected by hand afterwards, below those who answered
    close_survey(survey)
    db.session.commit()
    sign_in(client, make.admin())
    confirm = f"/questionnaires/{survey.id}/gerer/publier"
    assert "4 personnes élues ont répondu pour 2 personnes élues connues" in _words(client.get(confirm))
    post_form(client, confirm, {"confirm": "yes"}, form_url=confirm)
    assert _count(db, Publication) == 0 and _survey(db, survey.id).status == SurveyStatus.CLOSED


def test_an_old_snapshot_without_the_closing_day_shows_the_real_one(client, db, make):
    survey = make_survey(db, "open", opens_at=str(_today() - timedelta(days=30)), closes_at=str(_planned()))
    close_survey(survey)
    publication = publish(survey)
    data = json.loads(publication.payload)
    del data["survey"]["collected_until"]  # as published before the fix
    publication.payload = canonical_json(data)
    db.session.commit()
    text = _words(client.get(f"/questionnaires/{survey.id}/resultats"))
    assert f"Recueil du {_day(survey.opens_at)} au {_day(_today())} inclus" in text and f"au {_day(_planned())}" not in text


def test_an_impossible_count_in_an_old_snapshot_is_not_displayed(client, db, make):
    """A snapshot published before the fix says 24 officials answered out of 1."""
    survey = make_survey(db, "closed")
    publication = publish(survey)
    data = json.loads(publication.payload)
    data["sample"].update(officials_answered=24, officials_total=1)
    publication.payload = canonical_json(data)
    db.session.commit()
    text = _words(client.get(f"/questionnaires/{survey.id}/resultats"))
    assert "24 personnes élues (nombre total de personnes élues non établi)" in text
    assert not re.search(r"24 personnes élues sur 1\b", text) and "(1 recensée" not in text


def test_the_notice_describes_paper_answers_and_counts_with_plural_forms(client, db, make):
    survey = make_survey(db, "open", officials_total=1)
    import_answers(survey, _paper(12))
    close_survey(survey)
    publish(survey)
    db.session.commit()
    url = f"/questionnaires/{survey.id}/resultats"
    text = _words(client.get(url))
    assert "sur papier (saisi par l'équipe) : 12" in text and "Recueil mixte" in text
    assert "(1 recensée)" in text and "12 réponses, taille effective" in text
    english = _words(client.get(url, headers={"Accept-Language": "en"}))
    assert "Mixed collection" in english and "(1 on record)" in english


def test_counts_follow_each_language_s_plural_rule_with_0_1_and_2(app):
    expected = {"fr": ["0 personne élue sur 5", "1 personne élue sur 5", "2 personnes élues sur 5"],
                "en": ["0 elected officials out of 5", "1 elected official out of 5", "2 elected officials out of 5"]}
    with app.test_request_context():
        for locale, wanted in expected.items():
            with force_locale(locale):
                assert [ngettext("%(num)s personne élue sur %(total)s", "%(num)s personnes élues sur %(total)s",
                                 n, total=5) for n in (0, 1, 2)] == wanted


def test_the_management_page_counts_officials_with_plural_forms(client, db, make):
    survey = make_survey(db, "open", officials_total=1)
    sign_in(client, make.admin())
    manage = f"/questionnaires/{survey.id}/gerer"
    assert "0 réponse d'élu sur 1 personne élue" in _words(client.get(manage))
    import_estimates(survey, _estimates(1))
    db.session.commit()
    assert "1 réponse d'élu sur 1 personne élue" in _words(client.get(manage))
    assert "1 answer from elected officials out of 1 elected official" in _words(
        client.get(manage, headers={"Accept-Language": "en"}))


# --- confirmation pages ------------------------------------------------------------------------

def test_closing_early_is_confirmed_on_a_page_that_says_what_happens(client, db, make):
    survey = make_survey(db, "open", opens_at=str(_today() - timedelta(days=30)), closes_at=str(_planned()))
    sign_in(client, make.elected())
    url = f"/questionnaires/{survey.id}/gerer/clore"
    text = _words(client.get(url))
    assert f"La clôture était prévue le {_day(_planned())} : vous le closez 200 jours plus tôt." in text
    assert "Un questionnaire clos ne peut pas être rouvert." in text
    # The old one-click button (no confirm) and a forged POST (no CSRF token) do nothing.
    one_click = post_form(client, url, {}, form_url=url)
    assert one_click.status_code == 302 and one_click.headers["Location"].endswith(url)
    assert client.post(url, data={"confirm": "yes"}).status_code == 400
    assert _survey(db, survey.id).status == SurveyStatus.OPEN
    assert post_form(client, url, {"confirm": "yes"}, form_url=url).status_code == 302
    closed = _survey(db, survey.id)
    assert closed.status == SurveyStatus.CLOSED and closed.closed_at is not None
    post_form(client, url, {"confirm": "yes"}, form_url=url)  # a second time: refused, nothing changes
    assert _survey(db, survey.id).closed_at == closed.closed_at


def test_publishing_lists_the_figures_the_thresholds_withhold(client, db, make):
    survey = make_survey(db, "open", officials_total=3)
    import_answers(survey, _paper(12, s2=""))  # nobody answered s2
    import_estimates(survey, _estimates(3))
    close_survey(survey)
    empty = make_survey(db, "closed")
    db.session.commit()
    sign_in(client, make.moderator())
    url = f"/questionnaires/{survey.id}/gerer/publier"
    html = client.get(url).get_data(as_text=True)
    withheld = html_module.unescape(re.search(r'<ul class="suppressed-list">(.*?)</ul>', html, re.S).group(1))
    texts = {s.key: s.text for s in survey.statements}
    assert texts["s2"] in withheld and texts["s1"] not in withheld  # the statement as readers know it,
    assert not re.search(r"\bs2\b", withheld)                          # not its internal key
    assert "aucun chiffre ne sera publié" not in _words(client.get(url))
    assert "ne sera plus jamais modifiée ni retirée" in _words(client.get(url))
    warning = _words(client.get(f"/questionnaires/{empty.id}/gerer/publier"))
    assert "Attention : aucun chiffre ne sera publié." in warning
    one_click = client.post(url, data={"csrf_token": csrf_token(client, url), "publish-change_note": ""})
    assert one_click.status_code == 302 and _count(db, Publication) == 0
    assert client.post(url, data={"confirm": "yes"}).status_code == 400 and _count(db, Publication) == 0
    assert post_form(client, url, {"confirm": "yes"}, form_url=url).status_code == 302
    assert _count(db, Publication) == 1
    assert post_form(client, url, {"confirm": "yes"}, form_url=url).status_code == 200  # a correction needs a note
    assert _count(db, Publication) == 1


def test_a_correction_that_would_change_nothing_is_refused(client, db, make):
    """Version 2 "corrected" with the very figures of version 1 would tell readers something
    was wrong and fixed: the page says nothing changed and offers no form, and the queue
    refuses a request sent anyway, saying why on the management page."""
    survey = make_survey(db, "closed")
    publish(survey)
    db.session.commit()
    sign_in(client, make.moderator())
    url = f"/questionnaires/{survey.id}/gerer/publier"
    page = client.get(url).get_data(as_text=True)
    assert "Rien n'a changé depuis la version 1" in _words(client.get(url))
    assert 'name="publish-change_note"' not in page
    client.post(url, data={"csrf_token": csrf_token(client, f"/questionnaires/{survey.id}/gerer"), "confirm": "yes",
                           "publish-change_note": "Nouvelle version"})
    assert _count(db, Publication) == 1
    assert "Rien n'a changé depuis la version 1" in _words(client.get(f"/questionnaires/{survey.id}/gerer"))
    with pytest.raises(SurveyError, match="Rien n'a changé depuis la version 1"):
        publish(_survey(db, survey.id), change_note="Nouvelle version")
    corrected = _survey(db, survey.id)
    corrected.title = "Titre corrigé"  # something published was wrong: now a correction says so
    db.session.commit()
    assert "Rien n'a changé" not in _words(client.get(url))
    assert publish(corrected, change_note="Titre corrigé").version == 2


def test_the_results_say_the_gap_is_rounded_after_the_subtraction(client, db, make):
    """29 % and 40 % shown, −10 points shown (audit 19): the reader is told why."""
    survey = make_survey(db, "open", officials_total=1)
    import_answers(survey, _paper(12))
    close_survey(survey)
    publish(survey)
    db.session.commit()
    text = _words(client.get(f"/questionnaires/{survey.id}/resultats"))
    assert "L'écart est calculé sur les valeurs exactes, puis arrondi" in text
    # The site's name is a value, not a phrase: « sur la plateforme plateforme » (audit 19).
    assert "Réponses recueillies avec plateforme" in text and "plateforme plateforme" not in text


def test_the_survey_page_hides_small_counts_once_answers_stop_as_the_results_do(client, db, make):
    """The results say « non publié (moins de 11 réponses) »: the survey page next door must not
    say « 2 réponses d'habitants » (audit 19). While open, the live counts stay."""
    survey = make_survey(db, "open", officials_total=1)
    import_answers(survey, _paper(2))
    db.session.commit()
    assert re.search(r"\b2\sréponses\sd'habitants", _words(client.get(f"/questionnaires/{survey.id}")))
    close_survey(survey)
    publish(survey)
    db.session.commit()
    text = _words(client.get(f"/questionnaires/{survey.id}"))
    assert not re.search(r"\b2\sréponses\sd'habitants", text)
    assert re.search(r"Réponses d'habitants\s:\snon publié \(moins de 11 réponses\)", text)
    assert re.search(r"non publié \(moins de 11 réponses\)", _words(client.get(f"/questionnaires/{survey.id}/resultats")))


def test_quotations_are_marked_as_each_language_does(client, db, make):
    """« … » with non-breaking spaces in French, “…” in English, never French guillemets and
    « ; » on an English page (audit 19)."""
    survey = make_survey(db, "open", officials_total=1)
    import_answers(survey, _paper(12))
    close_survey(survey)
    publish(survey)
    db.session.commit()
    url = f"/questionnaires/{survey.id}/resultats"
    french = client.get(url, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "«\u00a0" in french and "“" not in french
    assert "«" not in english and "“" in english and not re.search(r"\w ;", english)


def test_the_publishing_page_says_whose_figures_will_be_published_in_a_sentence(client, db, make):
    survey = make_survey(db, "open", officials_total=3)
    import_answers(survey, _paper(30))
    import_estimates(survey, _estimates(3))
    close_survey(survey)
    db.session.commit()
    sign_in(client, make.moderator())
    text = _words(client.get(f"/questionnaires/{survey.id}/gerer/publier"))
    assert "les estimations de 3 personnes élues sur 3 seront publiées." in text  # not « ; 3 personnes élues sur 3 »
