"""Foundation HTTP benchmark of plateforme, against a bare-Flask baseline in the same run.

    .venv/bin/python bench/run.py [--backend sqlite|postgresql|all] [--duration 10]
                                  [--connections 16] [--rounds 1] [--json-out FILE]

For each backend: a fresh database (`flask db upgrade` + `flask demo`); the baseline
(bench/baseline_app.py: `POST /insert` = one INSERT + COMMIT, `GET /ping` = constant) under
gunicorn; then the app (`wsgi:app`) under the same gunicorn settings. Every figure is
given as requests/s, p50, p99, errors, and as a ratio to the baseline INSERT measured in
the same run (and to the baseline /ping for pages that do not touch the database).
See bench/README.md.
"""
from __future__ import annotations

import argparse
import json
from contextlib import ExitStack
import re
import subprocess
import tempfile
import os
import platform
import shutil
import sqlite3
import sys
import time
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import debate_scenarios  # noqa: E402
from bench.cpu import wait_for_idle  # noqa: E402
from bench.clients import HttpClient, csrf_token_in, form_post_requests  # noqa: E402
from bench.harness import (  # noqa: E402
    PG_ADMIN_URL, BENCH_DIR, REPO_ROOT, Scenario, Settings, app_env, measure, postgresql_database,
    postgresql_unreachable, postgresql_version, sqlite_database,
)
from bench.servers import GunicornServer  # noqa: E402
from bench.report import problems, summarise, table, time_per_request  # noqa: E402
from bench.wrk import PreparedRequest, wrk_version  # noqa: E402
from bench.debate_scenarios import comment_requests, floor_requests, support_requests  # noqa: E402
from bench.floor_app import FLOOR_PATH  # noqa: E402

TARGETS = {"baseline": ("bench.baseline_app:app", "/ping"), "app": ("wsgi:app", "/sante"),
           "floor": ("bench.floor_app:create_floor_app()", "/sante")}
# Unknown account: the app still checks the password against a dummy hash (same cost).
# (Not a demo account: their .test addresses fail the sign-in form's email validator.)
NO_SUCH_ACCOUNT = "personne.inconnue@example.org"
INSERT = "baseline POST /insert"
PING = "baseline GET /ping"

CODE_LINE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}$")
PANEL_SURVEY = {
    "title": "Banc d'essai — panel", "territory": "200046977", "sampling_mode": "panel",
    "opens_at": "2026-01-01", "closes_at": "2099-12-31",
    "statements": [{"key": f"s{i}", "text": f"Affirmation de banc d'essai {i}", "theme": "people"}
                   for i in range(1, 6)],
}


def panel_answer_requests(base_url: str, env: dict[str, str], codes: int = 30_000,
                          sessions: int = 8) -> list[PreparedRequest]:
    """One POST per one-time invitation code, each a complete anonymous answer.

    The survey and its codes are made with the CLI, as an operator would; a few browser
    sessions provide cookies and CSRF tokens. Every request commits one answer.
    """
    with tempfile.TemporaryDirectory() as tmp:
        definition = Path(tmp) / "panel.json"
        definition.write_text(json.dumps(PANEL_SURVEY), encoding="utf-8")
        survey_id = _last_int(flask_cli_stdout(env, "surveys", "import", str(definition)))
    plain = []
    while len(plain) < codes:
        batch = min(5000, codes - len(plain))
        out = flask_cli_stdout(env, "surveys", "generate-codes", str(survey_id), str(batch))
        plain += [line for line in out.splitlines() if CODE_LINE.match(line)]
    path = f"/questionnaires/{survey_id}/code"
    clients = []
    for client in (HttpClient(base_url) for _ in range(sessions)):
        status, _, page = client.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        # Step one (checking a code) consumes nothing: it shows the answer form.
        status, _, page = client.post_form(path, {"csrf_token": csrf_token_in(page), "code": plain[0]})
        text = page.decode()
        commune = re.search(r'<select[^>]*name="commune"[^>]*>.*?<option[^>]*value="(\d+)"', text, re.S)
        if status != 200 or not commune:
            raise RuntimeError(f"POST {path} (code) answered {status} without the answer form")
        clients.append((client, csrf_token_in(page), commune.group(1)))
    bands = ["18-29", "30-44", "45-59", "60-74", "75+"]
    requests = []
    for index, code in enumerate(plain):
        client, token, commune = clients[index % sessions]
        fields = {"csrf_token": token, "step": "answers", "code": code, "sex": "FM"[index % 2],
                  "age_band": bands[index % 5], "commune": commune,
                  **{f"answer_s{i}": "54321d"[(index + i) % 6] for i in range(1, 6)}}
        requests.append(PreparedRequest("POST", path, {"Cookie": client.cookie_header(),
                                                       "Content-Type": "application/x-www-form-urlencoded"},
                                        urlencode(fields)))
    return requests


