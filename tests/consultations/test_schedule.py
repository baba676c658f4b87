"""On a schedule, with nobody clicking (issue 22): a phase's start is announced to the
consultation's followers exactly once, only the phase running today after a downtime; an
overdue commitment is recalled to the officials who can report on it, once per interval, in
their language. Time is passed to the services (`today`, `now`), the clock is not frozen."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from plateforme.consultations.models import (
    CommitmentStatus, ConsultationPhase, ConsultationStatus, PhaseKind,
)
from plateforme.consultations.schedule import announce_started_phases, remind_overdue_commitments
from plateforme.core.models import local_today
from plateforme.notifications.models import Notification, NotificationKind

from ..factories import make_survey, page_text, sign_in
from .helpers import build_consultation
from .outcome_helpers import follow, response_with_commitments


def _today():
    # Read at each use, not at import, so a run crossing midnight in Paris stays right.
    return local_today()


def _notifications(db, **where) -> list[Notification]:
    return list(db.session.execute(select(Notification).filter_by(**where).order_by(Notification.id)).scalars())


def _phase(consultation, kind) -> ConsultationPhase:
    return consultation.phase(PhaseKind(kind))


def _announce(db, today):
    notices = announce_started_phases(today)
    db.session.commit()
    return notices


@pytest.fixture
def followers(make):
    """One reads French, one English."""
    return make.user(name="Camille"), make.user(name="Alex", locale="en")


@pytest.fixture
def upcoming(make, followers):
    """Published today, every phase to come (information from today + 5), with two followers."""
    consultation = build_consultation(make, current="upcoming")
    follow(make.db, consultation, *followers)
    return consultation


# --- phases ------------------------------------------------------------------------------------------

def test_a_phase_start_is_announced_once_even_when_the_task_runs_twice(db, upcoming, followers, outbox):
    information = _phase(upcoming, PhaseKind.INFORMATION)
    assert _announce(db, information.starts_on - timedelta(days=1)).announced == []  # not yet
    notices = _announce(db, information.starts_on)
    assert [p.kind for p in notices.announced] == [PhaseKind.INFORMATION]
    for day in (information.starts_on, information.starts_on + timedelta(days=1)):  # the next runs
        assert _announce(db, day).announced == []
    rows = _notifications(db, kind=NotificationKind.PHASE_STARTED)
    assert len(rows) == 2 and {r.subject for r in rows} == {"information"}
    assert {r.target_path for r in rows} == {f"/consultations/{upcoming.id}"}
    # Each follower's email, once, in their language (written and sent by the queue after the commit).
    assert len(outbox) == 2
    bodies = {m.to: m.body for m in outbox}
    camille, alex = followers
    assert "La phase «\u00a0Information\u00a0» de la consultation" in bodies[camille.email]
    assert "Chacun lit les fiches enjeux et s'informe." in bodies[camille.email]
    assert "The “Information” phase of the consultation" in bodies[alex.email]
    # The link is a page to open, not something to read ("Pour le lire" after a phase's start).
    assert f"Pour y accéder\u00a0:\nhttp://localhost/consultations/{upcoming.id}" in bodies[camille.email]
    assert f"To open it:\nhttp://localhost/consultations/{upcoming.id}" in bodies[alex.email]


def test_the_notification_reads_in_the_readers_language_on_the_notifications_page(client, db, upcoming, followers):
    _announce(db, _phase(upcoming, PhaseKind.DEBATE).starts_on)
    sign_in(client, followers[0])
    page = page_text(client.get("/compte/notifications/"))
    assert "La phase «\u00a0Débat\u00a0» de la consultation" in page
    assert "Les participantes et participants commentent et échangent." in page


def test_after_a_downtime_only_the_phase_running_today_is_announced(db, upcoming):
    proposals = _phase(upcoming, PhaseKind.PROPOSALS)
    # Nothing ran while information and debate began and ended: on the third day of proposals,
    # only proposals is announced; the two missed are passed over, never announced later.
    notices = _announce(db, proposals.starts_on + timedelta(days=2))
    assert [p.kind for p in notices.announced] == [PhaseKind.PROPOSALS]
    assert {p.kind for p in notices.passed_over} == {PhaseKind.INFORMATION, PhaseKind.DEBATE}
    assert _announce(db, proposals.starts_on + timedelta(days=3)).announced == []
    assert {n.subject for n in _notifications(db)} == {"proposals"}
    # Between two phases (a gap) and once concluded, nothing more than the phases' own starts.
    response = _phase(upcoming, PhaseKind.RESPONSE)
    notices = _announce(db, response.ends_on + timedelta(days=30))
    assert notices.announced == [] and len(notices.passed_over) == 3  # survey, synthesis, response


def test_phases_begun_by_the_publication_itself_are_not_announced(db, make):
    consultation = build_consultation(make, current=PhaseKind.DEBATE)  # published today, mid-debate
    follow(db, consultation, make.user())
    notices = _announce(db, _today())
    assert notices.announced == [] and {p.kind for p in notices.passed_over} == {
        PhaseKind.INFORMATION, PhaseKind.DEBATE}
    assert _notifications(db) == []
    # The next phase, begun after the publication, is.
    proposals = _phase(consultation, PhaseKind.PROPOSALS)
    assert [p.kind for p in _announce(db, proposals.starts_on).announced] == [PhaseKind.PROPOSALS]


def test_a_consultation_published_long_ago_has_its_running_phase_announced_after_a_downtime(db, make):
    consultation = build_consultation(make, current=PhaseKind.DEBATE)
    consultation.published_at = datetime.now(timezone.utc) - timedelta(days=60)
    db.session.commit()
    follow(db, consultation, make.user())
    assert [p.kind for p in _announce(db, _today()).announced] == [PhaseKind.DEBATE]
    assert [n.subject for n in _notifications(db)] == ["debate"]


@pytest.mark.parametrize("status", [ConsultationStatus.DRAFT, ConsultationStatus.CANCELLED])
def test_a_draft_or_cancelled_consultations_phases_are_not_announced(db, make, status):
    consultation = build_consultation(make, current="upcoming", status=status)
    follow(db, consultation, make.user())
    notices = _announce(db, _phase(consultation, PhaseKind.DEBATE).starts_on)
    assert notices.announced == [] and notices.passed_over == [] and _notifications(db) == []


def test_the_questionnaire_phase_is_announced_once_its_survey_takes_answers(db, make):
    from plateforme.surveys.models import SurveyStatus
    from .helpers import phase_dates

    starts, ends = phase_dates("upcoming")[PhaseKind.SURVEY]
    survey = make_survey(db, status="draft", opens_at=starts.isoformat(), closes_at=ends.isoformat())
    consultation = build_consultation(make, current="upcoming", survey=survey)
    follow(db, consultation, make.user())
    assert _announce(db, starts).announced == []  # still a draft: it takes no answer
    assert _phase(consultation, PhaseKind.SURVEY).announced_at is None
    survey.move_to(SurveyStatus.OPEN)  # an administrator opens it, a day late
    db.session.commit()
    notices = _announce(db, starts + timedelta(days=1))
    assert [p.kind for p in notices.announced] == [PhaseKind.SURVEY]
    assert [n.subject for n in _notifications(db)] == ["survey"]


def test_two_consumers_never_announce_a_phase_twice(app, db, upcoming):
    """While one consumer holds the phase (its transaction open), the other skips it rather
    than announcing it too; once the first is done the phase is announced, once."""
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite's BEGIN IMMEDIATE serialises the two")
    information = _phase(upcoming, PhaseKind.INFORMATION)
    with db.engine.connect() as other:
        transaction = other.begin()
        other.execute(text("SELECT id FROM consultation_phase WHERE id = :id FOR UPDATE"), {"id": information.id})
        db.session.execute(text("SET LOCAL lock_timeout = '2s'"))  # waiting for the lock fails, not hangs
        assert _announce(db, information.starts_on).announced == []  # skipped, not waited for
        transaction.rollback()
    assert len(_announce(db, information.starts_on).announced) == 1
    assert len(_announce(db, information.starts_on).announced) == 0
    assert len(_notifications(db, kind=NotificationKind.PHASE_STARTED)) == 2


# --- overdue commitments ---------------------------------------------------------------------------

@pytest.fixture
def officials(make, neighbour):
    """Who holds what around the Métropole de Lyon's consultation."""
    return {
        "metropole_fr": make.elected("200046977", name="Dominique"),
        "metropole_en": make.elected("200046977", name="Sam", locale="en"),
        "metropole_no_email": make.elected("200046977"),
        "villeurbanne": make.elected("69266"),  # a member commune: no say over the EPCI's promises
        "neighbour": make.elected(neighbour.code),  # the CC de l'Est Lyonnais
        "genas": make.elected("69277"),
        "moderator": make.moderator("200046977"),
        "admin": make.admin(),
    }


