"""What each public dataset covers: the territories (official codes) and the period, read
from the data, for the catalogue (catalogue.py). One or two small aggregate queries each."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, func, select

from ..consultations.exports import PUBLIC_STATUSES as PUBLIC_CONSULTATIONS
from ..consultations.models import AuthorityResponse, Commitment, Consultation, ConsultationPhase
from ..extensions import db
from ..observatory.models import PUBLIC_STATUSES as PUBLIC_FINDINGS, ExternalAction, Finding, IndicatorValue
from ..surveys.models import PerceptionSurvey
from ..territories.models import Territory


def _territories(stmt: Select, limit: int | None) -> list[dict]:
    rows = db.session.execute(stmt.with_only_columns(Territory.kind, Territory.code, Territory.name).distinct()
                              .order_by(Territory.code).limit(limit))
    return [{"kind": kind.value, "code": code, "name": name} for kind, code, name in rows]


def _years(first, last) -> tuple[date | None, date | None]:
    return (date(first, 1, 1) if first else None, date(last, 12, 31) if last else None)


def _span(stmt: Select) -> tuple:
    return tuple(db.session.execute(stmt).one())


def _findings(limit):
    base = (select(Finding.id).join(Territory, Territory.id == Finding.territory_id)
            .where(Finding.status.in_(list(PUBLIC_FINDINGS))))
    first, last = _span(base.with_only_columns(func.min(Finding.period_start),
                                               func.max(func.coalesce(Finding.period_end, Finding.period_start))))
    return _territories(base, limit), _years(first, last)


def _values(limit):
    base = select(IndicatorValue.id).join(Territory, Territory.id == IndicatorValue.territory_id)
    first, last = _span(base.with_only_columns(func.min(IndicatorValue.period), func.max(IndicatorValue.period)))
    return _territories(base, limit), _years(first, last)


def _actions(limit):
    base = select(ExternalAction.id).join(Territory, Territory.id == ExternalAction.territory_id)
    return _territories(base, limit), _span(base.with_only_columns(func.min(ExternalAction.start_date),
                                                            func.max(ExternalAction.end_date)))


def _consultations(limit):
    base = (select(Consultation.id).join(Territory, Territory.id == Consultation.territory_id)
            .where(Consultation.status.in_(PUBLIC_CONSULTATIONS)))
    span = _span(base.join(ConsultationPhase, ConsultationPhase.consultation_id == Consultation.id)
                 .with_only_columns(func.min(ConsultationPhase.starts_on), func.max(ConsultationPhase.ends_on)))
    return _territories(base, limit), span


def _commitments(limit):
    base = (select(Commitment.id).join(AuthorityResponse, AuthorityResponse.id == Commitment.response_id)
            .join(Consultation, Consultation.id == AuthorityResponse.consultation_id)
            .join(Territory, Territory.id == Consultation.territory_id)
            .where(Consultation.status.in_(PUBLIC_CONSULTATIONS)))
    first, last = _span(base.with_only_columns(func.min(AuthorityResponse.published_at), func.max(Commitment.due_on)))
    return _territories(base, limit), (first.date() if first else None, last)


COVERAGE = {"findings": _findings, "indicators": _values, "indicator_values": _values,
            "external_actions": _actions, "consultations": _consultations, "commitments": _commitments}


def coverage(name: str, survey: PerceptionSurvey | None = None, limit: int | None = None) -> tuple[list[dict], tuple]:
    """(territories, (first day, last day)) of the dataset named as in the data package; at
    most `limit` territories (by code) when given."""
    if survey is not None:
        territory = survey.territory
        return ([{"kind": territory.kind.value, "code": territory.code, "name": territory.name}],
                (survey.opens_at, survey.closes_at))
    return COVERAGE[name](limit)
