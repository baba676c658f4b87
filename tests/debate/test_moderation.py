"""Moderators' acts: who may (role × act), what each does, what the author is told, what the
thread then shows; held first posts; suspensions; a territory's rules."""
from __future__ import annotations

from datetime import timedelta

import pytest

from plateforme.consultations.models import PhaseKind
from plateforme.core.models import utcnow
from plateforme.debate.models import (
    AccountSuspension, ModerationAction, ModerationActionKind, ModerationPolicy, Report, Visibility,
)
from plateforme.debate.moderation import ModerationError, approve, hide, set_locked, suspend_author
from plateforme.debate.services import DebateError, post_comment, submit_proposal
from plateforme.notifications.models import Notification, NotificationKind

from ..consultations.helpers import build_consultation
from ..factories import csrf_token, page_text, post_form, sign_in
from .helpers import comment
from .moderation_helpers import act_url, policy, reported, suspended

PUBLIC_REASON = "Propos insultants envers une autre personne."


@pytest.fixture
def debate(make, db):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    author = make.user(name="Camille Autrice")
    return consultation, author, comment(db, author, consultation)


def hide_url(consultation, content, kind="commentaire"):
    return f"/consultations/{consultation.id}/moderation/{kind}/{content.id}/masquer"


ROLE_CAN_MODERATE = {"resident": False, "elected": False, "partner": False, "moderator": True,
                     "other_moderator": False, "admin": True}


def _person(make, role):
    return {"resident": make.user, "elected": make.elected, "partner": make.partner,
            "moderator": make.moderator, "other_moderator": lambda: make.moderator("69266"),
            "admin": make.admin}[role]()


@pytest.mark.parametrize("role", sorted(ROLE_CAN_MODERATE))
@pytest.mark.parametrize("act", ["masquer", "verrouiller", "mettre-en-avant", "suspendre"])
def test_who_may_act(client, make, db, debate, role, act):
    consultation, _author, written = debate
    sign_in(client, _person(make, role))
    if act in ("masquer", "suspendre"):
        status = client.get(act_url(consultation, written, act)).status_code
        assert status == (200 if ROLE_CAN_MODERATE[role] else 403)
    else:
        token = csrf_token(client, "/plan-du-site")
        status = client.post(act_url(consultation, written, act), data={"csrf_token": token}).status_code
        assert status == (302 if ROLE_CAN_MODERATE[role] else 403)
        assert db.session.query(ModerationAction).count() == (1 if ROLE_CAN_MODERATE[role] else 0)


def test_hiding_needs_a_public_reason_and_keeps_the_input(client, make, db, debate):
    consultation, _author, written = debate
    sign_in(client, make.moderator())
    response = post_form(client, hide_url(consultation, written), {"reason": "insult", "public_reason": "court"})
    text = page_text(response)
    assert response.status_code == 200
    assert "entre 10 et 500 caractères" in text and 'value="court"' in text
    db.session.refresh(written)
    assert written.visibility == Visibility.VISIBLE


def test_hiding_leaves_a_placeholder_and_tells_the_author(client, make, db, debate):
    consultation, author, written = debate
    reported(db, make.user(), consultation, written)
    sign_in(client, make.moderator())
    response = post_form(client, hide_url(consultation, written), {"reason": "insult", "public_reason": PUBLIC_REASON})
    assert response.status_code == 302
    db.session.refresh(written)
    assert (written.visibility, written.visibility_reason) == (Visibility.HIDDEN, PUBLIC_REASON)
    action = db.session.query(ModerationAction).one()
    assert (action.kind, action.actor_role, action.was_public, action.reason.value) == (
        ModerationActionKind.HIDE, "moderator", True, "insult")
    assert db.session.query(Report).one().resolved_at is not None
    notification = db.session.query(Notification).one()
    assert (notification.user_id, notification.kind, notification.subject) == (
        author.id, NotificationKind.CONTENT_MODERATED, PUBLIC_REASON)
    page = page_text(client.get(f"/consultations/{consultation.id}"))
    assert "Commentaire masqué par la modération." in page and PUBLIC_REASON in page
    assert written.body not in page
    author_client = client.application.test_client()
    sign_in(author_client, author)
    assert f"décision de modération. Raison\u00a0: {PUBLIC_REASON}" in page_text(author_client.get("/compte/notifications/"))