@pytest.fixture
def concluded(make, officials):
    officials["metropole_no_email"].email_notifications = False
    make.db.session.commit()
    return build_consultation(make, current="concluded", opened_by=officials["metropole_fr"])


def _commitments(db, consultation, author):
    """Planned 3 days late, in progress 1 day late, kept and abandoned late, due today, due later."""
    rows = response_with_commitments(db, consultation, author, CommitmentStatus.PLANNED,
                                     CommitmentStatus.IN_PROGRESS, CommitmentStatus.DONE,
                                     CommitmentStatus.ABANDONED, CommitmentStatus.PLANNED,
                                     CommitmentStatus.PLANNED)
    for commitment, days in zip(rows, (-3, -1, -3, -3, 0, 5)):
        commitment.due_on = _today() + timedelta(days=days)
    db.session.commit()
    return rows


def _remind(db, today, now=None):
    reminders = remind_overdue_commitments(today, now)
    db.session.commit()
    return reminders


def test_overdue_commitments_are_recalled_to_the_territorys_officials_only(db, officials, concluded, outbox):
    rows = _commitments(db, concluded, officials["metropole_fr"])
    reminders = _remind(db, _today())
    assert sorted(c.id for c in reminders.commitments) == [rows[0].id, rows[1].id]  # not kept, abandoned, due today
    assert reminders.emails == 2
    assert sorted(m.to for m in outbox) == sorted([officials["metropole_fr"].email, officials["metropole_en"].email])
    by_address = {m.to: m for m in outbox}
    french, english = by_address[officials["metropole_fr"].email], by_address[officials["metropole_en"].email]
    assert french.subject == "plateforme\u00a0: 2 engagements en retard"
    assert english.subject == "plateforme: 2 overdue commitments"
    assert "Bonjour Dominique," in french.body and "Hello Sam," in english.body
    assert "«\u00a0Engagement numéro 1\u00a0»" in french.body and "“Engagement numéro 2”" in english.body
    assert "Engagement numéro 3" not in french.body and "Engagement numéro 5" not in french.body
    assert f"/consultations/engagements/{rows[0].id}/suivi" in french.body
    assert "Direction des relations internationales" in english.body and "every 7 days" in english.body
    db.session.expire_all()
    assert [c.reminded_at is not None for c in rows] == [True, True, False, False, False, False]


