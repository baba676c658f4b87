"""What a reader sees, read without a browser: a breadth-first crawl of the site through the test
client, and the visible text of a page (text nodes and the attributes people hear or see).

Shared by the checks that read every page (typography, dates); the browser crawl
(tests/browser/test_no_sideways_scroll.py) measures layout and keeps its own walk."""
from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

# Every role the demo has an account for (README), as the crawls sign in: None is a visitor.
DEMO_ROLES = {
    "visitor": None,
    "resident": "habitant@demo.plateforme.example",
    "official": "elue@demo.plateforme.example",
    "moderator": "moderation@demo.plateforme.example",
    "partner": "partenaire@demo.plateforme.example",
    "admin": "admin@demo.plateforme.example",
}

# Addresses that are not pages: downloads, machine-readable data, signing out.
NOT_A_PAGE = re.compile(r"(\.(csv|json|pdf|ods|xlsx|zip|svg|png|ico|txt)$)|^/api/|/export|/telecharg|/deconnexion"
                        r"|/lettres|/openapi|^/static/")
# Read aloud by screen readers or shown on hover/in the field: as visible as the text itself.
SPOKEN_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder", "aria-description", "aria-roledescription"}
# Machine text (code samples) keeps its own spacing, and a text area holds what a person typed
# and is editing: it is saved as typed.
NOT_PROSE = {"script", "style", "code", "pre", "kbd", "samp", "template", "noscript", "textarea"}
# Where a line always ends: text on both sides is never read as one run.
BLOCKS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "section", "article", "header", "footer", "main", "nav",
          "aside", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "td", "th", "caption", "form", "fieldset",
          "legend", "label", "option", "select", "button", "br", "hr", "figure", "figcaption", "blockquote",
          "details", "summary", "title", "textarea", "input", "body", "head", "html", "thead", "tbody"}
VOID = {"br", "hr", "img", "input", "meta", "link", "source", "area", "base", "col", "embed", "wbr"}
SEPARATOR = "\x00"  # between runs: never a space, never a sign


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.runs: list[str] = []
        self.attributes: list[str] = []
        self._hidden = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (name in SPOKEN_ATTRIBUTES or (name == "value" and tag == "input"
                                                          and dict(attrs).get("type") in {"submit", "button"})):
                self.attributes.append(value)
        if tag in BLOCKS:
            self.runs.append(SEPARATOR)
        if tag in VOID:
            return
        self._stack.append(tag)
        if tag in NOT_PROSE:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self._stack:
            return
        while self._stack:
            open_tag = self._stack.pop()
            if open_tag in NOT_PROSE:
                self._hidden -= 1
            if open_tag == tag:
                break
        if tag in BLOCKS:
            self.runs.append(SEPARATOR)

    def handle_data(self, data):
        if not self._hidden:
            self.runs.append(data)


def visible_texts(html: str) -> list[str]:
    """The page's runs of visible text (inline tags joined, block tags apart), then its spoken
    attribute values, entities decoded."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    runs = [run for run in "".join(parser.runs).split(SEPARATOR) if run.strip()]
    return runs + parser.attributes


def _links(html: str) -> list[str]:
    return re.findall(r'<a\b[^>]*\bhref="([^"#]*)', html)


def crawl(client, starts=("/", "/plan-du-site"), *, max_pages: int = 90, per_pattern: int = 2,
          headers: dict | None = None):
    """Yield (path, html) for the same-origin HTML pages reached from `starts`, breadth first,
    at most `per_pattern` addresses of each shape (/debat/commentaires/12 and /13 are one page)."""
    queue = deque(starts)
    seen = set(queue)
    shapes: dict[str, int] = {}
    visited = 0
    while queue and visited < max_pages:
        path = queue.popleft()
        response = client.get(path, headers=headers)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        visited += 1
        html = response.get_data(as_text=True)
        yield path, html
        for href in _links(html):
            parts = urlsplit(href.replace("&amp;", "&"))
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or NOT_A_PAGE.search(parts.path):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link in seen:
                continue
            seen.add(link)
            shape = re.sub(r"\d+", "N", parts.path)
            if shapes.get(shape, 0) >= per_pattern:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(link)
