"""How the residents' own estimates read on the results page (residents_estimates.py computes
them). Drawn from the snapshot alone; snapshots published before the figure lack it, and
then nothing here says anything."""
from __future__ import annotations

from flask_babel import gettext as _, ngettext

from .presentation import _half_up
from .residents_estimates import estimate_summary


def has_residents_estimates(statements: list[dict]) -> bool:
    """Whether this version publishes the figure at all (older versions do not)."""
    return any("residents_estimate" in s for s in statements)


def residents_estimates_published(statements: list[dict]) -> bool:
    """Whether at least one statement's mean estimate is published (not suppressed)."""
    return any(not (s.get("residents_estimate") or {"suppressed": True})["suppressed"] for s in statements)


def estimates_headline(statements: list[dict]) -> str:
    """One sentence: do residents, too, underestimate their neighbours? The mean paired gap
    (estimate − own agreement, per respondent), and for how many statements its interval
    lies below or above zero. It says residents under- or overestimate only when at least one
    interval lies on that side of zero, and « aussi » only when the officials underestimate
    too. Empty when no paired gap is published."""
    summary = estimate_summary(statements)
    if summary is None:
        return ""
    n = _half_up(summary["mean"] * 100)
    total = summary["statements"]
    # The verb says which way residents err only when at least one interval backs it; « aussi »
    # only when the officials, too, underestimate on average (their published gaps).
    gaps = [s["gap"]["value"] for s in statements if (s.get("gap") or {}).get("value") is not None]
    officials_under = bool(gaps) and sum(gaps) < 0
    if n < 0 and summary["below"]:
        first = (ngettext("Les habitants aussi sous-estiment l'adhésion de leurs voisins : leur estimation est en "
                          "moyenne %(num)s point sous la part réelle",
                          "Les habitants aussi sous-estiment l'adhésion de leurs voisins : leur estimation est en "
                          "moyenne %(num)s points sous la part réelle", -n) if officials_under else
                 ngettext("Les habitants sous-estiment l'adhésion de leurs voisins : leur estimation est en "
                          "moyenne %(num)s point sous la part réelle",
                          "Les habitants sous-estiment l'adhésion de leurs voisins : leur estimation est en "
                          "moyenne %(num)s points sous la part réelle", -n))
    elif n > 0 and summary["above"]:
        first = ngettext("Les habitants surestiment l'adhésion de leurs voisins : leur estimation est en moyenne "
                         "%(num)s point au-dessus de la part réelle",
                         "Les habitants surestiment l'adhésion de leurs voisins : leur estimation est en moyenne "
                         "%(num)s points au-dessus de la part réelle", n)
    elif n < 0:
        first = ngettext("En moyenne, l'estimation des habitants est %(num)s point sous la part réelle",
                         "En moyenne, l'estimation des habitants est %(num)s points sous la part réelle", -n)
    elif n > 0:
        first = ngettext("En moyenne, l'estimation des habitants est %(num)s point au-dessus de la part réelle",
                         "En moyenne, l'estimation des habitants est %(num)s points au-dessus de la part réelle", n)
    else:
        first = _("Les habitants estiment l'adhésion de leurs voisins à moins d'un point près, en moyenne")
    below = ngettext("la sous-estimation est nette (l'intervalle de l'écart est entièrement sous zéro) pour "
                     "%(num)s affirmation sur %(total)s",
                     "la sous-estimation est nette (l'intervalle de l'écart est entièrement sous zéro) pour "
                     "%(num)s affirmations sur %(total)s", summary["below"], total=total)
    sentence = _("%(first)s ; %(second)s", first=first, second=below)
    if summary["above"]:
        sentence += ngettext(" ; la surestimation est nette pour %(num)s affirmation",
                             " ; la surestimation est nette pour %(num)s affirmations", summary["above"])
    return sentence + "."


def paired_verdict(paired: dict) -> str:
    """A statement's paired gap in words: clear under- or overestimate, or not distinguishable."""
    if paired.get("value") is None:
        return ""
    if paired["ci_high"] < 0:
        return _("sous-estimation nette")
    if paired["ci_low"] > 0:
        return _("surestimation nette")
    return _("pas d'écart net (l'intervalle comprend zéro)")


def register(state) -> None:
    """Blueprint hook: the helpers of templates/surveys/_residents_estimates.html."""
    state.app.jinja_env.globals.update(
        survey_has_residents_estimates=has_residents_estimates,
        survey_residents_estimates_published=residents_estimates_published,
        survey_estimates_headline=estimates_headline,
        survey_paired_verdict=paired_verdict,
    )
