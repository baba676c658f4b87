"""Two servers of one site (issue 22): what one instance does, the other sees.

Two gunicorn instances (production profile, one SECRET_KEY) on one PostgreSQL database and one
Redis, one task consumer, behind HAProxy (cluster.py, laid out as deploy/ lays out a site).
Each test asserts something a single-process deployment would never reveal: sessions, CSRF
tokens, flashed messages, rate-limit counters and cached pages live in the cookie, the
database or Redis, never in one process's memory; losing an instance in the middle of writes
loses none that was acknowledged and doubles none.
"""
from __future__ import annotations

import re
import secrets
import threading
import time
from collections import Counter

import pytest
import requests

from .cluster import Browser, Cluster, missing_requirement, wait_until

MISSING = missing_requirement()  # no PostgreSQL, haproxy or Redis here: skipped, saying which
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

SIGN_IN_LIMIT = 10  # per address and minute (accounts/views.py)
WARM_VISITS = 6
THREADS, POSTERS, POSTS_EACH, KILL_AFTER = 4, 20, 6, 30  # 6 posts each: under the 10 a minute per person


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    site = Cluster(tmp_path_factory.mktemp("scaleout"))
    try:
        site.start()
        yield site
    finally:
        site.stop()


@pytest.fixture(autouse=True)
def both_instances(cluster):
    """Every test starts with A and B serving (the kill test may have run before)."""
    cluster.ensure_running()


def resident(cluster, index: int) -> dict:
    return cluster.world["residents"][index]


def reset_links(message) -> set[str]:
    """The password-reset links of a mail, up to the token (every part, decoded)."""
    text = "".join(part.get_payload(decode=True).decode() for part in message.walk() if not part.is_multipart())
    return set(re.findall(r"https?://[^/\s\"<>]+/reinitialiser/", text))


def comment_form(token: str, marker: str) -> dict:
    return {"comment-csrf_token": token, "comment-stance": "for",
            "comment-body": f"Avis {marker} : un accueil à la gare serait utile."}


def test_signed_in_on_one_instance_is_signed_in_on_the_other_and_through_the_proxy(cluster):
    person, password = resident(cluster, 0), cluster.world["password"]
    browser = Browser("10.61.0.1")
    assert browser.sign_in(cluster.url("a"), person["email"], password).status_code == 302

    assert Browser("10.61.0.2").get(cluster.url("b"), "/compte").status_code == 302  # a stranger: sign in first
    for base in (cluster.url("b"), cluster.url("a")):
        page = browser.get(base, "/compte")
        assert page.status_code == 200 and person["name"] in page.text, base
    served_by = set()
    for _ in range(4):
        page = browser.get(cluster.url("proxy"), "/compte")
        assert page.status_code == 200 and person["name"] in page.text
        served_by.add(page.headers["X-Served-By"])
    assert served_by == {"a", "b"}  # the proxy sent the person to both


def test_a_csrf_token_from_one_instance_is_accepted_by_the_other(cluster):
    person, password = resident(cluster, 1), cluster.world["password"]
    browser = Browser("10.62.0.1")
    token = browser.token(cluster.url("a"), "/connexion")
    done = browser.sign_in(cluster.url("b"), person["email"], password, token=token)
    assert done.status_code == 302, done.text[:500]
    assert browser.get(cluster.url("b"), "/compte").status_code == 200

    # B does check it: a token of another session is refused.
    other, intruder = Browser("10.62.0.2"), Browser("10.62.0.3")
    foreign = other.token(cluster.url("a"), "/connexion")
    intruder.token(cluster.url("a"), "/connexion")
    refused = intruder.sign_in(cluster.url("b"), resident(cluster, 2)["email"], password, token=foreign)
    assert refused.status_code == 400


