"""Observatory forms. Choices are filled by the views; messages say what to do next."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..accounts.forms import MultiCheckboxField
from ..accounts.labels import FIELD_LABELS
from ..core.forms import BoundedIntegerField, ChoiceField, RadioChoiceField, DayField, choices, reject_control_characters, strip_filter
from ..core.vocabulary import FLOW_KIND_LABELS
from .labels import ACTION_KIND_LABELS, ACTION_STATUS_LABELS, CHARACTER_LABELS, DIRECTION_LABELS
from .models import DEFAULT_LICENCE


def optional_int(value):
    """Select values as integers; the blank option stays None, so InputRequired speaks."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return value  # matches no option: the field's own message says what to do


# The budget column is a 32-bit integer; no local authority's yearly action abroad nears this.
BUDGET_MAX_EUR = 2_000_000_000


class WholeNumberField(BoundedIntegerField):
    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].replace(" ", "").replace("\u00a0", "").replace("\u202f", "")]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Saisissez un nombre entier d'euros, sans centimes, par exemple 25000."))



def flow_kind_choices():
    return choices((kind.value, label) for kind, label in FLOW_KIND_LABELS.items())


def field_choices():
    return choices((area.value, label) for area, label in FIELD_LABELS.items())


def _licence_field():
    return StringField(_l("Licence"), filters=[strip_filter], default=DEFAULT_LICENCE, validators=[
        DataRequired(_l("Indiquez la licence de réutilisation.")), Length(max=120), reject_control_characters,
    ], description=_l("Licence Ouverte 2.0 par défaut : chacun peut réutiliser en citant la source."))


# --- findings -------------------------------------------------------------------------

class FindingForm(FlaskForm):
    organisation = ChoiceField(_l("Organisation qui produit le constat"), coerce=optional_int,
                               validators=[InputRequired(_l("Choisissez votre organisation."))])
    title = StringField(_l("Titre"), filters=[strip_filter], validators=[
        DataRequired(_l("Donnez un titre au constat.")),
        Length(min=5, max=200, message=_l("Le titre doit compter entre 5 et 200 caractères.")),
        reject_control_characters,
    ], description=_l("Une phrase qui dit ce que l'on constate, par exemple « Les étudiants étrangers se "
                      "concentrent à Lyon et Villeurbanne »."))
    body = TextAreaField(_l("Le constat"), filters=[strip_filter], validators=[
        DataRequired(_l("Écrivez le constat.")), Length(max=20000, message=_l("20 000 caractères au plus.")),
    ], description=_l("Ce que l'on observe, à quelle échelle, avec quels chiffres. Mise en forme possible : "
                      "**gras**, listes commençant par « - », liens."), render_kw={"rows": 10})
    flow_kind = RadioChoiceField(_l("Type de flux"), choices=flow_kind_choices(),
                                 validators=[InputRequired(_l("Choisissez le type de flux."))])
    direction = RadioChoiceField(_l("Sens du flux"),
                                 choices=choices((d.value, label) for d, label in DIRECTION_LABELS.items()),
                                 validators=[InputRequired(_l("Choisissez le sens du flux."))])
    character = RadioChoiceField(_l("Internationalisation voulue ou subie ?"),
                                 choices=choices((c.value, label) for c, label in CHARACTER_LABELS.items()),
                                 validators=[InputRequired(_l("Dites si elle est voulue, subie ou les deux."))])
    fields = MultiCheckboxField(_l("Domaines"), choices=field_choices(), validators=[])
    territory = ChoiceField(_l("Territoire"), coerce=optional_int,
                            validators=[InputRequired(_l("Choisissez le territoire."))],
                            description=_l("L'intercommunalité ou la commune observée."))
    period = StringField(_l("Période"), filters=[strip_filter], validators=[
        DataRequired(_l("Indiquez la période observée.")), Length(max=60), reject_control_characters,
    ], description=_l("Une année ou deux, par exemple « 2023 » ou « 2019–2024 »."))
    method = TextAreaField(_l("Méthode"), filters=[strip_filter], validators=[
        Optional(), Length(max=5000, message=_l("5 000 caractères au plus.")),
    ], description=_l("Comment le constat a été établi : enquête, exploitation de fichiers, entretiens…"),
        render_kw={"rows": 3})
    sources = TextAreaField(_l("Sources"), filters=[strip_filter], validators=[
        Optional(), Length(max=5000, message=_l("5 000 caractères au plus.")),
    ], description=_l("Une source par ligne : un lien (https://…) ou une référence. Obligatoire pour soumettre."),
        render_kw={"rows": 4})
    licence = _licence_field()
    change_note = StringField(_l("Ce qui a changé depuis la relecture"), filters=[strip_filter], validators=[
        Optional(), Length(max=500, message=_l("500 caractères au plus.")), reject_control_characters,
    ], description=_l("Une phrase, montrée dans l'historique du constat."))

    def validate_period(self, field):
        """Checked with the other fields, so every error shows at once."""
        from .services import ObservatoryError, parse_period

        try:
            parse_period(field.data or "")
        except ObservatoryError as error:
            raise ValidationError(error.message)


class ReviewForm(FlaskForm):
    decision = RadioChoiceField(_l("Votre décision"), choices=choices([
        ("approve", _l("J'approuve : le constat est sourcé et peut être publié")),
        ("request_changes", _l("Je demande des modifications")),
    ]), validators=[InputRequired(_l("Choisissez d'approuver ou de demander des modifications."))])
    comment = TextAreaField(_l("Commentaire"), filters=[strip_filter], validators=[
        Optional(), Length(max=5000, message=_l("5 000 caractères au plus.")),
    ], description=_l("Public, dans l'historique du constat. Obligatoire si vous demandez des modifications."),
        render_kw={"rows": 5})


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Raison du retrait"), filters=[strip_filter], validators=[
        DataRequired(_l("Expliquez pourquoi le constat est retiré.")),
        Length(min=10, max=2000, message=_l("Entre 10 et 2 000 caractères.")),
    ], description=_l("Publique : elle reste affichée sur la page du constat."), render_kw={"rows": 4})


