"""Reports and moderation pages: reporting a contribution, the moderators' queue and their
acts (each a POST form), account suspension, a territory's moderation rules, and each
consultation's public moderation log.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_login import current_user
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.i18n import format_day
from ..core.forms import BoundedIntegerField, attach_error, choices, reject_control_characters, strip_filter
from ..core.params import accepts, paging
from ..core.permissions import can, ensure
from ..core.rate_limits import rate_limited
from ..core.urls import safe_next
from ..extensions import db, limiter
from ..territories.names import de_territory
from ..territories.services import get_territory
from . import bp
from ..core.forms import RadioChoiceField
from .models import ModerationActionKind as Act, ReportReason, TargetKind
from .moderation import (
    HOLD_MAX, HOLD_MIN, PUBLIC_REASON_MAX, PUBLIC_REASON_MIN, SUSPENSION_DAYS_MAX, SUSPENSION_DAYS_MIN, THRESHOLD_MAX,
    THRESHOLD_MIN, ModerationError, approve, content_path, default_report_threshold, dismiss_reports, hide, own_policy, policy_for, restore,
    set_featured, set_locked, set_policy, suspend_author, suspension_message,
)
from .moderation_queries import moderated_territories, moderation_queue, public_log
from .permissions import active_suspension, is_suspended
from .reports import content_of, own_report, report
from .views import _visible_consultation, per_person

REPORT_LIMIT = "20 per hour"
KIND_SLUGS = {"commentaire": TargetKind.COMMENT, "proposition": TargetKind.PROPOSAL}
SLUG_OF = {kind: slug for slug, kind in KIND_SLUGS.items()}

REASON_LABELS = {
    ReportReason.SPAM: _l("Spam ou publicité"),
    ReportReason.INSULT: _l("Insulte ou propos haineux"),
    ReportReason.OFF_TOPIC: _l("Hors sujet"),
    ReportReason.PERSONAL_DATA: _l("Données personnelles"),
    ReportReason.OTHER: _l("Autre motif"),
}
ACTION_LABELS = {
    Act.HIDE: _l("Masqué"), Act.RESTORE: _l("Rétabli"), Act.FEATURE: _l("Mis en avant"),
    Act.UNFEATURE: _l("Retiré de la mise en avant"), Act.LOCK: _l("Fil verrouillé"),
    Act.UNLOCK: _l("Fil rouvert"), Act.APPROVE: _l("Validé"),
    Act.AUTO_HIDE: _l("Masqué en attente d'examen (signalements)"),
    Act.DISMISS_REPORTS: _l("Signalements classés"), Act.SUSPEND: _l("Compte suspendu"),
}
ROLE_LABELS = {"moderator": _l("Modération du territoire"), "administrator": _l("Administration de la plateforme"),
               "system": _l("Automatique (seuil de signalements)")}
# The simple acts: one button each (URL slug -> service call).
SIMPLE_ACTS = {
    "retablir": (lambda c, k, by: restore(c, k, by), _l("Le contenu est rétabli.")),
    "valider": (lambda c, k, by: approve(c, k, by), _l("Le contenu est validé et publié.")),
    "classer": (lambda c, k, by: dismiss_reports(c, k, by), _l("Les signalements sont classés.")),
    "mettre-en-avant": (lambda c, k, by: set_featured(c, k, by, True), _l("Le contenu est mis en avant.")),
    "retirer-la-mise-en-avant": (lambda c, k, by: set_featured(c, k, by, False),
                                 _l("Le contenu n'est plus mis en avant.")),
    "verrouiller": (lambda c, k, by: set_locked(c, k, by, True), _l("Le fil est verrouillé : plus de réponses.")),
    "deverrouiller": (lambda c, k, by: set_locked(c, k, by, False), _l("Le fil est rouvert aux réponses.")),
}

report_limit = rate_limited(limiter.shared_limit(REPORT_LIMIT, scope="debate-reports", key_func=per_person,
                                               methods=["POST"]))


class ReportForm(FlaskForm):
    reason = RadioChoiceField(_l("Motif du signalement"),
                              choices=choices((r.value, label) for r, label in REASON_LABELS.items()),
                              validators=[InputRequired(_l("Choisissez le motif du signalement."))])
    note = TextAreaField(_l("Précision"), filters=[strip_filter], validators=[
        Optional(), Length(max=500, message=_l("La précision doit compter au plus 500 caractères.")),
        reject_control_characters],
        description=_l("Facultative, sauf pour le motif « autre ». Elle n'est lue que par la modération."),
        render_kw={"rows": 3})


class HideForm(FlaskForm):
    reason = RadioChoiceField(_l("Motif"), choices=choices((r.value, label) for r, label in REASON_LABELS.items()),
                              validators=[InputRequired(_l("Choisissez le motif."))])
    public_reason = StringField(_l("Raison publique"), filters=[strip_filter], validators=[
        DataRequired(_l("Écrivez la raison publique.")),
        Length(min=PUBLIC_REASON_MIN, max=PUBLIC_REASON_MAX,
               message=_l("La raison doit compter entre 10 et 500 caractères.")), reject_control_characters],
        description=_l("Affichée à la place du contenu, dans le journal public de modération, et envoyée à "
                       "son auteur ou autrice."))


class SuspendForm(FlaskForm):
    days = BoundedIntegerField(_l("Durée de la suspension (en jours)"), validators=[
        InputRequired(_l("Indiquez une durée en jours.")),
        NumberRange(min=SUSPENSION_DAYS_MIN, max=SUSPENSION_DAYS_MAX,
                    message=_l("Indiquez une durée entre 1 et 365 jours."))])
    reason = StringField(_l("Raison"), filters=[strip_filter], validators=[
        DataRequired(_l("Écrivez la raison de la suspension.")),
        Length(min=PUBLIC_REASON_MIN, max=PUBLIC_REASON_MAX,
               message=_l("La raison doit compter entre 10 et 500 caractères.")), reject_control_characters],
        description=_l("Envoyée à la personne suspendue. Le journal public compte les suspensions sans nommer "
                       "personne."))


class PolicyForm(FlaskForm):
    report_threshold = BoundedIntegerField(_l("Seuil de signalements"), validators=[
        InputRequired(_l("Indiquez un nombre de personnes.")),
        NumberRange(min=THRESHOLD_MIN, max=THRESHOLD_MAX, message=_l("Indiquez un nombre entre 2 et 20."))],
        description=_l("Nombre de personnes différentes dont les signalements masquent un contenu en attendant "
                       "l'examen (entre 2 et 20)."))
    hold_first_posts = BoundedIntegerField(_l("Premières contributions à valider"), validators=[
        InputRequired(_l("Indiquez un nombre (0 pour publier tout de suite).")),
        NumberRange(min=HOLD_MIN, max=HOLD_MAX, message=_l("Indiquez un nombre entre 0 et 10."))],
        description=_l("Les N premières contributions d'une personne sur le territoire attendent la validation "
                       "d'un modérateur (0 : publiées tout de suite)."))


class ActForm(FlaskForm):
    """A moderation button: the CSRF token and the page to come back to."""

    next = HiddenField()


@bp.record_once
def _register_helpers(state) -> None:
    state.app.jinja_env.globals.update(
        report_reason_labels=REASON_LABELS, moderation_action_labels=ACTION_LABELS,
        moderation_role_labels=ROLE_LABELS, moderation_kind_slug=lambda kind: SLUG_OF[TargetKind(kind)],
        moderation_act_form=lambda: ActForm(formdata=None), current_suspension_message=_current_suspension,
        report_allowed=report_allowed, see_held=see_held,
    )


def _current_suspension():
    return suspension_message(current_user) if current_user.is_authenticated else None


def _viewer_suspended() -> bool:
    """The current person's suspension, looked up once per request (pages list many contributions)."""
    if "debate_viewer_suspended" not in g:
        g.debate_viewer_suspended = is_suspended(current_user)
    return g.debate_viewer_suspended


