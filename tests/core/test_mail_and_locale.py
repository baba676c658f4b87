"""Mail through a real SMTP server; numbers and dates in the reader's locale."""
from __future__ import annotations

import pytest

from plateforme.core.i18n import french_elision
from plateforme.core.mail import queue_mail

from ..smtp_sink import smtp_sink


def test_smtp_backend_sends_the_message(app, db):
    """Queued in the outbox, sent once committed (the tests' queue runs tasks at once)."""
    with smtp_sink(app) as (sink, _):
        with app.test_request_context("/"):
            queue_mail("habitante@example.org", "Objet accentué", "Bonjour,\n\nCorps du message.")
            assert sink.messages == []  # not before the commit
            db.session.commit()
    assert len(sink.messages) == 1
    received = sink.messages[0]
    assert received["To"] == "habitante@example.org"
    assert "Objet accentu" in str(received["Subject"]) or "=?utf-8?" in str(received["Subject"])
    assert "Corps du message." in received.get_payload(decode=True).decode()


def test_log_backend_prints_the_message(app, db, caplog):
    app.config["MAIL_BACKEND"] = "log"
    try:
        with app.test_request_context("/"):
            queue_mail("habitante@example.org", "Sujet", "Lien : https://exemple.fr/x")
            db.session.commit()
    finally:
        app.config["MAIL_BACKEND"] = "memory"
    assert "habitante@example.org" in caplog.text and "https://exemple.fr/x" in caplog.text


def test_numbers_follow_the_locale(client):
    french = client.get("/territoires/epci/200046977").get_data(as_text=True)
    english = client.get("/territoires/epci/200046977", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1\u202f433\u202f613" in french or "1\xa0433\xa0613" in french
    assert "1,433,613" in english


def test_counts_follow_each_language_s_plural_rule(client):
    """French says "0 résultat" (singular for 0 and 1), English "0 results"."""
    nothing = "/territoires/recherche?q=Zzyzxville"
    assert "0 résultat<" in client.get(nothing).get_data(as_text=True)
    assert "0 results<" in client.get(nothing, headers={"Accept-Language": "en"}).get_data(as_text=True)
    one = client.get("/territoires/recherche?q=69123").get_data(as_text=True)
    assert "1 résultat<" in one


def test_the_french_catalogue_fills_every_plural_from_its_source_text():
    """An empty French plural falls back to the English rule ("0 actions"): after
    `make extract-messages`, tools/french_plurals.py fills them."""
    from babel.messages.pofile import read_po

    from plateforme.core.text import french_spacing
    from tools.french_plurals import CATALOGUE

    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source, locale="fr")
    plurals = [m for m in catalogue if m.id and m.pluralizable]
    # The source text, with French spacing (non-breaking space before « : ; ? ! »).
    assert plurals and all(tuple(m.string) == tuple(french_spacing(i) for i in m.id) for m in plurals)


def test_moments_are_written_to_the_minute_in_the_reader_s_language_and_time_zone(app):
    from datetime import datetime, timezone

    from flask_babel import force_locale

    from plateforme.core.i18n import format_moment

    moment = datetime(2026, 11, 23, 14, 5, 42, tzinfo=timezone.utc)  # 15:05 in Paris (winter time)
    with app.test_request_context():
        with force_locale("fr"):
            assert format_moment(moment) == "23 nov. 2026, 15:05"
        with force_locale("en"):
            assert format_moment(moment).replace("\u202f", " ") == "Nov 23, 2026, 3:05 PM"


def test_first_of_the_month_and_percentages_as_each_language_writes_them(app):
    from datetime import date

    from flask_babel import force_locale

    from plateforme.core.i18n import format_day, whole_percent

    with app.test_request_context():
        with force_locale("fr"):
            assert format_day(date(2026, 9, 1), "long") == "1er septembre 2026"
            assert format_day(date(2026, 9, 11), "long") == "11 septembre 2026"
            assert whole_percent(0.59) == "59\u00a0%"  # « % » never starts a line
        with force_locale("en"):
            assert format_day(date(2026, 12, 4), "long") == "December 4, 2026"
            assert format_day(date(2026, 9, 1), "long") == "September 1, 2026"
            assert whole_percent(0.59) == "59%"


def test_a_unit_after_one_is_never_a_plural(app):
    """Units are typed once, in the plural: « 1 associations » was printed (audit 19)."""
    from flask_babel import force_locale

    from plateforme.core.i18n import quantity

    with app.test_request_context():
        with force_locale("fr"):
            assert quantity(1, "associations") == "1\u00a0(associations)"
            assert quantity(12, "associations") == "12\u00a0associations"
            assert quantity(1, "€") == "1\u00a0€" and quantity(7, "%") == "7\u00a0%"
        with force_locale("en"):
            assert quantity(1, "restaurants") == "1 (restaurants)"
            assert quantity(1.5, "restaurants") == "1.5 restaurants"
            assert quantity(7, "%") == "7%"


@pytest.mark.parametrize("name, expected", [
    ("Alex Habitant", "Commentaire d'Alex Habitant"), ("Yves Martin", "Commentaire d'Yves Martin"),
    ("Yanis Haddad", "Commentaire de Yanis Haddad"), ("Yaël Cohen", "Commentaire de Yaël Cohen"),
    ("Hugo Bernard", "Commentaire de Hugo Bernard"), ("Élise Roux", "Commentaire d'Élise Roux")])
def test_de_is_elided_before_a_name_as_french_says_it(app, name, expected):
    """A Y heard as a consonant keeps « de » (« le mandat d'Yanis Haddad » read wrong)."""
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert french_elision(f"Commentaire de {name}") == expected
