"""Fill the French catalogue from the source text: plural entries, and French spacing.

    .venv/bin/python tools/french_plurals.py        (run by `make extract-messages`)

French is the source language, so its catalogue is left untranslated — except where the
source text alone would print something wrong:

- Plural entries. An untranslated plural falls back to gettext's English rule (singular only
  for n = 1), which prints "0 contributions reçues" where French says "0 contribution reçue"
  (singular for 0 and 1: the catalogue's Plural-Forms is `plural=(n > 1)`). Copying the
  singular and plural source texts into msgstr[0] and msgstr[1] makes French follow its
  own rule.
- Spacing. The source text is typed with ordinary spaces before « : ; ? ! » and inside « »;
  French wants them non-breaking (a narrow phone must not start a line with ": l'international").
  The French entry gets the source text with those spaces made non-breaking
  (plateforme.core.text.french_spacing). The msgids stay as typed, so the English catalogue
  and every other language keep matching them.

Entries already filled are only re-spaced.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plateforme.core.text import french_spacing  # noqa: E402

CATALOGUE = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def french_text(message) -> tuple[str, ...]:
    """What the French entry should say: its own text if any, else the source text, spaced. A
    plural is always its source: `pybabel update` keeps a plural's old French when only its
    plural form was rewritten (its key, the singular, is unchanged)."""
    sources = message.id if message.pluralizable else (message.id,)
    if message.pluralizable:
        return tuple(french_spacing(source) for source in sources)
    return (french_spacing(message.string or message.id),)


def fill(path: Path = CATALOGUE) -> int:
    """Fill the French entries of `path` that need it; returns how many changed."""
    with path.open("rb") as source:
        catalogue = read_po(source, locale="fr")
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        wanted = french_text(message)
        sources = message.id if message.pluralizable else (message.id,)
        if wanted == tuple(sources) and not message.pluralizable:
            wanted_string = message.string if message.string == french_spacing(message.string or "") else ""
            if message.string != wanted_string:
                message.string = wanted_string
                filled += 1
            continue  # nothing to correct: the entry stays untranslated, as French source text does
        new = wanted if message.pluralizable else wanted[0]
        if message.string != new:
            message.string = new
            filled += 1
    if filled:
        with path.open("wb") as target:
            write_po(target, catalogue)  # as `pybabel update` writes it: a small diff
    return filled


if __name__ == "__main__":
    print(f"French entries filled: {fill()}")
