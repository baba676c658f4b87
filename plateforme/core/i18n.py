"""Locale choice and locale-aware formatting.

French is the source language. The locale comes from the person's own choice (their
profile when signed in, else the session), then from the browser's Accept-Language.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache

from babel import Locale
from flask import current_app, has_request_context, request, session
from markupsafe import Markup
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale
from flask_login import current_user

from .text import NBSP


class SourceText(str):
    """A French text formatted from a catalogue message (see N_): it reads as the French text,
    and keeps the message and its values so that a page can still translate it."""

    message: str
    values: dict


def N_(message: str, **values) -> str:
    """Mark `message` for extraction (`pybabel -k N_`) without translating it: for texts that stay
    French where they are written (the OpenAPI document, one canonical text) and are translated
    only where a page shows them, with gettext. With `values`, the message formatted, as a
    SourceText that remembers both (a formatted text is in no catalogue)."""
    if not values:
        return message
    text = SourceText(message % values)
    text.message, text.values = message, values
    return text


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work speak the source language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def format_moment(value) -> str:
    """A date and time to the minute, as the reader's language writes it: « 23 nov. 2026,
    14:05 », « Nov 23, 2026, 2:05 PM » (Babel's « medium » date and time would add the
    seconds, which nobody reads)."""
    # One Babel pattern per language, so each date is converted and formatted once (a
    # debate page shows dozens): the medium date-time layout around the medium date and the
    # short time.
    return _first_of_month(format_datetime(value, _moment_pattern(str(get_locale()))))


@lru_cache(maxsize=8)
def _moment_pattern(locale_name: str) -> str:
    locale = Locale.parse(locale_name)
    return locale.datetime_formats["medium"].format(locale.time_formats["short"].pattern,
                                                    locale.date_formats["medium"].pattern)


def _first_of_month(text: str) -> str:
    """French writes the first of the month « 1er septembre », never « 1 septembre »."""
    if str(get_locale()).startswith("fr"):
        text = re.sub(r"(?<![\d,.])1(?=[ \u00a0\u202f][^\d\s])", "1er", text, count=1)
    return text


def format_day(value, format: str = "medium") -> str:
    """A date as the reader's language writes it: « 4 décembre 2026 », « 1er décembre 2026 »,
    "December 4, 2026". Every date shown to people goes through here (or format_when)."""
    return _first_of_month(format_date(value, format))


def format_when(value, format: str = "medium") -> str:
    """A date and time as the reader's language writes it, « 1er » included in French."""
    return _first_of_month(format_datetime(value, format))


def html_datetime(value) -> str:
    """The `datetime` attribute of a <time>: a date as is, a moment in UTC to the second
    (« 2026-12-01T10:05:00Z »). HTML allows at most three decimals of a second, and
    isoformat() writes six; nobody needs more than the second here."""
    if isinstance(value, datetime):
        if value.tzinfo is None:  # every *_at column is UTC (core/database.py UTCDateTime)
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    return value.isoformat()


# A Y before a vowel is heard as a consonant: « de Yanis », « de Yaël », but « d'Yves ».
_DE_BEFORE_VOWEL = re.compile(r"\bde (?=[AEIOUÀÂÄÉÈÊËÎÏÔÖÛÜŒ]|Y(?![aeiouyàâäéèêëîïôöùûüœ]))")


def french_elision(text: str) -> str:
    """« de » before a name that starts with a vowel, elided as French writes it: « Commentaire
    d'Alex Habitant », « Membre d'Agence… », never « de Alex ». For sentences that put a person's
    or an organisation's name after « de » (the name is only known at run time); capitals only, so
    only names are touched. English is left as it is."""
    if not str(get_locale()).startswith("fr"):
        return text
    elided = _DE_BEFORE_VOWEL.sub("d'", str(text))
    return Markup(elided) if isinstance(text, Markup) else elided


