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
