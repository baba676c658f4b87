"""What closes a consultation: writing the synthesis, publishing the official response and
adding commitments, a commitment's page (with the evidence chain back to the observatory)
and its progress updates, and a territory's accountability page."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import is_administrator, is_moderator
from ..core.forms import attach_error, confirmed
from ..core.models import local_today
from ..core.permissions import deny, ensure, ensure_visible
from ..core.sanitize import markdown_to_plain_text
from ..extensions import db
from ..territories.services import get_territory
from . import bp
from .models import Commitment, CommitmentStatus, Consultation
from .response_forms import (
    COMMITMENT_STATUS_LABELS, CommitmentForm, CommitmentUpdateForm, ResponseForm, SynthesisForm,
)
from .response_queries import accountability, commitment_for_view, evidence_chain, is_overdue
from .responses import (
    ResponseError, add_commitment, prepare_response, prepare_synthesis, publish_response, publish_synthesis,
    response_refusal, synthesis_candidates, synthesis_refusal, update_commitment,
)
from .queries import consultation_for_view

EXCERPT = 160


def _register_outcome_helpers(state) -> None:
    state.app.jinja_env.globals.update(
        commitment_status_label=lambda status: COMMITMENT_STATUS_LABELS[CommitmentStatus(status)],
        commitment_is_overdue=lambda commitment: is_overdue(commitment, local_today()),
    )


bp.record_once(_register_outcome_helpers)


def _visible(consultation_id: int) -> Consultation:
    """The consultation, or 404; a draft exists only for its managers (a visitor signs in)."""
    consultation = consultation_for_view(consultation_id) or abort(404)
    ensure_visible("can_see_consultation", consultation)
    return consultation


def _refused(consultation: Consultation, message: str):
    """A step that cannot happen now: say why on the consultation's page."""
    flash(message, "error")
    return redirect(url_for("consultations.show", consultation_id=consultation.id, _anchor="suites"))


def _excerpt(text: str) -> str:
    text = markdown_to_plain_text(text)  # a quote shows the words, not the markdown
    return text if len(text) <= EXCERPT else text[:EXCERPT].rsplit(" ", 1)[0] + "…"


def _author(item) -> str:
    return item.author.display_name if item.author else _("une personne qui a supprimé son compte")


# --- the synthesis ------------------------------------------------------------------------------

@bp.route("/<int:consultation_id>/synthese", methods=["GET", "POST"])
def write_synthesis(consultation_id):
    consultation = _visible(consultation_id)
    if not (is_administrator(current_user) or is_moderator(current_user, consultation.territory)):
        return deny("can_write_synthesis")
    refusal = synthesis_refusal(consultation)
    if refusal:
        return _refused(consultation, refusal)
    ensure("can_write_synthesis", consultation)
    comments, proposals = synthesis_candidates(consultation)
    form = SynthesisForm()
    form.comments.choices = [(c.id, _("%(author)s : « %(excerpt)s »", author=_author(c), excerpt=_excerpt(c.body)))
                             for c in comments]
    form.proposals.choices = [(p.id, _("« %(title)s », par %(author)s", title=p.title, author=_author(p)))
                              for p in proposals]
    # Published once and never rewritten: a valid form first shows the synthesis as it will be
    # published (as the official response does); only the preview's button (confirm=yes) publishes.
    if form.validate_on_submit() and not request.form.get("edit"):
        args = (consultation, form.body.data, form.comments.data or [], form.proposals.data or [])
        try:
            if confirmed(request.form):
                publish_synthesis(args[0], current_user, *args[1:])
                db.session.commit()
                flash(_("Synthèse publiée. Les personnes qui suivent la consultation en sont prévenues."), "success")
                return redirect(url_for("consultations.show", consultation_id=consultation.id, _anchor="synthese"))
            return render_template("consultations/synthesis_preview.html", consultation=consultation, form=form,
                                   draft=prepare_synthesis(*args))
        except ResponseError as error:
            db.session.rollback()
            attach_error(form, error)
    return render_template("consultations/synthesis_form.html", consultation=consultation, form=form)


# --- the official response ------------------------------------------------------------------------

