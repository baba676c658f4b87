"""Demo perception surveys for `make run`: two published waves with illustrative answers
(2024, then 2025, whose results show what changed), a third wave open, and a neighbouring
territory's published survey on the same statements (the comparison page).

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
from .waves import set_previous_wave

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
# The 2024 wave asked about languages, dropped in 2025; the cuisine statement is new in 2025.
STATEMENTS_2024 = STATEMENTS[:3] + [
    {"key": "langues", "text": "Les écoles devraient proposer davantage de langues étrangères dès le primaire.",
     "theme": "ideas"},
]
# Illustrative chances of agreeing, by age band: residents more open than officials think.
AGREEMENT = {"18-29": 0.72, "30-44": 0.64, "45-59": 0.55, "60-74": 0.47, "75+": 0.40}
# Illustrative too: residents' own estimates sit this many points under their chance of agreeing.
RESIDENTS_UNDERESTIMATE = 12
INTRODUCTION = ("**Données illustratives.** Ce questionnaire de démonstration montre comment la plateforme "
                "mesure l'écart entre l'opinion des habitantes et habitants et ce que les personnes élues "
                "en pensent. Les réponses sont inventées.")


def _paper_answers(communes, count: int, seed: int, statements=STATEMENTS, shift: float = 0.0) -> bytes:
    rng = random.Random(seed)
    bands = list(AGREEMENT)
    weights = [c.population or 1 for c in communes]
    lines = ["sex,age_band,commune," + ",".join(s["key"] for s in statements) + ","
             + ",".join(f"estimate_{s['key']}" for s in statements)]
    for _ in range(count):
        band = rng.choice(bands)
        commune = rng.choices(communes, weights)[0]
        cells, guesses = [], []
        for index, _statement in enumerate(statements):
            chance = AGREEMENT[band] - 0.08 * index + shift
            roll = rng.random()
            cells.append(rng.choice("45") if roll < chance else ("dk" if roll > 0.95 else rng.choice("123")))
            # Residents' own estimate of how many agree (optional): they, too, think their
            # neighbours less open than they are, by about RESIDENTS_UNDERESTIMATE points.
            guess = "" if rng.random() < 0.2 else str(max(0, min(100, round(rng.gauss(
                100 * chance - RESIDENTS_UNDERESTIMATE, 15)))))
            guesses.append(guess)
        lines.append(f"{rng.choice('FM')},{band},{commune.code},{','.join(cells)},{','.join(guesses)}")
    return ("\n".join(lines) + "\n").encode()


def _estimates(count: int, seed: int, statements=STATEMENTS, mean: float = 38) -> bytes:
    rng = random.Random(seed)
    lines = [",".join(s["key"] for s in statements)]
    for _ in range(count):
        lines.append(",".join(str(max(0, min(100, round(rng.gauss(mean - 4 * i, 10)))))
                              for i in range(len(statements))))
    return ("\n".join(lines) + "\n").encode()


def _exists(title: str) -> bool:
    return db.session.execute(select(PerceptionSurvey.id).where(PerceptionSurvey.title == title)).first() is not None


def _survey_titled(title: str) -> PerceptionSurvey | None:
    return db.session.execute(select(PerceptionSurvey).where(PerceptionSurvey.title == title)).scalar_one_or_none()


def _follow(survey: PerceptionSurvey, previous_title: str) -> None:
    """Declare the draft `survey` the next wave of the survey titled so (when it exists)."""
    previous = _survey_titled(previous_title)
    if previous is not None:
        set_previous_wave(survey, previous.id)


def load_survey_demo(epci, communes, admin) -> None:
    first_title = "L'international et nous — vague 2024"
    if not _exists(first_title):
        # The first wave: residents a little less open, officials' estimates further from them.
        survey = create_from_definition({
            "title": first_title, "territory": epci.code, "sampling_mode": "open",
            "opens_at": "2024-09-01", "closes_at": "2024-10-31", "introduction": INTRODUCTION,
            "conducted_by": "Métropole de Lyon (démonstration)", "statements": STATEMENTS_2024,
            "officials_total": 150,
        }, created_by=admin)
        open_survey(survey)
        import_answers(survey, _paper_answers(communes, 800, seed=2024, statements=STATEMENTS_2024, shift=-0.04),
                       user=admin, filename="demo-2024.csv")
        import_estimates(survey, _estimates(22, seed=2024, statements=STATEMENTS_2024, mean=24), user=admin,
                         filename="demo-elus-2024.csv")
        close_survey(survey)
        publish(survey, published_by=admin)
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
        _follow(survey, first_title)
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
        _follow(survey, published_title)
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
    import_estimates(survey, _estimates(12, seed=2026, mean=44), user=admin, filename="demo-est-lyonnais-elus.csv")
    close_survey(survey)
    publish(survey, published_by=admin)
    db.session.flush()
