"""HTTP before the measurement of bench/load.py: sign residents in, read the forms a person
would fill (fields, CSRF token) and fill them, through the server under test. Only the
standard library (http.client, html.parser): the same code drives any commit."""
from __future__ import annotations

import http.client
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode

# Behind the (simulated) reverse proxy every request arrives over HTTPS, from an address of its own.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: str


def request(port: int, method: str, path: str, *, cookie: str = "", form: dict | list | None = None,
            address: str = "10.200.0.1", timeout: float = 60) -> Answer:
    headers = dict(PROXY_HEADERS, **{"X-Forwarded-For": address})
    body = None
    if cookie:
        headers["Cookie"] = cookie
    if form is not None:
        # Flask-WTF checks, over HTTPS, that a form comes from a page of the same site.
        headers["Referer"] = f"https://127.0.0.1:{port}/"
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                cookies[key.strip()] = val.strip()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, cookies, text)
    finally:
        connection.close()


class _Forms(HTMLParser):
    """Every <form> of a page: its action, method and controls, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                               "controls": []})
        elif not self.forms:
            return
        elif tag == "input":
            self.forms[-1]["controls"].append({"tag": "input", "type": (a.get("type") or "text").lower(),
                                               "name": a.get("name"), "value": a.get("value") or "",
                                               "checked": "checked" in a, "required": "required" in a})
        elif tag == "select":
            self._select = {"tag": "select", "name": a.get("name"), "options": []}
            self.forms[-1]["controls"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value") or "")
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "name": a.get("name"), "value": ""}
            self.forms[-1]["controls"].append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def main_form(html: str, *, having: str | None = None) -> dict:
    """The page's main POST form (not the language switch), or the one with a control `having`."""
    for form in forms_of(html):
        names = {c["name"] for c in form["controls"] if c["name"]}
        if form["method"] == "post" and not form["action"].startswith(("/langue", "/deconnexion")) and (
                having is None or any(_named(name, having) for name in names)):
            return form
    raise LookupError(f"no POST form{' with ' + having if having else ''} in the page")


def _named(name: str, key: str) -> bool:
    """Whether field `name` is `key`, perhaps with a form prefix ("comment-body" for "body")."""
    return name == key or name.endswith("-" + key)


def fill(form: dict, texts: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """What a person would send: hidden values kept, the first choice of every radio group and
    list, required boxes ticked, `texts` in the text fields (others left as they are)."""
    texts = texts or {}
    for control in form["controls"]:
        for key in list(texts):
            if control["name"] and _named(control["name"], key) and control["name"] != key:
                texts[control["name"]] = texts[key]
    fields: list[tuple[str, str]] = []
    radios_done: set[str] = set()
    for control in form["controls"]:
        name = control["name"]
        if not name:
            continue
        if control["tag"] == "select":
            options = [o for o in control["options"] if o]
            fields.append((name, texts.get(name, options[0] if options else "")))
        elif control["tag"] == "textarea":
            fields.append((name, texts.get(name, control["value"])))
        elif control["type"] == "radio":
            if name not in radios_done:
                radios_done.add(name)
                fields.append((name, texts.get(name, control["value"])))
        elif control["type"] == "checkbox":
            if control["required"] or control["checked"]:
                fields.append((name, control["value"] or "y"))
        elif control["type"] in ("submit", "button", "image", "reset", "file"):
            continue
        else:
            fields.append((name, texts.get(name, control["value"])))
    return fields


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    if not match:
        raise LookupError("no CSRF token in the page")
    return match.group(1)


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


@dataclass
class Session:
    email: str
    cookie: str
    token: str


def sign_in(port: int, email: str, password: str, *, then: str, address: str) -> Session:
    """Sign in as a person does (the form, then its POST), then open `then` to read the CSRF
    token of the signed-in session."""
    page = request(port, "GET", "/connexion", address=address)
    cookies = dict(page.cookies)
    form = dict(fill(main_form(page.body, having="password"), {"email": email, "password": password}))
    done = request(port, "POST", "/connexion", cookie=cookie_header(cookies), form=form, address=address)
    if done.status not in (302, 303):
        raise RuntimeError(f"sign-in of {email} answered {done.status}")
    cookies.update(done.cookies)
    following = request(port, "GET", then, cookie=cookie_header(cookies), address=address)
    cookies.update(following.cookies)
    return Session(email, cookie_header(cookies), csrf_token(following.body))


def sign_in_many(port: int, emails: list[str], password: str, *, then: str, workers: int = 6) -> list[Session]:
    def one(index_email):
        index, email = index_email
        return sign_in(port, email, password, then=then, address=f"10.201.{index // 250}.{index % 250 + 1}")
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, enumerate(emails)))


def anonymous_sign_in_form(port: int, address: str) -> Session:
    """A visitor's session on the sign-in page (cookie and token), for the measured sign-ins."""
    page = request(port, "GET", "/connexion", address=address)
    return Session("", cookie_header(page.cookies), csrf_token(page.body))
