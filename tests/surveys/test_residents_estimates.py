"""Residents' own estimates of how many agree (issue 24, part 4): the published weighted mean,
its interval and the paired gap, recomputed independently (weightipy raking, statsmodels WLS
residuals, scipy's t); small-cell rules; old snapshots; page, API and CSV agree; English."""
from __future__ import annotations

import csv
import io
import json
import random
import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from plateforme.demo import _illustrative_margins
from plateforme.surveys.imports import import_answers, import_estimates
from plateforme.surveys.models import Publication
from plateforme.surveys.publication import publish
from plateforme.surveys.services import close_survey
from plateforme.territories.models import PopulationMargin
from plateforme.territories.services import children_of

from ..factories import make_survey
from .page_helpers import _words

AGE_BANDS = ["18-29", "30-44", "45-59", "60-74", "75+"]
HEADER = ["sex", "age_band", "commune", "s1", "s2", "estimate_s1", "estimate_s2"]


def _communes(make):
    return children_of(make.territory("200046977"))


def _rows(make, per_commune=20, seed=11, estimate_rate=0.8):
    """Young women over-represented; the young agree more and guess higher; some skip."""
    rng = random.Random(seed)
    rows = []
    for commune in _communes(make):
        for _ in range(per_commune):
            sex = "F" if rng.random() < 0.6 else "M"
            band = rng.choice(AGE_BANDS[:2] * 2 + AGE_BANDS)
            young = band in AGE_BANDS[:2]
            s1 = rng.choice(["4", "5"]) if rng.random() < (0.7 if young else 0.4) else rng.choice(["1", "2", "dk", ""])
            s2 = rng.choice(["1", "2", "3", "4", "5", "dk"])
            e1 = str(min(100, max(0, round(rng.gauss(45 if young else 30, 15))))) if rng.random() < estimate_rate else ""
            e2 = str(rng.randint(0, 100)) if rng.random() < estimate_rate else ""
            rows.append([sex, band, commune.code, s1, s2, e1, e2])
    return rows


