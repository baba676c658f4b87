"""The coverage study's synthetic world and one replication (see bench/coverage.py).

A known population of adults on a real intercommunality of 8 communes (the CC de l'Est
Lyonnais), with opinions on three statements, a response propensity, and fixed
populations of officials; a replication draws a sample, writes it to the answer tables
as the closing of a survey leaves them, and asks the publication code
(`surveys.results.compute_results`) for its figures. Nothing here computes a published
figure: only the truth it is compared with, and the unweighted share for reference.
"""
from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass

import numpy as np

EPCI = "246900575"  # CC de l'Est Lyonnais: 8 communes, 42,457 inhabitants
POPULATION = 50_000
SEXES = ("F", "M")
AGE_BANDS = ("18-29", "30-44", "45-59", "60-74", "75+")
AGE_SHARES = (0.19, 0.25, 0.26, 0.19, 0.11)
F_SHARE = 0.52
# Statements: logit intercept (their true shares come out near 30 %, 46 % and 69 %) and
# how strongly sex and age move the opinion (the sign reverses the age gradient).
STATEMENTS = ((-1.1, 1.0), (0.0, -1.0), (0.9, 1.5))
SEX_EFFECT = {"F": 0.4, "M": -0.4}
AGE_EFFECT = (1.0, 0.5, 0.0, -0.5, -1.0)
# Interactions variant: young men think differently again, old women too.
INTERACTIONS = {("M", 0): -0.9, ("F", 4): 0.5}
# Respondents who prefer not to give their sex ("X" on the form), by age band: about 2.6 %
# overall, more among the young. The population's margins count them under their actual
# sex (as the census does); the publication code splits them by its documented rule.
SEX_NOT_GIVEN = (0.04, 0.03, 0.02, 0.02, 0.02)
DONT_KNOW = 0.12  # share answering "ne sait pas" among those who do not agree
BLANK = 0.02  # statements skipped, at random
# Response propensity: three times lower among young men; varies with age, sex, commune.
YOUNG_MEN_FACTOR = 1 / 3
AGE_PROPENSITY = (1.0, 1.3, 1.7, 2.0, 1.2)
SEX_PROPENSITY = {"F": 1.15, "M": 1.0}
# Officials: their estimates sit 15 points under the true share, with a spread of 12.
OFFICIALS_BIAS = -0.15
OFFICIALS_SD = 0.12
# Residents' own estimates ("out of 100, how many agree?"): 8 points under the true share,
# 10 points higher among those who agree (they project), a spread of 15 points, whole numbers;
# a quarter give none, more among the old (the answer is optional).
RESIDENTS_ESTIMATE_BIAS = -0.08
RESIDENTS_ESTIMATE_PROJECTION = 0.10
RESIDENTS_ESTIMATE_SD = 0.15
NO_ESTIMATE = (0.15, 0.20, 0.25, 0.30, 0.40)  # by age band


def _rng(*key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(list(key)))


@dataclass
class World:
    commune_ids: list[int]      # database ids, in the population's commune index order
    commune_codes: list[str]    # their INSEE codes
    sex: np.ndarray             # index into SEXES
    age: np.ndarray             # index into AGE_BANDS
    commune: np.ndarray         # index into commune_ids
    codes: np.ndarray           # population × statements, int8: 0 dk, 1..5
    hides_sex: np.ndarray       # bool: answers "prefer not to say" for sex
    propensity: np.ndarray
    truth: np.ndarray           # per statement: the population share agreeing (code rule of the app)
    commune_truth: dict         # (commune code, statement) → share agreeing
    officials: dict             # M → (M × statements) estimates in [0, 1], rounded to whole points
    dk_in_denominator: bool     # how the app counts "ne sait pas" (probed, see coverage.py)
    # Residents' own estimates (population × statements, in [0, 1], nan when none is given) and
    # per statement the population's truth: their mean, and the mean of estimate − agreement.
    resident_estimates: np.ndarray | None = None
    estimate_truth: np.ndarray | None = None
    estimate_gap_truth: np.ndarray | None = None


def commune_populations(app) -> list[tuple[int, str, int]]:
    from plateforme.territories.models import Territory
    from plateforme.territories.services import children_of
    from plateforme.extensions import db
    from sqlalchemy import select

    with app.app_context():
        epci = db.session.execute(select(Territory).where(Territory.code == EPCI)).scalar_one()
        return sorted((c.id, c.code, c.population or 1) for c in children_of(epci))


