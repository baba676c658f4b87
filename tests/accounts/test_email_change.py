"""Changing one's address: the current password is asked, the old address stays the
account's until the new one is confirmed, and the old one can undo the change."""
from __future__ import annotations

import re

from plateforme.accounts.models import User

from ..factories import PASSWORD, page_text, post_form, sign_in

LINK_RE = re.compile(r"https?://\S+")


def _link(message, path: str) -> str:
    link = next(url for url in LINK_RE.findall(message.body) if path in url)
    return link.split("localhost", 1)[-1] if "localhost" in link else link


def _ask_change(client, new_email, password=PASSWORD, **kwargs):
    return post_form(client, "/compte/adresse", {"email": new_email, "current_password": password}, **kwargs)


def test_the_change_needs_the_current_password(client, make, db, outbox):
    user = make.user("ancienne@example.org")
    sign_in(client, user)
    response = _ask_change(client, "nouvelle@example.org", password="pas le bon mot de passe")
    assert response.status_code == 200
    assert "Le mot de passe actuel est incorrect" in page_text(response)
    assert 'value="nouvelle@example.org"' in response.get_data(as_text=True)  # what was typed stays
    user = db.session.get(User, user.id)
    assert user.email == "ancienne@example.org" and user.pending_email is None
    assert outbox == []


def test_the_old_address_stays_in_use_until_the_new_one_is_confirmed(app, client, make, db, outbox):
    user = make.user("ancienne@example.org")
    sign_in(client, user)
    response = _ask_change(client, "nouvelle@example.org")
    assert response.status_code == 302
    user = db.session.get(User, user.id)
    assert (user.email, user.pending_email, user.is_confirmed) == ("ancienne@example.org", "nouvelle@example.org", True)
    assert sorted(m.to for m in outbox) == ["ancienne@example.org", "nouvelle@example.org"]

    # Until confirmed, the old address signs in and receives the password reset.
    other = app.test_client()
    sign_in(other, "ancienne@example.org")
    outbox.clear()
    post_form(other, "/mot-de-passe-oublie", {"email": "nouvelle@example.org"})
    assert outbox == []
    anonymous = app.test_client()
    post_form(anonymous, "/mot-de-passe-oublie", {"email": "ancienne@example.org"})
    assert [m.to for m in outbox] == ["ancienne@example.org"]


def test_the_link_mailed_to_the_new_address_makes_it_the_accounts(client, make, db, outbox):
    user = make.user("ancienne@example.org")
    sign_in(client, user)
    _ask_change(client, "nouvelle@example.org")
    confirmation = next(m for m in outbox if m.to == "nouvelle@example.org")
    link = _link(confirmation, "/confirmer/")
    assert post_form(client, link, {}).status_code == 302
    user = db.session.get(User, user.id)
    assert (user.email, user.pending_email) == ("nouvelle@example.org", None)


def test_the_old_address_can_undo_the_change_and_end_every_session(app, client, make, db, outbox):
    user = make.user("ancienne@example.org")
    sign_in(client, user)  # the thief's stolen session
    _ask_change(client, "voleur@example.org")
    confirmation = next(m for m in outbox if m.to == "voleur@example.org")
    post_form(client, _link(confirmation, "/confirmer/"), {})
    assert db.session.get(User, user.id).email == "voleur@example.org"

    notice = next(m for m in outbox if m.to == "ancienne@example.org")
    assert "v***@example.org" in notice.body and "voleur@example.org" not in notice.body
    owner = app.test_client()
    revert = _link(notice, "/compte/adresse/annuler/")
    assert owner.get(revert).status_code == 200  # a button: mail scanners opening links change nothing
    assert db.session.get(User, user.id).email == "voleur@example.org"
    response = post_form(owner, revert, {})
    assert response.status_code == 302 and response.headers["Location"].endswith("/mot-de-passe-oublie")
    user = db.session.get(User, user.id)
    assert (user.email, user.pending_email) == ("ancienne@example.org", None)
    thief_page = client.get("/compte")
    assert thief_page.status_code == 302 and "/connexion" in thief_page.headers["Location"]


def test_a_taken_address_is_never_revealed_and_its_owner_is_told(app, client, make, db, outbox):
    make.user("prise@example.org", name="Propriétaire")
    user = make.user("moi@example.org", name="Camille")
    sign_in(client, user)
    taken_page = page_text(_ask_change(client, "prise@example.org", follow_redirects=True))
    assert "Nous avons envoyé un lien de confirmation à la nouvelle adresse" in taken_page
    assert db.session.get(User, user.id).email == "moi@example.org"
    to_owner = [m for m in outbox if m.to == "prise@example.org"]
    assert len(to_owner) == 1 and "/confirmer/" not in to_owner[0].body  # told, never given a link to take it

    # The same page as for a free address (but for the address itself).
    free_client = app.test_client()
    free_user = make.user("autre@example.org", name="Camille")
    sign_in(free_client, free_user)
    free_page = page_text(_ask_change(free_client, "libre@example.org", follow_redirects=True))
    normalise = lambda page, own, new: re.sub(r'value="[^"]+"', "", page.replace(own, "OWN").replace(new, "NEW"))
    assert (normalise(taken_page, "moi@example.org", "prise@example.org")
            == normalise(free_page, "autre@example.org", "libre@example.org"))


def test_the_change_is_rate_limited_per_account_whatever_the_address(app, client, make, db):
    user = make.user()
    sign_in(client, user)
    statuses = [_ask_change(client, f"essai{n}@example.org", password="mauvais mot de passe",
                            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]


def test_a_stolen_session_cannot_guess_the_password_through_the_account_forms(client, make, db):
    sign_in(client, make.user())
    statuses = [post_form(client, "/compte/supprimer", {"password": f"essai {n}", "confirm": "y"},
                          environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code for n in range(11)]
    assert statuses == [200] * 10 + [429]
