"""Issue 19 in Chromium: a partner's way in is in the navigation with what waits for them,
and someone who registers from a survey lands back on it, signed in, then again after
confirming their address. axe runs on every page."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from plateforme.accounts.models import User
from plateforme.observatory.models import FindingStatus

from ..factories import PASSWORD, make_survey
from ..observatory.helpers import Observatory
from .conftest import submit, visit

pytestmark = pytest.mark.browser

CONFIRM_LINK = re.compile(r"http://127\.0\.0\.1:\d+/confirmer/\S+")


def test_a_partner_finds_what_waits_for_them_in_the_navigation(page, make, db, sign_in, live_server):
    obs = Observatory(make, db)
    obs.finding(FindingStatus.IN_REVIEW, title="Les festivals attirent un public européen")
    obs.finding(FindingStatus.IN_REVIEW, title="Les entreprises suisses recrutent à Lyon")
    email = obs.reviewer.email
    db.session.rollback()

    sign_in(page, email)
    nav = page.get_by_role("navigation", name="Navigation principale")
    to_review = nav.get_by_role("link", name=re.compile("^À relire"))
    # Seen "À relire (2)", heard "À relire (2 constats à relire)".
    expect(to_review).to_have_text(re.compile(r"^À relire\s*\(2\)"))
    expect(to_review).to_have_accessible_name(re.compile(r"À relire\s*\(2 constats à relire\)"))
    expect(nav.get_by_role("link", name="Mon organisation")).to_be_visible()
    submit(page, to_review)
    expect(page).to_have_url(f"{live_server.url}/observatoire/relecture")
    expect(to_review).to_have_attribute("aria-current", "page")
    expect(page.locator("main")).to_contain_text("Les entreprises suisses recrutent à Lyon")


def test_registering_from_a_survey_leads_back_to_it_once_confirmed(page, make, db, outbox,
                                                                    live_server):
    survey = make_survey(db)
    survey_path = f"/questionnaires/{survey.id}"
    db.session.rollback()

    visit(page, survey_path)
    main = page.locator("main")
    submit(page, main.get_by_role("link", name="Créer un compte"))
    expect(page).to_have_url(re.compile(r"/inscription\?next="))
    main.get_by_label("Adresse électronique", exact=True).fill("sacha.retour@example.org")
    main.get_by_label("Nom affiché", exact=True).fill("Sacha R.")
    main.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    main.get_by_label("Confirmez le mot de passe", exact=True).fill(PASSWORD)
    main.get_by_label("Commune de résidence", exact=True).fill("Villeurbanne")
    main.get_by_role("checkbox", name=re.compile("politique de confidentialité")).check()
    submit(page, main.get_by_role("button", name="Créer mon compte"))

    # Told to check their mail: registering answers the same whether or not the address had
    # an account, so it cannot sign in.
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")

    # The confirmation link signs them in and leads back where they were.
    link = CONFIRM_LINK.search(outbox[0].body).group(0)
    visit(page, link)
    submit(page, main.get_by_role("button", name="Confirmer mon adresse"))
    expect(page).to_have_url(f"{live_server.url}{survey_path}/repondre")
    expect(page.locator("header").get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Votre adresse électronique est confirmée.")
    db.session.rollback()
    assert db.session.execute(select(User).filter_by(email="sacha.retour@example.org")).scalar_one().is_confirmed
