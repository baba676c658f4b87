"""Surveys on a schedule: every open survey whose closing date has passed is closed by the
task queue (hourly, so that a consumer down at midnight catches up within the hour), as
`flask surveys close-due` does; nobody has to remember a cron line. The date checks of
submission stay the guard: a survey past its date takes no answer even before this runs."""
from __future__ import annotations

import logging

from ..core.tasks import crontab, periodic_task
from ..core.transactions import one_transaction
from .services import close_due_surveys

log = logging.getLogger("plateforme.surveys")


@periodic_task(crontab(minute="7"))
def close_due_surveys_task() -> None:
    """Close every survey past its closing date, in one transaction."""
    with one_transaction():
        closed = close_due_surveys()
    if closed:
        log.info("surveys closed on their date: %s", [survey.id for survey in closed])
