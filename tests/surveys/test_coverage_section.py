"""The results pages' "Ce que valent nos intervalles": the coverage study's latest figures
(plateforme/surveys/data/coverage.json, written by bench/coverage.py --json-out)."""
from __future__ import annotations

import json

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
    body = _text(client.get(f"/questionnaires/{survey.id}/resultats")).replace("\u202f", " ").replace("\u00a0", " ")
    assert "Ce que valent nos intervalles" in body
    assert "400 répondants" in body and "94,8 % ± 0,4" in body and "100,0 %" in body
    # A figure outside 93–97 % is said to be so, in words; half the gaps were not published.
    assert "400 répondants, 3 élus sur 10" in body and "87,1 % ± 0,6 (hors objectif)" in body and "50,0 %" in body
    assert "version 0123456789 du code" in body
    assert "python bench/coverage.py --surveys 1000" in body


def test_without_a_recorded_study_the_section_is_left_out(client, db, make, monkeypatch):
    monkeypatch.setattr(coverage, "_load", lambda: None)
    survey, _payload = _published_survey(db, make)
    response = client.get(f"/questionnaires/{survey.id}/resultats")
    assert response.status_code == 200 and "Ce que valent nos intervalles" not in _text(response)


def test_the_shipped_study_file_is_readable():
    data = json.loads(coverage.DATA_FILE.read_text(encoding="utf-8"))
    assert data["runs"] and data["commit"] and data["surveys"] >= 200
