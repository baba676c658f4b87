"""Redirects carry no body.

Werkzeug writes a small HTML page into every redirect for browsers that would not follow
it; none still in use shows it, and every form post ends in a redirect. Sent without it,
the response is one write to the socket instead of two (gunicorn writes the headers, then
each piece of the body), and smaller. Django sends its redirects the same way.
"""
from __future__ import annotations

REDIRECTS = frozenset({301, 302, 303, 307, 308})


def init_redirects(app) -> None:
    @app.after_request
    def _without_body(response):
        if response.status_code in REDIRECTS and response.is_sequence:
            response.response = []  # no piece at all: not even an empty write
            response.headers["Content-Length"] = "0"
        return response
