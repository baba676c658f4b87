"""The outbox's tasks: send what is due, and a sweep every minute in case a kick was lost
(the queue unreachable at the time, a web process killed between its commit and the
enqueue) or a backoff has run out."""
from __future__ import annotations

from .outbox_sender import drain
from .tasks import crontab, periodic_task, task


@task()
def send_outbox() -> dict:
    """Send every due outbox row (enqueued after each commit that wrote some)."""
    report = drain()
    return {"sent": report.sent, "retried": report.retried, "failed": report.failed}


@periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    drain()
