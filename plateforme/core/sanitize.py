"""The one place where user content becomes HTML.

User text is markdown. It is rendered by markdown-it-py with raw HTML disabled, then
cleaned by nh3 against a strict allow-list. This runs once, when content is written;
the stored HTML is then shown as is. (nh3, a binding to the Rust `ammonia` crate,
replaces bleach, whose maintainers ended it on 2026-06-05 with no more security fixes.)
"""
from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "hr",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

# Headings in user content start at h3: the page owns h1 and h2.
_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .disable("image")
)


def _shift_headings(html: str) -> str:
    for level in (6, 5, 4, 3, 2, 1):
        target = min(level + 2, 4)
        html = html.replace(f"<h{level}>", f"<h{target}>").replace(f"</h{level}>", f"</h{target}>")
    return html


# Built once: nh3 compiles the allow-list into a sanitiser (half the cost of each cleaning).
_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel="nofollow noopener ugc",
    strip_comments=True,
)


# One line of words and harmless punctuation, starting with a letter and not ending with a
# space: no markdown construct can start there (no list, heading, emphasis, link, entity,
# code or HTML), so CommonMark renders it as one paragraph with only `"` escaped. Most
# comments are such lines; they skip the parser (about 35 µs each). tests/core/test_sanitize.py
# compares both ways on generated text.
_PLAIN_PARAGRAPH = re.compile(r"""[^\W\d_](?:[^\W_]|[ .,;:'’?!%€°«»()/"=+@$£-])*(?<! )""")


def _render(text: str) -> str:
    if _PLAIN_PARAGRAPH.fullmatch(text):
        return "<p>" + text.replace('"', "&quot;") + "</p>\n"
    return _shift_headings(_markdown.render(text))


def markdown_to_safe_html(text: str) -> str:
    """Render markdown to HTML that is safe to show without escaping."""
    if not text:
        return ""
    return _cleaner.clean(_render(text))


def clean_line(text: str | None) -> str:
    """A one-line field (name, title): control characters dropped, spaces collapsed.

    Markup is not removed here: templates escape it when showing it.
    """
    if not text:
        return ""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())


def markdown_to_plain_text(text: str) -> str:
    """What a reader sees of markdown, as plain text on one line: for quotes and excerpts,
    which must show neither markup (`**`) nor HTML. Templates escape the result."""
    import html

    if not text:
        return ""
    rendered = _cleaner.clean(_render(text))
    words = re.sub(r"<[^>]*>", " ", rendered)
    return " ".join(html.unescape(words).split())
