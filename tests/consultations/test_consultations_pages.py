"""Consultation pages as people use them: opening one (with every kind of mistake),
publishing, editing after publication, cancelling, the page's timeline and call to action,
following, the list and an official's territory."""
from __future__ import annotations

import re

from datetime import timedelta

import pytest

from plateforme.consultations.models import Audience, Consultation, ConsultationStatus, PhaseKind
from plateforme.core.models import local_today

from ..factories import make_survey, page_text, post_form, sign_in
from .helpers import build_consultation, published_card

DAY = timedelta(days=1)
NEW = "/consultations/nouvelle"


def _form_data(make, card, **overrides) -> dict:
    today = local_today()
    data = {
        "title": "Quel accueil pour les étudiants étrangers ?",
        "description": "Pourquoi cette consultation, et ce qui sera fait des avis.",
        "territory": str(make.territory("69266").id), "audience": "residents", "cards": [str(card.id)],
        "survey": "",
        "information_starts_on": str(today + 2 * DAY), "information_ends_on": str(today + 9 * DAY),
        "debate_starts_on": str(today + 10 * DAY), "debate_ends_on": str(today + 30 * DAY),
    }
    data.update(overrides)
    return data


@pytest.fixture
def mayor(make, client):
    """Villeurbanne's mayor, signed in."""
    user = make.elected("69266")
    sign_in(client, user)
    return user


def test_an_official_opens_a_draft_then_publishes_it(client, make, db, mayor):
    card = published_card(make, "69266")
    response = post_form(client, NEW, _form_data(make, card))
    assert response.status_code == 302
    consultation = db.session.query(Consultation).one()
    assert consultation.status == ConsultationStatus.DRAFT and consultation.audience == Audience.RESIDENTS
    page = page_text(client.get(response.headers["Location"]))
    assert "Brouillon." in page and "Publier la consultation" in page
    # Nobody else sees a draft. Publishing cannot be undone: a page says so first, and a POST
    # that does not come from it (no confirm=yes) only leads there.
    url = f"/consultations/{consultation.id}/publier"
    confirm = page_text(client.get(url))
    assert "ne redevient pas un brouillon" in confirm and "Publier définitivement la consultation" in confirm
    response = post_form(client, url, {}, form_url=url)
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    db.session.refresh(consultation)
    assert consultation.status == ConsultationStatus.DRAFT
    response = post_form(client, url, {"confirm": "yes"}, form_url=url)
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.status == ConsultationStatus.PUBLISHED
    assert "Consultation publiée" in page_text(client.get(f"/consultations/{consultation.id}"))


def test_the_form_offers_only_the_mandates_territories_and_their_cards(client, make, db, mayor):
    own = published_card(make, "69266", title="Fiche de Villeurbanne")
    published_card(make, "69123", title="Fiche de Lyon")
    page = page_text(client.get(NEW))
    assert "Villeurbanne (69100)" in page and "Lyon (69001)" not in page
    assert own.title in page and "Fiche de Lyon" not in page


