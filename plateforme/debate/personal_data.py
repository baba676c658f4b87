"""The debate's part of a person's data export (RGPD right of access): what they wrote,
endorsed, supported and reported, through explicit field lists."""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..accounts.services import personal_data_section
from ..extensions import db
from .models import Comment, CommentRevision, Endorsement, Proposal, Report, Support


def _iso(value):
    return value.isoformat() if value else None


@personal_data_section("comments")
def comments_data(user: User) -> list[dict]:
    """Every comment the person wrote, whatever its visibility, with its earlier versions."""
    comments = db.session.execute(
        select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)).scalars().all()
    revisions: dict[int, list[dict]] = {}
    if comments:
        for revision in db.session.execute(
                select(CommentRevision).where(CommentRevision.comment_id.in_([c.id for c in comments]))
                .order_by(CommentRevision.id)).scalars():
            revisions.setdefault(revision.comment_id, []).append(
                {"body": revision.body, "stance": revision.stance.value, "replaced_at": _iso(revision.created_at)})
    return [{"id": c.id, "consultation_id": c.consultation_id, "parent_id": c.parent_id, "stance": c.stance.value,
             "body": c.body, "visibility": c.visibility.value, "visibility_reason": c.visibility_reason,
             "created_at": _iso(c.created_at), "edited_at": _iso(c.edited_at),
             "earlier_versions": revisions.get(c.id, [])} for c in comments]


@personal_data_section("proposals")
def proposals_data(user: User) -> list[dict]:
    proposals = db.session.execute(
        select(Proposal).where(Proposal.author_id == user.id).order_by(Proposal.id)).scalars()
    return [{"id": p.id, "consultation_id": p.consultation_id, "title": p.title, "body": p.body,
             "status": p.status.value, "justification": p.justification, "visibility": p.visibility.value,
             "created_at": _iso(p.created_at)} for p in proposals]


@personal_data_section("endorsements_and_supports")
def reactions_data(user: User) -> dict:
    endorsements = db.session.execute(
        select(Endorsement.comment_id, Endorsement.created_at).where(Endorsement.user_id == user.id)
        .order_by(Endorsement.id)).all()
    supports = db.session.execute(
        select(Support.proposal_id, Support.created_at).where(Support.user_id == user.id)
        .order_by(Support.id)).all()
    return {"endorsed_comments": [{"comment_id": c, "at": _iso(at)} for c, at in endorsements],
            "supported_proposals": [{"proposal_id": p, "at": _iso(at)} for p, at in supports]}


@personal_data_section("reports")
def reports_data(user: User) -> list[dict]:
    """Reports the person made (never who reported them: that is other people's data)."""
    reports = db.session.execute(
        select(Report).where(Report.reporter_id == user.id).order_by(Report.id)).scalars()
    return [{"consultation_id": r.consultation_id, "content": r.target_kind.value, "content_id": r.target_id,
             "reason": r.reason.value, "note": r.note, "created_at": _iso(r.created_at)} for r in reports]
