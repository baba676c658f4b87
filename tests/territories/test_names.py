"""« de » joined to territory names as French writes it, and the name alone in English."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from plateforme.territories.models import Territory, TerritoryKind
from plateforme.territories.names import (
    DEPARTEMENT_TNCC, REGION_TNCC, de_territory, french_de, french_subject, the_territory,
)


@pytest.mark.parametrize("name, kind, code, expected", [
    ("Métropole de Lyon", "epci", "200046977", "de la Métropole de Lyon"),
    ("CC du Pays de Gex", "epci", "240100883", "de la CC du Pays de Gex"),
    ("Grand Paris Sud Seine Essonne Sénart", "epci", "200059228", "du Grand Paris Sud Seine Essonne Sénart"),
    ("Toulouse Métropole", "epci", "243100518", "de Toulouse Métropole"),
    ("Villeurbanne", "commune", "69266", "de Villeurbanne"),
    ("Irigny", "commune", "69100", "d'Irigny"),
    ("Écully", "commune", "69081", "d'Écully"),
    ("Le Havre", "commune", "76351", "du Havre"),
    ("Les Sables-d'Olonne", "commune", "85194", "des Sables-d'Olonne"),
    ("La Rochelle", "commune", "17300", "de La Rochelle"),
    ("L'Isle-d'Abeau", "commune", "38193", "de L'Isle-d'Abeau"),
    ("Rhône", "departement", "69", "du Rhône"),
    ("Ain", "departement", "01", "de l'Ain"),
    ("Hauts-de-Seine", "departement", "92", "des Hauts-de-Seine"),
    ("Charente", "departement", "16", "de la Charente"),
    ("Ille-et-Vilaine", "departement", "35", "d'Ille-et-Vilaine"),
    ("Paris", "departement", "75", "de Paris"),
    ("Auvergne-Rhône-Alpes", "region", "84", "d'Auvergne-Rhône-Alpes"),
    ("Grand Est", "region", "44", "du Grand Est"),
    ("Pays de la Loire", "region", "52", "des Pays de la Loire"),
    ("Bretagne", "region", "53", "de Bretagne"),
])
def test_french_joins_de_to_the_name_with_its_article(name, kind, code, expected):
    assert french_de(name, kind, code) == expected


@pytest.mark.parametrize("name, kind, code, expected", [
    ("Métropole de Lyon", "epci", "200046977", "la Métropole de Lyon"),
    ("Villeurbanne", "commune", "69266", "Villeurbanne"),
    ("Le Havre", "commune", "76351", "Le Havre"),
    ("Rhône", "departement", "69", "le Rhône"),
    ("Ain", "departement", "01", "l'Ain"),
    ("Hauts-de-France", "region", "32", "les Hauts-de-France"),
    ("Bretagne", "region", "53", "Bretagne"),
])
def test_french_puts_the_article_before_a_subject(name, kind, code, expected):
    assert french_subject(name, kind, code) == expected


def test_every_departement_and_region_of_the_reference_files_has_its_article():
    from plateforme.territories.reference import reference_data

    # The overseas collectivités listed with them are read from their name.
    collectivites = {"975", "977", "978", "984", "986", "987", "988", "989"}
    assert set(reference_data().departements) - set(DEPARTEMENT_TNCC) == collectivites
    assert set(reference_data().regions) - set(REGION_TNCC) == collectivites


def test_english_keeps_the_name_alone(app):
    lyon = Territory(name="Métropole de Lyon", kind=TerritoryKind.EPCI, code="200046977")
    with app.test_request_context():
        with force_locale("fr"):
            assert (de_territory(lyon), the_territory(lyon)) == ("de la Métropole de Lyon", "la Métropole de Lyon")
        with force_locale("en"):
            assert (de_territory(lyon), the_territory(lyon)) == ("Métropole de Lyon", "Métropole de Lyon")


def test_pages_say_it_in_french_and_english(client, db):
    url = "/territoires/epci/200046977"
    assert "Les consultations de la Métropole de Lyon et leurs suites" in client.get(url).get_data(as_text=True)
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The consultations of Métropole de Lyon and what came of them" in english
