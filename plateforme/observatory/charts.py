"""Chart geometry for indicator pages: inline SVG drawn by the template, no JavaScript.

Each chart says one thing, in its title; its description repeats the figures in words for
screen readers, and the data table beside it holds every value. No queries here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import format_decimal, gettext as _, ngettext

from ..core.i18n import quantity, semicolon_list, whole_percent

WIDTH = 720
LEFT, RIGHT, TOP = 90, 690, 30
PLOT_HEIGHT = 220
BAR_LABEL_WIDTH = 190
BAR_ROW = 28


def number(value) -> str:
    """A value as read in the reader's locale, without false precision."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return format_decimal(int(value))
    return format_decimal(round(value, 2), "#,##0.##")


def _nice_ceiling(value: float) -> float:
    """1, 2, 2.5 or 5 × 10^k at or above `value`, for an axis that reads easily."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10 ** exponent
        if candidate >= value:
            return candidate
    return 10 ** (exponent + 1)


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class Point:
    x: float
    y: float
    period: int
    value: float
    label: str
    partial: bool  # summed from communes with some missing: drawn hollow, said in words


@dataclass
class LineChart:
    title: str
    description: str
    height: int
    points: list[Point]
    y_ticks: list[Tick]
    baseline: float
    path: str


def line_chart(name: str, unit: str, territory_name: str, series) -> LineChart | None:
    """Values over time for one territory; None when there is nothing to draw."""
    if not series:
        return None
    top = _nice_ceiling(max(max(p.value for p in series), 0))
    bottom = min(0.0, min(p.value for p in series))
    span = (top - bottom) or 1.0
    step = (RIGHT - LEFT) / max(len(series) - 1, 1)
    points = []
    for index, point in enumerate(series):
        x = LEFT + (step * index if len(series) > 1 else (RIGHT - LEFT) / 2)
        y = TOP + PLOT_HEIGHT * (1 - (point.value - bottom) / span)
        partial = bool(point.aggregate and point.aggregate.missing)
        points.append(Point(round(x, 1), round(y, 1), point.period, point.value, number(point.value), partial))
    ticks = [Tick(round(TOP + PLOT_HEIGHT * (1 - i / 4), 1), number(bottom + span * i / 4)) for i in range(5)]
    baseline = round(TOP + PLOT_HEIGHT * (1 - (0 - bottom) / span), 1)
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))
    first, last = series[0], series[-1]
    incomplete = any(p.aggregate and p.aggregate.missing for p in (first, last))
    if len(series) > 1 and incomplete:
        # Sums over different sets of communes: no percentage change between them (it read "+26 %"
        # where communes were missing, audit 19); the note below says which sum is incomplete.
        title = _("%(name)s, %(territory)s : de %(first)s en %(y1)s à %(last)s en %(y2)s",
                  name=name, territory=territory_name, first=number(first.value), y1=first.period,
                  last=number(last.value), y2=last.period)
    elif len(series) > 1 and first.value:
        change = (last.value - first.value) / abs(first.value)
        title = _("%(name)s, %(territory)s : de %(first)s en %(y1)s à %(last)s en %(y2)s (%(change)s)",
                  name=name, territory=territory_name, first=number(first.value), y1=first.period,
                  last=number(last.value), y2=last.period,
                  change=("+" if change > 0 else "") + whole_percent(change))
    else:
        title = _("%(name)s, %(territory)s : %(value)s en %(year)s", name=name, territory=territory_name,
                  value=number(last.value), year=last.period)
    partial = [p for p in (first, last) if p.aggregate and p.aggregate.missing and p.period is not None]
    if partial:
        # The sum lacks communes: say so in the title, or a fall could be read where data is missing.
        point = partial[-1]
        title += " — " + ngettext("somme incomplète en %(year)s (%(num)s commune sur %(total)s)",
                                  "somme incomplète en %(year)s (%(num)s communes sur %(total)s)",
                                  point.aggregate.reporting, year=point.period, total=point.aggregate.expected)
    words = [_("%(year)s : %(figure)s", year=p.period, figure=quantity(p.value, unit, number(p.value))) for p in series]
    description = semicolon_list(words) + "."
    if any(p.partial for p in points):
        description += " " + _("Les points creux sont des sommes incomplètes : des communes n'ont pas de valeur.")
    return LineChart(title=title, description=description, height=TOP + PLOT_HEIGHT + 50, points=points,
                     y_ticks=ticks, baseline=baseline, path=path)


@dataclass
class Bar:
    y: float
    width: float
    name: str
    label: str


@dataclass
class BarChart:
    title: str
    description: str
    height: int
    bars: list[Bar]
    label_width: int
    bar_left: int
    missing: int


def bar_chart(name: str, unit: str, year: int, rows) -> BarChart | None:
    """Values across the communes for one year, largest first; communes without a value are
    not drawn (they are listed, and in the table, as missing — never shown as zero)."""
    present = sorted(((commune, value.value) for commune, value in rows if value is not None),
                     key=lambda item: (-item[1], item[0].search_name))
    if not present:
        return None
    top = _nice_ceiling(max(max(v for _c, v in present), 0)) or 1.0
    bar_left = BAR_LABEL_WIDTH + 10
    usable = WIDTH - bar_left - 90
    bars = [Bar(y=TOP + index * BAR_ROW, width=round(max(v, 0) / top * usable, 1), name=commune.name,
                label=number(v)) for index, (commune, v) in enumerate(present)]
    missing = len(rows) - len(present)
    leader, value = present[0]
    title = _("%(name)s en %(year)s : %(leader)s en tête avec %(value)s", name=name, year=year,
              leader=leader.name, value=number(value))
    description = ngettext("%(num)s commune renseignée sur %(total)s.", "%(num)s communes renseignées sur %(total)s.",
                           len(present), total=len(rows))
    amounts = [(c.name, quantity(v, unit, number(v))) for c, v in present]
    description += " " + semicolon_list(_("%(label)s : %(message)s", label=commune, message=amount)
                                        for commune, amount in amounts) + "."
    return BarChart(title=title, description=description, height=TOP + len(bars) * BAR_ROW + 20, bars=bars,
                    label_width=BAR_LABEL_WIDTH, bar_left=bar_left, missing=missing)
