"""French typography on every French page as it leaves the server.

The catalogue gives each French message its non-breaking spaces (tools/french_plurals.py), but a
page also shows text no catalogue holds: what people wrote (a card's question, a comment, a
survey statement, quoted « … »), names joined to a colon in a template, a list built in Python.
A line may break before « : ; ? ! » or just inside « » in any of them and leave the sign alone at
the start of the next line (the phone title that began ": l'international"). So the French page is
finished here, once, as French publishing tools do: in its visible text and in the attributes
people hear or see (aria-label, title, alt, placeholder, a button's value), the spaces there become
non-breaking. Machine text keeps its spacing: scripts, styles, code samples, and the text areas
people edit (their words are saved as they typed them). English pages are left as they are."""
from __future__ import annotations

import re

from flask import Response
from flask_babel import get_locale

from .text import NBSP

# A run of breakable white space before « : ; ? ! » or after «; a line break counts (the
# browser folds it into a space where the line may break).
_BREAKABLE = re.compile(r"[ \t\r\n]+(?=[:;?!»])|(?<=«)[ \t\r\n]+")
# What is not prose: whole elements whose content is left untouched, comments, and tags.
_SEGMENTS = re.compile(r"(<(script|style|pre|code|textarea|kbd|samp)\b.*?</\2\s*>|<!--.*?-->|<[^>]*>)",
                       re.DOTALL | re.IGNORECASE)
_SPOKEN = re.compile(r'(\s(?:aria-label|aria-description|title|alt|placeholder)=")([^"]*)(")', re.IGNORECASE)
_BUTTON_VALUE = re.compile(r'(\svalue=")([^"]*)(")', re.IGNORECASE)


def _spaced(text: str) -> str:
    return _BREAKABLE.sub(NBSP, text)


def _tag(tag: str) -> str:
    if tag.startswith(("</", "<!")):
        return tag
    tag = _SPOKEN.sub(lambda m: m.group(1) + _spaced(m.group(2)) + m.group(3), tag)
    if re.match(r"<input\b", tag, re.IGNORECASE) and re.search(r'\stype="(submit|button)"', tag, re.IGNORECASE):
        tag = _BUTTON_VALUE.sub(lambda m: m.group(1) + _spaced(m.group(2)) + m.group(3), tag)
    return tag


def french_page(html: str) -> str:
    """`html` with non-breaking spaces where French typography wants them, in prose only."""
    parts = []
    position = 0
    for match in _SEGMENTS.finditer(html):
        parts.append(_spaced(html[position:match.start()]))
        segment = match.group(1)
        parts.append(segment if match.group(2) or segment.startswith("<!--") else _tag(segment))
        position = match.end()
    parts.append(_spaced(html[position:]))
    return "".join(parts)


def _finish_french_pages(response: Response) -> Response:
    if (response.mimetype != "text/html" or response.direct_passthrough or response.is_streamed
            or not str(get_locale() or "").startswith("fr")):
        return response
    html = response.get_data(as_text=True)
    finished = french_page(html)
    if finished != html:
        response.set_data(finished)
    return response


def register_french_typography(app) -> None:
    app.after_request(_finish_french_pages)
