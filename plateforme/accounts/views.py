"""Account pages: register, confirm, sign in/out, reset, profile, my data, delete."""
from __future__ import annotations

import hashlib
import json

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from ..core.forms import attach_error
from ..core.permissions import requires
from ..core.rate_limits import rate_limited
from ..core.urls import safe_next
from ..extensions import db, limiter
from ..territories.models import Territory
from ..territories.services import loaded_communes, mandate_territories
from . import bp
from .auth import end_session
from .email_change import request_email_change, revert_email_change
from .forms import (
    ChangeEmailForm, ChangePasswordForm, ConfirmForm, DeleteAccountForm, ForgotPasswordForm, MandateForm,
    ProfileForm, RegistrationForm, ResetPasswordForm, SignInForm,
)
from .models import MandateTitle
from .roles import declare_mandate
from .services import (
    AccountError, authenticate, change_password, confirm_email, delete_account, export_personal_data,
    normalise_email, register, reset_password, send_confirmation, send_password_reset, sign_in, update_profile,
    user_for_reset_token,
)


def typed_account_key() -> str:
    """Rate-limit key: the account named by the address typed in the form (hashed, so the
    limiter's storage holds no address), whether or not it exists."""
    email = normalise_email(request.form.get("email", ""))
    return "typed:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def signed_in_account_key() -> str:
    """Rate-limit key: the signed-in account (its id), else the client's address."""
    return f"account:{current_user.id}" if current_user.is_authenticated else f"address:{request.remote_addr}"


def _failed(response) -> bool:
    """A form sent back with an error (a success redirects)."""
    return response.status_code != 302


@bp.route("/inscription", methods=["GET", "POST"], endpoint="register")
@rate_limited(limiter.limit("20 per hour", methods=["POST"]))
def register_view():
    # `next` (the survey or debate the person came from) travels in the query string, through
    # the confirmation link, back to that page.
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("accounts.profile"))
    form = RegistrationForm()
    if form.validate_on_submit():
        # The same page whether or not the address already had an account (its owner is told
        # by mail): signing in here would tell which addresses have one. The confirmation link
        # signs the person in and leads back to `next` (confirm_email_view).
        register(form.email.data, form.display_name.data, form.password.data, form.commune.commune,
                 str(get_locale()), next_url=next_url)
        db.session.commit()
        # Redirected, so a reload sends nothing again; the address is shown back from the session.
        session["registered_email"] = normalise_email(form.email.data)
        return redirect(url_for("accounts.registered"))
    return render_template("accounts/register.html", form=form, communes=loaded_communes())


@bp.route("/inscription/message-envoye", endpoint="registered")
def registered_view():
    email = session.get("registered_email")
    if email is None:
        return redirect(url_for("accounts.register"))
    return render_template("accounts/registered.html", email=email)


