"""Forms of the notifications pages: each is a confirmation button (its CSRF token)."""
from __future__ import annotations

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A button that confirms an action: mark all as read, stop the emails."""
