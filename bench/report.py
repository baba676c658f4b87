"""The tables bench/run.py prints: figures per scenario, their ratios, and the problems seen."""
from __future__ import annotations

from statistics import median


def summarise(results: list[dict], order: list[str], calm_steal: float = 0.05) -> list[dict]:
    """One row per scenario: the round whose ratio to the INSERT is the median (its req/s,
    latencies and CPU shares), with the lowest and highest ratio of all rounds, and the
    median of the calm rounds: those where the hypervisor took at most `calm_steal` of
    the CPUs during the figure and the INSERTs it is compared with."""
    rows = []
    for name in order:
        rounds = [r for r in results if r["scenario"] == name]
        if not rounds:
            continue
        ratios = [r["ratio_to_insert"] for r in rounds if r["ratio_to_insert"] is not None]
        calm = [r["ratio_to_insert"] for r in rounds if r["ratio_to_insert"] is not None
                and r.get("steal_with_inserts", 0) <= calm_steal]
        middle = median(ratios) if ratios else None
        chosen = min(rounds, key=lambda r: abs((r["ratio_to_insert"] or 0) - (middle or 0)))
        rows.append({**chosen, "rounds": len(rounds), "ratio_median": middle,
                     "ratio_calm_median": median(calm) if calm else None, "calm_rounds": len(calm),
                     "ratio_lowest": min(ratios) if ratios else None, "ratio_highest": max(ratios) if ratios else None,
                     "errors_all_rounds": sum(r["wrk"]["errors"] for r in rounds),
                     "check_ok": all(r["check_ok"] for r in rounds)})
    return rows


def _ms(value) -> str:
    return "—" if value is None else (f"{value:.2f}" if value < 100 else f"{value:.0f}")


def _ratio(value) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"


def _errors(wrk: dict) -> str:
    if not wrk["errors"]:
        return "0"
    parts = []
    if wrk["non_2xx_3xx"]:
        parts.append(f"{wrk['non_2xx_3xx']} non-2xx/3xx")
    parts += [f"{count} {kind}" for kind, count in wrk["socket_errors"].items() if count]
    return f"{wrk['errors']} ({', '.join(parts)})"


def table(report: dict) -> str:
    several = any(r["rounds"] > 1 for outcome in report["backends"].values() for r in outcome.get("summary", []))
    header = ["backend", "scenario", "req/s", "p50 ms", "p99 ms", "errors", "× INSERT",
              *(["calm rounds"] if several else []), "× ping", "CPU app/db/wrk/other/steal"]
    rows = []
    for backend, outcome in report["backends"].items():
        if "skipped" in outcome:
            rows.append([backend, "skipped (see below)"] + [""] * (len(header) - 2))
            continue
        for r in outcome["summary"]:
            wrk = r["wrk"]
            name = r["scenario"] + ("" if r["check_ok"] else f" [check: HTTP {r['check_status']}]")
            ratio = _ratio(r["ratio_median"])
            if r["rounds"] > 1 and r["ratio_lowest"] is not None:
                ratio += f" ({_ratio(r['ratio_lowest'])}–{_ratio(r['ratio_highest'])})"
            errors = _errors(wrk) if r["rounds"] == 1 else str(r["errors_all_rounds"])
            calm = [f"{_ratio(r['ratio_calm_median'])} ({r['calm_rounds']} of {r['rounds']})"] if several else []
            rows.append([backend, name, f"{wrk['requests_per_s']:.1f}", _ms(wrk["p50_ms"]), _ms(wrk["p99_ms"]),
                         errors, ratio, *calm, _ratio(r["ratio_to_ping"]),
                         "/".join(f"{r['cpu_share'].get(k, 0):.0%}"
                                  for k in ("server", "database", "wrk", "other", "steal"))])
    widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
    right = {2, 3, 4} | set(range(6, len(header)))

    def line(cells):
        return "| " + " | ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    separator = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2))
                               for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), separator] + [line(row) for row in rows])


# A figure minus the one it builds on: what the figure adds (bench/README, "seventh round").
_BUILDS_ON = {"baseline POST /insert": "baseline GET /ping", "POST comment": "POST floor",
              "POST support": "POST floor"}


def time_per_request(report: dict, workers: int) -> str:
    """For sync workers, each busy on one request at a time: the time a worker spends per
    request (workers ÷ requests/s), and what each posting figure adds to the one it builds
    on: the bare INSERT to the bare ping (one write), a comment or a support to the floor
    (the same POST with no debate work). Empty when the run lacks the figures."""
    lines = []
    for backend, outcome in report["backends"].items():
        per_request = {r["scenario"]: 1000 * workers / r["wrk"]["requests_per_s"]
                       for r in outcome.get("summary", []) if r["wrk"]["requests_per_s"]}
        parts = [f"{name} {per_request[name]:.2f} ms = {base} {per_request[base]:.2f} + "
                 f"{per_request[name] - per_request[base]:.2f}"
                 for name, base in _BUILDS_ON.items() if name in per_request and base in per_request]
        if parts:
            lines.append(f"- {backend}: " + "; ".join(parts))
    return "\n".join(lines)


def problems(report: dict) -> str:
    out = []
    for backend, outcome in report["backends"].items():
        if "skipped" in outcome:
            out.append(f"- {backend} skipped: {outcome['skipped']}")
        for r in outcome.get("results", []):
            found = r["log_problems"]
            if not r["check_ok"]:
                out.append(f"- {backend} / {r['scenario']}: check request answered HTTP {r['check_status']}: "
                           f"{r['check_excerpt'][:200]!r}")
            if found["tracebacks"] or found["messages"]:
                where = r["scenario"] + (f", round {r['round']}" if r.get("round", 1) > 1 else "")
                out.append(f"- {backend} / {where}: {found['tracebacks']} traceback(s) in the server log")
                for message, count in sorted(found["messages"].items(), key=lambda kv: -kv[1])[:8]:
                    out.append(f"    {count:>6} × {message}")
            if r["wrk"]["errors"]:
                out.append(f"- {backend} / {r['scenario']}: wrk errors: {_errors(r['wrk'])}")
    return "\n".join(out) if out else "none (no failed check, no wrk error, no traceback or error line in the logs)"


