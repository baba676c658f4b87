"""Account forms. Every message is in the reader's language and shown next to its field."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField, URLField
from wtforms.validators import (
    URL, DataRequired, Email, EqualTo, InputRequired, Length, Optional, ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import CommuneField, choices, reject_control_characters, strip_filter
from .labels import MANDATE_TITLE_LABELS
from .passwords import MAX_LENGTH, MIN_LENGTH, password_problem

class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


LOCALE_CHOICES = choices([("", _l("Selon mon navigateur")), ("fr", "Français"), ("en", "English")])


def _email_field(label=None):
    return EmailField(label or _l("Adresse électronique"), filters=[strip_filter], validators=[
        DataRequired(_l("Indiquez votre adresse électronique.")),
        Length(max=254, message=_l("L'adresse est trop longue.")),
        Email(_l("Cette adresse électronique n'est pas valide (exemple : prenom.nom@exemple.fr)."),
              check_deliverability=False),
    ], render_kw={"autocomplete": "email", "spellcheck": "false"})


def _display_name_field():
    return StringField(_l("Nom affiché"), filters=[strip_filter], validators=[
        DataRequired(_l("Indiquez le nom qui sera affiché avec vos contributions.")),
        Length(min=2, max=80, message=_l("Le nom affiché doit compter entre 2 et 80 caractères.")),
        reject_control_characters,
    ], render_kw={"autocomplete": "nickname"})


def _commune_field():
    return CommuneField(_l("Commune de résidence"), filters=[strip_filter], validators=[
        DataRequired(_l("Indiquez votre commune de résidence (nom ou code postal).")),
        Length(max=120),
    ], description=_l("Tapez le nom ou le code postal, par exemple « Villeurbanne » ou « 69100 »."))


class NewPasswordMixin:
    password = PasswordField(_l("Mot de passe"), validators=[
        InputRequired(_l("Choisissez un mot de passe.")), Length(max=MAX_LENGTH),
    ], description=_l("Au moins %(n)s caractères. Une phrase de quelques mots est facile à retenir et difficile à deviner.", n=MIN_LENGTH),
        render_kw={"autocomplete": "new-password"})
    password_confirm = PasswordField(_l("Confirmez le mot de passe"), validators=[
        InputRequired(_l("Confirmez le mot de passe.")),
        EqualTo("password", _l("Les deux mots de passe ne sont pas identiques.")),
    ], render_kw={"autocomplete": "new-password"})

    def validate_password(self, field):
        email = getattr(self, "email", None)
        name = getattr(self, "display_name", None)
        problem = password_problem(field.data or "", email=email.data if email else "",
                                   display_name=name.data if name else "")
        if problem:
            raise ValidationError(problem)


class RegistrationForm(NewPasswordMixin, FlaskForm):
    email = _email_field()
    display_name = _display_name_field()
    commune = _commune_field()
    accept_privacy = BooleanField(
        _l("J'ai lu la politique de confidentialité et j'accepte la création de mon compte."),
        validators=[DataRequired(_l("Cochez cette case pour créer votre compte."))],
    )


class SignInForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Mot de passe"), validators=[
        InputRequired(_l("Indiquez votre mot de passe.")), Length(max=MAX_LENGTH),
    ], render_kw={"autocomplete": "current-password"})


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class ProfileForm(FlaskForm):
    display_name = _display_name_field()
    commune = _commune_field()
    locale = SelectField(_l("Langue de l'interface"), choices=LOCALE_CHOICES, default="")
    email_notifications = BooleanField(
        _l("Recevoir aussi mes notifications par courriel"), default=True,
        description=_l("Réponses à vos commentaires, réponses de la collectivité à vos propositions, décisions de "
                       "modération, suites des consultations que vous suivez. Elles restent toujours sur la page "
                       "« Mes notifications »."))


def _current_password_field():
    return PasswordField(_l("Mot de passe actuel"), validators=[
        InputRequired(_l("Indiquez votre mot de passe actuel.")), Length(max=MAX_LENGTH),
    ], render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = _current_password_field()


class ChangeEmailForm(FlaskForm):
    email = _email_field(_l("Nouvelle adresse électronique"))
    current_password = _current_password_field()


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Mot de passe"), validators=[
        InputRequired(_l("Indiquez votre mot de passe pour confirmer.")), Length(max=MAX_LENGTH),
    ], render_kw={"autocomplete": "current-password"})
    erase_contributions = BooleanField(
        _l("Effacer aussi le texte de mes commentaires et propositions"),
        description=_l("Sinon, ils restent publiés sans votre nom, sous « Compte supprimé ». S'ils sont effacés, "
                       "leur texte est remplacé par « Contribution supprimée avec le compte » ; les réponses des "
                       "autres personnes restent."))
    confirm = BooleanField(_l("Je comprends que mon compte et mes données personnelles seront effacés définitivement."),
                           validators=[DataRequired(_l("Cochez cette case pour confirmer la suppression."))])




class TerritorySelectForm(FlaskForm):
    """Base for forms that pick a loaded territory; the view fills `territory.choices`."""

    territory = SelectField(_l("Territoire"), coerce=int, validate_choice=True,
                            validators=[InputRequired(_l("Choisissez un territoire."))])

    def __init__(self, *args, territory_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.territory.choices = choices((t.id, t.label) for t in territory_choices)


class MandateForm(TerritorySelectForm):
    title = SelectField(_l("Fonction"), choices=choices((t.value, label) for t, label in MANDATE_TITLE_LABELS.items()),
                        validators=[InputRequired(_l("Choisissez une fonction."))])


# --- administration -----------------------------------------------------------------

class PersonMandateForm(MandateForm):
    email = _email_field(_l("Adresse électronique de la personne élue"))


class OrganisationForm(FlaskForm):
    name = StringField(_l("Nom"), filters=[strip_filter], validators=[
        DataRequired(_l("Indiquez le nom de l'organisation.")), Length(max=200), reject_control_characters,
    ])
    kind = SelectField(_l("Type"), validators=[InputRequired(_l("Choisissez un type."))])
    fields = MultiCheckboxField(_l("Domaines"), validators=[])
    territory = SelectField(_l("Territoire"), coerce=_optional_int)
    website = URLField(_l("Site web (facultatif)"), filters=[strip_filter], validators=[
        Optional(), Length(max=300), URL(message=_l("Indiquez une adresse web complète, commençant par https://")),
    ])


class MemberForm(FlaskForm):
    email = _email_field(_l("Adresse électronique du nouveau membre"))


class ModeratorForm(TerritorySelectForm):
    email = _email_field(_l("Adresse électronique de la personne à nommer"))


class LoadTerritoryForm(FlaskForm):
    code = StringField(_l("Code SIREN de l'EPCI ou code du département"), filters=[strip_filter], validators=[
        DataRequired(_l("Indiquez un code, par exemple 200046977 (Métropole de Lyon) ou 69 (Rhône).")),
        Length(max=16),
    ])


class MarginsForm(FlaskForm):
    file = FileField(_l("Fichier CSV des marges (commune,sex,age_band,count)"), validators=[
        FileRequired(_l("Choisissez un fichier CSV.")),
    ])


class ConfirmForm(FlaskForm):
    """An empty form: a button that carries the CSRF token."""
