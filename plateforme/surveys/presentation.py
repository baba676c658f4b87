"""How survey figures and states read on the pages: labels, rounding, the chart's geometry.

No queries here: the results page is drawn from the frozen snapshot alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_decimal, gettext as _, lazy_gettext as _l, ngettext, pgettext

from ..core.i18n import format_day
from ..core.i18n import whole_percent
from ..core.models import local_today
from .mixing import MIX_BATCH
from .models import SamplingMode
from .status import survey_status

# The order residents see; values are ANSWER_ALPHABET codes.
ANSWER_LABELS = {
    "5": _l("Tout à fait d'accord"),
    "4": _l("Plutôt d'accord"),
    "3": _l("Ni d'accord ni pas d'accord"),
    "2": _l("Plutôt pas d'accord"),
    "1": _l("Pas du tout d'accord"),
    "d": _l("Ne sait pas"),
}
# "X": the respondent prefers not to say; weighting.py says how such answers are weighted.
SEX_LABELS = {"F": _l("Femme"), "M": _l("Homme"), "X": _l("Je préfère ne pas répondre")}
AGE_BAND_LABELS = {
    "18-29": _l("18 à 29 ans"), "30-44": _l("30 à 44 ans"), "45-59": _l("45 à 59 ans"),
    "60-74": _l("60 à 74 ans"), "75+": _l("75 ans ou plus"),
}
SAMPLING_MODE_LABELS = {
    SamplingMode.OPEN: _l("en ligne, échantillon spontané"),
    SamplingMode.PANEL: _l("panel avec codes d'invitation"),
}
CHANNEL_LABELS = {"online": _l("en ligne"), "panel": _l("en ligne avec un code d'invitation"),
                  "paper": _l("sur papier (saisi par l'équipe)")}
# Who imported a file, as the import log keeps it (a role code, never a person: imports.importer_role).
IMPORTER_LABELS = {"admin": _l("Administration de la plateforme"), "manager": _l("Gestion du questionnaire"),
                   "cli": _l("Ligne de commande (exploitation)")}
WEIGHTING_VARIABLE_LABELS = {"sex": _l("sexe"), "age_band": _l("tranche d'âge"), "commune": _l("commune")}
RESIDENT_QUESTION = _l("Êtes-vous d'accord avec l'affirmation suivante ?")
RESIDENT_ESTIMATE_QUESTION = _l("Sur 100 habitants de votre territoire, combien sont d'accord selon vous ?")
OFFICIAL_QUESTION = _l("Sur 100 habitants de votre territoire, combien sont d'accord ?")


def survey_phase(survey, today: date) -> str:
    """Where the survey stands for a visitor, as one word (status.py decides)."""
    return survey_status(survey, today).state.value


def iso_date(value: str) -> str:
    """A date stored as YYYY-MM-DD in a snapshot, in the reader's locale."""
    return format_day(date.fromisoformat(value), "long")


def weighting_variables_label(variables: list[str]) -> str:
    return ", ".join(str(WEIGHTING_VARIABLE_LABELS.get(v, v)) for v in variables)


def weighting_reason_label(reason: str | None) -> str:
    if not reason:
        return ""
    if reason == "missing_margins":
        return _("les marges de population du territoire (sexe, âge, commune) ne sont pas toutes connues")
    if reason == "no_respondents":
        return _("aucune réponse d'habitant")
    if reason.startswith("raking_failed"):
        return _("le calage sur les marges n'a pas abouti (marges incohérentes ou catégories sans répondant)")
    return reason


# --- numbers as read ---------------------------------------------------------------

