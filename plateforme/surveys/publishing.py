"""Publishing off the request path: the action only records the request, the task queue
computes and freezes the results.

Computing the results (weighting, intervals, every statement by commune) grows with the
answers; it is always done by the queue, never by a threshold on their number: one path,
tested in every case (the tests' queue runs it at once, and so does a small survey's). The
staff action checks what it can refuse at once (publication_refusal), then writes the
request on the survey, in its transaction; the task is enqueued once that commits. The task
locks the survey, publishes and clears the request in one transaction; if publishing
fails, that transaction is rolled back entirely (no version, no status change, no mixing)
and a second one records the failure for staff, who may ask again. An hourly sweep runs
requests a lost kick left waiting.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask_babel import force_locale, gettext as _
from flask import current_app
from sqlalchemy import select

from ..accounts.models import User
from ..core.models import utcnow
from ..core.tasks import crontab, enqueue_after_commit, periodic_task, task
from ..core.transactions import immediate_transactions
from ..extensions import db
from .models import PerceptionSurvey
from .publication import publication_refusal, publish
from .services import SurveyError

log = logging.getLogger("plateforme.surveys")

# A request older than this with no result is taken again by the sweep: its kick was lost
# (the queue was down) or its consumer died. Longer than any publication takes.
STALE_AFTER = timedelta(minutes=10)
RETRY_AFTER = 60  # seconds a reader is asked to wait for results being published (Retry-After)


def request_publication(survey: PerceptionSurvey, requested_by=None, change_note: str = "") -> None:
    """Ask the queue to publish `survey` (or a correction) once the caller commits; refuse
    at once what would be refused anyway, and a second request while one is waiting."""
    change_note = (change_note or "").strip()
    if survey.publishing:
        raise SurveyError(_("Une publication est déjà en cours pour ce questionnaire."))
    publication_refusal(survey, change_note)
    survey.publish_requested_at = utcnow()
    survey.publish_requested_by_id = getattr(requested_by, "id", None)
    survey.publish_change_note = change_note
    survey.publish_failure = ""
    db.session.flush()
    enqueue_after_commit(db.session, publish_survey_task, survey.id)


def run_publication(survey_id: int) -> bool:
    """Publish what `survey_id`'s request asks for; True once published. Nothing is done for
    a request already served (two consumers, or a sweep after the kick)."""
    with immediate_transactions():
        survey = db.session.execute(select(PerceptionSurvey).where(PerceptionSurvey.id == survey_id)
                                    .with_for_update()).scalar_one_or_none()
        if survey is None or not survey.publishing:
            db.session.rollback()
            return False
        requested_by = survey.publish_requested_by_id
        try:
            publish(survey, _Requester(requested_by), survey.publish_change_note)
            survey.publish_requested_at = None
            survey.publish_change_note = ""
            db.session.commit()
        except Exception as error:  # noqa: BLE001 — any failure: nothing half-published, staff told
            db.session.rollback()
            _record_failure(survey_id, error, requested_by)
            if not isinstance(error, SurveyError):
                log.exception("survey %s: publication failed", survey_id)
            return False
    return True


class _Requester:
    """`publish` records who published by id: the person who asked."""

    def __init__(self, user_id):
        self.id = user_id


def _requester_locale(user_id: int | None) -> str:
    """The language of the person who asked: the reason is stored as text, written once,
    and they are the one who reads it (it used to be French on an English page)."""
    locale = db.session.execute(select(User.locale).where(User.id == user_id)).scalar() if user_id else None
    return locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")


def _record_failure(survey_id: int, error: Exception, requested_by: int | None = None) -> None:
    """Clear the request and say why, in a transaction of its own (the failed one is gone)."""
    with immediate_transactions():
        survey = db.session.get(PerceptionSurvey, survey_id, with_for_update=True)
        if survey is not None:
            with force_locale(_requester_locale(requested_by)):
                reason = error.message if isinstance(error, SurveyError) else _(
                    "Le calcul des résultats a échoué ; rien n'a été publié. Vous pouvez relancer la "
                    "publication ; si l'échec se répète, prévenez l'équipe technique.")
            survey.publish_requested_at = None
            survey.publish_failure = str(reason)
        db.session.commit()


@task()
def publish_survey_task(survey_id: int) -> None:
    """After the commit of a publication request."""
    run_publication(survey_id)


def publish_waiting() -> int:
    """Run every request older than STALE_AFTER; how many were published."""
    stale = utcnow() - STALE_AFTER
    ids = db.session.execute(select(PerceptionSurvey.id).where(PerceptionSurvey.publish_requested_at.is_not(None),
                                                               PerceptionSurvey.publish_requested_at < stale)
                             .order_by(PerceptionSurvey.id)).scalars().all()
    db.session.rollback()
    return sum(run_publication(survey_id) for survey_id in ids)


@periodic_task(crontab(minute="*/10"))
def sweep_survey_publications() -> None:
    published = publish_waiting()
    if published:
        log.info("survey publications caught up by the sweep: %s", published)
