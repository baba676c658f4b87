"""Waves (issue 24, part 2): a survey declared the next wave of an earlier one; the changes
since that wave on its results page, in the API and in the CSV, each recomputed here from
the raw answers with statsmodels and scipy; suppression carried; the territory's chart."""
from __future__ import annotations

import csv
import io
import math
import re

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from plateforme.surveys.imports import import_answers, import_estimates
from plateforme.surveys.models import PerceptionSurvey, SurveyStatus
from plateforme.surveys.publication import publish
from plateforme.surveys.services import close_survey, open_survey
from plateforme.surveys.waves import set_previous_wave

from ..factories import make_survey, page_text, post_form, sign_in
from .page_helpers import _survey, _text
from .corrections import publish_correction

OFFICIALS_TOTAL = 40
STATEMENTS_A = [
    {"key": "s1", "text": "La métropole devrait accueillir davantage d'étudiants étrangers", "theme": "people"},
    {"key": "s2", "text": "Les entreprises étrangères sont une chance pour l'emploi local", "theme": "capital"},
    {"key": "s3", "text": "Les jumelages sont utiles aux habitants", "theme": "institutions"},
]
STATEMENTS_B = STATEMENTS_A[:2] + [
    {"key": "s4", "text": "Les cuisines venues d'ailleurs font partie de notre identité", "theme": "gastronomy"}]
# Per wave and statement: (agree, disagree, don't know) among residents; the rest leave it blank.
RESIDENTS_A = {"s1": (120, 100, 20), "s2": (5, 1, 0), "s3": (40, 70, 10)}   # s2: 6 answers, under 11
RESIDENTS_B = {"s1": (150, 130, 20), "s2": (80, 60, 10), "s4": (70, 70, 10)}
OFFICIALS_A = {"s1": [30, 35, 40, 25, 30, 45, 20, 35], "s2": [40, 45, 50, 35, 40, 55, 30, 45],
               "s3": [20, 25, 30, 15, 20, 35, 10, 25]}
OFFICIALS_B = {"s1": [45, 50, 55, 40, 45, 60, 35, 50, 55, 45], "s2": [45, 50, 40, 55, 50, 45, 60, 35, 50, 45],
               "s4": [40, 45, 50, 35, 40, 55, 30, 45, 40, 50]}


def _answers_csv(statements, counts: dict) -> bytes:
    n = max(sum(c) for c in counts.values())
    lines = ["sex,age_band,commune," + ",".join(s["key"] for s in statements)]
    for i in range(n):
        cells = []
        for s in statements:
            agree, disagree, dont_know = counts[s["key"]]
            cells.append("5" if i < agree else "2" if i < agree + disagree else "dk" if i < agree + disagree
                         + dont_know else "")
        lines.append(f"{'FM'[i % 2]},{['30-44', '45-59', '60-74'][i % 3]},{['69266', '69029'][i % 2]},"
                     + ",".join(cells))
    return ("\n".join(lines) + "\n").encode()


def _estimates_csv(statements, estimates: dict) -> bytes:
    m = len(next(iter(estimates.values())))
    lines = [",".join(s["key"] for s in statements)]
    lines += [",".join(str(estimates[s["key"]][i]) for s in statements) for i in range(m)]
    return ("\n".join(lines) + "\n").encode()


def _published_wave(db, title, opens, closes, statements, residents, officials, previous=None):
    survey = make_survey(db, "draft", title=title, opens_at=opens, closes_at=closes, statements=statements,
                         officials_total=OFFICIALS_TOTAL)
    if previous is not None:
        set_previous_wave(survey, previous.id)
    open_survey(survey)
    import_answers(survey, _answers_csv(statements, residents), label="cli", filename="r.csv")
    import_estimates(survey, _estimates_csv(statements, officials), label="cli", filename="e.csv")
    close_survey(survey)
    publish(survey)
    db.session.commit()
    return survey


@pytest.fixture
def waves(db):
    first = _published_wave(db, "Vague 2025", "2025-01-01", "2025-06-30", STATEMENTS_A, RESIDENTS_A, OFFICIALS_A)
    second = _published_wave(db, "Vague 2026", "2026-01-01", "2026-06-30", STATEMENTS_B, RESIDENTS_B, OFFICIALS_B,
                             previous=first)
    return first, second


