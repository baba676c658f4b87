"""Security headers, CSRF on every state change, error pages without tracebacks."""
from __future__ import annotations

import re

import pytest
from flask import abort

from ..factories import csrf_token, post_form, sign_in

PUBLIC_PAGES = ["/", "/territoires/", "/territoires/epci/200046977", "/connexion", "/inscription",
                "/mentions-legales", "/confidentialite", "/accessibilite", "/plan-du-site", "/nope"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_security_headers_on_every_page(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # development/testing profile


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_pages_have_lang_one_h1_and_no_inline_script(client, path):
    body = client.get(path).get_data(as_text=True)
    assert re.search(r'<html lang="(fr|en)">', body)
    assert body.count("<h1") == 1
    # A JSON-LD data block (schema.org) is data, never run: the only inline <script> allowed.
    assert not re.search(r"<script(?![^>]*\bsrc=)(?! type=\"application/ld\+json\")[^>]*>", body)
    assert 'href="#contenu"' in body and 'id="contenu"' in body


def test_a_redirect_carries_only_the_headers_that_act_without_a_body(client):
    """Referrer-Policy sets the referrer of the next request and no-store keeps shared
    caches off; CSP, framing and sniffing rules govern a body, which a redirect has not."""
    response = client.get("/compte")  # a visitor is sent to the sign-in page
    assert response.status_code == 302 and response.content_length == 0
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cache-Control"] == "no-store"
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                   "Permissions-Policy", "Cross-Origin-Opener-Policy"):
        assert header not in response.headers


def test_pages_are_never_kept_by_shared_caches_and_a_views_own_headers_win(app, client):
    from flask import Response

    page = client.get("/")
    assert page.headers["Cache-Control"] == "no-store"
    stylesheet = client.get("/static/css/site.css")
    assert stylesheet.status_code == 200 and stylesheet.headers.get("Cache-Control") != "no-store"
    assert stylesheet.headers["X-Content-Type-Options"] == "nosniff"
    with app.test_request_context("/"):
        own = app.process_response(Response("x", mimetype="text/html", headers={
            "Cache-Control": "private, max-age=60", "x-frame-options": "SAMEORIGIN"}))
    assert own.headers.getlist("Cache-Control") == ["private, max-age=60"]
    assert own.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert own.headers["X-Content-Type-Options"] == "nosniff"


GOOD_KEY = "k3Jx9-Qz_7bW2mVtR8yLp4NcH6sDfA1eUgOiY5oTnEwBqZ0a"  # 48 characters, as token_urlsafe(36)


def _production(monkeypatch, tmp_path, **env):
    from plateforme import create_app

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")
    for name, value in {"PLATEFORME_ENV": "production", "SITE_URL": "https://plateforme.example.fr", **env}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return create_app()


def test_hsts_and_secure_cookies_in_production_with_a_good_key(monkeypatch, tmp_path):
    production = _production(monkeypatch, tmp_path, SECRET_KEY=GOOD_KEY)
    client = production.test_client()
    response = client.get("/sante")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert production.config["SESSION_COOKIE_SECURE"] is True
    cookies = client.get("/connexion").headers.getlist("Set-Cookie")  # the form's CSRF token opens a session
    assert cookies and all("Secure" in cookie and "HttpOnly" in cookie for cookie in cookies)


@pytest.mark.parametrize("env", [None, "", "  ", "prod", "Production"])
def test_the_app_refuses_to_start_without_an_explicit_known_environment(monkeypatch, tmp_path, env):
    """Without PLATEFORME_ENV (`gunicorn wsgi:app` on a server) the app used to run the
    development profile: a published key, no Secure cookie, no HSTS."""
    from plateforme.config import ConfigError

    with pytest.raises(ConfigError, match="PLATEFORME_ENV"):
        _production(monkeypatch, tmp_path, PLATEFORME_ENV=env, SECRET_KEY=GOOD_KEY)


def test_schema_commands_alone_run_without_an_environment(tmp_path):
    """`flask db upgrade` serves and signs nothing: it may run without PLATEFORME_ENV; a
    command that uses the key (or serves) may not."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("PLATEFORME_ENV", "SECRET_KEY")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'schema.sqlite'}"
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    upgrade = subprocess.run(flask + ["db", "upgrade"], env=env, capture_output=True, text=True, timeout=120)
    assert upgrade.returncode == 0, upgrade.stderr[-2000:]
    other = subprocess.run(flask + ["surveys", "close-due"], env=env, capture_output=True, text=True, timeout=120)
    assert other.returncode != 0 and "PLATEFORME_ENV is not set" in other.stderr


@pytest.mark.parametrize("key", [None, "", "x", "a-production-secret", "é" * 15, "dev-only-secret-key-change-me"])
def test_production_refuses_a_missing_short_or_development_key(monkeypatch, tmp_path, key):
    from plateforme.config import ConfigError

    with pytest.raises(ConfigError, match="SECRET_KEY") as raised:
        _production(monkeypatch, tmp_path, SECRET_KEY=key)
    assert "32 random bytes" in str(raised.value) and "secrets.token_urlsafe" in str(raised.value)


@pytest.mark.parametrize("site_url", [None, "", "plateforme.example.fr", "ftp://plateforme.example.fr",
                                      "https://plateforme.example.fr/chemin", "https://?x=1"])
def test_production_refuses_a_missing_or_unusable_site_url(monkeypatch, tmp_path, site_url):
    """Without it, a consumer's emails would link to localhost, and a request's would link to
    whatever host the client claimed."""
    from plateforme.config import ConfigError

    with pytest.raises(ConfigError, match="SITE_URL"):
        _production(monkeypatch, tmp_path, SECRET_KEY=GOOD_KEY, SITE_URL=site_url)


def test_a_reset_link_names_the_site_url_whatever_host_the_request_claims(monkeypatch, tmp_path):
    from plateforme.extensions import db

    production = _production(monkeypatch, tmp_path, SECRET_KEY=GOOD_KEY, MAIL_BACKEND="memory",
                             TASK_QUEUE_URL="immediate", RATELIMIT_STORAGE_URI="memory://", CACHE_TYPE="NullCache",
                             SITE_URL="https://plateforme.example.fr/")
    from plateforme.accounts.models import User
    from plateforme.accounts.services import send_password_reset

    with production.app_context():
        db.create_all()
        user = User(email="reset@example.org", display_name="Reset", password_hash="x")
        db.session.add(user)
        db.session.commit()
        with production.test_request_context("/mot-de-passe-oublie", base_url="https://elsewhere.example"):
            send_password_reset(user.email)
            db.session.commit()
        bodies = [message.body for message in production.extensions["mail_outbox"]]  # sent at once (immediate queue)
    assert bodies and "https://plateforme.example.fr/reinitialiser/" in bodies[0] and "elsewhere" not in bodies[0]


def test_development_must_be_asked_for_and_then_needs_no_key(monkeypatch, tmp_path):
    development = _production(monkeypatch, tmp_path, PLATEFORME_ENV="development", SECRET_KEY=None)
    assert development.config["SESSION_COOKIE_SECURE"] is False and development.config["SECRET_KEY"]


def _post_forms(client, path):
    """Every POST form on `path` (action, field names)."""
    body = client.get(path).get_data(as_text=True)
    return re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', body, flags=re.S), body


@pytest.mark.parametrize("path", ["/", "/connexion", "/inscription", "/mot-de-passe-oublie"])
def test_every_post_form_carries_a_csrf_token(client, path):
    forms, _body = _post_forms(client, path)
    assert forms
    for form in forms:
        if 'name="lang"' in form:  # a visitor's language switch, tokenless on purpose (core/views.set_language)
            continue
        assert re.search(r'name="[\w-]*csrf_token"', form)


@pytest.mark.parametrize("path,data", [
    ("/connexion", {"email": "a@example.org", "password": "x" * 12}),
    ("/inscription", {"email": "a@example.org"}),
    ("/mot-de-passe-oublie", {"email": "a@example.org"}),
    ("/deconnexion", {}),
])
def test_post_without_csrf_token_is_refused(client, path, data):
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "formulaire a expiré" in response.get_data(as_text=True)


def test_signed_in_forms_refuse_missing_csrf(client, make):
    user = make.user()
    sign_in(client, user)
    # /langue too: a visitor switches without a token, a signed-in person's profile needs one.
    for path in ["/compte", "/compte/mot-de-passe", "/compte/supprimer", "/langue", "/deconnexion"]:
        assert client.post(path, data={"password": "x"}).status_code == 400, path


def test_404_in_both_languages_without_traceback(client):
    french = client.get("/nulle-part")
    assert french.status_code == 404 and "Page introuvable" in french.get_data(as_text=True)
    english = client.get("/nowhere", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.status_code == 404 and 'lang="en"' in english.get_data(as_text=True)


def test_unexpected_error_gives_a_500_page_without_traceback(app):
    from plateforme import create_app

    from ..conftest import make_test_config

    fresh = create_app(make_test_config(app.config["SQLALCHEMY_DATABASE_URI"]))

    @fresh.route("/_boom")
    def _boom():
        raise RuntimeError("secret internals")

    for language, title in (("fr", "Erreur du serveur"), ("en", 'lang="en"')):
        response = fresh.test_client().get("/_boom", headers={"Accept-Language": language})
        body = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "secret internals" not in body and "Traceback" not in body
        assert title in body


def test_language_switch_is_remembered(client):
    response = client.post("/langue", data={"lang": "en", "next": "/connexion"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/connexion")
    assert 'lang="en"' in client.get("/connexion").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    response = client.post("/langue", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_oversized_upload_gets_413_page(client, make):
    sign_in(client, make.admin())
    token = csrf_token(client, "/admin/territoires")
    big = b"x" * (6 * 1024 * 1024)
    import io
    response = client.post("/admin/territoires", data={"csrf_token": token, "margins-file": (io.BytesIO(big), "big.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)
