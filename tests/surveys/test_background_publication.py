"""Publishing results goes through the task queue: the staff action records the request, the
queue computes and freezes them. While it has not run, every page, the API and the survey's
state say « publication en cours »; a failure leaves nothing half-published and tells staff,
who may ask again."""
from __future__ import annotations

from sqlalchemy import func, select

from plateforme.core.models import local_today
from plateforme.core.tasks import huey
from plateforme.surveys import publishing
from plateforme.surveys.models import Publication, SurveyStatus
from plateforme.surveys.publishing import publish_survey_task, publish_waiting, run_publication
from plateforme.surveys.status import SurveyState, survey_status

from ..core.test_task_queue import Completions, consumer, real_queue
from ..factories import make_survey, page_text, post_form, sign_in
from .page_helpers import _survey


def _ask(app, make, survey_id, **person):
    moderator = app.test_client()
    sign_in(moderator, make.moderator(**person))
    manage_url = f"/questionnaires/{survey_id}/gerer"
    response = post_form(moderator, f"{manage_url}/publier", {"publish-change_note": "", "confirm": "yes"},
                         form_url=manage_url)
    return moderator, response


def _versions(db, survey_id) -> int:
    db.session.rollback()
    return db.session.execute(select(func.count(Publication.id)).where(Publication.survey_id == survey_id)).scalar_one()


def test_while_the_queue_has_not_run_every_page_says_publication_en_cours(app, db, make, tmp_path):
    survey = make_survey(db, "closed")
    with real_queue(app, "sqlite", tmp_path):
        moderator, response = _ask(app, make, survey.id)
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/questionnaires/{survey.id}/gerer")
        assert [task.name for task in huey.pending()] == [publish_survey_task.s().name]
        assert _versions(db, survey.id) == 0 and _survey(db, survey.id).status == SurveyStatus.CLOSED

        state = survey_status(_survey(db, survey.id), local_today())
        assert state.state == SurveyState.PUBLISHING and "publication des résultats en cours" in state.label
        manage = page_text(moderator.get(f"/questionnaires/{survey.id}/gerer"))
        assert "Publication en cours" in manage and "Publier les résultats…" not in manage
        visitor = app.test_client()
        public = page_text(visitor.get(f"/questionnaires/{survey.id}"))
        assert "Publication en cours" in public and state.label in public and state.label in manage
        results = visitor.get(f"/questionnaires/{survey.id}/resultats")
        assert results.status_code == 503 and results.headers["Retry-After"]
        assert "Publication en cours" in page_text(results) and 'http-equiv="refresh"' not in page_text(results)
        assert f"<title>Publication en cours — {survey.title} — " in page_text(results)  # as its heading
        api = visitor.get(f"/api/v1/surveys/{survey.id}/results")
        assert api.status_code == 503 and api.headers["Retry-After"]
        assert api.mimetype == "application/problem+json"
        assert api.get_json() == {"type": "about:blank", "title": state.label, "status": 503, "state": "publishing"}
        # A second request while one waits is refused, and publishes nothing more.
        again = _ask(app, make, survey.id)[1]
        assert "déjà en cours" in page_text(again) and len(huey.pending()) == 1

        with Completions(publish_survey_task.s().name, expected=1) as done, consumer():
            assert done.wait(60)
    survey = _survey(db, survey.id)
    assert survey.status == SurveyStatus.PUBLISHED and not survey.publishing and _versions(db, survey.id) == 1
    assert survey_status(survey, local_today()).state == SurveyState.PUBLISHED
    assert app.test_client().get(f"/questionnaires/{survey.id}/resultats").status_code == 200
    assert app.test_client().get(f"/api/v1/surveys/{survey.id}/results").status_code == 200


def test_in_the_immediate_queue_the_action_lands_on_the_results(app, db, make):
    survey = make_survey(db, "closed")
    moderator, response = _ask(app, make, survey.id)
    assert response.headers["Location"].endswith(f"/questionnaires/{survey.id}/resultats")
    assert _versions(db, survey.id) == 1 and not _survey(db, survey.id).publishing


