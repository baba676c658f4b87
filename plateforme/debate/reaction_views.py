"""Endorsing comments and supporting proposals: plain POST buttons, no JavaScript.

Each button posts to its route and comes back to the page it was on (a local `retour`
address carried by the form, else the contribution itself). The pages learn what the
current person already endorsed or supported through the `reactions` template helper, at a
fixed number of queries whatever the number of contributions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..consultations.models import Consultation
from ..consultations.queries import consultation_for_participation
from ..core.permissions import ensure_visible
from ..core.rate_limits import rate_limited
from ..core.urls import safe_next
from ..extensions import db, limiter
from . import bp, notices
from .forms import ConfirmForm
from .models import Comment, Endorsement, Proposal, Support
from .permissions import can_comment, can_propose, is_suspended, within_edit_window
from .reactions import endorse, support, withdraw_endorsement, withdraw_support
from .services import DebateError
from .views import NEAR_PARAM, per_person

REACTION_LIMIT = "30 per minute"
reaction_limit = rate_limited(limiter.shared_limit(REACTION_LIMIT, scope="debate-reactions", key_func=per_person,
                                                   methods=["POST"]))


@dataclass
class Reactions:
    """What the current person may do and did on one consultation's contributions."""

    user_id: int | None = None
    may_endorse: bool = False     # the consultation-wide part of can_endorse (phase, audience, suspension)
    may_support: bool = False
    suspended: bool = False
    endorsed: set[int] = field(default_factory=set)
    supported: set[int] = field(default_factory=set)

    def endorsable(self, comment: Comment) -> bool:
        return self.may_endorse and comment.is_visible and comment.author_id != self.user_id

    def supportable(self, proposal: Proposal) -> bool:
        return self.may_support and proposal.is_visible and proposal.author_id != self.user_id

    def editable(self, comment: Comment) -> bool:
        """can_edit_comment, without a query per comment."""
        return (self.user_id is not None and comment.author_id == self.user_id and comment.is_visible
                and not self.suspended and within_edit_window(comment))


@bp.app_template_global("reactions")
def reactions_helper(consultation: Consultation) -> Reactions:
    """The current person's reactions on `consultation`, computed once per request (two or
    three queries, however many comments and proposals the page shows)."""
    cache = g.setdefault("debate_reactions", {})
    if consultation.id in cache:
        return cache[consultation.id]
    state = Reactions()
    if current_user.is_authenticated:
        state.user_id = current_user.id
        state.may_endorse = can_comment(current_user, consultation)
        state.may_support = can_propose(current_user, consultation)
        state.suspended = is_suspended(current_user)
        state.endorsed = set(db.session.execute(
            select(Endorsement.comment_id).join(Comment, Comment.id == Endorsement.comment_id)
            .where(Endorsement.user_id == current_user.id, Comment.consultation_id == consultation.id)).scalars())
        state.supported = set(db.session.execute(
            select(Support.proposal_id).join(Proposal, Proposal.id == Support.proposal_id)
            .where(Support.user_id == current_user.id, Proposal.consultation_id == consultation.id)).scalars())
    cache[consultation.id] = state
    return state


def _reacted_to(model, consultation_id: int, contribution_id: int):
    """The consultation and the comment or proposal reacted to, under the same visibility
    rule as the pages."""
    consultation = consultation_for_participation(consultation_id) or abort(404)
    ensure_visible("can_see_consultation", consultation)
    contribution = db.session.get(model, contribution_id)
    if contribution is None or contribution.consultation_id != consultation.id:
        abort(404)
    return consultation, contribution


def _back(default: str, notice: notices.Notice | None = None):
    """Back to the page the button was on (only a local address), else `default`, with
    `notice` flashed."""
    if notice is not None:
        notices.tell(notice)
    return redirect(_near(safe_next(request.form.get("retour")) or default, notice is not None))


def _near(url: str, placed: bool) -> str:
    """`url` whose flashed notice, if `placed`, shows beside the comment its fragment names
    (the fragment scrolls past the top of the page, where messages are otherwise shown)."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != NEAR_PARAM]
    if placed and parts.fragment.startswith("commentaire-"):
        query.append((NEAR_PARAM, parts.fragment))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _react(action, content, default: str, done: str, already: str):
    """`action` (endorse, support or their withdrawal) on `content`, then back with the
    notice `done` or, when nothing changed, `already`."""
    if not ConfirmForm().validate_on_submit():
        flash(_("Le formulaire a expiré. Rechargez la page et réessayez."), "error")
        return _back(default)
    try:
        changed = action(current_user._get_current_object(), content)
    except DebateError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back(default)
    db.session.commit()
    return _back(default, done if changed else already)


def _signed_in_or_sign_in():
    """Visitors are sent to sign in (then back to the page they were on)."""
    if current_user.is_authenticated:
        return None
    flash(_("Connectez-vous pour approuver un commentaire ou soutenir une proposition."), "info")
    return redirect(url_for("accounts.sign_in", next=safe_next(request.form.get("retour")) or request.path))


@bp.route("/<int:consultation_id>/commentaires/<int:comment_id>/soutenir", methods=["POST"], endpoint="endorse")
@reaction_limit
def endorse_view(consultation_id, comment_id):
    consultation, comment = _reacted_to(Comment, consultation_id, comment_id)
    return _signed_in_or_sign_in() or _react(
        endorse, comment, url_for("debate.comment_link", consultation_id=consultation.id, comment_id=comment.id),
        notices.ENDORSED, notices.ALREADY_ENDORSED)


@bp.route("/<int:consultation_id>/commentaires/<int:comment_id>/retirer-soutien", methods=["POST"],
          endpoint="withdraw_endorsement")
@reaction_limit
def withdraw_endorsement_view(consultation_id, comment_id):
    consultation, comment = _reacted_to(Comment, consultation_id, comment_id)
    return _signed_in_or_sign_in() or _react(
        withdraw_endorsement, comment,
        url_for("debate.comment_link", consultation_id=consultation.id, comment_id=comment.id),
        notices.ENDORSEMENT_WITHDRAWN, notices.NOT_ENDORSED)


@bp.route("/<int:consultation_id>/propositions/<int:proposal_id>/soutenir", methods=["POST"], endpoint="support")
@reaction_limit
def support_view(consultation_id, proposal_id):
    consultation, proposal = _reacted_to(Proposal, consultation_id, proposal_id)
    return _signed_in_or_sign_in() or _react(
        support, proposal, url_for("debate.proposal", consultation_id=consultation.id, proposal_id=proposal.id),
        notices.SUPPORTED, notices.ALREADY_SUPPORTED)


@bp.route("/<int:consultation_id>/propositions/<int:proposal_id>/retirer-soutien", methods=["POST"],
          endpoint="withdraw_support")
@reaction_limit
def withdraw_support_view(consultation_id, proposal_id):
    consultation, proposal = _reacted_to(Proposal, consultation_id, proposal_id)
    return _signed_in_or_sign_in() or _react(
        withdraw_support, proposal,
        url_for("debate.proposal", consultation_id=consultation.id, proposal_id=proposal.id),
        notices.SUPPORT_WITHDRAWN, notices.NOT_SUPPORTED)
