"""Debate pages: the debate of a consultation, commenting and replying, withdrawing one's
comment, proposing, a proposal with the authority's answer, and answering it.

The consultation page includes `debate/_consultation_section.html`, which reads its data
through the `debate_section` template helper registered here.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..consultations.models import Consultation, PhaseKind
from ..consultations.queries import consultation_for_participation
from ..core.forms import attach_error
from ..core.page_cache import public_page
from ..core.params import parse_query
from ..core.permissions import can, ensure, ensure_visible
from ..core.rate_limits import rate_limited
from ..extensions import db, limiter
from . import bp, notices
from .forms import AnswerForm, CommentForm, ConfirmForm, ProposalForm
from .labels import register_label_helpers
from .models import Comment, Proposal, Visibility
from .queries import COMMENTS_PAGE_ARG, DEBATE_PARAMS, comment_page_number, debate_section
from .services import (
    DebateError, answer_proposal, post_comment, refusal_message, submit_proposal, withdraw_comment,
)
from .permissions import participation_refusal

bp.record_once(register_label_helpers)
bp.record_once(lambda state: state.app.jinja_env.globals.update(near_param=NEAR_PARAM))
POSTING_LIMIT = "10 per minute"
# The comment and proposal forms share the consultation page: prefixed ids stay unique.
COMMENT_PREFIX, PROPOSAL_PREFIX = "comment", "proposal"
# Names the comment beside which the page shows the flashed confirmation (debate/_macros.html).
NEAR_PARAM = "pres"
# The pages that show the debate sections (debate/_consultation_section.html). The consultation
# page sits below the debate and imports nothing from it, so the sections' parameters are
# checked here, before either view runs, as @accepts does on other pages (400 page naming them).
DEBATE_PAGES = ("consultations.show", "debate.debate")


def per_person() -> str:
    """Rate-limit key: the signed-in person (several people may share an address), else the address."""
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


# Comments and replies share one allowance; proposals have their own.
comment_limit = rate_limited(limiter.shared_limit(POSTING_LIMIT, scope="debate-comments", key_func=per_person,
                                                methods=["POST"]))
proposal_limit = rate_limited(limiter.shared_limit(POSTING_LIMIT, scope="debate-proposals", key_func=per_person,
                                                   methods=["POST"]))


@bp.before_app_request
def _check_debate_params():
    if request.endpoint in DEBATE_PAGES:
        parse_query(DEBATE_PARAMS, request.args, strict=False)


@bp.app_template_global("debate_section")
def debate_section_helper(consultation):
    """The consultation page's debate data and blank forms, for the included section."""
    section = debate_section(consultation, parse_query(DEBATE_PARAMS, request.args, strict=False), current_user)
    # Built only where shown: a form makes a CSRF token, which puts a session on a visitor's
    # page and keeps it out of the cache (core/page_cache.py).
    section.comment_form = CommentForm(formdata=None, prefix=COMMENT_PREFIX) if section.can_comment else None
    section.proposal_form = ProposalForm(formdata=None, prefix=PROPOSAL_PREFIX) if section.can_propose else None
    return section


@bp.app_template_global("debate_url")
def debate_url(_anchor: str | None = None, **changes) -> str:
    """The current page with some query arguments changed (None removes one): pagination
    and filters of the debate sections keep the page's other arguments, not where a
    confirmation was placed."""
    args = {**request.args.to_dict(), NEAR_PARAM: None, **changes}
    args = {key: value for key, value in args.items() if value not in (None, "")}
    return url_for(request.endpoint, **(request.view_args or {}), **args, _anchor=_anchor)


@bp.app_template_global("consultation_page_url")
def consultation_url(consultation: Consultation, **args) -> str:
    """The consultation's own page, which includes the debate section."""
    return url_for("consultations.show", consultation_id=consultation.id, **args)


def _visible_consultation(consultation_id: int) -> Consultation:
    """A consultation the current person may see. As on the consultation page, a visitor is
    asked to sign in (drafts are shared between officials), others get a 404."""
    consultation = consultation_for_participation(consultation_id) or abort(404)
    ensure_visible("can_see_consultation", consultation)
    return consultation


