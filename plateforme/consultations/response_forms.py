"""Forms of the synthesis, the official response, its commitments and their progress updates.

The response form offers a fixed number of commitment fieldsets (no JavaScript needed): the
blank ones are ignored, a partly filled one must be complete. Its service re-checks all of it.
"""
from __future__ import annotations

from flask_babel import LazyString, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..accounts.forms import MultiCheckboxField
from ..core.forms import DayField, choices, reject_control_characters, strip_filter
from ..core.forms import ChoiceField, RadioChoiceField
from .models import CommitmentStatus
from .responses import INITIAL_STATUSES, CommitmentInput

COMMITMENT_FIELDSETS = 5

COMMITMENT_STATUS_LABELS = {
    CommitmentStatus.PLANNED: _l("prévu"),
    CommitmentStatus.IN_PROGRESS: _l("en cours"),
    CommitmentStatus.DONE: _l("tenu"),
    CommitmentStatus.ABANDONED: _l("abandonné"),
}

_MARKDOWN_HINT = _l("Mise en forme possible : **gras**, listes commençant par « - », liens.")


def _with_markdown_hint(text) -> LazyString:
    """`text` then the formatting hint, both translated when shown: `_l(a) + _l(b)` would join them
    once, in French, when the module loads (the English form showed them in French)."""
    return LazyString(lambda: str(text) + str(_MARKDOWN_HINT))


def _status_choices(statuses):
    return choices((s.value, COMMITMENT_STATUS_LABELS[s]) for s in statuses)


