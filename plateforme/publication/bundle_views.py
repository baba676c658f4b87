"""The open-data bundle at a stable address, as the task queue last built it (bundle.py)."""
from __future__ import annotations

from flask import Response, render_template, request

from ..core.tasks import enqueue_quietly
from ..extensions import db
from . import files_bp
from .bundle import build_bundle_task, latest_bundle

RETRY_AFTER = 300  # seconds: the first build runs within minutes of the queue starting


@files_bp.route("/tout.zip")
def bundle():
    stored = latest_bundle()
    if stored is None:
        # Never built yet (a new site, a queue not started): say so, and ask for it.
        enqueue_quietly(build_bundle_task)  # the queue's immediate mode has built it now
        db.session.rollback()  # a new transaction sees it (SQLite's read snapshot would not)
        stored = latest_bundle()
    if stored is None:
        return render_template("publication/bundle_pending.html"), 503, {"Retry-After": str(RETRY_AFTER)}
    response = Response(stored.content, mimetype="application/zip", headers={
        "Content-Disposition": 'attachment; filename="donnees-ouvertes.zip"',
        "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff",
    })
    response.set_etag(stored.sha256)
    response.last_modified = stored.created_at
    return response.make_conditional(request)
