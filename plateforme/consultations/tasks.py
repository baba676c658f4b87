"""Consultations on a schedule (schedule.py), run by the task queue's consumer: phase starts
announced hourly (so that a consumer down at midnight catches up within the hour, and a
longer downtime announces the phase running now, not the ones missed), overdue commitments
recalled once a day, in the daytime in France. `flask schedule run` does the same by hand."""
from __future__ import annotations

from ..core.tasks import crontab, periodic_task
from ..core.transactions import one_transaction
from .schedule import announce_started_phases, remind_overdue_commitments


@periodic_task(crontab(minute="23"))
def announce_phases_task() -> None:
    """Tell followers of the phases that have begun."""
    with one_transaction():
        announce_started_phases()


# Hourly in the daytime (from 8:41 or 9:41 in France, when officials read their mail): the
# first run of the day sends, the others find nothing (the interval is counted in calendar
# days), and a consumer down at that time catches up within the hour, not the next day.
@periodic_task(crontab(hour="7-18", minute="41"))
def remind_commitments_task() -> None:
    """Recall the overdue commitments to their territories' officials."""
    with one_transaction():
        remind_overdue_commitments()