def flask_cli_stdout(env: dict[str, str], *args: str) -> str:
    """Standard output alone of a `flask` command (its log lines go to standard error)."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"`flask {' '.join(args)}` failed: {done.stderr[-2000:]}")
    return done.stdout


def _last_int(text: str) -> int:
    return int(text.strip().splitlines()[-1])


SCENARIOS = [
    Scenario(INSERT, "/insert", target="baseline", method="POST",
             headers={"Content-Type": "application/x-www-form-urlencoded"}, body="text=bench",
             expect=(201,), description="bare Flask, one INSERT of a small row + COMMIT"),
    Scenario(PING, "/ping", target="baseline", uses_db=False,
             description="bare Flask, constant answer, no database"),
    Scenario("GET /", "/", description="home page: the home territory and its communes"),
    Scenario("GET /territoires/epci/200046977", "/territoires/epci/200046977",
             description="territory page: 58 communes and population margins"),
    Scenario("GET /connexion", "/connexion", description="sign-in form (session cookie + CSRF token)"),
    Scenario("GET /sante", "/sante", uses_db=False, description="health probe, no database"),
    Scenario("POST survey answer (panel code)", "/questionnaires/<id>/code", method="POST",
             prepare=panel_answer_requests, expect=(302,), unique=True,
             description="one anonymous answer per one-time code: participation + response, one commit"),
    # Not in the default run: each request checks a password (scrypt), and it needs the
    # rate limits off (the harness sets RATELIMIT_ENABLED=0). It exercises the
    # session-cookie + CSRF-token helper that later POST scenarios use.
    Scenario("POST /connexion (wrong password)", "/connexion", method="POST",
             prepare=lambda base, env: form_post_requests(
                 base, "/connexion", {"email": NO_SUCH_ACCOUNT, "password": "not-the-demo-password-2026"},
                 sessions=4),
             expect=(200,), expect_text="incorrect", default=False,
             description="sign-in form POST with cookie + CSRF token, wrong password"),
    # Debate (issue 6), opt-in: 16 residents signed in once (bench/debate_scenarios.py);
    # the rate limit on posting (10 a minute a person) is off in the benchmark.
    Scenario("POST comment", "/consultations/<id>/commenter", method="POST", prepare=comment_requests,
             expect=(302,), default=False,
             description="a signed-in resident's comment (CSRF, validation, sanitising, follow), one commit"),
    # What the stack alone costs for the comment POST (bench/floor_app.py): same requests,
    # a route that only checks the person, the form and its CSRF token, then redirects.
    Scenario("POST floor", FLOOR_PATH, target="floor", method="POST", prepare=floor_requests,
             expect=(302,), default=False,
             description="the comment POST's requests on a route with no debate work: session, person, CSRF, form, redirect"),
    Scenario("POST support", "/consultations/<id>/propositions/<id>/soutenir", method="POST",
             prepare=support_requests, expect=(302,), default=False, unique=True,
             description="a signed-in resident supports a proposal (CSRF, idempotent insert, counter), one commit"),
]


def select_scenarios(spec: str) -> list[Scenario]:
    if spec == "all":
        chosen = SCENARIOS
    elif spec == "default":
        chosen = [s for s in SCENARIOS if s.default]
    else:
        names = [name.strip() for name in spec.split(",") if name.strip()]
        unknown = [n for n in names if not any(s.name == n for s in SCENARIOS)]
        if unknown:
            raise SystemExit(f"unknown scenario(s): {unknown}; see --list")
        chosen = [s for s in SCENARIOS if s.name in names]
    # The baseline is always measured: every ratio needs it.
    baseline = [s for s in SCENARIOS if s.target == "baseline"]
    return baseline + [s for s in chosen if s.target != "baseline"]


def machine_info(with_postgresql: bool) -> dict:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total_kb = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal:")), 0)
    cpu = next((line.split(":", 1)[1].strip() for line in
                (Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else [])
                if line.startswith("model name")), platform.processor())
    versions = {}
    for package in ("flask", "sqlalchemy", "gunicorn", "psycopg", "werkzeug", "jinja2"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(total_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgresql_version() if with_postgresql else None,
        "wrk": wrk_version(),
        "packages": versions,
    }


def run_backend(backend: str, scenarios: list[Scenario], settings: Settings, server_options: dict,
                log_dir: Path, idle_budget: dict, rounds: int = 1, calm_steal: float = 0.05) -> dict:
    """Every scenario `rounds` times, in turn (the baseline first in each round), with all
    the servers started once: each ratio is taken against the INSERT of its own round, so
    that a machine slowing down between figures moves the ratios less."""
    started = time.monotonic()
    database = sqlite_database() if backend == "sqlite" else postgresql_database()
    results = []
    with database as url, ExitStack() as servers_running:
        print(f"[{backend}] database ready ({time.monotonic() - started:.1f} s): {url}", file=sys.stderr)
        env = app_env(url)
        servers = {}
        for target, (wsgi, ready_path) in TARGETS.items():
            if any(s.target == target for s in scenarios):
                servers[target] = servers_running.enter_context(GunicornServer(
                    wsgi, env, ready_path=ready_path, log_path=log_dir / f"{backend}-{target}.log",
                    **server_options))
        insert = next(s for s in scenarios if s.name == INSERT)
        for round_number in range(1, rounds + 1):
            # With several rounds, the INSERT is measured again after each scenario: each
            # figure is then compared with the INSERTs just before and just after it.
            sequence = scenarios if rounds == 1 else [x for s in scenarios for x in
                                                      ((s,) if s.target == "baseline" else (s, insert))]
            for scenario in sequence:
                label = f"{scenario.name}" + (f" (round {round_number}/{rounds})" if rounds > 1 else "")
                print(f"[{backend}] {label} ...", file=sys.stderr, flush=True)
                allowed = min(15.0, idle_budget["left"])
                waited, busy = wait_for_idle(allowed) if allowed > 0 else (0.0, None)
                idle_budget["left"] -= waited
                if waited >= 1:
                    print(f"[{backend}]   waited {waited:.0f} s for other programs to leave the CPUs "
                          f"(busy {busy:.0%} at the end)", file=sys.stderr, flush=True)
                result = measure(servers[scenario.target], scenario, settings)
                result.update(backend=backend, round=round_number,
                              idle_wait={"seconds": round(waited, 1), "busy_before": busy})
                results.append(result)
                wrk = result["wrk"]
                print(f"[{backend}]   {wrk['requests_per_s']:.1f} req/s, p50 {wrk['p50_ms']} ms, "
                      f"p99 {wrk['p99_ms']} ms, errors {wrk['errors']}", file=sys.stderr, flush=True)
    for round_number in range(1, rounds + 1):
        figures = [r for r in results if r["round"] == round_number]
        ping_rps = next(r for r in figures if r["scenario"] == PING)["wrk"]["requests_per_s"]
        for index, r in enumerate(figures):
            rps = r["wrk"]["requests_per_s"]
            r["ratio_to_insert"] = rps / insert_rps if (insert_rps := _bracketing_insert(figures, index)) else None
            r["steal_with_inserts"] = max(q["cpu_share"]["steal"] for q in _with_bracketing_inserts(figures, index))
            r["ratio_to_ping"] = rps / ping_rps if (ping_rps and not r["uses_db"]) else None
    # The table's INSERT row: its first figure of each round.
    kept = [r for i, r in enumerate(results) if r["scenario"] != INSERT
            or not any(q["scenario"] == INSERT and q["round"] == r["round"] for q in results[:i])]
    return {"results": results, "summary": summarise(kept, [s.name for s in scenarios], calm_steal),
            "seconds": round(time.monotonic() - started, 1)}


def _with_bracketing_inserts(figures: list[dict], index: int) -> list[dict]:
    """Figure `index` of a round and the INSERT figures just before and just after it
    (either one at the ends; an INSERT alone)."""
    if figures[index]["scenario"] == INSERT:
        return [figures[index]]
    before = [r for r in figures[:index] if r["scenario"] == INSERT][-1:]
    after = [r for r in figures[index + 1:] if r["scenario"] == INSERT][:1]
    return before + [figures[index]] + after


def _bracketing_insert(figures: list[dict], index: int) -> float | None:
    """The INSERT's req/s to compare figure `index` of a round with: the mean of the INSERT
    figures just before and just after it (its own for an INSERT)."""
    rates = [r["wrk"]["requests_per_s"] for r in _with_bracketing_inserts(figures, index)
             if r["scenario"] == INSERT]
    return sum(rates) / len(rates) if rates else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per figure (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--timeout", type=int, default=20,
                        help="wrk request timeout in seconds (default 20, above the SQLite busy timeout)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of unmeasured load first (default 1; 0: none)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every scenario this many times, in turn, the INSERT again after "
                             "each one (each figure is compared with the INSERTs around it); the table "
                             "gives each scenario's median, and the range of its ratios (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"],
                        help="gunicorn worker class (default sync, see README)")
    parser.add_argument("--worker-threads", type=int, default=4, help="with gthread: threads per worker (default 4)")
    parser.add_argument("--keep-alive", type=int, default=0,
                        help="with gthread: keep-alive seconds (default 0: one connection per request, see README)")
    parser.add_argument("--scenarios", default="default",
                        help="'default', 'all', or names separated by commas (see --list); the baseline always runs")
    parser.add_argument("--wait-idle", type=float, default=60,
                        help="before each figure, wait (at most 15 s, at most this many seconds in all) "
                             "for the CPUs to be <15%% busy, as the machine may be shared; 0: never wait "
                             "(default 60)")
    parser.add_argument("--calm-steal", type=float, default=5,
                        help="with several rounds: a round is calm for a figure when the hypervisor took at "
                             "most this %% of the CPUs during it and its two INSERTs (default 5)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--json-out", type=Path, help="write every figure, wrk output and log finding as JSON")
    parser.add_argument("--log-dir", type=Path, default=BENCH_DIR / "results" / "last-run",
                        help="gunicorn logs (default bench/results/last-run, git-ignored)")
    args = parser.parse_args(argv)

    if args.list:
        for s in SCENARIOS:
            flag = "default" if s.default or s.target == "baseline" else "opt-in "
            print(f"{flag}  {s.name:<40} {s.description}")
        return 0
    if not shutil.which("wrk") and not Path("/usr/bin/wrk").exists():
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    scenarios = select_scenarios(args.scenarios)
    backends = ["sqlite", "postgresql"] if args.backend == "all" else [args.backend]
    settings = Settings(duration=args.duration, connections=args.connections, threads=args.threads,
                        warmup=args.warmup, timeout=args.timeout)
    server_options = {"workers": args.workers, "worker_class": args.worker_class, "threads": args.worker_threads,
                      "keep_alive": args.keep_alive}

    if args.log_dir.exists():
        for old in args.log_dir.glob("*.log"):
            old.unlink()
    args.log_dir.mkdir(parents=True, exist_ok=True)

    pg_problem = postgresql_unreachable() if "postgresql" in backends else None
    report = {
        "started_at": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": machine_info("postgresql" in backends and pg_problem is None),
        "settings": {**settings.__dict__, **server_options, "wrk_threads": settings.threads, "rounds": args.rounds},
        "backends": {},
        "load_average_start": os.getloadavg(),
    }
    started = time.monotonic()
    idle_budget = {"left": args.wait_idle}
    debate_scenarios.support_figures = max(1, args.rounds)  # fresh proposals for every support figure
    for backend in backends:
        if backend == "postgresql" and pg_problem:
            message = f"PostgreSQL unreachable at {PG_ADMIN_URL} ({pg_problem})"
            print(f"[postgresql] skipped: {message}", file=sys.stderr)
            report["backends"][backend] = {"skipped": message}
            continue
        report["backends"][backend] = run_backend(backend, scenarios, settings, server_options, args.log_dir,
                                                  idle_budget, rounds=max(1, args.rounds),
                                                  calm_steal=args.calm_steal / 100)
    report["seconds"] = round(time.monotonic() - started, 1)
    report["load_average_end"] = os.getloadavg()

    machine = report["machine"]
    print()
    print(f"plateforme HTTP benchmark — {report['started_at']}, {report['seconds']} s")
    print(f"machine: {machine['nproc']} CPU ({machine['cpu']}), {machine['memory_gib']} GiB, "
          f"Python {machine['python']}, SQLite {machine['sqlite']}, PostgreSQL {machine['postgresql'] or '—'}, "
          f"{machine['wrk']}")
    print(f"gunicorn: {args.workers} workers, {args.worker_class}"
          + (f" × {args.worker_threads} threads, keep-alive {args.keep_alive} s"
             if args.worker_class == "gthread" else "")
          + f"; wrk: {settings.threads} threads, {settings.connections} connections, "
            f"{settings.duration:g} s (+{settings.warmup:g} s warm-up) per figure")
    print("ratios: requests/s of the figure ÷ requests/s of the baseline (same backend, same run"
          + (f"; with {args.rounds} rounds: each figure against the mean of the INSERTs measured just "
             "before and just after it; median of the rounds' ratios (lowest–highest), other columns "
             "from the round of the median" if args.rounds > 1 else "") + ")")
    print("CPU: shares of the whole machine during the figure: gunicorn, PostgreSQL backends of the bench "
          "database, wrk, other programs, and time the hypervisor gave to other guests (steal; both noise)")
    if args.rounds > 1:
        print(f"calm rounds: those where steal stayed ≤ {args.calm_steal:g} % during the figure and its two "
              "INSERTs; median of their ratios (how many of the rounds were calm)")
    figures = [r for outcome in report["backends"].values() for r in outcome.get("results", [])]
    for share, who in (("other", "other programs used"), ("steal", "the hypervisor took")):
        values = [r["cpu_share"][share] for r in figures]
        if values:
            print(f"{who} on average {sum(values) / len(values):.0%} of the CPUs during the figures "
                  f"(at most {max(values):.0%})" + ("  — figures are noisy" if max(values) > 0.1 else ""))
    print()
    print(table(report))
    breakdown = time_per_request(report, args.workers) if args.worker_class == "sync" else ""
    if breakdown:
        print()
        print("Time a worker spends per request (workers ÷ requests/s), and what each figure adds to the one "
              "it builds on:")
        print(breakdown)
    print()
    print("Problems seen:")
    print(problems(report))
    print(f"\nServer logs: {args.log_dir}")
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"JSON: {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
