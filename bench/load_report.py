"""Figures of the load benchmark (bench/load.py): one step's records read back from wrk's
Lua report (bench/load_mix.lua), and the table printed at the end."""
from __future__ import annotations

import math

P99_GOAL_MS = 500
# What a request of each kind answers when it worked: pages are shown, forms redirect
# (post/redirect/get); anything else is an error (a refused form shows itself again with 200).
EXPECTED = {"home": {200}, "consultation": {200}, "debate": {200}, "results": {200}, "territory": {200},
            "reaction": {302, 303}, "comment": {302, 303}, "answer": {302, 303}, "signin": {302, 303}}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def step_figures(text: str, connections: int, answer_start: int = 0) -> dict:
    latencies: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    answers_used = 0
    answers = {}
    duration_us = requests = socket_errors = 0
    for line in text.splitlines():
        parts = line.split()
        if parts[0] == "answers":
            answers[int(parts[1])] = int(parts[2])
        elif parts[0] == "summary":
            duration_us, requests = int(parts[1]), int(parts[2])
            # connect, read, write, timeout (status errors are counted per kind below)
            socket_errors = int(parts[3]) + int(parts[4]) + int(parts[5]) + int(parts[7])
        else:
            kind, status, micros = parts[0], int(parts[1]), float(parts[2])
            latencies.setdefault(kind, []).append(micros / 1000)
            if status not in EXPECTED[kind]:
                key = f"{kind} {status}"
                errors[key] = errors.get(key, 0) + 1
    for thread, count in answers.items():
        if count:
            answers_used = max(answers_used, answer_start + thread + (count - 1) * connections + 1)
    everything = [v for values in latencies.values() for v in values]
    seconds = duration_us / 1e6 or 1
    if socket_errors:
        errors["socket"] = socket_errors
    return {
        "connections": connections, "requests": len(everything), "seconds": round(seconds, 2),
        "rate": len(everything) / seconds,
        "p50": percentile(everything, 50), "p95": percentile(everything, 95), "p99": percentile(everything, 99),
        "by_kind": {kind: {"n": len(v), "p50": percentile(v, 50), "p99": percentile(v, 99)}
                    for kind, v in sorted(latencies.items())},
        "errors": sum(errors.values()), "error_kinds": errors, "answers_used": answers_used,
    }


def within_goal(step: dict) -> bool:
    return step["p99"] < P99_GOAL_MS and step["errors"] == 0


def highest_rate(steps: list[dict]) -> dict | None:
    good = [s for s in steps if within_goal(s)]
    return max(good, key=lambda s: s["rate"]) if good else None


def print_table(results: dict, labels: list[str], backends) -> None:
    print("\n| checkout | database | connections | req/s | p50 ms | p95 ms | p99 ms | survey answer p99 ms "
          "| debate page p99 ms | errors |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for backend in backends:
        for label in labels:
            for s in results[(label, backend)]["steps"]:
                kinds = s["by_kind"]
                errors = ", ".join(f"{k}: {n}" for k, n in s["error_kinds"].items()) or "0"
                print(f"| {label} | {backend} | {s['connections']} | {s['rate']:.0f} | {s['p50']:.0f} | "
                      f"{s['p95']:.0f} | {s['p99']:.0f} | {kinds.get('answer', {}).get('p99', float('nan')):.0f} | "
                      f"{kinds.get('debate', {}).get('p99', float('nan')):.0f} | {errors} |")
    print(f"\nHighest rate with p99 < {P99_GOAL_MS} ms and no error (achieved rate of the best step):\n")
    print("| database | " + " | ".join(labels) + (" | ratio |" if len(labels) == 2 else " |"))
    print("|---" * (len(labels) + 1 + (len(labels) == 2)) + "|")
    for backend in backends:
        best = [highest_rate(results[(label, backend)]["steps"]) for label in labels]
        cells = [f"{b['rate']:.0f} req/s (c={b['connections']}, answer p99 "
                 f"{b['by_kind'].get('answer', {}).get('p99', float('nan')):.0f} ms)" if b else "none" for b in best]
        ratio = ""
        if len(labels) == 2:
            ratio = f" {best[0]['rate'] / best[1]['rate']:.2f} |" if all(best) else " – |"
        print(f"| {backend} | " + " | ".join(cells) + " |" + ratio)
