"""Surveys close on their date without anyone acting: a periodic task of the queue, run here
by a real consumer; and the rewriting of the tables mixing deleted from (VACUUM FULL on
PostgreSQL) is a task of its own, off the request that closes or answers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from plateforme.core.tasks import huey
from plateforme.surveys.erasure import erase_deleted_rows
from plateforme.surveys.models import (
    PerceptionSurvey, ResidentParticipation, ResidentPending, ResidentResponse, SurveyStatus,
)
from plateforme.surveys.services import close_survey
from plateforme.surveys.tasks import close_due_surveys_task

from ..core.test_task_queue import Completions, consumer, real_queue
from ..factories import make_survey


def _waiting_answers(db, make, survey, count=3):
    commune = make.territory("69266")
    for _ in range(count):  # answered before the closing date, still waiting in the pool
        db.session.add(ResidentParticipation(survey_id=survey.id, user_id=make.user().id))
        db.session.add(ResidentPending(survey_id=survey.id, sex="F", age_band="30-44", commune_id=commune.id,
                                       answers="55", estimates="", channel="online"))
    db.session.commit()


def _reread(db) -> None:
    """Forget what this session read: the consumer wrote on its own connections."""
    db.session.rollback()
    db.session.expire_all()


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_closing_task_runs_every_hour():
    assert close_due_surveys_task.s().validate_datetime(datetime(2026, 12, 7, 3, 7))
    assert not close_due_surveys_task.s().validate_datetime(datetime(2026, 12, 7, 3, 8))


def test_a_consumer_closes_the_surveys_past_their_date_and_mixes_their_answers(app, db, make, tmp_path):
    past = make_survey(db, opens_at="2020-01-01", closes_at="2020-02-01")
    current = make_survey(db)
    _waiting_answers(db, make, past)
    past_id, current_id = past.id, current.id
    with real_queue(app, "sqlite", tmp_path), Completions(close_due_surveys_task.s().name, 1) as done, consumer():
        close_due_surveys_task()  # as the scheduler enqueues it (huey keeps no result of a periodic task)
        assert done.wait(60)
    _reread(db)
    assert db.session.get(PerceptionSurvey, past_id).status == SurveyStatus.CLOSED
    assert db.session.get(PerceptionSurvey, current_id).status == SurveyStatus.OPEN
    assert (_count(db, ResidentPending), _count(db, ResidentResponse), _count(db, ResidentParticipation)) == (0, 3, 0)


def test_closing_leaves_the_table_rewriting_to_the_queue(app, db, make, tmp_path, monkeypatch):
    import plateforme.surveys.erasure as erasure

    rewritten = []
    monkeypatch.setattr(erasure, "erase_deleted", lambda engine, tables: rewritten.append(tables))
    survey = make_survey(db)
    _waiting_answers(db, make, survey)
    with real_queue(app, "sqlite", tmp_path):
        close_survey(db.session.get(PerceptionSurvey, survey.id))
        db.session.commit()  # mixed and deleted now; the rewriting waits for a consumer
        assert [task.name for task in huey.pending()] == [erase_deleted_rows.s().name]
        assert rewritten == []
        with Completions(erase_deleted_rows.s().name, expected=1) as finished, consumer():
            assert finished.wait(60)
    assert rewritten == [["official_pending", "official_response", "resident_participation",
                          "resident_pending", "resident_response"]]
    _reread(db)
    assert (_count(db, ResidentPending), _count(db, ResidentParticipation)) == (0, 0)


def test_the_queued_rewriting_names_only_the_tables_mixing_deletes_from(app, monkeypatch):
    """Its argument comes back from the queue's storage and becomes SQL."""
    import plateforme.surveys.erasure as erasure

    rewritten = []
    monkeypatch.setattr(erasure, "erase_deleted", lambda engine, tables: rewritten.append(tables))
    with app.app_context():
        erase_deleted_rows.call_local(["resident_pending", "user_account; DROP TABLE x"])
    assert rewritten == [["resident_pending"]]
