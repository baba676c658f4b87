"""Writing cards: a new card (territory first, then the content), changing a draft,
starting a new version of a published card, submitting it; the moderators' queue and
their decision (publish, or send back with a note); an author's own cards."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..core.forms import attach_error
from ..core.permissions import can, ensure, requires
from ..core.urls import MAX_DATABASE_ID
from ..extensions import db
from ..observatory.forms import optional_int
from ..territories.models import Territory
from . import bp
from .diff import diff_versions
from .evidence import available_findings, available_values, values_by_indicator
from .forms import CardForm, NewVersionForm, ReviewForm, TerritoryStepForm
from .models import IssueCard, IssueCardVersion, VersionStatus
from .queries import cards_of, moderation_queue, observed_territories
from .services import (
    CardError, CardInput, copy_of, create_card, publish_version, refusal_to_edit, return_to_draft,
    start_new_version, submit_version, update_draft,
)
from .views import visible_card


def _input(form: CardForm) -> CardInput:
    return CardInput(title=form.title.data or "", summary=form.summary.data or "",
                     political_status=form.political_status.data or "", stakes=form.stakes.data or "",
                     known=form.known.data or "", unknown=form.unknown.data or "",
                     questions=form.questions.data or "", finding_ids=form.findings.data or [],
                     value_ids=form.values.data or [])


def _prefill(version: IssueCardVersion) -> dict:
    data = copy_of(version)
    return {"title": data.title, "summary": data.summary, "political_status": data.political_status.value,
            "stakes": data.stakes, "known": data.known, "unknown": data.unknown, "questions": data.questions,
            "findings": data.finding_ids, "values": data.value_ids, "territory": version.card.territory_id}


def _render_form(form, territory, card=None, version=None, heading=None):
    findings = available_findings(territory) if territory else []
    values = available_values(territory) if territory else []
    return render_template("cards/form.html", form=form, territory=territory, card=card, version=version,
                           heading=heading, findings=findings, value_groups=values_by_indicator(values))


def _refused(card: IssueCard, reason: str):
    return render_template("cards/refused.html", card=card, reason=reason), 409


def _flash_saved(submitted: bool) -> None:
    if submitted:
        flash(_("Fiche soumise : la modération du territoire la relira avant de la publier."), "success")
    else:
        flash(_("Brouillon enregistré. Il n'est visible que par les personnes qui peuvent le modifier ou le "
                "publier."), "success")


@bp.route("/nouvelle", methods=["GET", "POST"])
@requires("can_draft_cards")
def create():
    if request.method == "GET":
        step = TerritoryStepForm(request.args)
        step.territoire.choices = [("", _("Choisissez un territoire"))] + [
            (t.id, t.label) for t in observed_territories()]
        if "territoire" not in request.args or not step.validate():
            return render_template("cards/territory_step.html", step=step, submitted="territoire" in request.args)
        territory = db.session.get(Territory, step.territoire.data)
        form = CardForm(data={"territory": territory.id})
        return _render_form(form, territory, heading=_("Rédiger une fiche enjeu"))
    form = CardForm()
    territory_id = optional_int(form.territory.data)
    known_range = isinstance(territory_id, int) and 0 < territory_id <= MAX_DATABASE_ID
    territory = db.session.get(Territory, territory_id) if known_range else None
    if form.validate_on_submit():
        try:
            card = create_card(current_user, territory, _input(form))
            if request.form.get("action") == "submit":
                submit_version(card.latest_version, current_user)
        except CardError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            _flash_saved(request.form.get("action") == "submit")
            return redirect(url_for("cards.show", card_id=card.id))
    elif territory is None and not form.territory.errors:
        form.territory.errors.append(_("Ce territoire est introuvable : recommencez en choisissant le territoire."))
    return _render_form(form, territory, heading=_("Rédiger une fiche enjeu"))


@bp.route("/<int:card_id>/modifier", methods=["GET", "POST"])
def edit(card_id):
    card = visible_card(card_id)
    ensure("can_edit_card", card)
    version = card.working_version or card.latest_version
    if not version.is_editable:
        return _refused(card, refusal_to_edit(version))  # nothing is read from the form, nothing saved
    form_class = NewVersionForm if version.number > 1 else CardForm  # a later version keeps its change note
    form = form_class(data={**_prefill(version), "change_note": version.change_note}) \
        if request.method == "GET" else form_class()
    if form.validate_on_submit():
        submitting = request.form.get("action") == "submit"
        try:
            update_draft(version, _input(form), form.change_note.data if "change_note" in form else None)
            if submitting:
                submit_version(version, current_user)
        except CardError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            _flash_saved(submitting)
            return redirect(url_for("cards.show", card_id=card.id))
    return _render_form(form, card.territory, card=card, version=version,
                        heading=_("Modifier le brouillon (version %(n)s)", n=version.number))


@bp.route("/<int:card_id>/nouvelle-version", methods=["GET", "POST"])
def new_version(card_id):
    card = visible_card(card_id)
    ensure("can_edit_card", card)
    working = card.working_version
    if working is not None:
        return _refused(card, _("La version %(n)s est déjà en cours : terminez-la (ou attendez sa publication) avant "
                                "d'en commencer une autre.", n=working.number))
    if card.published_version is None:
        return redirect(url_for("cards.edit", card_id=card.id))
    form = NewVersionForm(data=_prefill(card.published_version)) if request.method == "GET" else NewVersionForm()
    if form.validate_on_submit():
        submitting = request.form.get("action") == "submit"
        try:
            version = start_new_version(card, current_user, _input(form), form.change_note.data)
            if submitting:
                submit_version(version, current_user)
        except CardError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            _flash_saved(submitting)
            return redirect(url_for("cards.show", card_id=card.id))
    return _render_form(form, card.territory, card=card,
                        heading=_("Nouvelle version de la fiche (version %(n)s)", n=card.latest_version.number + 1))


@bp.route("/<int:card_id>/soumettre", methods=["POST"])
def submit(card_id):
    card = visible_card(card_id)
    ensure("can_edit_card", card)
    if not FlaskForm().validate_on_submit():
        abort(400)
    version = card.working_version
    try:
        if version is None:
            raise CardError(_("Aucun brouillon n'est en cours sur cette fiche."))
        submit_version(version, current_user)
    except CardError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("cards.show", card_id=card.id))
    db.session.commit()
    _flash_saved(True)
    return redirect(url_for("cards.show", card_id=card.id))


@bp.route("/<int:card_id>/publication", methods=["GET", "POST"])
def review(card_id):
    card = visible_card(card_id)
    if current_user.is_authenticated and not can("can_publish_card", card):
        # Someone who follows the card (its author, an official) learns who publishes, not just "forbidden".
        return render_template("cards/refused.html", card=card, reason=_(
            "Seule la modération du territoire (ou l'administration) publie une fiche.")), 403
    ensure("can_publish_card", card)
    version = card.working_version
    if version is None or version.status != VersionStatus.SUBMITTED:
        return _refused(card, _("Aucune version de cette fiche n'attend de publication."))
    form = ReviewForm()
    if form.validate_on_submit():
        publishing = form.decision.data == "publish"
        try:
            if publishing:
                publish_version(version, current_user)
            else:
                return_to_draft(version, current_user, form.note.data or "")
        except CardError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            if publishing:
                flash(_("Version %(n)s publiée.", n=version.number), "success")
            else:
                flash(_("Version %(n)s renvoyée à ses auteurs avec votre remarque.", n=version.number), "success")
            return redirect(url_for("cards.show", card_id=card.id))
    return render_template("cards/review.html", card=card, version=version, form=form,
                           diff=diff_versions(card.published_version, version))


@bp.route("/a-publier")
@requires("can_moderate_cards")
def queue():
    return render_template("cards/queue.html", versions=moderation_queue(current_user))


@bp.route("/mes-fiches")
@requires("can_draft_cards")
def mine():
    return render_template("cards/mine.html", cards=cards_of(current_user))
