"""What happens to consultations by the calendar alone, with nobody clicking: a phase that
begins is announced to the consultation's followers, an overdue commitment is recalled to
the territory's officials. The task queue runs both (consultations/tasks.py), `flask
schedule run` by hand; each takes `today` and `now` so that tests need no frozen clock.

Which phase is current stays derived from the dates (models.PhaseCalendar): these only
*tell*. Each records what it did on the row it tells about (`announced_at`, `reminded_at`),
in the transaction that writes the notifications or the emails, and claims its rows with
`SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises): two
consumers never tell the same thing twice.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale, ngettext
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from ..accounts.models import Mandate, MandateStatus, User
from ..core.mail import queue_mail
from ..core.models import local_today, utcnow
from ..extensions import db
from ..notifications.models import NotificationKind
from ..core.urls import absolute_url
from ..notifications.services import notify_followers, stop_emails_path
from ..surveys.status import survey_status
from ..territories.chains import containing_ids
from .exports import OPEN_COMMITMENT_STATUSES, PUBLIC_STATUSES
from .models import AuthorityResponse, Commitment, Consultation, ConsultationPhase, ConsultationStatus, PhaseKind

log = logging.getLogger("plateforme.consultations")

PARIS = ZoneInfo("Europe/Paris")


@contextmanager
def _site_links():
    """Where `url_for` works: the request's, else one made for the site's configured address
    (the task queue, the CLI), once for a whole run rather than once per link."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context():
        yield


def _path(endpoint: str, **values) -> str:
    with _site_links():
        return url_for(endpoint, **values)


def _local_day(moment: datetime | None) -> date | None:
    return moment.astimezone(PARIS).date() if moment is not None else None


# --- a phase begins ---------------------------------------------------------------------------------

@dataclass
class PhaseNotices:
    announced: list[ConsultationPhase] = field(default_factory=list)  # its followers told
    passed_over: list[ConsultationPhase] = field(default_factory=list)


def announce_started_phases(today: date | None = None, now: datetime | None = None) -> PhaseNotices:
    """Tell the followers of each published consultation that its current phase has begun,
    once per phase. Phases begun on or before the publication day are not announced (the
    publication showed them), nor phases already over (the queue was down while they ran):
    after a downtime, only the phase running today is announced. The questionnaire phase of a
    consultation whose survey does not take answers yet (still a draft) waits for it. The
    caller commits."""
    today = today or local_today()
    now = now or utcnow()
    phases = db.session.execute(
        select(ConsultationPhase).join(ConsultationPhase.consultation)
        .where(Consultation.status == ConsultationStatus.PUBLISHED, ConsultationPhase.announced_at.is_(None),
               ConsultationPhase.starts_on <= today)
        .options(contains_eager(ConsultationPhase.consultation))
        .order_by(ConsultationPhase.consultation_id, ConsultationPhase.starts_on)
        .with_for_update(of=ConsultationPhase, skip_locked=True)).scalars().all()
    notices = PhaseNotices()
    for phase in phases:
        consultation = phase.consultation
        if phase.ends_on < today or phase.starts_on <= (_local_day(consultation.published_at) or date.min):
            notices.passed_over.append(phase)
        elif phase.kind == PhaseKind.SURVEY and not _survey_takes_answers(consultation, today):
            continue  # asked again next time: announced once the survey is opened, if the phase still runs
        else:
            notify_followers(consultation, NotificationKind.PHASE_STARTED,
                             _path("consultations.show", consultation_id=consultation.id), subject=phase.kind.value)
            notices.announced.append(phase)
        phase.announced_at = now
    db.session.flush()
    for phase in notices.announced:
        log.info("consultation %s: phase %s announced", phase.consultation_id, phase.kind.value)
    return notices


def _survey_takes_answers(consultation: Consultation, today: date) -> bool:
    """No survey attached: nothing to wait for. Its dates are the phase's (services.py)."""
    return consultation.survey is None or survey_status(consultation.survey, today).accepts_answers


# --- a commitment past its date --------------------------------------------------------------------

@dataclass
class CommitmentReminders:
    commitments: list[Commitment] = field(default_factory=list)  # reminded in this run
    emails: int = 0