def test_rate_limits_count_hits_on_both_instances_together(cluster):
    browser = Browser("10.63.0.1")
    token = browser.token(cluster.url("a"), "/connexion")
    statuses = []
    for i in range(SIGN_IN_LIMIT + 2):
        # Each attempt names another account: only the per-address limit is in play.
        base = cluster.url("a" if i % 2 == 0 else "b")
        answer = browser.sign_in(base, f"nobody-{i}@scaleout.example", "pas le bon mot de passe", token=token)
        statuses.append(answer.status_code)
    assert statuses == [200] * SIGN_IN_LIMIT + [429, 429]
    # Another address is not held back by this one's count.
    other = Browser("10.63.0.2")
    assert other.sign_in(cluster.url("b"), "nobody@scaleout.example", "pas le bon mot de passe").status_code == 200


def test_a_message_flashed_after_a_post_on_one_instance_shows_on_the_next_page_of_the_other(cluster):
    person, password = resident(cluster, 3), cluster.world["password"]
    browser = Browser("10.64.0.1")
    done = browser.sign_in(cluster.url("a"), person["email"], password)
    assert done.status_code == 302
    welcome = f"Bienvenue, {person['name']}"
    assert welcome in browser.get(cluster.url("b"), done.headers["Location"]).text
    assert welcome not in browser.get(cluster.url("a"), done.headers["Location"]).text  # shown once


def test_the_consumer_sends_mail_queued_by_either_instance(cluster):
    before = len(cluster.sink.received)
    asked = []
    for index, name in ((4, "a"), (5, "b")):
        email = resident(cluster, index)["email"]
        browser = Browser(f"10.66.0.{index}")
        token = browser.token(cluster.url(name), "/mot-de-passe-oublie")
        answer = browser.post(cluster.url(name), "/mot-de-passe-oublie", {"csrf_token": token, "email": email})
        assert answer.status_code == 200 and email in answer.text
        asked.append(email)
    arrived = cluster.sink.reached(before + 2).wait(30)
    assert arrived, f"{len(cluster.sink.received) - before} of 2 messages sent\n{cluster.logs()}"
    messages = cluster.sink.messages[before:]
    assert sorted(m["To"] for m in messages) == sorted(asked)
    assert all(reset_links(m) for m in messages)


def test_links_in_mail_name_the_site_whatever_host_a_request_claims(cluster):
    """Links in mail start with SITE_URL, never the host a request claims, or a forged one
    could put someone else's site in a password-reset link; the proxy also refuses another
    name and drops a client's X-Forwarded-Host (deploy/haproxy.cfg)."""
    proxy, email = cluster.url("proxy"), resident(cluster, 7)["email"]
    browser = Browser("10.68.0.1")
    token = browser.token(proxy, "/mot-de-passe-oublie")
    claimed = {"Referer": "https://elsewhere.example/"}
    form = {"csrf_token": token, "email": email}
    refused = browser.post(proxy, "/mot-de-passe-oublie", form, {"Host": "elsewhere.example", **claimed})
    assert refused.status_code == 421
    # Had the header reached the application, the referrer would match it and the mail be sent.
    assert browser.post(proxy, "/mot-de-passe-oublie", form,
                        {"X-Forwarded-Host": "elsewhere.example", **claimed}).status_code == 400

    before = len(cluster.sink.received)
    assert browser.post(proxy, "/mot-de-passe-oublie", form).status_code == 200
    assert cluster.sink.reached(before + 1).wait(30), cluster.logs()
    assert reset_links(cluster.sink.messages[before]) == {f"https://127.0.0.1:{cluster.ports['proxy']}/reinitialiser/"}


