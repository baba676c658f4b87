"""Correcting one's comment within the edit window: the earlier text stays public in the
comment's history; outside the window, for someone else, or once withdrawn or hidden,
the edit is refused with a clear message and nothing changes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plateforme.debate.editing import edit_comment
from plateforme.debate.models import AccountSuspension, Comment, CommentRevision, Stance, Visibility
from plateforme.debate.permissions import can_edit_comment
from plateforme.debate.services import DebateError
from plateforme.core.models import utcnow

from ..factories import csrf_token, page_text, sign_in
from .helpers import comment, executable_markup


def _revisions(db):
    return db.session.execute(select(func.count()).select_from(CommentRevision)).scalar_one()


def _aged(db, written, minutes):
    written.created_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()


def test_the_author_corrects_text_and_stance_and_the_old_version_is_kept(app, db, make, debating):
    author = make.user()
    with app.test_request_context(method="POST"):
        written = comment(db, author, debating, body="Je suis pour, sans réserve.")
        edit_comment(written, author, Stance.NUANCE, "Je suis pour, avec **une réserve**.")
        db.session.commit()
    assert written.stance == Stance.NUANCE and "<strong>une réserve</strong>" in written.body_html
    assert written.edited_at is not None
    revision = db.session.execute(select(CommentRevision)).scalar_one()
    assert (revision.comment_id, revision.stance, revision.body) == (written.id, Stance.FOR,
                                                                     "Je suis pour, sans réserve.")


def test_edits_are_sanitised_on_write(app, db, make, debating):
    author = make.user()
    with app.test_request_context(method="POST"):
        written = comment(db, author, debating)
        edit_comment(written, author, Stance.FOR, "Voir <script>alert(1)</script> [ici](javascript:alert(1))")
        db.session.commit()
    assert executable_markup(written.body_html) == []


@pytest.mark.parametrize("case, message", [
    ("someone_else", "Seule la personne"), ("withdrawn", "retiré ou masqué"), ("hidden", "retiré ou masqué"),
    ("too_late", "15 minutes"), ("suspended", "suspendu"), ("unchanged", "inchangés"), ("too_short", "entre 3"),
])
def test_refused_edits_change_nothing(app, db, make, debating, case, message):
    author = make.user()
    with app.test_request_context(method="POST"):
        written = comment(db, author, debating, body="Mon avis initial.")
    editor, body = author, "Mon avis corrigé."
    if case == "someone_else":
        editor = make.user()
    elif case in ("withdrawn", "hidden"):
        written.visibility = Visibility(case)
        db.session.commit()
    elif case == "too_late":
        _aged(db, written, 16)
    elif case == "suspended":
        db.session.add(AccountSuspension(user_id=author.id, ends_at=utcnow() + timedelta(days=1), reason="Insultes"))
        db.session.commit()
    elif case == "unchanged":
        body = "Mon avis initial."
    elif case == "too_short":
        body = "ok"
    with app.test_request_context(method="POST"), pytest.raises(DebateError, match=message):
        edit_comment(written, editor, Stance.FOR, body)
    db.session.rollback()
    assert db.session.get(Comment, written.id).body == "Mon avis initial." and _revisions(db) == 0


def test_the_window_follows_the_configuration(app, db, make, debating):
    author = make.user()
    with app.test_request_context(method="POST"):
        written = comment(db, author, debating)
    _aged(db, written, 20)
    saved = app.config["DEBATE_EDIT_WINDOW_MINUTES"]
    app.config["DEBATE_EDIT_WINDOW_MINUTES"] = 30
    try:
        with app.test_request_context():
            assert can_edit_comment(author, written)
        app.config["DEBATE_EDIT_WINDOW_MINUTES"] = 15
        with app.test_request_context():
            assert not can_edit_comment(author, written)
    finally:
        app.config["DEBATE_EDIT_WINDOW_MINUTES"] = saved


def test_editing_through_the_pages_then_reading_the_history(client, db, make, debating):
    author = make.user(name="Camille")
    with client.application.test_request_context():
        written = comment(db, author, debating, body="Première version de mon avis.")
    sign_in(client, author)
    debate_url = f"/consultations/{debating.id}/debat"
    edit_url = f"/consultations/{debating.id}/commentaires/{written.id}/modifier"
    assert edit_url in client.get(debate_url).get_data(as_text=True)
    form = page_text(client.get(edit_url))
    assert "Première version de mon avis." in form  # the form starts from the current text
    token = csrf_token(client, edit_url)
    response = client.post(edit_url, data={"comment-csrf_token": token, "comment-stance": "question",
                                           "comment-body": "Seconde version, sous forme de question ?"})
    assert response.status_code == 302
    page = page_text(client.get(debate_url))
    history_url = f"/consultations/{debating.id}/commentaires/{written.id}/historique"
    assert "Seconde version" in page and "modifié" in page and history_url in page
    history = page_text(client.get(history_url))
    assert "Première version de mon avis." in history and "Seconde version" in history
    assert "Position\u00a0: Pour" in history and "Position\u00a0: Question" in history


def test_a_failed_edit_keeps_what_was_typed_and_says_why(client, db, make, debating):
    author = make.user()
    with client.application.test_request_context():
        written = comment(db, author, debating, body="Mon avis initial.")
    sign_in(client, author)
    edit_url = f"/consultations/{debating.id}/commentaires/{written.id}/modifier"
    token = csrf_token(client, edit_url)
    response = client.post(edit_url, data={"comment-csrf_token": token, "comment-stance": "for",
                                           "comment-body": "Mon avis initial."})
    text = page_text(response)
    assert response.status_code == 200 and "inchangés" in text
    assert _revisions(db) == 0


def test_after_the_window_the_page_says_so_and_offers_no_link(client, db, make, debating):
    author = make.user()
    with client.application.test_request_context():
        written = comment(db, author, debating)
    _aged(db, written, 16)
    sign_in(client, author)
    assert "/modifier" not in client.get(f"/consultations/{debating.id}/debat").get_data(as_text=True)
    edit_url = f"/consultations/{debating.id}/commentaires/{written.id}/modifier"
    assert "délai pour modifier ce commentaire est passé" in page_text(client.get(edit_url))
    token = csrf_token(client, f"/consultations/{debating.id}/debat")
    response = client.post(edit_url, data={"comment-csrf_token": token, "comment-stance": "for",
                                           "comment-body": "Trop tard pour corriger."})
    assert "15 minutes" in page_text(response) and _revisions(db) == 0


def test_someone_else_may_not_open_the_edit_page(client, db, make, debating):
    with client.application.test_request_context():
        written = comment(db, make.user(), debating)
    edit_url = f"/consultations/{debating.id}/commentaires/{written.id}/modifier"
    assert client.get(edit_url).status_code == 302  # visitors: sign in first
    sign_in(client, make.user())
    assert client.get(edit_url).status_code == 403


def test_the_history_of_a_withdrawn_comment_is_not_public(client, db, make, debating):
    author = make.user()
    with client.application.test_request_context(method="POST"):
        written = comment(db, author, debating)
        edit_comment(written, author, Stance.AGAINST, "Un texte corrigé puis retiré.")
        db.session.commit()
    history_url = f"/consultations/{debating.id}/commentaires/{written.id}/historique"
    assert client.get(history_url).status_code == 200
    written.visibility = Visibility.WITHDRAWN
    db.session.commit()
    assert client.get(history_url).status_code == 404