def _half_up(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pct(value) -> str:
    """A share as a whole percentage: no false precision on a share with a wide interval."""
    if value is None:
        return "—"
    return whole_percent(_half_up(value * 100) / 100)


def points(value, signed: bool = True) -> str:
    """A difference of shares in whole percentage points, signed with a true minus sign."""
    if value is None:
        return "—"
    n = _half_up(value * 100)
    sign = "+" if signed and n > 0 else ("−" if n < 0 else "")
    return ngettext("%(sign)s%(num)s point", "%(sign)s%(num)s points", abs(n), sign=sign)


def bound_points(value) -> str:
    """An interval's bound in points, as `points` writes it, except a bound that is not zero
    but rounds to it: one decimal then (« −0,4 point »), so that « l'intervalle exclut zéro »
    never sits beside a bound that reads « 0 point »."""
    if value is None or value == 0 or _half_up(value * 100) != 0:
        return points(value)
    sign = "+" if value > 0 else "−"
    tenths = abs(float(Decimal(str(value * 100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)))
    if tenths == 0:
        tenths = 0.1  # closer to zero than a tenth: still on its side of zero
    # Always under half a point: singular in French, plural in English (a context of its own,
    # apart from the plural entry of `points`).
    return pgettext("borne d'intervalle", "%(sign)s%(num)s point", sign=sign, num=format_decimal(tenths, "0.0"))


def whole(value) -> str:
    return "—" if value is None else format_decimal(_half_up(value))


def decimal2(value) -> str:
    return "—" if value is None else format_decimal(value, "#,##0.00")


def suppressed_label(threshold: int) -> str:
    return ngettext("non publié (moins de %(num)s réponse)", "non publié (moins de %(num)s réponses)", threshold)


# --- the chart's title and geometry ----------------------------------------------------

def finding_title(statements: list[dict]) -> str:
    """The chart says one thing: how far officials' estimates are from residents' answers.

    Across statements, the mean *absolute* gap (signed gaps of opposite signs would cancel
    and read "within a point" while each is large), with how many statements' gap intervals
    exclude zero. A single statement keeps its direction. Old snapshots lack the summary
    key: everything here is recomputed from the statements."""
    gaps = [s["gap"] for s in statements if s["gap"]["value"] is not None]
    if not gaps:
        return _("Estimations des élus et adhésion des habitants, affirmation par affirmation")
    if len(gaps) == 1:
        n = _half_up(gaps[0]["value"] * 100)
        if n < 0:
            return ngettext("Les élus sous-estiment l'adhésion des habitants de %(num)s point",
                            "Les élus sous-estiment l'adhésion des habitants de %(num)s points", -n)
        if n > 0:
            return ngettext("Les élus surestiment l'adhésion des habitants de %(num)s point",
                            "Les élus surestiment l'adhésion des habitants de %(num)s points", n)
        return _("Les élus estiment l'adhésion des habitants à moins d'un point près")
    n = _half_up(sum(abs(g["value"]) for g in gaps) / len(gaps) * 100)
    clear = sum(1 for g in gaps if g["ci_low"] is not None and (g["ci_low"] > 0 or g["ci_high"] < 0))
    first = ngettext("Les estimations des élus s'écartent de l'adhésion des habitants de %(num)s point en moyenne, "
                     "dans un sens ou dans l'autre",
                     "Les estimations des élus s'écartent de l'adhésion des habitants de %(num)s points en moyenne, "
                     "dans un sens ou dans l'autre", n)
    second = ngettext("l'écart est net (son intervalle exclut zéro) pour %(num)s affirmation sur %(total)s",
                      "l'écart est net (son intervalle exclut zéro) pour %(num)s affirmations sur %(total)s",
                      clear, total=len(gaps))
    return _("%(first)s ; %(second)s", first=first, second=second)


CHART_WIDTH = 720
AXIS_LEFT = 40
AXIS_RIGHT = 680
ROW_HEIGHT = 120
CHART_TOP = 70


@dataclass
class ChartRow:
    key: str
    label: str
    top: int
    axis_y: int
    band: tuple[float, float] | None      # x of the residents' interval
    point: float | None                    # x of residents' agreement
    resident_text: str
    mean: float | None                     # x of officials' mean estimate
    median: float | None
    official_text: str

    @staticmethod
    def anchor(x: float | None) -> str:
        """Keep labels inside the drawing near the ends of the axis."""
        if x is None:
            return "start"
        if x < AXIS_LEFT + 120:
            return "start"
        return "end" if x > AXIS_RIGHT - 120 else "middle"


def _x(share: float) -> float:
    return round(AXIS_LEFT + (AXIS_RIGHT - AXIS_LEFT) * min(max(share, 0.0), 1.0), 1)


def _short(text: str, limit: int = 85) -> str:
    """A statement as a label before « : »: shortened, without its final full stop (« …étrangers : 59 % »,
    never « …étrangers. : 59 % »)."""
    text = text.rstrip().rstrip(".")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chart_rows(statements: list[dict], thresholds: dict) -> list[ChartRow]:
    rows = []
    for index, statement in enumerate(statements):
        residents, officials = statement["residents"], statement["officials"]
        top = CHART_TOP + index * ROW_HEIGHT
        if residents["agree"] is None:
            resident_text = _("Habitants : %(value)s", value=suppressed_label(thresholds["min_residents"]))
            band = point = None
        else:
            resident_text = _("Habitants : %(value)s d'accord", value=pct(residents["agree"]))
            band = (_x(residents["ci_low"]), _x(residents["ci_high"]))
            point = _x(residents["agree"])
        if officials["mean_estimate"] is None:
            official_text = _("Élus : %(value)s", value=suppressed_label(thresholds["min_officials"]))
            mean = median = None
        else:
            mean = _x(officials["mean_estimate"])
            if officials["median_estimate"] is None:  # fewer than 5 officials: the mean alone
                official_text = _("Élus : moyenne %(mean)s", mean=pct(officials["mean_estimate"]))
                median = None
            else:
                official_text = _("Élus : moyenne %(mean)s, médiane %(median)s",
                                  mean=pct(officials["mean_estimate"]), median=pct(officials["median_estimate"]))
                median = _x(officials["median_estimate"])
        rows.append(ChartRow(key=statement["key"], label=_short(statement["text"]),
                             top=top, axis_y=top + 50, band=band, point=point, resident_text=resident_text,
                             mean=mean, median=median, official_text=official_text))
    return rows


def chart_description(statements: list[dict], thresholds: dict) -> str:
    """The chart in words, for screen readers (the data table follows it)."""
    parts = []
    for statement in statements:
        residents, officials = statement["residents"], statement["officials"]
        if residents["agree"] is None:
            said = _("%(key)s : part des habitants d'accord non publiée", key=_short(statement["text"]))
        else:
            said = _("%(key)s : %(agree)s des habitants d'accord (intervalle de %(low)s à %(high)s)",
                     key=_short(statement["text"]), agree=pct(residents["agree"]), low=pct(residents["ci_low"]),
                     high=pct(residents["ci_high"]))
        if officials["mean_estimate"] is not None:
            said += _(" ; estimation moyenne des élus : %(mean)s", mean=pct(officials["mean_estimate"]))
        parts.append(said)
    return ". ".join(parts) + "."


def chart_ticks() -> list[tuple[float, str]]:
    """Gridlines of the 0–100 % axis: (x, label)."""
    return [(_x(t / 100), pct(t / 100)) for t in (0, 25, 50, 75, 100)]


def chart_height(statements: list[dict]) -> int:
    return CHART_TOP + ROW_HEIGHT * len(statements) + 30


def register_template_helpers(state) -> None:
    """Blueprint hook: the helpers every survey template uses."""
    state.app.jinja_env.globals.update(
        survey_date=iso_date, survey_pct=pct, survey_points=points, survey_bound=bound_points,
        survey_whole=whole, survey_decimal2=decimal2,
        survey_suppressed=suppressed_label, survey_weighting_reason=weighting_reason_label,
        survey_weighting_variables=weighting_variables_label,
        survey_state=lambda survey: survey_status(survey, local_today()),
        sampling_mode_label=lambda mode: SAMPLING_MODE_LABELS[SamplingMode(mode)],
        answer_labels=ANSWER_LABELS, channel_labels=CHANNEL_LABELS, survey_mix_batch=MIX_BATCH,
        # Rows written before the role codes, or any unknown value, read as the neutral label.
        importer_label=lambda code: IMPORTER_LABELS.get(code, IMPORTER_LABELS["manager"]),
    )
