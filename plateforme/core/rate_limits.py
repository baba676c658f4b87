"""Rate limits on routes, skipped outright while rate limiting is off.

Switched off (tests, development, benchmarks: RATELIMIT_ENABLED=0), Flask-Limiter's route
decorator still works out, on every request, which limits would apply before finding
none: about as long as the debate's own rules take. `rate_limited` asks first.
"""
from __future__ import annotations

from functools import wraps

from ..extensions import limiter


def rate_limited(*route_limits):
    """Decorate a view with `route_limits` (``limiter.limit(...)`` or ``limiter.shared_limit(...)``,
    e.g. one per client address and one per account), applied whenever rate limiting is on."""
    def decorate(view):
        limited = view
        for route_limit in reversed(route_limits):
            # Stacked as Flask-Limiter's own decorators: the outermost checks them all once.
            limited = route_limit(limited)

        @wraps(view)
        def dispatch(*args, **kwargs):
            if limiter.enabled and limiter.initialized:
                return limited(*args, **kwargs)
            return view(*args, **kwargs)

        return dispatch

    return decorate
