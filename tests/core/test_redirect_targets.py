"""Every route that sends people back to a page they name (`next`, `retour`) goes only to a
local address that fits in a Location header: anything else falls back to the route's own
default page, never to another site and never to a server error (issue 18, part 5)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from plateforme.core.urls import safe_next

from ..debate.hostile_forms import build_world
from ..factories import PASSWORD, csrf_token, sign_in

# What a person's browser or a forged link can put in a return address.
HOSTILE_TARGETS = [
    "/x?a\r\nb", "/x?a\rb", "/x?a\nb", "/x\r\nSet-Cookie: x=1", "/\t/evil.example", "/x\x00", "/x\x1f",
    "/x\x7f", "/x\x85", "/x\u2028y", "//evil.example", "/\\evil.example", "\\\\evil.example",
    "https://evil.example/", "javascript:alert(1)", "evil.example", "/" + "x" * 60_000,
]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_safe_next_refuses_what_could_leave_the_site_or_break_the_header(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/compte", "/consultations/3/debat?tri=recent#c12", "/territoires/recherche?q=l%27Isle"])
def test_safe_next_keeps_local_pages(target):
    assert safe_next(target) == target


def _assert_local(response, default: str) -> None:
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert urlsplit(location).netloc in ("", "localhost") and location.endswith(default), location
    assert not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in location)


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_language_switch_falls_back_home(client, target):
    response = client.post("/langue", data={"lang": "en", "next": target})  # a visitor's: no token
    _assert_local(response, "/")


@pytest.mark.parametrize("target", ["/x?a\r\nb", "/x?a\x00b", "/\t/evil.example", "//evil.example"])
def test_sign_in_falls_back_home(client, make, target):
    user = make.user()
    token = csrf_token(client, "/connexion")
    # The query string arrives percent-encoded, as from a link: `next=/x?a%0d%0ab` is decoded once.
    response = client.post("/connexion", query_string={"next": target},
                           data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    _assert_local(response, "/")


def test_support_and_moderation_buttons_fall_back_to_their_page(client, db, make):
    world = build_world(make, db)
    debate = "/consultations/{debating}/debat".format(**world.ids)
    sign_in(client, world.users["other"])
    token = csrf_token(client, debate)
    endorse = "/consultations/{debating}/commentaires/{comment}/soutenir".format(**world.ids)
    for target in ("/x?a\r\nb", "/\t/evil.example"):
        response = client.post(endorse, data={"csrf_token": token, "retour": target})
        assert response.status_code == 302 and "\n" not in response.headers["Location"]
        assert urlsplit(response.headers["Location"]).netloc in ("", "localhost")

    moderator = client.application.test_client()
    sign_in(moderator, world.users["moderator"])
    token = csrf_token(moderator, debate)
    feature = "/consultations/{debating}/moderation/commentaire/{comment}/mettre-en-avant".format(**world.ids)
    response = moderator.post(feature, data={"csrf_token": token, "next": "/x?a\r\nb"})
    assert response.status_code == 302 and "\n" not in response.headers["Location"]
