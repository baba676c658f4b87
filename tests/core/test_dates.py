"""Issue 19: dates as each language writes them: « 4 décembre 2026 » and « 1er décembre 2026 »
in French, "December 4, 2026" in English, wherever a date is shown (Python or template)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from flask_babel import force_locale

from plateforme.core.i18n import format_day, format_moment, format_when, semicolon_list
from plateforme.surveys.status import SurveyState, SurveyStatusView


@pytest.mark.parametrize("locale, expected", [
    ("fr", ("4 décembre 2026", "1er décembre 2026", "1er déc. 2026", "1er déc. 2026, 11:05", "a\u00a0; b")),
    ("en", ("December 4, 2026", "December 1, 2026", "Dec 1, 2026", "Dec 1, 2026, 11:05\u202fAM", "a; b")),
])
def test_dates_read_as_the_language_writes_them(app, locale, expected):
    moment = datetime(2026, 12, 1, 10, 5, tzinfo=timezone.utc)
    with app.test_request_context(), force_locale(locale):
        shown = (format_day(date(2026, 12, 4), "long"), format_day(date(2026, 12, 1), "long"),
                 format_day(date(2026, 12, 1)), format_moment(moment), semicolon_list(["a", "b"]))
        assert shown == expected
        assert "1er" not in format_day(date(2026, 12, 11), "long") and "1er" not in format_day(date(2026, 12, 21))
        assert format_when(moment, "long").startswith("1er décembre 2026" if locale == "fr" else "December 1, 2026")


@pytest.mark.parametrize("locale, expected", [
    ("fr", "ouvre le 1er septembre 2026"), ("en", "September 1, 2026"),
])
def test_a_status_worded_in_python_dates_as_the_language_does(app, locale, expected):
    """surveys/status.py words a status outside any template: the same dates there."""
    view = SurveyStatusView(state=SurveyState.UPCOMING, opens_on=date(2026, 9, 1), planned_close=date(2027, 6, 30),
                            collected_until=None, closed_early=False, published_on=None)
    with app.test_request_context(), force_locale(locale):
        assert expected in view.label
