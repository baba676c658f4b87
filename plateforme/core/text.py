"""Small text helpers shared by domains."""
from __future__ import annotations

import unicodedata


def search_key(text: str) -> str:
    """Lower-case, accents and punctuation removed: the form names are searched in."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = "".join(ch if ch.isalnum() else " " for ch in letters.lower())
    return " ".join(cleaned.split())
