"""The outbox's tasks: send what is due, and a sweep every minute in case a kick was lost
(the queue unreachable at the time, a web process killed between its commit and the
enqueue) or a backoff has run out."""
from __future__ import annotations

from .outbox_sender import drain, purge_old
from .tasks import crontab, periodic_task, task


# The tasks return nothing: huey would keep a result per run in its storage until read,
# and nobody reads them (the outbox's rows are the record).
@task()
def send_outbox() -> None:
    """Send every due outbox row (enqueued after each commit that wrote some)."""
    drain()


@periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    drain()


@periodic_task(crontab(minute="13"))
def purge_old_mail() -> None:
    """Hourly: forget sent and failed mail past MAIL_RETENTION_DAYS."""
    purge_old()
