"""The authority's external action (AECT inventory): its own page, kept apart from the
internationalisation of the territory, edited by its elected officials and administrators."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Organisation
from ..core.permissions import ensure
from ..extensions import db
from ..territories.models import TerritoryKind
from ..territories.services import home_territory
from . import bp
from .forms import ExternalActionForm
from .models import ExternalAction, ExternalActionKind, ExternalActionStatus
from .queries import external_actions_of, observed_territory
from .services import ExternalActionInput, ObservatoryError, save_external_action
from ..core.forms import attach_error
from ..core.text import french_sort_key


@bp.route("/action-exterieure/", defaults={"kind": None, "code": None})
@bp.route("/action-exterieure/<kind>/<code>")
def external_actions(kind, code):
    if kind is None:
        territory = home_territory(current_app.config["HOME_TERRITORY"])
        if territory is None:
            return render_template("observatory/empty.html")
    else:
        territory = observed_territory(kind, code) or abort(404)
    actions = external_actions_of(territory)
    budget = sum(a.budget_eur or 0 for a in actions if a.status == ExternalActionStatus.ONGOING)
    by_kind: dict[ExternalActionKind, list[ExternalAction]] = {}
    for action in actions:
        by_kind.setdefault(action.kind, []).append(action)
    return render_template("observatory/external_actions.html", territory=territory, actions=actions,
                           by_kind=by_kind, ongoing_budget=budget,
                           countries=sorted({a.partner_country for a in actions}))


def _action_form(territory, action: ExternalAction | None = None) -> ExternalActionForm:
    if action is not None and request.method == "GET":
        form = ExternalActionForm(data={
            "title": action.title, "kind": action.kind.value, "partner_country": action.partner_country,
            "partner_city": action.partner_city, "status": action.status.value, "budget_eur": action.budget_eur,
            "start_date": action.start_date, "end_date": action.end_date, "organisation": action.organisation_id,
            "description": action.description,
        })
    else:
        form = ExternalActionForm()
    organisations = sorted(db.session.execute(select(Organisation)).scalars(), key=lambda o: french_sort_key(o.name))
    form.organisation.choices = [("", _("Aucune en particulier"))] + [(o.id, o.name) for o in organisations]
    return form


def _action_input(form: ExternalActionForm) -> ExternalActionInput:
    return ExternalActionInput(
        title=form.title.data, kind=ExternalActionKind(form.kind.data), partner_country=form.partner_country.data,
        status=ExternalActionStatus(form.status.data), partner_city=form.partner_city.data or "",
        budget_eur=form.budget_eur.data, start_date=form.start_date.data, end_date=form.end_date.data,
        description=form.description.data or "",
        organisation=db.session.get(Organisation, form.organisation.data) if form.organisation.data else None,
    )


def _save(form, territory, action=None):
    try:
        saved = save_external_action(territory, _action_input(form), current_user, action)
    except ObservatoryError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    db.session.commit()
    flash(_("Action enregistrée dans l'inventaire."), "success")
    return redirect(url_for("observatory.external_actions", kind=territory.kind.value, code=territory.code,
                            _anchor=f"action-{saved.id}"))


@bp.route("/action-exterieure/<kind>/<code>/nouvelle", methods=["GET", "POST"])
def new_external_action(kind, code):
    territory = observed_territory(kind, code) or abort(404)
    if territory.kind not in (TerritoryKind.EPCI, TerritoryKind.COMMUNE):
        abort(404)
    ensure("can_edit_external_actions", territory)
    form = _action_form(territory)
    if form.validate_on_submit():
        response = _save(form, territory)
        if response is not None:
            return response
    return render_template("observatory/external_action_form.html", form=form, territory=territory, action=None)


@bp.route("/action-exterieure/action/<int:action_id>/modifier", methods=["GET", "POST"])
def edit_external_action(action_id):
    action = db.session.get(ExternalAction, action_id) or abort(404)
    ensure("can_edit_external_actions", action.territory)
    form = _action_form(action.territory, action)
    if form.validate_on_submit():
        response = _save(form, action.territory, action)
        if response is not None:
            return response
    return render_template("observatory/external_action_form.html", form=form, territory=action.territory,
                           action=action)