def _attach_commitment_error(form: ResponseForm, error: ResponseError) -> None:
    if error.index is not None and error.index < len(form.commitments.entries):
        subform = form.commitments.entries[error.index].form
        if error.field in subform:
            subform[error.field].errors = list(subform[error.field].errors) + [error.message]
            return
    attach_error(form, error)


@bp.route("/<int:consultation_id>/reponse", methods=["GET", "POST"], endpoint="publish_response")
def publish_response_view(consultation_id):
    consultation = _visible(consultation_id)
    ensure("can_manage_consultation", consultation)
    refusal = response_refusal(consultation)
    if refusal:
        return _refused(consultation, refusal)
    ensure("can_publish_response", consultation)
    form = ResponseForm()
    # Published once and for all: a valid form first shows exactly what will be published; only
    # the preview's own button (confirm=yes) publishes, and its "Modifier" goes back to the form.
    if form.validate_on_submit() and not request.form.get("edit"):
        try:
            if confirmed(request.form):
                publish_response(consultation, current_user, form.body.data, form.commitment_inputs(),
                                 no_commitment=form.no_commitment.data)
                db.session.commit()
                flash(_("Réponse officielle publiée. Les personnes qui suivent la consultation en sont prévenues."),
                      "success")
                return redirect(url_for("consultations.show", consultation_id=consultation.id, _anchor="reponse"))
            draft = prepare_response(consultation, form.body.data, form.commitment_inputs(),
                                     no_commitment=form.no_commitment.data)
            return render_template("consultations/response_preview.html", consultation=consultation, form=form,
                                   draft=draft)
        except ResponseError as error:
            db.session.rollback()
            _attach_commitment_error(form, error)
    return render_template("consultations/response_form.html", consultation=consultation, form=form)


@bp.route("/<int:consultation_id>/engagements/nouveau", methods=["GET", "POST"], endpoint="add_commitment")
def add_commitment_view(consultation_id):
    consultation = _visible(consultation_id)
    ensure("can_manage_consultation", consultation)
    if consultation.response is None:
        return _refused(consultation, _("Publiez d'abord la réponse officielle : les engagements s'y ajoutent "
                                        "ensuite."))
    form = CommitmentForm()
    if form.validate_on_submit():
        try:
            commitment = add_commitment(consultation.response, current_user, form.commitment_input())
        except ResponseError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Engagement ajouté à la réponse officielle."), "success")
            return redirect(url_for("consultations.commitment", commitment_id=commitment.id))
    return render_template("consultations/response_form.html", consultation=consultation, form=form,
                           adding=True)


# --- a commitment ---------------------------------------------------------------------------------

def _visible_commitment(commitment_id: int) -> Commitment:
    commitment = commitment_for_view(commitment_id) or abort(404)
    ensure_visible("can_see_consultation", commitment.response.consultation)
    return commitment


@bp.route("/engagements/<int:commitment_id>")
def commitment(commitment_id):
    commitment = _visible_commitment(commitment_id)
    consultation = commitment.response.consultation
    return render_template("consultations/commitment.html", commitment=commitment, consultation=consultation,
                           cards=evidence_chain(consultation), overdue=is_overdue(commitment, local_today()),
                           updates=list(reversed(commitment.updates)))


@bp.route("/engagements/<int:commitment_id>/suivi", methods=["GET", "POST"], endpoint="update_commitment")
def update_commitment_view(commitment_id):
    commitment = _visible_commitment(commitment_id)
    ensure("can_update_commitment", commitment)
    form = CommitmentUpdateForm()
    if request.method == "GET":
        form.status.data = commitment.status.value
    if form.validate_on_submit():
        try:
            update_commitment(commitment, current_user, form.body.data, form.status.data)
        except ResponseError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Point d'étape publié. Les personnes qui suivent la consultation en sont prévenues."),
                  "success")
            return redirect(url_for("consultations.commitment", commitment_id=commitment.id))
    return render_template("consultations/commitment_update_form.html", commitment=commitment,
                           consultation=commitment.response.consultation, form=form)


# --- accountability ---------------------------------------------------------------------------------

@bp.route("/redevabilite/<kind>/<code>", endpoint="accountability")
def accountability_view(kind, code):
    territory = get_territory(kind, code) or abort(404)
    today = local_today()
    return render_template("consultations/accountability.html", report=accountability(territory, today),
                           today=today)
