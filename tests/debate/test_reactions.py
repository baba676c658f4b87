"""Endorsing comments and supporting proposals: one per person, exact counters, who may
when; the buttons on the pages; and the notifications of replies and answers."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plateforme.consultations.models import Audience, PhaseKind
from plateforme.core.models import utcnow
from plateforme.debate.models import (
    AccountSuspension, Comment, Endorsement, Proposal, ProposalStatus, Stance, Support, Visibility,
)
from plateforme.debate.permissions import can_endorse, can_support
from plateforme.debate.reactions import endorse, support, withdraw_endorsement, withdraw_support
from plateforme.debate.services import DebateError
from plateforme.notifications.models import Notification, NotificationKind

from ..consultations.helpers import build_consultation
from ..factories import csrf_token, page_text, sign_in
from .helpers import answered, comment, proposal


def _rows(db, model, **where):
    return db.session.execute(select(func.count()).select_from(model).filter_by(**where)).scalar_one()


def _written(db, consultation, author, body="Un commentaire écrit pendant le débat.", stance=Stance.FOR):
    """A comment stored directly (the debate phase may be over for this consultation)."""
    created = Comment(consultation_id=consultation.id, author=author, stance=stance, body=body,
                      body_html=f"<p>{body}</p>", depth=0)
    db.session.add(created)
    db.session.commit()
    return created


# --- services ------------------------------------------------------------------------------

def test_an_endorsement_counts_once_and_can_be_withdrawn(app, db, make, debating):
    author, reader = make.user(), make.user()
    with app.test_request_context(method="POST"):
        written = comment(db, author, debating)
        assert endorse(reader, written) is True
        db.session.commit()
        assert endorse(reader, written) is False  # a second click changes nothing
        db.session.commit()
        assert written.endorsements_count == 1 and _rows(db, Endorsement, comment_id=written.id) == 1
        assert withdraw_endorsement(reader, written) is True
        db.session.commit()
        assert withdraw_endorsement(reader, written) is False
        db.session.commit()
        assert written.endorsements_count == 0 and _rows(db, Endorsement) == 0


def test_a_support_counts_once_and_can_be_withdrawn(app, db, make, proposing):
    author, reader, other = make.user(), make.user(), make.user()
    with app.test_request_context(method="POST"):
        proposed = proposal(db, author, proposing)
        assert support(reader, proposed) and support(other, proposed)
        assert not support(reader, proposed)
        db.session.commit()
        assert proposed.supports_count == 2 == _rows(db, Support, proposal_id=proposed.id)
        withdraw_support(other, proposed)
        db.session.commit()
        assert proposed.supports_count == 1 == _rows(db, Support, proposal_id=proposed.id)


def test_nobody_endorses_their_own_comment_or_supports_their_own_proposal(app, db, make, debating, proposing):
    author = make.user()
    with app.test_request_context(method="POST"):
        written, proposed = comment(db, author, debating), None
        proposed = proposal(db, author, proposing)
        with pytest.raises(DebateError, match="son propre commentaire"):
            endorse(author, written)
        with pytest.raises(DebateError, match="sa propre proposition"):
            support(author, proposed)
    db.session.rollback()
    assert _rows(db, Endorsement) == 0 and _rows(db, Support) == 0


def test_withdrawn_or_hidden_contributions_cannot_be_endorsed(app, db, make, debating):
    written = _written(db, debating, make.user())
    for visibility in (Visibility.WITHDRAWN, Visibility.HIDDEN, Visibility.REPORTED, Visibility.HELD):
        written.visibility = visibility
        db.session.commit()
        with app.test_request_context(method="POST"), pytest.raises(DebateError, match="plus affiché"):
            endorse(make.user(), written)
        db.session.rollback()
    assert _rows(db, Endorsement) == 0


def test_endorsing_belongs_to_the_debate_phase_and_supporting_to_the_proposals_phase(app, db, make, proposing):
    # In the proposals phase, the debate is over: its comments' counts are frozen.
    old = _written(db, proposing, make.user())
    with app.test_request_context(method="POST"):
        with pytest.raises(DebateError, match="Le débat est clos"):
            endorse(make.user(), old)
    db.session.rollback()
    synthesising = build_consultation(make, PhaseKind.SYNTHESIS, title="Consultation en synthèse")
    late = Proposal(consultation_id=synthesising.id, author=make.user(), title="Une proposition",
                    body="Une proposition déposée à temps.", body_html="<p>Une proposition déposée à temps.</p>")
    db.session.add(late)
    db.session.commit()
    with app.test_request_context(method="POST"), pytest.raises(DebateError, match="propositions est clos"):
        support(make.user(), late)
    db.session.rollback()
    assert _rows(db, Endorsement) == 0 and _rows(db, Support) == 0


@pytest.mark.parametrize("who, allowed", [
    ("resident", True), ("unconfirmed", False), ("suspended", False), ("author", False),
    ("outsider", False), ("visitor", False), ("elected", True), ("moderator", True),
])
def test_who_may_endorse_and_support(app, db, make, who, allowed):
    from flask_login import AnonymousUserMixin

    debating = build_consultation(make, PhaseKind.DEBATE, audience=Audience.RESIDENTS)
    proposing = build_consultation(make, PhaseKind.PROPOSALS, audience=Audience.RESIDENTS, title="Propositions")
    author = make.user()
    written = _written(db, debating, author)
    proposed = Proposal(consultation_id=proposing.id, author=author, title="Une proposition",
                        body="Une proposition à soutenir.", body_html="<p>Une proposition à soutenir.</p>")
    db.session.add(proposed)
    db.session.commit()
    people = {
        "resident": lambda: make.user(), "unconfirmed": lambda: make.user(confirmed=False),
        "suspended": lambda: make.user(), "author": lambda: author,
        "outsider": lambda: make.user(commune="75056"), "visitor": AnonymousUserMixin,
        "elected": lambda: make.elected(), "moderator": lambda: make.moderator(),
    }
    person = people[who]()
    if who == "suspended":
        db.session.add(AccountSuspension(user_id=person.id, ends_at=utcnow() + timedelta(days=3), reason="Insultes"))
        db.session.commit()
    with app.test_request_context():
        assert bool(can_endorse(person, written)) is allowed
        assert bool(can_support(person, proposed)) is allowed


def test_an_expired_suspension_no_longer_prevents_endorsing(app, db, make, debating):
    person = make.user()
    db.session.add(AccountSuspension(user_id=person.id, ends_at=utcnow() - timedelta(minutes=1), reason="Passé"))
    db.session.commit()
    written = _written(db, debating, make.user())
    with app.test_request_context(method="POST"):
        assert endorse(person, written)


# --- pages -----------------------------------------------------------------------------------

def _form_of(html: str, action: str) -> dict:
    """The hidden fields of the form posting to `action` (CSRF token, return address)."""
    start = html.index(f'action="{action}"')
    form = html[start:html.index("</form>", start)]
    return dict(re.findall(r'name="([\w-]+)" value="([^"]*)"', form))


def test_a_resident_endorses_from_the_debate_page_and_comes_back_to_it(client, db, make, debating):
    author, reader = make.user(name="Autrice"), make.user()
    with client.application.test_request_context():
        written = comment(db, author, debating)
    sign_in(client, reader)
    page_url = f"/consultations/{debating.id}/debat?tri=soutenus"
    html = client.get(page_url).get_data(as_text=True)
    action = f"/consultations/{debating.id}/commentaires/{written.id}/soutenir"
    assert "J'approuve (0)" in html and "Je soutiens" not in html  # a comment is approved, not supported
    fields = _form_of(html, action)
    assert fields["retour"] == f"{page_url}#commentaire-{written.id}"
    response = client.post(action, data=fields)
    landing = response.headers["Location"]
    assert response.status_code == 302
    assert landing.endswith(f"{page_url}&pres=commentaire-{written.id}#commentaire-{written.id}")
    landed = page_text(client.get(landing))
    near = landed[landed.index(f'id="commentaire-{written.id}"'):]
    assert "Votre approbation de ce commentaire est enregistrée." in near[:near.index("</article>")]
    html = page_text(client.get(page_url))
    assert "Votre approbation de ce commentaire est enregistrée." not in html  # the notice is the landing's alone
    assert "1 approbation" in html and "Retirer mon approbation" in html and "J'approuve" not in html
    assert db.session.get(Comment, written.id).endorsements_count == 1
    withdraw = f"/consultations/{debating.id}/commentaires/{written.id}/retirer-soutien"
    client.post(withdraw, data=_form_of(client.get(page_url).get_data(as_text=True), withdraw))
    assert db.session.get(Comment, written.id).endorsements_count == 0
    assert "J'approuve (0)" in page_text(client.get(page_url))


def test_a_resident_supports_a_proposal_from_its_page(client, db, make, proposing):
    with client.application.test_request_context():
        proposed = proposal(db, make.user(), proposing)
    sign_in(client, make.user())
    url = f"/consultations/{proposing.id}/propositions/{proposed.id}"
    action = f"{url}/soutenir"
    html = client.get(url).get_data(as_text=True)
    assert "Je soutiens cette proposition (0)" in html and "J'approuve" not in html
    client.post(action, data=_form_of(html, action))
    assert "Retirer mon soutien" in client.get(url).get_data(as_text=True)
    assert db.session.get(Proposal, proposed.id).supports_count == 1


def test_the_author_sees_the_count_but_no_button(client, db, make, debating):
    author = make.user()
    with client.application.test_request_context():
        written = comment(db, author, debating)
    sign_in(client, author)
    html = client.get(f"/consultations/{debating.id}/debat").get_data(as_text=True)
    assert f"/commentaires/{written.id}/soutenir" not in html
    token = csrf_token(client, f"/consultations/{debating.id}/debat")
    response = client.post(f"/consultations/{debating.id}/commentaires/{written.id}/soutenir",
                           data={"csrf_token": token}, follow_redirects=True)
    assert "son propre commentaire" in page_text(response)
    assert _rows(db, Endorsement) == 0


def test_a_visitor_is_asked_to_sign_in_and_sees_counts_only(client, db, make, debating):
    with client.application.test_request_context():
        written = comment(db, make.user(), debating)
    written.endorsements_count = 3  # as if three people had endorsed it
    db.session.commit()
    html = page_text(client.get(f"/consultations/{debating.id}/debat"))
    assert "3 approbations" in html and "J'approuve" not in html
    response = client.post(f"/consultations/{debating.id}/commentaires/{written.id}/soutenir")
    assert response.status_code in (302, 400)


def test_a_post_without_csrf_token_changes_nothing(client, db, make, debating):
    with client.application.test_request_context():
        written = comment(db, make.user(), debating)
    sign_in(client, make.user())
    client.post(f"/consultations/{debating.id}/commentaires/{written.id}/soutenir", data={})
    assert _rows(db, Endorsement) == 0


def test_an_open_redirect_through_the_return_address_is_refused(client, db, make, debating):
    with client.application.test_request_context():
        written = comment(db, make.user(), debating)
    sign_in(client, make.user())
    html = client.get(f"/consultations/{debating.id}/debat").get_data(as_text=True)
    action = f"/consultations/{debating.id}/commentaires/{written.id}/soutenir"
    fields = {**_form_of(html, action), "retour": "https://evil.example/"}
    response = client.post(action, data=fields)
    assert "evil.example" not in response.headers["Location"]


def test_endorsing_is_rate_limited_per_person(client, db, make, debating):
    with client.application.test_request_context():
        written = comment(db, make.user(), debating)
    sign_in(client, make.user())
    html = client.get(f"/consultations/{debating.id}/debat").get_data(as_text=True)
    endorse_url = f"/consultations/{debating.id}/commentaires/{written.id}/soutenir"
    withdraw_url = f"/consultations/{debating.id}/commentaires/{written.id}/retirer-soutien"
    fields = _form_of(html, endorse_url)
    statuses = [client.post(endorse_url if n % 2 == 0 else withdraw_url, data=fields).status_code
                for n in range(30)]
    assert statuses == [302] * 30
    assert client.post(endorse_url, data=fields).status_code == 429


# --- notifications -----------------------------------------------------------------------------

def test_a_reply_notifies_the_comment_author_by_notification_and_email(app, db, make, debating, outbox):
    author, replier = make.user(locale="en"), make.user()
    with app.test_request_context(method="POST"):
        parent = comment(db, author, debating)
        reply = comment(db, replier, debating, body="Je ne suis pas d'accord.", parent=parent, stance=Stance.AGAINST)
    notes = db.session.execute(select(Notification).filter_by(user_id=author.id)).scalars().all()
    assert [n.kind for n in notes] == [NotificationKind.COMMENT_REPLY]
    # The lasting link: followed later, it still finds the reply's page of threads.
    assert notes[0].target_path == f"/consultations/{debating.id}/commentaires/{reply.id}"
    assert [message for message in outbox if author.email in str(message)]  # sent after the commit
    assert _rows(db, Notification, user_id=replier.id) == 0


def test_a_reply_notification_names_the_replier_as_the_page_does_until_their_account_is_deleted(
        app, client, db, make, debating, outbox):
    author, replier = make.user(), make.user(name="Bastien R.")
    with app.test_request_context(method="POST"):
        parent = comment(db, author, debating)
        comment(db, replier, debating, body="Je ne suis pas d'accord.", parent=parent, stance=Stance.AGAINST)
    mail = next(message for message in outbox if message.to == author.email)
    assert "Bastien R. a répondu à votre commentaire" in mail.body
    sign_in(client, author)
    assert "Bastien R. a répondu à votre commentaire" in page_text(client.get("/compte/notifications/"))
    # Deleted, the account is no longer named (the debate shows « Compte supprimé »).
    db.session.delete(db.session.get(type(replier), replier.id))
    db.session.commit()
    text = page_text(client.get("/compte/notifications/"))
    assert "Bastien R." not in text and "Quelqu'un a répondu à votre commentaire" in text


def test_replying_to_oneself_notifies_nobody(app, db, make, debating, outbox):
    author = make.user()
    with app.test_request_context(method="POST"):
        parent = comment(db, author, debating)
        comment(db, author, debating, body="Je précise ma pensée.", parent=parent)
    assert _rows(db, Notification, kind=NotificationKind.COMMENT_REPLY) == 0


def test_the_authority_s_answer_notifies_the_proposal_author_with_an_email(app, db, make, proposing, outbox):
    author = make.user()
    official = proposing.opened_by
    with app.test_request_context(method="POST"):
        proposed = proposal(db, author, proposing)
        answered(db, proposed, proposing, official, ProposalStatus.ACCEPTED)
    notes = db.session.execute(select(Notification).filter_by(user_id=author.id)).scalars().all()
    assert [(n.kind, n.subject) for n in notes] == [(NotificationKind.PROPOSAL_ANSWERED, proposed.title)]
    assert any(author.email in str(message) for message in outbox)


def test_no_email_before_the_commit_and_none_after_a_rollback(app, db, make, debating, outbox):
    from plateforme.debate.services import post_comment

    author = make.user()
    with app.test_request_context(method="POST"):
        parent = comment(db, author, debating)
        post_comment(make.user(), debating, Stance.FOR, "Une réponse abandonnée.", parent=parent)
        assert not [m for m in outbox if author.email in str(m)]
        db.session.rollback()
    assert not [m for m in outbox if author.email in str(m)]
    assert _rows(db, Notification) == 0
