"""Issue-card forms. Evidence choices depend on the territory: the view lists them, the
service checks the ids; messages say what to do next."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..core.forms import choices, reject_control_characters, strip_filter
from ..core.forms import ChoiceField, RadioChoiceField
from ..observatory.forms import optional_int
from .labels import POLITICAL_STATUS_LABELS


class IdListField(Field):
    """Ticked checkboxes' values, kept as typed: the service says which id it refuses and
    why, and the form shows the boxes ticked again when something else is wrong."""

    def process_formdata(self, valuelist):
        self.data = [str(v).strip() for v in valuelist if str(v).strip()]

    def process_data(self, value):
        self.data = [str(v) for v in (value or [])]

    def is_checked(self, value) -> bool:
        return str(value) in (self.data or [])


def _text(label, message=None, rows=4, description=None):
    validators = [DataRequired(message)] if message else [Optional()]
    validators.append(Length(max=10000, message=_l("10 000 caractères au plus.")))
    return TextAreaField(label, filters=[strip_filter], validators=validators, description=description,
                         render_kw={"rows": rows})


class CardForm(FlaskForm):
    territory = HiddenField()
    title = StringField(_l("Titre"), filters=[strip_filter], validators=[
        DataRequired(_l("Donnez un titre à la fiche.")),
        Length(min=5, max=200, message=_l("Le titre doit compter entre 5 et 200 caractères.")),
        reject_control_characters,
    ], description=_l("Le sujet en quelques mots, par exemple « L'accueil des étudiants étrangers »."))
    summary = _text(_l("En bref"), _l("Écrivez le résumé en langage courant."), rows=4,
                    description=_l("Quelques phrases simples, compréhensibles sans connaître le sujet."))
    stakes = _text(_l("Ce qui est en jeu"), rows=4,
                   description=_l("Pourquoi le sujet compte pour le territoire et ses habitantes et habitants."))
    known = _text(_l("Ce que l'on sait"), rows=5,
                  description=_l("Les faits établis. Cochez plus bas les constats et les chiffres de l'observatoire "
                                 "sur lesquels ils s'appuient : la fiche affichera leurs sources."))
    unknown = _text(_l("Ce que l'on ne sait pas"), rows=4,
                    description=_l("Les questions sans réponse, les données qui manquent."))
    questions = _text(_l("Questions pour le débat"), rows=4,
                      description=_l("Une question par ligne."))
    political_status = RadioChoiceField(
        _l("Place du sujet dans le débat local"),
        choices=choices((s.value, label) for s, label in POLITICAL_STATUS_LABELS.items()),
        validators=[InputRequired(_l("Dites si le sujet est consensuel, invisible ou clivant."))])
    findings = IdListField(_l("Constats cités"))
    values = IdListField(_l("Chiffres cités"))


class NewVersionForm(CardForm):
    change_note = StringField(_l("Ce qui change dans cette version"), filters=[strip_filter], validators=[
        DataRequired(_l("Dites en une phrase ce qui change dans cette nouvelle version.")),
        Length(max=500, message=_l("500 caractères au plus.")), reject_control_characters,
    ], description=_l("Une phrase, publique : elle figure dans l'historique de la fiche."))


class TerritoryStepForm(FlaskForm):
    """First step of a new card (sent by GET): the territory, which decides the evidence offered."""

    class Meta:
        csrf = False

    territoire = ChoiceField(_l("Territoire de la fiche"), coerce=optional_int,
                             validators=[InputRequired(_l("Choisissez le territoire."))],
                             description=_l("L'intercommunalité, une commune ou un arrondissement. Vous pourrez "
                                            "citer les constats et chiffres de ce territoire, de ses communes et de "
                                            "son intercommunalité."))


class ReviewForm(FlaskForm):
    decision = RadioChoiceField(_l("Votre décision"), choices=choices([
        ("publish", _l("Publier cette version")),
        ("return", _l("La renvoyer aux auteurs avec une remarque")),
    ]), validators=[InputRequired(_l("Choisissez de publier ou de renvoyer la version."))])
    note = TextAreaField(_l("Remarque pour les auteurs"), filters=[strip_filter], validators=[
        Optional(), Length(max=5000, message=_l("5 000 caractères au plus."))],
        description=_l("Obligatoire si vous renvoyez la version : ce qu'il faut revoir."), render_kw={"rows": 4})
