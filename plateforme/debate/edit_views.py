"""What authors change afterwards: correcting one's comment (within the edit window), with
the public history of a comment, and withdrawing one's proposal."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.forms import attach_error
from ..core.permissions import ensure
from ..extensions import db
from . import bp
from .editing import edit_comment, revisions
from .permissions import edit_deadline, within_edit_window
from .forms import CommentForm, WithdrawProposalForm
from .models import Visibility
from .services import DebateError, withdraw_proposal
from .views import COMMENT_PREFIX, _comment_of, _proposal_of, _to_comment, _visible_consultation, comment_limit


@bp.route("/<int:consultation_id>/commentaires/<int:comment_id>/modifier", methods=["GET", "POST"],
          endpoint="edit_comment")
@comment_limit
def edit_view(consultation_id, comment_id):
    consultation = _visible_consultation(consultation_id)
    comment = _comment_of(consultation, comment_id)
    ensure("is_signed_in")
    if comment.author_id != current_user.id:
        abort(403)
    form = CommentForm(prefix=COMMENT_PREFIX, data={"stance": comment.stance.value, "body": comment.body})
    refusal = None
    if not comment.is_visible:
        refusal = _("Ce commentaire a été retiré ou masqué : il ne peut plus être modifié.")
    elif not within_edit_window(comment):
        refusal = _("Le délai pour modifier ce commentaire est passé. Vous pouvez le retirer, ou y répondre pour "
                    "préciser votre pensée.")
    if form.validate_on_submit():
        try:
            edit_comment(comment, current_user, form.stance.data, form.body.data)
        except DebateError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Votre commentaire est modifié. Sa version précédente reste consultable dans son historique."),
                  "success")
            return _to_comment(consultation, comment)
    return render_template("debate/edit_comment.html", consultation=consultation, comment=comment, form=form,
                           refusal=refusal, deadline=edit_deadline(comment))


@bp.route("/<int:consultation_id>/commentaires/<int:comment_id>/historique", endpoint="comment_history")
def history_view(consultation_id, comment_id):
    consultation = _visible_consultation(consultation_id)
    comment = _comment_of(consultation, comment_id)
    if not comment.is_visible:  # a withdrawn or hidden text is not shown through its history either
        abort(404)
    return render_template("debate/comment_history.html", consultation=consultation, comment=comment,
                           revisions=revisions(comment))


@bp.route("/<int:consultation_id>/propositions/<int:proposal_id>/retirer", methods=["GET", "POST"],
          endpoint="withdraw_proposal")
def withdraw_proposal_view(consultation_id, proposal_id):
    consultation = _visible_consultation(consultation_id)
    proposal = _proposal_of(consultation, proposal_id)
    back = url_for("debate.proposal", consultation_id=consultation.id, proposal_id=proposal.id)
    if current_user.is_authenticated and proposal.author_id == current_user.id \
            and proposal.visibility == Visibility.WITHDRAWN:
        flash(_("Cette proposition est déjà retirée."), "info")
        return redirect(back)
    ensure("can_withdraw_proposal", proposal)
    form = WithdrawProposalForm()
    if form.validate_on_submit():
        try:
            withdraw_proposal(proposal, current_user, form.reason.data)
        except DebateError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Votre proposition est retirée. Sa place dans la liste indique qu'elle a été retirée par la "
                    "personne qui l'a déposée, avec votre raison s'il y en a une."), "success")
            return redirect(back)
    return render_template("debate/withdraw_proposal.html", consultation=consultation, proposal=proposal,
                           form=form)