# --- indicators -----------------------------------------------------------------------

class IndicatorForm(FlaskForm):
    organisation = ChoiceField(_l("Organisation qui produit l'indicateur"), coerce=optional_int,
                               validators=[InputRequired(_l("Choisissez votre organisation."))])
    name = StringField(_l("Nom"), filters=[strip_filter], validators=[
        DataRequired(_l("Donnez un nom à l'indicateur.")), Length(min=3, max=200), reject_control_characters,
    ], description=_l("Par exemple « Étudiantes et étudiants étrangers inscrits »."))
    unit = StringField(_l("Unité"), filters=[strip_filter], validators=[
        DataRequired(_l("Indiquez l'unité, par exemple « personnes », « établissements » ou « % ».")),
        Length(max=60), reject_control_characters,
    ])
    flow_kind = ChoiceField(_l("Type de flux"), choices=flow_kind_choices(),
                            validators=[InputRequired(_l("Choisissez le type de flux."))])
    additive = BooleanField(_l("Les valeurs des communes s'additionnent pour donner celle de l'intercommunalité"),
                            description=_l("Oui pour un nombre (personnes, entreprises) ; non pour un taux, une part "
                                           "ou une médiane."))
    definition = TextAreaField(_l("Définition"), filters=[strip_filter], validators=[
        DataRequired(_l("Définissez ce qui est compté.")), Length(max=5000),
    ], render_kw={"rows": 3})
    method = TextAreaField(_l("Méthode"), filters=[strip_filter], validators=[Optional(), Length(max=5000)],
                           description=_l("Comment les valeurs sont obtenues, leurs limites."), render_kw={"rows": 3})
    licence = _licence_field()


class ValueForm(FlaskForm):
    territory = ChoiceField(_l("Territoire"), coerce=optional_int,
                            validators=[InputRequired(_l("Choisissez le territoire."))])
    period = StringField(_l("Année"), filters=[strip_filter], validators=[
        DataRequired(_l("Indiquez l'année, par exemple 2024.")), Length(max=4, message=_l("Quatre chiffres."))],
        render_kw={"inputmode": "numeric"})
    value = StringField(_l("Valeur"), filters=[strip_filter], validators=[
        DataRequired(_l("Indiquez la valeur.")), Length(max=30)], render_kw={"inputmode": "decimal"},
        description=_l("Un nombre, par exemple 1250 ou 12,5. Une valeur déjà saisie pour ce territoire et cette "
                       "année est remplacée."))
    source = StringField(_l("Source"), filters=[strip_filter], validators=[
        DataRequired(_l("Indiquez la source de la valeur.")), Length(max=500), reject_control_characters])
    note = StringField(_l("Note (facultative)"), filters=[strip_filter], validators=[
        Optional(), Length(max=500), reject_control_characters])


class ImportValuesForm(FlaskForm):
    file = FileField(_l("Fichier CSV (territory_code,period,value,note)"), validators=[
        FileRequired(_l("Choisissez un fichier CSV."))],
        description=_l("UTF-8, virgule ou point-virgule. territory_code : code INSEE de la commune ou SIREN de "
                       "l'intercommunalité ; period : l'année (2024) ; value : un nombre ; note : facultative."))
    source = StringField(_l("Source des valeurs"), filters=[strip_filter], validators=[
        DataRequired(_l("Indiquez la source des valeurs importées.")), Length(max=500), reject_control_characters],
        description=_l("Appliquée à chaque ligne, sauf si le fichier a une colonne « source »."))


# --- external action ------------------------------------------------------------------

class ExternalActionForm(FlaskForm):
    title = StringField(_l("Intitulé"), filters=[strip_filter], validators=[
        DataRequired(_l("Donnez un intitulé.")), Length(min=3, max=200), reject_control_characters])
    kind = ChoiceField(_l("Type d'action"),
                       choices=choices((k.value, label) for k, label in ACTION_KIND_LABELS.items()),
                       validators=[InputRequired(_l("Choisissez le type d'action."))])
    partner_country = StringField(_l("Pays partenaire"), filters=[strip_filter], validators=[
        DataRequired(_l("Indiquez le pays partenaire.")), Length(max=100), reject_control_characters])
    partner_city = StringField(_l("Ville ou collectivité partenaire (facultatif)"), filters=[strip_filter],
                               validators=[Optional(), Length(max=100), reject_control_characters])
    status = ChoiceField(_l("État"), choices=choices((s.value, label) for s, label in ACTION_STATUS_LABELS.items()),
                         validators=[InputRequired(_l("Choisissez l'état de l'action."))])
    budget_eur = WholeNumberField(_l("Budget annuel en euros (facultatif)"), validators=[
        Optional(), NumberRange(min=0, max=BUDGET_MAX_EUR,
                                  message=_l("Indiquez un budget entre 0 et 2 milliards d'euros."))])
    start_date = DayField(_l("Date de début (facultative)"), validators=[Optional()])
    end_date = DayField(_l("Date de fin (facultative)"), validators=[Optional()])
    organisation = ChoiceField(_l("Organisation qui porte l'action (facultatif)"), coerce=optional_int,
                               validators=[Optional()])
    description = TextAreaField(_l("Description"), filters=[strip_filter], validators=[
        Optional(), Length(max=10000)], render_kw={"rows": 5},
        description=_l("Objectifs, partenaires, résultats. Mise en forme possible : **gras**, listes, liens."))
