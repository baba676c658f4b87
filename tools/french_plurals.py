"""Fill the plural entries of the French catalogue from their source text.

    .venv/bin/python tools/french_plurals.py        (run by `make extract-messages`)

French is the source language, so its catalogue is left untranslated — except for plural
entries. An untranslated plural falls back to gettext's English rule (singular only for
n = 1), which prints "0 contributions reçues" where French says "0 contribution reçue"
(singular for 0 and 1: the catalogue's Plural-Forms is `plural=(n > 1)`). Copying the
singular and plural source texts into msgstr[0] and msgstr[1] makes French follow its
own rule. Entries already filled are left as they are.
"""
from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parent.parent / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def fill(path: Path = CATALOGUE) -> int:
    """Fill the empty French plural entries of `path`; returns how many were filled."""
    with path.open("rb") as source:
        catalogue = read_po(source, locale="fr")
    filled = 0
    for message in catalogue:
        if message.id and message.pluralizable and not any(message.string):
            singular, plural = message.id
            message.string = (singular, plural)
            filled += 1
    if filled:
        with path.open("wb") as target:
            write_po(target, catalogue)  # as `pybabel update` writes it: a small diff
    return filled


if __name__ == "__main__":
    print(f"French plural entries filled: {fill()}")
