"""Every public page, in French and in English: it answers, says its language, has its
title, heading and landmarks, and axe finds no WCAG 2.1 A/AA violation."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_reflows, submit, visit

pytestmark = pytest.mark.browser

# path, status, <title> message, <h1> message (catalogue messages; None = the proper name)
PUBLIC_PAGES = [
    ("/", 200, "Accueil", None),
    ("/territoires/", 200, "Territoires", "Territoires"),
    ("/territoires/epci/200046977", 200, None, None),
    ("/territoires/commune/69266", 200, None, None),
    ("/territoires/recherche?q=Bron", 200, "Chercher une commune", "Chercher une commune"),
    ("/questionnaires/", 200, "Questionnaires", "Questionnaires de perception"),
    ("/connexion", 200, "Se connecter", "Se connecter"),
    ("/inscription", 200, "Créer un compte", "Créer un compte"),
    ("/mot-de-passe-oublie", 200, "Mot de passe oublié", "Mot de passe oublié"),
    ("/mentions-legales", 200, "Mentions légales", "Mentions légales"),
    ("/confidentialite", 200, "Données personnelles", "Vos données personnelles"),
    ("/accessibilite", 200, "Déclaration d'accessibilité", "Déclaration d'accessibilité"),
    ("/plan-du-site", 200, "Plan du site", "Plan du site"),
    ("/cette-page-n-existe-pas", 404, "Page introuvable", "Page introuvable"),
]
PROPER_NAMES = {
    "/territoires/epci/200046977": "Métropole de Lyon",
    "/territoires/commune/69266": "Villeurbanne",
}
HOME_TERRITORY = "Métropole de Lyon"  # the home page's heading names it


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path, status, title, heading", PUBLIC_PAGES, ids=[p[0] for p in PUBLIC_PAGES])
def test_public_page_in_both_languages(new_context, translate, lang, path, status, title, heading):
    page = new_context(lang).new_page()
    visit(page, path, status=status)  # status checked, then axe
    expect(page.locator("html")).to_have_attribute("lang", lang)
    name = PROPER_NAMES.get(path)
    expect(page).to_have_title(f"{translate(lang, title) if title else name} — plateforme")
    h1 = page.get_by_role("heading", level=1)
    if heading:
        expect(h1).to_have_text(translate(lang, heading))
    elif name:
        expect(h1).to_have_text(name)
    else:
        expect(h1).to_contain_text(HOME_TERRITORY)
    # Landmarks every page shares, and the skip link keyboard users meet first.
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)
    expect(page.get_by_role("navigation", name=translate(lang, "Navigation principale"))).to_be_visible()
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name=translate(lang, "Aller au contenu"))
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # shown when focused
    # The language switch offers the other language, named in that language.
    other = "en" if lang == "fr" else "fr"
    switch = page.locator(f"form.language-switch button[lang={other}]")
    expect(switch).to_have_text(re.compile("^" + {"en": "English", "fr": "Français"}[other]))
    assert_reflows(page)  # readable on a 320 px wide screen (or at 400 % zoom) without scrolling sideways


def test_search_result_leads_to_the_commune_page(page):
    visit(page, "/territoires/recherche?q=Bron")
    expect(page.get_by_role("heading", level=2)).to_have_text("1 résultat")
    submit(page, page.locator("main").get_by_role("link", name="Bron (69500)"))
    expect(page).to_have_url(page.url.split("/territoires/")[0] + "/territoires/commune/69029")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bron")
    parent = page.locator("dl.details").get_by_role("link", name="Métropole de Lyon")
    expect(parent).to_be_visible()
