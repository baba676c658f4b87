"""Moderation operations: a territory's rules (report threshold, held first posts), the
moderators' acts on a contribution (hide with a public reason, restore, feature, lock a
thread, approve, dismiss reports), and account suspensions.

Every act writes one ModerationAction — the public log reads from there — with the actor's
role (never shown with their name) and whether the content was public at that moment (a
held first post never was). The author is told what happened and why. One transaction per
request: the view commits.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..core.i18n import format_moment
from ..accounts.models import User
from ..accounts.permissions import is_moderator
from ..consultations.models import Consultation
from ..core.models import utcnow
from ..core.sanitize import clean_line
from ..extensions import db
from ..notifications.models import NotificationKind
from ..territories.chains import containing_ids
from ..territories.models import Territory
from .models import (
    AccountSuspension, Comment, ModerationAction, ModerationActionKind as Act, ModerationPolicy, Proposal,
    Report, ReportReason, TargetKind, Visibility,
)
from .permissions import active_suspension, forget_suspensions
from .paths import comment_path, proposal_path

log = logging.getLogger("plateforme.debate.moderation")

THRESHOLD_MIN, THRESHOLD_MAX = 2, 20
HOLD_MIN, HOLD_MAX = 0, 10
PUBLIC_REASON_MIN, PUBLIC_REASON_MAX = 10, 500
SUSPENSION_DAYS_MIN, SUSPENSION_DAYS_MAX = 1, 365
HIDDEN_STATES = (Visibility.HIDDEN, Visibility.REPORTED)


class ModerationError(ValueError):
    """A refused moderation act; `field` names the form field when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- a territory's rules ---------------------------------------------------------------------

class PolicyRules(NamedTuple):
    """The rules of a moderation policy, as a contribution reads them (no object loaded)."""

    territory_id: int
    report_threshold: int
    hold_first_posts: int


def policy_for(territory: Territory | None) -> PolicyRules | None:
    """The moderation rules that apply on `territory`: its own, or the nearest ones above it."""
    return policy_for_territory_id(territory.id) if territory is not None else None


def policy_for_territory_id(territory_id: int) -> PolicyRules | None:
    """`policy_for` by id."""
    chain = containing_ids(territory_id)
    policies = {row.territory_id: PolicyRules(*row) for row in db.session.execute(
        select(ModerationPolicy.territory_id, ModerationPolicy.report_threshold, ModerationPolicy.hold_first_posts)
        .where(ModerationPolicy.territory_id.in_(chain)))}
    return next((policies[t] for t in chain if t in policies), None)


def report_threshold(consultation: Consultation) -> int:
    """How many different people's reports hide a contribution of `consultation`."""
    policy = policy_for_territory_id(consultation.territory_id)
    if policy is not None:
        return policy.report_threshold
    return default_report_threshold()


def default_report_threshold() -> int:
    """The platform's threshold, for territories without rules of their own (config.py)."""
    return current_app.config["DEBATE_REPORT_THRESHOLD"]


def own_policy(territory: Territory) -> ModerationPolicy | None:
    return db.session.execute(
        select(ModerationPolicy).where(ModerationPolicy.territory_id == territory.id)).scalar_one_or_none()


def set_policy(territory: Territory, report_threshold_value, hold_first_posts_value) -> ModerationPolicy:
    """The territory's rules, checked: a threshold of 2 to 20 people, 0 to 10 held first posts."""
    threshold = _int_in(report_threshold_value, THRESHOLD_MIN, THRESHOLD_MAX, "report_threshold",
                        _("Le seuil doit être un nombre entier entre %(low)s et %(high)s personnes.",
                          low=THRESHOLD_MIN, high=THRESHOLD_MAX))
    hold = _int_in(hold_first_posts_value, HOLD_MIN, HOLD_MAX, "hold_first_posts",
                   _("Le nombre de premières contributions à valider doit être un entier entre %(low)s et "
                     "%(high)s.", low=HOLD_MIN, high=HOLD_MAX))
    policy = own_policy(territory)
    if policy is None:
        policy = ModerationPolicy(territory_id=territory.id)
        db.session.add(policy)
    policy.report_threshold, policy.hold_first_posts = threshold, hold
    db.session.flush()
    log.info("territory %s: report threshold %s, %s first posts held", territory.id, threshold, hold)
    return policy


