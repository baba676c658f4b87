"""Lasting links to a comment or a proposal, relative to the site (notifications, the
moderation log and exports keep them; the CLI builds them too, outside any request)."""
from __future__ import annotations

from flask import current_app, has_request_context, url_for

from .models import Comment, Proposal


def comment_path(comment: Comment) -> str:
    """The comment's lasting link, relative to the site: it finds the page of threads that
    holds the comment when followed (new threads push older ones to later pages, so a page
    number stored in a notification would soon be wrong)."""
    if has_request_context():
        return url_for("debate.comment_link", consultation_id=comment.consultation_id, comment_id=comment.id)
    with current_app.test_request_context():
        return url_for("debate.comment_link", consultation_id=comment.consultation_id, comment_id=comment.id)


def proposal_path(proposal: Proposal) -> str:
    """The proposal's page, relative to the site (also outside a request: the CLI)."""
    if has_request_context():
        return url_for("debate.proposal", consultation_id=proposal.consultation_id, proposal_id=proposal.id)
    with current_app.test_request_context():
        return url_for("debate.proposal", consultation_id=proposal.consultation_id, proposal_id=proposal.id)
