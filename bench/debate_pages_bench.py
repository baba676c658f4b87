"""Debate pages at 100, 1,000 and 10,000 comments: SQL statements and time per render.

    .venv/bin/python bench/debate_pages_bench.py [--sizes 100,1000,10000] [--repeat 7]
        [--database-url sqlite:////tmp/x.sqlite | postgresql://postgres@127.0.0.1:5432/bench6_h]

The demo's debate consultation (`plateforme.demo`), grown to each size in turn by bulk
inserts (bench/load_world.py: a third of the comments open a thread, the others reply at
depth 1 and 2; four stances); no test factory. Each page is rendered through
the Flask test client for a signed-in resident (the forms and their refusals included),
once to warm the templates, then `--repeat` times: the statements of one render are
counted on the engine, the time is the median render. Pages: the consultation page
(debate and proposals sections; also with the proposals sorted by support,
`tri_propositions=soutenus`, when the code knows that argument), /debat and each of its
sort orders (`tri`) when the code knows that argument, and, when such routes exist, a
proposal list and the moderation log of the consultation (found in the URL map).

Goal (issue 6): the same number of statements at every size (the ratio 10,000/100 of the
statements is 1.00). SQLite (a temporary file) by default; `--database-url` for
PostgreSQL (the database is emptied first).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PLATEFORME_ENV", "development")

SORT_ORDERS = ("recent", "soutenus", "equilibre")
# A route of the consultation (its only argument) is benchmarked when its path has one of these.
EXTRA_PAGE_WORDS = ("propositions", "moderation", "journal")


def _normalise(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _app(url: str):
    from plateforme import create_app

    # The testing profile: no page cache (this measures renders), no rate limits.
    return create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": _normalise(url), "MAIL_BACKEND": "memory",
                       "TESTING": True, "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False})


def sort_orders_known(argument: str = "tri") -> bool:
    """Whether the debate code reads the argument `tri` (or `tri_propositions`) yet."""
    sources = " ".join(path.read_text(encoding="utf-8") for path in (ROOT / "plateforme" / "debate").glob("*.py"))
    return bool(re.search(rf"""["']{argument}["']""", sources))


def pages_of(app, consultation_id: int) -> list[tuple[str, str]]:
    """(label, path) of every benchmarked page of the consultation."""
    pages = [("consultation page", f"/consultations/{consultation_id}"),
             ("/debat", f"/consultations/{consultation_id}/debat")]
    if sort_orders_known():
        pages += [(f"/debat?tri={order}", f"/consultations/{consultation_id}/debat?tri={order}")
                  for order in SORT_ORDERS]
    if sort_orders_known("tri_propositions"):
        # The proposal list is the consultation page's proposals section; sorted by support here.
        pages.append(("consultation page, proposals by support",
                      f"/consultations/{consultation_id}?tri_propositions=soutenus"))
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if ("GET" in rule.methods and set(rule.arguments) == {"consultation_id"}
                and rule.rule.startswith("/consultations/")
                and any(word in rule.rule for word in EXTRA_PAGE_WORDS)):
            path = rule.rule.replace("<int:consultation_id>", str(consultation_id))
            pages.append((rule.rule.split(">", 1)[1] or rule.rule, path))
    return pages


def prepare(app, no_analyze: bool = False) -> tuple[int, str]:
    """The demo; returns (the debate consultation's id, a demo resident's email)."""
    from sqlalchemy import select

    from plateforme.consultations.models import Consultation
    from plateforme.demo import load_demo
    from plateforme.extensions import db

    from bench.load_world import DEBATE_TITLE

    with app.app_context():
        db.drop_all()
        db.create_all()
        load_demo(app.config["DEMO_PASSWORD"])
        db.session.commit()
        consultation = db.session.execute(select(Consultation).where(Consultation.title.like(DEBATE_TITLE))).scalar_one()
        return consultation.id, "habitant@demo.plateforme.example"


def grow(app, consultation_id: int, size: int, no_analyze: bool) -> None:
    from sqlalchemy import text
    from werkzeug.security import generate_password_hash

    from plateforme.consultations.models import Consultation
    from plateforme.core.models import utcnow
    from plateforme.extensions import db
    from plateforme.territories.models import Territory

    from bench.load_world import bench_authors, grow_debate

    with app.app_context():
        started = time.perf_counter()
        consultation = db.session.get(Consultation, consultation_id)
        lyon = db.session.execute(db.select(Territory).filter_by(code="69123")).scalars().first()
        authors = bench_authors(generate_password_hash("x", method="scrypt:1024:8:1"), lyon.id, utcnow(),
                                prefix=f"auteur-{size}")
        grow_debate(consultation, size, authors, utcnow())
        db.session.commit()
        print(f"  {size:>6} comments in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        if not no_analyze:
            # Planner statistics, as autovacuum would have them on a live database: right after
            # the bulk load, PostgreSQL plans the balanced order (tri=equilibre) blind and takes
            # ~2 s at 10,000 comments.
            db.session.execute(text("ANALYZE"))
            db.session.commit()


def signed_in_client(app, email: str):
    client = app.test_client()
    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/connexion", data={"csrf_token": token, "email": email,
                                               "password": app.config["DEMO_PASSWORD"]})
    if response.status_code != 302:
        raise SystemExit(f"sign-in failed: HTTP {response.status_code}")
    return client


