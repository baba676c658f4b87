"""Free text that drives a query is checked (length, characters) before the query runs, and
LIKE wildcards typed by a person are searched as themselves (issue 18, part 5)."""
from __future__ import annotations

from sqlalchemy import func, select

from plateforme.accounts.models import User
from plateforme.territories.services import find_communes

from ..factories import PASSWORD, page_text, post_form, sign_in

TOO_LONG = "Ce nom de commune est trop long\u00a0: 120 caractères au plus."
HUGE = "Villeurbanne" * 5_000  # 60,000 characters: SQLite refuses such a LIKE pattern


def _registration(commune: str) -> dict:
    return {"email": "longue.commune@example.org", "display_name": "Longue Commune", "password": PASSWORD,
            "password_confirm": PASSWORD, "commune": commune, "accept_privacy": "y"}


def test_registration_with_a_huge_commune_says_so_and_keeps_the_rest(client, db):
    response = post_form(client, "/inscription", _registration(HUGE))
    assert response.status_code == 200
    text = page_text(response)
    assert TOO_LONG in text
    assert "longue.commune@example.org" in text and "Longue Commune" in text  # what was typed stays
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 0


def test_registration_with_a_huge_digit_string_or_control_characters_is_refused(client, db):
    for commune in ("6" * 60_000, "Bron\x1b", "Bron\u202e"):
        response = post_form(client, "/inscription", _registration(commune))
        assert response.status_code == 200, commune[:20]
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 0


def test_profile_with_a_huge_commune_keeps_the_old_one(client, db, make):
    user = make.user(name="Habitante de Villeurbanne")
    sign_in(client, user)
    response = post_form(client, "/compte", {"email": user.email, "display_name": user.display_name,
                                             "commune": HUGE, "locale": ""})
    assert response.status_code == 200
    assert TOO_LONG in page_text(response)
    assert db.session.get(User, user.id).commune.code == "69266"


def test_profile_message_is_in_english_for_english_readers(client, db, make):
    user = make.user(locale="en")
    sign_in(client, user)
    response = post_form(client, "/compte", {"email": user.email, "display_name": user.display_name,
                                             "commune": HUGE, "locale": "en"})
    assert "This commune name is too long: 120 characters at most." in page_text(response)


def test_commune_lookup_ignores_queries_longer_than_any_name(app, db):
    assert find_communes(HUGE) == [] and find_communes("6" * 60_000) == []
    assert [c.code for c in find_communes("Villeurbanne")] == ["69266"]


def test_territory_search_with_a_huge_query_answers(client):
    for query in (HUGE, "6" * 60_000, "a\x00b"):  # refused with the form again, never a server error
        refused = client.get("/territoires/recherche", query_string={"q": query})
        assert refused.status_code == 400 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert client.get("/territoires/recherche", query_string={"q": "%_%"}).status_code == 200


def test_people_search_takes_percent_and_underscore_literally(client, db, make):
    admin = make.admin(name="Admin Principal")
    make.user(name="Claire Martin")
    make.user(name="Sous_Tiret Personne")
    sign_in(client, admin)
    text = page_text(client.get("/admin/personnes", query_string={"q": "_"}))
    assert "Sous_Tiret Personne" in text and "Claire Martin" not in text
    text = page_text(client.get("/admin/personnes", query_string={"q": "%"}))
    assert "Claire Martin" not in text
    assert client.get("/admin/personnes", query_string={"q": HUGE}).status_code == 200
    # PostgreSQL refuses NUL even as a query parameter: control characters become spaces.
    response = client.get("/admin/personnes", query_string={"q": "Claire\x00Martin"})
    assert response.status_code == 200 and "Claire Martin" in page_text(response)
