"""Survey forms. Answer forms are built per survey, one radio group per statement."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.forms import BoundedIntegerField, ChoiceField, RadioChoiceField, DayField, choices, reject_control_characters, strip_filter
from ..core.urls import MAX_DATABASE_ID
from ..core.vocabulary import FLOW_KIND_LABELS
from .presentation import AGE_BAND_LABELS, ANSWER_LABELS, SEX_LABELS
from .services import statement_texts

MAX_FORM_STATEMENTS = 10
ESTIMATE_MIN, ESTIMATE_MAX = 0, 100  # "out of 100 residents, how many agree?"


def optional_int(value):
    """Select values as integers; the blank first option stays None, so InputRequired speaks."""
    if value in (None, "", "None"):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value  # matches no option: the field's own message says what to do
    # Beyond any database id, it is no option either; as a number it would reach the database
    # (the previous wave's select looks up what was sent) and fail there with a 500.
    return number if abs(number) <= MAX_DATABASE_ID else value


# --- fields with messages in the reader's language -----------------------------------

class WholeNumberField(BoundedIntegerField):
    """An integer typed by a person: a clear message when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Saisissez un nombre entier, sans virgule, par exemple 40."))



# --- creating a survey -----------------------------------------------------------------

SAMPLING_CHOICES = choices([
    ("open", _l("En ligne, ouvert : toute personne inscrite qui habite le territoire peut répondre")),
    ("panel", _l("Panel : des codes d'invitation à usage unique sont envoyés à un échantillon tiré au sort")),
])


def _theme_choices():
    return choices((kind.value, label) for kind, label in FLOW_KIND_LABELS.items())


