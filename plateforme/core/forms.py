"""Form helpers shared by every domain."""
from __future__ import annotations

import unicodedata

from flask_babel import format_decimal, lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from ..territories.services import find_communes


class _ChoiceMessage:
    """Replace WTForms' generic "Not a valid choice" with a message that says what to do."""

    def __init__(self, *args, invalid_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message or _l("Choisissez une des options proposées.")

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self.invalid_message)


class ChoiceField(_ChoiceMessage, SelectField):
    """A select whose wrong value gets a message in the reader's language."""


class RadioChoiceField(_ChoiceMessage, RadioField):
    """Radio buttons whose unknown value gets a message in the reader's language."""


class Characters(Length):
    """`Length` whose message names its bounds as the reader writes numbers ("5 000" in
    French, "5,000" in English): the form states the same constants the services check,
    never a copy of them. The message may use %(min)s, %(max)s and %(length)s."""

    def __call__(self, form, field):
        length = len(field.data) if field.data else 0
        if length < self.min or (self.max != -1 and length > self.max):
            raise ValidationError(self.message % {"min": format_decimal(self.min), "max": format_decimal(self.max),
                                                  "length": format_decimal(length)})


class CommuneField(StringField):
    """A commune typed by name, postal code or INSEE code, resolved among loaded communes.

    After validation, `.commune` holds the Territory. When several communes match, the
    error lists them so the person can pick one (no JavaScript needed).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {}).update({"list": "communes-list", "autocomplete": "address-level2"})
        super().__init__(*args, **kwargs)
        self.commune = None
        self.candidates = []

    # The longest commune name with its postal code in brackets is about 60 characters.
    MAX_LENGTH = 120

    def pre_validate(self, form):
        value = (self.data or "").strip()
        if not value:
            return
        # Checked before the lookup: a name of thousands of characters makes a LIKE pattern
        # that SQLite refuses ("LIKE or GLOB pattern too complex"), a 500 instead of a message.
        if len(value) > self.MAX_LENGTH:
            raise ValidationError(_l("Ce nom de commune est trop long : 120 caractères au plus."))
        if any(not ch.isprintable() and unicodedata.category(ch) != "Zs" for ch in value):
            raise ValidationError(_l("Ce champ contient des caractères non autorisés."))
        matches = find_communes(value)
        if len(matches) == 1:
            self.commune = matches[0]
            return
        if not matches:
            raise ValidationError(_l("Aucune commune chargée ne correspond. Tapez le nom ou le code postal de votre commune."))
        self.candidates = matches
        raise ValidationError(_l("Plusieurs communes correspondent : choisissez-en une dans la liste."))


def strip_filter(value):
    """Surrounding spaces dropped, and NUL characters: no one types them, and PostgreSQL
    refuses them in text (a 500 instead of a saved comment)."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


def reject_control_characters(form, field):
    # Python counts no-break spaces (Zs) as unprintable, yet French typing puts them around
    # « » : ; ? ! — they are kept; control and format characters are refused.
    if field.data and any(not ch.isprintable() and unicodedata.category(ch) != "Zs" for ch in field.data):
        raise ValidationError(_l("Ce champ contient des caractères non autorisés."))


class BoundedIntegerField(IntegerField):
    """An integer whose range a NumberRange (always with a max) checks. NumberRange calls
    math.isnan(), which overflows (a 500) on integers of 300 digits or more: such numbers
    are brought down to ±10¹⁵, beyond every range the forms accept (and every database
    column), so NumberRange refuses them with its own message."""

    LIMIT = 10**15

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > self.LIMIT:
            self.data = self.LIMIT if self.data > 0 else -self.LIMIT


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select options."""
    return [SelectChoice(value, label) for value, label in pairs]


class DayField(DateField):
    """A calendar day: the browser's date picker sends 2026-03-31; without one, people type
    31/03/2026 as French dates are written. Both are accepted; the field renders the first."""

    def __init__(self, label=None, validators=None, format=("%Y-%m-%d", "%d/%m/%Y"), **kwargs):
        super().__init__(label, validators, format=list(format), **kwargs)

    def _value(self):
        # A date input only reads 2026-03-31: a day typed 31/03/2026 comes back in that form.
        if self.data is not None:
            return self.data.strftime(self.format[0])
        return super()._value()

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Saisissez une date valide, par exemple 31/03/2026."))


def confirmed(formdata) -> bool:
    """Whether a POST comes from a confirmation page (which alone sends confirm=yes): an
    irreversible act posted from anywhere else shows its confirmation page instead."""
    return formdata.get("confirm") == "yes"


def attach_error(form, error, prefix: str = "") -> None:
    """Show a service's refusal (an error with `.message` and `.field`) next to its field,
    or at the top of the form. Forms may prefix per-statement fields (answer_s1 for s1)."""
    for name in (f"{prefix}{error.field}", error.field):
        if error.field and name in form:
            form[name].errors = list(form[name].errors) + [error.message]
            return
    form.form_errors.append(error.message)