def _csv(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _published(db, make, rows, **overrides):
    _illustrative_margins(_communes(make))
    survey = make_survey(db, **overrides)
    import_answers(survey, _csv(rows))
    import_estimates(survey, b"s1,s2\n20,40\n30,50\n25,45\n35,60\n15,35\n40,55\n", raise_total=True)
    close_survey(survey)
    publication = publish(survey)
    db.session.commit()
    return survey, publication


def _independent(db, make, rows, age_groups):
    """Weights by weightipy, on the sex × age groups the publication says it raked on; the domain mean's linearised variance by statsmodels' WLS residuals
    of z = a(y − ȳ) on the calibration cells, n/(n − rank) Σ(w e)² / (Σ w a)²; scipy's t."""
    import weightipy

    margins = db.session.query(PopulationMargin).all()
    code_of = {c.id: c.code for c in _communes(make)}
    total = sum(m.count for m in margins)
    group_of = {band: group for group in age_groups for band in group.split(",")}

    def shares(key):
        out = {}
        for m in margins:
            out[key(m)] = out.get(key(m), 0) + m.count * 100 / total
        return out

    scheme = weightipy.scheme_from_dict({
        "sex_age": shares(lambda m: f"{m.sex.value}|{group_of[m.age_band]}"),
        "commune": shares(lambda m: code_of[m.territory_id]),
    }, rim_params={"convcrit": 1e-10, "max_iterations": 5000})
    frame = pd.DataFrame(rows, columns=HEADER)
    frame["sex_age"] = frame["sex"] + "|" + frame["age_band"].map(group_of)
    weights = weightipy.weight(frame[["sex_age", "commune"]], scheme).to_numpy()
    cells = pd.get_dummies(frame[["sex_age", "commune"]]).astype(float)
    n = len(frame)

    def domain(values, in_domain):
        w = weights[in_domain]
        mean = float(np.sum(w * values[in_domain]) / w.sum())
        z = np.where(in_domain, values - mean, 0.0)
        fit = sm.WLS(z, cells, weights=weights).fit()
        variance = n / (n - fit.model.rank) * float(np.sum((weights * fit.resid) ** 2)) / w.sum() ** 2
        # Floor: never more precise than a simple random sample of the domain's size.
        spread = float(np.sum(w * (values[in_domain] - mean) ** 2) / w.sum())
        variance = max(variance, spread / in_domain.sum())
        df = max(w.sum() ** 2 / np.sum(w ** 2) - 1, 1)
        half = stats.t.ppf(0.975, df) * np.sqrt(variance)
        return mean, mean - half, mean + half

    out = {}
    for key in ("s1", "s2"):
        given = (frame[f"estimate_{key}"] != "").to_numpy()
        estimate = pd.to_numeric(frame[f"estimate_{key}"], errors="coerce").fillna(0).to_numpy() / 100
        answered = (frame[key] != "").to_numpy()
        agree = frame[key].isin(["4", "5"]).to_numpy().astype(float)
        out[key] = {"mean": domain(estimate, given), "paired": domain(estimate - agree, given & answered),
                    "n": int(given.sum()), "n_both": int((given & answered).sum())}
    return out


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.SingularMatrixWarning")
def test_mean_estimate_and_paired_gap_match_an_independent_computation(client, db, make):
    rows = _rows(make)
    survey, _publication = _published(db, make, rows, trim=[0.01, 100])
    data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    # No weight trimmed: weightipy does not trim.
    assert data["weighting"]["applied"] and data["weighting"]["trimmed"] == 0
    expected = _independent(db, make, rows, data["weighting"]["age_groups"])
    tolerance = 2e-4  # figures rounded to 4 decimals; the raking stops at a relative 1e-6
    for statement in data["statements"]:
        block, truth = statement["residents_estimate"], expected[statement["key"]]
        assert not block["suppressed"] and block["n"] == truth["n"] and block["variance"] == "linearised"
        mean, low, high = truth["mean"]

        assert block["mean"] == pytest.approx(mean, abs=tolerance)
        assert (block["ci_low"], block["ci_high"]) == (pytest.approx(low, abs=tolerance),
                                                       pytest.approx(high, abs=tolerance))
        paired = block["paired_gap"]
        value, low, high = truth["paired"]
        assert not paired["suppressed"] and paired["n"] == truth["n_both"]
        assert paired["value"] == pytest.approx(value, abs=tolerance)
        assert (paired["ci_low"], paired["ci_high"]) == (pytest.approx(low, abs=tolerance),
                                                         pytest.approx(high, abs=tolerance))
        # The interval's width, which the raking's tolerance hardly moves, to within 1 %.
        assert paired["ci_high"] - paired["ci_low"] == pytest.approx(high - low, rel=0.01)
        assert paired["excludes_zero"] == (high < 0 or low > 0)
    # The simulated residents guess low on s1 (30–45 against about half agreeing): a clear underestimate.
    s1 = data["statements"][0]["residents_estimate"]["paired_gap"]
    assert s1["ci_high"] < 0


def test_too_few_estimates_are_not_published_and_small_remainders_hide_the_paired_gap(client, db, make):
    # 40 respondents, all answer s1 and s2; s1: 10 estimates (< 11); s2: 35 estimates, so the 5
    # who answered without estimating could be solved for from the share and the paired gap.
    rows = [["F" if i % 2 else "M", AGE_BANDS[i % 5], "69266", "4" if i % 3 else "2", "5" if i % 4 else "1",
             "40" if i < 10 else "", "50" if i < 35 else ""] for i in range(40)]
    survey, _publication = _published(db, make, rows)
    data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    s1, s2 = (s["residents_estimate"] for s in data["statements"])
    assert s1["suppressed"] and s1["mean"] is None and s1["n"] is None and s1["ci_low"] is None
    assert s1["paired_gap"]["value"] is None and s1["paired_gap"]["suppressed"]
    assert not s2["suppressed"] and s2["n"] == 35 and s2["mean"] == pytest.approx(0.5)
    assert s2["paired_gap"]["suppressed"] and s2["paired_gap"]["value"] is None
    rows_csv = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/surveys/{survey.id}/results.csv").get_data(
        as_text=True))))
    assert rows_csv[0]["residents_estimate_mean"] == "" and rows_csv[0]["residents_estimate_suppressed"] == "true"
    assert rows_csv[1]["residents_estimate_gap_value"] == ""
    page = _words(client.get(f"/questionnaires/{survey.id}/resultats"))
    assert "non publié (moins de 11 estimations)" in page


