"""Finding pages: the searchable list, the finding with its history, writing, submitting,
reviewing (the queue and the form) and withdrawing."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..accounts.models import Organisation
from ..core.params import accepts, paging
from ..core.permissions import deny, ensure, ensure_visible, requires
from ..extensions import db
from ..territories.models import Territory
from . import bp
from .notify import notify_reviewed, notify_submitted
from .forms import FindingForm, ReviewForm, WithdrawForm
from .labels import FINDING_STATUS_LABELS
from .models import Finding, FindingStatus, ReviewDecision
from .queries import (
    FINDING_PARAMS, FindingFilters, filter_choices, finding_with_history, review_queue, search_findings,
)
from .services import (
    OBSERVED_KINDS, FindingInput, ObservatoryError, create_finding, independence_problem, review_finding,
    submit_finding, update_finding, withdraw_finding,
)
from ..core.forms import attach_error
from ..core.text import french_sort_key


@bp.route("/constats")
@accepts(*FINDING_PARAMS, *paging(), strict=False)
def findings(query):
    filters = FindingFilters.from_query(query)
    page = search_findings(filters, query["page"], per_page=query["per_page"])
    return render_template("observatory/findings.html", page=page, filters=filters, **filter_choices())


def _visible_finding(finding_id: int) -> Finding:
    """The finding with its history. A signed-in person who may not see it gets a 404 (no
    leak of drafts); a visitor is asked to sign in, since links to findings in review are
    shared between partners — which tells a visitor only that the number exists."""
    finding = finding_with_history(finding_id) or abort(404)
    ensure_visible("can_see_finding", finding)
    return finding


@bp.route("/constats/<int:finding_id>")
def finding(finding_id):
    finding = _visible_finding(finding_id)
    from ..cards.services import cards_citing_finding  # the cards build on findings, not the reverse
    from ..consultations.responses import consultations_citing_finding  # likewise the consultations

    return render_template("observatory/finding.html", finding=finding, action_form=FlaskForm(),
                           citing_cards=cards_citing_finding(finding.id) if finding.is_public else [],
                           citing_consultations=consultations_citing_finding(finding.id) if finding.is_public else [])


# --- writing ------------------------------------------------------------------------

def _territory_choices():
    rows = db.session.execute(select(Territory).where(Territory.kind.in_(OBSERVED_KINDS))).scalars().all()
    order = {kind: index for index, kind in enumerate(OBSERVED_KINDS)}
    rows = sorted(rows, key=lambda t: (order[t.kind], t.search_name))
    return [("", _("Choisissez un territoire"))] + [(t.id, t.label) for t in rows]


def _finding_form(finding: Finding | None = None) -> FindingForm:
    if finding is not None and request.method == "GET":
        form = FindingForm(data={
            "organisation": finding.organisation_id, "title": finding.title, "body": finding.body,
            "flow_kind": finding.flow_kind.value, "direction": finding.direction.value,
            "character": finding.character.value, "fields": finding.fields.split(),
            "territory": finding.territory_id, "period": finding.period_label, "method": finding.method,
            "sources": finding.sources, "licence": finding.licence,
        })
    else:
        form = FindingForm()
    organisations = sorted((m.organisation for m in current_user.memberships),
                           key=lambda o: french_sort_key(o.name))
    if finding is not None:
        organisations = [finding.organisation]
    form.organisation.choices = [(o.id, o.name) for o in organisations]
    if len(organisations) == 1 and not form.organisation.data:
        form.organisation.data = organisations[0].id
    form.territory.choices = _territory_choices()
    return form


def _finding_input(form: FindingForm) -> FindingInput:
    return FindingInput(
        title=form.title.data, flow_kind=form.flow_kind.data, direction=form.direction.data,
        character=form.character.data, territory=db.session.get(Territory, form.territory.data),
        period=form.period.data, body=form.body.data, organisation=db.session.get(Organisation, form.organisation.data),
        fields=form.fields.data or [], method=form.method.data or "", sources=form.sources.data or "",
        licence=form.licence.data,
    )


def _save_finding(form: FindingForm, finding: Finding | None):
    """Save (and submit, when that button was pressed); a response, or None to show the form again."""
    submitting = request.form.get("action") == "submit"
    try:
        if finding is None:
            finding = create_finding(current_user, _finding_input(form))
        else:
            update_finding(finding, _finding_input(form))
        if submitting:
            submit_finding(finding, current_user, form.change_note.data or "")
            notify_submitted(finding, current_user)
    except ObservatoryError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    db.session.commit()
    if submitting:
        flash(_("Constat soumis à la relecture. Une personne d'une autre organisation partenaire le relira avant "
                "publication."), "success")
    else:
        flash(_("Brouillon enregistré. Il n'est visible que par votre organisation."), "success")
    return redirect(url_for("observatory.finding", finding_id=finding.id))


@bp.route("/constats/nouveau", methods=["GET", "POST"])
@requires("can_submit_findings")
def new_finding():
    form = _finding_form()
    if form.validate_on_submit():
        response = _save_finding(form, None)
        if response is not None:
            return response
    return render_template("observatory/finding_form.html", form=form, finding=None)


@bp.route("/constats/<int:finding_id>/modifier", methods=["GET", "POST"])
def edit_finding(finding_id):
    finding = _visible_finding(finding_id)
    ensure("can_edit_finding", finding)
    form = _finding_form(finding)
    if form.validate_on_submit():
        response = _save_finding(form, finding)
        if response is not None:
            return response
    return render_template("observatory/finding_form.html", form=form, finding=finding)


@bp.route("/constats/<int:finding_id>/soumettre", methods=["POST"], endpoint="submit_finding")
def submit_view(finding_id):
    finding = _visible_finding(finding_id)
    ensure("can_edit_finding", finding)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        submit_finding(finding, current_user)
        notify_submitted(finding, current_user)
    except ObservatoryError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("observatory.edit_finding", finding_id=finding.id))
    db.session.commit()
    flash(_("Constat soumis à la relecture."), "success")
    return redirect(url_for("observatory.finding", finding_id=finding.id))


# --- review -------------------------------------------------------------------------

@bp.route("/relecture", endpoint="review_queue")
@requires("can_review_findings")
def review_queue_view():
    return render_template("observatory/review_queue.html", findings=review_queue(current_user))


@bp.route("/constats/<int:finding_id>/relire", methods=["GET", "POST"], endpoint="review_finding")
def review_view(finding_id):
    finding = _visible_finding(finding_id)
    if not current_user.is_authenticated:
        return deny("can_review_finding")
    if finding.status != FindingStatus.IN_REVIEW:
        return render_template("observatory/review_refused.html", finding=finding,
                               reason=_("Ce constat n'attend pas de relecture : il est %(status)s.",
                                        status=FINDING_STATUS_LABELS[finding.status])), 409
    problem = independence_problem(finding, current_user)
    if problem:
        # The independence rule, explained rather than a bare "forbidden".
        return render_template("observatory/review_refused.html", finding=finding, reason=problem), 403
    ensure("can_review_finding", finding)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            notify_reviewed(review_finding(finding, current_user, ReviewDecision(form.decision.data),
                                           form.comment.data or ""))
        except ObservatoryError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            if form.decision.data == ReviewDecision.APPROVE.value:
                flash(_("Merci : le constat est publié, avec votre relecture dans son historique."), "success")
            else:
                flash(_("Merci : l'organisation qui a rédigé le constat voit votre demande de modifications."),
                      "success")
            return redirect(url_for("observatory.finding", finding_id=finding.id))
    return render_template("observatory/review.html", finding=finding, form=form)


@bp.route("/constats/<int:finding_id>/retirer", methods=["GET", "POST"], endpoint="withdraw_finding")
def withdraw_view(finding_id):
    finding = _visible_finding(finding_id)
    ensure("can_withdraw_finding", finding)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            withdraw_finding(finding, current_user, form.reason.data)
        except ObservatoryError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Constat retiré. Sa page reste en ligne avec la raison du retrait."), "success")
            return redirect(url_for("observatory.finding", finding_id=finding.id))
    return render_template("observatory/withdraw.html", finding=finding, form=form)
