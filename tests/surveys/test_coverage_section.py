"""The results pages' "Ce que valent nos intervalles": the coverage study's latest figures
(plateforme/surveys/data/coverage.json, written by bench/coverage.py --json-out)."""
from __future__ import annotations

import json
import re

from plateforme.surveys import coverage

from .page_helpers import _text
from .test_manage_and_results_views import _published_survey

STUDY = {
    "measured_at": "2026-12-07", "commit": "0123456789abcdef", "surveys": 1000, "population": 50000,
    "goal": [0.93, 0.97],
    "runs": [{
        "variant": "main",
        "residents": [{"n": 400, "published": 3000, "figures": 3000, "coverage_not_approximate": 0.948,
                       "mc_se_not_approximate": 0.0041, "bias": 0.0031, "rmse": 0.024}],
        "gap": [{"n": 400, "officials": "3/10", "published": 1500, "figures": 3000, "coverage_not_approximate": 0.871,
                 "mc_se_not_approximate": 0.0062, "bias": 0.004, "rmse": 0.051}],
    }],
}


def test_results_page_shows_how_often_the_intervals_cover_the_truth(client, db, make, monkeypatch):
    monkeypatch.setattr(coverage, "_load", lambda: STUDY)
    survey, _payload = _published_survey(db, make)
    html = _text(client.get(f"/questionnaires/{survey.id}/resultats"))
    body = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index('id="coverage-title"'):]))
    assert "Ce que valent nos intervalles" in body
    assert "entre 93 % et 97 %" in body
    assert "400 répondants 100,0 % 94,8 % ± 0,4 0,3 2,4" in body
    # A figure outside 93–97 % is said to be so, in words; half the gaps were not published.
    assert "400 répondants, 3 élus sur 10 50,0 % 87,1 % ± 0,6 (hors objectif) 0,4 5,1" in body
    assert "version 0123456789 du code" in body
    assert "python bench/coverage.py --surveys 1000" in body

    client.post("/langue", data={"lang": "en", "next": "/"})  # a visitor switches without a token
    html = _text(client.get(f"/questionnaires/{survey.id}/resultats"))
    body = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index('id="coverage-title"'):]))
    assert "How good our intervals are" in body and "Goal: every published coverage between 93% and 97%" in body
    assert "400 respondents, 3 of 10 officials 50.0% 87.1% ± 0.6 (outside the goal) 0.4 5.1" in body


def test_without_a_recorded_study_the_section_is_left_out(client, db, make, monkeypatch):
    monkeypatch.setattr(coverage, "_load", lambda: None)
    survey, _payload = _published_survey(db, make)
    response = client.get(f"/questionnaires/{survey.id}/resultats")
    assert response.status_code == 200 and "Ce que valent nos intervalles" not in _text(response)


def test_the_shipped_study_file_is_readable():
    data = json.loads(coverage.DATA_FILE.read_text(encoding="utf-8"))
    assert data["runs"] and data["commit"] and data["surveys"] >= 200


def test_every_coverage_figure_the_pages_show_meets_the_goal():
    """The shipped study (the one the results pages print) was run with the code as
    committed, and each residents' and gap coverage it reports lies within its goal, so
    none needs the "hors objectif" label (issue 20)."""
    data = json.loads(coverage.DATA_FILE.read_text(encoding="utf-8"))
    low, high = data["goal"]
    assert data["code_modified"] is False
    assert {run["variant"] for run in data["runs"]} == {"main", "interactions"}
    for run in data["runs"]:
        for row in run["residents"] + run["gap"]:
            assert row["surveys"] == data["surveys"], row
            assert low <= row["coverage_not_approximate"] <= high, (run["variant"], row["n"], row.get("officials"))
