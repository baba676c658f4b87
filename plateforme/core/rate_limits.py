"""Rate limits on routes, skipped outright while rate limiting is off.

Switched off (tests, development, benchmarks: RATELIMIT_ENABLED=0), Flask-Limiter's route
decorator still works out, on every request, which limits would apply before finding
none: about as long as the debate's own rules take. `rate_limited` asks first.
"""
from __future__ import annotations

from functools import wraps

from ..extensions import limiter


def rate_limited(route_limit):
    """Decorate a view with `route_limit` (``limiter.limit(...)`` or ``limiter.shared_limit(...)``),
    applied whenever rate limiting is on."""
    def decorate(view):
        limited = route_limit(view)

        @wraps(view)
        def dispatch(*args, **kwargs):
            if limiter.enabled and limiter.initialized:
                return limited(*args, **kwargs)
            return view(*args, **kwargs)

        return dispatch

    return decorate
