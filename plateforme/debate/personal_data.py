"""The debate's part of a person's data export (RGPD right of access): what they wrote,
endorsed, supported and reported, through explicit field lists; and what erasing their
account does to what they wrote (RGPD right to erasure)."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import delete, select, update

from ..accounts.models import User
from ..accounts.retention import erasure_step
from ..accounts.services import personal_data_section
from ..core.sanitize import markdown_to_safe_html
from ..notifications.models import Notification
from ..extensions import db
from .models import Comment, CommentRevision, Endorsement, Proposal, Report, Support
from .paths import proposal_path


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


@erasure_step("debate_contributions")
def erase_contributions(user: User, erase_text: bool) -> None:
    """When the person asks it on erasing their account, replace the text of their comments
    and proposals (earlier versions included) by "Contribution supprimée avec le compte";
    the replies of others and the authority's answers stay, so the debate keeps its thread."""
    if not erase_text:
        return
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # stored once, for every reader
        text = _("Contribution supprimée avec le compte")
    html = markdown_to_safe_html(text)
    mine = select(Comment.id).where(Comment.author_id == user.id).scalar_subquery()
    db.session.execute(delete(CommentRevision).where(CommentRevision.comment_id.in_(mine)))
    db.session.execute(update(Comment).where(Comment.author_id == user.id).values(body=text, body_html=html))
    proposals = db.session.execute(select(Proposal).where(Proposal.author_id == user.id)).scalars().all()
    if proposals:
        # Supporters were notified with the proposal's title: it goes from their lists too.
        paths = [proposal_path(p) for p in proposals]
        db.session.execute(update(Notification).where(Notification.target_path.in_(paths)).values(subject=text))
    db.session.execute(update(Proposal).where(Proposal.author_id == user.id)
                       .values(title=text, body=text, body_html=html))