@bp.route("/confirmer/<token>", methods=["GET", "POST"], endpoint="confirm_email")
def confirm_email_view(token):
    """GET shows a button; POST confirms, so mail scanners that open links confirm nothing."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user, first = confirm_email(token)
        except AccountError as error:
            return render_template("accounts/link_error.html", message=error.message), 400
        next_url = safe_next(request.args.get("next"))
        if first and not current_user.is_authenticated:
            # The link of a new account's first confirmation signs its owner in: registering
            # cannot (it answers the same whether or not the address had an account), and the
            # link proves the mailbox, which a password reset trusts anyway.
            sign_in(user)
        db.session.commit()
        flash(_("Votre adresse électronique est confirmée. Merci !"), "success")
        if current_user.is_authenticated:
            return redirect(next_url or url_for("accounts.profile"))
        return redirect(url_for("accounts.sign_in", next=next_url))
    return render_template("accounts/confirm.html", form=form)


@bp.route("/compte/renvoyer-confirmation", methods=["POST"])
@rate_limited(limiter.limit("5 per hour"))
@requires("is_signed_in")
def resend_confirmation():
    if ConfirmForm().validate_on_submit() and not current_user.is_confirmed:
        send_confirmation(current_user)
        db.session.commit()
        flash(_("Un nouveau message de confirmation vous a été envoyé."), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/connexion", methods=["GET", "POST"], endpoint="sign_in")
@rate_limited(# Failures only, per client address: a workshop of officials behind one town hall's
              # connection signs in together, and a success needs the password anyway.
              limiter.limit("10 per minute; 60 per hour", methods=["POST"], deduct_when=_failed),
              # Per account too, failures only: spreading guesses over many addresses does not help,
              # and a lockout says nothing about whether the account exists.
              limiter.limit("10 per 15 minutes", methods=["POST"], key_func=typed_account_key, deduct_when=_failed))
def sign_in_view():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except AccountError as error:
            attach_error(form, error)
        else:
            sign_in(user)
            db.session.commit()
            welcome = _("Bienvenue, %(name)s.", name=user.display_name)
            # "Camille N." ends the sentence itself: no second full stop.
            flash(welcome[:-1] if welcome.endswith("..") else welcome, "success")
            return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/deconnexion", methods=["POST"])
def sign_out():
    if ConfirmForm().validate_on_submit():
        end_session(current_user if current_user.is_authenticated else None)
        db.session.commit()
        flash(_("Déconnexion effectuée. À bientôt !"), "success")
    return redirect(url_for("core.home"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@rate_limited(limiter.limit("5 per 15 minutes", methods=["POST"]),
              limiter.limit("3 per hour", methods=["POST"], key_func=typed_account_key))
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Queued in the outbox, sent by the task queue: same page, same time, whatever exists.
        send_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/reset_sent.html", email=normalise_email(form.email.data))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reinitialiser/<token>", methods=["GET", "POST"], endpoint="reset_password")
@rate_limited(limiter.limit("10 per 15 minutes", methods=["POST"]))
def reset_password_view(token):
    try:
        user = user_for_reset_token(token)
    except AccountError as error:
        return render_template("accounts/link_error.html", message=error.message, reset=True), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        reset_password(token, form.password.data)
        db.session.commit()
        flash(_("Votre mot de passe a été changé. Connectez-vous avec le nouveau."), "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form, user=user)


# --- signed-in pages ----------------------------------------------------------------

@bp.route("/compte", methods=["GET", "POST"])
@requires("is_signed_in")
def profile():
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    if request.method == "GET":
        form.commune.data = current_user.commune.label if current_user.commune else ""
        form.locale.data = current_user.locale or ""
    if form.validate_on_submit():
        update_profile(current_user, form.display_name.data, form.commune.commune, form.locale.data,
                       form.email_notifications.data)
        db.session.commit()
        if current_user.locale:
            session["lang"] = current_user.locale
        flash(_("Votre profil est enregistré."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, communes=loaded_communes(),
                           confirm_form=ConfirmForm())


@bp.route("/compte/adresse", methods=["GET", "POST"], endpoint="change_email")
@rate_limited(limiter.limit("10 per hour", methods=["POST"]),
              limiter.limit("5 per hour", methods=["POST"], key_func=signed_in_account_key))
@requires("is_signed_in")
def change_email_view():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            request_email_change(current_user, form.email.data, form.current_password.data)
        except AccountError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            # The same words whether or not the new address already has an account.
            flash(_("Nous avons envoyé un lien de confirmation à la nouvelle adresse. Votre compte garde l'adresse "
                    "actuelle tant que la nouvelle n'est pas confirmée."), "info")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_email.html", form=form)


@bp.route("/compte/adresse/annuler/<token>", methods=["GET", "POST"], endpoint="revert_email")
@rate_limited(limiter.limit("10 per 15 minutes", methods=["POST"]))
def revert_email_view(token):
    """From the mail sent to the former address: GET shows a button, POST gives the account
    its former address back and signs it out everywhere."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            revert_email_change(token)
        except AccountError as error:
            return render_template("accounts/link_error.html", message=error.message), 400
        end_session(None)
        db.session.commit()
        flash(_("Votre compte a retrouvé son adresse et toutes ses connexions sont fermées. Choisissez maintenant "
                "un nouveau mot de passe."), "success")
        return redirect(url_for("accounts.forgot_password"))
    return render_template("accounts/revert_email.html", form=form)


@bp.route("/compte/mot-de-passe", methods=["GET", "POST"], endpoint="change_password")
@rate_limited(limiter.limit("10 per hour", methods=["POST"], key_func=signed_in_account_key, deduct_when=_failed))
@requires("is_signed_in")
def change_password_view():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.password.data)
        except AccountError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Votre mot de passe est changé. Vos autres connexions ont été fermées."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/compte/mandat", methods=["GET", "POST"], endpoint="declare_mandate")
@requires("can_declare_mandate")
def declare_mandate_view():
    form = MandateForm(territory_choices=mandate_territories())
    if form.validate_on_submit():
        territory = db.session.get(Territory, form.territory.data)
        try:
            declare_mandate(current_user, territory, MandateTitle(form.title.data))
        except AccountError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Votre mandat est déclaré. Une personne de l'administration le vérifiera."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/declare_mandate.html", form=form)


@bp.route("/compte/mes-donnees.json")
@requires("is_signed_in")
def download_data():
    payload = json.dumps(export_personal_data(current_user), ensure_ascii=False, indent=2)
    return Response(payload, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="mes-donnees-plateforme.json"',
        "Cache-Control": "no-store",
    })


@bp.route("/compte/supprimer", methods=["GET", "POST"], endpoint="delete_account")
# A stolen session must not be a way to guess the password (nor is the address change, above).
@rate_limited(limiter.limit("10 per hour", methods=["POST"], key_func=signed_in_account_key, deduct_when=_failed))
@requires("is_signed_in")
def delete_account_view():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            delete_account(user, form.password.data, erase_contributions=form.erase_contributions.data)
        except AccountError as error:
            attach_error(form, error)
        else:
            end_session(None)
            db.session.commit()
            flash(_("Votre compte et vos données personnelles ont été supprimés."), "success")
            return redirect(url_for("core.home"))
    return render_template("accounts/delete.html", form=form)
