"""Work done once the response has been sent: bookkeeping writes (the last visit of a session).

`after_response(func, *args)` runs `func` when the WSGI server closes the response (Werkzeug's
`response.call_on_close`), in an application context of its own, so that neither its duration
nor its failure reaches the person's answer: a page says the same whether or not a mail went
out. Outside a request (command line, tests of services) the work runs at once; after a 5xx
answer it is dropped (the request's writes were not kept either). Failures are logged, never
raised. Nothing is kept if the process stops first: work that must not be lost (mail) goes
through the database and the task queue instead (core/mail.py, core/tasks.py).
"""
from __future__ import annotations

import logging

from flask import current_app, g, has_request_context

log = logging.getLogger("plateforme.after_response")


def after_response(func, *args, **kwargs) -> None:
    """Run `func(*args, **kwargs)` after this request's response is sent (at once outside a request)."""
    if not has_request_context():
        _run(func, args, kwargs)
        return
    pending = g.setdefault("_after_response", [])
    pending.append((func, args, kwargs))


def _run(func, args, kwargs) -> None:
    try:
        func(*args, **kwargs)
    except Exception:  # noqa: BLE001 — logged: the response has gone, nobody else can act on it
        log.exception("work after the response failed: %s", getattr(func, "__qualname__", func))


def _attach(response):
    pending = g.pop("_after_response", None)
    if pending and response.status_code >= 500:
        # The request failed, its writes were not kept: nor is what it meant to do afterwards.
        log.warning("work after a failed response dropped: %s", [getattr(f, "__qualname__", f) for f, _, _ in pending])
        return response
    if pending:
        app = current_app._get_current_object()

        def run_all():
            for func, args, kwargs in pending:
                with app.app_context():
                    _run(func, args, kwargs)

        response.call_on_close(run_all)
    return response


def init_after_response(app) -> None:
    app.after_request(_attach)