# --- independent computation, from the raw answers -----------------------------------

def _share(counts):
    agree, disagree, dont_know = counts
    n = agree + disagree + dont_know
    low, high = proportion_confint(agree, n, alpha=0.05, method="wilson")
    return agree / n, low, high, n


def _gap(counts, estimates):
    """The gap and its SE and Welch–Satterthwaite df, as the methodology states them."""
    p, _low, _high, n = _share(counts)
    e = np.asarray(estimates) / 100
    m = e.size
    v_officials = e.var(ddof=1) / m * (1 - m / OFFICIALS_TOTAL)
    v_residents = p * (1 - p) / n
    df = (v_officials + v_residents) ** 2 / (v_officials ** 2 / (m - 1) + v_residents ** 2 / (n - 1))
    return e.mean() - p, math.sqrt(v_officials + v_residents), df


def _expected_share_change(key):
    pa, la, ua, _ = _share(RESIDENTS_A[key])
    pb, lb, ub, _ = _share(RESIDENTS_B[key])
    d = pb - pa  # Newcombe (1998), method 10, from the two Wilson intervals
    return d, d - math.hypot(pb - lb, ua - pa), d + math.hypot(ub - pb, pa - la)


def _expected_gap_change(key):
    ga, sa, dfa = _gap(RESIDENTS_A[key], OFFICIALS_A[key])
    gb, sb, dfb = _gap(RESIDENTS_B[key], OFFICIALS_B[key])
    se = math.hypot(sa, sb)
    df = se ** 4 / (sa ** 4 / dfa + sb ** 4 / dfb)
    half = stats.t.ppf(0.975, df) * se
    return ga, gb, gb - ga, gb - ga - half, gb - ga + half


def _changes(client, survey):
    response = client.get(f"/api/v1/surveys/{survey.id}/changes")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def test_each_published_change_matches_an_independent_computation(client, waves):
    first, second = waves
    document = _changes(client, second)
    assert document["previous_wave"]["id"] == first.id and document["survey"]["id"] == second.id
    by_key = {s["key"]: s for s in document["statements"]}
    assert [(s["key"], s["status"]) for s in document["statements"]] == [
        ("s1", "compared"), ("s2", "compared"), ("s4", "new"), ("s3", "removed")]

    residents = by_key["s1"]["residents"]
    d, low, high = _expected_share_change("s1")
    assert residents["change"] == pytest.approx(d, abs=1e-4)
    assert residents["ci_low"] == pytest.approx(low, abs=3e-4) and residents["ci_high"] == pytest.approx(high, abs=3e-4)
    assert residents["excludes_zero"] == (low > 0 or high < 0)

    gap = by_key["s1"]["gap"]
    ga, gb, d, low, high = _expected_gap_change("s1")
    assert gap["previous"] == pytest.approx(ga, abs=1e-4) and gap["current"] == pytest.approx(gb, abs=1e-4)
    assert gap["change"] == pytest.approx(d, abs=2e-4)
    # The SEs are read back from intervals rounded to 4 decimals: a few 1e-4 of slack.
    assert gap["ci_low"] == pytest.approx(low, abs=5e-4) and gap["ci_high"] == pytest.approx(high, abs=5e-4)
    assert gap["excludes_zero"] == (low > 0 or high < 0) and gap["excludes_zero"] is True
    assert gap["closer"] is bool(abs(gb) < abs(ga)) is True
    # New and removed statements have no change at all.
    for key in ("s3", "s4"):
        assert by_key[key]["residents"]["change"] is None and by_key[key]["gap"]["change"] is None
    summary = document["summary"]
    assert summary["statements_compared"] == 2 and summary["statements_new"] == 1
    assert summary["statements_removed"] == 1 and summary["gaps_compared"] == 1


