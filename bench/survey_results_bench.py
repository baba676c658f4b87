"""Time the results of a survey with many resident answers, against a raw fetch baseline.

    .venv/bin/python bench/survey_results_bench.py [--respondents 100000] [--statements 20]
        [--database-url sqlite:////tmp/x.sqlite | postgresql://postgres@127.0.0.1:5432/bench]

Builds a survey on the Métropole de Lyon (58 communes, illustrative margins), inserts the
answers in bulk, then times `compute_results` (load, rake, 20 weighted shares with
intervals, officials' gaps, commune breakdowns with suppression) and, as the baseline in
the same run, a plain cursor fetch of the same rows. Goal: under 2 seconds.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AGE_BANDS = ["18-29", "30-44", "45-59", "60-74", "75+"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--statements", type=int, default=20)
    parser.add_argument("--officials", type=int, default=40)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    os.environ.setdefault("PLATEFORME_ENV", "development")
    from sqlalchemy import insert, select, text

    from plateforme import create_app
    from plateforme.demo import _illustrative_margins
    from plateforme.extensions import db
    from plateforme.surveys.definitions import create_from_definition
    from plateforme.surveys.models import OfficialResponse, ResidentResponse, SurveyStatus
    from plateforme.surveys.results import compute_results
    from plateforme.territories.services import children_of, load_territory

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAIL_BACKEND": "memory"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        epci = load_territory("200046977").root
        communes = children_of(epci)
        _illustrative_margins(communes)
        survey = create_from_definition({
            "title": "Banc d'essai", "territory": "200046977", "sampling_mode": "open",
            "opens_at": "2026-01-01", "closes_at": "2026-12-31",
            "statements": [{"key": f"s{i + 1}", "text": f"Affirmation numéro {i + 1}", "theme": "people"}
                           for i in range(args.statements)],
        })
        survey.move_to(SurveyStatus.OPEN)
        db.session.commit()
        rng = random.Random(2026)
        weights = [c.population for c in communes]
        ids = [c.id for c in communes]
        started = time.perf_counter()
        batch = []
        for n in range(args.respondents):
            batch.append({
                "id": f"{n:032x}", "survey_id": survey.id, "sex": rng.choice("FM"),
                "age_band": rng.choice(AGE_BANDS), "commune_id": rng.choices(ids, weights)[0],
                "answers": "".join(rng.choice("12345d.") for _ in range(args.statements)),
                "estimates": "", "channel": "online",
            })
            if len(batch) == 10_000:
                db.session.execute(insert(ResidentResponse), batch)
                batch = []
        if batch:
            db.session.execute(insert(ResidentResponse), batch)
        db.session.execute(insert(OfficialResponse), [
            {"id": f"o{n:031x}", "survey_id": survey.id, "channel": "online", "opinions": "",
             "estimates": ",".join(str(rng.randint(10, 70)) for _ in range(args.statements))}
            for n in range(args.officials)])
        survey.move_to(SurveyStatus.CLOSED)
        db.session.commit()
        print(f"database: {db.engine.url.get_backend_name()}, {args.respondents:,} respondents × "
              f"{args.statements} statements loaded in {time.perf_counter() - started:.1f} s")

        baseline_times, results_times = [], []
        for _ in range(args.repeat):
            db.session.expire_all()
            t0 = time.perf_counter()
            with db.engine.connect() as connection:
                rows = connection.execute(text(
                    "SELECT sex, age_band, commune_id, answers FROM resident_response WHERE survey_id = :id"),
                    {"id": survey.id}).fetchall()
            baseline_times.append(time.perf_counter() - t0)
            assert len(rows) == args.respondents
            t0 = time.perf_counter()
            results = compute_results(survey)
            results_times.append(time.perf_counter() - t0)
            db.session.rollback()
        baseline, computed = min(baseline_times), min(results_times)
        print(f"baseline (raw fetch of the rows): {baseline:.3f} s")
        print(f"compute_results:                  {computed:.3f} s  "
              f"(ratio {computed / baseline:.1f}× the raw fetch; goal < 2 s: {'met' if computed < 2 else 'NOT met'})")
        weighting = results["weighting"]
        print(f"weighting: variables {weighting['variables']}, deff {weighting['deff']}, "
              f"converged {weighting['converged']}")


if __name__ == "__main__":
    main()
