"""Issue 19: names sort as French readers expect ("Écully" between "Dardilly" and "Feyzin",
not after "Villeurbanne" where code points put it), in lists and on pages."""
from __future__ import annotations

from plateforme.core.text import french_sort_key
from plateforme.territories.services import children_of, get_territory, loaded_communes

LYON = "200046977"


def test_french_sort_key_ignores_accents_and_case():
    names = ["Villeurbanne", "Écully", "Feyzin", "Dardilly", "éveil", "Eveil"]
    assert sorted(names, key=french_sort_key) == ["Dardilly", "Écully", "Eveil", "éveil", "Feyzin", "Villeurbanne"]


def test_the_communes_of_a_territory_are_in_french_order(db):
    epci = get_territory("epci", LYON)
    names = [commune.name for commune in children_of(epci)]
    assert names.index("Dardilly") < names.index("Écully") < names.index("Feyzin") < names.index("Villeurbanne")
    loaded = [commune.name for commune in loaded_communes()]
    assert loaded.index("Dardilly") < loaded.index("Écully") < loaded.index("Feyzin")


def test_the_territory_page_lists_ecully_among_the_e(client):
    html = client.get(f"/territoires/epci/{LYON}").get_data(as_text=True)
    assert html.index("Dardilly") < html.index("Écully") < html.index("Feyzin") < html.index("Villeurbanne")


def test_a_kind_inside_brackets_has_no_brackets_of_its_own(app):
    from flask_babel import force_locale

    from plateforme.territories.labels import territory_kind_word
    from plateforme.territories.models import TerritoryKind

    with app.test_request_context(), force_locale("fr"):
        assert territory_kind_word(TerritoryKind.EPCI) == "Intercommunalité"
        assert territory_kind_word(TerritoryKind.COMMUNE) == "Commune"
