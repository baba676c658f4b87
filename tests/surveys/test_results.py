"""Published results: weighted agreement checked against independent implementations,
small-cell suppression, frozen versioned snapshots, API and CSV."""
from __future__ import annotations

import csv
import hashlib
import io
import random
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sqlalchemy import event
from statsmodels.stats.proportion import proportion_confint

from plateforme.demo import _illustrative_margins
from plateforme.surveys.imports import import_answers, import_estimates
from plateforme.surveys.publication import publish
from plateforme.surveys.results import _commune_breakdown
from plateforme.surveys.services import SurveyError, close_survey
from plateforme.territories.models import PopulationMargin
from plateforme.territories.services import children_of

from ..factories import make_survey
from .corrections import publish_correction

AGE_BANDS = ["18-29", "30-44", "45-59", "60-74", "75+"]


def _communes(make):
    return children_of(make.territory("200046977"))


def _answers_csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sex", "age_band", "commune", "s1", "s2"])
    writer.writerows(rows)
    return out.getvalue().encode()


def _random_rows(make, per_commune=8, seed=7):
    """Respondents in every commune, with an over-representation of young women."""
    rng = random.Random(seed)
    rows = []
    for commune in _communes(make):
        for _ in range(per_commune):
            sex = "F" if rng.random() < 0.65 else "M"
            band = rng.choice(AGE_BANDS[:2] * 3 + AGE_BANDS)
            agree_bias = 0.7 if band in AGE_BANDS[:2] else 0.4
            s1 = rng.choice(["4", "5"]) if rng.random() < agree_bias else rng.choice(["1", "2", "3", "dk", ""])
            s2 = rng.choice(["1", "2", "3", "4", "5", "dk"])
            rows.append([sex, band, commune.code, s1, s2])
    return rows


SIX_OFFICIALS = ((20, 40), (30, 50), (25, 45), (35, 60), (15, 35), (40, 55))


def _published(db, make, rows, estimates=SIX_OFFICIALS, **survey_overrides):
    _illustrative_margins(_communes(make))
    survey = make_survey(db, **survey_overrides)
    import_answers(survey, _answers_csv(rows))
    if estimates:
        import_estimates(survey, b"s1,s2\n" + b"".join(f"{a},{b}\n".encode() for a, b in estimates),
                         raise_total=True)  # no verified mandate in these tests
    close_survey(survey)
    publication = publish(survey)
    db.session.commit()
    return survey, publication


def test_nothing_is_visible_before_publication(client, db, make):
    survey = make_survey(db)
    assert client.get(f"/api/v1/surveys/{survey.id}/results").status_code == 404
    assert client.get(f"/api/v1/surveys/{survey.id}/results.csv").status_code == 404