def test_a_page_cached_for_visitors_by_one_instance_shows_a_comment_posted_on_the_other(cluster):
    import redis

    consultation = cluster.world["consultation"]
    page = f"/consultations/{consultation}/debat"
    visitor = Browser("10.67.0.1")
    for _ in range(WARM_VISITS):  # each of A's workers has most likely served it (were its cache its own)
        assert visitor.get(cluster.url("a"), page).status_code == 200
    cache = redis.Redis.from_url(cluster.env["CACHE_REDIS_URL"])
    assert cache.keys("plateforme:pages:page:*"), "the visitor's page was not cached"

    marker = f"cache-{secrets.token_hex(4)}"
    poster = Browser("10.67.0.2")
    assert poster.sign_in(cluster.url("b"), resident(cluster, 6)["email"], cluster.world["password"]).status_code == 302
    token = poster.token(cluster.url("b"), f"/consultations/{consultation}/commenter")
    posted = poster.post(cluster.url("b"), f"/consultations/{consultation}/commenter",
                         comment_form(token, marker))
    assert posted.status_code == 302
    for _ in range(WARM_VISITS):
        assert marker in visitor.get(cluster.url("a"), page).text


def test_killing_one_instance_under_writes_loses_no_acknowledged_write_and_doubles_none(cluster):
    consultation, password = cluster.world["consultation"], cluster.world["password"]
    path, proxy = f"/consultations/{consultation}/commenter", cluster.url("proxy")
    posters = []
    for i in range(POSTERS):  # signed in directly: through the proxy they would share one address's limit
        browser = Browser(f"10.65.0.{i + 1}")
        assert browser.sign_in(cluster.url("ab"[i % 2]), resident(cluster, 8 + i)["email"], password).status_code == 302
        posters.append((browser, browser.token(proxy, path)))

    run = secrets.token_hex(4)
    sent, outcomes, lock = [], [], threading.Lock()

    def write(share):
        for n in range(POSTS_EACH):
            for index, (browser, token) in share:
                marker = f"scaleout-{run}-{index}-{n}"
                with lock:
                    sent.append(marker)
                try:
                    answer = browser.post(proxy, path, comment_form(token, marker))
                    acknowledged = answer.status_code == 302 and "#commentaire-" in answer.headers["Location"]
                    served_by = answer.headers.get("X-Served-By")
                except requests.RequestException:
                    acknowledged, served_by = False, None
                with lock:
                    outcomes.append((marker, acknowledged, served_by, time.monotonic()))

    shares = [[(i, p) for i, p in enumerate(posters) if i % THREADS == t] for t in range(THREADS)]
    writers = [threading.Thread(target=write, args=(share,), daemon=True) for share in shares]
    for writer in writers:
        writer.start()
    wait_until(lambda: sum(ok for _, ok, _, _ in outcomes) >= KILL_AFTER, "writes acknowledged", timeout=60,
               interval=0.01)
    killed_at = time.monotonic()
    cluster.kill("b")
    for writer in writers:
        writer.join(90)
    assert not any(writer.is_alive() for writer in writers)
    wait_until(lambda: cluster.server_states().get("b") == "DOWN", "haproxy marking B down", timeout=10)

    bodies = [row[0] for row in cluster.query("SELECT body FROM comment WHERE body LIKE %s", f"%scaleout-{run}-%")]
    stored = Counter(m for body in bodies for m in re.findall(rf"scaleout-{run}-\d+-\d+", body))
    acknowledged = [m for m, ok, _, _ in outcomes if ok]
    failed = [m for m, ok, _, _ in outcomes if not ok]
    print(f"{len(sent)} writes, {len(acknowledged)} acknowledged, {len(failed)} failed, {len(stored)} stored;"
          f" killed after {sum(1 for *_, at in outcomes if at < killed_at)}")
    assert len(outcomes) == len(sent) == POSTERS * POSTS_EACH
    assert {m for m, count in stored.items() if count > 1} == set(), "written twice"
    assert set(acknowledged) - set(stored) == set(), "acknowledged but not written"
    assert set(stored) <= set(sent)
    # B served writes until it died, A went on with the rest; at most the requests B held at
    # that moment failed (one per writer): those it refused afterwards the proxy sent to A.
    assert {by for _, ok, by, at in outcomes if ok and at < killed_at} == {"a", "b"}
    assert any(ok and at > killed_at for _, ok, _, at in outcomes)
    assert len(failed) <= THREADS, f"{len(failed)} failed: {failed}"
    assert len(acknowledged) >= POSTERS * POSTS_EACH - THREADS
