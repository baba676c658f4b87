"""Coverage study: how often the published 95 % intervals cover the truth, in simulation.

    .venv/bin/python bench/coverage.py [--surveys 1000] [--sizes 150,400,1000,2000]
        [--officials 19/60,5/12,3/10] [--variant main|interactions|main,interactions]
        [--seed 2026] [--processes 2] [--json-out plateforme/surveys/data/coverage.json]

A synthetic population of 50,000 adults with known opinions lives on a real
intercommunality of 8 communes (coverage_world.py); response is three times lower among
young men and varies with sex, age and commune. Each survey draws n respondents, writes
their answers to the answer tables as a closed survey holds them (SQLite file of its own,
communes named by fewer than 20 answers pooled) and calls the publication code,
`compute_results`, once per officials' configuration (m answer of M, a random subset; the
M estimates are fixed, 15 points under the truth on average). Each published interval is
compared with the truth: the population's share agreeing, and for the gap the mean of all
M officials' estimates minus it. The default run (one variant) takes about 10 minutes of CPU:
5 minutes with 2 idle cores; both variants, 20 minutes of CPU.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import coverage_world as cw  # noqa: E402

GOAL = (0.93, 0.97)
_STATE: dict = {}


def dk_in_denominator() -> bool:
    """Ask the code itself whether "ne sait pas" counts in the share's denominator."""
    from plateforme.stats import agreement_share

    return agreement_share([4, "dk"]).agree < 0.75


def _init_worker(variant: str, seed: int, totals: list[int], directory: str) -> None:
    app = cw.make_app(directory)
    world = cw.build_world(cw.commune_populations(app), variant, seed, totals, dk_in_denominator())
    context = app.app_context()
    context.push()
    _STATE.update(app=app, world=world, survey_id=cw.create_survey(world), context=context)


def _main_world(variant: str, seed: int, totals: list[int], directory: str) -> cw.World:
    """The same world as the workers' (same seed), for the truth; its database is let go
    before the workers fork."""
    from plateforme.extensions import db

    app = cw.make_app(directory)
    world = cw.build_world(cw.commune_populations(app), variant, seed, totals, dk_in_denominator())
    with app.app_context():
        db.engine.dispose()
    return world


def _run_chunk(task: tuple) -> list[dict]:
    n, start, stop, seed, configs = task
    world = _STATE["world"]
    return [dict(cw.replicate(world, _STATE["survey_id"], n, configs, cw._rng(seed, 3, n, r)), rep=r)
            for r in range(start, stop)]


def simulate(variant: str, surveys: int, sizes: list[int], configs: list[tuple[int, int]], seed: int,
             processes: int = 2, progress: bool = True) -> dict:
    """Run the replications (in `processes` worker processes, 1 = in this one) and summarise."""
    totals = sorted({total for _m, total in configs})
    chunk = 20
    tasks = [(n, start, min(start + chunk, surveys), seed, configs)
             for n in sizes for start in range(0, surveys, chunk)]
    started = time.perf_counter()
    replications: list[dict] = []
    # The SQLite files of every process, removed with the run.
    with tempfile.TemporaryDirectory(prefix="coverage-") as directory:
        if processes > 1:
            world = _main_world(variant, seed, totals, directory)
            ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
            with ctx.Pool(processes, _init_worker, (variant, seed, totals, directory)) as pool:
                for done, part in enumerate(pool.imap_unordered(_run_chunk, tasks), start=1):
                    replications.extend(part)
                    if progress:
                        print(f"\r  {variant}: {done}/{len(tasks)} chunks, {time.perf_counter() - started:.0f} s",
                              end="", file=sys.stderr, flush=True)
        else:
            _init_worker(variant, seed, totals, directory)
            try:
                for task in tasks:
                    replications.extend(_run_chunk(task))
            finally:
                from plateforme.extensions import db

                db.session.remove()
                db.engine.dispose()
                _STATE.pop("context").pop()
            world = _STATE["world"]
    if progress:
        print(file=sys.stderr)
    summary = summarise(world, replications, sizes, configs)
    summary.update(variant=variant, seconds=round(time.perf_counter() - started, 1))
    return summary


