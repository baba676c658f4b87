"""Coverage of the changes between two waves (issue 24, part 2), in simulation.

    .venv/bin/python bench/coverage_difference.py --waves [--surveys 500] [--sizes 150,1000]
        [--officials 8/12,30/60] [--persistence 0.5] [--seed 2026] [--processes 2]

One synthetic territory (the `main` world of coverage_world.py, seed S), surveyed twice.
Between the waves the population stays (same adults, margins and response propensities)
but its opinions move: each statement's logit intercept shifts by WAVE_SHIFT, so the true
shares move by about +7, 0 and −9 points (one statement does not move). Each wave draws its
own independent sample, published by `compute_results`; the change is computed by the
waves code (surveys/wave_changes.py) from the two published payloads, as the pages do.

Officials: one council of M, answering both waves. Official i's estimate in wave t is
truth_t + bias_t + b_i + e_it: b_i is the official's own lasting slant (shared by both
waves), e_it the wave's noise, with corr(b_i + e_i1, b_i + e_i2) = `persistence` and the
same total spread as the other studies (12 points); bias_t goes from −15 to −10 points
(the council moved towards the residents). Two panels for wave 2: **same** (the m officials
who answered wave 1 answer again: their two answers are correlated, while the published
interval of the change assumes independent samples) and **redrawn** (m of M drawn anew,
independently of wave 1: given the council the two means are independent).
Truth of the gap change: (mean of the M officials − true share) in wave 2 minus the same
in wave 1 — the council's change, as the published gap is the council's gap.
"""
from __future__ import annotations

import multiprocessing
import sys
import tempfile
import time

import numpy as np

from bench import coverage_world as cw
from bench.coverage import dk_in_denominator

WAVE_SHIFT = (0.35, 0.0, -0.45)  # logit intercept shift per statement between the waves
WAVE_BIAS = {1: -0.15, 2: -0.10}  # officials' mean error per wave (wave 1 = the other studies')
# Tasks: wave 1 with its one panel, wave 2 with each of its two (split so 2 processes share
# the work evenly; the wave-2 residents' samples are the same in both, from the same seed).
TASKS = ((1, "first"), (2, "same"), (2, "redrawn"))


def _blocks(results: dict) -> dict:
    """What the waves code reads from a published payload (key, text, residents, gap)."""
    return {"statements": [{"key": f"s{j + 1}", "text": f"Affirmation {j + 1}", "residents": s["residents"],
                            "gap": s["gap"]} for j, s in enumerate(results["statements"])]}


def council(seed: int, wave: int, total: int, truth: np.ndarray, persistence: float) -> np.ndarray:
    """The M officials' estimates in `wave` (M × statements, whole points in [0, 1])."""
    shape = (total, len(truth))
    lasting = cw._rng(seed, 20, total).normal(0, cw.OFFICIALS_SD * np.sqrt(persistence), shape)
    noise = cw._rng(seed, 21, wave, total).normal(0, cw.OFFICIALS_SD * np.sqrt(1 - persistence), shape)
    raw = truth[None, :] + WAVE_BIAS[wave] + lasting + noise
    return np.clip(np.round(raw * 100), 0, 100) / 100


def _who(seed: int, panel: str, n: int, rep: int, m: int, total: int) -> np.ndarray:
    """Which m of the M answer: wave 1's draw for `first` and `same`, a draw of its own for `redrawn`."""
    return cw._rng(seed, 23 if panel == "redrawn" else 22, n, rep, total).choice(total, m, replace=False)


def _build(seed: int, wave: int, totals: list[int], app):
    """The world in `wave`: wave 1 is coverage_world's `main` world; wave 2 the same adults
    (the same draws, hence the same people and propensities) with shifted intercepts."""
    saved = cw.STATEMENTS
    if wave == 2:
        cw.STATEMENTS = tuple((a + shift, b) for (a, b), shift in zip(saved, WAVE_SHIFT))
    try:
        return cw.build_world(cw.commune_populations(app), "main", seed, totals, dk_in_denominator())
    finally:
        cw.STATEMENTS = saved


def _wave(task: tuple) -> dict:
    """All replications of one wave and panel, in a process of its own."""
    (wave, panel), seed, sizes, surveys, configs, persistence, directory = task
    saved, cw._extract = cw._extract, _blocks  # replicate() returns what it extracts: the blocks whole
    try:
        return _replications(wave, panel, seed, sizes, surveys, configs, persistence, directory)
    finally:
        cw._extract = saved  # --processes 1 (or a test) runs in the calling process