def _comment_of(consultation: Consultation, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.consultation_id != consultation.id:
        abort(404)
    return comment


def _proposal_of(consultation: Consultation, proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.consultation_id != consultation.id:
        abort(404)
    return proposal


def _to_comment(consultation: Consultation, comment: Comment, just_posted: bool = False,
                notice: notices.Notice | None = None):
    """To the page of threads holding `comment`, at its anchor, with `notice` flashed beside it."""
    # A thread opened by this very request is the newest: first page, no count query.
    new_thread = just_posted and comment.parent_id is None
    page = 1 if new_thread else comment_page_number(comment, consultation, current_user)
    args = {COMMENTS_PAGE_ARG: page} if page > 1 else {}
    anchor = f"commentaire-{comment.id}"
    if notice is not None:
        # Shown beside the comment (NEAR_PARAM): the anchor scrolls past the top of the page.
        notices.tell(notice)
        args[NEAR_PARAM] = anchor
    return redirect(consultation_url(consultation, _anchor=anchor, **args))


@bp.route("/<int:consultation_id>/debat")
@public_page
def debate(consultation_id):
    consultation = _visible_consultation(consultation_id)
    return render_template("debate/debate.html", consultation=consultation)


@bp.route("/<int:consultation_id>/commenter", methods=["GET", "POST"])
@comment_limit
def comment(consultation_id):
    consultation = _visible_consultation(consultation_id)
    ensure("is_signed_in")
    form = CommentForm(prefix=COMMENT_PREFIX)
    if form.validate_on_submit():
        try:
            created = post_comment(current_user._get_current_object(), consultation, form.stance.data,
                                   form.body.data)
        except DebateError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            return _to_comment(consultation, created, just_posted=True,
                               notice=notices.HELD if created.visibility == Visibility.HELD
                               else notices.COMMENT_PUBLISHED)
    return render_template("debate/comment_form.html", consultation=consultation, form=form, parent=None,
                           refusal=_refusal(consultation, PhaseKind.DEBATE))


@bp.route("/<int:consultation_id>/commentaires/<int:comment_id>", endpoint="comment_link")
def comment_link(consultation_id, comment_id):
    """A lasting link to a comment (the synthesis cites comments this way): the page of
    threads that holds it today, at its anchor."""
    consultation = _visible_consultation(consultation_id)
    return _to_comment(consultation, _comment_of(consultation, comment_id))


@bp.route("/<int:consultation_id>/commentaires/<int:comment_id>/repondre", methods=["GET", "POST"])
@comment_limit
def reply(consultation_id, comment_id):
    consultation = _visible_consultation(consultation_id)
    parent = _comment_of(consultation, comment_id)
    ensure("is_signed_in")
    form = CommentForm(prefix=COMMENT_PREFIX)
    if form.validate_on_submit():
        try:
            created = post_comment(current_user._get_current_object(), consultation, form.stance.data,
                                   form.body.data, parent=parent)
        except DebateError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            return _to_comment(consultation, created, notice=notices.HELD if created.visibility == Visibility.HELD
                               else notices.REPLY_PUBLISHED)
    refusal = _refusal(consultation, PhaseKind.DEBATE)
    if refusal is None and not parent.is_visible:
        refusal = _("Ce commentaire a été retiré ou masqué : on ne peut plus y répondre.")
    return render_template("debate/comment_form.html", consultation=consultation, form=form, parent=parent,
                           refusal=refusal)


def _refusal(consultation: Consultation, kind: PhaseKind) -> str | None:
    """Why the current person may not take part now (the form page says it above the form)."""
    allowed = can("can_comment" if kind == PhaseKind.DEBATE else "can_propose", consultation)
    return None if allowed else refusal_message(participation_refusal(current_user, consultation, kind), kind)


@bp.route("/<int:consultation_id>/commentaires/<int:comment_id>/retirer", methods=["GET", "POST"],
          endpoint="withdraw_comment")
def withdraw_view(consultation_id, comment_id):
    consultation = _visible_consultation(consultation_id)
    comment = _comment_of(consultation, comment_id)
    if current_user.is_authenticated and comment.author_id == current_user.id and not comment.is_visible:
        flash(_("Ce commentaire est déjà retiré."), "info")
        return _to_comment(consultation, comment)
    ensure("can_withdraw_comment", comment)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            withdraw_comment(comment, current_user)
        except DebateError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Votre commentaire est retiré. Le fil de discussion indique qu'il a été retiré par la personne qui l'a écrit."),
                  "success")
            return _to_comment(consultation, comment)
    return render_template("debate/withdraw_comment.html", consultation=consultation, comment=comment, form=form)


@bp.route("/<int:consultation_id>/proposer", methods=["GET", "POST"])
@proposal_limit
def propose(consultation_id):
    consultation = _visible_consultation(consultation_id)
    ensure("is_signed_in")
    form = ProposalForm(prefix=PROPOSAL_PREFIX)
    if form.validate_on_submit():
        try:
            proposal = submit_proposal(current_user._get_current_object(), consultation, form.title.data,
                                       form.body.data)
        except DebateError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            notices.tell(notices.HELD if proposal.visibility == Visibility.HELD else notices.PROPOSAL_PUBLISHED)
            return redirect(url_for("debate.proposal", consultation_id=consultation.id, proposal_id=proposal.id))
    return render_template("debate/proposal_form.html", consultation=consultation, form=form,
                           refusal=_refusal(consultation, PhaseKind.PROPOSALS))


@bp.route("/<int:consultation_id>/propositions/<int:proposal_id>")
def proposal(consultation_id, proposal_id):
    consultation = _visible_consultation(consultation_id)
    proposal = _proposal_of(consultation, proposal_id)
    if proposal.visibility == Visibility.HELD:  # a first post waiting: its author and the moderators only
        can("can_see_held", proposal) or abort(404)
    return render_template("debate/proposal.html", consultation=consultation, proposal=proposal)


@bp.route("/<int:consultation_id>/propositions/<int:proposal_id>/repondre", methods=["GET", "POST"],
          endpoint="answer_proposal")
def answer_view(consultation_id, proposal_id):
    consultation = _visible_consultation(consultation_id)
    proposal = _proposal_of(consultation, proposal_id)
    ensure("can_answer_proposal", consultation)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            answer_proposal(proposal, consultation, current_user, form.status.data, form.justification.data)
        except DebateError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Votre réponse est publiée sous la proposition ; son auteur ou autrice en est averti."),
                  "success")
            return redirect(url_for("debate.proposal", consultation_id=consultation.id, proposal_id=proposal.id))
    return render_template("debate/answer_form.html", consultation=consultation, proposal=proposal, form=form)
