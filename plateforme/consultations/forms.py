"""Consultation forms. Choices are filled by the views; every phase has two optional days."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..accounts.forms import MultiCheckboxField
from ..core.forms import DayField, choices, reject_control_characters, strip_filter
from ..core.forms import ChoiceField, RadioChoiceField
from ..observatory.forms import optional_int
from .labels import AUDIENCE_LABELS, PHASE_LABELS
from .models import PHASE_ORDER, PhaseKind


class CardsField(MultiCheckboxField):
    """Checkboxes of card ids; an id that is not offered gets a message in French."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "MultiCheckboxField"  # rendered by the shared macro as a fieldset of checkboxes

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_l("Une des fiches choisies n'est pas proposée : choisissez parmi les fiches "
                                     "publiées de vos territoires."))


def _card_id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # matches no option: the field's own message says what to do


class ConsultationForm(FlaskForm):
    title = StringField(_l("Titre"), filters=[strip_filter], validators=[
        DataRequired(_l("Donnez un titre à la consultation.")),
        Length(min=5, max=200, message=_l("Le titre doit compter entre 5 et 200 caractères.")),
        reject_control_characters,
    ], description=_l("Une question ou un sujet clair, par exemple « Quel accueil pour les étudiants étrangers ? »."))
    description = TextAreaField(_l("Présentation"), filters=[strip_filter], validators=[
        DataRequired(_l("Présentez la consultation : pourquoi elle est ouverte et ce qui sera fait des avis.")),
        Length(max=20000, message=_l("20 000 caractères au plus.")),
    ], description=_l("Pourquoi cette consultation, ce qui est en débat, ce que la collectivité fera des avis. "
                      "Mise en forme possible : **gras**, listes commençant par « - », liens."),
        render_kw={"rows": 8})
    territory = ChoiceField(_l("Territoire"), coerce=optional_int,
                            validators=[InputRequired(_l("Choisissez le territoire de la consultation."))],
                            invalid_message=_l("Choisissez l'un des territoires de vos mandats vérifiés ou l'une "
                                               "de leurs communes."),
                            description=_l("Le territoire de l'un de vos mandats vérifiés, ou l'une de ses communes."))
    audience = RadioChoiceField(_l("Qui peut participer ?"),
                                choices=choices((a.value, label) for a, label in AUDIENCE_LABELS.items()),
                                validators=[InputRequired(_l("Dites qui peut participer."))])
    cards = CardsField(_l("Fiches enjeux"), coerce=_card_id, validators=[], description=_l(
        "Une fiche au moins : les fiches publiées du territoire servent de base au débat."))
    survey = ChoiceField(_l("Questionnaire de perception (facultatif)"), coerce=optional_int,
                         validators=[Optional()],
                         invalid_message=_l("Choisissez l'un des questionnaires proposés, ou aucun."),
                         description=_l("Un questionnaire du même territoire. Si vous laissez vides les dates de la "
                                        "phase « Questionnaire », elle prend les dates du questionnaire."))

    def phase_fields(self, kind: PhaseKind):
        return self[f"{kind.value}_starts_on"], self[f"{kind.value}_ends_on"]

    def phase_values(self) -> dict:
        return {kind: tuple(f.data for f in self.phase_fields(kind)) for kind in PHASE_ORDER}

    def validate(self, extra_validators=None):
        """Field checks, then every phase-date problem next to its field, all at once."""
        from .services import phase_problems

        valid = super().validate(extra_validators)
        date_fields = [f for kind in PHASE_ORDER for f in self.phase_fields(kind)]
        if any(f.errors for f in date_fields):
            return False  # a malformed day: its own message says it
        for problem in phase_problems(self.phase_values()):
            self[problem.field].errors = list(self[problem.field].errors) + [problem.message]
            valid = False
        return valid


for _kind in PHASE_ORDER:
    setattr(ConsultationForm, f"{_kind.value}_starts_on",
            DayField(_l("%(phase)s : début", phase=PHASE_LABELS[_kind]), validators=[Optional()]))
    setattr(ConsultationForm, f"{_kind.value}_ends_on",
            DayField(_l("%(phase)s : fin (incluse)", phase=PHASE_LABELS[_kind]), validators=[Optional()]))


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Raison de l'annulation (publique)"), filters=[strip_filter], validators=[
        DataRequired(_l("Expliquez publiquement pourquoi la consultation est annulée.")),
        Length(min=10, max=2000, message=_l("Entre 10 et 2 000 caractères.")),
    ], description=_l("Elle sera affichée sur la page de la consultation, qui reste en ligne."),
        render_kw={"rows": 4})
