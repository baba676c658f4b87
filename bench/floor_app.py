"""The app with one extra route, `POST /bench-floor`: the framework's share of a debate POST.

    gunicorn "bench.floor_app:create_floor_app()"        (the app's environment, as for wsgi:app)

The route does what every debate POST does before any debate work, and nothing else: it
loads the signed-in person from the session, builds the comment form, checks its CSRF
token and fields, and redirects. Measured with the same requests as "POST comment", it
tells how much of the posting figure the stack (Flask, the session, Flask-Login,
Flask-WTF, the app's request hooks) takes by itself; bench/profile_debate_post.py uses the
same view in-process.
"""
from __future__ import annotations

from flask import redirect
from flask_login import current_user

from plateforme import create_app

FLOOR_PATH = "/bench-floor"


def floor_view():
    """The unavoidable part of the comment POST: the signed-in person, the form with its
    CSRF token validated, a redirect."""
    from plateforme.debate.forms import CommentForm

    form = CommentForm(prefix="comment")
    if not (current_user.is_authenticated and form.validate_on_submit()):
        return "refused", 400
    return redirect("/consultations/")


def add_floor_route(app) -> None:
    app.add_url_rule(FLOOR_PATH, "bench_floor", methods=["POST"], view_func=floor_view)


def create_floor_app():
    app = create_app()
    add_floor_route(app)
    return app

