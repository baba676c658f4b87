"""A new resident's whole journey in Chromium: register, confirm, sign in, switch to
English, edit the profile, download the personal data, delete the account."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from plateforme.accounts.models import User

from ..factories import PASSWORD
from .conftest import submit, visit

pytestmark = pytest.mark.browser

EMAIL = "Camille.Martin@Example.org"
CONFIRM_LINK = re.compile(r"http://127\.0\.0\.1:\d+/confirmer/\S+")


def _user(db, email: str) -> User | None:
    db.session.rollback()  # a fresh read: the server committed in its own thread
    db.session.expire_all()  # see what the live server wrote
    user = db.session.execute(select(User).where(User.email == email.lower())).scalar_one_or_none()
    return user


def test_new_resident_journey_in_french_then_english(page, db, outbox, live_server, translate, sign_in):
    main = page.locator("main")

    # Home page, in French (the browser asks for fr-FR).
    visit(page, "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    nav = page.get_by_role("navigation", name="Navigation principale")
    submit(page, nav.get_by_role("link", name="Créer un compte"))
    expect(page).to_have_url(f"{live_server.url}/inscription")
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")
    expect(nav.get_by_role("link", name="Créer un compte")).to_have_attribute("aria-current", "page")

    # The registration form, filled in as a person would, found by its labels.
    main.get_by_label("Adresse électronique", exact=True).fill(EMAIL)
    main.get_by_label("Nom affiché", exact=True).fill("Camille M.")
    main.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    main.get_by_label("Confirmez le mot de passe", exact=True).fill(PASSWORD)
    commune = main.get_by_label("Commune de résidence", exact=True)
    expect(commune).to_have_attribute("list", "communes-list")  # suggestions from a <datalist>
    expect(page.locator("datalist#communes-list option[value='Villeurbanne (69100)']")).to_have_count(1)
    commune.fill("Villeurbanne")
    main.get_by_role("checkbox", name=re.compile("politique de confidentialité")).check()
    submit(page, main.get_by_role("button", name="Créer mon compte"))

    # Told to check their mail (the same page whether or not the address had an account, so
    # not signed in yet); the message in the outbox.
    expect(page).to_have_url(f"{live_server.url}/inscription/message-envoye")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    expect(main).to_contain_text(EMAIL.lower())
    assert [m.to for m in outbox] == [EMAIL.lower()]
    assert outbox[0].subject == "Confirmez votre adresse électronique"
    assert "Bonjour Camille M.," in outbox[0].body
    user = _user(db, EMAIL)
    assert user is not None and not user.is_confirmed and user.commune.name == "Villeurbanne"
    assert user.locale == "fr"
    db.session.rollback()

    # The link points at the site the person used; opening it confirms nothing until the button.
    db.session.expire_all()  # see what the live server wrote
    link = CONFIRM_LINK.search(outbox[0].body).group(0)
    assert link.startswith(live_server.url + "/confirmer/")
    visit(page, link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer votre adresse électronique")
    assert not _user(db, EMAIL).is_confirmed
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    submit(page, main.get_by_role("button", name="Confirmer mon adresse"))
    expect(page).to_have_url(f"{live_server.url}/compte")  # the first confirmation signs in
    expect(page.get_by_role("status")).to_contain_text("Votre adresse électronique est confirmée. Merci !")
    assert _user(db, EMAIL).is_confirmed
    db.session.rollback()

    # Sign out, to sign in again below.
    submit(page, nav.get_by_role("button", name="Se déconnecter"))
    expect(nav.get_by_role("link", name="Se connecter")).to_be_visible()

    # Sign in (with the address typed differently: it is not case-sensitive).
    db.session.expire_all()  # see what the live server wrote
    sign_in(page, EMAIL.upper())
    expect(page.get_by_role("status")).to_contain_text("Bienvenue, Camille M.")
    expect(page).to_have_url(f"{live_server.url}/")

    # Switch to English with the header button (a POST form): same page, now in English.
    switch = page.locator("header form.language-switch").get_by_role("button")
    expect(switch).to_have_attribute("lang", "en")
    submit(page, switch)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_title(f"{translate('en', 'Accueil')} — plateforme")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Métropole de Lyon")
    expect(page.locator("header form.language-switch button")).to_have_attribute("lang", "fr")
    nav = page.get_by_role("navigation", name=translate("en", "Navigation principale"))
    account_link = nav.get_by_role("link", name=re.compile("^" + re.escape(translate("en", "Mon compte"))))
    expect(account_link).to_contain_text("My account")
    assert _user(db, EMAIL).locale == "en"  # remembered on the profile, not only in the session
    db.session.rollback()

    # Edit the profile: display name and commune.
    db.session.expire_all()  # see what the live server wrote
    submit(page, account_link)
    expect(page).to_have_url(f"{live_server.url}/compte")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    name = main.get_by_label(translate("en", "Nom affiché"), exact=True)
    commune = main.get_by_label(translate("en", "Commune de résidence"), exact=True)
    expect(commune).to_have_value("Villeurbanne (69100)")
    emails = main.get_by_label(translate("en", "Recevoir aussi mes notifications par courriel"), exact=True)
    expect(emails).to_be_checked()  # on by default, and kept on by an edit that leaves it alone
    name.fill("Camille Martin")
    commune.fill("Bron")
    submit(page, main.get_by_role("button", name=translate("en", "Enregistrer mon profil")))
    expect(page).to_have_url(f"{live_server.url}/compte")
    expect(page.get_by_role("status")).to_contain_text(translate("en", "Votre profil est enregistré."))
    expect(name).to_have_value("Camille Martin")
    expect(commune).to_have_value("Bron (69500)")
    expect(emails).to_be_checked()
    expect(page.locator("section[aria-labelledby=roles-title]")).to_contain_text("Bron")
    user = _user(db, EMAIL)
    assert (user.display_name, user.commune.code, user.locale) == ("Camille Martin", "69029", "en")
    password_hash = user.password_hash
    db.session.rollback()

    # Download the personal data (a JSON file, not a page: no axe there).
    db.session.expire_all()  # see what the live server wrote
    with page.expect_download() as download_info:
        main.get_by_role("link", name=translate("en", "Télécharger toutes mes données (JSON)")).click()
    download = download_info.value
    assert download.suggested_filename == "mes-donnees-plateforme.json"
    raw = open(download.path(), encoding="utf-8").read()
    data = json.loads(raw)
    assert data["account"]["display_name"] == "Camille Martin"
    assert data["account"]["email"] == EMAIL.lower()
    assert data["account"]["commune"]["code"] == "69029"
    assert data["account"]["email_notifications"] is True
    assert "password_hash" not in raw and password_hash not in raw and PASSWORD not in raw
    assert "pbkdf2:" not in raw
    expect(page).to_have_url(f"{live_server.url}/compte")  # still on the profile

    # Delete the account: password and confirmation box.
    submit(page, main.get_by_role("link", name=translate("en", "Supprimer mon compte"), exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(translate("en", "Supprimer mon compte"))
    main.get_by_label(translate("en", "Mot de passe"), exact=True).fill(PASSWORD)
    main.get_by_label(translate("en", "Je comprends que mon compte et mes données personnelles seront effacés "
                                      "définitivement."), exact=True).check()
    submit(page, main.get_by_role("button", name=translate("en", "Supprimer définitivement mon compte")))
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("status")).to_contain_text(
        translate("en", "Votre compte et vos données personnelles ont été supprimés."))
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the language choice outlives the account
    expect(page.get_by_role("navigation", name=translate("en", "Navigation principale"))
           .get_by_role("link", name=translate("en", "Se connecter"))).to_be_visible()
    assert _user(db, EMAIL) is None
    db.session.rollback()

    # Signing in again fails, with a message saying why.
    db.session.expire_all()  # see what the live server wrote
    visit(page, "/connexion")
    main.get_by_label(translate("en", "Adresse électronique"), exact=True).fill(EMAIL)
    main.get_by_label(translate("en", "Mot de passe"), exact=True).fill(PASSWORD)
    submit(page, main.get_by_role("button", name=translate("en", "Se connecter"), exact=True))
    expect(page).to_have_url(f"{live_server.url}/connexion")
    expect(page).to_have_title(re.compile("^" + re.escape(translate("en", "Erreur"))))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(translate("en", "Adresse électronique ou mot de passe incorrect."))
    expect(page.get_by_role("button", name=translate("en", "Se déconnecter"))).to_have_count(0)


def test_the_link_in_a_notification_email_stops_them(page, app, db, make, outbox, live_server):
    """A resident who no longer wants emails follows the link at the bottom of one, without
    signing in: a page explains, a button stops them, and the notifications stay on the site."""
    from plateforme.consultations.models import PhaseKind
    from plateforme.notifications.models import NotificationKind
    from plateforme.notifications.services import notify_user

    from ..consultations.helpers import build_consultation

    person = make.user(name="Lou Habitante")
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    with app.test_request_context(base_url=live_server.url):
        notify_user(person, NotificationKind.PROPOSAL_ANSWERED, consultation, "/compte/notifications/",
                    "Un guichet unique")
        db.session.commit()
    link = re.search(r"http://127\.0\.0\.1:\d+/compte/notifications/courriels/arreter/\S+", outbox[-1].body).group(0)

    visit(page, link)
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ne plus recevoir les notifications par courriel")
    submit(page, main.get_by_role("button", name="Ne plus recevoir ces courriels"))
    expect(page.get_by_role("status")).to_contain_text("vous ne recevrez plus vos notifications par courriel")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications par courriel arrêtées")
    expect(main.get_by_role("link", name="Réactiver les courriels dans mon profil")).to_be_visible()
    assert _user(db, person.email).email_notifications is False
    db.session.rollback()

    visit(page, link[:-3], status=400)  # a link cut short by a mail program
    expect(page.get_by_role("alert")).to_contain_text("n'est pas valable")
