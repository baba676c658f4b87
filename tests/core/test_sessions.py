"""The session cookie is Flask's own (signed with itsdangerous); who is signed in is still
decided by the auth_session row (accounts/auth.py)."""
from __future__ import annotations

import pytest
from flask.sessions import SecureCookieSessionInterface

from ..factories import PASSWORD, post_form


@pytest.fixture
def signed_in(app, client, make):
    person = make.user("cookie@example.org")
    assert post_form(client, "/connexion", {"email": person.email, "password": PASSWORD}).status_code == 302
    client.get("/")  # the flashed welcome is shown, and removed from the session
    return client


def _cookie(client, app) -> str:
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def _signed_out(response) -> bool:
    return response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_the_session_is_flasks_signed_cookie_and_keeps_the_person_signed_in(app, signed_in):
    assert type(app.session_interface) is SecureCookieSessionInterface
    data = app.session_interface.get_signing_serializer(app).loads(_cookie(signed_in, app))
    assert data["_user_id"] and data["auth_token"]  # Flask-Login's id, and the sign-in's token
    assert signed_in.get("/compte").status_code == 200


def test_the_cookie_is_http_only_and_same_site(app, client, make):
    person = make.user()
    response = post_form(client, "/connexion", {"email": person.email, "password": PASSWORD})
    header = next(value for value in response.headers.getlist("Set-Cookie")
                  if value.startswith(app.config["SESSION_COOKIE_NAME"] + "="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Expires=" in header


def test_a_forged_cookie_is_an_empty_session(app, client):
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "eyJmb28iOiJiYXIifQ.forged.signature")
    assert _signed_out(client.get("/compte"))


def test_a_damaged_cookie_is_an_empty_session(app, signed_in):
    payload, stamp, signature = _cookie(signed_in, app).rsplit(".", 2)
    signed_in.set_cookie(app.config["SESSION_COOKIE_NAME"], ".".join((payload[:-2] + "AA", stamp, signature)))
    assert _signed_out(signed_in.get("/compte"))


def test_a_cookie_in_the_retired_v1_format_is_no_longer_accepted(app, client):
    """People holding one sign in again once (README's changelog)."""
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "v1.eyJfdXNlcl9pZCI6IjEifQ.AGZ2kxQ.c2lnbmF0dXJl")
    assert _signed_out(client.get("/compte"))


def test_a_cookie_signed_with_a_retired_key_still_reads(app, signed_in):
    old_key, old_cookie = app.secret_key, _cookie(signed_in, app)
    app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = "a-new-key-" + "x" * 40, [old_key]
    try:
        assert signed_in.get("/compte").status_code == 200
        app.config["SECRET_KEY_FALLBACKS"] = []
        signed_in.set_cookie(app.config["SESSION_COOKIE_NAME"], old_cookie)
        assert _signed_out(signed_in.get("/compte"))  # retired for good: signed out
    finally:
        app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = old_key, []


def test_a_copied_cookie_signs_nobody_in_once_the_person_signed_out(app, signed_in):
    copied = _cookie(signed_in, app)
    post_form(signed_in, "/deconnexion", {}, form_url="/compte")
    signed_in.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    assert _signed_out(signed_in.get("/compte"))
