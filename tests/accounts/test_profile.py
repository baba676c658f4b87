"""Profile editing, personal data download and account deletion (RGPD rights)."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from plateforme.accounts.models import AuthSession, Mandate, Membership, User

from ..factories import PASSWORD, post_form, sign_in


def test_edit_profile(client, make, db):
    user = make.user(name="Ancien Nom")
    sign_in(client, user)
    response = post_form(client, "/compte", {"display_name": "Nouveau Nom",
                                             "commune": "Bron", "locale": "en"})
    assert response.status_code == 302
    user = db.session.get(User, user.id)
    assert (user.display_name, user.commune.name, user.locale) == ("Nouveau Nom", "Bron", "en")
    assert 'lang="en"' in client.get("/compte").get_data(as_text=True)


def test_profile_bad_input_keeps_values_and_changes_nothing(client, make, db):
    other = make.user("prise@example.org")
    user = make.user(name="Nom Initial")
    sign_in(client, user)
    body = post_form(client, "/compte", {"display_name": "X",
                                         "commune": "Villeurbanne", "locale": "xx"}).get_data(as_text=True)
    assert "entre 2 et 80 caractères" in body
    assert 'value="X"' in body
    assert db.session.get(User, user.id).display_name == "Nom Initial"
    assert other.email == "prise@example.org"


def test_download_personal_data(client, make, db):
    user = make.elected(name="Claude", territory_code="69266")
    sign_in(client, user)
    response = client.get("/compte/mes-donnees.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == user.email and data["account"]["display_name"] == "Claude"
    assert data["account"]["commune"] == {"code": "69266", "name": "Villeurbanne"}
    assert data["mandates"][0]["territory"]["name"] == "Villeurbanne"
    assert len(data["sign_in_sessions"]) == 1
    dumped = json.dumps(data)
    assert "password_hash" not in dumped and "pbkdf2" not in dumped and "token" not in dumped


def test_delete_account_erases_everything(client, make, db):
    organisation = make.organisation()
    user = make.partner(organisation)
    db.session.add(Mandate(user=user, territory=make.territory("69266"), title="maire"))
    db.session.commit()
    sign_in(client, user)
    response = post_form(client, "/compte/supprimer", {"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    for model in (User, Mandate, Membership, AuthSession):
        assert db.session.execute(select(func.count()).select_from(model)).scalar_one() == 0, model
    assert client.get("/compte").status_code == 302


def test_delete_account_needs_password_and_confirmation(client, make, db):
    user = make.user()
    sign_in(client, user)
    body = post_form(client, "/compte/supprimer", {"password": "pas le bon mot", "confirm": "y"}).get_data(as_text=True)
    assert "Le mot de passe est incorrect" in body
    body = post_form(client, "/compte/supprimer", {"password": PASSWORD}).get_data(as_text=True)
    assert "Cochez cette case" in body
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 1