def test_page_api_and_csv_carry_the_same_figures_in_french_and_english(client, db, make):
    survey, publication = _published(db, make, _rows(make, per_commune=15, seed=3))
    data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    assert json.loads(publication.payload)["statements"][0]["residents_estimate"] == \
        data["statements"][0]["residents_estimate"]
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/surveys/{survey.id}/results.csv").get_data(
        as_text=True))))
    page = _words(client.get(f"/questionnaires/{survey.id}/resultats"))
    english = _words(client.get(f"/questionnaires/{survey.id}/resultats", headers={"Accept-Language": "en"}))
    assert "Ce que les habitants pensent les uns des autres" in page and "Prentice et Miller, 1993" in page
    assert "What residents think of each other" in english and "Prentice and Miller, 1993" in english
    assert "Pluralistic ignorance" in english and "ignorance pluraliste" in page
    for statement, row in zip(data["statements"], rows):
        block = statement["residents_estimate"]
        assert float(row["residents_estimate_mean"]) == block["mean"]
        assert float(row["residents_estimate_ci_low"]) == block["ci_low"]
        assert float(row["residents_estimate_ci_high"]) == block["ci_high"]
        assert int(row["residents_estimate_n"]) == block["n"]
        paired = block["paired_gap"]
        assert float(row["residents_estimate_gap_value"]) == paired["value"]
        assert int(row["residents_estimate_gap_n"]) == paired["n"]
        # The page rounds to whole percents and points, as everywhere else.
        mean, low, high = (round(block[k] * 100) for k in ("mean", "ci_low", "ci_high"))
        assert re.search(rf"{mean} % \({low} % à {high} %\), {block['n']} estimations", page)
        assert re.search(rf"{mean}% \({low}% to {high}%\), {block['n']} estimates", english)
        gap = round(paired["value"] * 100)
        sign = "−" if gap < 0 else "+"
        assert f"{sign}{abs(gap)} points (" in page
    summary_fr = "Les habitants aussi sous-estiment l'adhésion de leurs voisins"
    pairs = [s["residents_estimate"]["paired_gap"] for s in data["statements"]]
    officials = [s["gap"]["value"] for s in data["statements"] if s["gap"]["value"] is not None]
    assert (summary_fr in page) == (np.mean([p["value"] for p in pairs]) < -0.005
                                    and any(p["ci_high"] < 0 for p in pairs) and bool(officials)
                                    and sum(officials) < 0)


def test_versions_published_before_the_figure_still_render(client, db, make):
    survey, publication = _published(db, make, _rows(make, per_commune=12, seed=5))
    old = json.loads(publication.payload)
    for statement in old["statements"]:
        del statement["residents_estimate"]
    payload = json.dumps(old, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    db.session.add(Publication(survey_id=survey.id, version=2, payload=payload, sha256="0" * 64,
                               change_note="Ancienne forme"))
    db.session.commit()
    page = client.get(f"/questionnaires/{survey.id}/resultats/v2")
    assert page.status_code == 200 and "Ce que les habitants pensent" not in _words(page)
    assert "Prentice" not in _words(page)
    assert client.get(f"/api/v1/surveys/{survey.id}/results?version=2").status_code == 200
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/surveys/{survey.id}/results.csv?version=2")
                                           .get_data(as_text=True))))
    assert rows and all(row["residents_estimate_mean"] == "" and row["residents_estimate_gap_value"] == ""
                        for row in rows)
    assert rows[0]["residents_agree"] != ""


def test_paper_import_takes_estimates_and_refuses_bad_ones(db, make):
    from plateforme.core.csvimport import CsvFileError, CsvLinesError
    from plateforme.surveys.models import ResidentResponse

    survey = make_survey(db)
    with pytest.raises(CsvLinesError, match="estimation «.101.» invalide"):
        import_answers(survey, _csv([["F", "30-44", "69266", "4", "5", "101", ""]]))
    with pytest.raises(CsvLinesError, match="estimation «.².» invalide"):
        import_answers(survey, _csv([["F", "30-44", "69266", "4", "5", "²", ""]]))
    with pytest.raises(CsvFileError, match="estimate_s3"):
        import_answers(survey, _csv([["F", "30-44", "69266", "4", "5", "1"]],
                                    header=["sex", "age_band", "commune", "s1", "s2", "estimate_s3"]))
    import_answers(survey, _csv([["F", "30-44", "69266", "4", "5", "", "35"]]))
    assert db.session.query(ResidentResponse.estimates).scalar() == ",35"


