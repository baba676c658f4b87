"""Administration: people, mandates, organisations, moderators, territories."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..core.csvimport import CsvFileError, CsvLinesError
from ..core.forms import choices
from ..core.pagination import paginate
from ..core.permissions import requires
from ..core.sanitize import clean_line
from ..extensions import db
from ..territories.margins import import_margins
from ..territories.models import Territory, TerritoryKind
from ..territories.services import UnknownTerritoryCode, load_territory, mandate_territories
from . import admin_bp as bp
from .admin_mail import outbox_counts
from .forms import (
    ConfirmForm, LoadTerritoryForm, MarginsForm, MemberForm, ModeratorForm, OrganisationForm,
    PersonMandateForm,
)
from .labels import FIELD_LABELS, ORGANISATION_KIND_LABELS
from .models import Mandate, MandateStatus, MandateTitle, ModeratorAppointment, Organisation, OrganisationKind, User
from .roles import (
    add_member, appoint_moderator, create_organisation, decide_mandate, grant_mandate, list_moderators,
    list_organisations, pending_mandates, remove_member, revoke_moderator, verified_mandates,
)
from .services import AccountError, find_user_by_email
from ..core.forms import attach_error, confirmed


def _user_or_error(form) -> User | None:
    user = find_user_by_email(form.email.data)
    if user is None:
        form.email.errors = list(form.email.errors) + [
            _("Aucun compte n'utilise cette adresse. La personne doit d'abord s'inscrire.")
        ]
    return user


@bp.route("/")
@requires("is_administrator")
def dashboard():
    counts = {
        "people": db.session.execute(select(func.count(User.id))).scalar_one(),
        "pending_mandates": db.session.execute(
            select(func.count(Mandate.id)).where(Mandate.status == MandateStatus.PENDING)).scalar_one(),
        "organisations": db.session.execute(select(func.count(Organisation.id))).scalar_one(),
        "territories": db.session.execute(select(func.count(Territory.id))).scalar_one(),
    }
    mail = outbox_counts()
    counts.update(mail_queued=mail["en-attente"], mail_failed=mail["en-echec"])
    return render_template("admin/dashboard.html", counts=counts)


@bp.route("/personnes")
@requires("is_administrator")
def people():
    # Control characters become spaces: PostgreSQL refuses NUL even in a query's parameters.
    query = clean_line(request.args.get("q"))[:100]
    stmt = select(User).options(
        selectinload(User.mandates), selectinload(User.memberships), selectinload(User.moderations),
        selectinload(User.commune),
    ).order_by(User.created_at.desc())
    if query:
        # autoescape: a typed % or _ is searched as itself, not as a LIKE wildcard.
        needle = query.lower()
        stmt = stmt.where(or_(func.lower(User.email).contains(needle, autoescape=True),
                              func.lower(User.display_name).contains(needle, autoescape=True)))
    page = paginate(stmt, request.args.get("page"), per_page=50)
    return render_template("admin/people.html", page=page, query=query)


# --- mandates -----------------------------------------------------------------------

@bp.route("/mandats", methods=["GET", "POST"])
@requires("is_administrator")
def mandates():
    form = PersonMandateForm(territory_choices=mandate_territories())
    if form.validate_on_submit():
        user = _user_or_error(form)
        if user is not None:
            try:
                grant_mandate(current_user, user, db.session.get(Territory, form.territory.data),
                              MandateTitle(form.title.data))
            except AccountError as error:
                attach_error(form, error)
            else:
                db.session.commit()
                flash(_("Mandat enregistré et vérifié."), "success")
                return redirect(url_for("admin.mandates"))
    return render_template("admin/mandates.html", form=form, pending=pending_mandates(),
                           verified=verified_mandates(), action_form=ConfirmForm())


@bp.route("/mandats/<int:mandate_id>/terminer", endpoint="confirm_end_mandate")
@requires("is_administrator")
def confirm_end_mandate(mandate_id):
    """Ending a mandate cannot be undone (the person would declare it again): the page says
    what it takes away before the POST, which ends it only from here (confirm=yes)."""
    mandate = db.session.get(Mandate, mandate_id) or abort(404)
    return render_template("admin/confirm_end_mandate.html", mandate=mandate, confirm_form=ConfirmForm())


@bp.route("/mandats/<int:mandate_id>/<any(verifier,refuser,terminer):decision>", methods=["POST"], endpoint="decide_mandate")
@requires("is_administrator")
def decide_mandate_view(mandate_id, decision):
    mandate = db.session.get(Mandate, mandate_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if decision == "terminer" and not confirmed(request.form):
        return redirect(url_for("admin.confirm_end_mandate", mandate_id=mandate.id))
    status = {"verifier": MandateStatus.VERIFIED, "refuser": MandateStatus.REJECTED,
              "terminer": MandateStatus.ENDED}[decision]
    try:
        decide_mandate(current_user, mandate, status)
    except AccountError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Mandat mis à jour."), "success")
    return redirect(url_for("admin.mandates"))


# --- organisations ------------------------------------------------------------------

def _organisation_form() -> OrganisationForm:
    form = OrganisationForm()
    form.kind.choices = choices((k.value, label) for k, label in ORGANISATION_KIND_LABELS.items())
    form.fields.choices = choices((f.value, label) for f, label in FIELD_LABELS.items())
    form.territory.choices = choices([("", _("Aucun en particulier"))] + [(t.id, t.label) for t in mandate_territories()])
    return form


@bp.route("/organisations", methods=["GET", "POST"])
@requires("is_administrator")
def organisations():
    form = _organisation_form()
    if form.validate_on_submit():
        territory = db.session.get(Territory, form.territory.data) if form.territory.data else None
        try:
            organisation = create_organisation(form.name.data, OrganisationKind(form.kind.data), form.fields.data or [],
                                               territory, form.website.data or "")
        except AccountError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Organisation créée. Ajoutez-lui des membres."), "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template("admin/organisations.html", form=form, organisations=list_organisations())


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@requires("is_administrator")
def organisation(organisation_id):
    organisation = db.session.get(Organisation, organisation_id) or abort(404)
    form = MemberForm()
    if form.validate_on_submit():
        user = _user_or_error(form)
        if user is not None:
            try:
                add_member(organisation, user)
            except AccountError as error:
                attach_error(form, error)
            else:
                db.session.commit()
                flash(_("%(name)s est maintenant membre.", name=user.display_name), "success")
                return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template("admin/organisation.html", organisation=organisation, form=form,
                           action_form=ConfirmForm())


@bp.route("/organisations/<int:organisation_id>/membres/<int:user_id>/retirer", methods=["POST"], endpoint="remove_member")
@requires("is_administrator")
def remove_member_view(organisation_id, user_id):
    organisation = db.session.get(Organisation, organisation_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    remove_member(organisation, user_id)
    db.session.commit()
    flash(_("Membre retiré."), "success")
    return redirect(url_for("admin.organisation", organisation_id=organisation.id))


# --- moderators ---------------------------------------------------------------------

@bp.route("/moderation", methods=["GET", "POST"])
@requires("is_administrator")
def moderators():
    form = ModeratorForm(territory_choices=mandate_territories())
    if form.validate_on_submit():
        user = _user_or_error(form)
        if user is not None:
            try:
                appoint_moderator(current_user, user, db.session.get(Territory, form.territory.data))
            except AccountError as error:
                attach_error(form, error)
            else:
                db.session.commit()
                flash(_("%(name)s fait désormais partie de l'équipe de modération.", name=user.display_name), "success")
                return redirect(url_for("admin.moderators"))
    return render_template("admin/moderators.html", form=form, appointments=list_moderators(),
                           action_form=ConfirmForm())


@bp.route("/moderation/<int:appointment_id>/retirer", endpoint="confirm_revoke_moderator")
@requires("is_administrator")
def confirm_revoke_moderator(appointment_id):
    """The person loses the moderation of the territory at once: said before the POST."""
    appointment = db.session.get(ModeratorAppointment, appointment_id) or abort(404)
    return render_template("admin/confirm_revoke_moderator.html", appointment=appointment,
                           confirm_form=ConfirmForm())


@bp.route("/moderation/<int:appointment_id>/retirer", methods=["POST"], endpoint="revoke_moderator")
@requires("is_administrator")
def revoke_moderator_view(appointment_id):
    appointment = db.session.get(ModeratorAppointment, appointment_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not confirmed(request.form):
        return redirect(url_for("admin.confirm_revoke_moderator", appointment_id=appointment.id))
    revoke_moderator(appointment)
    db.session.commit()
    flash(_("Nomination retirée."), "success")
    return redirect(url_for("admin.moderators"))


# --- territories --------------------------------------------------------------------

@bp.route("/territoires", methods=["GET", "POST"])
@requires("is_administrator")
def territories():
    load_form = LoadTerritoryForm(prefix="load")
    margins_form = MarginsForm(prefix="margins")
    margin_errors: list = []
    if request.method == "POST" and "load-code" in request.form and load_form.validate_on_submit():
        try:
            summary = load_territory(load_form.code.data)
        except UnknownTerritoryCode as error:
            load_form.code.errors = list(load_form.code.errors) + [str(error)]
        else:
            db.session.commit()
            flash(_("%(name)s chargé : %(created)s territoires créés, %(updated)s mis à jour.",
                    name=summary.root.name, created=summary.created, updated=summary.updated), "success")
            return redirect(url_for("admin.territories"))
    elif request.method == "POST" and "margins-file" in request.files and margins_form.validate_on_submit():
        try:
            cells = import_margins(margins_form.file.data.read())
        except CsvFileError as error:
            margins_form.file.errors = list(margins_form.file.errors) + [str(error)]
        except CsvLinesError as error:
            margin_errors = error.errors
            margins_form.file.errors = list(margins_form.file.errors) + [
                ngettext("%(num)s ligne en erreur : rien n'a été importé.",
                         "%(num)s lignes en erreur : rien n'a été importé.", len(error.errors))]
        else:
            db.session.commit()
            flash(ngettext("%(num)s cellule de marges importée.", "%(num)s cellules de marges importées.", cells),
                  "success")
            return redirect(url_for("admin.territories"))
    roots = db.session.execute(
        select(Territory).where(Territory.kind.in_([TerritoryKind.EPCI, TerritoryKind.DEPARTEMENT]))
        .order_by(Territory.kind, Territory.search_name, Territory.name)
    ).scalars().all()
    return render_template("admin/territories.html", load_form=load_form, margins_form=margins_form,
                           margin_errors=margin_errors, roots=roots)
