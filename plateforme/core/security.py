"""Security headers on every response.

A redirect carries only those that act on a response with no body: Referrer-Policy (it
sets the referrer of the request the browser makes next), Cache-Control and HSTS. The
others (CSP, X-Frame-Options, nosniff, Permissions-Policy, COOP) govern a document or a
body, and a redirect has neither (core/redirects.py): sent on every form post's answer,
they would be bytes and header handling for nothing.
"""
from __future__ import annotations

from .redirects import REDIRECTS

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
    for_redirects = [(key, value) for key, value in for_pages
                     if key in ("Referrer-Policy", "Cache-Control", "Strict-Transport-Security")]

    @app.after_request
    def _set_headers(response):
        # One pass over the response's headers, not one per header: this runs on every response.
        headers = response.headers
        present = {key.lower() for key, _ in headers.items()}
        if response.status_code in REDIRECTS:
            wanted = for_redirects
        else:
            wanted = for_pages if response.mimetype == "text/html" else fixed
        headers.extend([(key, value) for key, value in wanted if key.lower() not in present])
        return response