def test_an_administrator_acts_as_administrator(make, db, debate):
    consultation, _author, written = debate
    action = hide(written, consultation, make.admin(), "spam", PUBLIC_REASON)
    assert action.actor_role == "administrator"


def test_restore_and_approve_a_report_hidden_comment(make, db, debate):
    consultation, _author, written = debate
    for _ in range(3):
        reported(db, make.user(), consultation, written)
    moderator = make.moderator()
    action = approve(written, consultation, moderator)
    db.session.commit()
    assert (written.visibility, action.was_public) == (Visibility.VISIBLE, True)
    assert db.session.query(Report).filter(Report.resolved_at.is_(None)).count() == 0
    with pytest.raises(ModerationError):
        approve(written, consultation, moderator)


def test_a_locked_thread_takes_no_more_replies(client, make, db, debate):
    consultation, _author, written = debate
    reply = comment(db, make.user(), consultation, parent=written)
    set_locked(written, consultation, make.moderator(), True)
    db.session.commit()
    for parent in (written, reply):
        with pytest.raises(DebateError, match="verrouillé"):
            post_comment(make.user(), consultation, "for", "Encore une réponse ici.", parent=parent)
        db.session.rollback()
    with pytest.raises(ModerationError):
        set_locked(reply, consultation, make.moderator(), True)


def test_feature_and_dismiss_from_the_queue(client, make, db, debate):
    consultation, _author, written = debate
    reported(db, make.user(), consultation, written)
    sign_in(client, make.moderator())
    queue = page_text(client.get("/consultations/moderation"))
    assert "Contenus signalés (1)" in queue and "Spam ou publicité\u00a0: 1" in queue
    token = csrf_token(client, "/consultations/moderation")
    assert client.post(act_url(consultation, written, "mettre-en-avant"), data={"csrf_token": token}).status_code == 302
    assert client.post(act_url(consultation, written, "classer"), data={"csrf_token": token}).status_code == 302
    db.session.refresh(written)
    assert written.featured and written.visibility == Visibility.VISIBLE
    assert "Contenus signalés (0)" in page_text(client.get("/consultations/moderation"))
    kinds = [a.kind for a in db.session.query(ModerationAction).order_by(ModerationAction.id)]
    assert kinds == [ModerationActionKind.FEATURE, ModerationActionKind.DISMISS_REPORTS]


def test_the_queue_is_for_moderators_and_administrators(client, make, db):
    sign_in(client, make.user())
    assert client.get("/consultations/moderation").status_code == 403


# --- held first posts ------------------------------------------------------------------------

def test_first_posts_wait_for_a_moderator(client, make, db):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    policy(make, hold_first_posts=1)
    newcomer = make.user(name="Nouvelle Personne")
    first = comment(db, newcomer, consultation, body="Mon tout premier avis sur la question.")
    second = comment(db, newcomer, consultation, body="Mon deuxième avis, publié tout de suite.")
    assert (first.visibility, second.visibility) == (Visibility.HELD, Visibility.VISIBLE)
    page = f"/consultations/{consultation.id}"
    assert "Mon tout premier avis" not in page_text(client.get(page))
    sign_in(client, newcomer)
    assert "En attente de validation" in page_text(client.get(page))
    moderator_client = client.application.test_client()
    moderator = make.moderator()
    sign_in(moderator_client, moderator)
    assert "Mon tout premier avis" in page_text(moderator_client.get("/consultations/moderation"))
    action = approve(first, consultation, moderator)
    db.session.commit()
    assert (first.visibility, action.was_public) == (Visibility.VISIBLE, False)


