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
