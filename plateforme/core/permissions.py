"""Named permission predicates.

Each domain declares its rules in its own ``permissions.py`` with ``@predicate``:
a function ``(user, *objects) -> bool``. Views check them with ``@requires(name)`` or
``ensure(name, obj)``; templates with ``can(name, obj)``. One registry, so a rule has
one definition wherever it is checked.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .audit import audit

Predicate = Callable[..., bool]
PREDICATES: dict[str, Predicate] = {}


def predicate(func: Predicate) -> Predicate:
    """Register a permission rule under its function name."""
    if func.__name__ in PREDICATES and PREDICATES[func.__name__] is not func:
        raise ValueError(f"permission {func.__name__!r} is declared twice")
    PREDICATES[func.__name__] = func
    return func


def can(name: str, *objects) -> bool:
    """Whether the current user passes the rule `name` (for templates and views)."""
    # The person itself, not the proxy: a rule reads several of its attributes, and each
    # read through `current_user` asks Flask-Login for it again.
    return bool(PREDICATES[name](current_user._get_current_object(), *objects))


def deny(name: str):
    """Refuse the request: sign-in page for visitors, 403 (logged) for others."""
    if not current_user.is_authenticated:
        flash(_("Connectez-vous pour accéder à cette page."), "info")
        return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
    audit("permission_denied", current_user.id, permission=name)
    abort(403)


def ensure(name: str, *objects) -> None:
    """Abort unless the current user passes `name` for `objects`."""
    if not can(name, *objects):
        response = deny(name)
        abort(response)


def ensure_visible(name: str, *objects) -> None:
    """Abort unless the current user may see `objects` under rule `name`. Signed-in people
    get a 404, so drafts stay unknown to them; a visitor is asked to sign in, since links
    to work in progress are shared between the people who may see it."""
    if can(name, *objects):
        return
    if not current_user.is_authenticated:
        abort(deny(name))
    abort(404)


def requires(name: str):
    """View decorator: the current user must pass the object-less rule `name`."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not can(name):
                return deny(name)
            return view(*args, **kwargs)

        wrapper.permission = name
        return wrapper

    return decorator