def report_allowed(content) -> bool:
    """Whether the "Signaler" link is shown: the rule `can_report`, with the suspension looked up once."""
    return (current_user.is_authenticated and current_user.is_confirmed and content.is_visible
            and content.author_id != current_user.id and not _viewer_suspended())


def see_held(content, consultation) -> bool:
    """A held first post is shown to its author and the consultation's moderators only
    (for the templates, which have the consultation at hand)."""
    return can("can_see_held", content)


def _content(consultation, slug: str, target_id: int):
    kind = KIND_SLUGS.get(slug) or abort(404)
    return content_of(consultation, kind, target_id) or abort(404)


def _back(default: str):
    return redirect(safe_next(request.form.get("next")) or default)


@bp.route("/<int:consultation_id>/signaler/<kind>/<int:target_id>", methods=["GET", "POST"], endpoint="report")
@report_limit
def report_view(consultation_id, kind, target_id):
    consultation = _visible_consultation(consultation_id)
    content = _content(consultation, kind, target_id)
    ensure("is_signed_in")
    back = content_path(content)
    done = own_report(current_user, content)
    if done is not None:  # reported already (maybe just now): say so, no second form
        return render_template("debate/report_form.html", consultation=consultation, content=content,
                               kind=TargetKind(KIND_SLUGS[kind]), form=None, refusal=None, back=back, done=done)
    refusal = suspension_message(current_user)
    if refusal is None and not content.is_visible:
        abort(404)
    if refusal is None and content.author_id == current_user.id:
        refusal = _("On ne peut pas signaler sa propre contribution.")
    if refusal is None and not current_user.is_confirmed:
        refusal = _("Confirmez d'abord votre adresse électronique pour signaler un contenu.")
    form = ReportForm()
    if refusal is None and form.validate_on_submit():
        try:
            report(current_user, consultation, content, form.reason.data, form.note.data)
        except ModerationError as error:
            db.session.rollback()
            if error.field is None:
                flash(error.message, "info")
                return redirect(back)
            attach_error(form, error)
        else:
            db.session.commit()
            # To this page again (GET): it now confirms the report, and a reload posts nothing.
            return redirect(request.path)
    return render_template("debate/report_form.html", consultation=consultation, content=content,
                           kind=TargetKind(KIND_SLUGS[kind]), form=form, refusal=refusal, back=back, done=None)