def test_a_reminder_comes_back_once_per_interval_while_the_commitment_stays_overdue(db, officials, concluded, outbox):
    rows = response_with_commitments(db, concluded, officials["metropole_fr"], CommitmentStatus.PLANNED,
                                     CommitmentStatus.IN_PROGRESS, due_in=-3)
    morning = datetime.combine(_today(), time(7, 41), tzinfo=timezone.utc)
    assert len(_remind(db, _today(), morning).commitments) == 2
    assert _remind(db, _today(), morning + timedelta(hours=1)).commitments == []  # the same day, again
    for days in range(1, 7):  # the following days, as the daily task runs
        assert _remind(db, _today() + timedelta(days=days), morning + timedelta(days=days)).commitments == []
    assert len(outbox) == 2
    # Seven calendar days later, even a few minutes *earlier* in the day, it comes back.
    later = _today() + timedelta(days=7)
    assert len(_remind(db, later, morning + timedelta(days=7, minutes=-30)).commitments) == 2
    assert len(outbox) == 4
    # Kept in the meantime: no more reminder for it; the one still open comes back.
    rows[1].move_to(CommitmentStatus.DONE)
    db.session.commit()
    reminded = _remind(db, later + timedelta(days=7)).commitments
    assert [c.id for c in reminded] == [rows[0].id]
    assert len(outbox) == 6
    assert {"plateforme\u00a0: un engagement en retard", "plateforme: one overdue commitment"} == {
        m.subject for m in outbox[-2:]}


def test_two_consumers_never_recall_a_commitment_twice(app, db, officials, concluded, outbox):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite's BEGIN IMMEDIATE serialises the two")
    late = response_with_commitments(db, concluded, officials["metropole_fr"], due_in=-3)[0]
    with db.engine.connect() as other:
        transaction = other.begin()
        other.execute(text("SELECT id FROM commitment WHERE id = :id FOR UPDATE"), {"id": late.id})
        db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
        assert _remind(db, _today()).commitments == [] and outbox == []
        transaction.rollback()
    assert len(_remind(db, _today()).commitments) == 1 and len(outbox) == 2
    assert _remind(db, _today()).commitments == [] and len(outbox) == 2


def test_nothing_is_recalled_for_kept_or_abandoned_commitments(db, officials, concluded, outbox):
    response_with_commitments(db, concluded, officials["metropole_fr"], CommitmentStatus.DONE,
                              CommitmentStatus.ABANDONED, due_in=-30)
    assert _remind(db, _today()).commitments == [] and outbox == []


def test_a_communes_commitment_is_recalled_to_its_officials_and_the_epcis(db, make, officials, outbox):
    consultation = build_consultation(make, current="concluded", territory_code="69266",
                                      opened_by=officials["villeurbanne"])
    response_with_commitments(db, consultation, officials["villeurbanne"], due_in=-2)
    assert len(_remind(db, _today()).commitments) == 1
    assert sorted(m.to for m in outbox) == sorted(officials[k].email for k in (
        "metropole_fr", "metropole_en", "metropole_no_email", "villeurbanne"))  # emails on, here


