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
# (Written so that a match starts at the space or the «: a look-behind made the scan 3× slower.)
_BREAKABLE = re.compile(r"([ \t\r\n]+)[:;?!»]|«([ \t\r\n]+)")
# Whole elements whose content is machine text, left untouched.
_MACHINE = re.compile(r"<(script|style|pre|code|textarea|kbd|samp)\b.*?</\1\s*>|<!--.*?-->",
                      re.DOTALL | re.IGNORECASE)
# Inside a tag, only the attributes people hear or see are prose.
_SPOKEN = re.compile(r'\s(?:aria-label|aria-description|title|alt|placeholder)="[^"]*$', re.IGNORECASE)
_BUTTON = re.compile(r'<input\b[^>]*\stype="(?:submit|button)"', re.IGNORECASE)
_VALUE = re.compile(r'\svalue="[^"]*$', re.IGNORECASE)


def _in_prose(html: str, position: int) -> bool:
    """Whether `position` is in visible text or a spoken attribute (outside any machine element)."""
    opened = html.rfind("<", 0, position)
    if opened <= html.rfind(">", 0, position):
        return True  # between tags: text
    tag = html[opened:position]
    if _SPOKEN.search(tag):
        return True
    return bool(_VALUE.search(tag)) and bool(_BUTTON.match(html, opened))


def french_page(html: str) -> str:
    """`html` with non-breaking spaces where French typography wants them, in prose only.

    Only the places that need a change are examined (a page has few): the whole page is
    scanned once by one regular expression, not cut into tags."""
    candidates = list(_BREAKABLE.finditer(html))
    if not candidates:
        return html
    machine = [match.span() for match in _MACHINE.finditer(html)]
    parts, position, index = [], 0, 0
    for match in candidates:
        group = 1 if match.group(1) else 2
        start, end = match.span(group)
        while index < len(machine) and machine[index][1] <= start:
            index += 1
        if index < len(machine) and machine[index][0] <= start:
            continue  # inside a script, a code sample, a text area…
        if _in_prose(html, start):
            parts.append(html[position:start])
            parts.append(NBSP)
            position = end
    parts.append(html[position:])
    return "".join(parts)


def finish_french_page(response: Response) -> Response:
    """`response` with its French page finished (once: the mark spares a second pass, e.g. for a
    page the cache kept already finished, core/page_cache.py)."""
    if (getattr(response, "french_finished", False) or response.mimetype != "text/html"
            or response.direct_passthrough or response.is_streamed
            or not str(get_locale() or "").startswith("fr")):
        return response
    html = response.get_data(as_text=True)
    finished = french_page(html)
    if finished != html:
        response.set_data(finished)
    response.french_finished = True
    return response


def register_french_typography(app) -> None:
    app.after_request(finish_french_page)