@bp.route("/moderation", endpoint="moderation_queue")
def queue_view():
    ensure("is_signed_in")
    territories = moderated_territories(current_user)
    if not current_user.is_admin and not territories:
        ensure("is_administrator")
    return render_template("debate/moderation/queue.html", queue=moderation_queue(current_user),
                           territories=territories)


@bp.route("/<int:consultation_id>/moderation/<kind>/<int:target_id>/masquer", methods=["GET", "POST"],
          endpoint="hide_content")
def hide_view(consultation_id, kind, target_id):
    consultation = _visible_consultation(consultation_id)
    content = _content(consultation, kind, target_id)
    ensure("can_moderate", consultation)
    form = HideForm()
    if form.validate_on_submit():
        try:
            hide(content, consultation, current_user, form.reason.data, form.public_reason.data)
        except ModerationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Le contenu est masqué ; son auteur ou autrice est averti de la raison."), "success")
            return redirect(url_for("debate.moderation_queue"))
    return render_template("debate/moderation/hide.html", consultation=consultation, content=content,
                           kind=KIND_SLUGS[kind], form=form)


@bp.route("/<int:consultation_id>/moderation/<kind>/<int:target_id>/suspendre", methods=["GET", "POST"],
          endpoint="suspend_author")
def suspend_view(consultation_id, kind, target_id):
    consultation = _visible_consultation(consultation_id)
    content = _content(consultation, kind, target_id)
    ensure("can_moderate", consultation)
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            suspension = suspend_author(content, consultation, current_user, form.days.data, form.reason.data)
        except ModerationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Le compte est suspendu jusqu'au %(date)s.", date=format_day(suspension.ends_at, "long")),
                  "success")
            return redirect(url_for("debate.moderation_queue"))
    current = active_suspension(content.author) if content.author else None
    return render_template("debate/moderation/suspend.html", consultation=consultation, content=content,
                           kind=KIND_SLUGS[kind], form=form, current=current)


@bp.route("/<int:consultation_id>/moderation/<kind>/<int:target_id>/<act>", methods=["POST"],
          endpoint="moderate")
def moderate_view(consultation_id, kind, target_id, act):
    consultation = _visible_consultation(consultation_id)
    content = _content(consultation, kind, target_id)
    ensure("can_moderate", consultation)
    operation, done = SIMPLE_ACTS.get(act) or abort(404)
    form = ActForm()
    if not form.validate_on_submit():
        flash(_("Le formulaire a expiré. Rechargez la page et réessayez."), "error")
        return _back(url_for("debate.moderation_queue"))
    try:
        operation(content, consultation, current_user)
    except ModerationError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(str(done), "success")
    return _back(url_for("debate.moderation_queue"))


@bp.route("/moderation/regles/<territory_kind>/<code>", methods=["GET", "POST"], endpoint="moderation_settings")
def settings_view(territory_kind, code):
    territory = get_territory(territory_kind, code) or abort(404)
    ensure("can_moderate_territory", territory)
    policy = own_policy(territory)
    inherited = policy_for(territory) if policy is None else None
    source = policy or inherited
    form = PolicyForm(data={"report_threshold": source.report_threshold if source else default_report_threshold(),
                            "hold_first_posts": source.hold_first_posts if source else 0})
    if form.validate_on_submit():
        try:
            set_policy(territory, form.report_threshold.data, form.hold_first_posts.data)
        except ModerationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Les règles de modération %(de_territory)s sont enregistrées.", de_territory=de_territory(territory)),
                  "success")
            return redirect(url_for("debate.moderation_settings", territory_kind=territory_kind, code=code))
    return render_template("debate/moderation/settings.html", territory=territory, form=form, policy=policy,
                           inherited=inherited)


@bp.route("/<int:consultation_id>/moderation", endpoint="moderation_log")
@accepts(paging()[0], strict=False)  # a malformed page is refused (400 naming it), as on the debate page
def log_view(query, consultation_id):
    consultation = _visible_consultation(consultation_id)
    log = public_log(consultation, query["page"])
    return render_template("debate/moderation/log.html", consultation=consultation, log=log,
                           placeholder_path=_action_path)


def _action_path(action) -> str:
    if action.target_kind == TargetKind.PROPOSAL:
        return url_for("debate.proposal", consultation_id=action.consultation_id, proposal_id=action.target_id)
    return url_for("debate.comment_link", consultation_id=action.consultation_id, comment_id=action.target_id)

