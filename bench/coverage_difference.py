"""Coverage of the differences between two territories (issue 24, part 3), in simulation.

    .venv/bin/python bench/coverage_difference.py [--surveys 500] [--sizes 150,1000]
        [--officials 8/12,30/60] [--seed 2026] [--processes 2]

Two synthetic territories, each a world of coverage_world.py (territory A: the `main`
population of seed S; territory B: the `interactions` population of seed S + 1, so its true
shares, commune effects and officials differ), each with its own SQLite file and margins.
Replication r draws an independent survey in each, publishes both with the publication
code (`compute_results`, figures rounded as the snapshot holds them), and compares them
with the comparison code (surveys/comparison.py: Newcombe's interval for the shares; for
the gaps, each SE recovered from its published t interval and Welch–Satterthwaite df).
The truth: B's population share minus A's; for the gap, (mean of B's M officials − B's true
share) − (the same for A). Officials: m of M drawn at random in each territory, for a
small council (8 of 12 answer) and a larger one (30 of 60).

`--waves`: the change between two waves of one territory instead (bench/coverage_waves.py).
"""
from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import coverage_world as cw  # noqa: E402
from bench.coverage import dk_in_denominator  # noqa: E402

WORLDS = (("main", 0), ("interactions", 1))  # territory A, territory B: (variant, seed offset)


def _raw_blocks(results: dict) -> dict:
    """The residents' and gap blocks exactly as the snapshot holds them (df included)."""
    return {"statements": [{"residents": s["residents"], "gap": s["gap"]} for s in results["statements"]]}


def _territory(task: tuple) -> dict:
    """All replications of one territory, in a process of its own: {(n, rep, config): blocks}."""
    index, seed, sizes, surveys, configs, directory = task
    variant, offset = WORLDS[index]
    cw._extract = _raw_blocks  # replicate() returns what it extracts: keep the blocks whole
    totals = sorted({total for _m, total in configs})
    app = cw.make_app(directory)
    world = cw.build_world(cw.commune_populations(app), variant, seed + offset, totals, dk_in_denominator())
    out = {"truth": world.truth.tolist(),
           "officials_mean": {total: world.officials[total].mean(axis=0).tolist() for total in totals}, "reps": {}}
    with app.app_context():
        survey_id = cw.create_survey(world)
        for n in sizes:
            for rep in range(surveys):
                result = cw.replicate(world, survey_id, n, configs, cw._rng(seed + offset, 7, n, rep))
                for key, config in result["configs"].items():
                    out["reps"][(n, rep, key)] = config["results"]["statements"]
        from plateforme.extensions import db

        db.session.remove()
        db.engine.dispose()
    return out


def _coverage(records: list[tuple[int, bool]]) -> tuple[float | None, float | None]:
    """Share covered, with its Monte-Carlo SE taking each replication (3 statements) as a cluster."""
    if not records:
        return None, None
    reps = np.array([r for r, _c in records])
    covered = np.array([c for _r, c in records], dtype=float)
    p = float(covered.mean())
    _ids, inverse = np.unique(reps, return_inverse=True)
    y, k = np.bincount(inverse, weights=covered), np.bincount(inverse).astype(float)
    return p, float(np.sqrt(np.sum((y - p * k) ** 2)) / k.sum())


def compare(territories: list[dict], sizes: list[int], surveys: int, configs: list[tuple[int, int]]) -> list[dict]:
    """Pair replication r of A with replication r of B and check each published difference."""
    from plateforme.surveys.comparison import (gap_block_difference, gap_figures, residents_difference,
                                               residents_figures)

    a, b = territories
    true_share = np.array(b["truth"]) - np.array(a["truth"])
    rows = []
    for n in sizes:
        for m, total in configs:
            key = f"{m}/{total}"
            true_gap = ((np.array(b["officials_mean"][total]) - np.array(b["truth"]))
                        - (np.array(a["officials_mean"][total]) - np.array(a["truth"])))
            shares, gaps, widths = [], [], {"share": [], "gap": []}
            withheld = 0
            for rep in range(surveys):
                for j, (sa, sb) in enumerate(zip(a["reps"][(n, rep, key)], b["reps"][(n, rep, key)])):
                    share = residents_difference(residents_figures(sa["residents"]), residents_figures(sb["residents"]))
                    gap = gap_block_difference(gap_figures(sa["gap"]), gap_figures(sb["gap"]))
                    if share is None or gap is None:
                        withheld += 1
                    if share is not None:
                        shares.append((rep, share.ci_low <= true_share[j] <= share.ci_high))
                        widths["share"].append(share.ci_high - share.ci_low)
                    if gap is not None:
                        gaps.append((rep, gap.ci_low <= true_gap[j] <= gap.ci_high))
                        widths["gap"].append(gap.ci_high - gap.ci_low)
            share_cov, share_se = _coverage(shares)
            gap_cov, gap_se = _coverage(gaps)
            rows.append({"n": n, "officials": key, "share": (share_cov, share_se, float(np.mean(widths["share"]))),
                         "gap": (gap_cov, gap_se, float(np.mean(widths["gap"]))), "withheld": withheld,
                         "figures": surveys * len(true_share)})
    return rows


def _cell(values: tuple) -> str:
    coverage, se, width = values
    return "—" if coverage is None else f"{100 * coverage:.1f} ± {100 * se:.1f} (width {100 * width:.1f})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surveys", type=int, default=500, help="replications (pairs of surveys) per size")
    parser.add_argument("--sizes", default="150,1000", help="residents per survey, the same in both territories")
    parser.add_argument("--officials", default="8/12,30/60", help="m/M configurations, the same in both")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--waves", action="store_true",
                        help="the change between two waves of one territory instead (bench/coverage_waves.py)")
    parser.add_argument("--persistence", type=float, default=0.5,
                        help="waves: correlation of an official's two answers (0 = independent)")
    args = parser.parse_args(argv)
    if args.waves:
        from bench import coverage_waves

        return coverage_waves.run(args)
    sizes = [int(s) for s in args.sizes.split(",")]
    configs = [tuple(int(x) for x in c.split("/")) for c in args.officials.split(",")]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="coverage-difference-") as directory:
        tasks = [(index, args.seed, sizes, args.surveys, configs, directory) for index in range(len(WORLDS))]
        if args.processes > 1:
            ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
            with ctx.Pool(min(args.processes, len(tasks))) as pool:
                territories = pool.map(_territory, tasks)
        else:
            territories = [_territory(task) for task in tasks]
    a, b = territories
    print("true shares A: " + ", ".join(f"{100 * t:.1f}" for t in a["truth"])
          + " %; B: " + ", ".join(f"{100 * t:.1f}" for t in b["truth"]) + " %")
    print(f"{'n':>6} {'m/M':>6}  {'share difference: coverage ± MC (width, points)':<44} "
          f"{'gap difference: coverage ± MC (width)':<40} withheld")
    for row in compare(territories, sizes, args.surveys, configs):
        print(f"{row['n']:>6} {row['officials']:>6}  {_cell(row['share']):<44} {_cell(row['gap']):<40} "
              f"{row['withheld']}/{row['figures']}")
    print(f"({args.surveys} pairs of surveys per size, {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
