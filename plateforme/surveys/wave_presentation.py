"""How the changes between waves read: the section's title, one careful sentence per
statement, and the territory page's chart of the waves in order. No queries here."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _, ngettext

from .presentation import _half_up, _short, bound_points, points
from .wave_changes import sign_changed


def _flipped(gap: dict) -> bool:
    return sign_changed(gap)


def changes_title(summary: dict, statements: list[dict] | None = None) -> str:
    """The section says one thing: for how many statements the officials' estimates came
    nearer the residents' answers, and for how many of those the change is clear (with
    `statements`, a gap that changed sign is not counted clear, as `gap_verdict` says)."""
    total = summary["gaps_compared"]
    clear = summary["closer_excluding_zero"]  # sign kept, change's interval excluding zero
    if not total:
        return _("Évolution depuis la vague précédente")
    first = ngettext("Depuis la vague précédente, les estimations des élus se sont rapprochées de l'avis des "
                     "habitants pour %(num)s affirmation sur %(total)s",
                     "Depuis la vague précédente, les estimations des élus se sont rapprochées de l'avis des "
                     "habitants pour %(num)s affirmations sur %(total)s", summary["closer"], total=total)
    if not summary["closer"]:
        return first
    if statements is None:
        second = ngettext("l'intervalle de la variation de l'écart exclut zéro pour %(num)s d'entre elles",
                          "l'intervalle de la variation de l'écart exclut zéro pour %(num)s d'entre elles",
                          clear)
    else:
        second = ngettext("le rapprochement est net pour %(num)s d'entre elles (l'intervalle de la variation "
                          "de l'écart exclut zéro, sans que l'écart change de sens)",
                          "le rapprochement est net pour %(num)s d'entre elles (l'intervalle de la variation "
                          "de l'écart exclut zéro, sans que l'écart change de sens)", clear)
    return _("%(first)s ; %(second)s", first=first, second=second)


def gap_verdict(gap: dict) -> str:
    """Whether the officials' mean estimate is nearer the residents' share than at the
    previous wave, said no more strongly than the change's interval allows."""
    if gap["suppressed"]:
        return _("non publié : l'écart est masqué dans l'une des deux vagues (trop peu de réponses)")
    if gap["change"] is None:
        return _("sans objet")
    values = {"before": points(gap["previous"]), "now": points(gap["current"])}
    # A gap that changed sign: the change's interval excluding zero says the gap moved, not
    # that it shrank (or grew) in absolute value, which is what « closer » means.
    flipped = _flipped(gap)
    if gap["closer"] is None:
        said = _("écart inchangé en valeur absolue (%(before)s, puis %(now)s)", **values)
    elif flipped and gap["closer"]:
        said = _("plus proches en apparence : l'écart passe de %(before)s à %(now)s ; l'intervalle de sa "
                 "variation ne dit pas s'il est vraiment plus petit en valeur absolue", **values)
    elif flipped:
        said = _("plus éloignées en apparence : l'écart passe de %(before)s à %(now)s ; l'intervalle de sa "
                 "variation ne dit pas s'il est vraiment plus grand en valeur absolue", **values)
    elif gap["closer"] and gap["excludes_zero"]:
        said = _("plus proches de l'avis des habitants : l'écart passe de %(before)s à %(now)s, et l'intervalle "
                 "de sa variation exclut zéro", **values)
    elif gap["closer"]:
        said = _("plus proches en apparence : l'écart passe de %(before)s à %(now)s, mais l'intervalle de sa "
                 "variation comprend zéro ; ce rapprochement peut tenir au seul hasard de l'échantillonnage",
                 **values)
    elif gap["excludes_zero"]:
        said = _("plus éloignées de l'avis des habitants : l'écart passe de %(before)s à %(now)s, et "
                 "l'intervalle de sa variation exclut zéro", **values)
    else:
        said = _("plus éloignées en apparence : l'écart passe de %(before)s à %(now)s, mais l'intervalle de sa "
                 "variation comprend zéro ; cet éloignement peut tenir au seul hasard de l'échantillonnage",
                 **values)
    if flipped:
        said = _("%(said)s (l'écart a changé de sens : les élus %(direction)s désormais l'adhésion des "
                 "habitants)", said=said, direction=_("surestiment") if gap["current"] > 0 else _("sous-estiment"))
    return said


# --- the territory page: each series of waves on a small chart -------------------------

