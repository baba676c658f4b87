"""Load benchmark: capacity at the latency people feel (issue 21).

    .venv/bin/python bench/load.py                       # this checkout and the baseline, SQLite and PostgreSQL
    .venv/bin/python bench/load.py --backend sqlite --connections 1,4 --duration 5 --no-baseline   # a quick look

For each checkout (this one, and the baseline commit from a second checkout) and each
database: a fresh database with the demo and the world of bench/load_world.py, gunicorn with
4 sync workers on 127.0.0.1 as production runs it (PLATEFORME_ENV=production, Secure session
cookies, CSRF, rate limits stored in Redis, behind one proxy: bench/behind_proxy.py), then wrk
drives the mix of bench/load_mix.lua with 1, 2, 4… connections in turn. Plain wrk is a closed
loop: each step holds a fixed number of connections and the rate is what the server achieved,
not a rate imposed. See bench/README.md for what each figure means.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from load_clients import anonymous_sign_in_form, fill, main_form, request, sign_in_many  # noqa: E402
from load_report import print_table, step_figures  # noqa: E402

REPO = BENCH.parent
BASELINE_COMMIT = "9107b43"
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/7")
# Per 100 requests: 70 page views, 15 reactions and comments, 10 survey answers, 5 sign-ins,
# spread out rather than in blocks.
MIX_COUNTS = {"home": 14, "consultation": 14, "debate": 14, "results": 14, "territory": 14,
              "reaction": 10, "comment": 5, "answer": 10, "signin": 5}
POSTERS = 300  # residents who comment and react: under the per-person limits (10 and 30 a minute)


def mix() -> list[str]:
    slots = []
    for kind, count in MIX_COUNTS.items():
        slots += [((i + 0.5) / count, kind) for i in range(count)]
    return [kind for _, kind in sorted(slots)]


def baseline_checkout(path: Path, commit: str) -> Path:
    if not (path / "wsgi.py").exists():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(path), commit], check=True)
    return path


class Target:
    """One checkout on one database: prepared, served by gunicorn, dropped."""

    def __init__(self, label: str, checkout: Path, backend: str, workdir: Path, accounts: int):
        self.label, self.checkout, self.backend, self.accounts = label, checkout, backend, accounts
        self.workdir = workdir / f"{label}-{backend}"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.dbname = f"bench_load_{label}".replace("-", "_")
        url = (f"sqlite:///{self.workdir / 'bench.sqlite'}" if backend == "sqlite"
               else f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.dbname}")
        self.env = dict(os.environ, PLATEFORME_ENV="production", SECRET_KEY=secrets.token_urlsafe(48),
                        DATABASE_URL=url, MAIL_BACKEND="log", PROXY_COUNT="1", SITE_URL="https://plateforme.bench", RATELIMIT_STORAGE_URI=REDIS,
                        CACHE_REDIS_URL=REDIS.rsplit("/", 1)[0] + "/8",
                        PYTHONPATH=f"{checkout}{os.pathsep}{BENCH}")
        self.server = None
        self.port = None

    def run(self, *args: str) -> str:
        done = subprocess.run([sys.executable, *args], cwd=self.checkout, env=self.env, capture_output=True,
                              text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        return done.stdout

    def prepare(self) -> dict:
        import psycopg
        import redis
        redis.Redis.from_url(REDIS).flushdb()  # limits counted by an earlier run would refuse requests
        redis.Redis.from_url(self.env["CACHE_REDIS_URL"]).flushdb()
        if self.backend == "postgresql":
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {self.dbname} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {self.dbname}")
        self.run("-m", "flask", "--app", "wsgi", "db", "upgrade")
        self.run("-m", "flask", "--app", "wsgi", "demo")
        return json.loads(self.run(str(BENCH / "load_world.py"), "--accounts", str(self.accounts)))

    def start(self, workers: int) -> None:
        import socket
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = open(self.workdir / "gunicorn.log", "ab")
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                   "--timeout", "60", "--chdir", str(self.checkout), "--error-logfile", "-", "behind_proxy:app"]
        if "--no-control-socket" in subprocess.run([sys.executable, "-m", "gunicorn", "--help"],
                                                    capture_output=True, text=True).stdout:
            command.insert(-1, "--no-control-socket")
        self.server = subprocess.Popen(command, cwd=self.checkout, env=self.env, stdout=self.log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(300):
            try:
                if request(self.port, "GET", "/sante", timeout=2).status == 200:
                    return
            except OSError:
                pass
            if self.server.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start; see {self.workdir / 'gunicorn.log'}")

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(15)
            except subprocess.TimeoutExpired:
                self.server.kill()
        self.server = None
        if self.backend == "postgresql":
            import psycopg
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {self.dbname} WITH (FORCE)")


def lua(value) -> str:
    """A Lua literal for a string, number, list or dict (bytes outside printable ASCII escaped)."""
    if isinstance(value, str):
        return '"' + "".join("\\" + chr(b) if chr(b) in '\\"' else chr(b) if 32 <= b < 127 else f"\\{b:03d}"
                             for b in value.encode("utf-8")) + '"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(lua(v) for v in value) + "}"
    return str(value)


class Mix:
    """The sessions and forms of the mix, prepared through the running server."""

    def __init__(self, target: Target, world: dict):
        self.t, self.world = target, world
        c, s = world["consultation"], world["open_survey"]
        kind, code = world["territory"]
        self.pages = {"home": "/", "consultation": f"/consultations/{c}", "debate": f"/consultations/{c}/debat",
                      "results": f"/questionnaires/{world['published_survey']}/resultats",
                      "territory": f"/territoires/{kind}/{code}"}
        self.comment_path, self.answer_path = f"/consultations/{c}/commenter", f"/questionnaires/{s}/repondre"
        self.endorse_path = f"/consultations/{c}/commentaires/%d/soutenir"
        self.unused = list(world["accounts"])
        posters, self.unused = self.unused[:POSTERS], self.unused[POSTERS:]
        self.posters = sign_in_many(target.port, posters, world["password"], then=self.comment_path)
        self.answerers: list = []
        self.signers = [anonymous_sign_in_form(target.port, f"10.202.0.{i + 1}") for i in range(50)]
        for i, signer in enumerate(self.signers):
            signer.email = world["sign_in_accounts"][i % len(world["sign_in_accounts"])]
        poster = self.posters[0]
        page = request(target.port, "GET", self.comment_path, cookie=poster.cookie)
        self.comment_body = self._body(main_form(page.body, having="body"),
                                       {"body": "Avis de charge __N__ : un accueil à la gare serait utile."})
        self.signin_body = self._body(main_form(request(target.port, "GET", "/connexion").body, having="password"),
                                      {"email": "__EMAIL__", "password": world["password"]})
        self.answer_body = None
        self.answer_start = 0

    @staticmethod
    def _body(form: dict, texts: dict) -> str:
        from urllib.parse import quote_plus
        fields = fill(form, texts)
        return "&".join(f"{quote_plus(k)}={v if v.startswith('__') else quote_plus(v)}"
                        if not k.endswith("csrf_token") else f"{k}=__CSRF__" for k, v in fields)

    def ensure_answerers(self, needed: int) -> None:
        missing = self.answer_start + needed - len(self.answerers)
        if missing > 0:
            batch, self.unused = self.unused[:missing], self.unused[missing:]
            if len(batch) < missing:
                raise RuntimeError("not enough seeded accounts for the survey answers: raise --accounts")
            self.answerers += sign_in_many(self.t.port, batch, self.world["password"], then=self.answer_path)
        if self.answer_body is None:
            page = request(self.t.port, "GET", self.answer_path, cookie=self.answerers[0].cookie)
            self.answer_body = self._body(main_form(page.body), {})

    def script(self, directory: Path, threads: int, out: Path) -> Path:
        prelude = {
            "MIX": mix(), "PAGES": self.pages, "NTHREADS": threads, "OUT": str(out),
            "POSTERS": [{"cookie": p.cookie, "token": p.token} for p in self.posters],
            "ANSWERERS": [{"cookie": a.cookie, "token": a.token} for a in self.answerers],
            "SIGNERS": [{"cookie": s.cookie, "token": s.token, "email": s.email} for s in self.signers],
            "ENDORSABLE": self.world["endorsable"], "COMMENT_PATH": self.comment_path,
            "ENDORSE_PATH": self.endorse_path, "ANSWER_PATH": self.answer_path,
            "COMMENT_BODY": self.comment_body, "ANSWER_BODY": self.answer_body, "SIGNIN_BODY": self.signin_body,
            "ANSWER_START": self.answer_start, "REFERER": f"https://127.0.0.1:{self.t.port}/",
        }
        path = directory / f"mix-{threads}.lua"
        path.write_text("".join(f"{k} = {lua(v)}\n" for k, v in prelude.items())
                        + (BENCH / "load_mix.lua").read_text(encoding="utf-8"), encoding="utf-8")
        return path


def run_step(target: Target, the_mix: Mix, connections: int, duration: int, expected_rate: float) -> dict:
    # Enough fresh survey respondents for this step (each answers once), with a margin.
    the_mix.ensure_answerers(int(expected_rate * duration * 0.1 * 2) + 20 * connections + 20)
    out = target.workdir / f"records-{connections}.txt"
    script = the_mix.script(target.workdir, connections, out)
    done = subprocess.run(["wrk", f"-t{connections}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                           "-s", str(script), f"http://127.0.0.1:{target.port}"],
                          capture_output=True, text=True, timeout=duration + 120)
    if done.returncode or not out.exists():
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    figures = step_figures(out.read_text(), connections, the_mix.answer_start)
    the_mix.answer_start = max(the_mix.answer_start, figures.pop("answers_used"))
    return figures


def measure(target: Target, args) -> dict:
    world = target.prepare()
    target.start(args.workers)
    try:
        the_mix = Mix(target, world)
        run_step(target, the_mix, 2, args.warmup, 50)  # warm-up: caches, connections; not reported
        steps, rate = [], 50.0
        for connections in args.connections:
            figures = run_step(target, the_mix, connections, args.duration, rate * 2)
            steps.append(figures)
            rate = max(rate, figures["rate"])
            print(f"  {target.label} {target.backend} c={connections}: {figures['rate']:.0f} req/s, "
                  f"p99 {figures['p99']:.0f} ms, errors {figures['error_kinds'] or 0}", flush=True)
            if args.verbose:
                for kind, k in figures["by_kind"].items():
                    print(f"      {kind:<12} n={k['n']:<5} p50 {k['p50']:.0f} ms  p99 {k['p99']:.0f} ms")
            if figures["p99"] > args.stop_above_ms:
                break
        return {"world": {k: world[k] for k in ("consultation", "comments", "open_survey", "published_survey")},
                "steps": steps}
    finally:
        target.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "all"), default="all")
    parser.add_argument("--connections", default="1,2,4,6,8,12,16,24,32",
                        type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--duration", type=int, default=15, help="seconds per step")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--accounts", type=int, default=8000, help="seeded residents (posters + respondents)")
    parser.add_argument("--stop-above-ms", type=float, default=2000, help="stop adding connections past this p99")
    parser.add_argument("--baseline", default=str(REPO / "build" / f"baseline-{BASELINE_COMMIT}"),
                        help=f"checkout of commit {BASELINE_COMMIT} (made with git worktree when missing)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--json-out")
    parser.add_argument("--verbose", action="store_true", help="latency of each kind of request, per step")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    checkouts = [("this", REPO)]
    if not args.no_baseline:
        checkouts.append((BASELINE_COMMIT, baseline_checkout(Path(args.baseline), BASELINE_COMMIT)))
    backends = ("sqlite", "postgresql") if args.backend == "all" else (args.backend,)
    results = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="plateforme-load-") as workdir:
        for backend in backends:
            for label, checkout in checkouts:
                print(f"{label} ({checkout}) on {backend}…", flush=True)
                results[(label, backend)] = measure(Target(label, checkout, backend, Path(workdir), args.accounts),
                                                    args)
    print_table(results, [label for label, _ in checkouts], backends)
    print(f"\n(run took {time.monotonic() - started:.0f} s; uptime: {os.getloadavg()[0]:.2f} load)")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({f"{k[0]} {k[1]}": v for k, v in results.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
