"""Plain HTTP for the benchmarks: requests to the server under test, clients that keep their
cookies by hand (so that the production ``Secure`` cookie is still sent over plain HTTP),
CSRF tokens read from forms, signing in through the real form, and the POSTs (cookie
header + form body) that wrk repeats."""
from __future__ import annotations

import html
import http.client
import re
from http.cookies import SimpleCookie
from typing import Callable
from urllib.parse import urlencode, urlsplit

from bench.wrk import PreparedRequest

DEMO_PASSWORD = "demo-plateforme-2026"
DEMO_RESIDENT = "habitant@demo.plateforme.example"


def http_request(base_url: str, method: str, path: str, headers: dict[str, str] | None = None,
                 body: str | bytes | None = None, timeout: float = 10):
    """One request; returns (status, headers as a Message, body bytes). No redirects followed."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


class HttpClient:
    """A browser-like session: keeps cookies (by hand: the app marks its cookie Secure in
    production and we speak plain HTTP to 127.0.0.1) and follows nothing by itself."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                body: str | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        status, response_headers, content = http_request(self.base_url, method, path, headers, body)
        for raw in response_headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"])
                if morsel.value == "" or expired:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return status, response_headers, content

    def get(self, path: str):
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str]):
        return self.request("POST", path, {"Content-Type": "application/x-www-form-urlencoded"},
                            urlencode(fields))


CSRF_INPUT = re.compile(r"<input\b[^>]*\bname=\"csrf_token\"[^>]*>", re.IGNORECASE)
VALUE_ATTRIBUTE = re.compile(r"\bvalue=\"([^\"]*)\"")


def csrf_token_in(page: bytes | str) -> str:
    """The CSRF token of the first form on a page (Flask-WTF's hidden ``csrf_token`` input)."""
    text = page.decode("utf-8", errors="replace") if isinstance(page, bytes) else page
    tag = CSRF_INPUT.search(text)
    value = VALUE_ATTRIBUTE.search(tag.group(0)) if tag else None
    if not value:
        raise ValueError("no csrf_token input on the page")
    return html.unescape(value.group(1))


def signed_in_client(base_url: str, email: str = DEMO_RESIDENT, password: str = DEMO_PASSWORD) -> HttpClient:
    """A client signed in through the real form (needs RATELIMIT_ENABLED=0 for many)."""
    client = HttpClient(base_url)
    status, _, page = client.get("/connexion")
    if status != 200:
        raise RuntimeError(f"GET /connexion answered {status}")
    status, headers, _ = client.post_form("/connexion", {"email": email, "password": password,
                                                         "csrf_token": csrf_token_in(page)})
    if status != 302:
        raise RuntimeError(f"sign-in as {email} failed: POST /connexion answered {status}")
    return client


def form_post_requests(base_url: str, form_path: str, fields: dict[str, str] | Callable[[int], dict[str, str]],
                       *, post_path: str | None = None, sessions: int = 1,
                       clients: list[HttpClient] | None = None) -> list[PreparedRequest]:
    """GET `form_path` to obtain a session cookie and a CSRF token, then build the POST.

    `fields` is the form (a dict, or a function of the session's index for one body per
    session); the token is added as ``csrf_token``. `sessions` fresh anonymous sessions,
    or the given `clients` (e.g. from `signed_in_client`), give one request each; wrk
    cycles through them.
    """
    clients = list(clients) if clients else [HttpClient(base_url) for _ in range(sessions)]
    prepared = []
    for index, client in enumerate(clients):
        status, _, page = client.get(form_path)
        if status != 200:
            raise RuntimeError(f"GET {form_path} answered {status}")
        form = dict(fields(index) if callable(fields) else fields)
        form["csrf_token"] = csrf_token_in(page)
        prepared.append(PreparedRequest(
            "POST", post_path or form_path,
            {"Cookie": client.cookie_header(), "Content-Type": "application/x-www-form-urlencoded"},
            urlencode(form)))
    return prepared
