"""Profile the panel answer submission (`POST /questionnaires/<id>/code`, step "answers")
in-process, through the Flask test client: no gunicorn, no wrk, only the app's Python.

    .venv/bin/python bench/profile_survey_answer.py [--requests 500] [--rounds 3]
        [--postgresql NAME] [--sort cumulative|tottime] [--limit 45] [--no-profile] [--show-sql]

Builds a fresh database (`flask db upgrade` + `flask demo`, as bench/run.py does): a
SQLite file, or with --postgresql NAME the PostgreSQL database NAME (dropped first if left
over, dropped at the end; the server is BENCH_PG_ADMIN_URL's), imports the benchmark's panel survey,
makes one invitation code per request, then times N complete answers (each must answer
302), first without the profiler (CPU time of this process per request, less sensitive
than wall time to other programs on a shared machine), then under cProfile.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import app_env, postgresql_database, sqlite_database  # noqa: E402
from bench.run import PANEL_SURVEY  # noqa: E402

BANDS = ["18-29", "30-44", "45-59", "60-74", "75+"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--postgresql", metavar="NAME", default=None,
                        help="a scratch PostgreSQL database to create, use and drop (default: a SQLite file)")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--callees", default=None,
                        help="also print what the functions matching this regex call (pstats print_callees)")
    parser.add_argument("--show-sql", action="store_true", help="print the SQL of one answer and exit")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of N answers; the best is shown")
    args = parser.parse_args()
    database = postgresql_database(args.postgresql) if args.postgresql else sqlite_database()
    with database as url:
        run(args, url)


def run(args, url: str) -> None:
    os.environ.update({k: v for k, v in app_env(url).items() if k not in os.environ or k in {
        "DATABASE_URL", "PLATEFORME_ENV", "SECRET_KEY", "RATELIMIT_ENABLED", "MAIL_BACKEND"}})
    from plateforme import create_app
    from plateforme.extensions import db
    from plateforme.surveys.definitions import create_from_definition
    from plateforme.surveys.services import generate_codes

    app = create_app({"SESSION_COOKIE_SECURE": False})
    # The floor: the same POST (cookie, CSRF token, form body) to a view that only redirects.
    app.add_url_rule("/bench-floor", "bench_floor", methods=["POST"],
                     view_func=lambda: app.redirect("/questionnaires/"))
    with app.app_context():
        survey = create_from_definition(dict(PANEL_SURVEY))
        from plateforme.surveys.services import open_survey
        from plateforme.surveys.models import SurveyStatus
        if survey.status != SurveyStatus.OPEN:
            open_survey(survey)
        db.session.commit()
        codes = []
        # One batch per timed round, one for the profiled run, ten for the warm-up.
        needed = (args.rounds + 1) * args.requests + 10
        while len(codes) < needed:
            codes += generate_codes(survey, min(5000, needed - len(codes)))
            db.session.commit()
        survey_id = survey.id
        db.session.remove()

    path = f"/questionnaires/{survey_id}/code"
    client = app.test_client()
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    step_one = client.post(path, data={"csrf_token": token, "code": codes[0]}).get_data(as_text=True)
    commune = re.search(r'<select[^>]*name="commune"[^>]*>.*?<option[^>]*value="(\d+)"', step_one, re.S).group(1)

    def body(index: int, code: str) -> dict:
        return {"csrf_token": token, "step": "answers", "code": code, "sex": "FM"[index % 2],
                "age_band": BANDS[index % 5], "commune": commune,
                **{f"answer_s{i}": "54321d"[(index + i) % 6] for i in range(1, 6)}}

    def post_all(batch: list[str]) -> None:
        for index, code in enumerate(batch):
            response = client.post(path, data=body(index, code))
            if response.status_code != 302:
                raise SystemExit(f"answer {index} got HTTP {response.status_code}: "
                                 f"{response.get_data(as_text=True)[:3000]}")

    warm, rest = codes[1:11], codes[11:]
    batches = [rest[i * args.requests:(i + 1) * args.requests] for i in range(args.rounds + 1)]
    post_all(warm)
    if args.show_sql:
        show_sql(app, lambda: post_all(batches[0][:1]))
        response = client.post(path, data=body(0, batches[0][1]))
        print("\nresponse headers:", dict(response.headers))
        return
    floor = []
    for _round in range(args.rounds):
        started = time.process_time()
        for index in range(args.requests):
            client.post("/bench-floor", data=body(index, warm[0]))
        floor.append(time.process_time() - started)
    print(f"floor (same POST, CSRF checked, a view that only redirects): "
          f"best {1000 * min(floor) / args.requests:.2f} ms per request")
    times = []
    for batch in batches[:-1]:
        started = time.process_time()
        post_all(batch)
        times.append(time.process_time() - started)
    print(f"{args.requests} answers per round: " + ", ".join(f"{1000 * t / args.requests:.2f}" for t in times)
          + f" ms per request; best {1000 * min(times) / args.requests:.2f} "
          f"(test client, one process, {url.split(':', 1)[0]})")
    if args.no_profile:
        return
    profile = cProfile.Profile()
    profile.enable()
    post_all(batches[-1])
    profile.disable()
    stats = pstats.Stats(profile)
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.limit)
    if args.callees:
        stats.print_callees(args.callees)


def show_sql(app, request) -> None:
    """Print every statement (and pool checkout) one request sends to the database."""
    from sqlalchemy import event

    from plateforme.extensions import db

    with app.app_context():
        engine = db.engine
    lines = []

    def on_execute(_conn, _cursor, statement, parameters, _context, _many):
        lines.append(" ".join(statement.split())[:160] + f"  {parameters!r}"[:80])

    def on_checkout(*_args):
        lines.append("-- pool checkout")

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine.pool, "checkout", on_checkout)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine.pool, "checkout", on_checkout)
    print(f"{sum(not line.startswith('--') for line in lines)} statements:")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