CHART_WIDTH = 640
PLOT_RIGHT = 520
PLOT_TOP, PLOT_BOTTOM = 60, 260
MARKERS = ("circle", "square", "triangle", "diamond")
MARKER_STEP = 6        # lines are shifted sideways by this much each, so that their intervals do not hide each other
MARKER_HALF = 6        # a marker's half width
TICK_CHAR_WIDTH = 8.0  # a tick label's character at 13 px, with room (Chromium draws "−40 points" in 72 px)


@dataclass
class WavePoint:
    x: float
    y: float | None          # None: the gap is not published for this wave
    low: float | None
    high: float | None
    text: str                # as the data table says it


@dataclass
class WaveLine:
    number: int
    key: str
    label: str
    marker: str
    points: list[WavePoint]
    dx: float = 0.0          # its sideways shift (MARKER_STEP)


def _gap_text(gap: dict | None) -> str:
    if gap is None:
        return _("absente de cette vague")
    if gap["value"] is None:
        return _("non publié")
    return _("%(value)s (%(low)s à %(high)s)", value=points(gap["value"]), low=bound_points(gap["ci_low"]),
             high=bound_points(gap["ci_high"]))


def series_chart(series) -> dict:
    """Geometry of one series' chart: x = the waves in order, y = the gap in points (zero
    line drawn), one line per statement key with its 95 % intervals; a hidden gap breaks
    the line and says so in the table, never drawn as zero."""
    keys: dict[str, str] = {}
    for wave in series:
        for statement in wave.data["statements"]:
            keys.setdefault(statement["key"], statement["text"])
    gaps = [{s["key"]: s["gap"] for s in wave.data["statements"]} for wave in series]
    drawn = [g[k] for g in gaps for k in g if g[k]["value"] is not None]
    extent = max([0.1] + [max(abs(g["ci_low"]), abs(g["ci_high"])) for g in drawn])
    extent = min(1.0, -(-_half_up(extent * 100) // 10) * 10 / 100)  # up to the next 10 points

    def y(value):
        return round(PLOT_TOP + (PLOT_BOTTOM - PLOT_TOP) * (extent - value) / (2 * extent), 1)

    ticks = [(y(v / 100), points(v / 100)) for v in range(-_half_up(extent * 100), _half_up(extent * 100) + 1,
                                                          max(10, _half_up(extent * 100) // 2))]
    # The plot starts where the longest tick label and the first wave's shifted markers fit:
    # a fixed margin cut the minus sign off "−20 points", which then read as above zero.
    spread = MARKER_STEP * (len(keys) - 1) / 2
    tick_x = round(max(len(label) for _y, label in ticks) * TICK_CHAR_WIDTH, 1)
    plot_left = round(tick_x + 8 + spread + MARKER_HALF, 1)
    step = (PLOT_RIGHT - plot_left) / max(1, len(series) - 1)

    lines = []
    for number, (key, text) in enumerate(keys.items(), 1):
        line_points = []
        for index, wave_gaps in enumerate(gaps):
            gap = wave_gaps.get(key)
            shown = gap is not None and gap["value"] is not None
            line_points.append(WavePoint(
                x=round(plot_left + step * index, 1), y=y(gap["value"]) if shown else None,
                low=y(gap["ci_low"]) if shown else None, high=y(gap["ci_high"]) if shown else None,
                text=_gap_text(gap)))
        lines.append(WaveLine(number, key, _short(text), MARKERS[(number - 1) % len(MARKERS)], line_points,
                              dx=MARKER_STEP * (number - (len(keys) + 1) / 2)))
    waves = [{"x": round(plot_left + step * i, 1), "label": _wave_year(w), "title": w.survey.title,
              "survey_id": w.survey.id, "version": w.publication.version,
              "mean_absolute_gap": (w.data.get("summary") or {}).get("mean_absolute_gap")}
             for i, w in enumerate(series)]
    first, last = waves[0]["mean_absolute_gap"], waves[-1]["mean_absolute_gap"]
    if first is not None and last is not None:
        title = _("Écart moyen entre élus et habitants, en valeur absolue : %(first)s à la première vague, "
                  "%(last)s à la dernière", first=points(first, signed=False), last=points(last, signed=False))
    else:
        title = _("Écart entre élus et habitants, vague après vague")
    return {"title": title, "lines": lines, "waves": waves, "ticks": ticks, "zero": y(0.0),
            "height": PLOT_BOTTOM + 50 + 22 * len(lines), "width": CHART_WIDTH,
            "plot": (plot_left, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM), "tick_x": tick_x}


def _wave_year(wave) -> str:
    """A wave's label on the axis: the year its answers were collected until."""
    info = wave.data["survey"]
    return (info.get("collected_until") or info["closes_at"])[:4]
