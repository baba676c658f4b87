"""Public territory pages and commune lookup."""
from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import select

from ..core.page_cache import public_page
from ..extensions import db
from . import bp
from .margins import margins_for
from .models import AGE_BANDS, Territory, TerritoryKind
from .services import children_of, find_communes, get_territory


@bp.route("/")
def index():
    roots = db.session.execute(
        select(Territory).where(Territory.kind.in_([TerritoryKind.EPCI, TerritoryKind.DEPARTEMENT]))
        .order_by(Territory.kind, Territory.search_name, Territory.name)
    ).scalars().all()
    return render_template("territories/index.html", roots=roots)


@bp.route("/recherche")
def search():
    query = (request.args.get("q") or "").strip()[:100]
    results = find_communes(query, limit=50) if query else []
    return render_template("territories/search.html", query=query, results=results)


@bp.route("/<kind>/<code>")
@public_page
def show(kind, code):
    territory = get_territory(kind, code) or abort(404)
    children = children_of(territory)
    margins = margins_for([territory] + children) if territory.kind != TerritoryKind.REGION else []
    totals: dict[tuple[str, str], int] = {}
    for margin in margins:
        key = (margin.sex.value, margin.age_band)
        totals[key] = totals.get(key, 0) + margin.count
    return render_template("territories/show.html", territory=territory, children=children,
                           margin_totals=totals, age_bands=AGE_BANDS,
                           communes_with_margins=len({m.territory_id for m in margins}),
                           wave_charts=_wave_charts(territory))


def _wave_charts(territory) -> list[dict]:
    """Each series of published survey waves on the territory, as a chart. Imported here:
    surveys sit above territories (their models import ours)."""
    from ..surveys.wave_presentation import series_chart
    from ..surveys.waves import territory_wave_series

    return [series_chart(series) for series in territory_wave_series(territory)]
