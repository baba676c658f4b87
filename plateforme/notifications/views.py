"""My notifications: the list (newest first, unread marked in words) and "mark all as read"."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from ..core.permissions import requires
from ..extensions import db
from . import bp
from .services import mark_all_read, notification_text, notifications_page, unread_count


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
    items = [(n, notification_text(n.kind, n.consultation.title if n.consultation else "", n.subject))
             for n in page.items]
    return render_template("notifications/index.html", page=page, items=items, action_form=FlaskForm(),
                           unread=unread_notifications_count())


@bp.route("/tout-lu", methods=["POST"], endpoint="mark_all_read")
@requires("is_signed_in")
def mark_all_read_view():
    if not FlaskForm().validate_on_submit():
        abort(400)
    count = mark_all_read(current_user)
    db.session.commit()
    if count:
        flash(ngettext("%(num)s notification marquée comme lue.", "%(num)s notifications marquées comme lues.",
                       count), "success")
    else:
        flash(_("Aucune notification non lue."), "info")
    return redirect(url_for("notifications.index"))
