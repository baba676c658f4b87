"""`flask demo` shows issue cards and one consultation in each stage, on the day it runs."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from plateforme.accounts.models import User
from plateforme.cards.models import IssueCard, VersionStatus
from plateforme.consultations.models import CommitmentStatus, Consultation, ConsultationFollow, PhaseKind, Stage
from plateforme.core.models import local_today
from plateforme.debate.models import Comment, Proposal, ProposalStatus
from plateforme.notifications.models import Notification
from plateforme.observatory.models import FindingStatus


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_demo_runs_one_consultation_in_each_stage_and_a_complete_one(app, db, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "lea@demo.plateforme.example" in first.output
    counts = (_count(db, IssueCard), _count(db, Consultation), _count(db, Comment), _count(db, Proposal))
    assert runner.invoke(args=["demo"]).exit_code == 0  # idempotent: nothing is added twice
    db.session.rollback()
    assert (_count(db, IssueCard), _count(db, Consultation), _count(db, Comment), _count(db, Proposal)) == counts

    cards = db.session.execute(select(IssueCard)).scalars().all()
    published = [c for c in cards if c.is_public]
    assert len(published) == 3 and len(cards) == 4 and not any("illustratif" in c.title for c in cards)
    corrected = [c for c in published if len(c.versions) == 2]
    assert len(corrected) == 1 and corrected[0].published_version.change_note
    assert corrected[0].versions[0].status == VersionStatus.SUPERSEDED
    for card in published:
        assert card.first_published_at and card.title == card.published_version.title
        assert card.published_version.findings and card.published_version.indicator_values
        assert all(f.status == FindingStatus.PUBLISHED for f in card.published_version.findings)

    today = local_today()
    consultations = db.session.execute(select(Consultation)).scalars().all()
    assert not any("illustratif" in c.title for c in consultations)
    by_stage = {c.stage(today): c for c in consultations}
    assert set(by_stage) >= {Stage.UPCOMING, Stage.INFORMATION, Stage.DEBATE, Stage.PROPOSALS, Stage.SURVEY,
                             Stage.SYNTHESIS, Stage.RESPONSE, Stage.CONCLUDED}

    debate = by_stage[Stage.DEBATE]
    comments = db.session.execute(select(Comment).where(Comment.consultation_id == debate.id)).scalars().all()
    assert len(comments) >= 10 and any(c.parent_id for c in comments)
    assert len({c.stance for c in comments}) == 4 and len({c.author_id for c in comments}) >= 4
    residents = db.session.execute(select(User).where(User.id.in_({c.author_id for c in comments}))).scalars()
    assert all(u.is_confirmed and u.commune is not None for u in residents)

    proposals = db.session.execute(select(Proposal).where(
        Proposal.consultation_id == by_stage[Stage.PROPOSALS].id)).scalars().all()
    studied = [p for p in proposals if p.status == ProposalStatus.UNDER_STUDY]
    assert len(proposals) >= 3 and len(studied) == 1 and studied[0].justification_html

    survey_consultation = by_stage[Stage.SURVEY]
    assert survey_consultation.survey is not None
    assert survey_consultation.survey.territory_id == survey_consultation.territory_id
    survey_phase = survey_consultation.phase(PhaseKind.SURVEY)  # one deadline, the survey's (audit 19)
    assert (survey_phase.starts_on, survey_phase.ends_on) == (survey_consultation.survey.opens_at,
                                                             survey_consultation.survey.closes_at)

    assert by_stage[Stage.RESPONSE].synthesis is not None and by_stage[Stage.RESPONSE].response is None
    concluded = by_stage[Stage.CONCLUDED]
    assert concluded.synthesis.comments and concluded.synthesis.proposals
    commitments = concluded.response.commitments
    assert {c.status for c in commitments} == set(CommitmentStatus)
    running = next(c for c in commitments if c.status == CommitmentStatus.IN_PROGRESS)
    assert len(running.updates) == 2 and running.updates[0].created_at < running.updates[1].created_at
    abandoned = next(c for c in commitments if c.status == CommitmentStatus.ABANDONED)
    assert abandoned.updates and "Abandonné" in abandoned.updates[-1].body
    assert db.session.execute(select(func.count()).select_from(ConsultationFollow).where(
        ConsultationFollow.consultation_id == concluded.id)).scalar_one() >= 2
    habitant = db.session.execute(select(User).where(User.email == "habitant@demo.plateforme.example")).scalar_one()
    notifications = db.session.execute(select(Notification).where(Notification.user_id == habitant.id)).scalars()
    notifications = list(notifications)
    assert len(notifications) >= 2 and any(n.read_at is None for n in notifications)

    # The open-data twin shows the same thing.
    detail = client.get(f"/api/v1/consultations/{concluded.id}").get_json()
    assert [c["status"] for c in detail["response"]["commitments"]].count("in_progress") == 1
    listed = client.get("/api/v1/consultations?per_page=100").get_json()
    assert {c["stage"] for c in listed["data"]} >= {s.value for s in by_stage}


def _quoted(text: str) -> list[str]:
    return [quote.strip("\u00a0 ") for quote in re.findall(r"«(.*?)»", text)]


def test_the_demo_reads_as_one_coherent_territory(app, db, client):
    """Issue 19: each consultation has its own debate; proposals are answered about themselves;
    the official response names real proposals of its consultation; each commitment names the
    proposal and the card it comes from, both of its consultation; no « (illustratif) » after
    anything (the site's demo banner says it once)."""
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    db.session.rollback()
    consultations = db.session.execute(select(Consultation)).scalars().all()
    seen_comments: dict[str, int] = {}
    for consultation in consultations:
        assert "illustratif" not in consultation.title + consultation.description
        comments = db.session.execute(select(Comment).where(Comment.consultation_id == consultation.id)).scalars()
        comments = list(comments)
        for comment in comments:
            assert seen_comments.setdefault(comment.body, consultation.id) == consultation.id, comment.body
            assert comment.parent is None or (comment.parent.consultation_id == consultation.id
                                              and comment.parent.created_at < comment.created_at)
        if comments:  # the count the page gives is what it shows (a reply was once dropped: audit 19)
            page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
            shown = set(re.findall(r'id="commentaire-(\d+)"', page))
            assert shown == {str(c.id) for c in comments}
            assert re.search(rf"{len(comments)}\scommentaires?\spubliés?", page)
        proposals = db.session.execute(select(Proposal).where(Proposal.consultation_id == consultation.id)).scalars()
        proposals = list(proposals)
        for proposal in proposals:
            if proposal.justification:
                stems = lambda text: {w[:5] for w in re.findall(r"\w{5,}", text.lower())}  # noqa: E731
                assert stems(proposal.title) & stems(proposal.justification), proposal.title  # about itself
                assert "illustratif" not in proposal.justification
        titles = {p.title for p in proposals}
        if consultation.synthesis is not None:
            assert all(c.consultation_id == consultation.id for c in consultation.synthesis.comments)
            assert all(p.consultation_id == consultation.id for p in consultation.synthesis.proposals)
        if consultation.response is not None:
            named = _quoted(consultation.response.body)
            assert named and set(named) <= titles, named
            cards = {card.title for card in consultation.cards}
            for commitment in consultation.response.commitments:
                quoted = set(_quoted(commitment.description))
                assert quoted & cards and quoted <= cards | titles, (commitment.title, quoted)
                assert not any("illustratif" in u.body for u in commitment.updates)
    assert len({seen for seen in seen_comments.values()}) >= 5  # five consultations have a debate of their own
    cards = db.session.execute(select(IssueCard)).scalars().all()
    assert not any("illustratif" in (v.change_note or "") for card in cards for v in card.versions)
    for card in cards:  # a card cites findings published before it, not months later (audit 19)
        for version in card.versions:
            for finding in version.findings if version.published_at else ():
                assert finding.published_at < version.published_at, (card.title, finding.title)
