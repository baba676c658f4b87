"""« Mes sessions »: the browsers signed in to one's account, and signing them out."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ..core.permissions import requires
from ..extensions import db
from . import bp
from .auth import (
    active_sessions, current_token_hash, end_all_sessions, end_other_sessions, end_session, end_session_by_id,
)
from .forms import ConfirmForm
from .labels import browser_label


@bp.route("/compte/sessions", endpoint="sessions")
@requires("is_signed_in")
def sessions_view():
    current = current_token_hash()
    sessions = [(s, browser_label(s.user_agent), s.token_hash == current) for s in active_sessions(current_user)]
    return render_template("accounts/sessions.html", sessions=sessions, form=ConfirmForm())


@bp.route("/compte/sessions/<int:session_id>/fermer", methods=["POST"], endpoint="end_one_session")
@requires("is_signed_in")
def end_one_session_view(session_id):
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("accounts.sessions"))
    mine = next((s for s in active_sessions(current_user) if s.id == session_id), None)
    if mine is None:
        abort(404)
    if mine.token_hash == current_token_hash():
        end_session(current_user)
        db.session.commit()
        flash(_("Déconnexion effectuée. À bientôt !"), "success")
        return redirect(url_for("core.home"))
    end_session_by_id(current_user, session_id)
    db.session.commit()
    flash(_("Cette session est fermée."), "success")
    return redirect(url_for("accounts.sessions"))


@bp.route("/compte/sessions/fermer-les-autres", methods=["POST"], endpoint="end_other_sessions")
@requires("is_signed_in")
def end_other_sessions_view():
    if ConfirmForm().validate_on_submit():
        count = end_other_sessions(current_user)
        db.session.commit()
        flash(ngettext("%(num)s autre session fermée.", "%(num)s autres sessions fermées.", count), "success")
    return redirect(url_for("accounts.sessions"))


@bp.route("/compte/sessions/fermer-toutes", methods=["POST"], endpoint="end_all_sessions")
@requires("is_signed_in")
def end_all_sessions_view():
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("accounts.sessions"))
    end_all_sessions(current_user)
    end_session(current_user)
    db.session.commit()
    flash(_("Toutes vos sessions sont fermées, y compris celle-ci."), "success")
    return redirect(url_for("core.home"))
