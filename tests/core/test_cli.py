"""The `flask` commands: territory loading, margins import, demo data."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plateforme.accounts.models import User
from plateforme.observatory.demo import CONTRIBUTORS
from plateforme.territories.models import PopulationMargin


def test_territories_load_unknown_code_fails_with_a_message(app, db):
    result = app.test_cli_runner().invoke(args=["territories", "load", "00000"])
    assert result.exit_code != 0
    assert "00000" in result.output


def test_territories_load_is_idempotent(app, db):
    result = app.test_cli_runner().invoke(args=["territories", "load", "200046977"])
    assert result.exit_code == 0, result.output
    assert "0 created" in result.output


def test_import_margins_command(app, db, tmp_path):
    good = tmp_path / "marges.csv"
    good.write_text("commune,sex,age_band,count\n69266,F,18-29,100\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["territories", "import-margins", str(good)])
    assert result.exit_code == 0 and "1 margin cells imported" in result.output
    bad = tmp_path / "fautif.csv"
    bad.write_text("commune,sex,age_band,count\n69266,F,18-29,100\n99999,F,18-29,1\n69266,Z,18-29,1\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["territories", "import-margins", str(bad)])
    assert result.exit_code != 0
    assert "Ligne 3" in result.output and "Ligne 4" in result.output
    db.session.rollback()
    assert db.session.execute(select(func.sum(PopulationMargin.count))).scalar_one() == 100


def test_demo_loads_one_account_per_role_and_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    for email in ("admin@demo.plateforme.example", "moderation@demo.plateforme.example", "elue@demo.plateforme.example",
                  "partenaire@demo.plateforme.example", "habitant@demo.plateforme.example"):
        assert email in first.output
    assert app.config["DEMO_PASSWORD"] in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    db.session.rollback()
    # One account per role, plus the observatory's demo contributors (one per partner organisation)
    # and the residents who animate the demo consultations' debate.
    from plateforme.consultation_demo import RESIDENTS

    assert db.session.execute(select(func.count(User.id))).scalar_one() == 5 + len(CONTRIBUTORS) + len(RESIDENTS)
    # Illustrative margins for the Métropole's 58 communes and its neighbour's 8 (the comparison's
    # second territory), once each.
    assert db.session.execute(select(func.count(PopulationMargin.id))).scalar_one() == (58 + 8) * 10


def test_demo_prints_the_address_the_site_is_served_at(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "--address", "http://127.0.0.1:5201"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5201/connexion" in result.output and ":5000" not in result.output


def test_make_run_tells_the_demo_its_host_and_port():
    import shutil
    import subprocess
    from pathlib import Path

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    root = Path(__file__).resolve().parents[2]
    dry_run = subprocess.run(["make", "-n", "demo", "PORT=5201"], cwd=root, capture_output=True, text=True,
                             check=True)
    assert "demo --address http://127.0.0.1:5201" in dry_run.stdout
