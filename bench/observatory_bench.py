"""Observatory benchmarks: fixed query counts, and a streamed export of 1,000,000 values.

    .venv/bin/python bench/observatory_bench.py [--values 1000000] [--findings 300]
        [--database-url sqlite:////tmp/x.sqlite | postgresql://postgres@127.0.0.1:5432/bench]

(a) Listing pages and API endpoints: SQL statements per request at page sizes 10 and
    100 (they must be equal: no N+1).
(b) The open-data export of indicator values (CSV, through the real Flask view, streamed)
    against a baseline in the same run: a raw DB-API cursor dumping the same SELECT to CSV
    with the csv module. Each runs in its own child process, which reports its rate
    (rows/s) and how much its resident memory grew during the dump (sampled after every
    batch from /proc/self/statm). The
    export is also run on one indicator only (a few thousand rows): with constant memory,
    the growth is the same for 1,000,000 rows. Goal: at least half the raw rate.

SQLite (a temporary file) by default; `--database-url` for PostgreSQL (the database is
emptied first).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PLATEFORME_ENV", "development")


def _normalise(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _app(url: str):
    from plateforme import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": _normalise(url), "MAIL_BACKEND": "memory", "TESTING": True,
                       "SERVER_NAME": "bench.localhost", "RATELIMIT_ENABLED": False})


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / 2**20


def _rss_mib() -> float:
    """Current resident memory (Linux), sampled while the rows flow."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_MIB


# --- preparing the data -------------------------------------------------------------

