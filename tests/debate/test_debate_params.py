"""The debate sections' query parameters (issue 23): declared like every list's, so a value that
does not fit is refused with a 400 page naming it, in the reader's language, on both pages that
show the sections — never quietly replaced by the unfiltered, default-ordered list."""
from __future__ import annotations

import pytest

from plateforme.debate.models import Stance

from ..factories import page_text
from .helpers import comment


@pytest.mark.parametrize("query, name", [
    ("position=n-importe", "position"), ("statut=bogus", "statut"), ("tri=populaires", "tri"),
    ("tri_propositions=equilibre", "tri_propositions"),  # an order of comments, not of proposals
    ("page_commentaires=abc", "page_commentaires"), ("page_propositions=0", "page_propositions"),
    ("tri=", "tri"), ("position=%20", "position"), ("position=for&position=against", "position"),
])
def test_a_malformed_debate_parameter_is_refused_on_both_pages(client, debating, query, name):
    for url in (f"/consultations/{debating.id}", f"/consultations/{debating.id}/debat"):
        refused = client.get(f"{url}?{query}")
        assert refused.status_code == 400 and refused.mimetype == "text/html", url
        text = page_text(refused)
        assert name in text and "paramètre non valable" in text, url
        assert f'href="{url}"' in refused.get_data(as_text=True)  # back to the page without parameters


def test_the_refusal_speaks_the_readers_language(client, debating):
    text = page_text(client.get(f"/consultations/{debating.id}/debat?position=up",
                                headers={"Accept-Language": "en"}))
    assert "unknown value; allowed values: for, against, nuance, question" in text


def test_valid_and_empty_values_still_filter_sort_and_page(client, db, make, debating):
    person = make.user()
    for i in range(23):
        comment(db, person, debating, body=f"Avis numéro {i:02d}.", stance=Stance.AGAINST if i % 2 else Stance.FOR)
    url = f"/consultations/{debating.id}"
    against = page_text(client.get(f"{url}?position=against&tri=soutenus"))
    assert against.count('class="comment"') == 11
    every = page_text(client.get(f"{url}?position=&statut=&page_commentaires=2&pres=commentaire-1&utm_source=x"))
    assert every.count('class="comment"') == 3  # 23 threads, 20 a page: the empty filters do not filter
    assert client.get(f"{url}?page_commentaires=9").status_code == 200  # past the end: the last page


def test_the_public_moderation_log_refuses_a_malformed_page_number(client, debating):
    url = f"/consultations/{debating.id}/moderation"
    assert client.get(url).status_code == 200 and client.get(f"{url}?page=1&utm_source=x").status_code == 200
    for page in ("abc", "0", "", "%20"):
        refused = client.get(f"{url}?page={page}")
        assert refused.status_code == 400 and "page" in page_text(refused), page