def _int_in(value, low: int, high: int, field: str, message: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ModerationError(message, field)
    if not low <= number <= high:
        raise ModerationError(message, field)
    return number


def initial_visibility(author: User, consultation: Consultation) -> Visibility:
    """HELD while `author` has fewer contributions on the policy's territory than it holds back
    (held ones count: the first N wait, the next are published), else VISIBLE."""
    policy = policy_for_territory_id(consultation.territory_id)
    if policy is None or policy.hold_first_posts <= 0:
        return Visibility.VISIBLE
    from .moderation_queries import territory_ids_within  # the recursive territory query lives there

    within = territory_ids_within([policy.territory_id])
    posted = 0
    for model in (Comment, Proposal):
        posted += db.session.execute(
            select(func.count(model.id)).join(Consultation, Consultation.id == model.consultation_id)
            .where(model.author_id == author.id, Consultation.territory_id.in_(within))).scalar_one()
    return Visibility.HELD if posted < policy.hold_first_posts else Visibility.VISIBLE


# --- suspensions -----------------------------------------------------------------------------

def suspension_message(user) -> str | None:
    """The sentence for a suspended person, with the moment it ends; None when not suspended."""
    suspension = active_suspension(user)
    if suspension is None:
        return None
    return _("Votre compte est suspendu par la modération jusqu'au %(date)s : d'ici là, vous ne pouvez ni "
             "commenter, ni proposer, ni soutenir, ni signaler.", date=format_moment(suspension.ends_at))


def suspend_author(content, consultation: Consultation, by: User, days, reason: str) -> AccountSuspension:
    """Suspend the author of `content` for `days` days, with a reason they are told."""
    _ensure_moderator(by, consultation)
    if content.author_id is None:
        raise ModerationError(_("Ce compte a été supprimé : il n'y a personne à suspendre."))
    if content.author_id == by.id:
        raise ModerationError(_("On ne peut pas suspendre son propre compte."))
    days = _int_in(days, SUSPENSION_DAYS_MIN, SUSPENSION_DAYS_MAX, "days",
                   _("Indiquez une durée entre %(low)s et %(high)s jours.", low=SUSPENSION_DAYS_MIN,
                     high=SUSPENSION_DAYS_MAX))
    reason = _public_reason(reason, "reason")
    suspension = AccountSuspension(user_id=content.author_id, ends_at=utcnow() + timedelta(days=days),
                                   reason=reason, moderator_id=by.id)
    db.session.add(suspension)
    forget_suspensions()
    _record(Act.SUSPEND, content, consultation, by, public_reason=reason, subject_user_id=content.author_id)
    _notify(content.author_id, consultation, content, reason)
    db.session.flush()
    log.info("user %s suspended %s days by user %s", content.author_id, days, by.id)
    return suspension


# --- acts on a contribution ------------------------------------------------------------------

def actor_role(user: User, consultation: Consultation | None) -> str:
    """What the actor acts as, for the public log: the territory's moderator, or an administrator."""
    if consultation is not None and is_moderator(user, consultation.territory):
        return "moderator"
    return "administrator" if user.is_admin else "moderator"


def kind_of(content) -> TargetKind:
    return TargetKind.COMMENT if isinstance(content, Comment) else TargetKind.PROPOSAL


def content_path(content) -> str:
    """Where a contribution (or its placeholder) stands, relative to the site."""
    return proposal_path(content) if isinstance(content, Proposal) else comment_path(content)


def _ensure_moderator(user: User, consultation: Consultation) -> None:
    from .permissions import can_moderate

    if not can_moderate(user, consultation):
        raise ModerationError(_("Seules l'équipe de modération du territoire et l'administration modèrent cette "
                                "consultation."))


def _public_reason(text: str, field: str = "public_reason") -> str:
    text = clean_line(text or "")
    if not text:
        raise ModerationError(_("Écrivez la raison publique : elle est montrée à la place du contenu et envoyée "
                                "à son auteur ou autrice."), field)
    if not PUBLIC_REASON_MIN <= len(text) <= PUBLIC_REASON_MAX:
        raise ModerationError(_("La raison doit compter entre %(low)s et %(high)s caractères.",
                                low=PUBLIC_REASON_MIN, high=PUBLIC_REASON_MAX), field)
    return text


def _record(kind: Act, content, consultation: Consultation, by: User | None, *, reason=None,
            public_reason: str = "", subject_user_id=None, was_public: bool | None = None) -> ModerationAction:
    action = ModerationAction(
        consultation_id=consultation.id, kind=kind, target_kind=kind_of(content), target_id=content.id,
        subject_user_id=subject_user_id, reason=reason, public_reason=public_reason[:500],
        moderator_id=by.id if by is not None else None,
        actor_role=actor_role(by, consultation) if by is not None else "system",
        was_public=(content.visibility != Visibility.HELD) if was_public is None else was_public)
    db.session.add(action)
    return action


def _resolve_reports(content) -> int:
    result = db.session.execute(
        update(Report).where(Report.target_kind == kind_of(content), Report.target_id == content.id,
                             Report.resolved_at.is_(None)).values(resolved_at=utcnow()))
    return result.rowcount


def _notify(user_id: int | None, consultation: Consultation, content, public_reason: str) -> None:
    """Tell the author what happened to their contribution, with the public reason."""
    if user_id is None:
        return
    from ..notifications.services import notify_user

    notify_user(db.session.get(User, user_id), NotificationKind.CONTENT_MODERATED, consultation,
                content_path(content), (public_reason or "")[:200])


def hide(content, consultation: Consultation, by: User, reason, public_reason: str) -> ModerationAction:
    """Hide a contribution with a reason code and a public sentence; its reports are settled."""
    _ensure_moderator(by, consultation)
    try:
        reason = ReportReason(reason)
    except ValueError:
        raise ModerationError(_("Choisissez le motif : spam, insulte, hors sujet, données personnelles ou autre."),
                              "reason")
    public_reason = _public_reason(public_reason)
    if content.visibility in (Visibility.HIDDEN, Visibility.WITHDRAWN):
        raise ModerationError(_("Ce contenu n'est déjà plus affiché."))
    action = _record(Act.HIDE, content, consultation, by, reason=reason, public_reason=public_reason)
    content.visibility, content.visibility_reason = Visibility.HIDDEN, public_reason
    content.featured = False
    _resolve_reports(content)
    _notify(content.author_id, consultation, content, public_reason)
    db.session.flush()
    log.info("%s %s hidden by user %s (%s)", kind_of(content).value, content.id, by.id, reason.value)
    return action


def restore(content, consultation: Consultation, by: User) -> ModerationAction:
    """Show again a hidden contribution."""
    _ensure_moderator(by, consultation)
    if content.visibility not in HIDDEN_STATES:
        raise ModerationError(_("Ce contenu n'est pas masqué par la modération : il n'y a rien à rétablir."))
    public_reason = _("Contenu rétabli après examen.")
    action = _record(Act.RESTORE, content, consultation, by, public_reason=public_reason)
    content.visibility, content.visibility_reason = Visibility.VISIBLE, ""
    _resolve_reports(content)
    _notify(content.author_id, consultation, content, public_reason)
    db.session.flush()
    return action


def approve(content, consultation: Consultation, by: User) -> ModerationAction:
    """Let through a held first post, or a reported contribution (its reports are dismissed)."""
    _ensure_moderator(by, consultation)
    if content.visibility not in (Visibility.HELD, Visibility.REPORTED):
        raise ModerationError(_("Ce contenu n'attend pas de validation."))
    held = content.visibility == Visibility.HELD
    public_reason = _("Contribution validée par la modération.") if held else _(
        "Signalements examinés : le contenu respecte les règles du débat.")
    action = _record(Act.APPROVE, content, consultation, by, public_reason=public_reason)
    content.visibility, content.visibility_reason = Visibility.VISIBLE, ""
    _resolve_reports(content)
    _notify(content.author_id, consultation, content, public_reason)
    db.session.flush()
    return action


def dismiss_reports(content, consultation: Consultation, by: User) -> ModerationAction:
    """Settle a visible contribution's reports without acting on it."""
    _ensure_moderator(by, consultation)
    if content.visibility == Visibility.REPORTED:
        return approve(content, consultation, by)
    if not _resolve_reports(content):
        raise ModerationError(_("Ce contenu n'a pas de signalement en attente."))
    action = _record(Act.DISMISS_REPORTS, content, consultation, by,
                     public_reason=_("Signalements examinés : le contenu respecte les règles du débat."))
    db.session.flush()
    return action


def set_featured(content, consultation: Consultation, by: User, featured: bool) -> ModerationAction:
    """Put forward (or no longer) a visible contribution."""
    _ensure_moderator(by, consultation)
    if featured and not content.is_visible:
        raise ModerationError(_("Seul un contenu affiché peut être mis en avant."))
    if content.featured == featured:
        raise ModerationError(_("Ce contenu est déjà mis en avant.") if featured
                              else _("Ce contenu n'est pas mis en avant."))
    content.featured = featured
    action = _record(Act.FEATURE if featured else Act.UNFEATURE, content, consultation, by)
    db.session.flush()
    return action


def set_locked(comment, consultation: Consultation, by: User, locked: bool) -> ModerationAction:
    """Close (or reopen) a thread to replies: only an opening comment carries the lock."""
    _ensure_moderator(by, consultation)
    if not isinstance(comment, Comment) or comment.parent_id is not None:
        raise ModerationError(_("Seul un fil de discussion (un commentaire d'ouverture) se verrouille."))
    if comment.locked == locked:
        raise ModerationError(_("Ce fil est déjà verrouillé.") if locked else _("Ce fil n'est pas verrouillé."))
    comment.locked = locked
    action = _record(Act.LOCK if locked else Act.UNLOCK, comment, consultation, by)
    db.session.flush()
    return action


def thread_is_locked(comment: Comment) -> bool:
    """Whether the thread holding `comment` is locked (the lock sits on its opening comment)."""
    node = comment
    while node.parent_id is not None:
        node = node.parent
    return node.locked


def auto_hide(content, consultation: Consultation) -> ModerationAction:
    """Reports by enough different people: hidden pending a moderator's review."""
    public_reason = _("Masqué en attente d'examen après plusieurs signalements.")
    action = _record(Act.AUTO_HIDE, content, consultation, None, public_reason=public_reason, was_public=True)
    content.visibility, content.visibility_reason = Visibility.REPORTED, public_reason
    _notify(content.author_id, consultation, content, public_reason)
    db.session.flush()
    log.info("%s %s hidden pending review after reports", kind_of(content).value, content.id)
    return action