@pytest.mark.parametrize("case, message", [
    ("outside the mandate", "Choisissez l'un des territoires de vos mandats vérifiés"),
    ("phase without an end", "Indiquez aussi la date de fin"),
    ("dates out of order", "La date de fin doit être le jour du début ou après"),
    ("overlapping phases", "Cette phase doit commencer après la fin de la phase précédente"),
    ("no phase", "Prévoyez au moins une phase"),
    ("malformed date", "Saisissez une date valide"),
    ("unknown card", "Une des fiches choisies n'est pas proposée"),
    ("card of another territory", "porte sur un autre territoire"),
    ("unknown survey", "Choisissez l'un des questionnaires proposés"),
    ("no title", "Donnez un titre à la consultation"),
])
def test_mistakes_are_shown_next_to_the_field_and_typed_values_kept(client, make, db, mayor, case, message):
    card = published_card(make, "69266")
    today = local_today()
    data = _form_data(make, card, description="Ma présentation tapée avec soin.")
    if case == "outside the mandate":
        data["territory"] = str(make.territory("69123").id)
    elif case == "phase without an end":
        data["debate_ends_on"] = ""
    elif case == "dates out of order":
        data["debate_ends_on"] = str(today + 5 * DAY)
        data["debate_starts_on"] = str(today + 10 * DAY)
        data["information_ends_on"] = str(today + 3 * DAY)
    elif case == "overlapping phases":
        data["debate_starts_on"] = str(today + 9 * DAY)
    elif case == "no phase":
        for key in ("information_starts_on", "information_ends_on", "debate_starts_on", "debate_ends_on"):
            data[key] = ""
    elif case == "malformed date":
        data["debate_starts_on"] = "31/02/2030"
    elif case == "unknown card":
        data["cards"] = [str(card.id), "999999"]
    elif case == "card of another territory":
        # An EPCI councillor is offered every commune's cards, but a Lyon card does not fit Villeurbanne.
        post_form(client, "/deconnexion", {}, form_url="/plan-du-site")
        sign_in(client, make.elected("200046977"))
        data["cards"] = [str(published_card(make, "69123").id)]
    elif case == "unknown survey":
        data["survey"] = "999999"
    elif case == "no title":
        data["title"] = ""
    response = post_form(client, NEW, data, form_url=NEW)
    assert response.status_code == 200
    page = page_text(response)
    assert message in page
    next_to_fields = [block.split("</p>")[0] for block in page.split('class="error-message"')[1:]]
    assert any(message in block for block in next_to_fields)  # next to the field, not only in the summary
    assert "Ma présentation tapée avec soin." in page  # what was typed is kept
    assert db.session.query(Consultation).count() == 0


def test_a_survey_of_the_territory_can_be_attached(client, make, db, mayor):
    card = published_card(make, "69266")
    survey = make_survey(db, "open", territory="69266", opens_at=str(local_today() + 40 * DAY),
                         closes_at=str(local_today() + 50 * DAY))
    other = make_survey(db, "open", territory="69123", title="Questionnaire lyonnais")
    page = page_text(client.get(NEW))
    assert survey.title in page and "Questionnaire lyonnais" not in page
    response = post_form(client, NEW, _form_data(make, card, survey=str(other.id)))
    assert "Choisissez l'un des questionnaires proposés" in page_text(response)
    response = post_form(client, NEW, _form_data(make, card, survey=str(survey.id)))
    assert response.status_code == 302
    consultation = db.session.query(Consultation).one()
    assert consultation.survey_id == survey.id
    assert consultation.phase(PhaseKind.SURVEY).starts_on == survey.opens_at


def test_the_survey_phase_is_the_collection_of_a_survey_still_collecting(client, make, db, mayor):
    card = published_card(make, "69266")
    survey = make_survey(db, "open", territory="69266", opens_at=str(local_today() + 40 * DAY),
                         closes_at=str(local_today() + 50 * DAY))
    closed = make_survey(db, "closed", territory="69266", title="Questionnaire déjà clos")
    form = page_text(client.get(NEW))
    assert survey.title in form and "Questionnaire déjà clos" not in form
    # A closed survey posted anyway is refused by the server, with what was typed kept.
    response = post_form(client, NEW, _form_data(make, card, survey=str(closed.id)))
    page = page_text(response)
    assert response.status_code == 200 and "Choisissez l'un des questionnaires proposés" in page
    # Dates other than the survey's: refused next to the phase's dates, typed values kept.
    other_dates = {"survey_starts_on": str(local_today() + 60 * DAY), "survey_ends_on": str(local_today() + 70 * DAY)}
    response = post_form(client, NEW, _form_data(make, card, survey=str(survey.id), **other_dates))
    page = page_text(response)
    assert response.status_code == 200 and "a les dates du questionnaire choisi" in page
    assert f'value="{other_dates["survey_starts_on"]}"' in page and "Quel accueil pour les étudiants" in page
    assert db.session.query(Consultation).count() == 0
    same = {"survey_starts_on": str(survey.opens_at), "survey_ends_on": str(survey.closes_at)}
    assert post_form(client, NEW, _form_data(make, card, survey=str(survey.id), **same)).status_code == 302


