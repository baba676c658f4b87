"""What the published results may and may not let a reader work out (issue 20): officials
below 5, impossible official counts, hidden commune cells, pooled communes, the weighting
diagnostics, the headline and the share's denominator."""
from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
from scipy.stats import t as scipy_t

from plateforme.demo import _illustrative_margins
from plateforme.surveys.imports import import_answers, import_estimates
from plateforme.surveys.presentation import finding_title
from plateforme.surveys.publication import publish
from plateforme.surveys.results import compute_results
from plateforme.surveys.services import close_survey
from plateforme.surveys.wave_presentation import _gap_text
from plateforme.territories.services import children_of

from ..factories import make_survey, page_text
from .test_results import _answers_csv, _random_rows


def _survey_with(db, make, rows, estimates, publish_it=True, **overrides):
    _illustrative_margins(children_of(make.territory("200046977")))
    survey = make_survey(db, **overrides)
    import_answers(survey, _answers_csv(rows))
    import_estimates(survey, b"s1,s2\n" + b"".join(f"{a},{b}\n".encode() for a, b in estimates), raise_total=True)
    close_survey(survey)
    if publish_it:
        publish(survey)
    db.session.commit()
    return survey


def test_three_officials_cannot_be_recovered(client, db, make):
    # {10, 40, 40} and {20, 20, 50}: same mean and same sd, different officials. Whatever is
    # published about either must be the same, or someone could tell (and solve) them.
    rows = _random_rows(make, per_commune=20)
    published = []
    for estimates in (((10, 30), (40, 30), (40, 30)), ((20, 30), (20, 30), (50, 30))):
        survey = _survey_with(db, make, rows, estimates)
        data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
        s1 = data["statements"][0]
        published.append((s1["officials"], s1["gap"]))
        page = page_text(client.get(f"/questionnaires/{survey.id}/resultats"))
        assert "la moyenne seule est publiée" in page
    (first, first_gap), (second, second_gap) = published
    assert first == second and first_gap == second_gap
    assert first["mean_only"] and first["mean_estimate"] == pytest.approx(0.3)
    for key in ("median_estimate", "sd_estimate", "below", "inside", "above", "mean_absolute_error",
                "wrong_majority_rate", "projection"):
        assert first[key] is None, key


def test_five_officials_get_their_distribution(client, db, make):
    survey = _survey_with(db, make, _random_rows(make, per_commune=20),
                          ((10, 30), (40, 30), (40, 30), (20, 30), (50, 30)), officials_total=40)
    data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    officials, gap, residents = (data["statements"][0][k] for k in ("officials", "gap", "residents"))
    assert not officials["mean_only"] and officials["median_estimate"] == pytest.approx(0.4)
    # The gap interval, recomputed independently: Welch–Satterthwaite df, scipy's t quantile.
    e = np.array([0.1, 0.4, 0.4, 0.2, 0.5])
    v1 = e.var(ddof=1) / 5 * (1 - 5 / 40)
    p, n_eff = residents["agree"], residents["n_eff"]
    v2 = p * (1 - p) / n_eff
    df = (v1 + v2) ** 2 / (v1**2 / 4 + v2**2 / (n_eff - 1))
    half = scipy_t.ppf(0.975, df) * np.sqrt(v1 + v2)
    assert gap["df"] == pytest.approx(df, rel=0.01)
    assert gap["ci_high"] - gap["value"] == pytest.approx(half, abs=3e-4)


def test_more_answers_than_officials_give_no_gap_rather_than_a_zero_correction(db, make):
    survey = _survey_with(db, make, _random_rows(make, per_commune=20),
                          ((10, 30), (40, 30), (40, 30), (20, 30), (50, 30)), publish_it=False)
    survey.officials_total = 4  # corrected by hand below those who answered
    db.session.commit()
    data = compute_results(survey)
    gap = data["statements"][0]["gap"]
    assert gap["value"] is None and gap["reason"] == "officials_total_below_answered"


