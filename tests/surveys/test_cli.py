"""`flask surveys …`, the interface other tools rely on."""
from __future__ import annotations

import json

from plateforme.surveys.models import PerceptionSurvey, SurveyStatus

from ..factories import SURVEY_DEFINITION


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["surveys", *map(str, args)])


def test_import_prints_the_id_alone_on_the_last_line_and_export_round_trips(app, db, tmp_path):
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(SURVEY_DEFINITION), encoding="utf-8")
    result = _run(app, "import", path)
    assert result.exit_code == 0, result.output
    survey_id = int(result.output.strip().splitlines()[-1])
    db.session.rollback()
    assert db.session.get(PerceptionSurvey, survey_id).status == SurveyStatus.OPEN
    exported = json.loads(_run(app, "export", survey_id).output)
    for key in ("title", "territory", "sampling_mode", "opens_at", "closes_at", "statements"):
        assert exported[key] == SURVEY_DEFINITION[key], key
    # The exported definition imports again, e.g. on another commune of the network.
    path.write_text(json.dumps({**exported, "territory": "69266"}), encoding="utf-8")
    again = _run(app, "import", path)
    assert again.exit_code == 0 and int(again.output.splitlines()[-1]) != survey_id


def test_bad_definition_lists_every_problem_and_creates_nothing(app, db, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"title": "x", "territory": "00000", "sampling_mode": "phone", "opens_at": "demain",
                                "closes_at": "2026-01-01", "statements": [{"key": "1bad", "text": "ok ok ok",
                                                                            "theme": "weather"}]}), encoding="utf-8")
    result = _run(app, "import", path)
    assert result.exit_code != 0
    for fragment in ("title", "territory", "sampling_mode", "opens_at", "1bad", "weather"):
        assert fragment in result.output, fragment
    db.session.rollback()
    assert db.session.query(PerceptionSurvey).count() == 0
    path.write_text("{not json", encoding="utf-8")
    assert _run(app, "import", path).exit_code != 0


def test_answers_estimates_close_publish(app, db, tmp_path):
    definition = tmp_path / "definition.json"
    definition.write_text(json.dumps(SURVEY_DEFINITION), encoding="utf-8")
    survey_id = int(_run(app, "import", definition).output.splitlines()[-1])
    bad = tmp_path / "bad.csv"
    bad.write_text("sex,age_band,commune,s1,s2\nF,18-29,69266,5,4\nX,18-29,69266,9,4\nF,18-29,38185,5,4\n"
                   "M,30-44,69266,1\n", encoding="utf-8")
    result = _run(app, "import-answers", survey_id, bad)
    assert result.exit_code != 0
    assert "Ligne 3" in result.output and "Ligne 4" in result.output and "Ligne 5" in result.output
    good = tmp_path / "answers.csv"
    good.write_text("sex,age_band,commune,s1,s2\n" + "F,18-29,69266,5,dk\nM,60-74,69029,2,\n" * 10,
                    encoding="utf-8")
    assert _run(app, "import-answers", survey_id, good).exit_code == 0
    estimates = tmp_path / "estimates.csv"
    estimates.write_text("s1,s2\n20,30\n40,50\n30,45\n", encoding="utf-8")
    # Nobody holds a verified mandate here: three officials answering would read "3 sur 0".
    refused = _run(app, "import-estimates", survey_id, estimates)
    assert refused.exit_code != 0 and "Relever le nombre de personnes élues" in refused.output
    assert "--raise-total" in refused.output  # the box of the form is this option here
    assert _run(app, "import-estimates", survey_id, estimates, "--raise-total").exit_code == 0
    assert db.session.get(PerceptionSurvey, survey_id).officials_total == 3
    out_of_range = tmp_path / "out.csv"
    out_of_range.write_text("s1,s2\n120,30\n", encoding="utf-8")
    assert "120" in _run(app, "import-estimates", survey_id, out_of_range).output
    assert _run(app, "publish", survey_id).exit_code != 0  # still open
    assert _run(app, "close", survey_id).exit_code == 0
    published = _run(app, "publish", survey_id)
    assert published.exit_code == 0 and "version 1" in published.output
    data = app.test_client().get(f"/api/v1/surveys/{survey_id}/results").get_json()
    assert data["statements"][0]["residents"]["n"] == 20
    assert data["statements"][0]["officials"]["mean_estimate"] == 0.3


def test_close_due_closes_surveys_past_their_date_and_mixes_their_waiting_answers(app, db, make):
    from sqlalchemy import func, select

    from plateforme.surveys.models import ResidentParticipation, ResidentPending, ResidentResponse

    from ..factories import make_survey

    past = make_survey(db, opens_at="2020-01-01", closes_at="2020-02-01")
    current = make_survey(db)
    commune = make.territory("69266")
    for _ in range(3):  # answered before the closing date, still waiting in the pool
        user = make.user()
        db.session.add(ResidentParticipation(survey_id=past.id, user_id=user.id))
        db.session.add(ResidentPending(survey_id=past.id, sex="F", age_band="30-44", commune_id=commune.id,
                                       answers="55", estimates="", channel="online"))
    db.session.commit()
    past_id, current_id = past.id, current.id
    result = _run(app, "close-due")
    assert result.exit_code == 0 and result.output == f"survey {past_id}: closed\n", result.output
    db.session.rollback()
    assert db.session.get(PerceptionSurvey, past_id).status == SurveyStatus.CLOSED
    assert db.session.get(PerceptionSurvey, current_id).status == SurveyStatus.OPEN

    def count(model):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()

    assert (count(ResidentPending), count(ResidentResponse), count(ResidentParticipation)) == (0, 3, 0)
