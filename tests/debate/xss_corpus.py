"""The XSS corpus (tests/data/xss_payloads.txt) and the checks that stored or served HTML
left it inert. Shared by tests/debate/test_xss_corpus.py and tests/browser/test_xss_inert.py."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

from plateforme.core.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

CORPUS = Path(__file__).resolve().parent.parent / "data" / "xss_payloads.txt"

# Elements that must never come out of user content, wherever they appear in a page's body.
DANGEROUS_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "style", "link",
    "svg", "math", "img", "video", "audio", "source", "template", "noscript", "noembed", "xmp", "isindex",
    "keygen", "marquee", "details", "textarea", "select", "input", "button", "form",
})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "xlink:href", "background", "srcdoc"})
# What a browser strips before reading a scheme: ASCII whitespace and control characters.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg", "livescript:")


def load_payloads() -> list[str]:
    """The payloads, one per line (blank lines and "# " comments skipped)."""
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("# ") and line != "#"]


def dangerous_url(value: str | None) -> bool:
    """Whether a URL attribute would run code once the browser decoded it."""
    decoded = _IGNORED_IN_SCHEME.sub("", html.unescape(value or "")).lower()
    return decoded.startswith(DANGEROUS_SCHEMES)


class _Audit(HTMLParser):
    def __init__(self, allowed_tags: frozenset[str] | None):
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.problems: list[str] = []
        self.in_body = allowed_tags is not None  # a fragment is all body

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        if self.allowed_tags is not None and tag not in self.allowed_tags:
            self.problems.append(f"<{tag}> is not allowed")
        elif self.in_body and tag in DANGEROUS_TAGS and self.allowed_tags is None:
            # A full page: the site's own forms are fine, anything else in the list is not.
            if not (_site_control(tag, attrs) or _site_stylesheet(tag, attrs)):
                self.problems.append(f"<{tag}> in the page body")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and dangerous_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and self.allowed_tags is not None:
                self.problems.append(f"<{tag} style=…>")
            if self.allowed_tags is not None and name not in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}:
                self.problems.append(f"<{tag} {name}=…> is not an allowed attribute")

    handle_startendtag = handle_starttag


def _site_control(tag, attrs) -> bool:
    return tag in ("form", "input", "button", "textarea", "select") and not _hostile_attrs(attrs)


def _site_stylesheet(tag, attrs) -> bool:
    return tag == "link" and (dict(attrs).get("href") or "").startswith("/static/")


def _hostile_attrs(attrs) -> bool:
    return any(name.startswith("on") or (name in URL_ATTRIBUTES and dangerous_url(value)) for name, value in attrs)


def fragment_problems(fragment: str) -> list[str]:
    """What is wrong in sanitised user HTML: any tag or attribute outside the allow-list,
    event handlers, dangerous URLs."""
    audit = _Audit(frozenset(ALLOWED_TAGS))
    audit.feed(fragment)
    audit.close()
    return audit.problems


def page_problems(page: str) -> list[str]:
    """What in a whole page would run code: scripts and other active elements in the body
    (the site's own forms excepted), event handlers anywhere, dangerous URLs anywhere."""
    audit = _Audit(None)
    audit.feed(page)
    audit.close()
    return audit.problems