def _stats(records: list[tuple], surveys: int) -> dict:
    """Coverage with its Monte-Carlo SE, bias and RMSE from (survey, cell, truth, estimate,
    low, high, approximate) records of published figures; a cell is a statement (or a
    commune's statement). The SE treats each survey as a cluster (its statements share one
    sample): sqrt(Σ_r (covered_r − p·k_r)²) / Σ k_r, which is sqrt(p(1 − p)/R) with one
    figure per survey. Bias is the mean over cells of |mean error of the cell|, so that
    biases of opposite sign in two statements do not cancel; RMSE is over all figures."""
    if not records:
        return {"published": 0, "intervals": 0, "coverage": None, "mc_se": None, "bias": None, "rmse": None,
                "approximate": 0, "coverage_not_approximate": None, "mc_se_not_approximate": None}
    reps = np.array([r[0] for r in records])
    cells = [r[1] for r in records]
    truth = np.array([r[2] for r in records], dtype=float)
    value = np.array([r[3] for r in records], dtype=float)
    with_interval = np.array([r[4] is not None and r[5] is not None for r in records])
    low = np.array([r[4] if r[4] is not None else np.nan for r in records], dtype=float)
    high = np.array([r[5] if r[5] is not None else np.nan for r in records], dtype=float)
    approximate = np.array([bool(r[6]) for r in records])
    covered = (low <= truth) & (truth <= high)
    error = value - truth
    by_cell: dict = {}
    for cell, e in zip(cells, error):
        by_cell.setdefault(cell, []).append(e)
    out = {"published": int(len(records)), "intervals": int(with_interval.sum()),
           "approximate": int(approximate.sum()),
           "bias": float(np.mean([abs(np.mean(e)) for e in by_cell.values()])),
           "rmse": float(np.sqrt(np.mean(error ** 2))),
           "reasons": sorted({str(r[7]) for r in records if len(r) > 7 and r[7]})}
    for name, keep in (("", with_interval), ("_not_approximate", with_interval & ~approximate)):
        if not keep.any():
            out["coverage" + name], out["mc_se" + name] = None, None
            continue
        p = float(covered[keep].mean())
        _ids, inverse = np.unique(reps[keep], return_inverse=True)
        y = np.bincount(inverse, weights=covered[keep].astype(float))
        k = np.bincount(inverse).astype(float)
        out["coverage" + name] = p
        out["mc_se" + name] = float(np.sqrt(np.sum((y - p * k) ** 2)) / k.sum())
        out["mean_width" + name] = float(np.mean(high[keep] - low[keep]))
    # Width calibration: the interval's implied standard error, (high − low) / (2 × 1.96), over
    # the spread of the estimates across surveys, per cell, averaged over cells published in at
    # least 20 surveys. 1 when the interval is as wide as the estimate's real sampling error;
    # above 1 it is conservative (it over-covers), below 1 it under-covers.
    ratios = []
    cell_array = np.array(cells, dtype=object) if cells and not isinstance(cells[0], tuple) else None
    for cell in by_cell:
        keep_cell = with_interval & (np.array([c == cell for c in cells]) if cell_array is None
                                     else cell_array == cell)
        if keep_cell.sum() >= 20 and np.std(value[keep_cell], ddof=1) > 0:
            implied = np.mean(high[keep_cell] - low[keep_cell]) / (2 * 1.959964)
            ratios.append(implied / np.std(value[keep_cell], ddof=1))
    out["width_ratio"] = float(np.mean(ratios)) if ratios else None
    statements = sorted({c for c in cells if isinstance(c, int)})
    if statements:
        out["by_statement"] = [
            {"statement": j, "bias": float(np.mean(by_cell[j])),
             "coverage": float(covered[with_interval & (np.array(cells, dtype=object) == j)].mean())
             if (with_interval & (np.array(cells, dtype=object) == j)).any() else None}
            for j in statements]
    out["surveys"] = surveys
    return out


def _error_stats(pairs: list[tuple[int, float, float]]) -> dict:
    """|bias| (mean over statements, as in _stats) and RMSE of (statement, truth, estimate)."""
    if not pairs:
        return {"bias": None, "rmse": None}
    by_cell: dict = {}
    for j, t, v in pairs:
        by_cell.setdefault(j, []).append(v - t)
    errors = np.concatenate([np.asarray(e) for e in by_cell.values()])
    return {"bias": float(np.mean([abs(np.mean(e)) for e in by_cell.values()])),
            "rmse": float(np.sqrt(np.mean(errors ** 2))),
            "by_statement": [float(np.mean(by_cell[j])) for j in sorted(by_cell)]}


