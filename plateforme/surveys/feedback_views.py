"""An official's private feedback page (feedback.py says how it stays unlinkable).

Only a person recorded as having answered the officials' questionnaire may open it; which
answer is theirs only the receipt tells, read from their browser's cookie or typed in a
POST form (never in a URL: access logs would keep it)."""
from __future__ import annotations

from flask import make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..core.permissions import can, deny, ensure
from ..core.rate_limits import rate_limited
from ..extensions import limiter
from . import bp
from .feedback import find_own_answer, keep_receipt, official_feedback, stored_receipt
from .forms import ReceiptForm
from .views import visible_survey


def _page(survey, *, form=None, feedback=None, published=True, cookie_unknown=False, status=200):
    response = make_response(render_template(
        "surveys/feedback.html", survey=survey, form=form or ReceiptForm(formdata=None), feedback=feedback,
        published=published, cookie_unknown=cookie_unknown), status)
    response.headers["Cache-Control"] = "no-store"  # personal: no shared or back-button cache
    return response


@bp.route("/<int:survey_id>/mon-retour", methods=["GET", "POST"])
@rate_limited(limiter.limit("20 per hour", methods=["POST"]))
def my_feedback(survey_id):
    survey = visible_survey(survey_id)
    if not current_user.is_authenticated:
        return deny("can_see_own_feedback")
    ensure("can_see_own_feedback", survey)
    if not can("can_see_results", survey):
        return _page(survey, published=False)
    if request.method == "POST":
        form = ReceiptForm()
        if not form.validate_on_submit():
            return _page(survey, form=form, status=400)
        answer = find_own_answer(survey, form.receipt.data)
        if answer is None:
            form.receipt.errors.append(_("Ce code ne correspond à aucune réponse de personne élue à ce questionnaire. "
                                         "Vérifiez-le (majuscules et minuscules comptent)."))
            return _page(survey, form=form, status=400)
        # Remembered in this browser, so the code need not be typed again here.
        return keep_receipt(_page(survey, feedback=official_feedback(survey, answer)), survey.id, current_user.id,
                            form.receipt.data)
    receipt = stored_receipt(request, survey.id, current_user.id)
    answer = find_own_answer(survey, receipt) if receipt else None
    if answer is None:
        return _page(survey, cookie_unknown=bool(receipt))
    return _page(survey, feedback=official_feedback(survey, answer))
