"""Small text helpers shared by domains."""
from __future__ import annotations

import re
import unicodedata


def search_key(text: str) -> str:
    """Lower-case, accents and punctuation removed: the form names are searched in."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = "".join(ch if ch.isalnum() else " " for ch in letters.lower())
    return " ".join(cleaned.split())


NBSP = "\u00a0"
# A breakable space before « : ; ? ! » or after «, or between a figure and « % » (« 95 % »):
# where a line may break and orphan the sign.
_BREAKABLE_BEFORE_SIGN = re.compile(r" (?=[:;?!»])|(?<=«) |(?<=\d) (?=%)")


def french_spacing(text: str) -> str:
    """French typography: the space before « : ; ? ! » and inside « » made non-breaking, so no
    line (a phone's narrow title) starts with the sign. The space after the sign stays breakable."""
    return _BREAKABLE_BEFORE_SIGN.sub(NBSP, text)


def breakable_sign_spaces(text: str) -> list[str]:
    """The places in `text` where French typography wants a non-breaking space (for checks)."""
    return [text[max(0, m.start() - 12):m.end() + 2] for m in _BREAKABLE_BEFORE_SIGN.finditer(text)]


def french_sort_key(text: str) -> tuple[str, str]:
    """Sort names as French readers expect: accents and case do not move a name ("Écully"
    between "Dardilly" and "Feyzin", not after "Villeurbanne" as code points put it); the
    name itself breaks ties, so the order is stable."""
    return search_key(text), text or ""