def build_world(communes: list[tuple[int, str, int]], variant: str, seed: int, officials_totals: list[int],
                dk_in_denominator: bool) -> World:
    """The population, its opinions and propensities, and the officials: all from `seed`."""
    rng = _rng(seed, 1)
    sizes = np.array([pop for _id, _code, pop in communes], dtype=float)
    commune = rng.choice(len(communes), POPULATION, p=sizes / sizes.sum())
    sex = (rng.random(POPULATION) >= F_SHARE).astype(np.int8)  # 0 F, 1 M
    age = rng.choice(len(AGE_BANDS), POPULATION, p=AGE_SHARES).astype(np.int8)
    commune_effect = rng.normal(0, 0.4, len(communes))
    commune_propensity = np.exp(rng.normal(0, 0.3, len(communes)))

    codes = np.zeros((POPULATION, len(STATEMENTS)), dtype=np.int8)
    sex_effect = np.where(sex == 0, SEX_EFFECT["F"], SEX_EFFECT["M"])
    age_effect = np.asarray(AGE_EFFECT)[age]
    for j, (intercept, strength) in enumerate(STATEMENTS):
        logit = intercept + strength * (sex_effect + age_effect) + commune_effect[commune]
        if variant == "interactions":
            for (s, a), effect in INTERACTIONS.items():
                logit = logit + strength * effect * ((sex == SEXES.index(s)) & (age == a))
        agree = rng.random(POPULATION) < 1 / (1 + np.exp(-logit))
        high = rng.integers(4, 6, POPULATION)
        low = rng.integers(1, 4, POPULATION)
        dont_know = rng.random(POPULATION) < DONT_KNOW
        codes[:, j] = np.where(agree, high, np.where(dont_know, 0, low))

    propensity = (np.where(sex == 0, SEX_PROPENSITY["F"], SEX_PROPENSITY["M"])
                  * np.asarray(AGE_PROPENSITY)[age] * commune_propensity[commune]
                  * np.where((sex == 1) & (age == 0), YOUNG_MEN_FACTOR, 1.0))

    def share(rows: np.ndarray) -> float:
        counted = rows if dk_in_denominator else rows[rows != 0]
        return float(np.mean(counted >= 4))

    truth = np.array([share(codes[:, j]) for j in range(len(STATEMENTS))])
    commune_ids = [cid for cid, _code, _pop in communes]
    commune_codes = [code for _id, code, _pop in communes]
    commune_truth = {(commune_codes[c], j): share(codes[commune == c, j])
                     for c in range(len(communes)) for j in range(len(STATEMENTS))}
    # A draw of its own, so adding it left every other figure of the world unchanged.
    hides_sex = _rng(seed, 4).random(POPULATION) < np.asarray(SEX_NOT_GIVEN)[age]
    officials = {}
    for total in officials_totals:
        orng = _rng(seed, 2, total)
        raw = truth[None, :] + OFFICIALS_BIAS + orng.normal(0, OFFICIALS_SD, (total, len(STATEMENTS)))
        officials[total] = np.clip(np.round(raw * 100), 0, 100) / 100
    world = World(commune_ids, commune_codes, sex, age, commune, codes, hides_sex, propensity, truth,
                  commune_truth, officials, dk_in_denominator)
    add_resident_estimates(world, seed)
    return world


def add_resident_estimates(world: World, seed: int) -> None:
    """Each adult's own estimate per statement (a draw of its own: nothing else changes) and
    the truths the published mean estimate and paired gap are compared with: the population's
    mean estimate among those who give one, and its mean of (estimate − agreement), "ne sait
    pas" counting as not agreeing (the app's share rule when dk is in the denominator)."""
    rng = _rng(seed, 5)
    agree = world.codes >= 4
    raw = (world.truth[None, :] + RESIDENTS_ESTIMATE_BIAS + RESIDENTS_ESTIMATE_PROJECTION * agree
           + rng.normal(0, RESIDENTS_ESTIMATE_SD, world.codes.shape))
    estimates = np.clip(np.round(raw * 100), 0, 100) / 100
    none = rng.random(world.codes.shape) < np.asarray(NO_ESTIMATE)[world.age][:, None]
    world.resident_estimates = np.where(none, np.nan, estimates)
    given = ~none
    world.estimate_truth = np.array([estimates[given[:, j], j].mean() for j in range(world.codes.shape[1])])
    world.estimate_gap_truth = np.array([(estimates[given[:, j], j] - agree[given[:, j], j]).mean()
                                         for j in range(world.codes.shape[1])])


