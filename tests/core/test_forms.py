"""Shared form rules: what a French keyboard types is accepted, control characters are not."""
from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField

from plateforme.core.forms import reject_control_characters


class TitleForm(FlaskForm):
    class Meta:
        csrf = False

    title = StringField(validators=[reject_control_characters])


@pytest.mark.parametrize("title", [
    "Accueillir des étudiants étrangers ?",
    "Le «\u00a0jumelage\u00a0» : pour qui\u202f?",   # no-break and narrow no-break spaces
    "Cœur de ville — œuvres…",
])
def test_french_typography_is_accepted(app, title):
    with app.test_request_context(method="POST", data={"title": title}):
        form = TitleForm()
        assert form.validate(), form.errors
        assert form.title.data == title


@pytest.mark.parametrize("title", ["tab\tinside", "bell\x07", "right-to-left\u202eoverride", "nul\x00"])
def test_control_and_format_characters_are_refused(app, title):
    with app.test_request_context(method="POST", data={"title": title}):
        form = TitleForm()
        assert not form.validate()
        assert form.errors["title"] == ["Ce champ contient des caractères non autorisés."]


def test_a_day_is_read_from_the_date_picker_or_as_french_readers_type_it(app):
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict

    from plateforme.core.forms import DayField

    class DayForm(FlaskForm):
        day = DayField("Jour")

    with app.test_request_context(method="POST"):
        for typed in ("2026-03-31", "31/03/2026"):
            form = DayForm(formdata=MultiDict({"day": typed}), meta={"csrf": False})
            assert form.validate(), form.errors
            assert form.day.data.isoformat() == "2026-03-31"
            assert 'value="2026-03-31"' in form.day()  # what a date picker reads back
        form = DayForm(formdata=MultiDict({"day": "31/02/2026"}), meta={"csrf": False})
        assert not form.validate() and "par exemple 31/03/2026" in form.day.errors[0]