def test_a_change_is_withheld_when_either_wave_withholds_the_figure(client, waves):
    """s2 had 6 residents' answers in the first wave (threshold 11): its share and gap were
    withheld there, so neither change is published, in JSON, CSV or on the page."""
    first, second = waves
    earlier = client.get(f"/api/v1/surveys/{first.id}/results").get_json()
    assert {s["key"]: s for s in earlier["statements"]}["s2"]["residents"]["suppressed"] is True
    s2 = {s["key"]: s for s in _changes(client, second)["statements"]}["s2"]
    for block in (s2["residents"], s2["gap"]):
        assert block["suppressed"] is True and block["previous"] is None
        assert block["change"] is None and block["ci_low"] is None and block["ci_high"] is None
    row = next(r for r in csv.DictReader(io.StringIO(
        client.get(f"/api/v1/surveys/{second.id}/changes.csv").get_data(as_text=True))) if r["key"] == "s2")
    assert row["residents_previous"] == row["residents_change"] == row["residents_change_ci_low"] == ""
    assert row["gap_change"] == row["gap_change_ci_high"] == "" and row["gap_change_suppressed"] == "true"
    page = _text(client.get(f"/questionnaires/{second.id}/resultats"))
    cell = re.search(r'<tr id="change-s2">(.*?)</tr>', page, re.S).group(1)
    assert "non publiée" in cell and "points (" not in cell


def _points(value):
    n = int(math.floor(abs(value) * 100 + 0.5)) * (1 if value >= 0 else -1)
    sign = "+" if n > 0 else ("−" if n < 0 else "")
    return f"{sign}{abs(n)} point" + ("s" if abs(n) > 1 else "")


def test_page_api_and_csv_carry_the_same_changes(client, waves):
    _first, second = waves
    document = _changes(client, second)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/surveys/{second.id}/changes.csv")
                                           .get_data(as_text=True))))
    assert [r["key"] for r in rows] == [s["key"] for s in document["statements"]]
    for row, statement in zip(rows, document["statements"]):
        assert row["status"] == statement["status"] and row["text"] == statement["text"]
        for prefix, block in (("residents", statement["residents"]), ("gap", statement["gap"])):
            for field, name in (("previous", "previous"), ("current", "current"), ("change", "change"),
                                ("ci_low", "change_ci_low"), ("ci_high", "change_ci_high")):
                value = block[field]
                assert row[f"{prefix}_{name}"] == ("" if value is None else str(value)), (prefix, name)
    page = _text(client.get(f"/questionnaires/{second.id}/resultats"))
    s1 = next(s for s in document["statements"] if s["key"] == "s1")
    cell = re.sub(r"\s+", " ", re.search(r'<tr id="change-s1">(.*?)</tr>', page, re.S).group(1))
    for block in (s1["residents"], s1["gap"]):
        assert f"{_points(block['change'])} ({_points(block['ci_low'])} à {_points(block['ci_high'])})" in cell
    assert "plus proches de l'avis des habitants" in cell and "exclut zéro" in cell
    assert "Nouvelle affirmation" in page and "Affirmation retirée" in page
    assert f"/api/v1/surveys/{second.id}/changes.csv?version=1" in page
    # The first wave has none to compare with: no section, and the API says 404.
    assert client.get(f"/api/v1/surveys/{_first.id}/changes").status_code == 404
    assert 'id="changes-title"' not in _text(client.get(f"/questionnaires/{_first.id}/resultats"))


def test_a_correction_of_the_previous_wave_is_taken_at_once(client, db, waves):
    first, second = waves
    publish_correction(db.session.get(PerceptionSurvey, first.id), "Libellé corrigé")
    db.session.commit()
    assert _changes(client, second)["previous_wave"]["version"] == 2


