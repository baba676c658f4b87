"""Registration, email confirmation and the bad input around them."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from plateforme.accounts.models import User

from urllib.parse import urlencode

from ..factories import PASSWORD, page_text, post_form, sign_in

GOOD = {
    "email": "Nouvelle.Habitante@Example.org",
    "display_name": "Nouvelle Habitante",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
    "commune": "Villeurbanne",
    "accept_privacy": "y",
}


def _count(db) -> int:
    return db.session.execute(select(func.count(User.id))).scalar_one()


def _confirm_link(message) -> str:
    return re.search(r"http://[^\s]+/confirmer/\S+", message.body).group(0)


def test_register_creates_unconfirmed_account_and_sends_link(client, db, outbox):
    response = post_form(client, "/inscription", GOOD)
    assert response.status_code == 302 and response.headers["Location"] == "/inscription/message-envoye"
    page = client.get(response.headers["Location"])  # a reload of it sends nothing again
    assert "Vérifiez votre messagerie" in page_text(page) and "nouvelle.habitante@example.org" in page_text(page)
    user = db.session.execute(select(User)).scalar_one()
    assert user.email == "nouvelle.habitante@example.org"  # stored lower-cased
    assert user.commune.code == "69266"
    assert not user.is_confirmed
    assert user.password_hash != PASSWORD and PASSWORD not in user.password_hash
    assert len(outbox) == 1 and outbox[0].to == user.email


def test_confirmation_link_needs_a_post_then_confirms(client, db, outbox):
    post_form(client, "/inscription", GOOD)
    link = _confirm_link(outbox[0]).replace("http://localhost", "")
    assert client.get(link).status_code == 200
    assert not db.session.execute(select(User)).scalar_one().is_confirmed  # GET alone changes nothing
    response = post_form(client, link, {})
    assert response.status_code == 302
    db.session.rollback()  # end the test's read transaction to see the request's write
    assert db.session.execute(select(User)).scalar_one().is_confirmed


def test_the_confirmation_link_signs_the_new_account_in(client, db, outbox):
    # Registering cannot sign in: it answers the same whether or not the address already had
    # an account (issue 18). The link of the first confirmation does, and only that one.
    post_form(client, "/inscription", GOOD)
    assert "/connexion" in client.get("/compte").headers["Location"]
    link = _confirm_link(outbox[0]).replace("http://localhost", "")
    response = post_form(client, link, {})
    assert response.headers["Location"] == "/compte"
    page = client.get("/compte")
    assert page.status_code == 200 and "nouvelle.habitante@example.org" in page_text(page)
    assert db.session.execute(select(User)).scalar_one().is_confirmed


def test_next_survives_registration_and_the_confirmation_link(client, db, outbox):
    target = "/consultations?etat=ouvertes"
    form_url = "/inscription?" + urlencode({"next": target})
    response = post_form(client, form_url, GOOD)
    assert response.status_code == 302
    link = _confirm_link(outbox[0]).replace("http://localhost", "")
    assert "next=" in link
    response = post_form(client, link, {})
    assert response.status_code == 302 and response.headers["Location"] == target  # back, signed in
    assert client.get("/compte").status_code == 200


def test_a_second_confirmation_signs_nobody_in(client, app, db, outbox):
    post_form(client, "/inscription?next=/questionnaires", GOOD)
    link = _confirm_link(outbox[0]).replace("http://localhost", "")
    assert post_form(client, link, {}).headers["Location"] == "/questionnaires"
    other = app.test_client()  # the same link, used again elsewhere: it proves nothing new
    response = post_form(other, link, {})
    assert response.headers["Location"] == "/connexion?next=/questionnaires"


def test_an_outside_next_is_ignored_all_along(client, db, outbox):
    response = post_form(client, "/inscription?next=//evil.example.org/x", GOOD)
    assert response.status_code == 302
    assert "evil" not in outbox[0].body
    link = _confirm_link(outbox[0]).replace("http://localhost", "")
    assert "?" not in link
    response = post_form(client, link + "?next=https://evil.example.org/", {})
    assert response.headers["Location"] == "/compte"


def test_tampered_confirmation_link_is_refused(client, db, outbox):
    post_form(client, "/inscription", GOOD)
    link = _confirm_link(outbox[0]).replace("http://localhost", "")
    response = post_form(client, link[:-3] + "xyz", {}, form_url=link)
    assert response.status_code == 400
    assert "pas valide" in response.get_data(as_text=True)


def test_commune_found_by_postal_code(client, db):
    response = post_form(client, "/inscription", {**GOOD, "commune": "69500"})
    assert response.status_code == 302
    assert db.session.execute(select(User)).scalar_one().commune.name == "Bron"


def test_code_that_is_both_a_postal_and_an_insee_code_offers_both(client, db):
    # 69100 is Villeurbanne's postal code and Irigny's INSEE code.
    body = post_form(client, "/inscription", {**GOOD, "commune": "69100"}).get_data(as_text=True)
    assert "Villeurbanne (69100)" in body and "Irigny (69540)" in body
    assert _count(db) == 0
    response = post_form(client, "/inscription", {**GOOD, "commune": "Villeurbanne (69100)"})
    assert db.session.execute(select(User)).scalar_one().commune.name == "Villeurbanne"


def test_ambiguous_commune_lists_candidates_and_keeps_input(client, db):
    response = post_form(client, "/inscription", {**GOOD, "commune": "Saint-Genis"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Plusieurs communes correspondent" in body
    assert "Saint-Genis-Laval (69230)" in body and "Saint-Genis-les-Ollières (69290)" in body
    assert 'value="nouvelle.habitante@example.org"' in body.lower() or 'value="Nouvelle.Habitante@Example.org"' in body
    assert _count(db) == 0


def test_bad_input_gets_messages_next_to_fields_and_saves_nothing(client, db):
    bad = {**GOOD, "email": "pas-une-adresse", "password": "court", "password_confirm": "autre",
           "commune": "Atlantide", "accept_privacy": ""}
    response = post_form(client, "/inscription", bad)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="email-error"' in body and 'aria-invalid="true"' in body
    assert "au moins 12 caractères" in body
    assert "Aucune commune chargée" in body
    assert 'href="#email"' in body  # the error summary links to the field
    assert 'value="Atlantide"' in body and 'value="pas-une-adresse"' in body  # what was typed is kept
    assert _count(db) == 0


def test_common_password_refused_even_padded(client, db):
    for password in ("motdepasse123", "azertyuiop12", "Password1234!", "aaaaaaaaaaaaaaa"):
        response = post_form(client, "/inscription", {**GOOD, "password": password, "password_confirm": password})
        assert "trop courant" in response.get_data(as_text=True), password
    assert _count(db) == 0


def test_duplicate_account_refused_whatever_the_case(client, db, make, outbox):
    """No second account; the page does not say the address is taken (tests/accounts/test_enumeration.py),
    its owner is told by mail."""
    make.user("nouvelle.habitante@example.org")
    response = post_form(client, "/inscription", GOOD)
    assert response.headers["Location"] == "/inscription/message-envoye"
    assert "Un compte existe déjà" not in client.get("/inscription/message-envoye").get_data(as_text=True)
    assert _count(db) == 1
    assert [m.to for m in outbox] == ["nouvelle.habitante@example.org"]


def test_registration_in_english(client, db):
    client.get("/", headers={"Accept-Language": "en"})
    response = post_form(client, "/inscription", {**GOOD, "email": "nope"}, headers={"Accept-Language": "en"})
    body = response.get_data(as_text=True)
    assert 'lang="en"' in body


def test_signed_in_unconfirmed_person_can_resend_the_link(client, db, make, outbox):
    user = make.user(confirmed=False)
    sign_in(client, user)
    response = post_form(client, "/compte/renvoyer-confirmation", {}, form_url="/compte")
    assert response.status_code == 302
    assert len(outbox) == 1 and outbox[0].to == user.email


def test_the_welcome_after_signing_in_has_one_full_stop(client, make):
    from ..factories import page_text, sign_in

    user = make.user(name="Camille N.")
    sign_in(client, user)
    text = page_text(client.get("/"))
    assert "Bienvenue, Camille N." in text and "Camille N.." not in text
