"""Public territory pages and commune lookup."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..core.page_cache import public_page
from ..core.params import InvalidParams, Param, parse_query
from ..core.sanitize import clean_line
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


# Declared like every page's parameters (core/params.py); empty, the search form is shown blank.
SEARCH_PARAMS = (Param("q", "Nom, code postal ou code INSEE", max_length=100, empty_means_all=True),)


@bp.route("/recherche")
def search():
    try:
        query = parse_query(SEARCH_PARAMS, request.args, strict=False)["q"] or ""
    except InvalidParams as refused:
        # The form again, holding what was typed, with why it searched nothing (not a bare 400 page).
        typed = request.args.get("q", "")
        message = (_("Tapez un nom de commune, un code postal ou un code INSEE : des espaces seuls ne cherchent rien.")
                   if typed and not typed.strip() else
                   _("Recherche refusée : %(reason)s.", reason=refused.problems[0]["reason"]))
        return render_template("territories/search.html", query=clean_line(typed)[:200], results=[],
                               error=message), 400
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