class ContributionsField(MultiCheckboxField):
    """Checkboxes of contribution ids whose refusals speak French like the rest of the form."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []
            raise ValueError(_l("Choisissez parmi les contributions proposées."))

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_l("Certaines contributions choisies ne sont pas proposées ici (elles ne sont plus "
                                     "visibles, ou appartiennent à une autre consultation)."))


class SynthesisForm(FlaskForm):
    body = TextAreaField(_l("La synthèse"), filters=[strip_filter], validators=[
        DataRequired(_l("Écrivez la synthèse.")),
        Length(min=20, max=20000, message=_l("Entre 20 et 20 000 caractères.")),
    ], description=_with_markdown_hint(_l("Ce qui a été dit, les points d'accord et de désaccord, les questions "
                                          "restées ouvertes. ")), render_kw={"rows": 14})
    # Choices are the consultation's visible contributions, filled by the view; an id that is
    # not among them is refused here, and the service checks again.
    comments = ContributionsField(_l("Commentaires sur lesquels s'appuie la synthèse"), coerce=int, validators=[])
    proposals = ContributionsField(_l("Propositions sur lesquelles s'appuie la synthèse"), coerce=int,
                                   validators=[])


class CommitmentFields(Form):
    """One commitment: every field optional on its own; a started fieldset must be complete."""

    title = StringField(_l("Titre de l'engagement"), filters=[strip_filter], validators=[
        Optional(), Length(min=5, max=200, message=_l("Le titre doit compter entre 5 et 200 caractères.")),
        reject_control_characters,
    ], description=_l("Ce que la collectivité fera, en une phrase."))
    description = TextAreaField(_l("Description"), filters=[strip_filter], validators=[
        Optional(), Length(max=20000, message=_l("20 000 caractères au plus.")),
    ], description=_MARKDOWN_HINT, render_kw={"rows": 4})
    owner = StringField(_l("Qui en répond"), filters=[strip_filter], validators=[
        Optional(), Length(max=200, message=_l("200 caractères au plus.")), reject_control_characters,
    ], description=_l("Le service, la direction ou la personne élue chargée de le tenir."))
    due_on = DayField(_l("Échéance"), validators=[Optional()])
    status = ChoiceField(_l("Statut de départ"), choices=_status_choices(INITIAL_STATUSES),
                         default=CommitmentStatus.PLANNED.value)

    def commitment_input(self) -> CommitmentInput:
        return CommitmentInput(title=self.title.data or "", description=self.description.data or "",
                               owner=self.owner.data or "", due_on=self.due_on.data,
                               status=self.status.data or CommitmentStatus.PLANNED.value)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        typed_day = bool(self.due_on.raw_data and str(self.due_on.raw_data[0]).strip())
        if self.commitment_input().is_blank and not typed_day:
            return valid
        for name, message in (("title", _l("Donnez un titre à l'engagement.")),
                              ("owner", _l("Dites qui répond de cet engagement.")),
                              ("due_on", _l("Indiquez l'échéance."))):
            if not self[name].data and not self[name].errors:
                self[name].errors = list(self[name].errors) + [message]
                valid = False
        return valid


class ResponseForm(FlaskForm):
    body = TextAreaField(_l("La réponse de la collectivité"), filters=[strip_filter], validators=[
        DataRequired(_l("Écrivez la réponse de la collectivité.")),
        Length(min=20, max=20000, message=_l("Entre 20 et 20 000 caractères.")),
    ], description=_with_markdown_hint(_l("Ce que la collectivité retient de la consultation et ce qu'elle fera. ")),
        render_kw={"rows": 14})
    commitments = FieldList(FormField(CommitmentFields), min_entries=COMMITMENT_FIELDSETS,
                            max_entries=COMMITMENT_FIELDSETS)
    no_commitment = BooleanField(_l("Cette réponse ne comporte aucun engagement"),
                                 description=_l("À cocher seulement si la collectivité ne s'engage à rien de précis : "
                                                "expliquez pourquoi dans la réponse."))

    def commitment_inputs(self) -> list[CommitmentInput]:
        return [entry.form.commitment_input() for entry in self.commitments]


class CommitmentForm(FlaskForm):
    """A commitment added to a published response: here every field but the description is required."""

    title = StringField(_l("Titre de l'engagement"), filters=[strip_filter], validators=[
        DataRequired(_l("Donnez un titre à l'engagement.")),
        Length(min=5, max=200, message=_l("Le titre doit compter entre 5 et 200 caractères.")),
        reject_control_characters,
    ], description=_l("Ce que la collectivité fera, en une phrase."))
    description = TextAreaField(_l("Description"), filters=[strip_filter], validators=[
        Optional(), Length(max=20000, message=_l("20 000 caractères au plus.")),
    ], description=_MARKDOWN_HINT, render_kw={"rows": 4})
    owner = StringField(_l("Qui en répond"), filters=[strip_filter], validators=[
        DataRequired(_l("Dites qui répond de cet engagement.")),
        Length(max=200, message=_l("200 caractères au plus.")), reject_control_characters,
    ], description=_l("Le service, la direction ou la personne élue chargée de le tenir."))
    # InputRequired, not DataRequired: a date typed wrongly keeps DayField's own message.
    due_on = DayField(_l("Échéance"), validators=[InputRequired(_l("Indiquez l'échéance."))])
    status = RadioChoiceField(_l("Statut de départ"), choices=_status_choices(INITIAL_STATUSES),
                              default=CommitmentStatus.PLANNED.value)

    def commitment_input(self) -> CommitmentInput:
        return CommitmentInput(title=self.title.data or "", description=self.description.data or "",
                               owner=self.owner.data or "", due_on=self.due_on.data,
                               status=self.status.data or CommitmentStatus.PLANNED.value)


class CommitmentUpdateForm(FlaskForm):
    body = TextAreaField(_l("Où en est l'engagement ?"), filters=[strip_filter], validators=[
        DataRequired(_l("Décrivez où en est l'engagement.")),
        Length(min=20, max=20000, message=_l("Entre 20 et 20 000 caractères.")),
    ], description=_with_markdown_hint(_l("Ce qui a été fait depuis le dernier point, ce qui reste, les "
                                          "difficultés. ")),
        render_kw={"rows": 8})
    status = RadioChoiceField(_l("Statut après ce point d'étape"), choices=_status_choices(CommitmentStatus),
                              validators=[DataRequired(_l("Choisissez le statut."))],
                              description=_l("« Tenu » et « abandonné » sont définitifs."))

    def validate_status(self, field):
        if field.data and field.data not in {s.value for s in CommitmentStatus}:
            raise ValidationError(_l("Choisissez un des statuts proposés."))