def test_weighted_agreement_matches_weightipy_and_statsmodels(client, db, make):
    import weightipy

    # 20 answers a commune: at closing, a commune named by fewer is pooled into "other
    # communes" for anonymity (tests/surveys/test_unlinkability.py), and the independent
    # computation below rakes on every commune.
    rows = _random_rows(make, per_commune=20)
    survey, _publication = _published(db, make, rows, trim=[0.01, 100])
    data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    assert data["weighting"]["applied"] and data["weighting"]["variables"] == ["sex", "age_band", "commune"]

    # Sex and age are raked as crossed cells (every cell holds 10 respondents here).
    assert data["weighting"]["margins"] == "sex_by_age" and data["weighting"]["age_groups"] == AGE_BANDS

    # Independent computation: weightipy rakes to the same margins…
    margins = db.session.query(PopulationMargin).all()
    code_of = {c.id: c.code for c in _communes(make)}
    total = sum(m.count for m in margins)

    def shares(key):
        out = {}
        for m in margins:
            out[key(m)] = out.get(key(m), 0) + m.count * 100 / total
        return out

    scheme = weightipy.scheme_from_dict({
        "sex_age": shares(lambda m: f"{m.sex.value}|{m.age_band}"),
        "commune": shares(lambda m: code_of[m.territory_id]),
    }, rim_params={"convcrit": 1e-10, "max_iterations": 5000})
    frame = pd.DataFrame(rows, columns=["sex", "age_band", "commune", "s1", "s2"])
    frame["sex_age"] = frame["sex"] + "|" + frame["age_band"]
    weights = weightipy.weight(frame[["sex_age", "commune"]], scheme).to_numpy()
    # …statsmodels regresses the linearised share on the calibration cells (GREG residuals:
    # what sex × age and commune do not explain), whose weighted sum of squares is the
    # variance; the effective size p(1 − p)/V, capped at the answers' count, gives Wilson's
    # interval (statsmodels again).
    answered = frame["s1"] != ""
    w = weights[answered.to_numpy()]
    agree = frame.loc[answered, "s1"].isin(["4", "5"]).to_numpy()
    p_hat = float((w * agree).sum() / w.sum())
    z = np.where(answered, frame["s1"].isin(["4", "5"]) - p_hat, 0.0)
    cells = pd.get_dummies(frame[["sex_age", "commune"]]).astype(float)
    fit = sm.WLS(z, cells, weights=weights).fit()
    n = len(frame)
    variance = n / (n - fit.model.rank) * float(np.sum((weights * fit.resid) ** 2)) / w.sum() ** 2
    n_eff = min(p_hat * (1 - p_hat) / variance, int(answered.sum()))
    low, high = proportion_confint(p_hat * n_eff, n_eff, method="wilson")

    s1 = data["statements"][0]["residents"]
    assert s1["n"] == int(answered.sum())
    assert s1["agree"] == pytest.approx(p_hat, abs=2e-4)
    assert s1["n_eff"] == pytest.approx(n_eff, abs=0.2) and s1["variance"] == "linearised"
    # Kish's size, which ignores what the calibration explains, is smaller.
    assert s1["n_eff"] > w.sum() ** 2 / (w ** 2).sum()
    assert (s1["ci_low"], s1["ci_high"]) == (pytest.approx(low, abs=2e-4), pytest.approx(high, abs=2e-4))
    # Weighting moved the estimate: young women, more favourable, were over-represented.
    unweighted = float(agree.mean())
    assert abs(unweighted - p_hat) > 0.005

    officials = data["statements"][0]["officials"]
    assert officials["n"] == 6 and officials["mean_estimate"] == pytest.approx(0.275)
    assert officials["median_estimate"] == pytest.approx(0.275)
    gap = data["statements"][0]["gap"]
    assert gap["value"] == pytest.approx(0.275 - p_hat, abs=2e-4)
    assert gap["ci_low"] < gap["value"] < gap["ci_high"]
    assert officials["below"] + officials["inside"] + officials["above"] == pytest.approx(1)


def test_small_numbers_are_suppressed_not_zero(client, db, make):
    rows = [["F", "30-44", "69266", "5", "4"]] * 6
    survey, _ = _published(db, make, rows, estimates=((20, 40), (30, 50)))
    data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    for statement in data["statements"]:
        residents, officials, gap = statement["residents"], statement["officials"], statement["gap"]
        assert residents["suppressed"] and residents["agree"] is None and residents["n"] is None
        assert officials["suppressed"] and officials["mean_estimate"] is None  # 2 officials < 3
        assert gap["value"] is None and gap["ci_low"] is None and gap["ci_high"] is None
    assert data["sample"]["residents"] is None


def test_commune_breakdown_uses_secondary_suppression(client, db, make):
    rows = ([["F", "30-44", "69266", "5", "4"], ["F", "30-44", "69266", "2", "4"]] * 15
            + [["M", "45-59", "69029", "2", "4"], ["M", "45-59", "69029", "4", "4"]] * 13
            + [["F", "60-74", "69034", "4", "1"]] * 20 + [["F", "60-74", "69034", "1", "1"]]
            + [["M", "18-29", "69259", "4", "1"]] * 4)
    survey, _ = _published(db, make, rows, min_residents=25)
    data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    communes = {c["code"]: c for c in data["statements"][0]["communes"]}
    assert communes["69034"]["suppressed"] and communes["69034"]["agree"] is None  # 21 answers < 25
    # 69029 (26) is the smallest visible cell: hidden too, else 69034 = total − the others.
    assert communes["69029"]["suppressed"]
    assert not communes["69266"]["suppressed"] and communes["69266"]["n"] == 30
    # 69259's 4 answers were pooled into "other communes" at closing: no line of its own.
    assert "69259" not in communes and data["statements"][0]["residents"]["n"] == 81