def test_after_publication_only_the_description_and_phases_to_come_change(client, make, db):
    consultation = build_consultation(make, current=PhaseKind.DEBATE, territory_code="69266")
    sign_in(client, consultation.opened_by)
    url = f"/consultations/{consultation.id}/modifier"
    page = page_text(client.get(url))
    assert "Cette phase a commencé\u00a0: ses dates ne changent plus." in page
    phases = {f"{p.kind.value}_{end}": str(getattr(p, f"{end}")) for p in consultation.phases
              for end in ("starts_on", "ends_on")}
    base = {"title": consultation.title, "description": "Présentation corrigée.",
            "territory": str(consultation.territory_id), "audience": "registered",
            "cards": [str(c.id) for c in consultation.cards], "survey": "", **phases}
    # A started phase's dates: refused next to the field, nothing saved.
    moved = {**base, "debate_ends_on": str(consultation.phase(PhaseKind.DEBATE).ends_on - DAY)}
    response = post_form(client, url, moved)
    assert "Cette phase a commencé le" in page_text(response)
    # The title is fixed by publication.
    response = post_form(client, url, {**base, "title": "Un tout autre titre"})
    assert "Publiée, la consultation garde ce réglage" in page_text(response)
    db.session.refresh(consultation)
    assert consultation.description != "Présentation corrigée."
    # The description and a phase to come may change.
    later = consultation.phase(PhaseKind.RESPONSE).ends_on + 15 * DAY
    response = post_form(client, url, {**base, "response_ends_on": str(later)})
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.description == "Présentation corrigée."
    assert consultation.phase(PhaseKind.RESPONSE).ends_on == later


def test_cancel_with_a_public_reason(client, make, db):
    consultation = build_consultation(make, current=PhaseKind.DEBATE)
    sign_in(client, consultation.opened_by)
    url = f"/consultations/{consultation.id}/annuler"
    response = post_form(client, url, {"reason": "court"})
    assert "Entre 10 et 2 000 caractères" in page_text(response)
    response = post_form(client, url, {"reason": "Le conseil a reporté le projet à l'an prochain."})
    assert response.status_code == 302
    page = page_text(client.get(f"/consultations/{consultation.id}"))
    assert "Cette consultation a été annulée" in page
    assert "Le conseil a reporté le projet à l'an prochain." in page
    # Publishing a cancelled consultation is refused with a message, not an error page.
    response = post_form(client, f"/consultations/{consultation.id}/publier", {"confirm": "yes"},
                         form_url=f"/consultations/{consultation.id}", follow_redirects=True)
    assert response.status_code == 200 and "Seul un brouillon peut être publié." in page_text(response)


def test_an_official_of_another_territory_cannot_manage(client, make, db):
    consultation = build_consultation(make, current=PhaseKind.DEBATE, territory_code="69123")
    sign_in(client, make.elected("69266"))
    assert client.get(f"/consultations/{consultation.id}/modifier").status_code == 403
    assert client.get(f"/consultations/{consultation.id}/annuler").status_code == 403
    draft = build_consultation(make, territory_code="69123", status=ConsultationStatus.DRAFT)
    assert client.get(f"/consultations/{draft.id}").status_code == 404


def test_the_page_shows_the_timeline_with_the_current_phase(client, make, db):
    consultation = build_consultation(make, current=PhaseKind.PROPOSALS)
    page = page_text(client.get(f"/consultations/{consultation.id}"))
    assert '<ol class="timeline">' in page
    current = page.split('aria-current="step"')[1].split("</li>")[0]
    assert "Propositions" in current and "en cours" in current  # said in words, not by colour only
    assert page.count('aria-current="step"') == 1
    assert "Propositions en cours" in page  # the stage
    assert consultation.cards[0].title in page


