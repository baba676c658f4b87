"""Posting a comment: decided by the auth_session row and by the form, as every POST."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from plateforme.accounts.auth import end_all_sessions
from plateforme.consultations.models import ConsultationFollow
from plateforme.debate.models import Comment

from ..factories import sign_in
from .helpers import COMMENT_URL

BODY = "Un avis argumenté sur l'accueil des étudiants."


def _comment_token(client, url: str) -> str:
    return re.search(r'name="comment-csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def _count(db, model, **where):
    return db.session.execute(select(func.count()).select_from(model).filter_by(**where)).scalar_one()


def test_an_ended_sign_in_cannot_post(client, db, make, debating):
    """The cookie still names the person, but their sign-ins were ended (a password
    change elsewhere): the visitor is asked to sign in."""
    resident = make.user()
    sign_in(client, resident)
    url = COMMENT_URL.format(id=debating.id)
    token = _comment_token(client, url)
    end_all_sessions(resident)
    db.session.commit()
    response = client.post(url, data={"comment-csrf_token": token, "comment-stance": "for", "comment-body": BODY})
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert _count(db, Comment) == 0


def test_a_follower_and_a_newcomer_both_post(client, db, make, debating):
    """Someone who already follows the consultation posts as a newcomer does."""
    follower, newcomer = make.user(), make.user()
    db.session.add(ConsultationFollow(consultation_id=debating.id, user_id=follower.id))
    db.session.commit()
    url = COMMENT_URL.format(id=debating.id)
    for person in (follower, newcomer):
        browser = client.application.test_client()
        sign_in(browser, person)
        token = _comment_token(browser, url)
        response = browser.post(url, data={"comment-csrf_token": token, "comment-stance": "for", "comment-body": BODY})
        assert response.status_code == 302
    assert _count(db, Comment, consultation_id=debating.id) == 2
    assert _count(db, ConsultationFollow, consultation_id=debating.id) == 2


def test_one_more_write_when_commenting_works_for_a_follower_too(client, db, make, debating, monkeypatch):
    """An ordinary change (one more INSERT when commenting) must work on every person's
    data: it once passed for a newcomer's first comment and answered 500 for a follower's."""
    from plateforme.accounts.models import Organisation, OrganisationKind
    from plateforme.debate import services

    follow = services.follow

    def follow_and_write_one_more_row(user, consultation):
        db.session.add(Organisation(name=f"Écrite avec le commentaire de {user.id}", kind=OrganisationKind.OTHER,
                                    fields=""))
        db.session.flush()
        return follow(user, consultation)

    monkeypatch.setattr(services, "follow", follow_and_write_one_more_row)
    follower = make.user()
    db.session.add(ConsultationFollow(consultation_id=debating.id, user_id=follower.id))
    db.session.commit()
    sign_in(client, follower)
    url = COMMENT_URL.format(id=debating.id)
    response = client.post(url, data={"comment-csrf_token": _comment_token(client, url), "comment-stance": "for",
                                      "comment-body": BODY})
    assert response.status_code == 302
    assert _count(db, Comment, consultation_id=debating.id) == 1 and _count(db, Organisation) == 1
