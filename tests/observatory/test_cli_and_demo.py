"""`flask observatory import-values`, and the demo observatory."""
from __future__ import annotations

from sqlalchemy import func, select

from plateforme.observatory.models import (
    ExternalAction, Finding, FindingStatus, Indicator, IndicatorValue,
)


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["observatory", *map(str, args)])


def test_import_values_command(app, db, obs, tmp_path):
    indicator = obs.indicator()
    good = tmp_path / "valeurs.csv"
    good.write_text("territory_code;period;value;note\n69266;2023;1 200;\n69123;2023;8400,5;estimation\n",
                    encoding="utf-8")
    result = _run(app, "import-values", indicator.id, good, "--source", "Rectorat")
    assert result.exit_code == 0, result.output
    assert "2 values created, 0 replaced" in result.output
    bad = tmp_path / "fautif.csv"
    bad.write_text("territory_code,period,value,note\n69266,2024,1,\n12345,2024,1,\n69123,2024,x,\n",
                   encoding="utf-8")
    result = _run(app, "import-values", indicator.id, bad)
    assert result.exit_code != 0 and "Ligne 3" in result.output and "Ligne 4" in result.output
    assert "nothing imported" in result.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes("territory_code,period,value,note\n69266,2024,1,é\n".encode("latin-1"))
    assert "UTF-8" in _run(app, "import-values", indicator.id, latin).output
    assert _run(app, "import-values", 999999, good).exit_code != 0
    db.session.rollback()
    assert db.session.execute(select(func.count(IndicatorValue.id))).scalar_one() == 2


def test_demo_shows_a_living_observatory(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0  # idempotent
    db.session.rollback()
    states = set(db.session.execute(select(Finding.status)).scalars())
    assert states == set(FindingStatus)
    titles = db.session.execute(select(Finding.title)).scalars().all()
    assert len(titles) == len(set(titles))
    # One site-wide banner says the data is invented (DEMO_DATA), not a suffix after every title.
    assert not any("illustratif" in t for t in titles)
    indicators = db.session.execute(select(Indicator)).scalars().all()
    assert len(indicators) >= 4 and not any("illustratif" in i.name for i in indicators)
    years = set(db.session.execute(select(IndicatorValue.period)).scalars())
    assert len(years) >= 5
    notes = set(db.session.execute(select(IndicatorValue.note)).scalars())
    assert notes == {"illustratif"}
    actions = db.session.execute(select(ExternalAction)).scalars().all()
    assert actions and not any("illustratif" in a.title for a in actions)
    organisations = {f.organisation_id for f in db.session.execute(select(Finding)).scalars()}
    assert len(organisations) >= 5
