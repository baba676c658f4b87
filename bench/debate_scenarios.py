"""POST scenarios of the debate (issue 6) for bench/run.py: a comment, a support.

Both need signed-in residents: `bench/debate_world.py` (run once per database, with the
app's environment) makes a consultation in its debate phase with 200 comments and 20
proposals, and RESIDENTS residents of Lyon; each signs in once through the real form
(rate limits are off in the benchmark: the harness sets RATELIMIT_ENABLED=0), reads the
CSRF token of the form it posts, and wrk cycles through the prepared requests.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from urllib.parse import urlencode

from bench.clients import signed_in_client
from bench.harness import REPO_ROOT
from bench.wrk import PreparedRequest

RESIDENTS = 16
COMMENT_REQUESTS = 4000  # distinct bodies, in case a duplicate check is added later
ANY_CSRF_INPUT = re.compile(r'name="([\w-]*csrf_token)"[^>]*\bvalue="([^"]+)"|'
                            r'value="([^"]+)"[^>]*\bname="([\w-]*csrf_token)"')
_worlds: dict[str, dict] = {}
_clients: dict[str, list] = {}
# How many support figures a run measures: bench/run.py sets it from --rounds, so that each
# figure gets fresh proposals (SUPPORT_BATCH each).
support_figures = 3


def debate_world(env: dict[str, str]) -> dict:
    """The benchmark consultation and residents of this database (made once per run)."""
    key = env.get("DATABASE_URL", "")
    if key not in _worlds:
        done = subprocess.run([sys.executable, "-m", "bench.debate_world", "--residents", str(RESIDENTS),
                               "--supportable", str(SUPPORT_BATCH * max(3, support_figures))],
                              cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"bench.debate_world failed: {done.stderr[-2000:]}")
        _worlds[key] = json.loads(done.stdout.strip().splitlines()[-1])
    return _worlds[key]


def residents(base_url: str, env: dict[str, str]) -> list:
    """One signed-in session per resident (signed in once, kept for both scenarios)."""
    world = debate_world(env)
    key = env.get("DATABASE_URL", "") + base_url
    if key not in _clients:
        _clients[key] = [signed_in_client(base_url, email, world["password"]) for email in world["residents"]]
    return _clients[key]


def form_token(client, path: str, field: str) -> str:
    """The CSRF token of the form whose hidden input is named `field` on `path`."""
    status, _, page = client.get(path)
    text = page.decode("utf-8", errors="replace")
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    for match in ANY_CSRF_INPUT.finditer(text):
        name, value = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        if name == field:
            return value
    raise RuntimeError(f"no {field} input on {path}")


def comment_requests(base_url: str, env: dict[str, str]) -> list[PreparedRequest]:
    """POST /consultations/<id>/commenter: one new comment per request (its own text)."""
    world = debate_world(env)
    path = f"/consultations/{world['consultation']}/commenter"
    sessions = [(client, form_token(client, path, "comment-csrf_token")) for client in residents(base_url, env)]
    stances = ("for", "against", "nuance", "question")
    requests = []
    for index in range(COMMENT_REQUESTS):
        client, token = sessions[index % len(sessions)]
        fields = {"comment-csrf_token": token, "comment-stance": stances[index % 4],
                  "comment-body": f"Avis de banc d'essai n° {index} : l'accueil des étudiants doit progresser."}
        requests.append(PreparedRequest("POST", path, {"Cookie": client.cookie_header(),
                                                       "Content-Type": "application/x-www-form-urlencoded"},
                                        urlencode(fields)))
    return requests


def floor_requests(base_url: str, env: dict[str, str]) -> list[PreparedRequest]:
    """The comment requests sent to bench/floor_app.py's route, which does no debate work."""
    from bench.floor_app import FLOOR_PATH

    return [PreparedRequest(r.method, FLOOR_PATH, r.headers, r.body) for r in comment_requests(base_url, env)]


SUPPORTED = "Votre soutien à cette proposition est enregistré."
SUPPORT_BATCH = 1200  # proposals per figure: 16 × 1,199 supports, more than wrk sends in 12 s
_supports_handed_out: dict[str, int] = {}


def support_requests(base_url: str, env: dict[str, str]) -> list[PreparedRequest]:
    """POST /consultations/<id>/propositions/<id>/soutenir: each request a new (resident,
    proposal) pair, 16 × 1,199 of them, so that every support measured is inserted (past
    them, wrk would start again with supports already given: a cheaper "already" answer;
    the harness reports it if that happens). Each call takes proposals no earlier call
    used, so that every round of a run measures new supports. The last proposal of the
    batch is supported first, by hand, to check that a support does count."""
    world = debate_world(env)
    consultation, supportable = world["support_consultation"], world["supportable"]
    key = env.get("DATABASE_URL", "")
    used = _supports_handed_out.get(key, 0)
    proposals = supportable[used:used + SUPPORT_BATCH]
    if len(proposals) < SUPPORT_BATCH:
        raise RuntimeError(f"no fresh proposals left to support ({len(supportable)} made, {used} used): "
                           "more support figures than debate_scenarios.support_figures")
    _supports_handed_out[key] = used + SUPPORT_BATCH
    sessions = []
    for client in residents(base_url, env):
        page = f"/consultations/{consultation}/propositions/{proposals[-1]}"
        sessions.append((client, form_token(client, page, "csrf_token")))
    client, token = sessions[0]
    status, headers, _ = client.post_form(f"/consultations/{consultation}/propositions/{proposals[-1]}/soutenir",
                                          {"csrf_token": token})
    shown = client.get(headers.get("Location", "/").replace(base_url, ""))[2].decode("utf-8", "replace")
    if status != 302 or SUPPORTED.replace("'", "&#39;") not in shown and SUPPORTED not in shown:
        raise RuntimeError(f"a support was not counted (HTTP {status}); is the proposals phase open?")
    requests = []
    for index in range(len(sessions) * (len(proposals) - 1)):
        client, token = sessions[index % len(sessions)]
        path = f"/consultations/{consultation}/propositions/{proposals[index // len(sessions)]}/soutenir"
        requests.append(PreparedRequest("POST", path, {"Cookie": client.cookie_header(),
                                                       "Content-Type": "application/x-www-form-urlencoded"},
                                        urlencode({"csrf_token": token})))
    return requests
