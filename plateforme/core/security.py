"""Security headers on every response."""
from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
])


def init_security_headers(app) -> None:
    fixed = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if app.config.get("HSTS", False):
        fixed.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
    # Pages can hold personal data: never let a shared cache keep them.
    for_pages = [*fixed, ("Cache-Control", "no-store")]

    @app.after_request
    def _set_headers(response):
        # One pass over the response's headers, not one per header: this runs on every response.
        headers = response.headers
        present = {key.lower() for key, _ in headers.items()}
        wanted = for_pages if response.mimetype == "text/html" else fixed
        headers.extend([(key, value) for key, value in wanted if key.lower() not in present])
        return response
