"""My notifications: the list (newest first, unread marked in words), "mark all as read",
and the page an email's link opens to stop notification emails."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ..core.permissions import requires
from ..extensions import db
from . import bp
from .forms import ConfirmForm
from .services import (
    actor_name, mark_all_read, notification_text, notifications_page, stop_emails, unread_count, user_for_stop_emails_token,
)


@bp.app_template_global("unread_notifications_count")
def unread_notifications_count() -> int:
    """For the main navigation: one COUNT, only when someone is signed in."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = unread_count(current_user)
    return g.unread_notifications


@bp.route("/")
@requires("is_signed_in")
def index():
    page = notifications_page(current_user, request.args.get("page"))
    items = [(n, notification_text(n.kind, n.consultation.title if n.consultation else "", n.subject,
                                   actor_name(n)))
             for n in page.items]
    return render_template("notifications/index.html", page=page, items=items, action_form=ConfirmForm(),
                           unread=unread_notifications_count())


@bp.route("/tout-lu", methods=["POST"], endpoint="mark_all_read")
@requires("is_signed_in")
def mark_all_read_view():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = mark_all_read(current_user)
    db.session.commit()
    if count:
        flash(ngettext("%(num)s notification marquée comme lue.", "%(num)s notifications marquées comme lues.",
                       count), "success")
    else:
        flash(_("Aucune notification non lue."), "info")
    return redirect(url_for("notifications.index"))


@bp.route("/courriels/arreter/<token>", methods=["GET", "POST"], endpoint="stop_emails")
def stop_emails_view(token):
    """Opened from a notification email, signed in or not: a button (never the link alone:
    mail scanners open links) turns that account's notification emails off."""
    user = user_for_stop_emails_token(token)
    if user is None:
        return render_template("notifications/stop_emails.html", user=None, form=None), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        stop_emails(user)
        db.session.commit()
        flash(_("C'est fait : vous ne recevrez plus vos notifications par courriel. Elles restent sur la page "
                "« Mes notifications » ; vous pouvez réactiver les courriels dans votre profil."), "success")
        return redirect(url_for("notifications.stop_emails", token=token))
    return render_template("notifications/stop_emails.html", user=user, form=form)
