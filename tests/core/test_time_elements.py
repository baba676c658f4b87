"""Issue 23: every <time datetime="…"> on the pages is a valid HTML date or time string (the
Nu checker refused « 12:47:28.100569+00:00 »: HTML allows at most three decimals of a second).
The check reads the pages each role reaches on the demo (tests/page_crawl.py)."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from plateforme.core.i18n import html_datetime

from ..factories import sign_in
from ..page_crawl import DEMO_ROLES, crawl
from .test_rendered_typography import demo  # noqa: F401  (the demo loaded, its password)

# HTML's date and time microsyntaxes (WHATWG HTML, « Dates and times »): a year, month, date,
# yearless date, time, local or global date and time, week, time-zone offset; durations apart.
_DATE = r"\d{4,}-\d{2}-\d{2}"
_TIME = r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?"
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})"
HTML_DATETIME = re.compile(rf"\d{{4,}}-\d{{2}}|{_DATE}|\d{{2}}-\d{{2}}|{_TIME}|{_DATE}[T ]{_TIME}{_OFFSET}?"
                           rf"|{_OFFSET}|\d{{4,}}-W\d{{2}}|\d{{4,}}")
TIME_ELEMENT = re.compile(r'<time\b[^>]*\bdatetime="([^"]*)"')


def valid_html_datetime(value: str) -> bool:
    """The value's form is one HTML allows, and its numbers make a real moment."""
    if not HTML_DATETIME.fullmatch(value):
        return False
    if "-" in value[4:] and ":" in value or re.fullmatch(_DATE, value):
        try:
            datetime.fromisoformat(value.replace(" ", "T").replace("Z", "+00:00"))
        except ValueError:
            return False
    return True


def test_the_check_knows_htmls_forms():
    assert all(valid_html_datetime(v) for v in ("2026-12-01", "2026-12-01T10:05:00Z", "2026-12-01T10:05:00.123+01:00",
                                                "2026-12-01 10:05", "10:05", "2026-12", "2026"))
    assert not any(valid_html_datetime(v) for v in ("2026-12-01T12:47:28.100569+00:00", "2026-13-01",
                                                    "2026-02-30T10:05Z", "1er décembre", ""))


def test_moments_are_written_in_utc_to_the_second():
    moment = datetime(2026, 12, 1, 13, 47, 28, 100569, tzinfo=timezone(timedelta(hours=1)))
    assert html_datetime(moment) == "2026-12-01T12:47:28Z"
    assert html_datetime(datetime(2026, 12, 1, 12, 47, 28, 5)) == "2026-12-01T12:47:28Z"  # naive: UTC
    assert html_datetime(date(2026, 12, 1)) == "2026-12-01"


def test_every_time_element_on_the_pages_has_a_valid_datetime(app, demo):  # noqa: F811
    invalid: dict[str, str] = {}
    seen = 0
    for role in ("visitor", "resident", "moderator"):
        client = app.test_client()
        if DEMO_ROLES[role]:
            sign_in(client, DEMO_ROLES[role], demo)
        for path, html in crawl(client, max_pages=60):
            for value in TIME_ELEMENT.findall(html):
                seen += 1
                if not valid_html_datetime(value):
                    invalid.setdefault(value, f"[{role}] {path}")
    assert seen >= 20, f"only {seen} <time> elements reached: the check would prove nothing"
    assert not invalid, f"invalid <time datetime> values: {invalid}"
