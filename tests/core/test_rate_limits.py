"""Route limits apply while rate limiting is on, and cost nothing while it is off."""
from __future__ import annotations

import pytest

from plateforme.extensions import limiter

from ..factories import csrf_token


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
