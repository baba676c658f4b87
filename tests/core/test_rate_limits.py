"""Route limits apply while rate limiting is on, and cost nothing while it is off."""
from __future__ import annotations

import pytest

from plateforme.extensions import limiter

from ..factories import PASSWORD, csrf_token


def _eleven_sign_ins(client) -> list[int]:
    token = csrf_token(client, "/connexion")
    return [client.post("/connexion", data={"csrf_token": token, "email": "personne@example.org",
                                            "password": "pas-le-bon-mot-de-passe"}).status_code
            for _ in range(11)]


def test_the_sign_in_limit_applies_while_rate_limiting_is_on(client):
    assert limiter.enabled
    statuses = _eleven_sign_ins(client)
    assert statuses[:10] == [200] * 10 and statuses[10] == 429  # "10 per minute"


def test_nothing_is_counted_while_rate_limiting_is_off(client, monkeypatch):
    monkeypatch.setattr(limiter, "enabled", False)
    assert _eleven_sign_ins(client) == [200] * 11
    monkeypatch.setattr(limiter, "enabled", True)
    assert _eleven_sign_ins(client) == [200] * 10 + [429]  # what was sent while off was not counted


# --- behind a reverse proxy (PROXY_COUNT), per address and per account ----------------------

@pytest.fixture
def proxied_app(app, db):
    """The application as deployed behind one reverse proxy (PROXY_COUNT=1)."""
    from plateforme import create_app

    from ..conftest import FreshContextClient, make_test_config

    application = create_app({**make_test_config(app.config["SQLALCHEMY_DATABASE_URI"]), "PROXY_COUNT": 1})
    application.test_client_class = FreshContextClient
    return application


def _sign_in_from(application, address: str, email: str, password: str = "pas-le-bon-mot-de-passe") -> int:
    """One sign-in attempt by a client the proxy says is at `address` (its connection comes from the proxy)."""
    client = application.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    token = csrf_token(client, "/connexion")
    return client.post("/connexion", data={"csrf_token": token, "email": email, "password": password}).status_code


def test_behind_a_proxy_one_address_cannot_lock_everyone_out(proxied_app, make):
    user = make.user()
    attacker = [_sign_in_from(proxied_app, "203.0.113.9", f"cible{n}@example.org") for n in range(11)]
    assert attacker == [200] * 10 + [429]
    assert _sign_in_from(proxied_app, "198.51.100.7", user.email, PASSWORD) == 302  # everyone else still signs in


def test_behind_a_proxy_the_security_log_names_the_real_client(proxied_app, make, caplog):
    _sign_in_from(proxied_app, "203.0.113.9", make.user().email)
    assert '"ip": "203.0.113.9"' in caplog.text


def test_without_proxy_count_forwarded_headers_are_not_trusted(client):
    """PROXY_COUNT=0 (the default): a client cannot dodge the limit by sending X-Forwarded-For itself."""
    token = csrf_token(client, "/connexion")
    statuses = [client.post("/connexion", headers={"X-Forwarded-For": f"10.1.1.{n}"},
                            data={"csrf_token": token, "email": f"x{n}@example.org", "password": "x" * 12}).status_code
                for n in range(11)]
    assert statuses == [200] * 10 + [429]


def test_guesses_on_one_account_from_many_addresses_are_limited(proxied_app, make):
    user = make.user()
    statuses = [_sign_in_from(proxied_app, f"203.0.113.{n}", user.email.upper()) for n in range(11)]
    assert statuses == [200] * 10 + [429]  # the typed address, normalised, is the key
    # The lockout says the same for an address without an account.
    unknown = [_sign_in_from(proxied_app, f"198.51.100.{n}", "personne-inconnue@example.org") for n in range(11)]
    assert unknown == statuses


def test_successful_sign_ins_do_not_count_against_the_account(proxied_app, make):
    user = make.user()
    statuses = [_sign_in_from(proxied_app, f"203.0.113.{n}", user.email, PASSWORD) for n in range(12)]
    assert statuses == [302] * 12


def test_a_room_of_officials_behind_one_address_all_sign_in(proxied_app, make):
    """Successes do not count against the address: twelve officials of one town hall, one
    connection, one minute (they were refused from the eleventh on); guesses still do."""
    people = [make.user() for _ in range(12)]
    assert [_sign_in_from(proxied_app, "192.0.2.10", person.email, PASSWORD) for person in people] == [302] * 12
    guesses = [_sign_in_from(proxied_app, "192.0.2.10", f"inconnu{n}@example.org") for n in range(11)]
    assert guesses == [200] * 10 + [429]
