"""Issue 19: French typography. Every message the interface can show in French has a
non-breaking space before « : ; ? ! » and inside « », so no line starts with the sign (the
mobile title that began ": l'international"). French is the source language: the check reads
every message of the source (Babel's extraction, as babel.cfg and `make extract-messages` do)
and what the French catalogue makes of it; `make extract-messages` fills the catalogue
(tools/french_plurals.py), so a new message typed with ordinary spaces fails here until then."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from plateforme.core.text import NBSP, breakable_sign_spaces, french_spacing

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}


def _source_messages() -> set[tuple[str, ...]]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, tuple) else (message,))
    return found


def _french_catalogue():
    with (ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale="fr")


def test_french_spacing_makes_the_spaces_before_signs_and_inside_quotes_non_breaking():
    assert french_spacing("Qui voit quoi ? « Lyon » : oui ; non !") == (
        f"Qui voit quoi{NBSP}? «{NBSP}Lyon{NBSP}»{NBSP}: oui{NBSP}; non{NBSP}!")
    assert french_spacing("Erreur : 12:30, https://exemple.fr/?q=1") == f"Erreur{NBSP}: 12:30, https://exemple.fr/?q=1"
    assert breakable_sign_spaces(french_spacing("Pourquoi ? Parce que : « oui »")) == []
    # « % » after a figure too (audit 19: « 17 % » could start a line with « % »).
    assert french_spacing("Intervalle à 95 %% : 17 %") == f"Intervalle à 95{NBSP}%%{NBSP}: 17{NBSP}%"


def test_no_french_message_has_a_breakable_space_before_a_sign():
    catalogue = _french_catalogue()
    offenders = []
    for ids in sorted(_source_messages()):
        entry = catalogue.get(ids[0])
        strings = ()
        if entry is not None:
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for index, source in enumerate(ids):
            shown = strings[index] if index < len(strings) and strings[index] else source
            if breakable_sign_spaces(shown):
                offenders.append(shown)
    assert not offenders, (f"{len(offenders)} French message(s) with a breakable space before « : ; ? ! » or "
                           "inside « » (run `make extract-messages`):\n  " + "\n  ".join(offenders[:40]))


def test_the_french_interface_prints_the_non_breaking_spaces(app):
    with app.test_request_context(), force_locale("fr"):
        assert gettext("Qui voit quoi ?") == f"Qui voit quoi{NBSP}?"
        assert gettext("Erreur :") == f"Erreur{NBSP}:"
    with app.test_request_context(), force_locale("en"):  # the English catalogue still matches the source
        assert gettext("Qui voit quoi ?") == "Who sees what?"


def test_english_messages_write_percentages_the_english_way():
    """French puts a (non-breaking) space before « % », English does not: "95% interval", as
    the English pages already write shares ("59%"). The feedback, comparison and waves texts
    carried the French « 95 % » into English."""
    import re

    with (ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="en")
    spaced = [text for message in catalogue if message.id
              for text in (message.string if isinstance(message.string, tuple) else (message.string,))
              if text and re.search(r"\d[ \u00a0\u202f]%", text)]
    assert spaced == []