def margins_rows(world: World) -> list[dict]:
    """Population margins = the synthetic population's own counts (commune × sex × age)."""
    counts = np.zeros((len(world.commune_ids), 2, len(AGE_BANDS)), dtype=np.int64)
    np.add.at(counts, (world.commune, world.sex, world.age), 1)
    return [{"territory_id": world.commune_ids[c], "sex": SEXES[s], "age_band": AGE_BANDS[a],
             "count": int(counts[c, s, a])}
            for c in range(counts.shape[0]) for s in range(2) for a in range(len(AGE_BANDS))]


def make_app(directory: str):
    """The app on a fresh SQLite file in `directory` (one per process), the territory loaded."""
    os.environ.setdefault("PLATEFORME_ENV", "testing")
    from plateforme import create_app
    from plateforme.extensions import db
    from plateforme.territories.services import load_territory

    url = f"sqlite:///{tempfile.mkdtemp(dir=directory)}/coverage.sqlite"
    app = create_app({
        "ENV_NAME": "testing", "TESTING": True, "SECRET_KEY": "coverage-study", "SQLALCHEMY_DATABASE_URI": url,
        "MAIL_BACKEND": "memory", "RATELIMIT_STORAGE_URI": "memory://", "SERVER_NAME": None,
    })
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_territory(EPCI)
        db.session.commit()
    return app


def create_survey(world: World) -> int:
    """Margins and a closed survey of three statements; its id. In an app context."""
    from sqlalchemy import insert

    from plateforme.extensions import db
    from plateforme.surveys.definitions import create_from_definition
    from plateforme.surveys.models import SurveyStatus
    from plateforme.territories.models import PopulationMargin

    db.session.execute(insert(PopulationMargin), margins_rows(world))
    survey = create_from_definition({
        "title": "Étude de couverture", "territory": EPCI, "sampling_mode": "open",
        "opens_at": "2026-01-01", "closes_at": "2026-01-31",
        "statements": [{"key": f"s{j + 1}", "text": f"Affirmation {j + 1}", "theme": "people"}
                       for j in range(len(STATEMENTS))],
    })
    survey.move_to(SurveyStatus.OPEN)
    survey.move_to(SurveyStatus.CLOSED)
    db.session.commit()
    return survey.id


_ALPHABET = np.array(list("d12345"))  # index = code (0 dk, 1..5)


def _pool_small_communes(rows: list[dict]) -> None:
    """What the final mix does to communes named by too few answers (mixing.py)."""
    try:
        from plateforme.surveys.mixing import _pool_small_communes as pool
    except ImportError:  # renamed: the rule, as the privacy page states it
        from plateforme.surveys.mixing import COMMUNE_KEPT_FROM

        def pool(rows):
            counts: dict = {}
            for row in rows:
                counts[row["commune_id"]] = counts.get(row["commune_id"], 0) + 1
            for row in rows:
                if counts[row["commune_id"]] < COMMUNE_KEPT_FROM:
                    row["commune_id"] = None
    pool(rows)


def _estimates_text(world: World, person: int) -> str:
    """The person's estimates as the answer tables keep them ("40,,55")."""
    if world.resident_estimates is None:
        return ""
    return ",".join("" if np.isnan(v) else str(int(round(v * 100))) for v in world.resident_estimates[person])


def draw_sample(world: World, n: int, rng: np.random.Generator) -> np.ndarray:
    """n respondents drawn without replacement, each with odds ∝ propensity (the first n
    to answer of an open survey: an exponential race)."""
    keys = rng.exponential(size=POPULATION) / world.propensity
    return np.argpartition(keys, n)[:n]