def test_unanimous_communes_and_pooled_communes_do_not_single_out_anyone(client, db, make):
    rows = ([["F", "30-44", "69266", "5", "4"], ["M", "30-44", "69266", "2", "4"]] * 20
            + [["M", "45-59", "69029", "5", "4"]] * 25  # everyone agrees: 100 %
            + [["F", "60-74", "69034", "4", "1"], ["F", "45-59", "69034", "1", "1"]] * 15
            + [["M", "18-29", "69259", "4", "1"]] * 4)
    survey = _survey_with(db, make, rows, ((20, 40), (30, 50), (25, 45), (35, 60), (30, 30)))
    data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    communes = {c["code"]: c for c in data["statements"][0]["communes"]}
    assert communes["69029"]["suppressed"] and communes["69029"]["agree"] is None
    assert communes["69266"]["suppressed"] ^ communes["69034"]["suppressed"]  # its group is protected
    weighting = data["weighting"]
    assert "pooled_communes" not in weighting and weighting["pooled_commune_count"] > 0
    assert "69259" not in str(weighting)


def test_every_survey_publishes_its_weighting_diagnostics(client, db, make):
    # 60 young women, 8 others: trim bounds (0.3, 3) cannot hold with the margins.
    rows = ([["F", "18-29", "69266", "5", "4"], ["F", "18-29", "69266", "2", "4"]] * 30
            + [["M", "60-74", "69266", "1", "1"]] * 4 + [["F", "75+", "69266", "4", "4"]] * 4)
    survey = _survey_with(db, make, rows, ((20, 40), (30, 50), (25, 45)))
    data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    weighting = data["weighting"]
    assert weighting["applied"] and weighting["converged"] is True, weighting
    assert weighting["trim_widened"] and weighting["trim_used"][1] > 3
    assert weighting["max_margin_error"] <= 1e-5 and weighting["max_weight"] > 3
    page = page_text(client.get(f"/questionnaires/{survey.id}/resultats"))
    assert "la borne haute a été élargie" in page and "plus grand poids" in page


def test_the_headline_does_not_let_opposite_gaps_cancel(client, db, make):
    statements = [{"gap": {"value": 0.2, "ci_low": 0.1, "ci_high": 0.3}},
                  {"gap": {"value": -0.2, "ci_low": -0.3, "ci_high": -0.1}},
                  {"gap": {"value": 0.01, "ci_low": -0.05, "ci_high": 0.07}}]
    with client.application.test_request_context():
        title = finding_title(statements)
    assert "moins d'un point" not in title
    assert "14 points en moyenne" in title  # (20 + 20 + 1) / 3, by hand
    assert "2 affirmations sur 3" in title


def test_the_share_says_dont_know_is_in_its_denominator(client, db, make):
    survey = _survey_with(db, make, _random_rows(make, per_commune=20), ((20, 40), (30, 50), (25, 45)))
    page = page_text(client.get(f"/questionnaires/{survey.id}/resultats"))
    assert "«\u00a0ne sait pas\u00a0» compris au dénominateur" in page  # French spacing, as rendered
    assert "qui porte sur tous les habitants" in page
    spec = client.get("/api/v1/openapi.json").get_json()
    agree = spec["components"]["schemas"]["SurveyResults"]["properties"]["statements"]["items"]
    assert "denominator" in agree["properties"]["residents"]["properties"]["agree"]["description"]
    data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    assert data["summary"]["statements_with_gap"] == 2


def test_a_resident_may_prefer_not_to_give_their_sex(client, db, make):
    from plateforme.surveys.models import ResidentPending
    from sqlalchemy import select

    from ..factories import post_form, sign_in
    from .page_helpers import _resident_fields

    survey = make_survey(db, "open")
    user = make.user()
    sign_in(client, user)
    form = client.get(f"/questionnaires/{survey.id}/repondre").get_data(as_text=True)
    assert re.search(r'value="X"', form) and "Je préfère ne pas répondre" in form
    response = post_form(client, f"/questionnaires/{survey.id}/repondre", _resident_fields(user.commune_id, sex="X"))
    assert response.status_code == 302, page_text(response)[:3000]
    assert db.session.execute(select(ResidentPending.sex)).scalar_one() == "X"
    # And on paper.
    assert import_answers(survey, b"sex,age_band,commune,s1,s2\nx,30-44,69266,5,4\n") == 1


