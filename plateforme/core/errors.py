"""Error pages (400, 403, 404, 405, 413, 429, 500) in the reader's language, no traceback.
Under /api/ the same errors answer application/problem+json (RFC 9457); a 400 for invalid
query parameters names each of them (`invalid_params`). The exception's own headers (the
`Allow` of a 405, a `Retry-After`) are kept on both."""
from __future__ import annotations

import logging
import re

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..extensions import db
from .params import InvalidParams

log = logging.getLogger("plateforme.errors")

HANDLED = (400, 403, 404, 405, 413, 429, 500)
TITLES = {400: _l("Requête incorrecte"), 403: _l("Accès refusé"), 404: _l("Introuvable"),
          405: _l("Méthode non permise"), 413: _l("Fichier trop volumineux"), 429: _l("Trop de tentatives"),
          500: _l("Erreur du serveur")}
DATA_FILE = re.compile(r"\.(?:csv|json|jsonld|xml|zip)$")
PROBLEM_TYPE_INVALID_PARAMS = "api/v1/openapi.json#/components/responses/InvalidParameters"


def _wants_json() -> bool:
    """Problem details (RFC 9457) for programs: on the API, and on every data file, whose
    address ends with its format (valeurs.csv, resultats/v1.json, catalogue.jsonld…): the
    client that asked for one reads JSON, not a page."""
    return request.path.startswith("/api/") or DATA_FILE.search(request.path) is not None


def _headers(error: HTTPException | None) -> list[tuple[str, str]]:
    """The exception's headers but its Content-Type (a 405's Allow, above all)."""
    if error is None:
        return []
    return [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]


def _problem(status: int, error: HTTPException | None) -> Response:
    body = {"type": "about:blank", "title": str(TITLES[status]), "status": status}
    if isinstance(error, InvalidParams):
        names = ", ".join(problem["name"] for problem in error.problems)
        body.update(type=request.url_root + PROBLEM_TYPE_INVALID_PARAMS, title=_("Paramètres invalides"),
                    detail=ngettext("Paramètre refusé : %(names)s.", "Paramètres refusés : %(names)s.",
                                    len(error.problems), names=names),
                    invalid_params=error.problems)
    elif error is not None and status != 500 and error.description != type(error).description:
        body["detail"] = error.description  # only a message the app wrote, not Werkzeug's boilerplate
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers.extend(_headers(error))
    response.headers.setdefault("Access-Control-Allow-Origin", "*")  # open data: errors readable too
    return response


def _render(status: int, description: str | None = None, error: HTTPException | None = None):
    if _wants_json():
        return _problem(status, error)
    problems = error.problems if isinstance(error, InvalidParams) else None
    page = render_template(f"errors/{status}.html", description=description, problems=problems)
    return page, status, _headers(error)


def init_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return _render(400, "csrf")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code not in HANDLED:
            return error
        return _render(error.code, error=error)

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
