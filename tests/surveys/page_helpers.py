"""Helpers of the survey page tests: page text, row counts, the creation and answer forms' fields."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from plateforme.surveys.models import PerceptionSurvey
from plateforme.surveys.services import ResidentAnswers

from ..factories import page_text

CODE_RE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}\b")


def _text(response) -> str:
    """Page text with the narrow and ordinary no-break spaces locales put in numbers turned plain."""
    return re.sub(r"[\u00a0\u202f]", " ", page_text(response))


def _words(response) -> str:
    """The visible words of a page, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _text(response)))


def _count(db, model, **filters) -> int:
    db.session.rollback()  # read what the requests committed
    stmt = select(func.count()).select_from(model)
    for name, value in filters.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.execute(stmt).scalar_one()


def _survey(db, survey_id) -> PerceptionSurvey:
    db.session.rollback()
    return db.session.get(PerceptionSurvey, survey_id)


def _create_fields(territory_id, **overrides) -> dict:
    fields = {
        "title": "Ouverture internationale de la métropole", "introduction": "Pourquoi **ce** questionnaire.",
        "territory": territory_id, "sampling_mode": "open", "opens_at": "2026-01-01", "closes_at": "2099-12-31",
        "min_residents": "11", "min_officials": "3", "conducted_by": "Service participation",
        "statement_1_text": "La commune devrait accueillir davantage d'étudiants étrangers",
        "statement_1_theme": "people",
        "statement_2_text": "", "statement_2_theme": "other",
        "statement_3_text": "Les entreprises étrangères sont une chance pour l'emploi local",
        "statement_3_theme": "capital",
    }
    fields.update(overrides)
    return fields


def _resident_fields(commune_id, **overrides) -> dict:
    fields = {"answer_s1": "5", "estimate_s1": "40", "answer_s2": "d", "estimate_s2": "",
              "sex": "F", "age_band": "30-44", "commune": str(commune_id)}
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def _resident(make, commune="69266", **kwargs):
    return ResidentAnswers(sex=kwargs.get("sex", "F"), age_band=kwargs.get("age_band", "30-44"),
                           commune=make.territory(commune), answers=kwargs.get("answers", {"s1": "5", "s2": "4"}),
                           estimates={})
