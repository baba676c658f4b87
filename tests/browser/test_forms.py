"""Bad input in the browser, and the site without JavaScript."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from plateforme.accounts.models import User
from plateforme.accounts.passwords import MIN_LENGTH

from ..factories import PASSWORD
from .conftest import submit, visit

pytestmark = pytest.mark.browser


def _count_users(db) -> int:
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    count = db.session.execute(select(func.count(User.id))).scalar_one()
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    return count


def test_registration_errors_are_summarised_shown_next_to_fields_and_input_is_kept(page, db, outbox,
                                                                                   translate):
    visit(page, "/inscription")
    main = page.locator("main")
    email = main.get_by_label("Adresse électronique", exact=True)
    name = main.get_by_label("Nom affiché", exact=True)
    password = main.get_by_label("Mot de passe", exact=True)
    password_confirm = main.get_by_label("Confirmez le mot de passe", exact=True)
    commune = main.get_by_label("Commune de résidence", exact=True)
    privacy = main.get_by_role("checkbox", name=re.compile("politique de confidentialité"))
    email.fill("dominique@example.org")
    name.fill("Dominique")
    password.fill("court")
    password_confirm.fill("court")
    commune.fill("Atlantide")
    privacy.check()
    submit(page, main.get_by_role("button", name="Créer mon compte"))

    expect(page).to_have_title(re.compile(r"^Erreur — Créer un compte"))
    # The summary comes first, is announced, counts the errors and links to each field.
    summary = page.get_by_role("alert")
    expect(summary).to_have_count(1)
    expect(summary).to_be_focused()  # keyboard and screen-reader users start from what to correct
    expect(summary.get_by_role("heading")).to_have_text("Le formulaire contient 2 erreurs")
    short = translate("fr", "Le mot de passe doit compter au moins %(n)s caractères.", n=MIN_LENGTH)
    unknown = translate(
        "fr", "Aucune commune chargée ne correspond. Tapez le nom ou le code postal de votre commune.")
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_have_attribute("href", "#password")
    expect(links.nth(0)).to_contain_text(short)
    expect(links.nth(1)).to_have_attribute("href", "#commune")
    expect(links.nth(1)).to_contain_text(unknown)
    form_box = main.locator("form").bounding_box()
    assert summary.bounding_box()["y"] < form_box["y"], "the error summary must come before the form"

    # Each message sits next to its field, which is marked invalid and described by it.
    expected = ((password, short, "password-error"), (commune, unknown, "commune-error"))
    for field, message, error_id in expected:
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{error_id}\b"))
        expect(page.locator(f"#{error_id}")).to_contain_text(message)
        expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    for field in (email, name, password_confirm):
        expect(field).not_to_have_attribute("aria-invalid", "true")

    # What was typed is kept (passwords excepted: they are never sent back).
    expect(email).to_have_value("dominique@example.org")
    expect(name).to_have_value("Dominique")
    expect(commune).to_have_value("Atlantide")
    expect(privacy).to_be_checked()
    expect(password).to_have_value("")
    expect(password_confirm).to_have_value("")
    assert _count_users(db) == 0 and outbox == []

    # A link in the summary takes the keyboard to the field.
    summary.get_by_role("link").nth(1).click()
    expect(commune).to_be_focused()

    # Corrected, the same form goes through.
    password.fill(PASSWORD)
    password_confirm.fill(PASSWORD)
    commune.fill("Villeurbanne")
    submit(page, main.get_by_role("button", name="Créer mon compte"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    assert _count_users(db) == 1 and len(outbox) == 1


def test_ambiguous_commune_lists_the_candidates_without_javascript(new_context, db):
    page = new_context("fr", java_script_enabled=False).new_page()
    visit(page, "/inscription")
    main = page.locator("main")
    main.get_by_label("Adresse électronique", exact=True).fill("sacha@example.org")
    main.get_by_label("Nom affiché", exact=True).fill("Sacha")
    main.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    main.get_by_label("Confirmez le mot de passe", exact=True).fill(PASSWORD)
    # 69100: Villeurbanne's postal code, and Irigny's INSEE code.
    main.get_by_label("Commune de résidence", exact=True).fill("69100")
    main.get_by_role("checkbox", name=re.compile("politique de confidentialité")).check()
    submit(page, main.get_by_role("button", name="Créer mon compte"))
    expect(page.get_by_role("alert")).to_contain_text("Plusieurs communes correspondent")
    candidates = main.locator("ul.candidates li")
    expect(candidates).to_have_text(["Irigny (69540)", "Villeurbanne (69100)"])
    assert _count_users(db) == 0


def test_sign_in_and_profile_edit_work_without_javascript(new_context, make, db, sign_in, live_server):
    person = make.user(name="Dominique", commune="69266")
    email = person.email
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    context = new_context("fr", java_script_enabled=False)
    page = context.new_page()

    sign_in(page, email)
    expect(page.get_by_role("status")).to_contain_text("Bienvenue, Dominique.")
    nav = page.get_by_role("navigation", name="Navigation principale")
    submit(page, nav.get_by_role("link", name=re.compile("^Mon compte")))
    main = page.locator("main")
    name = main.get_by_label("Nom affiché", exact=True)
    commune = main.get_by_label("Commune de résidence", exact=True)
    expect(name).to_have_value("Dominique")
    expect(commune).to_have_value("Villeurbanne (69100)")

    # A mistake first: the server answers with the messages, no script needed.
    name.fill("")
    submit(page, main.get_by_role("button", name="Enregistrer mon profil"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Indiquez le nom qui sera affiché avec vos contributions.")
    expect(commune).to_have_value("Villeurbanne (69100)")

    name.fill("Dominique Durand")
    commune.fill("Vénissieux")
    submit(page, main.get_by_role("button", name="Enregistrer mon profil"))
    expect(page).to_have_url(f"{live_server.url}/compte")
    expect(page.get_by_role("status")).to_contain_text("Votre profil est enregistré.")
    expect(name).to_have_value("Dominique Durand")
    expect(commune).to_have_value(re.compile(r"^Vénissieux \(\d{5}\)$"))
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    saved = db.session.execute(select(User).where(User.email == email)).scalar_one()
    assert (saved.display_name, saved.commune.name) == ("Dominique Durand", "Vénissieux")
    db.session.rollback()

    # The language switch and the sign-out button are plain forms too.
    db.session.expire_all()  # see what the live server wrote
    submit(page, page.locator("header form.language-switch").get_by_role("button"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    submit(page, page.get_by_role("button", name="Sign out"))
    expect(page).to_have_url(f"{live_server.url}/")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