@pytest.mark.parametrize("given, answered, both, weighted, withheld", [
    (50, 60, 50, True, True),     # E \ B empty, S \ B = 10: share_B follows, then S \ B's share
    (50, 70, 50, True, False),    # S \ B = 20: fine
    (52, 60, 50, True, False),    # both remainders small but non-empty, raked: two unknowns
    (52, 60, 50, False, True),    # equal weights: E \ B's estimates follow (agreements are whole)
    (52, 50, 50, True, True),     # S \ B empty, E \ B = 2: their mean estimate follows
    (70, 50, 50, False, False),   # E \ B = 20 ≥ 11
])
def test_paired_gap_is_withheld_when_a_small_group_could_be_solved_for(given, answered, both, weighted, withheld):
    from plateforme.surveys.residents_estimates import paired_gap_disclosive

    assert paired_gap_disclosive(given, answered, both, 11, weighted) == withheld


def test_the_demo_publishes_residents_estimates(app, client, db):
    from sqlalchemy import select

    from plateforme.surveys.models import PerceptionSurvey

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    db.session.rollback()
    survey = db.session.execute(select(PerceptionSurvey).where(
        PerceptionSurvey.title == "L'international et nous — vague 2025")).scalar_one()
    data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    for statement in data["statements"]:
        block = statement["residents_estimate"]
        assert not block["suppressed"] and block["mean"] is not None
        # Illustrative residents guess 12 points low: the paired gap says so.
        assert block["paired_gap"]["value"] < 0 and block["paired_gap"]["excludes_zero"]
    page = _words(client.get(f"/questionnaires/{survey.id}/resultats"))
    assert "Les habitants aussi sous-estiment l'adhésion de leurs voisins" in page


def test_the_import_form_names_the_optional_estimate_columns(client, db, make):
    from ..factories import sign_in

    survey = make_survey(db)
    sign_in(client, make.admin())
    page = _words(client.get(f"/questionnaires/{survey.id}/gerer"))
    assert "une colonne estimate_CLÉ par affirmation (estimate_s1, estimate_s2)" in page


def _statement(paired, low, high, officials_gap):
    return {"gap": {"value": officials_gap},
            "residents_estimate": {"paired_gap": {"value": paired, "ci_low": low, "ci_high": high}}}


@pytest.mark.parametrize("statements, says, never", [
    # No interval below zero: a mean of −3 points is no finding that residents underestimate.
    ([_statement(-0.03, -0.09, 0.03, -0.2), _statement(-0.02, -0.08, 0.04, -0.1)],
     "En moyenne, l'estimation des habitants est 3 points sous la part réelle", "sous-estiment"),
    # Residents clearly underestimate, but officials overestimate: not « aussi ».
    ([_statement(-0.12, -0.16, -0.08, 0.15), _statement(-0.10, -0.14, -0.06, 0.05)],
     "Les habitants sous-estiment l'adhésion de leurs voisins : leur estimation est en moyenne 11 points",
     "aussi"),
    # Both underestimate: « aussi » is true.
    ([_statement(-0.12, -0.16, -0.08, -0.15)],
     "Les habitants aussi sous-estiment l'adhésion de leurs voisins : leur estimation est en moyenne 12 points",
     None),
    ([_statement(0.04, -0.01, 0.09, -0.1)],
     "En moyenne, l'estimation des habitants est 4 points au-dessus de la part réelle", "surestiment"),
])
def test_the_headline_claims_no_more_than_its_intervals(app, statements, says, never):
    from plateforme.surveys.estimates_text import estimates_headline

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        headline = estimates_headline(statements).replace("\u00a0", " ").replace("\u202f", " ")
    assert says in headline
    assert never is None or never not in headline
