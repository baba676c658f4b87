"""Confirmations carried by the redirect's address (core/notices.py): shown to the person
they were made for, for a while, and to nobody else; the POST writes no cookie."""
from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from plateforme.core import notices

from ..factories import page_text, post_form, sign_in
from .helpers import comment, comment_form, proposal

SUPPORTED = "Votre soutien à cette proposition est enregistré."


@pytest.fixture
def supported(client, db, make, proposing):
    """A resident signed in on `client` who has just supported a proposal: (landing address, proposal page)."""
    with client.application.test_request_context():
        proposed = proposal(db, make.user(), proposing)
    page = f"/consultations/{proposing.id}/propositions/{proposed.id}"
    sign_in(client, make.user())
    response = post_form(client, f"{page}/soutenir", {"retour": page}, form_url=page)
    assert response.status_code == 302
    return response, page


def test_the_supporter_is_told_on_the_page_they_land_on_and_no_cookie_is_written(client, supported):
    response, page = supported
    assert "Set-Cookie" not in response.headers
    assert urlsplit(response.headers["Location"]).path == page
    assert SUPPORTED in page_text(client.get(response.headers["Location"]))
    assert SUPPORTED not in page_text(client.get(page))


def test_the_same_address_tells_nothing_to_someone_else(client, make, supported):
    response, _ = supported
    landing = response.headers["Location"]
    visitor = client.application.test_client()
    assert SUPPORTED not in page_text(visitor.get(landing))
    other = client.application.test_client()
    sign_in(other, make.user())
    shown = other.get(landing)
    assert shown.status_code == 200 and SUPPORTED not in page_text(shown)


def test_a_notice_is_shown_for_ten_minutes(client, supported, monkeypatch):
    response, _ = supported
    landing = response.headers["Location"]
    now = time.time()
    monkeypatch.setattr(notices.time, "time", lambda: now + 9 * 60)
    assert SUPPORTED in page_text(client.get(landing))
    monkeypatch.setattr(notices.time, "time", lambda: now + 11 * 60 + 60)
    assert SUPPORTED not in page_text(client.get(landing))


@pytest.mark.parametrize("forge", [
    lambda name, minute, signature: f"{name}.{minute}.{signature[:-1]}A" if signature[-1] != "A"
    else f"{name}.{minute}.{signature[:-1]}B",  # one character changed
    lambda name, minute, signature: f"soutien-proposition-deja.{minute}.{signature}",  # another notice's name
    lambda name, minute, signature: f"{name}.{int(minute, 16) + 1:x}.{signature}",  # another minute
    lambda name, minute, signature: f"inconnu.{minute}.{signature}",
    lambda name, minute, signature: name,
    lambda name, minute, signature: f"{name}.zz.{signature}",
    lambda name, minute, signature: f"{name}.{minute}.é{signature}",
    lambda name, minute, signature: "..",
])
def test_a_forged_or_broken_notice_shows_nothing_and_never_fails(client, supported, forge):
    response, page = supported
    token = parse_qs(urlsplit(response.headers["Location"]).query)[notices.PARAM][0]
    forged = forge(*token.split("."))
    shown = client.get(page, query_string={notices.PARAM: forged})
    assert shown.status_code == 200 and SUPPORTED not in page_text(shown)


def test_the_notice_is_translated_for_the_reader(client, supported):
    response, _ = supported
    post_form(client, "/langue", {"lang": "en", "next": "/"}, form_url="/")
    text = page_text(client.get(response.headers["Location"]))
    assert "Your support for this proposal has been recorded." in text


def test_the_landing_page_does_not_carry_its_notice_into_its_links_and_filters(client, db, make, debating):
    author = make.user()
    with client.application.test_request_context():
        for i in range(21):  # two pages of threads
            comment(db, author, debating, body=f"Avis numéro {i:02d}.")
    sign_in(client, make.user())
    page = f"/consultations/{debating.id}"
    response = post_form(client, f"{page}/commenter", comment_form(), form_url=page)
    landing = client.get(response.headers["Location"])
    html = landing.get_data(as_text=True)
    assert "votre commentaire est publié" in page_text(landing)
    next_page = re.search(r'<a href="([^"]*)">Page suivante</a>', html).group(1)
    assert "page_commentaires=2" in next_page and notices.PARAM not in next_page
    assert f'name="{notices.PARAM}"' not in html  # the filters' hidden fields
