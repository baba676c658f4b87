"""User content: markdown rendered, then cleaned by nh3 with a strict allow-list."""
import re

from plateforme.core.sanitize import ALLOWED_TAGS, clean_line, markdown_to_safe_html


def test_markdown_is_rendered():
    html = markdown_to_safe_html("**gras** et *italique*\n\n- un\n- deux")
    assert "<strong>gras</strong>" in html and "<em>italique</em>" in html and "<li>un</li>" in html


def test_scripts_and_event_handlers_never_survive():
    for attack in ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">',
                   "[clic](javascript:alert(1))", '<a href="javascript:alert(1)">x</a>',
                   "<iframe src='https://evil.example'></iframe>", '<p style="position:fixed">x</p>']:
        html = markdown_to_safe_html(attack)
        for tag, attributes in re.findall(r"<([a-zA-Z0-9]+)([^>]*)>", html):
            assert tag in ALLOWED_TAGS, (attack, html)
            assert not re.search(r"\bon\w+=|style=|javascript:", attributes, re.I), (attack, html)


def test_links_get_safe_rel_and_headings_start_below_the_page_title():
    html = markdown_to_safe_html("# Titre\n\n[site](https://example.org)")
    assert "<h1>" not in html and "<h3>Titre</h3>" in html
    assert 'rel="nofollow noopener ugc"' in html and 'href="https://example.org"' in html


def test_clean_line_drops_control_characters_and_collapses_spaces():
    assert clean_line("  Alex\u0000  \tHabitant \n") == "Alex Habitant"
    assert clean_line(None) == ""


def test_plain_lines_skip_the_parser_and_render_exactly_as_it_would():
    """The shortcut for one-line plain comments must give CommonMark's own HTML: checked on
    generated lines mixing words, the punctuation it allows and markdown's own characters."""
    import random

    from plateforme.core.sanitize import _PLAIN_PARAGRAPH, _markdown, _render, _shift_headings

    pieces = ["avis", "Été", "ça", "n°", "12", "2024.", " ", "  ", ".", ",", ";", ":", "'", "’", "?", "!", "%", "€",
              "«", "»", "(", ")", "/", '"', "=", "+", "@", "$", "£", "-", "*", "_", "[", "]", "<", ">", "&",
              "#", "`", "~", "\\", "|", "\t", "\n", "1.", "- ", "> ", "&amp;", "中文", "ß"]
    draw = random.Random(20261126)
    shortcut = 0
    for _ in range(20_000):
        text = "".join(draw.choice(pieces) for _ in range(draw.randint(1, 12)))
        expected = _shift_headings(_markdown.render(text))
        assert _render(text) == expected, repr(text)
        shortcut += bool(_PLAIN_PARAGRAPH.fullmatch(text))
    assert shortcut > 300  # the shortcut was exercised, not only the parser


def test_quotes_show_the_words_of_markdown_never_its_markup():
    from plateforme.core.sanitize import markdown_to_plain_text

    assert markdown_to_plain_text("Un **guichet unique** pour _tous_ : [ici](https://exemple.fr) &amp;\n\n- oui") == (
        "Un guichet unique pour tous : ici & oui")
    assert markdown_to_plain_text("<b>gras</b> **vrai**") == "<b>gras</b> vrai"  # escaped by the template