def test_first_proposals_are_held_too(make, db):
    consultation = build_consultation(make, PhaseKind.PROPOSALS)
    policy(make, hold_first_posts=2)
    author = make.user()
    proposed = submit_proposal(author, consultation, "Un guichet unique", "Un guichet unique pour tous.")
    db.session.commit()
    assert proposed.visibility == Visibility.HELD


def test_a_held_proposal_page_is_only_for_its_author_and_moderators(client, make, db):
    consultation = build_consultation(make, PhaseKind.PROPOSALS)
    policy(make, hold_first_posts=1)
    author = make.user()
    proposed = submit_proposal(author, consultation, "Un guichet unique", "Un guichet unique pour tous.")
    db.session.commit()
    url = f"/consultations/{consultation.id}/propositions/{proposed.id}"
    assert client.get(url).status_code == 404
    sign_in(client, author)
    assert "En attente de validation" in page_text(client.get(url))


# --- suspensions -----------------------------------------------------------------------------

def test_suspension_blocks_posting_until_it_ends(make, db, debate):
    consultation, author, written = debate
    suspension = suspend_author(written, consultation, make.moderator(), 3, "Insultes répétées dans le débat.")
    db.session.commit()
    with pytest.raises(DebateError, match="suspendu par la modération jusqu'au"):
        post_comment(author, consultation, "for", "Je reviens dans le débat.")
    db.session.rollback()
    suspension = db.session.get(AccountSuspension, suspension.id)
    suspension.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert post_comment(author, consultation, "for", "Je reviens dans le débat.").is_visible


def test_a_suspended_person_sees_until_when_on_the_page(client, make, db, debate):
    consultation, author, _written = debate
    suspended(db, author)
    sign_in(client, author)
    text = page_text(client.get(f"/consultations/{consultation.id}"))
    assert "suspendu par la modération jusqu'au" in text
    response = post_form(client, f"/consultations/{consultation.id}/commenter",
                         {"comment-stance": "for", "comment-body": "Un avis malgré tout."},
                         form_url=f"/consultations/{consultation.id}/debat")
    assert "jusqu'au" in page_text(response)


def test_suspension_form_checks_its_fields(client, make, db, debate):
    consultation, _author, written = debate
    sign_in(client, make.moderator())
    response = post_form(client, act_url(consultation, written, "suspendre"), {"days": "0", "reason": "Motif valable ici."})
    assert "entre 1 et 365 jours" in page_text(response)
    assert db.session.query(AccountSuspension).count() == 0
    response = post_form(client, act_url(consultation, written, "suspendre"), {"days": "7", "reason": "Motif valable ici."})
    assert response.status_code == 302
    assert db.session.query(AccountSuspension).count() == 1


def test_one_cannot_suspend_oneself(make, db):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    moderator = make.moderator()
    written = comment(db, moderator, consultation)
    with pytest.raises(ModerationError):
        suspend_author(written, consultation, moderator, 3, "Une raison assez longue.")


# --- a territory's rules ---------------------------------------------------------------------

SETTINGS_URL = "/consultations/moderation/regles/epci/200046977"


@pytest.mark.parametrize("role,status", [("resident", 403), ("elected", 403), ("moderator", 200),
                                         ("other_moderator", 403), ("admin", 200)])
def test_who_sets_the_rules(client, make, db, role, status):
    sign_in(client, _person(make, role))
    assert client.get(SETTINGS_URL).status_code == status


def test_the_rules_are_checked_and_saved(client, make, db):
    sign_in(client, make.moderator())
    response = post_form(client, SETTINGS_URL, {"report_threshold": "1", "hold_first_posts": "11"})
    text = page_text(response)
    assert "entre 2 et 20" in text and "entre 0 et 10" in text and 'value="11"' in text
    assert db.session.query(ModerationPolicy).count() == 0
    assert post_form(client, SETTINGS_URL, {"report_threshold": "4", "hold_first_posts": "2"}).status_code == 302
    saved = db.session.query(ModerationPolicy).one()
    assert (saved.report_threshold, saved.hold_first_posts) == (4, 2)


