"""Open-data export helpers."""
from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A CSV cell that no spreadsheet will run as a formula; None becomes an empty cell.

    Numbers are left alone (a negative gap is data, not a formula); text starting with
    a formula character gets a leading apostrophe.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