def measure(app, client, path: str, repeat: int) -> tuple[int, float, int]:
    """(statements per render, median milliseconds, status) of GET `path`."""
    from sqlalchemy import event

    from plateforme.extensions import db

    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    client.get(path)  # templates compiled, caches warm
    times = []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(repeat):
            statements.clear()
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements), statistics.median(times), response.status_code


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=7, help="renders per page and size (median time)")
    parser.add_argument("--no-analyze", action="store_true",
                        help="skip ANALYZE after the bulk load (planner without statistics)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/debate-bench.sqlite"
    app = _app(url)
    backend = "postgresql" if url.startswith("postgres") else "sqlite"
    print(f"[{backend}] preparing {', '.join(map(str, sizes))} comments…", file=sys.stderr)
    consultation_id, reader = prepare(app, args.no_analyze)
    client = signed_in_client(app, reader)

    results: dict[str, dict[int, tuple[int, float, int]]] = {}
    for size in sorted(sizes):
        grow(app, consultation_id, size, args.no_analyze)
        for label, path in pages_of(app, consultation_id):
            results.setdefault(label, {})[size] = measure(app, client, path, args.repeat)

    small, large = sizes[0], sizes[-1]
    print(f"\ndebate pages — {time.strftime('%Y-%m-%d %H:%M %Z')}, {backend}, signed-in resident, "
          f"median of {args.repeat} renders (Flask test client, no HTTP server)")
    if not sort_orders_known():
        print("(the debate has no `tri` argument yet: sort orders not measured)")
    header = (["page"] + [f"queries@{s}" for s in sizes] + [f"ms@{s}" for s in sizes]
              + [f"queries {large}/{small}", f"time {large}/{small}"])
    rows = []
    fixed = True
    for label, by_size in results.items():
        statuses = {status for _, _, status in by_size.values()}
        queries = [by_size[s][0] for s in sizes]
        times = [by_size[s][1] for s in sizes]
        fixed &= len(set(queries)) == 1
        rows.append([label + ("" if statuses == {200} else f" [HTTP {sorted(statuses)}]")]
                    + [str(q) for q in queries] + [f"{t:.1f}" for t in times]
                    + [f"{queries[-1] / queries[0]:.2f}", f"{times[-1] / times[0]:.2f}"])
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 1) + (":" if i else "-") for i, w in enumerate(widths)) + "|")
    for row in rows:
        print("| " + " | ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))) + " |")
    print(f"\nsummary: statements per page {'the same at every size' if fixed else 'NOT fixed'}")
    return 0 if fixed else 1


if __name__ == "__main__":
    sys.exit(main())