def _replications(wave, panel, seed, sizes, surveys, configs, persistence, directory) -> dict:
    totals = sorted({total for _m, total in configs})
    app = cw.make_app(directory)
    world = _build(seed, wave, totals, app)
    world.officials = {total: council(seed, wave, total, world.truth, persistence) for total in totals}
    out = {"wave": wave, "panel": panel, "truth": world.truth.tolist(),
           "officials_mean": {total: world.officials[total].mean(axis=0).tolist() for total in totals}, "reps": {}}
    with app.app_context():
        survey_id = cw.create_survey(world)
        for n in sizes:
            for rep in range(surveys):
                panels = {f"{m}/{total}": (total, world.officials[total][_who(seed, panel, n, rep, m, total)])
                          for m, total in configs}
                result = cw.replicate(world, survey_id, n, configs, cw._rng(seed, 7, wave, n, rep), panels)
                for key, config in result["configs"].items():
                    out["reps"][(n, rep, key)] = config["results"]
        from plateforme.extensions import db

        db.session.remove()
        db.engine.dispose()
    return out


def _spread(estimates: list[float], widths: list[float]) -> float | None:
    """Width ratio: the SE the intervals imply (mean width / 2 × 1.96) over the real spread
    of the published change across replications (> 1: the interval is wider than needed)."""
    if len(estimates) < 3 or np.std(estimates) == 0:
        return None
    return float(np.mean(widths) / (2 * 1.96) / np.std(estimates, ddof=1))


def compare(waves: dict, sizes: list[int], surveys: int, configs: list[tuple[int, int]]) -> list[dict]:
    """Pair replication r of wave 1 with replication r of wave 2 (each panel) and check each
    published change against the truth."""
    from bench.coverage_difference import _coverage
    from plateforme.surveys.wave_changes import compare_waves

    first = waves[(1, "first")]
    true_share = np.array(waves[(2, "same")]["truth"]) - np.array(first["truth"])
    rows = []
    for panel in ("same", "redrawn"):
        second = waves[(2, panel)]
        for n in sizes:
            for m, total in configs:
                key = f"{m}/{total}"
                true_gap = ((np.array(second["officials_mean"][total]) - np.array(second["truth"]))
                            - (np.array(first["officials_mean"][total]) - np.array(first["truth"])))
                records = {"share": [], "gap": []}
                values = {name: {j: [] for j in range(len(true_share))} for name in records}
                widths = {name: {j: [] for j in range(len(true_share))} for name in records}
                withheld = 0
                for rep in range(surveys):
                    changes = compare_waves(second["reps"][(n, rep, key)], first["reps"][(n, rep, key)])
                    for j, statement in enumerate(changes["statements"]):
                        for name, truth in (("share", true_share), ("gap", true_gap)):
                            block = statement["residents" if name == "share" else "gap"]
                            if block["change"] is None:
                                withheld += 1
                                continue
                            records[name].append((rep, block["ci_low"] <= truth[j] <= block["ci_high"]))
                            values[name][j].append(block["change"])
                            widths[name][j].append(block["ci_high"] - block["ci_low"])
                row = {"panel": panel, "n": n, "officials": key, "withheld": withheld,
                       "figures": 2 * surveys * len(true_share)}
                for name in records:
                    coverage, se = _coverage(records[name])
                    ratios = [r for j in values[name] if (r := _spread(values[name][j], widths[name][j]))]
                    all_widths = [w for j in widths[name] for w in widths[name][j]]
                    row[name] = (coverage, se, float(np.mean(all_widths)) if all_widths else None,
                                 float(np.mean(ratios)) if ratios else None)
                rows.append(row)
    return rows


def _cell(values: tuple) -> str:
    coverage, se, width, ratio = values
    if coverage is None:
        return "—"
    return f"{100 * coverage:.1f} ± {100 * se:.1f} (width {100 * width:.1f}, w/sd {ratio:.2f})"


def run(args) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    configs = [tuple(int(x) for x in c.split("/")) for c in args.officials.split(",")]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="coverage-waves-") as directory:
        tasks = [(task, args.seed, sizes, args.surveys, configs, args.persistence, directory) for task in TASKS]
        if args.processes > 1:
            ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
            with ctx.Pool(min(args.processes, len(tasks))) as pool:
                done = pool.map(_wave, tasks)
        else:
            done = [_wave(task) for task in tasks]
    waves = {(w["wave"], w["panel"]): w for w in done}
    print("true shares, wave 1: " + ", ".join(f"{100 * t:.1f}" for t in waves[(1, "first")]["truth"])
          + " %; wave 2: " + ", ".join(f"{100 * t:.1f}" for t in waves[(2, "same")]["truth"])
          + f" %; officials' persistence {args.persistence}")
    print(f"{'panel':>8} {'n':>6} {'m/M':>6}  {'share change: coverage ± MC (width, w/sd)':<46} "
          f"{'gap change: coverage ± MC (width, w/sd)':<46} withheld")
    for row in compare(waves, sizes, args.surveys, configs):
        print(f"{row['panel']:>8} {row['n']:>6} {row['officials']:>6}  {_cell(row['share']):<46} "
              f"{_cell(row['gap']):<46} {row['withheld']}/{row['figures']}")
    print(f"({args.surveys} pairs of waves per size, {time.perf_counter() - started:.0f} s)")
