"""Redirects carry no body (core/redirects.py); pages and errors keep theirs."""
from __future__ import annotations


def test_a_redirect_has_a_location_and_an_empty_body(client):
    response = client.get("/compte")  # visitors are sent to sign in
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert response.get_data() == b"" and response.headers["Content-Length"] == "0"


def test_a_form_post_ends_in_an_empty_redirect_that_browsers_follow(client):
    # A visitor's language switch carries no token (its pages are cached: core/page_cache.py).
    response = client.post("/langue", data={"lang": "en", "next": "/"})
    assert response.status_code == 302 and response.get_data() == b""
    followed = client.get(response.headers["Location"])
    assert followed.status_code == 200 and b'<html lang="en">' in followed.get_data()


def test_pages_and_error_pages_keep_their_body(client):
    assert len(client.get("/").get_data()) > 1000
    missing = client.get("/nulle-part")
    assert missing.status_code == 404 and len(missing.get_data()) > 500