def test_an_official_with_several_overdue_commitments_gets_one_email(db, officials, concluded, make, outbox):
    _commitments(db, concluded, officials["metropole_fr"])
    other = build_consultation(make, current="concluded", cards=concluded.cards, opened_by=officials["metropole_fr"],
                               title="Une autre consultation")
    response_with_commitments(db, other, officials["metropole_fr"], due_in=-10)
    assert len(_remind(db, _today()).commitments) == 3
    assert len(outbox) == 2 and all("3" in m.subject for m in outbox)
    assert "Une autre consultation" in {m.to: m for m in outbox}[officials["metropole_fr"].email].body


# --- the flag, the same everywhere ---------------------------------------------------------------------

def test_the_overdue_flag_agrees_on_the_pages_the_work_list_and_the_open_data(client, db, make, officials, concluded):
    due_today, late = response_with_commitments(db, concluded, officials["metropole_fr"], CommitmentStatus.PLANNED,
                                                CommitmentStatus.IN_PROGRESS, due_in=0)
    late.due_on = _today() - timedelta(days=1)
    db.session.commit()
    assert "échéance dépassée" not in page_text(client.get(f"/consultations/engagements/{due_today.id}"))
    assert "échéance dépassée" in page_text(client.get(f"/consultations/engagements/{late.id}"))
    accountability = page_text(client.get("/consultations/redevabilite/epci/200046977"))
    assert "1 engagement en retard" in accountability
    records = {r["id"]: r for r in client.get("/api/v1/commitments").get_json()["data"]}
    assert (records[due_today.id]["overdue"], records[late.id]["overdue"]) == (False, True)
    from plateforme.consultations.work import official_work

    assert [c.id for c in official_work(officials["metropole_fr"], _today()).commitments] == [late.id]


# --- by hand, and by the consumer ---------------------------------------------------------------------------

def test_flask_schedule_run_does_it_by_hand_and_twice_tells_nothing_twice(app, db, upcoming, outbox):
    day = _phase(upcoming, PhaseKind.INFORMATION).starts_on.isoformat()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["schedule", "run", "--today", day])
    assert first.exit_code == 0, first.output
    assert "phases announced: 1" in first.output and "overdue commitments recalled: 0" in first.output
    second = runner.invoke(args=["schedule", "run", "--today", day])
    assert second.exit_code == 0 and "phases announced: 0" in second.output
    db.session.expire_all()
    assert len(_notifications(db)) == 2 and len(outbox) == 2
    assert runner.invoke(args=["schedule", "run", "--today", "demain"]).exit_code != 0  # a clear usage error


def test_flask_schedule_run_for_a_later_day_twice_recalls_nothing_twice(app, db, officials, concluded, outbox):
    """`--today` stands for the whole run: the reminders are dated that day (they were dated
    by the real clock, so a second run for the same later day sent them all again)."""
    _commitments(db, concluded, officials["metropole_fr"])
    runner = app.test_cli_runner()
    day = (_today() + timedelta(days=10)).isoformat()
    first = runner.invoke(args=["schedule", "run", "--today", day])
    assert first.exit_code == 0, first.output
    assert "overdue commitments recalled: 4" in first.output and len(outbox) == 2
    second = runner.invoke(args=["schedule", "run", "--today", day])
    assert second.exit_code == 0 and "overdue commitments recalled: 0" in second.output, second.output
    assert len(outbox) == 2


def test_the_tasks_run_hourly_and_in_the_daytime():
    from plateforme.consultations.tasks import announce_phases_task, remind_commitments_task

    assert announce_phases_task.s().validate_datetime(datetime(2026, 12, 7, 0, 23))
    assert announce_phases_task.s().validate_datetime(datetime(2026, 12, 7, 13, 23))
    assert not announce_phases_task.s().validate_datetime(datetime(2026, 12, 7, 13, 24))
    assert remind_commitments_task.s().validate_datetime(datetime(2026, 12, 7, 7, 41))
    assert remind_commitments_task.s().validate_datetime(datetime(2026, 12, 7, 18, 41))
    assert not remind_commitments_task.s().validate_datetime(datetime(2026, 12, 7, 2, 41))


def test_two_consumer_threads_running_the_task_together_announce_once(app, db, make, tmp_path):
    from plateforme.consultations.tasks import announce_phases_task

    from ..core.test_task_queue import Completions, consumer, real_queue

    consultation = build_consultation(make, current=PhaseKind.DEBATE)
    consultation.published_at = datetime.now(timezone.utc) - timedelta(days=60)
    db.session.commit()
    follow(db, consultation, make.user(), make.user(), make.user())
    with real_queue(app, "sqlite", tmp_path), Completions(announce_phases_task.s().name, 2) as done, \
            consumer(workers=2):
        announce_phases_task()
        announce_phases_task()  # as two schedulers would enqueue it
        assert done.wait(60)
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Notification)).scalar_one() == 3
