"""Indicators: values by form, CSV imports with bad input, commune → EPCI aggregation."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plateforme.core.csvimport import CsvFileError, CsvLinesError
from plateforme.observatory.imports import import_values
from plateforme.observatory.indicators import aggregate_to_epci, indicator_view, key_figures, set_value
from plateforme.observatory.models import IndicatorValue
from plateforme.observatory.services import ObservatoryError
from plateforme.territories.services import children_of


def _count(db):
    return db.session.execute(select(func.count(IndicatorValue.id))).scalar_one()


def test_values_replace_the_same_territory_and_year(obs, make, db):
    indicator = obs.indicator()
    first, created = set_value(indicator, make.territory("69266"), "2023", "12 500", source="Rectorat")
    assert created and first.value == 12500 and first.source == "Rectorat"
    again, created = set_value(indicator, make.territory("69266"), 2023, "12,5")
    assert not created and again.id == first.id and again.value == 12.5
    for period in ("23", "2023-24", "abcd", "1800"):
        with pytest.raises(ObservatoryError) as error:
            set_value(indicator, make.territory("69266"), period, "1")
        assert error.value.field == "period"
    for value in ("", "douze", "1,2,3", "nan", "inf"):
        with pytest.raises(ObservatoryError) as error:
            set_value(indicator, make.territory("69266"), 2023, value)
        assert error.value.field == "value"
    with pytest.raises(ObservatoryError) as error:
        set_value(indicator, make.territory("69", None), 2023, "1")  # a département is not observed
    assert error.value.field == "territory"


def test_import_writes_every_line(obs, db):
    indicator = obs.indicator()
    raw = ("territory_code,period,value,note\n69266,2023,1200,\n69123,2023,\"8 400,5\",estimation\n"
           "200046977,2022,15000,\n").encode()
    summary = import_values(indicator, raw, source="Rectorat (illustratif)")
    db.session.commit()
    assert (summary.created, summary.updated) == (3, 0)
    rows = db.session.execute(select(IndicatorValue).order_by(IndicatorValue.value)).scalars().all()
    assert [r.value for r in rows] == [1200, 8400.5, 15000]
    assert {r.source for r in rows} == {"Rectorat (illustratif)"} and rows[1].note == "estimation"
    again = import_values(indicator, b"territory_code;period;value;note;source\n69266;2023;1300;;INSEE\n")
    assert (again.created, again.updated) == (0, 1)


def test_import_reports_every_faulty_line_and_imports_nothing(obs, db):
    indicator = obs.indicator()
    obs.value(indicator, "69266", 2020, 10)
    raw = ("territory_code,period,value,note\n"
           "69266,2023,1200,\n"         # 2: fine
           "99999,2023,5,\n"             # 3: unknown territory
           "69123,23,5,\n"               # 4: malformed period
           "69123,2023,beaucoup,\n"      # 5: not a number
           "69266,2023,1300,\n"          # 6: duplicate of line 2
           "69029,2023\n"                # 7: missing cells
           "69029,2024,1e400,\n").encode()  # 8: not finite
    with pytest.raises(CsvLinesError) as error:
        import_values(indicator, raw)
    lines = {e.line: e.message for e in error.value.errors}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8]
    assert "99999" in lines[3] and "23" in lines[4] and "beaucoup" in lines[5] and "ligne 2" in lines[6]
    db.session.rollback()
    assert _count(db) == 1


@pytest.mark.parametrize("raw, fragment", [
    ("territory_code,period,value,note\n69266,2023,1,é\n".encode("latin-1"), "UTF-8"),
    (b"territory_code\tperiod\tvalue\tnote\n69266\t2023\t1\t\n", "manquantes"),
    (b"code,year,value\n69266,2023,1\n", "manquantes"),
    (b"territory_code,period,value,note,couleur\n69266,2023,1,,bleu\n", "couleur"),
    (b"", "vide"),
])
def test_unreadable_files_are_refused_as_a_whole(obs, db, raw, fragment):
    with pytest.raises(CsvFileError, match=fragment):
        import_values(obs.indicator(), raw)
    assert _count(db) == 0


def test_header_only_file_imports_nothing(obs):
    with pytest.raises(CsvLinesError, match="aucune ligne"):
        import_values(obs.indicator(), b"territory_code,period,value,note\n")


def test_additive_indicator_sums_the_communes_and_names_the_missing_ones(obs, make, db):
    epci = make.territory("200046977")
    communes = children_of(epci)
    indicator = obs.indicator(additive=True)
    for index, commune in enumerate(communes[:-3]):
        obs.value(indicator, commune.code, 2023, index + 1)
    aggregate = aggregate_to_epci(indicator, epci, 2023)
    reporting = len(communes) - 3
    assert aggregate.reporting == reporting and aggregate.expected == len(communes)
    assert aggregate.total == reporting * (reporting + 1) / 2
    assert [c.code for c in aggregate.missing] == [c.code for c in sorted(communes[-3:], key=lambda c: c.search_name)]
    assert not aggregate.complete
    view = indicator_view(indicator, epci)
    assert [(p.period, p.value) for p in view.series] == [(2023, aggregate.total)]
    assert view.series[0].aggregate.missing
    # A value entered for the EPCI itself wins over the sum, which stays shown beside it.
    obs.value(indicator, epci.code, 2023, 999)
    view = indicator_view(indicator, epci)
    assert view.series[0].value == 999 and view.aggregates[2023].total == aggregate.total


def test_non_additive_indicator_is_never_summed(obs, make):
    epci = make.territory("200046977")
    rate = obs.indicator("Part d'étudiants étrangers", additive=False)
    obs.value(rate, "69266", 2023, 12.5)
    obs.value(rate, "69123", 2023, 18.0)
    assert indicator_view(rate, epci).series == []
    with pytest.raises(ObservatoryError):
        aggregate_to_epci(rate, epci, 2023)
    assert [f.point.value for f in key_figures(make.territory("69266"))] == [12.5]
    assert key_figures(epci) == []


def test_key_figures_take_the_latest_year(obs, make):
    indicator = obs.indicator()
    obs.value(indicator, "69266", 2021, 100)
    obs.value(indicator, "69266", 2023, 130)
    obs.value(indicator, "69123", 2022, 50)
    figures = key_figures(make.territory("200046977"))
    assert [(f.point.period, f.point.value) for f in figures] == [(2023, 130)]
    assert figures[0].point.aggregate.reporting == 1


def test_no_percentage_change_between_incomplete_sums(app):
    """« de 12 106 en 2019 à 15 261 en 2024 (+26 %) » compared sums over different communes (audit 19)."""
    from types import SimpleNamespace

    from flask_babel import force_locale

    from plateforme.observatory.charts import line_chart

    def point(year, value, missing=()):
        aggregate = SimpleNamespace(missing=list(missing), reporting=58 - len(missing), expected=58)
        return SimpleNamespace(period=year, value=value, aggregate=aggregate)

    with app.test_request_context(), force_locale("fr"):
        partial = line_chart("Étudiants", "personnes", "Lyon", [point(2019, 12106), point(2024, 15261, "abcd")])
        complete = line_chart("Étudiants", "personnes", "Lyon", [point(2019, 12106), point(2024, 15261)])
    assert "%" not in partial.title and "somme incomplète" in partial.title
    assert "+26\u00a0%" in complete.title or "+26 %" in complete.title