@pytest.mark.parametrize("current, who, expected", [
    (PhaseKind.DEBATE, "visitor", "Se connecter pour participer"),
    (PhaseKind.DEBATE, "resident", "Donner mon avis"),
    (PhaseKind.DEBATE, "outsider", "votre commune de résidence (Villeurbanne) n'en fait pas partie"),
    (PhaseKind.PROPOSALS, "resident", "Proposer une idée"),
    (PhaseKind.INFORMATION, "visitor", "Lire les fiches enjeux"),
    ("upcoming", "resident", "La consultation commence le"),
    (PhaseKind.SYNTHESIS, "resident", "La synthèse de ce qui a été dit est en préparation"),
    ("concluded", "visitor", "Voir les suites"),
])
def test_one_call_to_action_for_the_current_phase(client, make, db, current, who, expected):
    consultation = build_consultation(make, current=current, territory_code="69123", audience=Audience.RESIDENTS)
    if who == "resident":
        sign_in(client, make.user(commune="69123"))
    elif who == "outsider":
        sign_in(client, make.user(commune="69266"))
    page = page_text(client.get(f"/consultations/{consultation.id}"))
    assert "Ce que vous pouvez faire maintenant" in page
    assert expected in page


def test_survey_phase_links_to_the_survey_a_resident_can_answer(client, make, db):
    survey = make_survey(db, "open")
    consultation = build_consultation(make, current=PhaseKind.SURVEY, survey=survey)
    sign_in(client, make.user())  # lives in Villeurbanne, within the survey's territory
    page = page_text(client.get(f"/consultations/{consultation.id}"))
    assert f'href="/questionnaires/{survey.id}/repondre"' in page


def test_follow_and_unfollow(client, make, db):
    consultation = build_consultation(make)
    page = page_text(client.get(f"/consultations/{consultation.id}"))
    assert "Connectez-vous pour suivre cette consultation" in page
    sign_in(client, make.user())
    url = f"/consultations/{consultation.id}"
    post_form(client, f"{url}/suivre", {}, form_url=url)
    post_form(client, f"{url}/suivre", {}, form_url=url)  # twice: still one follow
    page = page_text(client.get(url))
    assert "Vous suivez cette consultation." in page
    post_form(client, f"{url}/ne-plus-suivre", {}, form_url=url)
    assert "Suivre cette consultation" in page_text(client.get(url))


def test_the_list_filters_by_stage_and_territory(client, make, db):
    build_consultation(make, current=PhaseKind.DEBATE, territory_code="69123", title="Débat lyonnais")
    build_consultation(make, current="upcoming", territory_code="69266", title="Bientôt à Villeurbanne")
    build_consultation(make, current="concluded", title="Consultation terminée")
    build_consultation(make, status=ConsultationStatus.DRAFT, title="Brouillon caché")
    page = page_text(client.get("/consultations/"))
    assert "Débat lyonnais" in page and "Bientôt à Villeurbanne" in page and "Consultation terminée" in page
    assert "Brouillon caché" not in page
    page = page_text(client.get("/consultations/?stage=open"))
    assert "Débat lyonnais" in page and "Bientôt à Villeurbanne" not in page
    page = page_text(client.get("/consultations/?stage=upcoming"))
    assert "Bientôt à Villeurbanne" in page and "Débat lyonnais" not in page
    page = page_text(client.get("/consultations/?stage=concluded"))
    assert "Consultation terminée" in page and "Débat lyonnais" not in page
    lyon = make.territory("69123")
    page = page_text(client.get(f"/consultations/?territory={lyon.id}"))
    assert "Débat lyonnais" in page and "Bientôt à Villeurbanne" not in page
    refused = client.get("/consultations/?territory=abc&stage=nonsense&page=zz")  # issue 23: named, not ignored
    assert refused.status_code == 400
    assert all(f"<code>{name}</code>" in refused.get_data(as_text=True) for name in ("territory", "stage", "page"))
    assert client.get("/consultations/?territory=99999999999").status_code == 400  # beyond the database's integer
    assert client.get("/consultations/?territory=&stage=").status_code == 200  # the form's « all »


def test_my_territory_lists_drafts_and_what_to_do_next(client, make, db):
    mayor = make.elected("69266")
    build_consultation(make, territory_code="69266", status=ConsultationStatus.DRAFT, title="Mon brouillon")
    build_consultation(make, current=PhaseKind.RESPONSE, territory_code="69266", title="Réponse à écrire")
    build_consultation(make, territory_code="69123", status=ConsultationStatus.DRAFT, title="Brouillon lyonnais")
    survey = make_survey(db, "open", territory="69266", title="Questionnaire à remplir")
    sign_in(client, mayor)
    page = page_text(client.get("/consultations/mon-territoire"))
    assert "Mon brouillon" in page and "Relire et publier le brouillon." in page
    assert "Réponse à écrire" in page and "La réponse officielle est attendue" in page
    assert "Brouillon lyonnais" not in page
    assert f"/questionnaires/{survey.id}/elus" in page