def prepare(url: str, n_values: int, n_findings: int) -> None:
    from sqlalchemy import insert, select

    from plateforme.accounts.models import Membership, Organisation, OrganisationKind, User
    from plateforme.core.models import utcnow
    from plateforme.core.vocabulary import FlowKind
    from plateforme.extensions import db
    from plateforme.observatory.models import (
        Character, Direction, ExternalAction, ExternalActionKind, ExternalActionStatus, Finding, FindingReview,
        FindingStatus, FindingVersion, Indicator, IndicatorValue, ReviewDecision,
    )
    from plateforme.observatory.services import OBSERVED_KINDS
    from plateforme.territories.models import Territory
    from plateforme.territories.services import load_territory

    app = _app(url)
    started = time.perf_counter()
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_territory("200046977")
        organisations = [Organisation(name=f"Organisation {i}", kind=list(OrganisationKind)[i % 7],
                                      fields="economic social") for i in range(12)]
        db.session.add_all(organisations)
        author = User(email="bench@example.org", display_name="Banc", password_hash="x", email_confirmed_at=utcnow())
        db.session.add(author)
        db.session.add(Membership(user=author, organisation=organisations[0]))
        db.session.flush()
        territories = db.session.execute(
            select(Territory).where(Territory.kind.in_(OBSERVED_KINDS)).order_by(Territory.id)).scalars().all()
        now = utcnow()
        for i in range(n_findings):
            finding = Finding(
                title=f"Constat {i}", flow_kind=list(FlowKind)[i % 9], direction=list(Direction)[i % 3],
                character=list(Character)[i % 3], fields=" economic social ", territory=territories[i % len(territories)],
                period_label="2019–2024", period_start=2019, period_end=2024, sources="https://example.org",
                organisation=organisations[i % 12], author=author, body="Texte.", body_html="<p>Texte.</p>",
                status=FindingStatus.PUBLISHED, search_text=f"constat {i} texte", published_at=now)
            db.session.add(finding)
            db.session.add(FindingVersion(finding=finding, number=1, title=finding.title, flow_kind=finding.flow_kind,
                                          direction=finding.direction, character=finding.character, fields="",
                                          territory_id=finding.territory.id, period_label="2019–2024",
                                          licence="Licence Ouverte 2.0"))
            db.session.add(FindingReview(finding=finding, version_number=1, reviewer=author,
                                         organisation=organisations[(i + 1) % 12], decision=ReviewDecision.APPROVE))
        for i in range(40):
            db.session.add(ExternalAction(title=f"Action {i}", kind=list(ExternalActionKind)[i % 7],
                                          partner_country="Italie", status=ExternalActionStatus.ONGOING,
                                          territory=territories[0], organisation=organisations[i % 12]))
        # Enough indicators for n_values distinct (indicator, territory, year) rows.
        years = list(range(1950, 2025))
        per_indicator = len(territories) * len(years)
        n_indicators = -(-n_values // per_indicator)
        indicators = [Indicator(name=f"Indicateur {i}", unit="personnes", flow_kind=list(FlowKind)[i % 9],
                                organisation=organisations[i % 12], additive=True,
                                definition="Banc d'essai.") for i in range(n_indicators)]
        db.session.add_all(indicators)
        db.session.flush()
        batch, written = [], 0
        for indicator in indicators:
            for territory in territories:
                for year in years:
                    if written == n_values:
                        break
                    # One note in 50 starts with a formula character, so neutralising is exercised.
                    note = "=1+1" if written % 50 == 0 else "estimation"
                    batch.append({"indicator_id": indicator.id, "territory_id": territory.id, "period": year,
                                  "value": (written % 9973) * 1.5, "note": note, "source": "INSEE",
                                  "created_at": now})
                    written += 1
                    if len(batch) == 50_000:
                        db.session.execute(insert(IndicatorValue), batch)
                        batch = []
        if batch:
            db.session.execute(insert(IndicatorValue), batch)
        db.session.commit()
        backend = db.engine.url.get_backend_name()
    print(f"database: {backend}; {n_findings} findings, {n_indicators} indicators, {written:,} values, 40 external "
          f"actions loaded in {time.perf_counter() - started:.1f} s")


# --- (a) query counts ---------------------------------------------------------------

def query_counts(url: str) -> bool:
    from sqlalchemy import event, select

    from plateforme.extensions import db
    from plateforme.observatory.models import Indicator

    app = _app(url)
    with app.app_context():
        indicator_id = db.session.execute(select(Indicator.id).order_by(Indicator.id)).scalars().first()
        engine = db.engine
    client = app.test_client()
    urls = ["/observatoire/constats?per_page={n}", "/observatoire/constats?per_page={n}&q=constat&flow_kind=people",
            "/observatoire/indicateurs?per_page={n}", "/api/v1/findings?per_page={n}",
            "/api/v1/indicators?per_page={n}", f"/api/v1/indicators/{indicator_id}/values?per_page={{n}}",
            "/api/v1/external-actions?per_page={n}"]
    print("\n(a) SQL statements per request, page size 10 vs 100")
    print(f"  {'request':<62} {'10':>4} {'100':>4}  rows (100)")
    all_equal = True
    for template in urls:
        counts, rows = [], 0
        for n in (10, 100):
            statements = []
            listener = lambda *args: statements.append(1)  # noqa: E731
            event.listen(engine, "before_cursor_execute", listener)
            try:
                response = client.get(template.format(n=n))
            finally:
                event.remove(engine, "before_cursor_execute", listener)
            assert response.status_code == 200, (template, response.status_code)
            counts.append(len(statements))
            if response.is_json:
                rows = len(response.get_json()["data"])
            else:
                rows = response.get_data(as_text=True).count('class="card finding-card"') or \
                    response.get_data(as_text=True).count("<tr>") - 1
        equal = counts[0] == counts[1]
        all_equal &= equal
        print(f"  {template.format(n='N'):<62} {counts[0]:>4} {counts[1]:>4}  {rows:>5}  "
              f"{'equal' if equal else 'DIFFERENT'}")
    return all_equal


# --- (b) streamed export against a raw cursor dump ------------------------------------

def child_export(url: str, indicator: int | None) -> dict:
    """Stream /observatoire/donnees/valeurs.csv through the Flask view to /dev/null."""
    app = _app(url)
    client = app.test_client()
    client.get("/observatoire/donnees/valeurs.csv?indicateur=999999999")  # warm up: imports, engine, templates
    before = peak = _rss_mib()
    target = "/observatoire/donnees/valeurs.csv" + (f"?indicateur={indicator}" if indicator else "")
    started = time.perf_counter()
    response = client.get(target, buffered=False)
    lines = size = 0
    checkpoints, along = [100_000, 250_000, 500_000, 750_000], []
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for chunk in response.response:
            text = chunk.decode("utf-8") if isinstance(chunk, bytes) else chunk
            lines += text.count("\n")
            size += len(text)
            sink.write(text)
            peak = max(peak, _rss_mib())
            if checkpoints and lines >= checkpoints[0]:
                along.append((checkpoints.pop(0), round(peak - before, 1)))
    response.close()
    elapsed = time.perf_counter() - started
    along.append((lines - 1, round(peak - before, 1)))
    return {"rows": lines - 1, "seconds": elapsed, "bytes": size, "rss_before": before, "rss_after": peak,
            "along": along}


def child_traced(url: str) -> dict:
    """The same export under tracemalloc: Python's heap, current and peak, as rows flow
    (slower, so it gives memory only, not a rate)."""
    import tracemalloc

    app = _app(url)
    client = app.test_client()
    client.get("/observatoire/donnees/valeurs.csv?indicateur=999999999")
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    response = client.get("/observatoire/donnees/valeurs.csv", buffered=False)
    lines, checkpoints, along = 0, [10_000, 100_000, 500_000], []
    for chunk in response.response:
        lines += chunk.count(b"\n" if isinstance(chunk, bytes) else "\n")
        if checkpoints and lines >= checkpoints[0]:
            along.append((checkpoints.pop(0), round((tracemalloc.get_traced_memory()[1] - base) / 2**20, 2)))
    response.close()
    along.append((lines - 1, round((tracemalloc.get_traced_memory()[1] - base) / 2**20, 2)))
    return {"rows": lines - 1, "along": along}


def child_baseline(url: str) -> dict:
    """The same SELECT through a raw DB-API cursor, rows written as they come by csv.writer."""
    from plateforme.extensions import db
    from plateforme.observatory.resources import VALUES, values_statement

    app = _app(url)
    with app.app_context():
        sql = str(values_statement().compile(dialect=db.engine.dialect))
        raw = db.engine.raw_connection()
    before = peak = _rss_mib()
    started = time.perf_counter()
    cursor = raw.cursor()
    cursor.execute(sql)
    count = 0
    with open(os.devnull, "w", encoding="utf-8", newline="") as sink:
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(VALUES.names)
        while True:
            rows = cursor.fetchmany(2000)
            if not rows:
                break
            writer.writerows(rows)
            count += len(rows)
            peak = max(peak, _rss_mib())
    elapsed = time.perf_counter() - started
    raw.close()
    return {"rows": count, "seconds": elapsed, "rss_before": before, "rss_after": peak}


def _child(url: str, what: str, indicator: int | None = None) -> dict:
    args = [sys.executable, __file__, "--database-url", url, "--child", what]
    if indicator:
        args += ["--indicator", str(indicator)]
    output = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def export_bench(url: str, repeat: int) -> bool:
    from sqlalchemy import select

    from plateforme.extensions import db
    from plateforme.observatory.models import Indicator

    app = _app(url)
    with app.app_context():
        first = db.session.execute(select(Indicator.id).order_by(Indicator.id)).scalars().first()
    print(f"\n(b) CSV export of the indicator values, streamed, best of {repeat} (each run in its own process)")
    exports = [_child(url, "export") for _ in range(repeat)]
    baselines = [_child(url, "baseline") for _ in range(repeat)]
    small = _child(url, "export", first)
    export = min(exports, key=lambda r: r["seconds"])
    baseline = min(baselines, key=lambda r: r["seconds"])
    assert export["rows"] == baseline["rows"], (export["rows"], baseline["rows"])
    export_rate = export["rows"] / export["seconds"]
    baseline_rate = baseline["rows"] / baseline["seconds"]
    ratio = export_rate / baseline_rate
    grow = lambda r: r["rss_after"] - r["rss_before"]  # noqa: E731
    print(f"  raw cursor → csv (baseline):       {baseline['rows']:>9,} rows in {baseline['seconds']:6.2f} s = "
          f"{baseline_rate:>9,.0f} rows/s; peak memory +{grow(baseline):.1f} MiB")
    print(f"  /observatoire/donnees/valeurs.csv: {export['rows']:>9,} rows in {export['seconds']:6.2f} s = "
          f"{export_rate:>9,.0f} rows/s; peak memory +{max(map(grow, exports)):.1f} MiB; "
          f"{export['bytes'] / 1e6:.0f} MB sent")
    print(f"  same view, one indicator:          {small['rows']:>9,} rows in {small['seconds']:6.2f} s; "
          f"peak memory +{grow(small):.1f} MiB")
    along = ", ".join(f"{rows:,} rows +{growth} MiB" for rows, growth in export["along"])
    print(f"  export's resident memory growth as rows flow: {along}")
    traced = _child(url, "traced")
    heap = ", ".join(f"{rows:,} rows {peak} MiB" for rows, peak in traced["along"])
    print(f"  export's Python heap peak (tracemalloc) as rows flow: {heap}")
    print(f"  ratio export / raw rate: {ratio:.2f} (goal ≥ 0.5: {'met' if ratio >= 0.5 else 'NOT met'}); "
          f"memory growth at {export['rows']:,} rows vs {small['rows']:,} rows: "
          f"+{max(map(grow, exports)):.1f} vs +{grow(small):.1f} MiB")
    return ratio >= 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--findings", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-prepare", action="store_true", help="reuse the data of a previous run")
    parser.add_argument("--child", choices=["export", "baseline", "traced"], help=argparse.SUPPRESS)
    parser.add_argument("--indicator", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/observatory-bench.sqlite"
    if args.child:
        result = {"export": lambda: child_export(url, args.indicator), "baseline": lambda: child_baseline(url),
                  "traced": lambda: child_traced(url)}[args.child]()
        print(json.dumps(result))
        return
    if not args.skip_prepare:
        prepare(url, args.values, args.findings)
    counts_ok = query_counts(url)
    rate_ok = export_bench(url, args.repeat)
    print(f"\nsummary: query counts {'fixed' if counts_ok else 'NOT fixed'}; export rate "
          f"{'at least' if rate_ok else 'BELOW'} half the raw rate")


if __name__ == "__main__":
    main()