def summarise(world: cw.World, replications: list[dict], sizes: list[int], configs: list[tuple[int, int]]) -> dict:
    truth = world.truth
    residents, gaps, communes = [], [], []
    k = len(truth)
    for n in sizes:
        reps = [r for r in replications if r["n"] == n]
        first = f"{configs[0][0]}/{configs[0][1]}"
        res_records, unweighted, com_records = [], [], []
        weighted_off = not_converged = sex_not_given = 0
        commune_cells = 0
        for r in reps:
            result = r["configs"][first]["results"]
            weighted_off += not result["weighting_applied"]
            sex_not_given += result.get("sex_not_given") or 0
            not_converged += result["converged"] is False
            for j, s in enumerate(result["statements"]):
                block = s["residents"]
                unweighted.append((j, truth[j], r["unweighted"][j]))
                if cw.is_finite(block["value"]):
                    res_records.append((r["rep"], j, truth[j], block["value"], block["low"], block["high"],
                                        block["approximate"], block["reason"]))
                for c in s["communes"]:
                    commune_cells += 1
                    if cw.is_finite(c["value"]):
                        com_records.append((r["rep"], (c["code"], j), world.commune_truth[(c["code"], j)],
                                            c["value"], c["low"], c["high"], c["approximate"], c["reason"]))
        row = {"n": n, **_stats(res_records, len(reps)), "unweighted": _error_stats(unweighted),
               "figures": len(reps) * k, "weighting_not_applied": weighted_off, "not_converged": not_converged,
               # Respondents who did not give their sex, as a share of all respondents.
               "sex_not_given": sex_not_given / (n * len(reps)) if reps else None}
        residents.append(row)
        communes.append({"n": n, **_stats(com_records, len(reps)), "figures": len(reps) * k * len(world.commune_ids),
                         "listed": commune_cells})
        for m, total in configs:
            key = f"{m}/{total}"
            target = world.officials[total].mean(axis=0) - truth
            records, unweighted_gap = [], []
            for r in reps:
                config = r["configs"][key]
                for j, s in enumerate(config["results"]["statements"]):
                    unweighted_gap.append((j, target[j], config["sample_mean"][j] - r["unweighted"][j]))
                    block = s["gap"]
                    if cw.is_finite(block["value"]):
                        records.append((r["rep"], j, target[j], block["value"], block["low"], block["high"],
                                        block["approximate"], block["reason"]))
            gaps.append({"n": n, "officials": key, **_stats(records, len(reps)),
                         "unweighted": _error_stats(unweighted_gap), "figures": len(reps) * k})
    return {"truth": [round(float(t), 4) for t in truth], "residents": residents, "gap": gaps, "communes": communes,
            **summarise_estimates(world, replications, sizes, configs)}


def summarise_estimates(world: cw.World, replications: list[dict], sizes: list[int],
                        configs: list[tuple[int, int]]) -> dict:
    """Residents' own estimates: the published mean estimate against the population's mean
    estimate, and the paired gap (estimate − agreement) against the population's."""
    out: dict = {"residents_estimate": [], "residents_estimate_gap": []}
    if world.estimate_truth is None:
        return out
    first = f"{configs[0][0]}/{configs[0][1]}"
    for name, truth in (("residents_estimate", world.estimate_truth),
                        ("residents_estimate_gap", world.estimate_gap_truth)):
        for n in sizes:
            reps = [r for r in replications if r["n"] == n]
            records = []
            for r in reps:
                for j, s in enumerate(r["configs"][first]["results"]["statements"]):
                    block = s.get(name) or {}
                    if cw.is_finite(block.get("value")):
                        records.append((r["rep"], j, truth[j], block["value"], block["low"], block["high"], False,
                                        None))
            out[name].append({"n": n, **_stats(records, len(reps)), "figures": len(reps) * len(truth)})
    return out


def _pct(value, digits: int = 1) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f}"


def _points(value) -> str:
    return "—" if value is None else f"{100 * value:.2f}"


def _mark(row: dict) -> str:
    cov = row.get("coverage_not_approximate")
    if cov is None:
        return ""
    return "" if GOAL[0] <= cov <= GOAL[1] else "  ← outside 93–97"


