"""Nobody learns from the site which addresses have an account: registration and password
reset answer the same whatever exists, and mail goes through the outbox after the answer,
so a failing mail server changes nothing on screen."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from plateforme.accounts.models import User

from ..factories import CSRF_RE, PASSWORD, csrf_token

NEW_PASSWORD = "une autre phrase de passe"


def _without_csrf(response) -> str:
    return CSRF_RE.sub("", response.get_data(as_text=True))


def _register(app, email):
    client = app.test_client()
    token = csrf_token(client, "/inscription")
    # Followed to the page the person reads (the POST answers with a redirect, the same for both).
    return client.post("/inscription", data={
        "csrf_token": token, "email": email, "display_name": "Dominique", "commune": "Villeurbanne",
        "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD, "accept_privacy": "y"}, follow_redirects=True)


def _ask_reset(app, email, **kwargs):
    client = app.test_client()
    token = csrf_token(client, "/mot-de-passe-oublie")
    return client.post("/mot-de-passe-oublie", data={"csrf_token": token, "email": email}, **kwargs)


def test_registering_with_a_taken_address_answers_as_a_new_registration(app, make, db, outbox):
    make.user("existe@example.org", name="Propriétaire")
    taken = _register(app, "existe@example.org")
    fresh = _register(app, "nouvelle@example.org")
    assert taken.status_code == fresh.status_code == 200
    assert (_without_csrf(taken).replace("existe@example.org", "X")
            == _without_csrf(fresh).replace("nouvelle@example.org", "X"))
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 2  # no second account
    owner_mail = next(m for m in outbox if m.to == "existe@example.org")
    assert "/confirmer/" not in owner_mail.body and "/mot-de-passe-oublie" in owner_mail.body
    assert any(m.to == "nouvelle@example.org" and "/confirmer/" in m.body for m in outbox)


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(app, make, db, outbox):
    make.user("existe@example.org")
    known = _ask_reset(app, "existe@example.org")
    unknown = _ask_reset(app, "inconnue@example.org")
    assert known.status_code == unknown.status_code == 200
    assert (_without_csrf(known).replace("existe@example.org", "X")
            == _without_csrf(unknown).replace("inconnue@example.org", "X"))
    assert [m.to for m in outbox] == ["existe@example.org"]


def test_a_failing_mail_server_changes_nothing_on_screen(app, make, db, outbox, monkeypatch, caplog):
    make.user("existe@example.org")
    unknown = _ask_reset(app, "inconnue@example.org")
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "failing")
    known = _ask_reset(app, "existe@example.org")
    assert known.status_code == unknown.status_code == 200
    assert (_without_csrf(known).replace("existe@example.org", "X")
            == _without_csrf(unknown).replace("inconnue@example.org", "X"))
    # Kept in the outbox for a later attempt, with the error for the operator.
    from sqlalchemy import select

    from plateforme.core.outbox_models import MailStatus, OutgoingMail

    kept = db.session.execute(select(OutgoingMail)).scalar_one()
    assert kept.to_address == "existe@example.org" and kept.status == MailStatus.QUEUED
    assert kept.attempts == 1 and "MAIL_BACKEND=failing" in kept.last_error
    taken = _register(app, "existe@example.org")
    assert taken.status_code == 200


def test_nothing_is_mailed_when_the_request_fails(app, make, db, outbox, monkeypatch):
    """A request whose commit fails (500) mails nothing: its change was not kept."""
    from plateforme.extensions import db as database

    make.user("existe@example.org")

    def failing_commit():
        raise RuntimeError("the database went away")

    client = app.test_client()
    token = csrf_token(client, "/inscription")
    monkeypatch.setattr(database.session, "commit", failing_commit)
    app.testing, propagate = False, app.config.get("PROPAGATE_EXCEPTIONS")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.post("/inscription", data={
            "csrf_token": token, "email": "nouvelle@example.org", "display_name": "Dominique",
            "commune": "Villeurbanne", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD,
            "accept_privacy": "y"})
    finally:
        app.testing = True
        app.config["PROPAGATE_EXCEPTIONS"] = propagate
    assert response.status_code == 500 and outbox == []
