"""Issue 19: French typography on the pages as rendered, not only in the catalogue. Text put
together in templates or Python (« : » after a name, « » around a quote, a date) must keep the
non-breaking spaces too, and the first of the month is « 1er ».

The demo territory is loaded (`flask demo`, what `make run` shows); for each role the crawl
(tests/page_crawl.py) reads every page it reaches in French and fails on any breakable space
(ordinary space, line break) before « : ; ? ! » or inside « », in the visible text and in the
attributes people hear (aria-label, title, alt, placeholder). Code samples are not prose and
keep their spacing; times (10:30) and addresses (https://) have no space before the colon."""
from __future__ import annotations

import re

import pytest

from plateforme.core.typography import french_page

from ..factories import post_form, sign_in
from ..page_crawl import DEMO_ROLES as ROLES, crawl, visible_texts

BREAKABLE = re.compile(r"[ \t\r\n]+(?=[:;?!»])|«[ \t\r\n]+")
MONTHS = ("janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
          r"|janv\.|févr\.|avr\.|juil\.|sept\.|oct\.|nov\.|déc\.")
FIRST_WITHOUT_ER = re.compile(rf"(?<![\d,.])1[\s\u00a0\u202f]+(?:{MONTHS})", re.IGNORECASE)


# Punctuation doubled where pieces are joined: « démonstration. ; produit par », « Camille N.. ».
DOUBLED = re.compile(r"(?<![./])\.\.(?![./])|[.?!][ \u00a0]+[;:](?=\s)")


def typography_faults(text: str) -> list[str]:
    faults = [f"breakable space: …{text[max(0, m.start() - 25):m.end() + 15]!r}" for m in BREAKABLE.finditer(text)]
    faults += [f"doubled punctuation: …{text[max(0, m.start() - 25):m.end() + 15]!r}" for m in DOUBLED.finditer(text)]
    faults += [f"« 1 » for « 1er »: …{text[max(0, m.start() - 20):m.end() + 10]!r}"
               for m in FIRST_WITHOUT_ER.finditer(text)]
    return faults


def test_the_check_finds_what_a_reader_would_see():
    html = ('<p>Voir <span class="visually-hidden"> : Lyon</span></p><p title="Pourquoi ?">« oui »</p>'
            "<p>Le 1 septembre 2026 à 10:30, https://exemple.fr</p><pre>a ? b</pre><script>x = a ? b : c</script>"
            "<p>Donnée inventée. ; produit par Camille N..</p><p>Qui peut participer ? : tout le monde</p>")
    faults = [fault for text in visible_texts(html) for fault in typography_faults(text)]
    assert len(faults) == 11, faults  # « . ; » and « ? : » count as breakable spaces and as doubled punctuation
    good = ("<p>Voir<span>\u00a0: Lyon</span> «\u00a0oui\u00a0» le 1er septembre, 21 mars, 10:30… etc.</p>"
            '<a href="https://exemple.fr/?q=1" aria-label="Qui\u00a0?">x</a>')
    assert not [fault for text in visible_texts(good) for fault in typography_faults(text)]


def test_french_pages_are_finished_in_prose_and_spoken_attributes_only():
    html = ('<p title="Qui ?">Lyon : « oui » ?\n  !</p><script>a ? b : c</script><pre>x ; y</pre>'
            '<textarea name="t">tel quel ?</textarea><input type="submit" value="Envoyer ?">'
            '<input type="hidden" name="n" value="a ?"><!-- a ? -->')
    assert french_page(html) == (
        '<p title="Qui\u00a0?">Lyon\u00a0: «\u00a0oui\u00a0»\u00a0?\u00a0!</p><script>a ? b : c</script><pre>x ; y</pre>'
        '<textarea name="t">tel quel ?</textarea><input type="submit" value="Envoyer\u00a0?">'
        '<input type="hidden" name="n" value="a ?"><!-- a ? -->')


def test_only_french_pages_are_respaced(app, db, client):
    french = client.get("/plan-du-site", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    english = client.get("/plan-du-site", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert 'lang="fr"' in french and 'lang="en"' in english
    assert not [fault for text in visible_texts(french) for fault in typography_faults(text)]
    assert "\u00a0:" not in english and "\u00a0?" not in english


@pytest.fixture
def demo(app, db):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    return app.config["DEMO_PASSWORD"]


def test_every_page_each_role_reaches_keeps_french_typography(app, demo):
    offenders: dict[str, set[str]] = {}
    pages = 0
    for role, email in ROLES.items():
        client = app.test_client()
        if email:
            sign_in(client, email, demo)
        for path, html in crawl(client, headers={"Accept-Language": "fr-FR"}):
            pages += 1
            for text in visible_texts(html):
                for fault in typography_faults(text):
                    offenders.setdefault(fault, set()).add(f"[{role}] {path}")
    assert pages >= 60, f"the crawl reached only {pages} pages"
    report = [f"{fault}\n      on {', '.join(sorted(where)[:3])}" for fault, where in sorted(offenders.items())]
    assert not report, f"{len(report)} typography fault(s) in rendered French pages:\n  " + "\n  ".join(report)


FRENCH_MONTHS = re.compile(rf"\b\d{{1,2}}(?:er)?[\s\u00a0\u202f]+(?:{MONTHS})", re.IGNORECASE)


def test_english_pages_write_dates_in_english(app, demo):
    """A date on an English page reads "December 4, 2026", never « 4 décembre 2026 »."""
    offenders: dict[str, set[str]] = {}
    for role in ("visitor", "official", "admin"):
        client = app.test_client()
        if ROLES[role]:
            sign_in(client, ROLES[role], demo)
            post_form(client, "/langue", {"lang": "en"}, form_url="/")
        for path, html in crawl(client, headers={"Accept-Language": "en-GB"}, max_pages=60):
            assert 'lang="en"' in html[:300], path
            for text in visible_texts(html):
                for match in FRENCH_MONTHS.finditer(text):
                    offenders.setdefault(text[max(0, match.start() - 30):match.end() + 10], set()).add(path)
    assert not offenders, "French dates on English pages:\n  " + "\n  ".join(
        f"{text!r} on {', '.join(sorted(paths)[:3])}" for text, paths in offenders.items())