def format_tables(summary: dict) -> str:
    lines = [f"variant: {summary['variant']}   truth: {', '.join(_pct(t) for t in summary['truth'])} %",
             "", "Residents' share (interval covers the population share)",
             f"{'n':>6} {'publ.%':>7} {'approx%':>7} {'coverage ± MC':>15} {'width':>6} {'w/sd':>5} "
             f"{'|bias|w':>7} {'RMSE w':>7} {'|bias|u':>7} {'RMSE u':>7}"]

    def line(label: str, row: dict) -> str:
        published = row["published"] / row["figures"] if row["figures"] else None
        approx = row["approximate"] / row["published"] if row["published"] else None
        cov = row.get("coverage_not_approximate")
        se = row.get("mc_se_not_approximate")
        cov_text = "—" if cov is None else f"{_pct(cov)} ± {_pct(se)}"
        unweighted = row.get("unweighted", {"bias": None, "rmse": None})
        ratio = row.get("width_ratio")
        text = (f"{label} {_pct(published):>7} {_pct(approx):>7} {cov_text:>15} "
                f"{_pct(row.get('mean_width_not_approximate')):>6} {'—' if ratio is None else f'{ratio:.2f}':>5} "
                f"{_points(row['bias']):>7} {_pct(row['rmse'], 2):>7}")
        if "unweighted" in row:
            text += f" {_points(unweighted['bias']):>7} {_pct(unweighted['rmse'], 2):>7}"
        return text + _mark(row)

    for row in summary["residents"]:
        lines.append(line(f"{row['n']:>6}", row))
    hidden = [row.get("sex_not_given") for row in summary["residents"] if row.get("sex_not_given") is not None]
    if hidden:
        lines.append(f"(sex not given — weighted by the publication code's rule: {_pct(min(hidden))}–"
                     f"{_pct(max(hidden))} % of respondents)")
    lines += ["", "Gap (officials' mean − residents' share; target: mean of all M officials − true share)",
              f"{'n':>6} {'m/M':>5} {'publ.%':>7} {'approx%':>7} {'coverage ± MC':>15} {'width':>6} {'w/sd':>5} "
              f"{'|bias|w':>7} {'RMSE w':>7} {'|bias|u':>7} {'RMSE u':>7}"]
    for row in summary["gap"]:
        lines.append(line(f"{row['n']:>6} {row['officials']:>5}", row))
    for name, title in (("residents_estimate", "Residents' mean estimate (covers the population's mean estimate)"),
                        ("residents_estimate_gap", "Residents' paired gap, estimate − agreement (covers the "
                                                   "population's mean difference)")):
        if summary.get(name):
            lines += ["", title, f"{'n':>6} {'publ.%':>7} {'approx%':>7} {'coverage ± MC':>15} {'width':>6} "
                      f"{'w/sd':>5} {'|bias|w':>7} {'RMSE w':>7}"]
            lines += [line(f"{row['n']:>6}", row) for row in summary[name]]
    lines += ["", "Communes (each published commune's interval covers its population share)",
              f"{'n':>6} {'publ.%':>7} {'approx%':>7} {'coverage ± MC':>15} {'width':>6} {'w/sd':>5} {'|bias|w':>7} "
              f"{'RMSE w':>7}"]
    for row in summary["communes"]:
        lines.append(line(f"{row['n']:>6}", row))
    return "\n".join(lines)


def _commit() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""
    return {"commit": git("rev-parse", "HEAD"),
            "code_modified": bool(git("status", "--porcelain", "--", "plateforme/stats", "plateforme/surveys/*.py"))}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surveys", type=int, default=1000, help="surveys per sample size (1000)")
    parser.add_argument("--sizes", default="150,400,1000,2000")
    parser.add_argument("--officials", default="19/60,5/12,3/10", help="m/M configurations")
    parser.add_argument("--variant", default="main", help="main, interactions, or both: main,interactions")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    configs = [tuple(int(x) for x in c.split("/")) for c in args.officials.split(",")]
    variants = args.variant.split(",")
    if any(v not in ("main", "interactions") for v in variants):
        parser.error("--variant: main, interactions or main,interactions")
    if any(not 0 < m <= total for m, total in configs):
        parser.error("--officials: m/M with 0 < m <= M")
    runs = []
    for variant in variants:
        summary = simulate(variant, args.surveys, sizes, configs, args.seed, args.processes)
        print(format_tables(summary))
        print(f"({args.surveys} surveys per size, {summary['seconds']} s)\n")
        runs.append(summary)
    if args.json_out:
        payload = {
            "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d"), **_commit(),
            "command": "python bench/coverage.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "surveys": args.surveys, "seed": args.seed, "population": cw.POPULATION, "territory": cw.EPCI,
            "dont_know_in_denominator": dk_in_denominator(), "goal": list(GOAL), "runs": runs,
        }
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"written: {args.json_out}")


if __name__ == "__main__":
    main()