def test_the_territory_page_draws_the_waves_with_their_data_table(client, waves):
    first, second = waves
    page = _text(client.get("/territoires/epci/200046977"))
    section = page[page.index('class="wave-series"'):]
    svg = section[section.index("<svg"):section.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    table = section[section.index("<table"):section.index("</table>")]
    assert "Les données du graphique" in table
    assert table.index("Vague 2025") < table.index("Vague 2026")  # the waves in order
    _ga, gb, *_ = _expected_gap_change("s1")
    assert _points(gb) in table and "absente de cette vague" in table and "non publié" in table


def test_the_changes_read_in_english(client, waves):
    _first, second = waves
    page = page_text(client.get(f"/questionnaires/{second.id}/resultats", headers={"Accept-Language": "en"}))
    section = page[page.index('class="wave-changes"'):]
    section = section[:section.index("</section>")]
    assert "previous wave" in section and "New statement" in section
    for french in ("Nouvelle affirmation", "vague précédente", "plus proches", "non publiée", "puis"):
        assert french not in section, french
    territory = page_text(client.get("/territoires/epci/200046977", headers={"Accept-Language": "en"}))
    assert "Les données du graphique" not in territory and "absente de cette vague" not in territory


def test_the_methodology_says_the_gap_change_interval_is_conservative_for_the_same_officials(client, waves):
    """bench/coverage_waves.py: with the same officials in both waves the interval covers 96–98 %."""
    _first, second = waves
    french = re.sub(r"[\u00a0\u202f]", " ", page_text(client.get(f"/questionnaires/{second.id}/resultats")))
    assert "Quand les mêmes personnes élues répondent aux deux vagues" in french and "96 à 98 fois sur 100" in french
    english = page_text(client.get(f"/questionnaires/{second.id}/resultats", headers={"Accept-Language": "en"}))
    assert "96 to 98 times in 100" in english


# --- declaring the previous wave -----------------------------------------------------

def _draft(db, **overrides):
    return make_survey(db, "draft", title="Vague suivante", opens_at="2026-01-01", closes_at="2026-06-30",
                       **overrides)


def _post_wave(client, survey, value):
    url = f"/questionnaires/{survey.id}/gerer"
    return post_form(client, f"{url}/vague-precedente", {"wave-previous_wave": str(value)}, form_url=url)


def _refused(response, chosen_id) -> str:
    html = page_text(response)
    assert response.status_code == 200 and 'id="wave-previous_wave-error"' in html
    # What was chosen stays chosen beside the message.
    assert re.search(rf'<option[^>]*selected[^>]*value="{chosen_id}"|<option[^>]*value="{chosen_id}"[^>]*selected',
                     html), "the choice was not kept"
    return re.sub(r"[\u00a0\u202f]", " ", html)


def test_the_manager_of_a_draft_declares_its_previous_wave(client, db, make):
    earlier = make_survey(db, "closed", title="Vague 2025", opens_at="2025-01-01", closes_at="2025-06-30")
    draft = _draft(db)
    sign_in(client, make.elected())
    page = page_text(client.get(f"/questionnaires/{draft.id}/gerer"))
    assert f'value="{earlier.id}"' in page and "Vague 2025" in page
    done = _post_wave(client, draft, earlier.id)
    assert done.status_code == 302 and _survey(db, draft.id).previous_wave_id == earlier.id
    assert _post_wave(client, draft, "").status_code == 302 and _survey(db, draft.id).previous_wave_id is None


def test_a_resident_cannot_declare_a_wave(client, db, make):
    earlier = make_survey(db, "closed", title="Vague 2025", opens_at="2025-01-01", closes_at="2025-06-30")
    draft = _draft(db)
    sign_in(client, make.user())
    # The session's CSRF token, from a form the resident may open: the refusal is the permission's.
    response = post_form(client, f"/questionnaires/{draft.id}/gerer/vague-precedente",
                         {"wave-previous_wave": str(earlier.id)}, form_url="/compte/mot-de-passe")
    assert response.status_code == 404 and _survey(db, draft.id).previous_wave_id is None


def test_another_territory_is_refused_with_a_clear_message(client, db, make, neighbour):
    elsewhere = make_survey(db, "closed", title="Vague de l'Est lyonnais", territory=neighbour.code,
                            opens_at="2025-01-01", closes_at="2025-06-30")
    draft = _draft(db)
    sign_in(client, make.admin())
    html = _refused(_post_wave(client, draft, elsewhere.id), elsewhere.id)
    assert "porte sur" in html and "du même territoire" in html
    assert _survey(db, draft.id).previous_wave_id is None


def test_a_later_survey_is_refused(client, db, make):
    later = make_survey(db, "closed", title="Vague d'après", opens_at="2026-03-01", closes_at="2026-06-30")
    draft = _draft(db)
    sign_in(client, make.admin())
    html = _refused(_post_wave(client, draft, later.id), later.id)
    assert "n'est pas antérieur à ce questionnaire" in html and _survey(db, draft.id).previous_wave_id is None


def test_an_open_survey_cannot_be_followed(client, db, make):
    running = make_survey(db, "open", title="Vague en cours", opens_at="2025-01-01", closes_at="2025-06-30")
    draft = _draft(db)
    sign_in(client, make.admin())
    assert "n'est pas encore clos" in _refused(_post_wave(client, draft, running.id), running.id)


def test_a_loop_is_refused(client, db, make):
    draft = _draft(db)
    sign_in(client, make.admin())
    # Itself first.
    html = page_text(_post_wave(client, draft, draft.id))
    assert "ne peut pas être sa propre vague précédente" in html
    # A survey that already follows this draft (written directly: the service would not
    # let a draft be followed), declared as its previous wave, would close a loop.
    follower = make_survey(db, "closed", title="Vague qui suit", opens_at="2025-01-01", closes_at="2025-06-30")
    follower = db.session.get(PerceptionSurvey, follower.id)
    follower.previous_wave_id = draft.id
    db.session.commit()
    html = re.sub(r"[\u00a0\u202f]", " ", page_text(_post_wave(client, draft, follower.id)))
    assert "formerait une boucle" in html and _survey(db, draft.id).previous_wave_id is None


def test_no_statement_in_common_or_a_taken_wave_is_refused(client, db, make):
    earlier = make_survey(db, "closed", title="Vague 2025", opens_at="2025-01-01", closes_at="2025-06-30",
                          statements=[{"key": "autre", "text": "Une tout autre affirmation", "theme": "other"}])
    draft = _draft(db)
    sign_in(client, make.admin())
    assert "aucune affirmation en commun" in _refused(_post_wave(client, draft, earlier.id), earlier.id)
    base = make_survey(db, "closed", title="Vague 2024", opens_at="2024-01-01", closes_at="2024-06-30")
    taken = _draft(db)
    set_previous_wave(db.session.get(PerceptionSurvey, taken.id), base.id)
    db.session.commit()
    html = re.sub(r"[\u00a0\u202f]", " ", page_text(_post_wave(client, draft, base.id)))
    assert "a déjà une vague suivante" in html and f"(n° {taken.id})" in html


def test_once_open_the_previous_wave_is_fixed(client, db, make):
    earlier = make_survey(db, "closed", title="Vague 2025", opens_at="2025-01-01", closes_at="2025-06-30")
    opened = make_survey(db, "open", title="Vague ouverte", opens_at="2026-01-01", closes_at="2026-06-30")
    sign_in(client, make.admin())
    page = page_text(client.get(f"/questionnaires/{opened.id}/gerer"))
    assert 'name="wave-previous_wave"' not in page
    response = post_form(client, f"/questionnaires/{opened.id}/gerer/vague-precedente",
                         {"wave-previous_wave": str(earlier.id)}, form_url=f"/questionnaires/{opened.id}/gerer/clore")
    assert "en brouillon" in re.sub(r"[\u00a0\u202f]", " ", page_text(response))
    assert _survey(db, opened.id).previous_wave_id is None and _survey(db, opened.id).status == SurveyStatus.OPEN


def test_the_command_line_declares_a_wave(app, db, tmp_path):
    import json

    earlier = make_survey(db, "closed", title="Vague 2025", opens_at="2025-01-01", closes_at="2025-06-30")
    # Closed now, with answers until today: after the new wave's opening day.
    later = make_survey(db, "closed", title="Vague tardive", opens_at="2026-08-01", closes_at="2099-12-31")
    definition = tmp_path / "vague.json"
    definition.write_text(json.dumps({
        "title": "Vague 2026", "territory": "200046977", "sampling_mode": "open", "opens_at": "2026-09-01",
        "closes_at": "2026-10-31", "statements": [{"key": "s1", "text": "Une affirmation reprise", "theme": "people"}],
    }), encoding="utf-8")
    runner = app.test_cli_runner()
    created = runner.invoke(args=["surveys", "import", str(definition), "--draft", "--previous-wave", str(earlier.id)])
    assert created.exit_code == 0, created.output
    new_id = int(created.output.strip().splitlines()[-1])
    db.session.rollback()
    assert db.session.get(PerceptionSurvey, new_id).previous_wave_id == earlier.id
    # The checks are the form's: the later survey is refused, and the link stays as it was.
    refused = runner.invoke(args=["surveys", "set-previous-wave", str(new_id), str(later.id)])
    assert refused.exit_code != 0 and "pas antérieur" in refused.output
    db.session.rollback()
    assert db.session.get(PerceptionSurvey, new_id).previous_wave_id == earlier.id
    cleared = runner.invoke(args=["surveys", "set-previous-wave", str(new_id)])
    assert cleared.exit_code == 0, cleared.output
    db.session.rollback()
    assert db.session.get(PerceptionSurvey, new_id).previous_wave_id is None


@pytest.mark.parametrize("previous, current, closer, strong, weak", [
    # −11 then +5: the change (+16, interval +9 to +24) is clear, but the new gap may lie
    # anywhere from −2 to +13, so « closer » is not established by it.
    (-0.11, 0.05, True, "plus proches de l'avis des habitants", "plus proches en apparence"),
    # −9 then +12: nor is « further ».
    (-0.09, 0.12, False, "plus éloignées de l'avis des habitants", "plus éloignées en apparence"),
])
def test_a_gap_that_changes_sign_is_not_said_clearly_closer_or_further(app, previous, current, closer, strong, weak):
    from plateforme.surveys.wave_presentation import gap_verdict

    gap = {"suppressed": False, "previous": previous, "current": current, "change": current - previous,
           "ci_low": current - previous - 0.07, "ci_high": current - previous + 0.08, "excludes_zero": True,
           "closer": closer}
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        said = gap_verdict(gap).replace("\u00a0", " ")
    assert strong not in said and weak in said
    assert "l'écart a changé de sens" in said


def test_the_title_counts_no_sign_change_as_clearly_closer(app):
    """The demo's 2026 wave: three gaps closer, one of them (−11 then +5) only with a change of
    sign; the title said its interval made it clear, beside a row that says « en apparence ».
    The API's summary counts the same (one rule, wave_changes.change_summary)."""
    from plateforme.surveys.wave_changes import COMPARED, change_summary
    from plateforme.surveys.wave_presentation import changes_title

    def gap(previous, current, excludes_zero):
        return {"status": COMPARED, "residents": {"excludes_zero": False},
                "gap": {"previous": previous, "current": current, "change": current - previous,
                        "closer": abs(current) < abs(previous), "excludes_zero": excludes_zero}}

    statements = [gap(-0.23, -0.19, False), gap(-0.14, -0.09, False), gap(-0.11, 0.05, True), gap(-0.09, 0.12, True)]
    summary = change_summary(statements)
    assert (summary["closer"], summary["closer_excluding_zero"], summary["further_excluding_zero"]) == (3, 0, 0)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        title = changes_title(summary, statements).replace("\u00a0", " ")
    assert "pour 3 affirmations sur 4" in title and "le rapprochement est net pour 0 d'entre elles" in title
    statements[0] = gap(-0.31, -0.23, True)
    summary = change_summary(statements)
    assert summary["closer_excluding_zero"] == 1
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert "net pour 1 d'entre elles" in changes_title(summary, statements).replace("\u00a0", " ")


def test_a_number_beyond_any_id_is_refused_on_the_field_not_a_500(client, db, make):
    """A tampered select: 20 digits reached the database as an integer and failed there."""
    draft = _draft(db)
    sign_in(client, make.admin())
    response = _post_wave(client, draft, "99999999999999999999")
    html = page_text(response)
    assert response.status_code == 200 and 'id="wave-previous_wave-error"' in html
    assert "Choisissez un questionnaire de la liste" in re.sub(r"[\u00a0\u202f]", " ", html)
    assert _survey(db, draft.id).previous_wave_id is None
