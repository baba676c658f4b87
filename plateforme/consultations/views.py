"""Consultation pages: the list, an official's territory, opening and editing a consultation,
its page (timeline, what to do now), publishing, cancelling, following. The synthesis, the
response and the commitments have their own module (response_views.py)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..core.i18n import format_day
from ..core.forms import attach_error, confirmed
from ..core.models import local_today
from ..core.page_cache import public_page
from ..core.params import accepts
from ..core.permissions import can, deny, ensure, ensure_visible, requires
from ..extensions import db
from ..territories.models import Territory
from . import bp
from .work import official_work
from .forms import CancelForm, ConsultationForm
from .labels import register_template_helpers
from .models import PHASE_ORDER, Consultation, ConsultationStatus
from .presentation import call_to_action, timeline
from .status import consultation_status
from .queries import (
    CONSULTATION_LIST_PARAMS, STAGE_FILTERS, ConsultationFilters, cards_within, consultation_territories,
    search_consultations, surveys_within, territories_for,
)
from .services import (
    ConsultationError, ConsultationInput, cancel_consultation, consultation_for_view, create_consultation, follow,
    is_following, publish_consultation, unfollow, update_consultation,
)

bp.record_once(register_template_helpers)


@bp.route("/")
@accepts(*CONSULTATION_LIST_PARAMS, strict=False)
def index(query):
    filters = ConsultationFilters.from_query(query)
    page = search_consultations(filters, query["page"])
    return render_template("consultations/index.html", page=page, filters=filters, stage_filters=STAGE_FILTERS,
                           territories=consultation_territories(), today=local_today())


@bp.route("/mon-territoire")
def my_territory():
    if not (can("can_open_consultation") or can("is_administrator")):
        return deny("can_open_consultation")
    today = local_today()
    work = official_work(current_user, today)  # the navigation counts the same reading
    from ..surveys.queries import surveys_with_feedback  # not in official_work: the navigation needs no such count

    return render_template("consultations/my_territory.html", today=today, items=work.consultations, work=work,
                           surveys=work.surveys, feedback_surveys=surveys_with_feedback(current_user))


def _visible(consultation_id: int) -> Consultation:
    """The consultation, or 404; a draft exists only for its managers (a visitor is asked to sign in)."""
    consultation = consultation_for_view(consultation_id) or abort(404)
    ensure_visible("can_see_consultation", consultation)
    return consultation


@bp.route("/<int:consultation_id>")
@public_page
def show(consultation_id):
    consultation = _visible(consultation_id)
    today = local_today()
    return render_template(
        "consultations/show.html", consultation=consultation, today=today, stage=consultation.stage(today),
        status=consultation_status(consultation, today),
        steps=timeline(consultation, today), action=call_to_action(current_user, consultation, today),
        following=is_following(current_user, consultation),
        # Its buttons are for signed-in people; a visitor's page makes no CSRF token (page_cache).
        action_form=FlaskForm() if current_user.is_authenticated else None,
        cards_linkable="cards.show" in current_app.view_functions)


# --- opening and editing ----------------------------------------------------------------

def _form(consultation: Consultation | None = None) -> ConsultationForm:
    if consultation is not None and request.method == "GET":
        data = {"title": consultation.title, "description": consultation.description,
                "territory": consultation.territory_id, "audience": consultation.audience.value,
                "cards": [c.id for c in consultation.cards], "survey": consultation.survey_id}
        for phase in consultation.phases:
            data[f"{phase.kind.value}_starts_on"] = phase.starts_on
            data[f"{phase.kind.value}_ends_on"] = phase.ends_on
        form = ConsultationForm(data=data)
    else:
        form = ConsultationForm()
    territories = territories_for(current_user)
    if consultation is not None and consultation.territory not in territories:
        territories = [consultation.territory, *territories]  # an administrator's or a former choice
    form.territory.choices = [("", _("Choisissez un territoire"))] + [(t.id, t.label) for t in territories]
    cards = cards_within(territories)
    if consultation is not None:
        cards += [c for c in consultation.cards if c not in cards]
    form.cards.choices = [(c.id, _("%(title)s — %(territory)s", title=c.title, territory=c.territory.name))
                          for c in cards]
    surveys = surveys_within(territories)
    if consultation is not None and consultation.survey is not None and consultation.survey not in surveys:
        surveys.append(consultation.survey)
    form.survey.choices = [("", _("Aucun questionnaire"))] + [
        (s.id, _("%(title)s — %(territory)s, du %(start)s au %(end)s", title=s.title, territory=s.territory.name,
                 start=format_day(s.opens_at), end=format_day(s.closes_at))) for s in surveys]
    return form


def _preselect_card(form: ConsultationForm, card_arg: str | None) -> None:
    """Coming from an issue card's page ("Ouvrir une consultation sur cette fiche"): that card
    ticked and its territory chosen, when the form offers them (anything else is ignored)."""
    card_id = _card_arg(card_arg)
    if card_id is None or card_id not in {value for value, _label in form.cards.choices}:
        return
    form.cards.data = [card_id]
    from ..cards.models import IssueCard  # cards load after consultations

    territory_id = db.session.get(IssueCard, card_id).territory_id
    if territory_id in {value for value, _label in form.territory.choices}:
        form.territory.data = territory_id


def _card_arg(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


def _input(form: ConsultationForm) -> ConsultationInput:
    territory = db.session.get(Territory, form.territory.data) if isinstance(form.territory.data, int) else None
    return ConsultationInput(
        title=form.title.data or "", description=form.description.data or "", territory=territory,
        audience=form.audience.data, card_ids=list(form.cards.data or []),
        survey_id=form.survey.data if isinstance(form.survey.data, int) else None, phases=form.phase_values())


def _render_form(form, consultation):
    return render_template("consultations/form.html", form=form, consultation=consultation,
                           phase_order=PHASE_ORDER, today=local_today(),
                           has_territories=bool(form.territory.choices[1:]))


@bp.route("/nouvelle", methods=["GET", "POST"])
@requires("can_open_consultation")
def create():
    form = _form()
    if request.method == "GET":
        _preselect_card(form, request.args.get("fiche"))
    if form.validate_on_submit():
        try:
            consultation = create_consultation(current_user, _input(form))
        except ConsultationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Brouillon enregistré. Relisez-le, puis publiez-le pour ouvrir la consultation."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id))
    return _render_form(form, None)


@bp.route("/<int:consultation_id>/modifier", methods=["GET", "POST"])
def edit(consultation_id):
    consultation = _visible(consultation_id)
    ensure("can_manage_consultation", consultation)
    if consultation.status == ConsultationStatus.CANCELLED:
        flash(_("Cette consultation est annulée : elle ne peut plus être modifiée."), "error")
        return redirect(url_for("consultations.show", consultation_id=consultation.id))
    form = _form(consultation)
    if form.validate_on_submit():
        try:
            update_consultation(consultation, current_user, _input(form))
        except ConsultationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Modifications enregistrées."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id))
    return _render_form(form, consultation)


# --- lifecycle -------------------------------------------------------------------------

@bp.route("/<int:consultation_id>/publier", endpoint="confirm_publish")
def confirm_publish(consultation_id):
    """Publishing cannot be undone (a published consultation is never a draft again): the page
    says so before the POST, which acts only from here (confirm=yes)."""
    consultation = _visible(consultation_id)
    ensure("can_manage_consultation", consultation)
    return render_template("consultations/confirm_publish.html", consultation=consultation,
                           steps=timeline(consultation, local_today()), confirm_form=FlaskForm())


@bp.route("/<int:consultation_id>/publier", methods=["POST"])
def publish(consultation_id):
    consultation = _visible(consultation_id)
    ensure("can_manage_consultation", consultation)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if not confirmed(request.form):
        return redirect(url_for("consultations.confirm_publish", consultation_id=consultation.id))
    try:
        publish_consultation(consultation, current_user)
    except ConsultationError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Consultation publiée : elle est visible de tous et ses phases suivent leurs dates."), "success")
    return redirect(url_for("consultations.show", consultation_id=consultation.id))


@bp.route("/<int:consultation_id>/annuler", methods=["GET", "POST"])
def cancel(consultation_id):
    consultation = _visible(consultation_id)
    ensure("can_manage_consultation", consultation)
    if consultation.status == ConsultationStatus.CANCELLED:
        flash(_("Cette consultation est déjà annulée."), "info")
        return redirect(url_for("consultations.show", consultation_id=consultation.id))
    if consultation.response is not None:
        flash(_("La réponse officielle est publiée : la consultation a eu lieu et ne peut plus être annulée. Le "
                "suivi de ses engagements continue sur sa page."), "info")
        return redirect(url_for("consultations.show", consultation_id=consultation.id))
    form = CancelForm()
    if form.validate_on_submit():
        try:
            cancel_consultation(consultation, current_user, form.reason.data)
        except ConsultationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Consultation annulée. Sa page reste en ligne avec la raison de l'annulation."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id))
    return render_template("consultations/cancel.html", consultation=consultation, form=form)


# --- following -------------------------------------------------------------------------

@bp.route("/<int:consultation_id>/suivre", methods=["POST"], endpoint="follow")
def follow_view(consultation_id):
    consultation = _visible(consultation_id)
    ensure("can_follow_consultation", consultation)
    if not FlaskForm().validate_on_submit():
        abort(400)
    follow(current_user, consultation)
    db.session.commit()
    flash(_("Vous suivez cette consultation : vous recevrez une notification pour sa synthèse, la réponse officielle et le "
            "suivi des engagements."), "success")
    return redirect(url_for("consultations.show", consultation_id=consultation.id))


@bp.route("/<int:consultation_id>/ne-plus-suivre", methods=["POST"], endpoint="unfollow")
def unfollow_view(consultation_id):
    consultation = _visible(consultation_id)
    if not current_user.is_authenticated:
        return deny("can_follow_consultation")
    if not FlaskForm().validate_on_submit():
        abort(400)
    unfollow(current_user, consultation)
    db.session.commit()
    flash(_("Vous ne suivez plus cette consultation."), "success")
    return redirect(url_for("consultations.show", consultation_id=consultation.id))