def officials_answering_for(territory_id: int) -> list[User]:
    """Who is reminded of a territory's commitments: the holders of a verified mandate on it
    or on a territory containing it — the people `can_update_commitment` lets report on them
    (`holds_mandate_covering`), administrators aside (they run the site, they answer for no
    territory's promises). Not the officials of a member commune nor of a neighbour: they can
    do nothing about it. Only confirmed addresses of people who accept notification emails."""
    return list(db.session.execute(
        select(User).join(Mandate, Mandate.user_id == User.id)
        .where(Mandate.status == MandateStatus.VERIFIED, Mandate.territory_id.in_(containing_ids(territory_id)),
               User.email_confirmed_at.is_not(None), User.email_notifications.is_(True))
        .distinct().order_by(User.id)).scalars())


def remind_overdue_commitments(today: date | None = None, now: datetime | None = None) -> CommitmentReminders:
    """One email per official listing the commitments of their territories that are overdue
    (as the public pages and the open data flag them: past their date, neither done nor
    abandoned) and were not recalled in the last COMMITMENT_REMINDER_DAYS days, in the
    official's language, through the outbox; records `reminded_at`. The caller commits."""
    today = today or local_today()
    now = now or utcnow()
    days = current_app.config["COMMITMENT_REMINDER_DAYS"]
    # Calendar days, not 24-hour periods: recalled on day D, again on day D + `days` whatever
    # the hour the task ran at either time.
    again_after = datetime.combine(today - timedelta(days=days - 1), time(0), tzinfo=PARIS).astimezone(timezone.utc)
    commitments = db.session.execute(
        select(Commitment).join(Commitment.response).join(AuthorityResponse.consultation)
        .where(Commitment.status.in_(OPEN_COMMITMENT_STATUSES), Commitment.due_on < today,
               Consultation.status.in_(PUBLIC_STATUSES),
               or_(Commitment.reminded_at.is_(None), Commitment.reminded_at < again_after))
        .options(contains_eager(Commitment.response).contains_eager(AuthorityResponse.consultation))
        .order_by(Commitment.due_on, Commitment.id)
        .with_for_update(of=Commitment, skip_locked=True)).scalars().all()
    reminders = CommitmentReminders(commitments=list(commitments))
    by_person: dict[int, list[Commitment]] = defaultdict(list)
    people: dict[int, User] = {}
    officials: dict[int, list[User]] = {}
    for commitment in commitments:
        territory_id = commitment.response.consultation.territory_id
        if territory_id not in officials:
            officials[territory_id] = officials_answering_for(territory_id)
        if not officials[territory_id]:
            log.warning("commitment %s is overdue and no official of its territory can be reminded", commitment.id)
        for person in officials[territory_id]:
            people[person.id] = person
            by_person[person.id].append(commitment)
        commitment.reminded_at = now
    with _site_links():
        # Each commitment's two links once, whatever the number of officials who receive them.
        links = {c.id: (absolute_url(url_for("consultations.commitment", commitment_id=c.id)),
                        absolute_url(url_for("consultations.update_commitment", commitment_id=c.id)))
                 for c in commitments}
        for person_id, overdue in by_person.items():
            _queue_reminder(people[person_id], [(c, *links[c.id]) for c in overdue], days)
            reminders.emails += 1
    db.session.flush()
    if commitments:
        log.info("overdue commitments %s recalled in %s email(s)", [c.id for c in commitments], reminders.emails)
    return reminders


def _queue_reminder(user: User, items: list[tuple[Commitment, str, str]], days: int) -> None:
    """`items`: each commitment with its page's and its progress form's addresses."""
    stop_link = absolute_url(stop_emails_path(user))
    with force_locale(user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
        body = render_template("consultations/mail/commitments_overdue.txt", user=user, items=items, days=days,
                               stop_link=stop_link)
        subject = ngettext("%(site)s : un engagement en retard", "%(site)s : %(num)s engagements en retard",
                           len(items), site=current_app.config["SITE_NAME"])
    queue_mail(user.email, subject, body, {"List-Unsubscribe": f"<{stop_link}>"})