def quoted(text) -> Markup:
    """A quotation as the reader's language marks it: « … » in French (non-breaking spaces
    inside), “…” in English. Escapes `text` unless it is already markup."""
    inner = text if isinstance(text, Markup) else Markup.escape(str(text))
    if str(get_locale()).startswith("fr"):
        return Markup("«\u00a0") + inner + Markup("\u00a0»")
    return Markup("“") + inner + Markup("”")


def semicolon() -> str:
    """The semicolon that ends a list item in a sentence: « … ; » in French, "…;" in English."""
    return "\u00a0;" if str(get_locale()).startswith("fr") else ";"


def semicolon_list(items) -> str:
    """Items one after the other, as the reader's language separates them: « a ; b » in French
    (a non-breaking space before the semicolon), "a; b" in English."""
    separator = "\u00a0; " if str(get_locale()).startswith("fr") else "; "
    return separator.join(items)


def whole_percent(value, decimals: int = 0) -> str:
    """A share as a percentage as the reader's language writes it: « 59 % » (the space a
    non-breaking one, so « % » never starts a line), "59%"; with `decimals`, up to that many
    digits after the separator (« 0,0123 % »)."""
    digits = "." + "#" * decimals if decimals else ""
    pattern = f"#,##0{digits}\u00a0%" if _is_french() else f"#,##0{digits}%"
    return format_percent(value, pattern)


def quantity(value, unit: str, formatted: str | None = None) -> str:
    """A figure and its unit (`formatted`: the figure already written, else the locale's).
    A unit is stored once, as typed, in the plural (« associations »): where the reader's
    language wants the singular (French below 2, English at exactly 1) a word unit goes in
    parentheses, « 1 (associations) », rather than « 1 associations »; « 1 € » is unchanged."""
    if value is None:
        return formatted or "—"  # no figure: nothing to agree with
    formatted = format_decimal(value) if formatted is None else formatted
    if not unit:
        return formatted
    french = _is_french()
    if unit == "%" and not french:
        return f"{formatted}%"  # "59%", as whole_percent writes it
    singular = abs(value) < 2 if french else value == 1
    if singular and any(c.isalpha() for c in unit):
        unit = f"({unit})"
    # French keeps a figure and its unit on one line (« 5 159 personnes », « 7 % »).
    return f"{formatted}{NBSP if french else ' '}{unit}"


def _is_french() -> bool:
    return str(get_locale()).startswith("fr")


CONTENT_LANG = "fr"


def register_template_helpers(app) -> None:
    """Make locale-aware formatters available in every template."""
    from .sanitize import markdown_to_plain_text

    app.jinja_env.filters["plain_text"] = markdown_to_plain_text
    app.jinja_env.filters["elide"] = french_elision
    app.jinja_env.filters["quoted"] = quoted
    app.jinja_env.filters["html_datetime"] = html_datetime
    app.jinja_env.globals.update(
        format_date=format_day,
        licence_words=licence_words,
        format_datetime=format_when,
        format_moment=format_moment,
        format_number=format_decimal,
        format_percent=format_percent,
        whole_percent=whole_percent,
        quantity=quantity,
        semicolon=semicolon,
        current_locale=lambda: str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
        # The language of what people write (titles, comments, cards, proposals, demo texts):
        # stored with no language of its own, it is French by construction (a French platform,
        # French forms). Templates put lang="{{ content_lang }}" on it, so that an English page
        # has it read with French pronunciation (WCAG 3.1.2, language of parts).
        content_lang=CONTENT_LANG,
    )


def licence_words(name: str) -> str:
    """A licence as a sentence names it: « Licence Ouverte 2.0 » as is (never « licence Licence
    Ouverte »), « licence CC BY 4.0 » for a name without the word."""
    from flask_babel import gettext as _

    name = (name or "").strip()
    return name if name.lower().startswith(("licence", "license")) else _("licence %(name)s", name=name)
