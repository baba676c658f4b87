"""Loading the INSEE reference data, looking territories up, importing margins."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from plateforme.core.csvimport import CsvFileError, CsvLinesError
from plateforme.territories.margins import import_margins
from plateforme.territories.models import PopulationMargin, Territory, TerritoryKind
from plateforme.territories.services import (
    UnknownTerritoryCode, children_of, find_communes, load_territory,
)

from ..factories import page_text


def _count(db, kind=None):
    stmt = select(func.count(Territory.id))
    if kind:
        stmt = stmt.where(Territory.kind == kind)
    return db.session.execute(stmt).scalar_one()


def test_lyon_metropolis_holds_its_58_communes_and_9_arrondissements(make, db):
    epci = make.territory("200046977", TerritoryKind.EPCI)
    assert epci.name == "Métropole de Lyon" and epci.population == 1_433_613
    communes = children_of(epci)
    assert len(communes) == 58
    lyon = make.territory("69123", TerritoryKind.COMMUNE)
    assert len(children_of(lyon)) == 9
    villeurbanne = make.territory("69266", TerritoryKind.COMMUNE)
    assert villeurbanne.parent.name == "Rhône" and villeurbanne.parent.parent.name == "Auvergne-Rhône-Alpes"
    assert villeurbanne.epci_id == epci.id


def test_loading_again_is_idempotent(db):
    before = _count(db)
    summary = load_territory("200046977")
    db.session.commit()
    assert summary.created == 0 and summary.updated == 0
    assert _count(db) == before


def test_loading_a_departement_brings_its_communes_and_their_epci(db):
    summary = load_territory("01")
    db.session.commit()
    ain = summary.root
    assert ain.kind == TerritoryKind.DEPARTEMENT and ain.name == "Ain"
    communes = children_of(ain)
    assert len(communes) > 350
    assert all(c.epci_id for c in communes if c.code != "01999")  # nearly all communes are in an EPCI
    assert load_territory("01").created == 0


def test_unknown_code_is_refused_and_changes_nothing(db):
    before = _count(db)
    with pytest.raises(UnknownTerritoryCode, match="«\u00a012345\u00a0»"):
        load_territory("12345")
    db.session.rollback()
    assert _count(db) == before


@pytest.mark.parametrize("query,expected", [
    ("Villeurbanne", ["Villeurbanne"]),
    ("villeurbanne", ["Villeurbanne"]),
    ("ecully", ["Écully"]),
    ("69029", ["Bron"]),  # INSEE code
    ("69500", ["Bron"]),  # postal code
    ("Villeurbanne (69100)", ["Villeurbanne"]),
])
def test_find_communes(db, query, expected):
    assert [c.name for c in find_communes(query)] == expected


def test_find_communes_by_prefix_and_nothing_for_nonsense(db):
    names = [c.name for c in find_communes("saint", limit=2000)]
    assert "Saint-Fons" in names and "Saint-Priest" in names
    assert find_communes("Atlantide") == [] and find_communes("") == [] and find_communes("()") == []


def test_import_margins(db):
    cells = import_margins(b"commune,sex,age_band,count\n69266,F,18-29,15000\n69266,M,18-29,14000\n69029,F,75+,2000\n")
    db.session.commit()
    assert cells == 3
    assert db.session.execute(select(func.sum(PopulationMargin.count))).scalar_one() == 31000
    # A second import for Villeurbanne replaces its cells, and leaves Bron alone.
    import_margins(b"commune,sex,age_band,count\n69266,F,18-29,1\n")
    db.session.commit()
    assert db.session.execute(select(func.sum(PopulationMargin.count))).scalar_one() == 2001


def test_import_margins_reports_every_faulty_line(db):
    with pytest.raises(CsvLinesError) as error:
        import_margins(b"commune,sex,age_band,count\n69266,F,18-29,1\n00000,F,18-29,1\n69266,F,18-29,2\n"
                       b"69266,M,old,1\n69266,M,30-44,abc\n69266,M\n")
    assert [e.line for e in error.value.errors] == [3, 4, 5, 6, 7]


def test_import_margins_wrong_columns_and_encoding(db):
    with pytest.raises(CsvFileError, match="Colonnes manquantes"):
        import_margins(b"commune,sexe,age,n\n69266,F,18-29,1\n")
    with pytest.raises(CsvFileError, match="UTF-8"):
        import_margins("commune,sex,age_band,count\n69266,F,18-29,1\n".encode("utf-16"))
    with pytest.raises(CsvFileError, match="vide"):
        import_margins(b"")
    with pytest.raises(CsvFileError, match="taille maximale"):
        import_margins(b"commune,sex,age_band,count\n" + b"69266,F,18-29,1\n" * 200_000)
    assert db.session.execute(select(func.count(PopulationMargin.id))).scalar_one() == 0


def test_the_communes_table_counts_communes(client, db):
    """« 58 communes » under « Communes », not « 58 territoires » (audit 19)."""
    text = page_text(client.get("/territoires/epci/200046977"))
    assert re.search(r'<caption id="children-caption">\d+\scommunes</caption>', text)


def test_the_commune_search_refuses_what_searches_nothing_and_keeps_what_was_typed(client, make):
    make.territory("69266")
    blank = client.get("/territoires/recherche?q=%20%20")
    assert blank.status_code == 400
    text = page_text(blank)
    assert "des espaces seuls ne cherchent rien" in text and "résultat" not in text
    html = blank.get_data(as_text=True)
    assert 'aria-invalid="true" aria-describedby="q-error"' in html and 'id="q-error"' in html
    long = "Villeurbanne " * 10  # 130 characters: more than any commune name
    refused = client.get("/territoires/recherche", query_string={"q": long})
    assert refused.status_code == 400 and "100 caractères au plus" in page_text(refused)
    assert f'value="{long.strip()}"' in refused.get_data(as_text=True)  # the typed text, to correct
    english = page_text(client.get("/territoires/recherche?q=%20", headers={"Accept-Language": "en"}))
    assert "Error:" in english and "spaces alone search for nothing" in english
    assert client.get("/territoires/recherche?q=").status_code == 200  # the empty form
    found = client.get("/territoires/recherche?q=%20Villeurbanne%20")
    assert found.status_code == 200 and "69266" in page_text(found)
