"""Notifications: telling the people who follow a consultation what became of it.

A notification stores what happened (kind, consultation, the page to open, a short subject);
its sentence is written when it is read — on the notifications page or in the email — in
the reader's language. Followers are the people who took part (the debate makes them
follow) and those who clicked "follow". Nobody is notified of their own action.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale, gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, case, func, insert, literal, null, select, update
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..accounts.services import personal_data_section
from ..core.mail import queue_mail
from ..core.models import utcnow
from ..core.urls import absolute_url
from ..core.pagination import Page, paginate
from ..extensions import db
from .models import OBSERVATORY_KINDS, Notification, NotificationFanout, NotificationKind

if TYPE_CHECKING:
    from ..consultations.models import Consultation

log = logging.getLogger("plateforme.notifications")

PER_PAGE = 20


# --- the words, written at display time -----------------------------------------------------

def notification_text(kind: NotificationKind, consultation_title: str, subject: str,
                      actor_name: str | None = None) -> str:
    """The sentence of a notification, in the current locale. `actor_name` is the public
    name of who acted, as the pages show it; None when unknown or their account is deleted."""
    kind = NotificationKind(kind)
    if kind in OBSERVATORY_KINDS:
        return _finding_text(kind, subject)
    title = consultation_title or _("une consultation supprimée")
    if kind == NotificationKind.SYNTHESIS_PUBLISHED:
        return _("La synthèse de la consultation « %(title)s » est publiée.", title=title)
    if kind == NotificationKind.RESPONSE_PUBLISHED:
        return _("La réponse officielle à la consultation « %(title)s » est publiée, avec ses engagements.",
                 title=title)
    if kind == NotificationKind.COMMITMENT_UPDATED:
        return _("L'engagement « %(commitment)s » (consultation « %(title)s ») a été mis à jour.",
                 commitment=subject, title=title)
    if kind == NotificationKind.CONSULTATION_CANCELLED:
        return _("La consultation « %(title)s » a été annulée.", title=title)
    if kind == NotificationKind.PHASE_STARTED:
        return _phase_text(subject, title)
    if kind == NotificationKind.COMMENT_REPLY:
        if actor_name:
            return _("%(name)s a répondu à votre commentaire dans la consultation « %(title)s ».",
                     name=actor_name, title=title)
        return _("Quelqu'un a répondu à votre commentaire dans la consultation « %(title)s ».", title=title)
    if kind == NotificationKind.PROPOSAL_ANSWERED:
        return _("Votre proposition « %(proposal)s » a reçu une réponse de la collectivité (consultation "
                 "« %(title)s »).", proposal=subject, title=title)
    if kind == NotificationKind.SUPPORTED_PROPOSAL_ANSWERED:
        return _("La proposition « %(proposal)s », que vous soutenez, a reçu une réponse de la collectivité "
                 "(consultation « %(title)s »).", proposal=subject, title=title)
    if subject:  # CONTENT_MODERATED: the subject is the moderator's public reason
        return _("Une de vos contributions à la consultation « %(title)s » a fait l'objet d'une décision de "
                 "modération. Raison : %(reason)s", title=title, reason=subject)
    return _("Une de vos contributions à la consultation « %(title)s » a fait l'objet d'une décision de "
             "modération.", title=title)


def _phase_text(phase_kind: str, title: str) -> str:
    """A phase's start: its name and what one does in it, in the reader's language (the
    notification stores the phase's kind, not its label)."""
    from ..consultations.labels import PHASE_HINTS, PHASE_LABELS  # consultations import this module
    from ..consultations.models import PhaseKind

    try:
        kind = PhaseKind(phase_kind)
    except ValueError:
        return _("Une nouvelle phase de la consultation « %(title)s » a commencé.", title=title)
    return _("La phase « %(phase)s » de la consultation « %(title)s » a commencé. %(hint)s",
             phase=str(PHASE_LABELS[kind]), title=title, hint=str(PHASE_HINTS[kind]))


def _finding_text(kind: NotificationKind, finding_title: str) -> str:
    if kind == NotificationKind.FINDING_TO_REVIEW:
        return _("Le constat « %(finding)s » attend la relecture d'une autre organisation partenaire : "
                 "vous pouvez le relire.", finding=finding_title)
    if kind == NotificationKind.FINDING_PUBLISHED:
        return _("Votre constat « %(finding)s » a été relu et approuvé : il est publié.", finding=finding_title)
    return _("La relecture de votre constat « %(finding)s » demande des modifications avant publication.",
             finding=finding_title)


def actor_name(notification: Notification) -> str | None:
    """The public name of who acted, None once their account is deleted (or never recorded)."""
    return notification.actor.display_name if notification.actor is not None else None


# --- telling a group: a consultation's followers, a proposal's supporters ---------------------

def notify_followers(consultation: Consultation, kind: NotificationKind, target_path: str, subject: str = "",
                     actor: User | None = None) -> None:
    """Tell the followers of `consultation` except `actor`: one row in the action's
    transaction, whatever their number (a consultation may have tens of thousands); once it
    commits, the task queue writes their notifications and emails (mailing.py)."""
    db.session.add(NotificationFanout(consultation_id=consultation.id, kind=NotificationKind(kind),
                                      target_path=target_path, subject=(subject or "")[:200],
                                      actor_id=actor.id if actor is not None else None))
    db.session.info[MAIL_TO_WRITE] = True


def fan_out(fanout: NotificationFanout) -> int:
    """The notifications of a pending fan-out, to the consultation's followers of now (for
    mailing.py, which deletes the row in the same transaction). Returns how many."""
    from ..consultations.models import ConsultationFollow  # consultations import this module: no cycle at import

    followers = select(ConsultationFollow.user_id).where(ConsultationFollow.consultation_id == fanout.consultation_id)
    return notify_group(followers, fanout.consultation, fanout.kind, fanout.target_path, fanout.subject,
                        fanout.actor, because="follows", created_at=fanout.created_at)


def notify_group(user_ids, consultation: Consultation, kind: NotificationKind, target_path: str, subject: str = "",
                 actor: User | None = None, because: str = "follows", created_at=None) -> int:
    """One notification per person of `user_ids` (a SELECT of one column of user ids) except
    `actor`, in one INSERT … SELECT whatever their number, and an email to each whose address
    is confirmed and who wants emails, in their own language; `because` ("follows",
    "supports") says in the email why they receive it. Returns the number of people notified."""
    kind = NotificationKind(kind)
    subject = (subject or "")[:200]
    recipients = user_ids.subquery()
    ids = select(recipients.c[0].label("user_id"))
    if actor is not None and actor.id is not None:
        ids = ids.where(recipients.c[0] != actor.id)
    columns = Notification.__table__.c
    people = ids.subquery()
    # The emails are written later, by the task queue (mailing.py): here only the reason, on
    # the rows of those who receive emails, so that the request's time does not grow with
    # the number of followers.
    wants_mail = case((and_(User.email_confirmed_at.is_not(None), User.email_notifications.is_(True)),
                       literal(because, columns.mail_reason.type)), else_=null())
    rows = select(
        people.c.user_id,
        literal(kind, columns.kind.type),
        literal(consultation.id if consultation is not None else None, columns.consultation_id.type),
        literal(target_path, columns.target_path.type), literal(subject, columns.subject.type),
        literal(created_at or utcnow(), columns.created_at.type),
        literal(actor.id if actor is not None else None, columns.actor_id.type),
        wants_mail,
    ).join(User, User.id == people.c.user_id)
    result = db.session.execute(insert(Notification.__table__).from_select(
        ["user_id", "kind", "consultation_id", "target_path", "subject", "created_at", "actor_id", "mail_reason"],
        rows))
    db.session.info[MAIL_TO_WRITE] = True
    log.info("consultation %s: %s notified to %s person(s) who %s", getattr(consultation, "id", None), kind.value,
             result.rowcount, because)
    return result.rowcount


def notify_user(user: User, kind: NotificationKind, consultation: Consultation, target_path: str,
                subject: str = "", actor: User | None = None) -> Notification | None:
    """One notification for `user` (a reply to their comment, an answer to their proposal),
    and an email in their own language once committed when their address is confirmed.
    Nobody is told of their own action: None when `actor` is `user`."""
    if user is None or (actor is not None and actor.id == user.id):
        return None
    kind = NotificationKind(kind)
    subject = (subject or "")[:200]
    wants_mail = user.email_confirmed_at is not None and user.email_notifications
    notification = Notification(user_id=user.id, kind=kind,
                                consultation_id=consultation.id if consultation is not None else None,
                                target_path=target_path, subject=subject,
                                actor_id=actor.id if actor is not None else None,
                                mail_reason=("took_part" if consultation is not None else "partner")
                                if wants_mail else None)
    db.session.add(notification)
    if wants_mail:
        db.session.info[MAIL_TO_WRITE] = True
    log.info("consultation %s: %s notified to user %s", getattr(consultation, "id", None), kind.value, user.id)
    return notification


# The session wrote notifications whose emails are to be written (mailing.py kicks the
# queue when it commits).
MAIL_TO_WRITE = "plateforme.notification_mail"


def queue_notification_mail(user: User, kind: NotificationKind, consultation: Consultation | None, subject: str,
                            link: str, because: str, actor: User | None = None) -> None:
    """The notification's email, in `user`'s language, into the outbox (core/mail.py), in the
    current transaction (mailing.py calls it). It carries a link that turns these emails off
    without signing in (also as the List-Unsubscribe header, which mail programs offer as a
    button)."""
    stop_link = absolute_url(stop_emails_path(user))
    with force_locale(user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
        text = notification_text(kind, consultation.title if consultation is not None else "", subject,
                                 actor.display_name if actor is not None else None)
        body = render_template("notifications/mail.txt", user=user, text=text, link=link,
                               consultation=consultation, because=because, stop_link=stop_link)
        title = _("%(site)s : %(title)s", site=current_app.config["SITE_NAME"],
                  title=consultation.title if consultation is not None else subject)
    queue_mail(user.email, title, body, {"List-Unsubscribe": f"<{stop_link}>"})


# --- turning the emails off ---------------------------------------------------------------------

def _stop_emails_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="plateforme.notifications.stop-emails")


def stop_emails_path(user: User) -> str:
    """The page that turns `user`'s notification emails off, relative to the site. Its
    signed token names the account, so it works without signing in, for as long as the
    email is kept; it can only turn emails off (the profile turns them back on)."""
    token = _stop_emails_serializer().dumps(user.id)
    if has_request_context():
        return url_for("notifications.stop_emails", token=token)
    with current_app.test_request_context():
        return url_for("notifications.stop_emails", token=token)


def user_for_stop_emails_token(token: str) -> User | None:
    """The account a stop-emails link was made for; None for a damaged or forged link, or
    an account deleted since."""
    try:
        user_id = _stop_emails_serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def stop_emails(user: User) -> bool:
    """Stop emailing `user` their notifications (they stay on the site); True when they were on."""
    was_on = user.email_notifications
    user.email_notifications = False
    db.session.flush()
    if was_on:
        log.info("user %s turned notification emails off", user.id)
    return was_on


def notify_consultation_cancelled(consultation: Consultation, actor: User | None = None) -> None:
    """Tell the followers of `consultation` that it was cancelled (for the consultations service)."""
    notify_followers(consultation, NotificationKind.CONSULTATION_CANCELLED,
                            _consultation_path(consultation), consultation.title, actor)


def _consultation_path(consultation: Consultation) -> str:
    if has_request_context():
        return url_for("consultations.show", consultation_id=consultation.id)
    with current_app.test_request_context():
        return url_for("consultations.show", consultation_id=consultation.id)


# --- reading one's notifications ---------------------------------------------------------------

def unread_count(user: User) -> int:
    """How many of `user`'s notifications are unread (one COUNT on an indexed pair)."""
    return db.session.execute(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalar_one()


def notifications_page(user: User, page_arg) -> Page:
    """`user`'s notifications, newest first, with their consultation (two queries)."""
    stmt = (select(Notification).where(Notification.user_id == user.id)
            .options(joinedload(Notification.consultation), joinedload(Notification.actor))
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return paginate(stmt, page_arg, per_page=PER_PAGE)


def mark_all_read(user: User) -> int:
    """Mark every unread notification of `user` as read; returns how many were."""
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount


@personal_data_section("notifications")
def notifications_data(user: User) -> list[dict]:
    """What the platform told the person, as stored (kind, consultation, page, dates)."""
    rows = db.session.execute(
        select(Notification).where(Notification.user_id == user.id)
        .options(joinedload(Notification.consultation)).order_by(Notification.id)).scalars()
    return [{"kind": n.kind.value, "consultation_id": n.consultation_id,
             "consultation_title": n.consultation.title if n.consultation else None,
             "subject": n.subject, "target_path": n.target_path,
             "created_at": n.created_at.isoformat(), "read_at": n.read_at.isoformat() if n.read_at else None}
            for n in rows]
