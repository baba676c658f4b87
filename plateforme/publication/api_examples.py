"""Identifiers for the example addresses of the API page (/donnees/api): real ones, so that
following an example shows an answer, not a 404 (« 1 » is no survey with a previous wave)."""
from __future__ import annotations

from sqlalchemy import Exists, exists, func, select
from sqlalchemy.orm import aliased

from ..cards.models import IssueCard
from ..consultations.exports import PUBLIC_STATUSES as PUBLIC_CONSULTATIONS
from ..consultations.models import Consultation
from ..extensions import db
from ..observatory.models import PUBLIC_STATUSES as PUBLIC_FINDINGS, Finding, Indicator
from ..surveys.comparison import a_comparable_pair
from ..surveys.models import PerceptionSurvey, Publication, SurveyStatus

FALLBACK = 1  # when the data hold nothing that would answer (an empty site)


def _published(survey) -> Exists:
    return exists().where(Publication.survey_id == survey.id)


def example_values() -> dict:
    """The example value of each path identifier, and of ?surveys=, that answers 200 when the data
    allow it: the latest survey whose previous wave is published too (its /changes answer, and so
    do its results), else the latest published survey; the latest public finding, indicator,
    published card and public consultation; two comparable surveys. One query, and the three of
    the comparison form's choices (surveys/comparison.py)."""
    survey, previous = PerceptionSurvey, aliased(PerceptionSurvey)
    latest_published = (select(func.max(survey.id))
                        .where(survey.status == SurveyStatus.PUBLISHED, _published(survey)).scalar_subquery())
    latest_wave = (select(func.max(survey.id)).join(previous, survey.previous_wave_id == previous.id)
                   .where(survey.status == SurveyStatus.PUBLISHED, _published(survey),
                          previous.status == SurveyStatus.PUBLISHED, _published(previous)).scalar_subquery())
    row = db.session.execute(select(
        func.coalesce(latest_wave, latest_published),
        select(func.max(Finding.id)).where(Finding.status.in_(PUBLIC_FINDINGS)).scalar_subquery(),
        select(func.max(Indicator.id)).scalar_subquery(),
        select(func.max(IssueCard.id)).where(IssueCard.published_version_id.is_not(None)).scalar_subquery(),
        select(func.max(Consultation.id)).where(Consultation.status.in_(PUBLIC_CONSULTATIONS)).scalar_subquery(),
    )).one()
    names = ("survey_id", "finding_id", "indicator_id", "card_id", "consultation_id")
    values = {name: FALLBACK if value is None else value for name, value in zip(names, row)}
    pair = a_comparable_pair()
    if pair is not None:
        values["surveys"] = pair
    return values