def test_home_and_navigation_show_open_consultations(client, make, db):
    build_consultation(make, current=PhaseKind.DEBATE, title="Débat ouvert sur la métropole")
    page = page_text(client.get("/"))
    assert "Consultations ouvertes" in page and "Débat ouvert sur la métropole" in page
    assert 'href="/consultations/"' in page


def test_the_list_is_paginated(client, make, db, monkeypatch):
    from plateforme.consultations import queries

    monkeypatch.setattr(queries, "PER_PAGE", 2)
    for n in range(3):
        build_consultation(make, title=f"Consultation numéro {n}")
    first = page_text(client.get("/consultations/"))
    assert "Page 1 sur 2" in first and "Page suivante" in first
    second = page_text(client.get("/consultations/?page=2"))
    assert "Consultation numéro 0" in second and "Consultation numéro 0" not in first


def test_an_official_is_sent_to_the_officials_questionnaire_in_the_survey_phase(client, make, db):
    survey = make_survey(db, "open")
    consultation = build_consultation(make, current=PhaseKind.SURVEY, survey=survey)
    sign_in(client, consultation.opened_by)
    page = page_text(client.get(f"/consultations/{consultation.id}"))
    assert f'href="/questionnaires/{survey.id}/elus"' in page


def test_my_territory_leads_the_official_to_the_response_waiting_for_them(client, make, db):
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    sign_in(client, consultation.opened_by)

    body = client.get("/consultations/mon-territoire").get_data(as_text=True)

    assert "La réponse officielle est attendue" in body
    assert f'href="/consultations/{consultation.id}/reponse"' in body


# --- from an issue card to a consultation (issue 19) -------------------------------------------

def test_an_official_opens_a_consultation_from_an_issue_card_with_the_card_ticked(client, make, db):
    card = published_card(make, "200046977", title="Fiche de la métropole")
    other = published_card(make, "200046977", title="Une autre fiche")
    official = make.elected("200046977")
    sign_in(client, official)
    page = page_text(client.get(f"/fiches-enjeux/{card.id}"))
    link = f'href="/consultations/nouvelle?fiche={card.id}"'
    assert link in page and "Ouvrir une consultation sur cette fiche" in page
    form = client.get(f"/consultations/nouvelle?fiche={card.id}").get_data(as_text=True)
    assert re.search(rf'<input[^>]*checked[^>]*value="{card.id}"|<input[^>]*value="{card.id}"[^>]*checked', form)
    assert not re.search(rf'<input[^>]*checked[^>]*value="{other.id}"|<input[^>]*value="{other.id}"[^>]*checked',
                         form)
    territory_id = make.territory("200046977").id
    assert re.search(rf'<option selected value="{territory_id}"|<option value="{territory_id}" selected', form)
    # A card the form does not offer, or nonsense, preselects nothing and breaks nothing.
    assert client.get("/consultations/nouvelle?fiche=999999").status_code == 200
    assert client.get("/consultations/nouvelle?fiche=%C3%A9").status_code == 200


def test_the_card_offers_no_consultation_to_those_who_may_not_open_one_there(client, make, db):
    card = published_card(make, "200046977")
    assert "Ouvrir une consultation sur cette fiche" not in page_text(client.get(f"/fiches-enjeux/{card.id}"))
    sign_in(client, make.elected("69266"))  # a member commune's mayor: not on the whole EPCI
    assert "Ouvrir une consultation sur cette fiche" not in page_text(client.get(f"/fiches-enjeux/{card.id}"))
    resident = client.application.test_client()
    sign_in(resident, make.user())
    assert "Ouvrir une consultation sur cette fiche" not in page_text(resident.get(f"/fiches-enjeux/{card.id}"))
