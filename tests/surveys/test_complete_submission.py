"""The answer fast path: a complete, plain submission is read without building the form
(`complete_submission`), and must mean exactly what the form would make of it; the
per-process lists it relies on (communes, frozen statements) must not go stale."""
from __future__ import annotations

import random
from datetime import timedelta

from flask import g, request
from sqlalchemy import select

from plateforme.surveys.forms import SubmittedAnswers, complete_submission, resident_answer_form
from plateforme.surveys.models import PerceptionSurvey, ResidentResponse, Statement, SurveyStatus
from plateforme.surveys.services import commune_choices, generate_codes, statement_texts
from plateforme.territories.models import Territory

from ..factories import SURVEY_DEFINITION, make_survey, page_text, post_form

ABSENT = object()


def _fields(commune_id, **overrides) -> dict:
    fields = {"code": "ABCD-EFGH-JK", "answer_s1": "5", "estimate_s1": "40", "answer_s2": "d", "estimate_s2": "",
              "sex": "F", "age_band": "30-44", "commune": str(commune_id)}
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not ABSENT}


def _both(app, survey, communes, fields, *, csrf_checked=True):
    """(complete_submission's answers, the validated form's answers or None) for `fields`."""
    with app.test_request_context("/", method="POST", data=fields):
        if csrf_checked:
            g.csrf_valid = True  # what CSRFProtect records once it has checked the token
        plain = complete_submission(survey, request.form, communes)
        form = resident_answer_form(survey, communes)
        full = SubmittedAnswers.from_form(form) if form.validate() else None
    return plain, full


def test_a_plain_complete_submission_is_read_without_the_form_and_means_the_same(app, db):
    survey = make_survey(db)
    communes = commune_choices(survey)
    commune_id = communes[3].id
    for overrides in ({}, {"answer_s1": ABSENT, "estimate_s1": ABSENT}, {"answer_s2": "", "estimate_s1": "0"},
                      {"estimate_s2": "100", "sex": "M", "age_band": "75+"}, {"code": ABSENT}):
        plain, full = _both(app, survey, communes, _fields(commune_id, **overrides))
        assert plain is not None, overrides
        assert plain == full, overrides


def test_the_fast_path_never_accepts_what_the_form_would_refuse_or_read_differently(app, db):
    survey = make_survey(db)
    communes = commune_choices(survey)
    commune_id = communes[0].id
    pools = {
        "answer_s1": ["5", "1", "d", "", "7", "D", " 4", "4 ", ["4", "5"], ABSENT],
        "estimate_s1": ["40", "0", "100", "007", "", "101", "-1", "4.5", "quarante", " 40", "\u0663", "+5",
                        "1000", ["1", "2"], ABSENT],
        "answer_s2": ["3", "", "x", ABSENT],
        "estimate_s2": ["", "55", "abc", ABSENT],
        "sex": ["F", "M", "", "X", "f", ["F", "M"], ABSENT],
        "age_band": ["18-29", "75+", "", "12-17", ABSENT],
        "commune": [str(commune_id), f"0{commune_id}", "999999", "", "abc", f"{commune_id} ", "-1",
                    [str(commune_id), str(communes[1].id)], ABSENT],
        "code": ["ABCD-EFGH-JK", "", ["A", "B"], ABSENT],
    }
    cases = [{}] + [{name: value} for name, values in pools.items() for value in values]
    rng = random.Random(20261125)
    cases += [{name: rng.choice(values) for name, values in pools.items()} for _ in range(300)]
    read_directly = 0
    for overrides in cases:
        plain, full = _both(app, survey, communes, _fields(commune_id, **overrides))
        if plain is not None:
            read_directly += 1
            assert full is not None, f"the form refuses what the fast path accepted: {overrides}"
            assert plain == full, overrides
    assert read_directly > 20  # the comparison covered both paths


def test_without_csrfprotect_s_check_the_form_is_always_built(app, db):
    survey = make_survey(db)
    communes = commune_choices(survey)
    plain, full = _both(app, survey, communes, _fields(communes[0].id), csrf_checked=False)
    assert plain is None


def test_panel_answer_with_a_mistake_shows_it_next_to_the_field_and_keeps_the_code(client, db, make):
    survey = make_survey(db, sampling_mode="panel")
    code = generate_codes(survey, 1)[0]
    db.session.commit()
    url = f"/questionnaires/{survey.id}/code"
    bron = make.territory("69029")
    wrong = post_form(client, url, {"step": "answers", **_fields(bron.id, code=code, estimate_s1="quarante")})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 200 and 'href="#estimate_s1"' in html and 'id="estimate_s1-error"' in html
    assert f'value="{code}"' in html  # the code is still in the form
    assert db.session.execute(select(ResidentResponse)).first() is None
    done = post_form(client, url, {"step": "answers", **_fields(bron.id, code=code)})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/questionnaires/{survey.id}/merci")
    assert "a déjà servi" in page_text(post_form(client, url, {"step": "answers", **_fields(bron.id, code=code)}))


def test_commune_lists_are_forgotten_when_territories_change(app, db):
    survey = make_survey(db)
    first = commune_choices(survey)[0]
    commune = db.session.get(Territory, first.id)
    original = commune.name
    try:
        commune.name = "Commune renommée"
        db.session.flush()  # what `flask territories load` does in this process
        renamed = next(c for c in commune_choices(survey) if c.id == first.id)
        assert renamed.label.startswith("Commune renommée")
    finally:
        db.session.rollback()
        db.session.get(Territory, first.id).name = original
        db.session.flush()  # forgets the renamed list again
        db.session.rollback()
    assert commune_choices(survey)[0] == first


def test_frozen_statements_are_not_mixed_up_when_an_id_is_reused(app, db):
    survey = make_survey(db)
    assert statement_texts(survey) == tuple((s["key"], s["text"]) for s in SURVEY_DEFINITION["statements"])
    # The same id in another life of the database (tables emptied, SQLite reusing ids):
    # another creation time, other statements.
    reborn = PerceptionSurvey(id=survey.id, status=SurveyStatus.OPEN,
                              created_at=survey.created_at + timedelta(seconds=1),
                              statements=[Statement(key="q1", text="Une tout autre affirmation", position=0)])
    assert statement_texts(reborn) == (("q1", "Une tout autre affirmation"),)
    assert statement_texts(survey)[0][0] == "s1"
