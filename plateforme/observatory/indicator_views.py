"""Indicator pages: the list, the indicator with its charts and tables, defining an
indicator, and loading values by form or CSV import."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.models import Organisation
from ..core.csvimport import CsvFileError, CsvLinesError
from ..core.params import Param, accepts, paging
from ..core.permissions import ensure, requires
from ..core.vocabulary import FlowKind
from ..extensions import db
from ..territories.models import Territory, TerritoryKind
from ..territories.services import home_territory
from . import bp
from .charts import bar_chart, line_chart, number
from .forms import ImportValuesForm, IndicatorForm, ValueForm
from .imports import import_values
from .indicators import IndicatorInput, create_indicator, indicator_view, set_value, update_indicator
from .models import Indicator, IndicatorValue
from .queries import INDICATOR_PARAMS, indicators_page
from .services import FIRST_YEAR, LAST_YEAR, OBSERVED_KINDS, ObservatoryError
from ..core.forms import attach_error
from ..core.text import french_sort_key


INDICATOR_PAGE_PARAMS = (
    Param("territoire", "Code officiel du territoire affiché", max_length=16),
    Param("annee", "Année de la comparaison entre communes", "integer", minimum=FIRST_YEAR, maximum=LAST_YEAR),
)


@bp.route("/indicateurs")
@accepts(*INDICATOR_PARAMS, *paging(), strict=False)
def indicators(query):
    page = indicators_page(query["page"], per_page=query["per_page"], flow_kind=query["flow_kind"])
    return render_template("observatory/indicators.html", page=page, flow_kind=query["flow_kind"])


def _observed_territories() -> list[Territory]:
    rows = db.session.execute(select(Territory).where(Territory.kind.in_(OBSERVED_KINDS))).scalars().all()
    order = {kind: index for index, kind in enumerate(OBSERVED_KINDS)}
    return sorted(rows, key=lambda t: (order[t.kind], t.search_name))


def _chosen_territory(territories: list[Territory], code: str) -> Territory | None:
    by_code = {t.code: t for t in territories}
    if code in by_code:
        return by_code[code]
    home = home_territory(current_app.config["HOME_TERRITORY"])
    if home is not None and home.kind in OBSERVED_KINDS:
        return home
    return next((t for t in territories if t.kind == TerritoryKind.EPCI), territories[0] if territories else None)


@bp.route("/indicateurs/<int:indicator_id>")
@accepts(*INDICATOR_PAGE_PARAMS, strict=False)
def indicator(query, indicator_id):
    indicator = db.session.get(Indicator, indicator_id) or abort(404)
    territories = _observed_territories()
    code, requested = query["territoire"] or "", query["annee"]
    territory = _chosen_territory(territories, code)
    # A well-formed choice the page cannot follow is said, not silently replaced (issue 23).
    notices = []
    if code and territory is not None and territory.code != code:
        notices.append(_("Aucun territoire observé n'a le code %(code)s : la page montre %(name)s.",
                         code=code, name=territory.name))
    view = indicator_view(indicator, territory) if territory is not None else None
    year = None
    if view is not None and view.years:
        year = requested if requested in view.years else view.years[-1]
        if requested is not None and requested != year:
            notices.append(_("Aucune valeur en %(requested)s : la comparaison entre communes porte sur %(year)s.",
                             requested=requested, year=year))
    chart = line_chart(indicator.name, indicator.unit, territory.name, view.series) if view else None
    across = view.across_communes(year) if view is not None and view.communes and year else []
    bars = bar_chart(indicator.name, indicator.unit, year, across) if across else None
    return render_template(
        "observatory/indicator.html", indicator=indicator, territory=territory, view=view, year=year, notices=notices,
        chart=chart, across=across, bars=bars, number=number,
        territories=[t for t in territories if t.kind in (TerritoryKind.EPCI, TerritoryKind.COMMUNE)],
    )


# --- defining an indicator ------------------------------------------------------------

def _indicator_form(indicator: Indicator | None = None) -> IndicatorForm:
    if indicator is not None and request.method == "GET":
        form = IndicatorForm(data={
            "organisation": indicator.organisation_id, "name": indicator.name, "unit": indicator.unit,
            "flow_kind": indicator.flow_kind.value, "additive": indicator.additive,
            "definition": indicator.definition, "method": indicator.method, "licence": indicator.licence,
        })
    else:
        form = IndicatorForm()
    if indicator is not None:
        organisations = [indicator.organisation]
    else:
        organisations = sorted((m.organisation for m in current_user.memberships),
                               key=lambda o: french_sort_key(o.name))
    form.organisation.choices = [(o.id, o.name) for o in organisations]
    if len(organisations) == 1 and not form.organisation.data:
        form.organisation.data = organisations[0].id
    return form


def _indicator_input(form: IndicatorForm) -> IndicatorInput:
    return IndicatorInput(
        name=form.name.data, unit=form.unit.data, flow_kind=FlowKind(form.flow_kind.data),
        organisation=db.session.get(Organisation, form.organisation.data), additive=form.additive.data,
        definition=form.definition.data, method=form.method.data or "", licence=form.licence.data,
    )


@bp.route("/indicateurs/nouveau", methods=["GET", "POST"])
@requires("can_define_indicators")
def new_indicator():
    form = _indicator_form()
    if form.validate_on_submit():
        try:
            indicator = create_indicator(current_user, _indicator_input(form))
        except ObservatoryError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Indicateur créé. Ajoutez-lui des valeurs, une par une ou par fichier CSV."), "success")
            return redirect(url_for("observatory.indicator_values", indicator_id=indicator.id))
    return render_template("observatory/indicator_form.html", form=form, indicator=None)


@bp.route("/indicateurs/<int:indicator_id>/modifier", methods=["GET", "POST"])
def edit_indicator(indicator_id):
    indicator = db.session.get(Indicator, indicator_id) or abort(404)
    ensure("can_manage_indicator", indicator)
    form = _indicator_form(indicator)
    if form.validate_on_submit():
        try:
            update_indicator(indicator, _indicator_input(form))
        except ObservatoryError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Indicateur mis à jour."), "success")
            return redirect(url_for("observatory.indicator", indicator_id=indicator.id))
    return render_template("observatory/indicator_form.html", form=form, indicator=indicator)


# --- loading values -------------------------------------------------------------------

def _value_forms():
    form = ValueForm(prefix="value")
    form.territory.choices = [("", _("Choisissez un territoire"))] + [(t.id, t.label) for t in _observed_territories()]
    return form, ImportValuesForm(prefix="import")


def _render_values(indicator, form, import_form, line_errors=(), status=200):
    count = db.session.execute(
        select(func.count(IndicatorValue.id)).where(IndicatorValue.indicator_id == indicator.id)).scalar_one()
    return render_template("observatory/values.html", indicator=indicator, form=form, import_form=import_form,
                           line_errors=line_errors, count=count), status


@bp.route("/indicateurs/<int:indicator_id>/valeurs", methods=["GET", "POST"])
def indicator_values(indicator_id):
    indicator = db.session.get(Indicator, indicator_id) or abort(404)
    ensure("can_manage_indicator", indicator)
    form, import_form = _value_forms()
    if form.validate_on_submit():
        try:
            _row, created = set_value(indicator, db.session.get(Territory, form.territory.data), form.period.data,
                                      form.value.data, note=form.note.data or "", source=form.source.data,
                                      by=current_user)
        except ObservatoryError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Valeur enregistrée.") if created else _("Valeur remplacée."), "success")
            return redirect(url_for("observatory.indicator_values", indicator_id=indicator.id))
    return _render_values(indicator, form, import_form)


@bp.route("/indicateurs/<int:indicator_id>/importer", methods=["POST"])
def import_indicator_values(indicator_id):
    indicator = db.session.get(Indicator, indicator_id) or abort(404)
    ensure("can_manage_indicator", indicator)
    form, import_form = _value_forms()
    if not import_form.validate_on_submit():
        return _render_values(indicator, form, import_form)
    try:
        summary = import_values(indicator, import_form.file.data.read(), source=import_form.source.data,
                                by=current_user)
    except CsvFileError as error:
        db.session.rollback()
        import_form.file.errors = list(import_form.file.errors) + [str(error)]
        return _render_values(indicator, form, import_form)
    except CsvLinesError as error:
        db.session.rollback()
        import_form.file.errors = list(import_form.file.errors) + [
            ngettext("%(num)s ligne en erreur : rien n'a été importé.",
                     "%(num)s lignes en erreur : rien n'a été importé.", len(error.errors))]
        return _render_values(indicator, form, import_form, line_errors=error.errors)
    db.session.commit()
    flash(_("%(created)s valeurs ajoutées, %(updated)s remplacées.", created=summary.created,
            updated=summary.updated), "success")
    return redirect(url_for("observatory.indicator", indicator_id=indicator.id))
