"""The task consumer's entry point: `huey_consumer plateforme.worker.huey`.

Builds the app from the environment (the same settings as the web server: PLATEFORME_ENV,
DATABASE_URL, TASK_QUEUE_URL, MAIL_*…), which binds the queue to it and declares every
task, then hands huey's consumer the queue. Run as many consumers as needed, on as many
machines, against the same TASK_QUEUE_URL (Redis) and DATABASE_URL.
"""
from __future__ import annotations

from .app import create_app
from .core.tasks import huey

app = create_app()

__all__ = ["app", "huey"]
