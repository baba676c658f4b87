"""The outbox's tasks: send what is due, and a sweep every minute in case a kick was lost
(the queue unreachable at the time, a web process killed between its commit and the
enqueue) or a backoff has run out.

While the mail server is unreachable, the sweep alone would find it back up to a minute
after it returned, and every mail not yet tried, due all along, would wait that long. So a
drain stopped by an unreachable server asks for probes, 5, 10, 20 then 40 seconds apart
(the sweep takes over after): a probe only opens a connection, claiming nothing and counting
no attempt, and drains once the server answers. Each row still waits its own backoff
(`MAIL_RETRY_BASE_SECONDS`): no probe brings a retry forward.
"""
from __future__ import annotations

from .mail_transport import reachable
from .outbox_sender import drain, purge_old
from .tasks import crontab, enqueue_quietly, periodic_task, task

PROBE_SECONDS = (5, 10, 20, 40)


def _probe_later(done: int) -> None:
    """Ask for probe `done + 1`, unless the probes are over (the sweep's minute then)."""
    if done < len(PROBE_SECONDS):
        enqueue_quietly(send_outbox.schedule, args=(done + 1,), delay=PROBE_SECONDS[done])


# The tasks return nothing: huey would keep a result per run in its storage until read,
# and nobody reads them (the outbox's rows are the record).
@task()
def send_outbox(probe: int = 0) -> None:
    """Send every due outbox row (enqueued after each commit that wrote some); `probe` n > 0:
    the n-th probe after the server was found unreachable (see above)."""
    if probe and not reachable():
        _probe_later(probe)
    elif drain().unreachable:
        _probe_later(probe)


@periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    if drain().unreachable:
        _probe_later(0)


@periodic_task(crontab(minute="13"))
def purge_old_mail() -> None:
    """Hourly: forget sent and failed mail past MAIL_RETENTION_DAYS."""
    purge_old()
