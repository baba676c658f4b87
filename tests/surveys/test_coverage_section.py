"""The results pages' "Ce que valent nos intervalles": the coverage study's latest figures
(plateforme/surveys/data/coverage.json, written by bench/coverage.py --json-out), the residents'
own estimates among them when the study measured them, and the comparisons' coverage."""
from __future__ import annotations

import json
import re

from plateforme.surveys import coverage

from .page_helpers import _text
from .test_manage_and_results_views import _published_survey
from .test_waves import OFFICIALS_A, OFFICIALS_B, RESIDENTS_A, RESIDENTS_B, STATEMENTS_A, STATEMENTS_B, _published_wave

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
# The same study as a run that measured the residents' own estimates writes it (issue 24.4).
WITH_ESTIMATES = {**STUDY, "runs": [{
    **STUDY["runs"][0],
    "residents_estimate": [{"n": 400, "published": 3000, "figures": 3000, "coverage_not_approximate": 0.9513,
                            "mc_se_not_approximate": 0.0039, "bias": 0.0008, "rmse": 0.0121}],
    "residents_estimate_gap": [{"n": 400, "published": 2970, "figures": 3000, "coverage_not_approximate": 0.9487,
                                "mc_se_not_approximate": 0.0040, "bias": 0.0037, "rmse": 0.0336}],
}]}
ESTIMATE_CAPTION = "Estimation moyenne des habitants (ce qu'ils pensent de l'accord de leurs voisins)"
PAIRED_CAPTION = "Écart entre l'estimation des habitants et leur propre accord"


def _section(client, path: str) -> str:
    """The coverage section's words, tags removed, spaces collapsed."""
    response = client.get(path)
    assert response.status_code == 200
    html = _text(response)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index('id="coverage-title"'):]))


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
    committed, with the documented command, and each coverage it reports (residents' share,
    gap, residents' mean estimate and paired gap) lies within its goal, so
    none needs the "hors objectif" label (issue 20)."""
    data = json.loads(coverage.DATA_FILE.read_text(encoding="utf-8"))
    low, high = data["goal"]
    assert data["code_modified"] is False and data["command"] == coverage.REPRODUCE
    assert {run["variant"] for run in data["runs"]} == {"main", "interactions"}
    for run in data["runs"]:
        # The residents' own estimates are published on the pages too: the study must measure them.
        assert run["residents_estimate"] and run["residents_estimate_gap"], run["variant"]
        for row in run["residents"] + run["gap"] + run["residents_estimate"] + run["residents_estimate_gap"]:
            assert row["surveys"] == data["surveys"], row
            assert low <= row["coverage_not_approximate"] <= high, (run["variant"], row["n"], row.get("officials"))


def test_the_residents_own_estimates_have_their_rows_when_the_study_measured_them(client, db, make, monkeypatch):
    monkeypatch.setattr(coverage, "_load", lambda: WITH_ESTIMATES)
    survey, _payload = _published_survey(db, make)
    body = _section(client, f"/questionnaires/{survey.id}/resultats")
    assert f"{ESTIMATE_CAPTION} — opinions selon le sexe" in body
    assert "400 répondants 100,0 % 95,1 % ± 0,4 0,1 1,2" in body
    assert f"{PAIRED_CAPTION} — opinions selon le sexe" in body
    assert "400 répondants 99,0 % 94,9 % ± 0,4 0,4 3,4" in body  # a paired gap withheld now and then
    assert "la vraie valeur est la moyenne des estimations de toute la population fictive" in body
    assert body.count("hors objectif") == 1  # the officials' gap of STUDY, not the estimates

    client.post("/langue", data={"lang": "en", "next": "/"})
    body = _section(client, f"/questionnaires/{survey.id}/resultats")
    assert "Residents' mean estimate (what they think of their neighbours' agreement)" in body
    assert "Gap between residents' estimate and their own agreement" in body
    assert "400 respondents 99.0% 94.9% ± 0.4 0.4 3.4" in body


def test_a_study_run_before_the_residents_estimates_renders_without_their_rows(client, db, make, monkeypatch):
    monkeypatch.setattr(coverage, "_load", lambda: STUDY)  # no residents_estimate keys at all
    survey, _payload = _published_survey(db, make)
    body = _section(client, f"/questionnaires/{survey.id}/resultats")
    assert "400 répondants 100,0 % 94,8 % ± 0,4" in body  # the residents' and gap tables still there
    assert ESTIMATE_CAPTION not in body and PAIRED_CAPTION not in body
    assert "moyenne des estimations de toute la population fictive" not in body
    # Empty lists (a run whose world gave no estimates) are no rows either, not empty tables.
    monkeypatch.setattr(coverage, "_load", lambda: {**STUDY, "runs": [
        {**STUDY["runs"][0], "residents_estimate": [], "residents_estimate_gap": []}]})
    body = _section(client, f"/questionnaires/{survey.id}/resultats")
    assert ESTIMATE_CAPTION not in body and body.count("— opinions selon") == 2


def test_the_comparisons_coverage_is_given_with_the_caveat_of_the_same_officials(client, db, make, monkeypatch):
    """The differences between territories and the changes between waves, published elsewhere,
    have their measured coverage here; the conservative interval of the gap change with the same
    officials is explained once: here, unless the page's method already does (a later wave)."""
    monkeypatch.setattr(coverage, "_load", lambda: STUDY)
    survey, _payload = _published_survey(db, make)
    body = _section(client, f"/questionnaires/{survey.id}/resultats")
    assert "la différence entre deux territoires contient la vraie différence dans 94,0 % à 95,4 % des cas" in body
    assert "variation entre deux vagues, dans 93,9 % à 95,5 % des cas" in body
    assert "est prudent : il traite les deux vagues comme indépendantes" in body
    assert "dans 96,1 % à 97,8 % des cas, au-dessus de l'objectif" in body
    assert 'href="#method-waves"' not in body

    first = _published_wave(db, "Vague 2025", "2025-01-01", "2025-06-30", STATEMENTS_A, RESIDENTS_A, OFFICIALS_A)
    second = _published_wave(db, "Vague 2026", "2026-01-01", "2026-06-30", STATEMENTS_B, RESIDENTS_B, OFFICIALS_B,
                             previous=first)
    html = _text(client.get(f"/questionnaires/{second.id}/resultats"))
    body = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index('id="coverage-title"'):]))
    assert 'id="method-waves"' in html and '<a href="#method-waves">' in html
    assert "plus large que nécessaire (96,1 % à 97,8 %) : voir « Comparer deux vagues » dans la méthode" in body
    assert "est prudent : il traite" not in body  # said once, in the method

    client.post("/langue", data={"lang": "en", "next": "/"})
    body = _section(client, f"/questionnaires/{survey.id}/resultats")
    assert "the true difference in 94.0% to 95.4% of cases" in body
    assert "in 96.1% to 97.8% of cases, above the goal with a small council" in body
