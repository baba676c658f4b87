"""Open-data export helpers."""
from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A cell holding several values (domains, card ids, reviewing organisations, sources) has one
# value a line, in every file: the one separator no value can hold (names and sources are one
# line each), which Python's split() and splitlines(), pandas' str.split("\n") and a
# spreadsheet's line breaks all read. The JSON files and the API give lists instead.
LIST_SEPARATOR = "\n"


def joined(values) -> str:
    """Several values in one CSV cell (see LIST_SEPARATOR)."""
    return LIST_SEPARATOR.join(str(value) for value in values)


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
