"""Benchmark for plateforme.stats: rake 100,000 respondents and score 20 statements.

Run from the repository root:  python bench/stats_bench.py [--respondents N] [--repeat R]

Synthetic data: 100,000 respondents with a skewed sex x age band x commune
profile (58 communes), 20 statements answered 1..5, "dk" or blank. The timed
work is what a results page needs: rake to population margins on sex (2),
age band (5) and commune (58), then compute every statement's weighted
agreement with its Wilson interval. Answers are passed as Python lists, the
shape a database query returns, so their parsing is included in the time.

The baseline is a plain numpy weighted mean of the agreement indicator over
the same answers (pre-encoded as an int8 matrix) and the same weights, in the
same run: the floor for "one weighted share per statement". Goal: whole
computation under 2 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from plateforme.stats import agreement_share, rake  # noqa: E402

AGE_BANDS = ["18-29", "30-44", "45-59", "60-74", "75+"]
N_COMMUNES = 58
N_STATEMENTS = 20


def synthetic(n: int, seed: int = 2024):
    """Population margins, a biased sample, answers as lists and as int8 codes."""
    rng = np.random.default_rng(seed)
    communes = [f"{i:05d}" for i in range(N_COMMUNES)]
    population = rng.lognormal(8, 1.2, N_COMMUNES).round() + 200
    total = population.sum()
    margins = {
        "sex": {"F": 0.52 * total, "M": 0.48 * total},
        "age": dict(zip(AGE_BANDS, np.array([0.19, 0.24, 0.25, 0.21, 0.11]) * total)),
        "commune": dict(zip(communes, population)),
    }
    # Respondents over-represent women, older people and large communes.
    sample = {
        "sex": rng.choice(["F", "M"], size=n, p=[0.58, 0.42]).tolist(),
        "age": rng.choice(AGE_BANDS, size=n, p=[0.10, 0.18, 0.26, 0.30, 0.16]).tolist(),
        "commune": [communes[i] for i in rng.choice(
            N_COMMUNES, size=n, p=population**1.3 / (population**1.3).sum())],
    }
    # Codes: -1 blank, 0 dk, 1..5. Each statement gets its own agreement level.
    codes = np.empty((N_STATEMENTS, n), dtype=np.int8)
    choices = np.array([-1, 0, 1, 2, 3, 4, 5], dtype=np.int8)
    for s in range(N_STATEMENTS):
        agree = rng.uniform(0.2, 0.8)  # among those who give an opinion
        opinion = 0.87  # 5 % blank, 8 % dk
        p = [0.05, 0.08] + [opinion * (1 - agree) * x for x in (0.3, 0.3, 0.4)] + [
            opinion * agree * x for x in (0.55, 0.45)]
        codes[s] = rng.choice(choices, size=n, p=p)
    decode = {-1: None, 0: "dk", 1: 1, 2: 2, 3: 3, 4: 4, 5: 5}
    answers = [[decode[c] for c in row.tolist()] for row in codes]
    return sample, margins, answers, codes


def full_computation(sample, margins, answers):
    result = rake(sample, margins)
    shares = [agreement_share(a, result.weights) for a in answers]
    return result, shares


def baseline(codes, weights):
    # Same answers, same weights: numpy's weighted mean of "answered 4 or 5"
    # among non-blank answers, with nothing else.
    out = []
    for row in codes:
        answered = row >= 0
        out.append(np.average(row[answered] >= 4, weights=weights[answered]))
    return out


def best_of(repeat, fn, *args):
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn(*args)
        times.append(time.perf_counter() - start)
    return min(times), float(np.median(times)), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    sample, margins, answers, codes = synthetic(args.respondents)
    full_best, full_median, (result, shares) = best_of(
        args.repeat, full_computation, sample, margins, answers)
    rake_best, _, _ = best_of(args.repeat, rake, sample, margins)
    base_best, base_median, base = best_of(args.repeat, baseline, codes, result.weights)

    # The two must agree, or the timing compares different things.
    np.testing.assert_allclose([s.agree for s in shares], base, rtol=1e-10)

    print(f"respondents: {args.respondents:,}  statements: {N_STATEMENTS}  "
          f"margins: sex 2 x age 5 x commune {N_COMMUNES}")
    print(f"raking: converged={result.converged} iterations={result.iterations} "
          f"trimmed={result.trimmed} max_margin_error={result.max_margin_error:.1e} "
          f"deff={result.deff:.3f}")
    print(f"full computation (rake + {N_STATEMENTS} shares): best {full_best:.3f} s, "
          f"median {full_median:.3f} s  (of which raking {rake_best:.3f} s)")
    print(f"baseline numpy weighted mean x {N_STATEMENTS}: best {base_best:.4f} s, "
          f"median {base_median:.4f} s")
    print(f"ratio full / baseline (best): {full_best / base_best:.1f}x")
    print(f"goal < 2 s: {'met' if full_median < 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