def test_snapshots_published_before_these_keys_still_render(client, db, make):
    import json

    from plateforme.surveys.models import Publication
    from plateforme.surveys.publication import canonical_json

    survey = _survey_with(db, make, _random_rows(make, per_commune=20), ((20, 40), (30, 50), (25, 45)))
    publication = db.session.query(Publication).filter_by(survey_id=survey.id).one()
    data = json.loads(publication.payload)
    data.pop("summary")
    weighting = data["weighting"]
    for key in ("pooled_commune_count", "margins", "age_groups", "max_margin_error", "max_weight", "trim_used",
                "trim_widened", "sex_not_given"):
        weighting.pop(key)
    weighting["pooled_communes"] = ["69259", "69260"]  # what older versions listed
    for statement in data["statements"]:
        statement["officials"].pop("mean_only")
        statement["officials"].update(median_estimate=0.25, sd_estimate=0.05)
        for key in ("df", "excludes_zero"):
            statement["gap"].pop(key)
        statement["residents"].pop("variance")
        statement.pop("residents_estimate")
    publication.payload = canonical_json(data)
    db.session.commit()
    response = client.get(f"/questionnaires/{survey.id}/resultats")
    assert response.status_code == 200
    page = page_text(response)
    assert "2 communes ont été regroupées" in page and "69259" not in page
    assert "médiane 25" in page
    # No "variance" key (published before the linearised variance): the Kish sentence.
    assert re.search(r"méthode de Wilson sur la taille effective\.", page) and "linéarisation" not in page


def test_the_method_reads_in_english_too(client, db, make):
    rows = ([["F", "18-29", "69266", "5", "4"], ["F", "18-29", "69266", "2", "4"]] * 30
            + [["M", "60-74", "69266", "1", "1"]] * 4 + [["X", "75+", "69266", "4", "4"]] * 4)
    survey = _survey_with(db, make, rows, ((20, 40), (30, 50), (25, 45)))
    page = page_text(client.get(f"/questionnaires/{survey.id}/resultats", headers={"Accept-Language": "en"}))
    for text in ("fewer than 5 officials: only the mean is published",
                 "Student's t distribution on the Welch–Satterthwaite degrees of freedom",
                 "are a random subset of all of them",
                 "with “don't know” in the denominator",
                 "the upper bound was widened to",
                 "4 people preferred not to give their sex: each counts for both sexes",
                 "Largest remaining difference between the weighted sample and a margin"):
        assert text in page, text


def test_the_residents_interval_says_it_credits_the_calibration(client, db, make):
    # Issue 20: Kish's effective size over-covered (97 %); the published interval now rests on
    # the raked share's linearised variance, and the page, the API and its description say so.
    survey = _survey_with(db, make, _random_rows(make, per_commune=20), ((20, 40), (30, 50), (25, 45)))
    data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    assert {s["residents"]["variance"] for s in data["statements"]} == {"linearised"}
    page = page_text(client.get(f"/questionnaires/{survey.id}/resultats"))
    assert re.search(r"taille effective de chaque part, tirée de la variance du calage estimée par linéarisation",
                     page)
    english = page_text(client.get(f"/questionnaires/{survey.id}/resultats", headers={"Accept-Language": "en"}))
    assert "Wilson's method on each share's effective size" in english
    spec = client.get("/api/v1/openapi.json").get_json()
    residents = spec["components"]["schemas"]["SurveyResults"]["properties"]["statements"]["items"]
    assert "linearised variance" in residents["properties"]["residents"]["properties"]["n_eff"]["description"]


def test_a_gap_bound_that_rounds_to_zero_keeps_its_side_of_zero_on_every_page(client, db, make):
    """−0.34 point shown « 0 point » on the results page but « −0,3 point » on the comparison:
    the same bound, two readings, and the first hides that the interval reaches below zero."""
    survey = make_survey(db, "closed")
    publication = publish(survey)
    payload = json.loads(publication.payload)
    payload["statements"][0]["gap"].update(value=0.12, ci_low=-0.0034, ci_high=0.24, df=30, excludes_zero=False)
    publication.payload = json.dumps(payload)  # a figure as the comparison page met it (survey 4 of the demo)
    db.session.commit()
    text = client.get(f"/questionnaires/{survey.id}/resultats").get_data(as_text=True).replace("\u00a0", " ")
    assert "−0,3 point à +24 points" in text and "(0 point à +24 points)" not in text
    assert _gap_text({"value": 0.12, "ci_low": -0.0034, "ci_high": 0.24}).replace("\u00a0", " ").startswith(
        "+12 points (−0,3 point à")
