"""Answering with a mistake: the form says it next to the field and keeps what was typed."""
from __future__ import annotations

from sqlalchemy import select

from plateforme.surveys.models import ResidentResponse
from plateforme.surveys.services import generate_codes

from ..factories import make_survey, page_text, post_form

ABSENT = object()


def _fields(commune_id, **overrides) -> dict:
    fields = {"code": "ABCD-EFGH-JK", "answer_s1": "5", "estimate_s1": "40", "answer_s2": "d", "estimate_s2": "",
              "sex": "F", "age_band": "30-44", "commune": str(commune_id)}
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not ABSENT}


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