def test_a_held_comment_is_announced_as_waiting(client, make, db):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    policy(make, hold_first_posts=1)
    sign_in(client, make.user())
    response = post_form(client, f"/consultations/{consultation.id}/commenter",
                         {"comment-stance": "for", "comment-body": "Mon premier avis ici."},
                         form_url=f"/consultations/{consultation.id}/debat", follow_redirects=True)
    assert "après validation par la modération" in page_text(response)


def test_a_moderator_sees_only_their_territories_in_the_queue(client, make, db, debate):
    consultation, _author, written = debate
    reported(db, make.user(), consultation, written)
    sign_in(client, make.moderator("69266"))  # Villeurbanne's moderator: the consultation is the Métropole's
    assert "Contenus signalés (0)" in page_text(client.get("/consultations/moderation"))
    admin_client = client.application.test_client()
    sign_in(admin_client, make.admin())
    assert "Contenus signalés (1)" in page_text(admin_client.get("/consultations/moderation"))


def test_a_hidden_comment_can_be_restored_from_the_queue(client, make, db, debate):
    consultation, _author, written = debate
    hide(written, consultation, make.moderator(), "off_topic", "Hors sujet : il ne parle pas de la question.")
    db.session.commit()
    sign_in(client, make.moderator())
    queue = page_text(client.get("/consultations/moderation"))
    assert "Masqués ces 30 derniers jours (1)" in queue
    token = csrf_token(client, "/consultations/moderation")
    assert client.post(act_url(consultation, written, "retablir"), data={"csrf_token": token}).status_code == 302
    db.session.refresh(written)
    assert written.visibility == Visibility.VISIBLE


def test_a_refused_act_is_explained_not_a_500(client, make, db, debate):
    consultation, _author, written = debate
    sign_in(client, make.moderator())
    token = csrf_token(client, "/consultations/moderation")
    response = client.post(act_url(consultation, written, "retablir"), data={"csrf_token": token},
                           follow_redirects=True)
    assert "rien à rétablir" in page_text(response)
    assert client.post(act_url(consultation, written, "inconnu"), data={"csrf_token": token}).status_code == 404


def test_others_held_posts_leave_no_gap_in_a_page_of_threads(client, make, db):
    """A page lists 20 threads for everyone: held first posts are left out in the query for
    people who may not see them, not dropped from the page after it was cut."""
    from plateforme.debate.queries import COMMENTS_PER_PAGE

    consultation = build_consultation(make, PhaseKind.DEBATE)
    for n in range(COMMENTS_PER_PAGE + 2):
        comment(db, make.user(), consultation, body=f"Avis publié numéro {n}.")
    policy(make, hold_first_posts=1)
    newcomer = make.user(name="Nouvelle Venue")
    held = comment(db, newcomer, consultation, body="Mon tout premier avis, en attente.")
    assert held.visibility == Visibility.HELD

    def threads_seen(viewer) -> tuple[int, bool]:
        browser = client.application.test_client()
        if viewer is not None:
            sign_in(browser, viewer)
        text = browser.get(f"/consultations/{consultation.id}/debat").get_data(as_text=True)
        return text.count('id="commentaire-'), "Mon tout premier avis" in text

    assert threads_seen(None) == (COMMENTS_PER_PAGE, False)
    assert threads_seen(make.user()) == (COMMENTS_PER_PAGE, False)
    assert threads_seen(newcomer) == (COMMENTS_PER_PAGE, True)  # the newest thread: their own, waiting
    assert threads_seen(make.moderator()) == (COMMENTS_PER_PAGE, True)