def test_a_failed_publication_leaves_nothing_half_done_and_can_be_asked_again(app, db, make, monkeypatch):
    survey = make_survey(db, "closed")

    def broken(survey, *args, **kwargs):
        survey.move_to(SurveyStatus.PUBLISHED)  # a change the failure must undo
        db.session.flush()
        raise RuntimeError("disk full")

    monkeypatch.setattr(publishing, "publish", broken)
    moderator, response = _ask(app, make, survey.id)
    assert response.headers["Location"].endswith(f"/questionnaires/{survey.id}/gerer")
    failed = _survey(db, survey.id)
    assert failed.status == SurveyStatus.CLOSED and not failed.publishing and _versions(db, survey.id) == 0
    assert "Le calcul des résultats a échoué" in failed.publish_failure
    manage = page_text(moderator.get(f"/questionnaires/{survey.id}/gerer"))
    assert "n'a pas abouti" in manage and "Publier les résultats…" in manage
    assert survey_status(failed, local_today()).state == SurveyState.CLOSED

    monkeypatch.undo()
    _ask(app, make, survey.id)
    done = _survey(db, survey.id)
    assert done.status == SurveyStatus.PUBLISHED and done.publish_failure == "" and _versions(db, survey.id) == 1


def test_a_failure_is_told_in_the_language_of_the_person_who_asked(app, db, make, monkeypatch):
    """The reason is stored as text by the queue, which has no request to take a language
    from: it is written in the requester's (it was French on an English management page)."""
    survey = make_survey(db, "closed")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(publishing, "publish", broken)
    moderator, _ = _ask(app, make, survey.id, locale="en")
    failed = _survey(db, survey.id)
    assert failed.publish_failure.startswith("Computing the results failed; nothing was published.")
    manage = page_text(moderator.get(f"/questionnaires/{survey.id}/gerer"))
    assert "Computing the results failed" in manage and "Le calcul" not in manage


def test_the_sweep_runs_a_request_whose_kick_was_lost_and_only_once(app, db, make, tmp_path):
    survey = make_survey(db, "closed")
    with real_queue(app, "sqlite", tmp_path):
        _ask(app, make, survey.id)
        huey.storage.flush_all()  # the kick is lost
    assert publish_waiting() == 0  # too recent: perhaps still on its way
    stale = _survey(db, survey.id)
    stale.publish_requested_at = stale.publish_requested_at - publishing.STALE_AFTER * 2
    db.session.commit()
    assert publish_waiting() == 1
    assert run_publication(survey.id) is False  # already served: no second version
    assert _versions(db, survey.id) == 1 and _survey(db, survey.id).status == SurveyStatus.PUBLISHED


def test_the_command_line_does_not_race_a_publication_under_way(app, db, make, tmp_path):
    survey = make_survey(db, "closed")
    with real_queue(app, "sqlite", tmp_path):
        _ask(app, make, survey.id)
        result = app.test_cli_runner().invoke(args=["surveys", "publish", str(survey.id)])
    assert result.exit_code != 0 and "under way" in result.output
    assert _versions(db, survey.id) == 0 and _survey(db, survey.id).publishing


def test_the_consultation_that_embeds_the_survey_gives_the_same_state(app, db, make):
    from plateforme.consultations.models import PhaseKind
    from plateforme.core.models import utcnow

    from ..consultations.helpers import build_consultation

    survey = make_survey(db, "closed")
    consultation = build_consultation(make, current=PhaseKind.SURVEY, survey=survey)
    survey.publish_requested_at = utcnow()  # asked for, the queue not there yet
    db.session.commit()
    label = survey_status(_survey(db, survey.id), local_today()).label
    assert "publication des résultats en cours" in label
    client = app.test_client()
    assert label in page_text(client.get(f"/consultations/{consultation.id}"))
    assert label[1:] in page_text(client.get("/questionnaires/"))  # the list, capitalised
