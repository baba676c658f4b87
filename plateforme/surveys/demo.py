"""Demo perception surveys for `make run`: one published with illustrative answers, one open,
and a neighbouring territory's published survey on the same statements (the comparison page).

Every answer here is invented and the surveys say so in their titles and introductions.
Idempotent: a survey with the same title is not created twice.
"""
from __future__ import annotations

import random

from sqlalchemy import select

from ..extensions import db
from .definitions import create_from_definition
from .imports import import_answers, import_estimates
from .models import PerceptionSurvey
from .publication import publish
from .services import close_survey, open_survey

STATEMENTS = [
    {"key": "etudiants", "text": "La métropole devrait accueillir davantage d'étudiantes et d'étudiants étrangers.",
     "theme": "people"},
    {"key": "entreprises", "text": "Les entreprises étrangères installées ici sont une chance pour l'emploi local.",
     "theme": "capital"},
    {"key": "jumelages", "text": "Les jumelages et la coopération avec des villes étrangères sont utiles aux habitants.",
     "theme": "institutions"},
    {"key": "cuisine", "text": "Les cuisines venues d'ailleurs font partie de l'identité de notre territoire.",
     "theme": "gastronomy"},
]
# Illustrative chances of agreeing, by age band: residents more open than officials think.
AGREEMENT = {"18-29": 0.72, "30-44": 0.64, "45-59": 0.55, "60-74": 0.47, "75+": 0.40}
INTRODUCTION = ("**Données illustratives.** Ce questionnaire de démonstration montre comment la plateforme "
                "mesure l'écart entre l'opinion des habitantes et habitants et ce que les personnes élues "
                "en pensent. Les réponses sont inventées.")


def _paper_answers(communes, count: int, seed: int, shift: float = 0.0) -> bytes:
    rng = random.Random(seed)
    bands = list(AGREEMENT)
    weights = [c.population or 1 for c in communes]
    lines = ["sex,age_band,commune," + ",".join(s["key"] for s in STATEMENTS)]
    for _ in range(count):
        band = rng.choice(bands)
        commune = rng.choices(communes, weights)[0]
        cells = []
        for index, _statement in enumerate(STATEMENTS):
            chance = AGREEMENT[band] - 0.08 * index + shift
            roll = rng.random()
            cells.append(rng.choice("45") if roll < chance else ("dk" if roll > 0.95 else rng.choice("123")))
        lines.append(f"{rng.choice('FM')},{band},{commune.code},{','.join(cells)}")
    return ("\n".join(lines) + "\n").encode()


def _estimates(count: int, seed: int, centre: float = 38) -> bytes:
    rng = random.Random(seed)
    lines = [",".join(s["key"] for s in STATEMENTS)]
    for _ in range(count):
        lines.append(",".join(str(max(0, min(100, round(rng.gauss(centre - 4 * i, 10)))))
                              for i in range(len(STATEMENTS))))
    return ("\n".join(lines) + "\n").encode()


def _exists(title: str) -> bool:
    return db.session.execute(select(PerceptionSurvey.id).where(PerceptionSurvey.title == title)).first() is not None


def load_survey_demo(epci, communes, admin) -> None:
    published_title = "L'international et nous — vague 2025"
    if not _exists(published_title):
        survey = create_from_definition({
            "title": published_title, "territory": epci.code, "sampling_mode": "open",
            "opens_at": "2025-09-01", "closes_at": "2025-10-31", "introduction": INTRODUCTION,
            "conducted_by": "Métropole de Lyon (démonstration)", "statements": STATEMENTS,
            # The Métropole's council has 150 members; the demo has few verified mandates, and
            # 24 estimates "sur 1" would be an impossible count.
            "officials_total": 150,
        }, created_by=admin)
        open_survey(survey)
        import_answers(survey, _paper_answers(communes, 900, seed=2025), user=admin, filename="demo.csv")
        import_estimates(survey, _estimates(24, seed=2025), user=admin, filename="demo-elus.csv")
        close_survey(survey)
        publish(survey, published_by=admin)
    open_title = "L'international et nous — vague 2026"
    if not _exists(open_title):
        survey = create_from_definition({
            "title": open_title, "territory": epci.code, "sampling_mode": "open",
            "opens_at": "2026-09-01", "closes_at": "2027-06-30", "introduction": INTRODUCTION,
            "conducted_by": "Métropole de Lyon (démonstration)", "statements": STATEMENTS,
        }, created_by=admin)
        open_survey(survey)
    db.session.flush()


# The same statement keys, worded for an intercommunalité that is not a métropole: the
# comparison page says when wordings differ.
NEIGHBOUR_STATEMENTS = [dict(STATEMENTS[0], text="Notre territoire devrait accueillir davantage d'étudiantes et "
                                                 "d'étudiants étrangers."), *STATEMENTS[1:]]
NEIGHBOUR_TITLE = "L'international et nous — Est Lyonnais 2025 (données illustratives)"


def load_neighbour_survey_demo(epci, communes, admin) -> None:
    """The CC de l'Est Lyonnais's published survey: a second territory for the comparison
    page, a little less open than the Métropole, with its 12 officials closer to the mark."""
    if _exists(NEIGHBOUR_TITLE):
        return
    survey = create_from_definition({
        "title": NEIGHBOUR_TITLE, "territory": epci.code, "sampling_mode": "open",
        "opens_at": "2025-09-01", "closes_at": "2025-10-31", "introduction": INTRODUCTION,
        "conducted_by": "CC de l'Est Lyonnais (démonstration)", "statements": NEIGHBOUR_STATEMENTS,
        "officials_total": 40,
    }, created_by=admin)
    open_survey(survey)
    import_answers(survey, _paper_answers(communes, 420, seed=2026, shift=-0.07), user=admin,
                   filename="demo-est-lyonnais.csv")
    import_estimates(survey, _estimates(12, seed=2026, centre=44), user=admin, filename="demo-est-lyonnais-elus.csv")
    close_survey(survey)
    publish(survey, published_by=admin)
    db.session.flush()