def test_snapshot_is_frozen_hashed_and_corrections_are_new_versions(client, db, make):
    survey, first = _published(db, make, _random_rows(make))
    assert hashlib.sha256(first.payload.encode()).hexdigest() == first.sha256
    with pytest.raises(SurveyError, match="expliquer"):
        publish(survey)
    import_answers_late = _answers_csv([["M", "75+", "69266", "1", "1"]] * 3)
    with pytest.raises(SurveyError):
        import_answers(survey, import_answers_late)  # published: the data is frozen
    second = publish_correction(survey, "Correction d'une coquille dans le titre.")
    db.session.commit()
    assert second.version == 2 and first.payload == db.session.get(type(first), first.id).payload
    latest = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()["survey"]
    assert latest["version"] == 2 and latest["change_note"] == "Correction d'une coquille dans le titre."
    older = client.get(f"/api/v1/surveys/{survey.id}/results?version=1").get_json()["survey"]
    assert older["version"] == 1 and older["sha256"] == first.sha256


def test_csv_has_the_api_fields_and_no_formula(client, db, make):
    survey, publication = _published(db, make, _random_rows(make),
                                     statements=[{"key": "s1", "text": "=HYPERLINK(\"x\") étudiants", "theme": "people"},
                                                 {"key": "s2", "text": "Deuxième affirmation", "theme": "ideas"}])
    response = client.get(f"/api/v1/surveys/{survey.id}/results.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["key"] for r in rows] == ["s1", "s2"]
    assert rows[0]["text"].startswith("'=")
    data = client.get(f"/api/v1/surveys/{survey.id}/results").get_json()
    assert float(rows[0]["residents_agree"]) == data["statements"][0]["residents"]["agree"]
    assert rows[0]["sha256"] == publication.sha256


def test_csv_spreadsheet_variants_hold_the_same_rows_with_their_own_etag(client, db, make):
    from plateforme.surveys.publication import CSV_COLUMNS
    from tests.observatory.test_spreadsheets import read_xlsx

    survey, _publication = _published(db, make, _random_rows(make))
    address = f"/api/v1/surveys/{survey.id}/results.csv?version=1"
    plain = client.get(address)
    rows = list(csv.reader(io.StringIO(plain.get_data(as_text=True))))
    excel = client.get(address + "&format=excel")
    assert excel.data.startswith("\ufeff".encode("utf-8"))
    excel_rows = list(csv.reader(io.StringIO(excel.get_data(as_text=True)[1:]), delimiter=";"))
    numbers = {i for i, (_name, kind, _d) in enumerate(CSV_COLUMNS) if kind == "number"}
    assert [[cell.replace(",", ".") if i in numbers else cell for i, cell in enumerate(row)]
            for row in excel_rows] == rows
    assert any("," in row[i] for row in excel_rows[1:] for i in numbers)  # a decimal comma, really
    book = client.get(address + "&format=xlsx")
    assert book.status_code == 200 and book.headers["Content-Disposition"].endswith(f'questionnaire-{survey.id}-v1.xlsx"')
    sheet = read_xlsx(book.data)
    assert [text for _kind, text in sheet[0]] == rows[0] and len(sheet) == len(rows)
    agree = rows[0].index("residents_agree")
    assert all(row[agree][0] == "n" for row in sheet[1:] if row[agree][1])
    # Each variant is its own representation: a client's CSV copy does not validate the workbook.
    assert len({plain.headers["ETag"], excel.headers["ETag"], book.headers["ETag"]}) == 3
    again = client.get(address + "&format=xlsx", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 200


def test_published_results_cost_the_same_queries_whatever_the_number_of_answers(app, client, db, make):
    counts = []
    for per_commune in (5, 40):
        survey, _ = _published(db, make, _random_rows(make, per_commune=per_commune, seed=per_commune))
        statements: list[str] = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/api/v1/surveys/{survey.id}/results").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_communes_are_listed_in_french_alphabetical_order():
    """"Écully" and "Vénissieux" where a French reader looks for them, not after "Villeurbanne"
    as code points put them (the table of communes, in the snapshot and so on every page)."""
    names = {1: "Villeurbanne", 2: "Vénissieux", 3: "Écully", 4: "Bron"}
    communes = {cid: SimpleNamespace(code=f"6900{cid}", name=name) for cid, name in names.items()}
    codes = np.array([4, 1] * 40)  # agree, disagree: no commune unanimous
    groups = {cid: np.arange(20 * (cid - 1), 20 * cid) for cid in names}
    rows = _commune_breakdown(codes, np.ones(80), groups, communes, threshold=5)
    assert [row["name"] for row in rows] == ["Bron", "Écully", "Vénissieux", "Villeurbanne"]
