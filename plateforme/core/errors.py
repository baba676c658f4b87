"""Error pages (400, 403, 404, 405, 413, 429, 500) in the reader's language, no traceback."""
from __future__ import annotations

import logging

from flask import Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..extensions import db

log = logging.getLogger("plateforme.errors")

HANDLED = (400, 403, 404, 405, 413, 429, 500)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int, description: str | None = None):
    if _wants_json():
        return jsonify(error=status, description=description), status
    return render_template(f"errors/{status}.html", description=description), status


def init_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return _render(400, "csrf")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code not in HANDLED:
            return error
        return _render(error.code)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        try:
            return _render(500)
        except Exception:  # the error page itself failed: answer plainly, never loop
            log.exception("the 500 page could not be rendered")
            return Response("Erreur du serveur / Server error", status=500, mimetype="text/plain")

    @app.errorhandler(InternalServerError)
    def _internal(error):
        return _render(500)
