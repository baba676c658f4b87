"""The comparison page: published surveys of different territories side by side
(comparison.py), chosen with a plain GET form."""
from __future__ import annotations

import re

from flask import render_template, request

from ..core.page_cache import public_page
from . import bp
from .comparison import ILLUSTRATIVE_MARK, MAX_SURVEYS, ComparisonError, comparable_surveys, compare, parse_survey_ids


@bp.route("/comparaison")
@public_page
def comparison():
    """?questionnaires=1,2 (an address anyone can share) or the form's repeated boxes; one
    survey or none is the form still being filled in, not an error."""
    values = request.args.getlist("questionnaires")
    result, error = None, None
    try:
        ids = parse_survey_ids(values)
        if len(ids) >= 2:
            result = compare(ids)
    except ComparisonError as refusal:
        error = str(refusal)
    # What was ticked stays ticked, even when the whole choice is refused.
    selected = {int(n) for value in values for n in re.findall(r"[0-9]{1,9}", value)}
    illustrative = [s for s in result.surveys if ILLUSTRATIVE_MARK in s.introduction] if result else []
    page = render_template("surveys/comparison.html", choices=comparable_surveys(), selected=selected, error=error,
                           comparison=result, illustrative=illustrative, max_surveys=MAX_SURVEYS)
    return page, 400 if error else 200
