"""Debate operations: who may write when, threading depth, sanitising on write, the
authority's answers through guarded transitions, following and notifying."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plateforme.consultations.models import Audience, ConsultationFollow, PhaseKind
from plateforme.debate.models import MAX_DEPTH, Comment, Proposal, ProposalStatus, Stance, Visibility
from plateforme.debate.services import (
    DebateError, answer_proposal, post_comment, submit_proposal, withdraw_comment,
)
from plateforme.notifications.models import Notification, NotificationKind

from ..consultations.helpers import build_consultation
from .helpers import comment, executable_markup, proposal


def _count(db, model):
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_comment_is_sanitised_and_its_author_follows_once(app, db, make):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    person = make.user()
    with app.test_request_context():
        first = comment(db, person, consultation, body="Voir [le rapport](https://example.org/r) et *ceci*.")
        comment(db, person, consultation, body="Un second avis.", stance=Stance.QUESTION)
    assert '<a href="https://example.org/r" rel="nofollow noopener ugc">le rapport</a>' in first.body_html
    assert "<em>ceci</em>" in first.body_html
    follows = db.session.execute(select(ConsultationFollow).filter_by(user_id=person.id)).scalars().all()
    assert [f.consultation_id for f in follows] == [consultation.id]


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[clic](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">clic</a>", "[x](JaVaScRiPt:alert(1))",
])
def test_markup_is_stored_inert(app, db, make, payload):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    with app.test_request_context():
        stored = comment(db, make.user(), consultation, body=f"Texte {payload}")
    assert stored.body_html.startswith("<p>Texte")
    assert executable_markup(stored.body_html) == []


@pytest.mark.parametrize("body, message", [("", "Écrivez"), ("ab", "il en compte 2"), ("x" * 5001, "entre 3 et 5")])
def test_body_length_is_bounded(app, db, make, body, message):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    with app.test_request_context(), pytest.raises(DebateError) as refused:
        post_comment(make.user(), consultation, Stance.FOR, body)
    assert refused.value.field == "body" and message in refused.value.message
    db.session.rollback()
    assert _count(db, Comment) == 0


def test_unknown_stance_is_refused(app, db, make):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    with app.test_request_context(), pytest.raises(DebateError) as refused:
        post_comment(make.user(), consultation, "peut-être", "Un avis.")
    assert refused.value.field == "stance"


@pytest.mark.parametrize("current", [PhaseKind.INFORMATION, PhaseKind.PROPOSALS, "upcoming", "concluded"])
def test_no_comment_outside_the_debate_phase(app, db, make, current):
    consultation = build_consultation(make, current)
    with app.test_request_context(), pytest.raises(DebateError):
        post_comment(make.user(), consultation, Stance.FOR, "Un avis hors délai.")
    db.session.rollback()
    assert _count(db, Comment) == 0 and _count(db, ConsultationFollow) == 0


def test_residents_only_consultation_refuses_people_from_elsewhere(app, db, make):
    consultation = build_consultation(make, PhaseKind.DEBATE, audience=Audience.RESIDENTS)
    no_commune = make.user(commune="00000")  # no known commune of residence
    unconfirmed = make.user(confirmed=False)
    assert no_commune.commune is None
    with app.test_request_context():
        for person in (no_commune, unconfirmed):
            with pytest.raises(DebateError):
                post_comment(person, consultation, Stance.FOR, "Je ne vis pas ici.")
            db.session.rollback()
        assert comment(db, make.user(commune="69266"), consultation).id


def test_replies_nest_to_the_maximum_depth_then_attach_beside(app, db, make):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    person = make.user()
    with app.test_request_context():
        root = comment(db, person, consultation)
        chain = [root]
        for _ in range(MAX_DEPTH + 2):
            chain.append(comment(db, person, consultation, body="Une réponse.", parent=chain[-1]))
    assert [c.depth for c in chain] == [0, 1, 2, 2, 2][: len(chain)]
    deepest_parent = chain[MAX_DEPTH].parent_id
    assert all(c.parent_id == deepest_parent for c in chain[MAX_DEPTH:])


def test_a_reply_must_stay_in_its_consultation(app, db, make):
    here = build_consultation(make, PhaseKind.DEBATE)
    elsewhere = build_consultation(make, PhaseKind.DEBATE, title="Une autre consultation")
    with app.test_request_context():
        other = comment(db, make.user(), elsewhere)
        with pytest.raises(DebateError, match="cette consultation"):
            post_comment(make.user(), here, Stance.FOR, "Une réponse égarée.", parent=other)


def test_withdrawal_keeps_the_row_and_only_the_author_may(app, db, make):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    author, other = make.user(), make.user()
    with app.test_request_context():
        written = comment(db, author, consultation)
        reply = comment(db, other, consultation, body="Je réponds.", parent=written)
        with pytest.raises(DebateError):
            withdraw_comment(written, other)
        withdraw_comment(written, author)
        db.session.commit()
        with pytest.raises(DebateError):  # nothing left to withdraw
            withdraw_comment(written, author)
        with pytest.raises(DebateError):  # no reply to a withdrawn comment
            post_comment(other, consultation, Stance.FOR, "Encore une réponse.", parent=written)
    db.session.rollback()
    assert db.session.get(Comment, written.id).visibility == Visibility.WITHDRAWN
    assert db.session.get(Comment, reply.id).is_visible


def test_proposals_belong_to_their_phase(app, db, make):
    debating = build_consultation(make, PhaseKind.DEBATE)
    proposing = build_consultation(make, PhaseKind.PROPOSALS)
    person = make.user()
    with app.test_request_context():
        with pytest.raises(DebateError):
            submit_proposal(person, debating, "Un guichet unique", "Ouvrir un guichet unique.")
        db.session.rollback()
        with pytest.raises(DebateError) as refused:
            submit_proposal(person, proposing, "Ok", "Ouvrir un guichet unique.")
        assert refused.value.field == "title"
        db.session.rollback()
        created = proposal(db, person, proposing)
    assert created.status == ProposalStatus.SUBMITTED
    assert db.session.execute(select(ConsultationFollow).filter_by(user_id=person.id)).scalar_one()


def test_the_authority_answers_through_guarded_transitions_and_the_author_is_notified(app, db, make):
    consultation = build_consultation(make, PhaseKind.PROPOSALS)
    official = consultation.opened_by
    author = make.user()
    with app.test_request_context():
        item = proposal(db, author, consultation)
        with pytest.raises(DebateError) as refused:
            answer_proposal(item, consultation, make.user(), ProposalStatus.ACCEPTED, "Nous la retenons.")
        db.session.rollback()
        with pytest.raises(DebateError) as refused:
            answer_proposal(item, consultation, official, ProposalStatus.ACCEPTED, "")
        assert refused.value.field == "justification"
        db.session.rollback()
        answer_proposal(item, consultation, official, ProposalStatus.UNDER_STUDY, "Nous l'étudions avec la métropole.")
        db.session.commit()
        answer_proposal(item, consultation, official, ProposalStatus.REJECTED,
                        "Le budget ne le permet pas cette année.")
        db.session.commit()
        for status in (ProposalStatus.ACCEPTED, ProposalStatus.UNDER_STUDY, ProposalStatus.REJECTED):
            with pytest.raises(DebateError) as refused:
                answer_proposal(item, consultation, official, status, "Changement d'avis sur la question.")
            assert refused.value.field == "status"
            db.session.rollback()
        with pytest.raises(DebateError) as refused:
            answer_proposal(item, consultation, official, ProposalStatus.SUBMITTED, "Retour à la case départ.")
        assert refused.value.field == "status"
    db.session.rollback()
    stored = db.session.get(Proposal, item.id)
    assert stored.status == ProposalStatus.REJECTED and "budget" in stored.justification_html
    assert stored.answered_at is not None
    notes = db.session.execute(select(Notification).filter_by(user_id=author.id)).scalars().all()
    assert [n.kind for n in notes] == [NotificationKind.PROPOSAL_ANSWERED] * 2
    assert notes[0].target_path == f"/consultations/{consultation.id}/propositions/{item.id}"


def test_contribution_counts_ignore_withdrawn_comments(app, db, make):
    from plateforme.debate.queries import contribution_counts

    debating = build_consultation(make, PhaseKind.DEBATE)
    quiet = build_consultation(make, PhaseKind.DEBATE, title="Sans contribution")
    person = make.user()
    with app.test_request_context():
        kept = comment(db, person, debating)
        withdrawn = comment(db, person, debating, parent=kept)
        withdraw_comment(withdrawn, person)
        db.session.commit()
    assert contribution_counts([debating.id, quiet.id]) == {debating.id: (1, 0), quiet.id: (0, 0)}
    assert contribution_counts([]) == {}