def replicate(world: World, survey_id: int, n: int, configs: list[tuple[int, int]],
              rng: np.random.Generator, panels: dict[str, tuple[int, np.ndarray]] | None = None) -> dict:
    """One survey: write a sample of n and, for each (m, M), m of the M officials; return
    what was published against the truth. Rolled back: the next replication starts clean.
    `panels` (label → (M, the answering officials' estimates)) replaces the random draw of
    officials, for a caller that decides who answers (the waves study: the same council twice)."""
    from sqlalchemy import insert

    from plateforme.extensions import db
    from plateforme.surveys.models import OfficialResponse, PerceptionSurvey, ResidentResponse
    from plateforme.surveys.results import compute_results

    people = draw_sample(world, n, rng)
    codes = world.codes[people]
    blank = rng.random(codes.shape) < BLANK
    letters = np.where(blank, ".", _ALPHABET[codes])
    rows = [{"id": f"{i:032x}", "survey_id": survey_id, "sex": "X" if world.hides_sex[p] else SEXES[world.sex[p]],
             "age_band": AGE_BANDS[world.age[p]], "commune_id": world.commune_ids[world.commune[p]],
             "answers": "".join(letters[i]), "estimates": _estimates_text(world, p), "channel": "online"}
            for i, p in enumerate(people)]
    _pool_small_communes(rows)
    answered = ~blank
    agree = (codes >= 4) & answered
    counted = answered if world.dk_in_denominator else answered & (codes != 0)
    unweighted = agree.sum(axis=0) / np.maximum(counted.sum(axis=0), 1)

    out = {"n": n, "unweighted": unweighted.tolist(), "configs": {}}
    if panels is None:  # drawn in the same order as before `panels` existed: same figures
        panels = {f"{m}/{total}": (total, world.officials[total][rng.choice(total, m, replace=False)])
                  for m, total in configs}
    try:
        db.session.execute(insert(ResidentResponse), rows)
        survey = db.session.get(PerceptionSurvey, survey_id)
        for label, (total, estimates) in panels.items():
            db.session.execute(OfficialResponse.__table__.delete().where(OfficialResponse.survey_id == survey_id))
            db.session.execute(insert(OfficialResponse), [
                {"id": f"o{i:031x}", "survey_id": survey_id, "channel": "online", "opinions": "",
                 "estimates": ",".join(str(int(round(v * 100))) for v in row)}
                for i, row in enumerate(estimates)])
            survey.officials_total = total
            results = compute_results(survey)
            out["configs"][label] = {
                "sample_mean": estimates.mean(axis=0).tolist(),
                "results": _extract(results),
            }
    finally:
        db.session.rollback()
    return out


def _flags(block: dict | None) -> tuple[bool, str | None]:
    """Whether a published block says its figure is approximate, and why — whatever the
    key's name in this version of the code (absent today: then False)."""
    if not isinstance(block, dict):
        return False, None
    approximate, reason = False, None
    for key, value in block.items():
        lowered = key.lower()
        if "approx" in lowered and "reason" not in lowered:
            approximate = approximate or bool(value)
        elif lowered in ("label", "quality", "status") and isinstance(value, str) and "approx" in value.lower():
            approximate = True
        if "reason" in lowered and value:
            reason = str(value)
    return approximate, reason


def _interval(block: dict | None) -> dict:
    block = block or {}
    value = next((block[key] for key in ("agree", "value", "estimate") if block.get(key) is not None), None)
    low, high = block.get("ci_low"), block.get("ci_high")
    approximate, reason = _flags(block)
    return {"value": value, "low": low, "high": high, "approximate": approximate, "reason": reason}


def _estimate_intervals(block: dict | None) -> dict:
    """The residents' mean estimate and paired gap as published (absent: None values)."""
    block = block or {}
    paired = block.get("paired_gap") or {}
    return {"residents_estimate": {"value": block.get("mean"), "low": block.get("ci_low"),
                                   "high": block.get("ci_high"), "approximate": False, "reason": None},
            "residents_estimate_gap": {"value": paired.get("value"), "low": paired.get("ci_low"),
                                       "high": paired.get("ci_high"), "approximate": False, "reason": None}}


def _extract(results: dict) -> dict:
    weighting = results.get("weighting", {})
    statements = []
    for s in results["statements"]:
        statements.append({
            "residents": _interval(s.get("residents")),
            "gap": _interval(s.get("gap")),
            "officials_mean": (s.get("officials") or {}).get("mean_estimate"),
            "communes": [dict(_interval(c), code=c.get("code")) for c in s.get("communes", [])],
            **_estimate_intervals(s.get("residents_estimate")),
        })
    return {"weighting_applied": bool(weighting.get("applied")), "converged": weighting.get("converged"),
            "weighting_reason": weighting.get("reason"), "sex_not_given": weighting.get("sex_not_given"),
            "statements": statements}


def is_finite(value) -> bool:
    return value is not None and math.isfinite(float(value))
