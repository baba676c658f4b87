"""The debate's busiest POSTs read lightly (debate/at_hand.py, forms.plain_comment): they
must decide exactly as the mapped objects and the form would."""
from __future__ import annotations

import re

import pytest
from flask import g
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from plateforme.accounts.auth import end_all_sessions
from plateforme.consultations.models import ConsultationFollow, PhaseKind
from plateforme.debate.at_hand import consultation_at_hand
from plateforme.debate.forms import CommentForm, plain_comment
from plateforme.debate.models import Comment

from ..factories import sign_in
from .helpers import COMMENT_URL
from .test_pages import count_queries

BODY = "Un avis argumenté sur l'accueil des étudiants."


def _comment_token(client, url: str) -> str:
    return re.search(r'name="comment-csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def _count(db, model, **where):
    return db.session.execute(select(func.count()).select_from(model).filter_by(**where)).scalar_one()


@pytest.mark.parametrize("fields", [
    {"comment-stance": "for", "comment-body": BODY},
    {"comment-stance": "question", "comment-body": f"  {BODY}\x00  "},   # filtered like the form
    {"comment-stance": "for", "comment-body": "ab"},                       # too short
    {"comment-stance": "for", "comment-body": "x" * 5001},                 # too long
    {"comment-stance": "peut-être", "comment-body": BODY},                 # not an option
    {"comment-body": BODY},                                                # no stance
    {"comment-stance": "for"},                                             # no text
    MultiDict([("comment-stance", "for"), ("comment-stance", "against"), ("comment-body", BODY)]),
], ids=["plain", "spaces-and-nul", "short", "long", "unknown-stance", "no-stance", "no-body", "two-stances"])
def test_a_plain_comment_is_read_as_the_form_would_accept_it(app, fields):
    """plain_comment gives what the validated form gives, or None and the form decides
    (with its message next to the field)."""
    formdata = MultiDict(fields)
    with app.test_request_context(method="POST", data=formdata):
        g.csrf_valid = True  # CSRFProtect has checked the token
        plain = plain_comment(formdata, "comment")
        form = CommentForm(formdata=formdata, prefix="comment", meta={"csrf": False})
        if form.validate():
            assert plain is None or (plain.stance, plain.body) == (form.stance.data, form.body.data)
        else:
            assert plain is None


def test_a_plain_comment_is_not_read_before_the_csrf_check(app):
    formdata = MultiDict({"comment-stance": "for", "comment-body": BODY})
    with app.test_request_context(method="POST", data=formdata):
        assert plain_comment(formdata, "comment") is None  # the form, which checks the token, decides


def test_a_comment_by_someone_following_already_takes_one_read_and_one_insert(client, db, make, debating):
    """The consultation, its debate phase, the person, their suspension and following: one
    read; then the comment's INSERT (no follow INSERT is tried again)."""
    resident = make.user()
    db.session.add(ConsultationFollow(consultation_id=debating.id, user_id=resident.id))
    db.session.commit()
    sign_in(client, resident)
    url = COMMENT_URL.format(id=debating.id)
    token = _comment_token(client, url)
    # The first comment also reads the territory's moderation rules, kept then for a minute.
    client.post(url, data={"comment-csrf_token": token, "comment-stance": "for", "comment-body": BODY})
    with count_queries(db) as statements:
        response = client.post(url, data={"comment-csrf_token": token, "comment-stance": "for",
                                          "comment-body": BODY})
    assert response.status_code == 302
    kinds = [s.split()[0].upper() for s in statements]
    assert [k for k in kinds if k not in ("BEGIN", "COMMIT")] == ["SELECT", "INSERT"], "\n".join(s[:150] for s in statements)
    assert _count(db, Comment, consultation_id=debating.id) == 2


def test_an_ended_sign_in_cannot_post_through_the_merged_read(client, db, make, debating):
    """The cookie still names the person, but their sign-ins were ended (a password
    change elsewhere): the read finds nobody and the visitor is asked to sign in."""
    resident = make.user()
    sign_in(client, resident)
    url = COMMENT_URL.format(id=debating.id)
    token = _comment_token(client, url)
    end_all_sessions(resident)
    db.session.commit()
    response = client.post(url, data={"comment-csrf_token": token, "comment-stance": "for", "comment-body": BODY})
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert _count(db, Comment) == 0


def test_a_consultation_read_at_hand_knows_only_its_phase(app, db, make, debating):
    with app.test_request_context(method="POST"):
        at_hand = consultation_at_hand(debating.id, PhaseKind.DEBATE)
        assert at_hand.phase_is_open(PhaseKind.DEBATE, debating.phase(PhaseKind.DEBATE).starts_on)
        assert at_hand.phase(PhaseKind.DEBATE).ends_on == debating.phase(PhaseKind.DEBATE).ends_on
        with pytest.raises(LookupError):
            at_hand.phase(PhaseKind.PROPOSALS)
        with pytest.raises(LookupError):
            at_hand.stage(debating.phase(PhaseKind.DEBATE).starts_on)
        assert consultation_at_hand(987654, PhaseKind.DEBATE) is None
