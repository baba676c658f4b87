"""Reporting a contribution: once per person, hidden pending review at the threshold of
different people, never one's own, never while suspended; the report page without JavaScript."""
from __future__ import annotations

import re

import pytest

from plateforme.consultations.models import PhaseKind
from plateforme.debate.models import (
    ModerationAction, ModerationActionKind, Report, ReportReason, Visibility,
)
from plateforme.debate.moderation import ModerationError, report_threshold
from plateforme.debate.reports import report

from ..consultations.helpers import build_consultation
from ..factories import page_text, post_form, sign_in
from .helpers import comment, proposal
from .moderation_helpers import policy, reported, suspended


@pytest.fixture
def debate(make, db):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    author = make.user(name="Camille Autrice")
    return consultation, author, comment(db, author, consultation)


def report_url(consultation, content, kind="commentaire"):
    return f"/consultations/{consultation.id}/signaler/{kind}/{content.id}"


def test_three_different_people_hide_the_comment_pending_review(make, db, debate):
    consultation, _author, written = debate
    for _ in range(3):
        reported(db, make.user(), consultation, written)
    db.session.refresh(written)
    assert written.visibility == Visibility.REPORTED
    action = db.session.query(ModerationAction).one()
    assert (action.kind, action.actor_role, action.was_public, action.moderator_id) == (
        ModerationActionKind.AUTO_HIDE, "system", True, None)


def test_one_person_reporting_three_times_counts_once(make, db, debate):
    consultation, _author, written = debate
    reporter = make.user()
    reported(db, reporter, consultation, written)
    for _ in range(2):
        with pytest.raises(ModerationError, match="déjà signalé"):
            report(reporter, consultation, written, ReportReason.INSULT)
        db.session.rollback()
    db.session.refresh(written)
    assert written.visibility == Visibility.VISIBLE
    assert db.session.query(Report).count() == 1
    assert db.session.query(ModerationAction).count() == 0


def test_the_territory_policy_sets_the_threshold_nearest_first(make, db):
    on_commune = build_consultation(make, PhaseKind.DEBATE, territory_code="69266")
    assert report_threshold(on_commune) == 3  # the configured default
    policy(make, "200046977", report_threshold=5)
    assert report_threshold(on_commune) == 5  # the Métropole's rule covers its communes
    policy(make, "69266", report_threshold=2)
    assert report_threshold(on_commune) == 2  # the commune's own rule is nearer
    written = comment(db, make.user(), on_commune)
    reported(db, make.user(), on_commune, written)
    reported(db, make.user(), on_commune, written)
    db.session.refresh(written)
    assert written.visibility == Visibility.REPORTED


def test_one_cannot_report_ones_own_content(db, debate):
    consultation, author, written = debate
    with pytest.raises(ModerationError, match="propre contribution"):
        report(author, consultation, written, ReportReason.SPAM)


def test_other_needs_a_note(make, db, debate):
    consultation, _author, written = debate
    with pytest.raises(ModerationError) as refused:
        report(make.user(), consultation, written, ReportReason.OTHER, "  ")
    assert refused.value.field == "note"


def test_a_suspended_person_cannot_report(make, db, debate):
    consultation, _author, written = debate
    reporter = make.user()
    suspended(db, reporter)
    with pytest.raises(ModerationError, match="suspendu"):
        report(reporter, consultation, written, ReportReason.SPAM)


def test_a_proposal_can_be_reported(make, db):
    consultation = build_consultation(make, PhaseKind.PROPOSALS)
    proposed = proposal(db, make.user(), consultation)
    reported(db, make.user(), consultation, proposed, ReportReason.OFF_TOPIC)
    assert db.session.query(Report).one().target_kind.value == "proposal"


def test_the_page_reports_and_a_second_time_says_so(client, make, db, debate):
    consultation, _author, written = debate
    sign_in(client, make.user())
    url = report_url(consultation, written)
    response = post_form(client, url, {"reason": "insult", "note": ""})
    assert response.status_code == 302 and response.headers["Location"] == url
    # Back on the page: a confirmation, not the form again.
    text = page_text(client.get(url))
    assert "Signalement transmis" in text and "vous avez signalé ce contenu le" in text
    assert 'name="reason"' not in text
    response = post_form(client, url, {"reason": "spam"}, follow_redirects=True)
    assert "vous avez signalé ce contenu le" in page_text(response)
    assert db.session.query(Report).count() == 1


def test_the_page_keeps_the_input_when_the_note_is_missing(client, make, db, debate):
    consultation, _author, written = debate
    sign_in(client, make.user())
    response = post_form(client, report_url(consultation, written), {"reason": "other", "note": ""})
    text = page_text(response)
    assert response.status_code == 200
    assert "précisez en quelques mots" in text
    assert re.search(r'<input[^>]*checked[^>]*value="other"|<input[^>]*value="other"[^>]*checked', text)
    assert db.session.query(Report).count() == 0


def test_the_signaler_link_is_on_others_contributions_only(client, make, db, debate):
    consultation, author, written = debate
    page = f"/consultations/{consultation.id}"
    assert report_url(consultation, written) not in client.get(page).get_data(as_text=True)  # visitor
    sign_in(client, author)
    assert report_url(consultation, written) not in client.get(page).get_data(as_text=True)  # author
    other_client = client.application.test_client()
    sign_in(other_client, make.user())
    assert report_url(consultation, written) in other_client.get(page).get_data(as_text=True)


def test_the_report_page_refuses_ones_own_content(client, db, debate):
    consultation, author, written = debate
    sign_in(client, author)
    response = client.get(report_url(consultation, written))
    assert "On ne peut pas signaler sa propre contribution." in page_text(response)
    assert "<form method=\"post\" class=\"stacked\"" not in response.get_data(as_text=True)


def test_reporting_is_rate_limited(client, make, db):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    author = make.user()
    comments = [comment(db, author, consultation, body=f"Un avis numéro {n} sur la question.") for n in range(21)]
    sign_in(client, make.user())
    token_page = report_url(consultation, comments[0])
    from ..factories import csrf_token

    token = csrf_token(client, token_page)
    statuses = [client.post(report_url(consultation, c), data={"csrf_token": token, "reason": "spam"}).status_code
                for c in comments]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429
