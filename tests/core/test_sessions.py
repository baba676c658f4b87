"""The session cookie is re-sent when it changes or is a day old, not on every response."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from plateforme.core.sessions import REFRESH_AFTER

from ..factories import PASSWORD, post_form


def _session_cookie_set(response, app) -> bool:
    name = app.config["SESSION_COOKIE_NAME"]
    return any(value.startswith(f"{name}=") for value in response.headers.getlist("Set-Cookie"))


@pytest.fixture
def signed_in(app, client, make):
    person = make.user("cookie@example.org")
    assert post_form(client, "/connexion", {"email": person.email, "password": PASSWORD}).status_code == 302
    client.get("/")  # the flashed welcome is shown, and removed from the session
    return client


def test_an_unchanged_fresh_session_is_not_re_sent(app, signed_in):
    response = signed_in.get("/")
    assert response.status_code == 200
    assert not _session_cookie_set(response, app)
    assert signed_in.get("/compte").status_code == 200  # and the person is still signed in


def test_a_changed_session_is_re_sent(app, signed_in):
    response = post_form(signed_in, "/langue", {"lang": "en", "next": "/"}, form_url="/")
    assert _session_cookie_set(response, app)


def test_a_day_old_session_is_re_sent_so_its_expiry_slides(app, signed_in, monkeypatch):
    later = datetime.now(timezone.utc) + REFRESH_AFTER + timedelta(minutes=1)

    class Tomorrow(datetime):
        @classmethod
        def now(cls, tz=None):
            return later

    monkeypatch.setattr("plateforme.core.sessions.datetime", Tomorrow)
    assert _session_cookie_set(signed_in.get("/"), app)


def test_a_forged_cookie_is_an_empty_session(app, client):
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "eyJmb28iOiJiYXIifQ.forged.signature")
    response = client.get("/compte")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


# --- the cookie's format --------------------------------------------------------------

def _cookie(client, app) -> str:
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def _sessions(app):
    return app.session_interface


def test_the_cookie_is_signed_json_that_reads_back(app, signed_in):
    value = _cookie(signed_in, app)
    assert value.startswith("v1.")
    data, _ = _sessions(app).decode(app, value, 3600, datetime.now(timezone.utc).timestamp())
    assert data["_user_id"] and data["auth_token"]  # Flask-Login's id, and the sign-in's token


@pytest.mark.parametrize("damage", ["payload", "signature", "stamp"])
def test_a_damaged_cookie_is_an_empty_session(app, signed_in, damage):
    version, payload, stamp, signature = _cookie(signed_in, app).split(".")
    if damage == "payload":  # someone makes themselves another person
        payload = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB")
    elif damage == "signature":
        signature = signature[::-1]
    else:  # a signature replayed with a fresher date
        stamp = stamp[:-1] + ("A" if stamp[-1] != "A" else "B")
    signed_in.set_cookie(app.config["SESSION_COOKIE_NAME"], ".".join((version, payload, stamp, signature)))
    response = signed_in.get("/compte")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_a_cookie_older_than_the_session_lifetime_is_an_empty_session(app, signed_in):
    value = _cookie(signed_in, app)
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    now = datetime.now(timezone.utc).timestamp()
    assert _sessions(app).decode(app, value, lifetime, now) is not None
    assert _sessions(app).decode(app, value, lifetime, now + lifetime + 60) is None


def test_a_cookie_signed_with_a_retired_key_still_reads(app, signed_in):
    value = _cookie(signed_in, app)
    old_key = app.secret_key
    app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = "a-new-key-" + "x" * 40, [old_key]
    try:
        assert signed_in.get("/compte").status_code == 200
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert signed_in.get("/compte").status_code == 302  # retired for good: signed out
    finally:
        app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = old_key, []


def test_a_cookie_in_flasks_former_format_still_signs_in_and_is_re_sent_in_the_new_one(app, signed_in):
    data, _ = _sessions(app).decode(app, _cookie(signed_in, app), 3600, datetime.now(timezone.utc).timestamp())
    former = _sessions(app).get_signing_serializer(app).dumps(data)
    signed_in.set_cookie(app.config["SESSION_COOKIE_NAME"], former)
    response = signed_in.get("/compte")
    assert response.status_code == 200
    assert _session_cookie_set(response, app) and _cookie(signed_in, app).startswith("v1.")


def test_a_long_session_is_compressed_under_the_browsers_limit_and_reads_back(app):
    long_text = "Un message qui cite ce qui a été tapé. " * 200
    with app.test_request_context("/"):
        value = _sessions(app).encode(app, {"_flashes": [["error", long_text]]}, 1_800_000_000)
        assert value.startswith("v1z.") and len(value) < 4000
        data, signed_at = _sessions(app).decode(app, value, 3600, 1_800_000_000)
    assert data == {"_flashes": [["error", long_text]]} and signed_at == 1_800_000_000


def test_a_lazy_flashed_message_is_translated_when_shown_in_the_readers_language(app):
    from flask_babel import force_locale, lazy_gettext

    source = "Votre soutien à cette proposition est enregistré."
    with app.test_request_context("/"):
        with force_locale("en"):  # the POST's language does not matter: nothing is translated yet
            value = _sessions(app).encode(app, {"_flashes": [["success", lazy_gettext(source)]]}, 1_800_000_000)
        data, _ = _sessions(app).decode(app, value, 3600, 1_800_000_000)
        (category, message), = data["_flashes"]
        with force_locale("en"):
            assert (category, str(message)) == ("success", "Your support for this proposal has been recorded.")
        with force_locale("fr"):
            assert str(message) == source


def test_pages_that_read_the_session_vary_on_the_cookie_once(app, signed_in):
    response = signed_in.get("/compte")
    assert [part.strip() for part in response.headers["Vary"].split(",")].count("Cookie") == 1


@pytest.mark.parametrize("domain", [None, "exemple.fr"])
@pytest.mark.parametrize("permanent", [True, False])
def test_the_set_cookie_header_is_the_one_werkzeug_writes(app, domain, permanent):
    from flask import Response
    from werkzeug.http import dump_cookie

    from plateforme.core.sessions import DailyRefreshedCookieSessions

    interface = DailyRefreshedCookieSessions()
    app.config["SESSION_COOKIE_DOMAIN"] = domain
    try:
        with app.test_request_context("/"):
            session = interface.session_class({"lang": "en"})
            session.permanent = permanent
            response = Response()
            interface.save_session(app, session, response)
            (header,) = response.headers.getlist("Set-Cookie")
            value = header.split(";")[0].split("=", 1)[1]
            expected = dump_cookie(interface.get_cookie_name(app), value,
                                   expires=interface.get_expiration_time(app, session),
                                   domain=interface.get_cookie_domain(app), path=interface.get_cookie_path(app),
                                   secure=interface.get_cookie_secure(app), httponly=interface.get_cookie_httponly(app),
                                   samesite=interface.get_cookie_samesite(app),
                                   partitioned=interface.get_cookie_partitioned(app))
        assert header == expected and ("Expires=" in header) is permanent
    finally:
        app.config["SESSION_COOKIE_DOMAIN"] = None
