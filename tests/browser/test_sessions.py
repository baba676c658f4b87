"""Signing out really ends the session, even for a copy of the cookie in another browser."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from plateforme.accounts.models import AuthSession

from .conftest import submit, visit

pytestmark = pytest.mark.browser


def test_sign_out_ends_the_session_for_every_copy_of_the_cookie(new_context, make, db, sign_in, translate,
                                                                  live_server):
    email = make.user(name="Alex").email
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote

    first = new_context("fr")
    page = first.new_page()
    sign_in(page, email)
    cookies = first.cookies()
    assert [c["name"] for c in cookies] == ["session"]
    assert cookies[0]["httpOnly"] and cookies[0]["sameSite"] == "Lax"

    # Another browser holding a copy of the cookie is signed in too, while the session lives.
    second = new_context("fr")
    second.add_cookies(cookies)
    copy = second.new_page()
    visit(copy, "/compte")
    expect(copy.get_by_role("heading", level=1)).to_have_text("Mon compte")
    expect(copy.get_by_role("button", name="Se déconnecter")).to_be_visible()

    # Sign out in the first browser.
    submit(page, page.get_by_role("button", name="Se déconnecter"))
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("status")).to_contain_text(translate("fr", "Déconnexion effectuée. À bientôt !"))
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    assert db.session.execute(select(func.count(AuthSession.id))).scalar_one() == 0
    db.session.rollback()

    # The copy no longer opens the account: it is sent to the sign-in page.
    db.session.expire_all()  # see what the live server wrote
    visit(copy, "/compte")
    expect(copy).to_have_url(re.compile(re.escape(f"{live_server.url}/connexion?next=") + r"(%2F|/)compte$"))
    expect(copy.get_by_role("heading", level=1)).to_have_text("Se connecter")
    expect(copy.get_by_role("button", name="Se déconnecter")).to_have_count(0)

    # And neither does the first browser.
    visit(page, "/compte")
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/connexion?next=")))


def test_sign_in_page_says_why_a_visitor_was_sent_there(page, translate, live_server):
    visit(page, "/compte")
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/connexion?next=")))
    message = translate("fr", "Connectez-vous pour accéder à cette page.")
    expect(page.get_by_role("status")).to_contain_text(message, timeout=1_000)
