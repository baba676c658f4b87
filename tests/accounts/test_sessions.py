"""Sign-in sessions that really end, password change and reset, structured security logs."""
from __future__ import annotations

import json
import logging
import re

from sqlalchemy import func, select

from plateforme.accounts.models import AuthSession

from ..factories import PASSWORD, csrf_token, post_form, sign_in

NEW_PASSWORD = "un tout autre mot de passe"


def _copy_cookies(source, target):
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_sign_in_and_out(client, make):
    user = make.user(name="Alex")
    sign_in(client, user)
    assert "Alex" in client.get("/compte").get_data(as_text=True)
    post_form(client, "/deconnexion", {}, form_url="/compte")
    response = client.get("/compte")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_wrong_password_gives_one_message_for_both_fields(client, make):
    user = make.user()
    for email, password in ((user.email, "mauvais mot de passe"), ("inconnu@example.org", PASSWORD)):
        body = post_form(client, "/connexion", {"email": email, "password": password}).get_data(as_text=True)
        assert "Adresse électronique ou mot de passe incorrect" in body
        assert f'value="{email}"' in body


def test_copied_cookie_stops_working_after_sign_out(app, client, make):
    user = make.user()
    sign_in(client, user)
    thief = app.test_client()
    _copy_cookies(client, thief)
    assert thief.get("/compte").status_code == 200  # the copy works while the session lives
    post_form(client, "/deconnexion", {}, form_url="/compte")
    response = thief.get("/compte")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, make, db):
    user = make.user()
    sign_in(client, user)
    other_device = app.test_client()
    sign_in(other_device, user)
    response = post_form(client, "/compte/mot-de-passe", {
        "current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/compte").status_code == 200
    assert other_device.get("/compte").status_code == 302
    assert db.session.execute(select(func.count(AuthSession.id))).scalar_one() == 1


def test_password_change_needs_the_current_password(client, make):
    sign_in(client, make.user())
    body = post_form(client, "/compte/mot-de-passe", {
        "current_password": "pas le bon du tout", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD,
    }).get_data(as_text=True)
    assert "Le mot de passe actuel est incorrect" in body


def _reset_link(outbox) -> str:
    return re.search(r"http://localhost(/reinitialiser/\S+)", outbox[-1].body).group(1)


def test_reset_password_works_once(app, client, make, outbox):
    user = make.user()
    other_device = app.test_client()
    sign_in(other_device, user)
    response = post_form(client, "/mot-de-passe-oublie", {"email": user.email.upper()})
    assert response.status_code == 200 and len(outbox) == 1
    link = _reset_link(outbox)
    response = post_form(client, link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert other_device.get("/compte").status_code == 302  # a reset ends every session
    sign_in(client, user.email, NEW_PASSWORD)
    again = client.get(link)
    assert again.status_code == 400 and "déjà servi" in again.get_data(as_text=True)


def test_reset_link_expires(app, client, make, outbox):
    user = make.user()
    post_form(client, "/mot-de-passe-oublie", {"email": user.email})
    link = _reset_link(outbox)
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    try:
        response = client.get(link)
    finally:
        app.config["RESET_TOKEN_MAX_AGE"] = 3600
    assert response.status_code == 400 and "a expiré" in response.get_data(as_text=True)


def test_reset_for_unknown_address_says_the_same_and_sends_nothing(client, db, outbox):
    body = post_form(client, "/mot-de-passe-oublie", {"email": "personne@nulle-part.org"}).get_data(as_text=True)
    assert "Si un compte existe" in body
    assert outbox == []


def test_reset_with_weak_password_keeps_the_link_usable(client, make, outbox):
    user = make.user()
    post_form(client, "/mot-de-passe-oublie", {"email": user.email})
    link = _reset_link(outbox)
    body = post_form(client, link, {"password": "court", "password_confirm": "court"}).get_data(as_text=True)
    assert "au moins 12 caractères" in body
    assert client.get(link).status_code == 200


def test_security_events_are_logged_as_json_without_secrets(client, make, caplog):
    user = make.user()
    caplog.set_level(logging.INFO, logger="plateforme.security")
    post_form(client, "/connexion", {"email": user.email, "password": "mauvais mot de passe"})
    sign_in(client, user)
    client.get("/admin/")  # refused: not an administrator
    post_form(client, "/deconnexion", {}, form_url="/compte")
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "plateforme.security"]
    assert [e["event"] for e in events] == ["sign_in_failed", "sign_in", "permission_denied", "sign_out"]
    for event in events:
        assert event["user"] == user.id and event["ip"] == "127.0.0.1" and event["time"].endswith("+00:00")
    text = " ".join(r.getMessage() for r in caplog.records)
    assert "mauvais mot de passe" not in text and PASSWORD not in text and "auth_token" not in text


def test_sign_in_is_rate_limited(client, make):
    user = make.user()
    token = csrf_token(client, "/connexion")
    statuses = [client.post("/connexion", data={"csrf_token": token, "email": user.email, "password": "x" * 12}).status_code
                for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert "Trop de tentatives" in client.post("/connexion", data={"csrf_token": token}).get_data(as_text=True)


def test_next_parameter_cannot_send_people_off_site(client, make):
    user = make.user()
    token = csrf_token(client, "/connexion")
    response = client.post("/connexion?next=//evil.example/x",
                           data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_rate_limits_are_shared_through_redis(app, db, make):
    """Production keeps counters in Redis, so every gunicorn worker sees the same limit."""
    import redis

    from plateforme import create_app

    from ..conftest import make_test_config

    url = "redis://127.0.0.1:6379/15"
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    config = make_test_config(app.config["SQLALCHEMY_DATABASE_URI"])
    workers = [create_app({**config, "RATELIMIT_STORAGE_URI": url}) for _ in range(2)]
    user = make.user()
    statuses = []
    for attempt in range(11):
        worker = workers[attempt % 2].test_client()  # alternate between two "workers"
        token = csrf_token(worker, "/connexion")
        statuses.append(worker.post("/connexion", data={"csrf_token": token, "email": user.email,
                                                        "password": "x" * 12}).status_code)
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    assert connection.keys("*")  # the counters live in Redis
    connection.flushdb()
