"""Territories side by side (issue 24, part 3): the comparison page and /api/v1/comparisons.

Every difference is recomputed here from the two published snapshots with scipy and the
formulas written out (Newcombe's method 10; Welch–Satterthwaite), not with the app's code."""
from __future__ import annotations

import math
import random
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from scipy.stats import t as scipy_t

from plateforme.demo import _illustrative_margins
from plateforme.surveys.demo import INTRODUCTION
from plateforme.surveys.comparison import ILLUSTRATIVE_MARK
from plateforme.surveys.imports import import_answers, import_estimates
from plateforme.surveys.publication import publish
from plateforme.surveys.services import close_survey
from plateforme.territories.services import children_of

from ..conftest import NEIGHBOUR_EPCI
from ..factories import make_survey, page_text
from .test_results import _answers_csv

BANDS = ["18-29", "30-44", "45-59", "60-74", "75+"]
PROBLEM = "application/problem+json"


def _rows(communes, count, agree_s1, seed, s2_answered=None):
    """Respondents spread over `communes`; s2 answered by only `s2_answered` of them if given."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        s1 = rng.choice("45") if rng.random() < agree_s1 else rng.choice(["1", "2", "3", "dk"])
        s2 = rng.choice(["1", "2", "3", "4", "5", "dk"])
        if s2_answered is not None and index >= s2_answered:
            s2 = ""
        rows.append([rng.choice("FM"), rng.choice(BANDS), communes[index % len(communes)].code, s1, s2])
    return rows


def _publish(db, territory, rows, estimates, keys=("s1", "s2"), wording="Affirmation", **overrides):
    communes = children_of(territory)
    _illustrative_margins(communes)
    statements = [{"key": key, "text": f"{wording} {key}", "theme": "people"} for key in keys]
    survey = make_survey(db, territory=territory.code, statements=statements, **overrides)
    csv = _answers_csv(rows).replace(b"s1,s2", ",".join(keys).encode(), 1)
    import_answers(survey, csv)
    header = ",".join(keys).encode() + b"\n"
    import_estimates(survey, header + b"".join(f"{a},{b}\n".encode() for a, b in estimates), raise_total=True)
    close_survey(survey)
    publish(survey)
    db.session.commit()
    return survey


@pytest.fixture
def pair(db, make, neighbour):
    """The Métropole (reference) and its neighbour; the neighbour's s2 has 8 residents' answers
    (below the threshold of 11): withheld, with the gap built on it."""
    metropole = make.territory("200046977")
    rng = random.Random(3)
    first = _publish(db, metropole, _rows(children_of(metropole), 260, 0.62, seed=1),
                     [(rng.randint(20, 50), rng.randint(20, 60)) for _ in range(12)], officials_total=40,
                     title="Métropole 2025")
    second = _publish(db, neighbour, _rows(children_of(neighbour), 150, 0.45, seed=2, s2_answered=8),
                      [(rng.randint(30, 60), rng.randint(20, 60)) for _ in range(7)], officials_total=30,
                      title="Est Lyonnais 2025")
    return first, second


def _newcombe(a, b):
    """b − a, Newcombe (1998) method 10, from the published Wilson bounds."""
    d = b["agree"] - a["agree"]
    return (d, d - math.sqrt((b["agree"] - b["ci_low"]) ** 2 + (a["ci_high"] - a["agree"]) ** 2),
            d + math.sqrt((b["ci_high"] - b["agree"]) ** 2 + (a["agree"] - a["ci_low"]) ** 2))


def _welch(a, b):
    """b − a for two published t intervals: SE from each half-width, Welch–Satterthwaite df."""
    se_a = (a["ci_high"] - a["ci_low"]) / 2 / scipy_t.ppf(0.975, a["df"])
    se_b = (b["ci_high"] - b["ci_low"]) / 2 / scipy_t.ppf(0.975, b["df"])
    var = se_a**2 + se_b**2
    df = var**2 / (se_a**4 / a["df"] + se_b**4 / b["df"])
    d = b["value"] - a["value"]
    half = scipy_t.ppf(0.975, df) * math.sqrt(var)
    return d, d - half, d + half


def test_every_difference_recomputed_from_the_two_snapshots(client, pair):
    first, second = pair
    response = client.get(f"/api/v1/comparisons?surveys={first.id},{second.id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["reference_survey"] == first.id and [s["id"] for s in data["surveys"]] == [first.id, second.id]
    snapshots = [client.get(f"/api/v1/surveys/{s.id}/results").get_json() for s in pair]
    assert [s["sha256"] for s in data["surveys"]] == [snap["survey"]["sha256"] for snap in snapshots]
    assert [s["key"] for s in data["statements"]] == ["s1", "s2"]

    s1 = data["statements"][0]
    published = [snap["statements"][0] for snap in snapshots]
    for row, statement in zip(s1["territories"], published):  # the snapshot's own figures
        assert row["residents"]["agree"] == statement["residents"]["agree"]
        assert (row["residents"]["ci_low"], row["residents"]["ci_high"]) == (statement["residents"]["ci_low"],
                                                                            statement["residents"]["ci_high"])
        assert row["officials"]["mean_estimate"] == statement["officials"]["mean_estimate"]
        assert row["gap"]["value"] == statement["gap"]["value"] and row["gap"]["df"] == statement["gap"]["df"]
    assert s1["territories"][0]["difference"] is None  # the reference
    difference = s1["territories"][1]["difference"]
    share = _newcombe(published[0]["residents"], published[1]["residents"])
    gap = _welch(published[0]["gap"], published[1]["gap"])
    got = difference["residents"]
    assert (got["estimate"], got["ci_low"], got["ci_high"]) == pytest.approx(share, abs=1e-4)
    assert got["excludes_zero"] == (share[1] > 0 or share[2] < 0)
    got = difference["gap"]
    # The SE comes back from bounds rounded to 4 decimals: a few 1e-5 of slack.
    assert (got["estimate"], got["ci_low"], got["ci_high"]) == pytest.approx(gap, abs=3e-4)
    assert got["excludes_zero"] == (gap[1] > 0 or gap[2] < 0)


def test_a_withheld_figure_stays_withheld_and_gets_no_difference(client, pair):
    first, second = pair
    data = client.get(f"/api/v1/comparisons?surveys={first.id},{second.id}").get_json()
    reference, neighbour = data["statements"][1]["territories"]
    assert not reference["residents"]["suppressed"] and reference["residents"]["agree"] is not None
    assert neighbour["residents"] == {"suppressed": True, "agree": None, "ci_low": None, "ci_high": None, "n": None,
                                      "n_eff": None}
    assert neighbour["gap"]["suppressed"] and neighbour["gap"]["value"] is None
    assert neighbour["difference"] == {"residents": None, "gap": None}
    # The officials' mean rests on 7 officials: published, as on the survey's own page.
    assert neighbour["officials"]["mean_estimate"] is not None
    page = _cells(client.get(f"/questionnaires/comparaison?questionnaires={first.id},{second.id}"), 2, second)
    assert page[0].startswith("non publié (moins de 11 réponses)")
    assert page[3] == page[4] == "non calculée : un des deux chiffres n'est pas publié"


def test_a_snapshot_from_before_the_t_quantile_is_read_as_normal(client, db, pair):
    """The oldest snapshots have no df: their gap interval was 1.96 SE wide."""
    import json

    from plateforme.surveys.publication import canonical_json

    first, second = pair
    publication = second.latest_publication
    data = json.loads(publication.payload)
    for statement in data["statements"]:
        statement["gap"].pop("df")
    publication.payload = canonical_json(data)
    db.session.commit()
    a = client.get(f"/api/v1/surveys/{first.id}/results").get_json()["statements"][0]["gap"]
    b = data["statements"][0]["gap"]
    got = client.get(f"/api/v1/comparisons?surveys={first.id},{second.id}").get_json()
    got = got["statements"][0]["territories"][1]["difference"]["gap"]
    se_a = (a["ci_high"] - a["ci_low"]) / 2 / scipy_t.ppf(0.975, a["df"])
    se_b = (b["ci_high"] - b["ci_low"]) / 2 / 1.959964
    df = (se_a**2 + se_b**2) ** 2 / (se_a**4 / a["df"])  # the normal side adds no term
    half = scipy_t.ppf(0.975, df) * math.hypot(se_a, se_b)
    d = b["value"] - a["value"]
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((d - half, d + half), abs=3e-4)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[\u00a0\u202f]", " ", re.sub(r"<[^>]+>", " ", text))).strip()


def _cells(response, statement_index, survey) -> list[str]:
    """The cells of `survey`'s row in the table of the statement_index-th statement (1-based)."""
    assert response.status_code == 200
    html = page_text(response)
    section = re.search(rf'<section class="statement-result" aria-labelledby="compare-{statement_index}">(.*?)'
                        r"</section>", html, re.S).group(1)
    row = re.search(rf'<th scope="row">{re.escape(survey.territory.name)}</th>(.*?)</tr>', section, re.S).group(1)
    return [_plain(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _pct(value):
    return f"{int(Decimal(repr(value * 100)).quantize(Decimal(1), ROUND_HALF_UP))} %"


def _points(value):
    n = int(Decimal(repr(value * 100)).quantize(Decimal(1), ROUND_HALF_UP))
    sign = "+" if n > 0 else ("−" if n < 0 else "")
    return f"{sign}{abs(n)} point{'s' if abs(n) > 1 else ''}"


def test_the_page_shows_the_api_figures(client, pair):
    first, second = pair
    data = client.get(f"/api/v1/comparisons?surveys={first.id},{second.id}").get_json()
    response = client.get(f"/questionnaires/comparaison?questionnaires={first.id},{second.id}")
    for survey, row in zip(pair, data["statements"][0]["territories"]):
        cells = _cells(response, 1, survey)
        r, g = row["residents"], row["gap"]
        assert cells[0] == f"{_pct(r['agree'])} ({_pct(r['ci_low'])} à {_pct(r['ci_high'])})"
        assert cells[1] == _pct(row["officials"]["mean_estimate"])
        assert cells[2] == f"{_points(g['value'])} ({_points(g['ci_low'])} à {_points(g['ci_high'])})"
        if row["difference"] is None:
            assert cells[3] == "référence"
            continue
        for cell, d in zip(cells[3:], (row["difference"]["residents"], row["difference"]["gap"])):
            expected = f"{_points(d['estimate'])} ({_points(d['ci_low'])} à {_points(d['ci_high'])})"
            assert cell == expected + (", l'intervalle exclut zéro" if d["excludes_zero"] else "")
    text = _plain(page_text(response))
    assert "ce territoire moins Métropole de Lyon, le premier questionnaire choisi" in text
    assert "Chiffres illustratifs" not in text  # these two are not the demo's


def test_more_than_two_each_against_the_first(client, db, make, pair, neighbour):
    """A third territory (a commune outside both EPCI's) compared with the first, not the second."""
    first, second = pair
    from plateforme.territories.services import load_territory

    other = load_territory("69").root  # the Rhône département holds communes of neither EPCI
    outside = next(c for c in children_of(other) if c.epci_id not in (first.territory.id, second.territory.id)
                   and c.kind.value == "commune" and (c.population or 0) > 5000)
    third = _publish(db, outside, _rows([outside], 120, 0.5, seed=9), [(40, 40)] * 5, officials_total=20,
                     title="Une commune")
    data = client.get(f"/api/v1/comparisons?surveys={second.id},{first.id},{third.id}").get_json()
    s1 = data["statements"][0]["territories"]
    reference, *others = s1
    assert reference["survey_id"] == second.id
    for row in others:
        assert row["difference"]["residents"]["estimate"] == pytest.approx(
            row["residents"]["agree"] - reference["residents"]["agree"], abs=1e-4)
    url = f"/questionnaires/comparaison?questionnaires={second.id},{first.id},{third.id}"
    text = _plain(page_text(client.get(url)))
    assert "chacun est comparé à celui-ci, pas les autres entre eux" in text


def _refused(response, fragment):
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    problems = response.get_json()["invalid_params"]
    assert problems[0]["name"] == ("surveys" if fragment != "foo" else "foo"), problems
    assert fragment in re.sub("[\u00a0\u202f]", " ", problems[0]["reason"]) or fragment == "foo", problems


def test_bad_parameters_are_400_problems(client, db, make, pair):
    first, second = pair
    api = "/api/v1/comparisons"
    _refused(client.get(api), "au moins deux")
    _refused(client.get(f"{api}?surveys={first.id}"), "au moins deux")
    _refused(client.get(f"{api}?surveys={first.id},{first.id}"), "deux fois")
    _refused(client.get(f"{api}?surveys=1;2"), "séparés par des virgules")
    _refused(client.get(f"{api}?surveys=1,2,3,4,5,6,7"), "6 questionnaires au plus")
    _refused(client.get(f"{api}?surveys={first.id},99999"), "introuvable ou pas encore publié : 99999")
    _refused(client.get(f"{api}?surveys={first.id},99999999999"), "hors des bornes")
    _refused(client.get(f"{api}?surveys={first.id},{second.id}&foo=1"), "foo")
    twice = client.get(f"{api}?surveys={first.id}&surveys={second.id}")
    assert twice.status_code == 400 and twice.get_json()["invalid_params"][0]["name"] == "surveys"
    closed = make_survey(db, "closed", territory="246900575", title="Clos, pas publié")
    _refused(client.get(f"{api}?surveys={first.id},{closed.id}"), f"pas encore publié : {closed.id}")
    # The same territory twice: the samples are not independent.
    again = _publish(db, first.territory, _rows(children_of(first.territory), 60, 0.5, seed=5), [(30, 30)] * 3,
                     officials_total=40, title="Métropole, autre")
    _refused(client.get(f"{api}?surveys={first.id},{again.id}"), "se recouvrent")
    _refused(client.get(f"{api}?surveys={first.id},{again.id}"), f"« Métropole, autre » (n° {again.id})")
    # No statement key in common.
    apart = _publish(db, second.territory, _rows(children_of(second.territory), 60, 0.5, seed=6), [(30, 30)] * 3,
                     keys=("x1", "x2"), officials_total=30, title="Est, autres affirmations")
    _refused(client.get(f"{api}?surveys={first.id},{apart.id}"), "aucune affirmation en commun")
    english = client.get(f"{api}?surveys={first.id},{apart.id}", headers={"Accept-Language": "en"})
    assert english.get_json()["invalid_params"][0]["reason"] == "these surveys share no statement (same key)"


def test_the_description_says_surveys_is_a_list_of_ids(client, pair):
    """What the view parses, said precisely: a list of 2 to 6 distinct positive ids written
    1,2 (style form, not exploded), required; a client serialising it that way is answered."""
    described = client.get("/api/v1/openapi.json").get_json()["paths"]["/comparisons"]["get"]
    surveys = next(p for p in described["parameters"] if p["name"] == "surveys")
    assert surveys["required"] is True and (surveys["style"], surveys["explode"]) == ("form", False)
    schema = surveys["schema"]
    assert schema["type"] == "array" and schema["items"]["type"] == "integer" and schema["items"]["minimum"] == 1
    assert (schema["minItems"], schema["maxItems"], schema["uniqueItems"]) == (2, 6, True)
    assert surveys["example"] == [1, 2]
    value = ",".join(str(survey.id) for survey in pair)  # how style form, explode false writes [a, b]
    assert client.get(f"/api/v1/comparisons?surveys={value}").status_code == 200


def test_the_page_form_keeps_the_choice_and_explains_a_refusal(client, db, pair):
    first, second = pair
    empty = client.get("/questionnaires/comparaison")
    assert empty.status_code == 200
    text = page_text(empty)
    for survey in pair:
        assert f'name="questionnaires" value="{survey.id}" id="questionnaire-{survey.id}">' in text
    # The form's repeated boxes read like the address's comma list.
    boxes = client.get(f"/questionnaires/comparaison?questionnaires={first.id}&questionnaires={second.id}")
    assert boxes.status_code == 200 and 'id="compare-1"' in page_text(boxes)
    one = page_text(client.get(f"/questionnaires/comparaison?questionnaires={first.id}"))
    assert f'value="{first.id}" id="questionnaire-{first.id}" checked' in one and 'role="alert"' not in one
    refused = client.get(f"/questionnaires/comparaison?questionnaires={first.id},99999")
    assert refused.status_code == 400
    text = page_text(refused)
    assert 'role="alert"' in text
    assert "introuvable ou pas encore publié : 99999" in re.sub("[\u00a0\u202f]", " ", text)
    assert f'value="{first.id}" id="questionnaire-{first.id}" checked' in text


def test_results_pages_link_to_the_comparison(client, pair):
    first, second = pair
    page = page_text(client.get(f"/questionnaires/{first.id}/resultats"))
    assert f"/questionnaires/comparaison?questionnaires={first.id},{second.id}" in page
    assert "Comparer des territoires : la méthode" in _plain(page)


def test_english_page(client, pair):
    first, second = pair
    english = _plain(page_text(client.get(f"/questionnaires/comparaison?questionnaires={first.id},{second.id}",
                                          headers={"Accept-Language": "en"})))
    assert "Compare territories" in english and "Comparer des territoires" not in english
    assert "independent samples" in english
    assert "not computed: one of the two figures is not published" in english


def test_demo_surveys_are_marked_illustrative(client, db, pair):
    first, second = pair
    second.introduction = INTRODUCTION
    db.session.commit()
    assert INTRODUCTION.startswith(ILLUSTRATIVE_MARK)
    text = _plain(page_text(client.get(f"/questionnaires/comparaison?questionnaires={first.id},{second.id}")))
    assert "Chiffres illustratifs. Le questionnaire « Est Lyonnais 2025 » est une démonstration" in text


def test_a_fresh_demo_compares_two_territories(app, db, client):
    """`make run`: the Métropole's published survey and its neighbour's, on the same keys."""
    from sqlalchemy import select

    from plateforme.surveys.demo import NEIGHBOUR_TITLE
    from plateforme.surveys.models import PerceptionSurvey

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    db.session.rollback()
    metropole = db.session.execute(select(PerceptionSurvey).filter_by(
        title="L'international et nous — vague 2025")).scalar_one()
    neighbour = db.session.execute(select(PerceptionSurvey).filter_by(title=NEIGHBOUR_TITLE)).scalar_one()
    assert neighbour.territory.code == NEIGHBOUR_EPCI
    results = page_text(client.get(f"/questionnaires/{metropole.id}/resultats"))
    link = f"/questionnaires/comparaison?questionnaires={metropole.id},{neighbour.id}"
    assert link in results
    text = _plain(page_text(client.get(link)))
    assert "Chiffres illustratifs. Les questionnaires" in text and "sont des démonstrations" in text
    assert "4 affirmations communes (même clé)" in text
    assert "Le libellé diffère d'un questionnaire à l'autre" in text  # « La métropole » / « Notre territoire »
    data = client.get(f"/api/v1/comparisons?surveys={metropole.id},{neighbour.id}").get_json()
    assert all(row["difference"]["residents"] is not None for s in data["statements"] for row in s["territories"][1:])
    # The API document's example (?surveys=1,2) names two comparable surveys of the demo: a client
    # trying the documented example on a fresh `make run` gets figures, not a refusal.
    example = client.get("/api/v1/comparisons?surveys=1,2")
    assert example.status_code == 200, example.get_data(as_text=True)
    assert {s["id"] for s in example.get_json()["surveys"]} == {1, 2}


def _index_links_comparison(client) -> bool:
    return 'href="/questionnaires/comparaison"' in page_text(client.get("/questionnaires/"))


def _sitemap_lists_comparison(client) -> bool:
    return "/questionnaires/comparaison</loc>" in client.get("/sitemap.xml").get_data(as_text=True)


def test_the_index_and_the_sitemap_offer_the_comparison_only_when_there_is_one(client, db, make, neighbour):
    metropole = make.territory("200046977")
    rng = random.Random(5)

    def officials(count):
        return [(rng.randint(20, 50), rng.randint(20, 60)) for _ in range(count)]

    _publish(db, metropole, _rows(children_of(metropole), 200, 0.6, seed=4), officials(10), officials_total=40,
             title="Métropole 2025")
    assert not _index_links_comparison(client) and not _sitemap_lists_comparison(client)  # alone
    # The same territory again (a second wave): its territory overlaps the first's, nothing to compare.
    _publish(db, metropole, _rows(children_of(metropole), 200, 0.5, seed=5), officials(10), officials_total=40,
             title="Métropole 2026")
    assert not _index_links_comparison(client) and not _sitemap_lists_comparison(client)
    # Another territory, but no statement key in common.
    _publish(db, neighbour, _rows(children_of(neighbour), 150, 0.45, seed=6), officials(7), keys=("t1", "t2"),
             officials_total=30, title="Est Lyonnais, autre questionnaire")
    assert not _index_links_comparison(client) and not _sitemap_lists_comparison(client)
    # A neighbour asking the same statements: now there is a comparison to offer.
    _publish(db, neighbour, _rows(children_of(neighbour), 150, 0.45, seed=7), officials(7), officials_total=30,
             title="Est Lyonnais 2025")
    assert _index_links_comparison(client) and _sitemap_lists_comparison(client)
    assert client.get("/questionnaires/comparaison").status_code == 200


def test_english_page_quotes_and_punctuates_in_english(client, db, make, neighbour):
    """The illustrative notice and the differing wordings: English quotation marks and no
    space before the colon, as the French page has « » and a non-breaking space."""
    metropole = make.territory("200046977")
    rng = random.Random(5)
    first = _publish(db, metropole, _rows(children_of(metropole), 150, 0.6, seed=4),
                     [(rng.randint(20, 50), rng.randint(20, 60)) for _ in range(5)], officials_total=40,
                     title="Metro demo", introduction=INTRODUCTION)
    second = _publish(db, neighbour, _rows(children_of(neighbour), 150, 0.5, seed=5),
                      [(rng.randint(20, 50), rng.randint(20, 60)) for _ in range(5)], officials_total=30,
                      title="East demo", introduction=INTRODUCTION, wording="Statement")
    address = f"/questionnaires/comparaison?questionnaires={first.id},{second.id}"
    english = _plain(page_text(client.get(address, headers={"Accept-Language": "en"})))
    assert "The surveys “Metro demo”, “East demo” are demonstrations" in english
    assert f"{metropole.name}: “Affirmation s1”" in english and f"{neighbour.name}: “Statement s1”" in english
    assert "«" not in english and "»" not in english
    french = page_text(client.get(address))
    assert "Les questionnaires «\u00a0Metro demo\u00a0», «\u00a0East demo\u00a0» sont des démonstrations" in french
    assert f"{metropole.name}\u00a0: «\u00a0Affirmation s1\u00a0»" in french


@pytest.mark.parametrize("value, french, english", [
    (-0.0049, "−0,5 point", "−0.5 points"),   # the demo's first difference: −12 to −0.49 points, excludes zero
    (0.003, "+0,3 point", "+0.3 points"),
    (-0.0004, "−0,1 point", "−0.1 points"),   # below a tenth: still said on its side of zero
    (0.0, "0 point", "0 points"),
    (-0.1228, "−12 points", "−12 points"),
])
def test_an_interval_bound_near_zero_keeps_its_side_of_zero(app, value, french, english):
    """« (−12 points à 0 point), l'intervalle exclut zéro » read as a contradiction."""
    from plateforme.surveys.presentation import bound_points

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert bound_points(value).replace("\u00a0", " ") == french
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert bound_points(value) == english
