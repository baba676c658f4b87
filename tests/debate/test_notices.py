"""Confirmations after posting or reacting are flashed messages: shown once on the page the
person lands on, in their language; a comment's is shown beside the comment."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from plateforme.debate.views import NEAR_PARAM

from ..factories import page_text, post_form, sign_in
from .helpers import comment, comment_form, proposal

SUPPORTED = "Votre soutien à cette proposition est enregistré."


@pytest.fixture
def supported(client, db, make, proposing):
    """A resident signed in on `client` who has just supported a proposal: (the POST's answer, proposal page)."""
    with client.application.test_request_context():
        proposed = proposal(db, make.user(), proposing)
    page = f"/consultations/{proposing.id}/propositions/{proposed.id}"
    sign_in(client, make.user())
    response = post_form(client, f"{page}/soutenir", {"retour": page}, form_url=page)
    assert response.status_code == 302
    return response, page


def test_the_supporter_is_told_once_on_the_page_they_land_on(client, supported):
    response, page = supported
    assert urlsplit(response.headers["Location"]).path == page
    assert SUPPORTED in page_text(client.get(response.headers["Location"]))
    assert SUPPORTED not in page_text(client.get(page))


def test_the_confirmation_is_nobody_elses(client, make, supported):
    response, _ = supported
    other = client.application.test_client()
    sign_in(other, make.user())
    shown = other.get(response.headers["Location"])
    assert shown.status_code == 200 and SUPPORTED not in page_text(shown)


def test_the_confirmation_is_in_the_readers_language(client, db, make, proposing):
    with client.application.test_request_context():
        proposed = proposal(db, make.user(), proposing)
    page = f"/consultations/{proposing.id}/propositions/{proposed.id}"
    sign_in(client, make.user())
    post_form(client, "/langue", {"lang": "en", "next": "/"}, form_url="/")
    response = post_form(client, f"{page}/soutenir", {"retour": page}, form_url=page)
    assert "Your support for this proposal has been recorded." in page_text(client.get(response.headers["Location"]))


def test_a_comments_confirmation_is_shown_beside_it_and_not_carried_into_links(client, db, make, debating):
    author = make.user()
    with client.application.test_request_context():
        for i in range(21):  # two pages of threads
            comment(db, author, debating, body=f"Avis numéro {i:02d}.")
    sign_in(client, make.user())
    page = f"/consultations/{debating.id}"
    response = post_form(client, f"{page}/commenter", comment_form(), form_url=page)
    location = urlsplit(response.headers["Location"])
    anchor = location.fragment
    assert anchor.startswith("commentaire-") and parse_qs(location.query)[NEAR_PARAM] == [anchor]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    beside = html[html.index(f'id="{anchor}"'):]
    assert "votre commentaire est publié" in beside[:beside.index('class="prose"')]
    next_page = re.search(r'<a href="([^"]*)">Page suivante</a>', html).group(1)
    assert "page_commentaires=2" in next_page and NEAR_PARAM not in next_page
    assert f'name="{NEAR_PARAM}"' not in html  # the filters' hidden fields
