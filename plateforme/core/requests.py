"""Answers remembered for the length of one request."""
from __future__ import annotations

from flask import has_request_context, request


def request_memo(name: str) -> dict:
    """A dict kept on the current request (a new one per request; a throwaway one outside
    requests). Unlike `g`, it is never shared by two requests, even when tests run several
    request contexts inside one application context."""
    if not has_request_context():
        return {}
    memos = request.__dict__.setdefault("_plateforme_memos", {})
    return memos.setdefault(name, {})
