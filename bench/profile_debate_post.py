"""Profile posting a comment (`POST /consultations/<id>/commenter`), or with --support
supporting a proposal, in-process, through the Flask test client: no gunicorn, no wrk,
only the app's Python.

    .venv/bin/python bench/profile_debate_post.py [--support] [--requests 500] [--database-url URL]
        [--sort cumulative|tottime] [--limit 45] [--show-sql] [--profile-floor] [--callees PATTERN]
        [--callers PATTERN]

A fresh SQLite file by default (`flask db upgrade` + `flask demo`, as bench/run.py does);
`--database-url` for PostgreSQL (a scratch database you created; it is upgraded and filled,
not dropped). The app runs with the benchmark's environment (production profile, rate
limits off). The debate is bench/debate_world.py's; one resident signs in once; the N
POSTs each must answer 302 (each support on a new proposal). Printed: the CPU time of this
process per request for a "floor" route (the same POST: person, form and CSRF token checked,
redirect; no debate work) and for the POST, each the quickest of 5 interleaved rounds (this
machine's CPU figures vary by about a third from run to run); the number of Python function
calls per request of each, which noise does not move; then a cProfile round (of the floor
with --profile-floor; --callees PATTERN adds what the matching functions call); with
--show-sql the statements of one POST. Every POST sends the sign-in's cookie, as wrk does.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import app_env, prepare_database, sqlite_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    parser.add_argument("--show-sql", action="store_true")
    parser.add_argument("--callees", default=None, help="also print what functions matching this call")
    parser.add_argument("--callers", default=None, help="also print what calls the functions matching this")
    parser.add_argument("--profile-floor", action="store_true",
                        help="profile the floor route (session, CSRF, form, redirect) instead of the debate POST")
    parser.add_argument("--support", action="store_true",
                        help="profile supporting proposals (each request a new proposal) instead of commenting")
    args = parser.parse_args()
    if args.database_url:
        prepare_database(args.database_url)
        database = contextlib.nullcontext(args.database_url)
    else:
        database = sqlite_database()
    with database as url:
        run(args, url)


def run(args, url: str) -> None:
    os.environ.update(app_env(url))
    from sqlalchemy import event

    from plateforme import create_app
    from plateforme.extensions import db
    from tests.factories import Factories

    from bench.debate_world import RESIDENT_PASSWORD, bench_users, build_debate

    from bench.floor_app import add_floor_route

    app = create_app({"SESSION_COOKIE_SECURE": False})
    add_floor_route(app)
    with app.app_context():
        make = Factories(db)
        consultation_id = build_debate(db, make, 200, n_proposals=20).id
        from plateforme.consultations.models import PhaseKind
        from plateforme.debate.models import Proposal
        from sqlalchemy import select

        proposing = build_debate(db, make, 0, n_proposals=2 * args.requests + 150, current=PhaseKind.PROPOSALS)
        supportable = list(db.session.execute(select(Proposal.id).where(
            Proposal.consultation_id == proposing.id).order_by(Proposal.id)).scalars())
        email = bench_users(db, make, 1, prefix="profil")[0].email
        db.session.remove()

    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/connexion").get_data(as_text=True))
    signed = client.post("/connexion", data={"csrf_token": token.group(1), "email": email,
                                             "password": RESIDENT_PASSWORD})
    assert signed.status_code == 302, signed.status_code
    path = f"/consultations/{consultation_id}/commenter"
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="comment-csrf_token"[^>]*value="([^"]+)"', page).group(1)
    # Like wrk, every POST sends the session cookie of the sign-in: the flashed messages
    # of earlier POSTs do not pile up in the session.
    cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    client = app.test_client(use_cookies=False)
    counter = iter(range(10**9))

    def post(n: int) -> None:
        for _ in range(n):
            i = next(counter)
            if args.support:
                response = client.post(f"/consultations/{proposing.id}/propositions/{supportable[i]}/soutenir",
                                       data={"csrf_token": token}, headers={"Cookie": cookie})
            else:
                response = client.post(path, data={"comment-csrf_token": token, "comment-stance": "for",
                                                   "comment-body": f"Avis de banc d'essai n° {i} : l'accueil."},
                                       headers={"Cookie": cookie})
            if response.status_code != 302:
                raise SystemExit(f"comment {i}: HTTP {response.status_code}\n"
                                 f"{response.get_data(as_text=True)[:2000]}")

    post(20)  # warm
    if args.show_sql:
        with app.app_context():
            engine = db.engine
        statements = []
        listener = lambda conn, cursor, statement, *a: statements.append(" ".join(statement.split())[:300])  # noqa
        event.listen(engine, "before_cursor_execute", listener)
        post(1)
        event.remove(engine, "before_cursor_execute", listener)
        print(f"{len(statements)} statements for one {'support' if args.support else 'comment'}:")
        for statement in statements:
            print("  ", statement)
    def floor(n: int) -> None:
        for _ in range(n):
            assert client.post("/bench-floor", data={"comment-csrf_token": token, "comment-stance": "for",
                                                      "comment-body": "Avis de banc d'essai : l'accueil."},
                               headers={"Cookie": cookie}).status_code == 302

    # Rounds of each, interleaved; the quickest round of each is kept (the others met noise).
    rounds, per_round = 5, max(1, args.requests // 5)
    best = {"floor": float("inf"), "post": float("inf")}
    for _ in range(rounds):
        for name, action in (("floor", floor), ("post", post)):
            started = time.process_time()
            action(per_round)
            best[name] = min(best[name], (time.process_time() - started) / per_round)
    what = "support" if args.support else "comment"
    print(f"floor (same POST: session, signed-in person loaded, CSRF and form validated, redirect; "
          f"no debate work): {1000 * best['floor']:.2f} ms of CPU per request")
    print(f"{what}: {1000 * best['post']:.2f} ms of CPU per request (this process: app + test client; "
          f"best of {rounds} rounds of {per_round}), {best['post'] / best['floor']:.2f}x the floor")
    # Python function calls per request: a count that machine noise does not move.
    calls = {}
    for name, action in (("floor", floor), ("post", post)):
        counter_profile = cProfile.Profile()
        counter_profile.enable()
        action(100)
        counter_profile.disable()
        calls[name] = pstats.Stats(counter_profile).total_calls / 100
    print(f"Python function calls per request: floor {calls['floor']:.0f}, {what} {calls['post']:.0f} "
          f"({calls['post'] / calls['floor']:.2f}x)")
    profiler = cProfile.Profile()
    profiler.enable()
    if args.profile_floor:
        floor(args.requests)
    else:
        post(args.requests)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats(args.sort)
    stats.print_stats(args.limit)
    if args.callees:
        stats.print_callees(args.callees)
    if args.callers:
        stats.print_callers(args.callers)


if __name__ == "__main__":
    main()