class CreateSurveyForm(FlaskForm):
    title = StringField(_l("Titre du questionnaire"), filters=[strip_filter], validators=[
        DataRequired(_l("Donnez un titre au questionnaire.")),
        Length(min=3, max=200, message=_l("Le titre doit compter entre 3 et 200 caractères.")),
        reject_control_characters,
    ])
    introduction = TextAreaField(_l("Introduction"), filters=[strip_filter], validators=[
        Optional(), Length(max=10000, message=_l("L'introduction doit compter 10 000 caractères au plus.")),
    ], description=_l("Pourquoi ce questionnaire, qui le mène, ce que deviendront les résultats. "
                      "Mise en forme possible : **gras**, listes commençant par « - », liens."),
        render_kw={"rows": 6})
    territory = ChoiceField(_l("Territoire"), coerce=optional_int,
                            validators=[InputRequired(_l("Choisissez le territoire."))],
                            invalid_message=_l("Choisissez un territoire de la liste."))
    sampling_mode = RadioChoiceField(_l("Mode de recueil"), choices=SAMPLING_CHOICES, default="open",
                                     validators=[InputRequired(_l("Choisissez le mode de recueil."))])
    opens_at = DayField(_l("Date d'ouverture"),
                        validators=[InputRequired(_l("Indiquez la date d'ouverture."))])
    closes_at = DayField(_l("Date de clôture"), validators=[InputRequired(_l("Indiquez la date de clôture."))],
                         description=_l("Dernier jour où l'on peut répondre."))
    min_residents = WholeNumberField(
        _l("Seuil de publication : nombre minimal de réponses d'habitants"), default=11,
        validators=[InputRequired(_l("Indiquez un seuil.")),
                    NumberRange(5, 1000, _l("Le seuil doit être compris entre 5 et 1 000."))],
        description=_l("Aucun chiffre reposant sur moins de réponses n'est publié (11 par défaut)."))
    min_officials = WholeNumberField(
        _l("Seuil de publication : nombre minimal de réponses d'élus"), default=3,
        validators=[InputRequired(_l("Indiquez un seuil.")),
                    NumberRange(3, 100, _l("Le seuil doit être compris entre 3 et 100."))],
        description=_l("Les réponses des élus ne sont publiées qu'en agrégé (3 au moins)."))
    conducted_by = StringField(_l("Réalisé par"), filters=[strip_filter], validators=[
        Optional(), Length(max=200, message=_l("200 caractères au plus.")), reject_control_characters,
    ], description=_l("La collectivité, le service ou l'organisme qui mène le questionnaire ; "
                      "publié avec les résultats."))

    def statement_rows(self) -> list[tuple]:
        """(number, text field, theme field) for each statement row of the form."""
        return [(i, self[f"statement_{i}_text"], self[f"statement_{i}_theme"])
                for i in range(1, MAX_FORM_STATEMENTS + 1)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not any((text.data or "").strip() for _i, text, _theme in self.statement_rows()):
            first = self.statement_rows()[0][1]
            first.errors = list(first.errors) + [_l("Écrivez au moins une affirmation.")]
            valid = False
        return valid

    def definition(self, territory_code: str) -> dict:
        """The definition these answers describe; blank statement rows are left out,
        keys s1, s2, … follow the order of the rows kept."""
        kept = [(text.data.strip(), theme.data) for _i, text, theme in self.statement_rows()
                if (text.data or "").strip()]
        return {
            "title": self.title.data, "introduction": self.introduction.data or "", "territory": territory_code,
            "sampling_mode": self.sampling_mode.data,
            "opens_at": self.opens_at.data.isoformat() if self.opens_at.data else None,
            "closes_at": self.closes_at.data.isoformat() if self.closes_at.data else None,
            "min_residents": self.min_residents.data, "min_officials": self.min_officials.data,
            "conducted_by": self.conducted_by.data or "",
            "statements": [{"key": f"s{n}", "text": text, "theme": theme} for n, (text, theme) in enumerate(kept, 1)],
        }


for _number in range(1, MAX_FORM_STATEMENTS + 1):
    setattr(CreateSurveyForm, f"statement_{_number}_text", StringField(
        _l("Affirmation %(n)s", n=_number), filters=[strip_filter],
        validators=[Optional(),
                    Length(min=5, max=500, message=_l("Une affirmation compte entre 5 et 500 caractères.")),
                    reject_control_characters]))
    setattr(CreateSurveyForm, f"statement_{_number}_theme", ChoiceField(
        _l("Thème de l'affirmation %(n)s", n=_number), choices=_theme_choices(), default="other",
        invalid_message=_l("Ce thème n'existe pas : choisissez-en un dans la liste.")))


class ImportDefinitionForm(FlaskForm):
    file = FileField(_l("Fichier de définition (JSON)"), validators=[FileRequired(_l("Choisissez un fichier JSON."))],
                     render_kw={"accept": ".json,application/json"})
    territory = ChoiceField(_l("Territoire où mener ce questionnaire"), coerce=optional_int,
                            validators=[InputRequired(_l("Choisissez le territoire."))],
                            invalid_message=_l("Choisissez un territoire de la liste."),
                            description=_l("Il remplace le territoire inscrit dans le fichier."))


# --- answering ---------------------------------------------------------------------

def _answer_field(label, description=None):
    return RadioChoiceField(label, choices=choices(ANSWER_LABELS.items()), validators=[Optional()],
                            description=description,
                            invalid_message=_l("Choisissez une des réponses proposées."))


class ResidentAnswerForm(FlaskForm):
    """The statements, then the profile, are added per survey by `resident_answer_form`."""

    # Panel mode: the invitation code, checked again on submission. A label of its own:
    # WTForms' default label would load its translation catalogue from disk on every request.
    code = HiddenField(_l("Code d'invitation"))

    statement_keys: list[str] = []

    def answers(self) -> dict[str, str]:
        return {key: self[f"answer_{key}"].data for key in self.statement_keys if self[f"answer_{key}"].data}

    def estimates(self) -> dict[str, int | None]:
        return {key: self[f"estimate_{key}"].data for key in self.statement_keys}


def _profile_fields() -> dict:
    """Sex, age band and commune, created after the statements so that the error summary
    follows the order of the page."""
    return {
        "sex": RadioChoiceField(_l("Vous êtes"), choices=choices(SEX_LABELS.items()),
                                validators=[InputRequired(_l(
                                    "Indiquez si vous êtes une femme ou un homme, ou que vous préférez ne pas "
                                    "répondre."))]),
        "age_band": RadioChoiceField(_l("Votre âge"), choices=choices(AGE_BAND_LABELS.items()),
                                     validators=[InputRequired(_l("Indiquez votre tranche d'âge."))]),
        "commune": ChoiceField(_l("Votre commune de résidence"), coerce=optional_int,
                               validators=[InputRequired(_l("Choisissez votre commune."))],
                               invalid_message=_l("Choisissez une commune du territoire dans la liste.")),
    }


def resident_answer_form(survey, communes, **kwargs) -> ResidentAnswerForm:
    """The resident questionnaire of `survey`: an optional opinion and estimate per statement.
    `communes`: those one may choose (objects with `id` and `label`), in their order."""
    form_class = _resident_form_class(survey.id, statement_texts(survey))
    form = form_class(**kwargs)
    form.commune.choices = choices([("", _l("Choisissez votre commune"))] + [(c.id, c.label) for c in communes])
    return form


@dataclass(frozen=True)
class SubmittedAnswers:
    """A resident's valid submission, as the validated form gives it."""
    code: str                          # panel mode: the invitation code as sent ("" otherwise)
    sex: str
    age_band: str
    commune_id: int
    answers: dict[str, str]            # statement key → answer code, statements answered only
    estimates: dict[str, int | None]   # statement key → 0..100 or None, every statement

    @classmethod
    def from_form(cls, form: ResidentAnswerForm) -> SubmittedAnswers:
        return cls(code=form.code.data or "", sex=form.sex.data, age_band=form.age_band.data,
                   commune_id=form.commune.data, answers=form.answers(), estimates=form.estimates())


def _resident_form_class(survey_id: int, statements: tuple[tuple[str, str], ...]) -> type[ResidentAnswerForm]:
    """The form class of one questionnaire wording: one radio group and one estimate per statement."""

    class SurveyResidentForm(ResidentAnswerForm):
        statement_keys = [key for key, _text in statements]

    for number, (key, text) in enumerate(statements, 1):
        setattr(SurveyResidentForm, f"answer_{key}", _answer_field(text))
        setattr(SurveyResidentForm, f"estimate_{key}", WholeNumberField(
            _l("Sur 100 habitants de votre territoire, combien sont d'accord selon vous ? (affirmation %(n)s)",
               n=number),
            validators=[Optional(), NumberRange(ESTIMATE_MIN, ESTIMATE_MAX, _l("Indiquez un nombre entre 0 et 100."))],
            description=_l("Facultatif. Un nombre entier de 0 à 100."),
            render_kw={"inputmode": "numeric", "class": "input--short"}))
    for name, field in _profile_fields().items():
        setattr(SurveyResidentForm, name, field)
    return SurveyResidentForm


class OfficialAnswerForm(FlaskForm):
    statement_keys: list[str] = []

    def estimates(self) -> dict[str, int | None]:
        return {key: self[f"estimate_{key}"].data for key in self.statement_keys}

    def opinions(self) -> dict[str, str]:
        return {key: self[f"opinion_{key}"].data for key in self.statement_keys if self[f"opinion_{key}"].data}


def official_answer_form(survey, **kwargs) -> OfficialAnswerForm:
    """The officials' questionnaire: a required estimate and an optional own opinion per statement."""

    class SurveyOfficialForm(OfficialAnswerForm):
        statement_keys = [s.key for s in survey.statements]

    for number, statement in enumerate(survey.statements, 1):
        setattr(SurveyOfficialForm, f"estimate_{statement.key}", WholeNumberField(
            _l("Sur 100 habitants de votre territoire, combien sont d'accord ? (affirmation %(n)s)", n=number),
            validators=[InputRequired(_l("Donnez votre estimation, de 0 à 100.")),
                        NumberRange(0, 100, _l("Indiquez un nombre entre 0 et 100."))],
            description=_l("Un nombre entier de 0 à 100."),
            render_kw={"inputmode": "numeric", "class": "input--short"}))
        setattr(SurveyOfficialForm, f"opinion_{statement.key}", _answer_field(
            _l("Et vous-même, êtes-vous d'accord ? (affirmation %(n)s)", n=number), description=_l("Facultatif.")))
    return SurveyOfficialForm(**kwargs)


class InvitationCodeForm(FlaskForm):
    code = StringField(_l("Code d'invitation"), filters=[strip_filter], validators=[
        DataRequired(_l("Saisissez le code inscrit sur votre courrier.")), Length(max=40),
    ], description=_l("Dix lettres et chiffres, par exemple ABCD-EFGH-JK. "
                      "Les tirets et les espaces sont facultatifs."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"})


class ReceiptForm(FlaskForm):
    """The personal code an official noted when answering, typed on another browser."""
    receipt = StringField(_l("Votre code personnel"), filters=[strip_filter], validators=[
        DataRequired(_l("Saisissez le code personnel affiché quand vous avez répondu.")), Length(max=64),
    ], description=_l("Le code d'environ vingt caractères (lettres, chiffres, « - » et « _ ») affiché une seule "
                      "fois après l'envoi de vos estimations."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"})


# --- management --------------------------------------------------------------------

class GenerateCodesForm(FlaskForm):
    count = WholeNumberField(_l("Nombre de codes à créer"), validators=[
        InputRequired(_l("Indiquez le nombre de codes.")),
        NumberRange(1, 5000, _l("Indiquez un nombre de codes entre 1 et 5 000.")),
    ], render_kw={"inputmode": "numeric", "class": "input--short"})


class CsvImportForm(FlaskForm):
    file = FileField(_l("Fichier CSV"), validators=[FileRequired(_l("Choisissez un fichier CSV."))],
                     render_kw={"accept": ".csv,text/csv"})


class EstimatesImportForm(CsvImportForm):
    raise_total = BooleanField(
        _l("Relever le nombre de personnes élues"),
        description=_l("À cocher seulement si le territoire compte plus de personnes élues que les mandats vérifiés "
                       "sur la plateforme : le nombre total est alors porté au nombre de personnes élues qui ont "
                       "répondu, et le journal des imports le garde."))


class PublishForm(FlaskForm):
    change_note = TextAreaField(_l("Note de version publique"), filters=[strip_filter], validators=[
        Optional(), Length(max=2000, message=_l("2 000 caractères au plus.")),
    ], description=_l("Obligatoire pour une correction : ce qui change et pourquoi. "
                      "Elle sera publiée avec les résultats."),
        render_kw={"rows": 3})


class PreviousWaveForm(FlaskForm):
    """Which earlier survey this draft repeats. The list offers the sensible ones; any other
    number sent is checked by the service (waves.set_previous_wave), which says why not."""

    previous_wave = ChoiceField(
        _l("Vague précédente"), coerce=optional_int, validate_choice=False,
        description=_l("Un questionnaire clos ou publié du même territoire, qui a fini de recueillir ses réponses "
                       "avant l'ouverture de celui-ci. Les résultats de ce questionnaire montreront alors, "
                       "affirmation par affirmation (même clé), ce qui a changé depuis."))
