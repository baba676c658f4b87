"""The waves mode of the coverage study (bench/coverage_waves.py), small: 60 pairs of waves of
400 residents, 8 of 12 officials, officials' two answers strongly correlated (0.8). Like
test_coverage_small.py it drives the publication and waves code on a SQLite file of its own
(no `app` fixture) and is seeded. It checks the study's design (the truth moves as stated, the
same adults) and what bench/README.md reports: the change's interval covers when the council's
answers are independent draws, and is too wide when the same officials answer twice."""
from __future__ import annotations

import numpy as np
import pytest

from bench import coverage_waves as waves_study
from bench import coverage_world as cw

SURVEYS, SIZES, CONFIGS, SEED = 60, [400], [(8, 12)], 2026


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("coverage-waves"))
    done = [waves_study._wave((task, SEED, SIZES, SURVEYS, CONFIGS, 0.8, directory)) for task in waves_study.TASKS]
    waves = {(w["wave"], w["panel"]): w for w in done}
    return waves, {row["panel"]: row for row in waves_study.compare(waves, SIZES, SURVEYS, CONFIGS)}


def test_the_truth_moves_as_stated_and_only_there(study):
    waves, _rows = study
    before, after = np.array(waves[(1, "first")]["truth"]), np.array(waves[(2, "same")]["truth"])
    assert waves[(2, "same")]["truth"] == waves[(2, "redrawn")]["truth"]
    # Statement 2's intercept does not move: the same adults with the same draws agree as before.
    assert after[1] == before[1]
    assert after[0] - before[0] > 0.05 and before[2] - after[2] > 0.05
    # Wave 1 is coverage_world's main world (the other studies' truth).
    assert before.round(3).tolist() == [0.296, 0.463, 0.69]


def test_the_council_is_the_same_people_twice(study):
    """Official i keeps their lasting slant: with persistence 0.8 their two errors correlate."""
    truth = np.array([0.3, 0.5, 0.7])
    first = waves_study.council(SEED, 1, 60, truth, 0.8) - truth - waves_study.WAVE_BIAS[1]
    second = waves_study.council(SEED, 2, 60, truth, 0.8) - truth - waves_study.WAVE_BIAS[2]
    correlation = np.corrcoef(first.ravel(), second.ravel())[0, 1]
    assert 0.7 < correlation < 0.9, correlation
    assert abs(first.std() - cw.OFFICIALS_SD) < 0.02  # the same spread as the other studies


def test_every_change_is_published_and_covers_with_independent_panels(study):
    _waves, rows = study
    for row in rows.values():
        assert row["withheld"] == 0, row
        assert 0.88 <= row["share"][0] <= 1.0, row  # the residents' samples are independent either way
    assert 0.88 <= rows["redrawn"]["gap"][0] <= 1.0, rows["redrawn"]


def test_the_same_officials_twice_make_the_gap_change_interval_too_wide(study):
    """The published interval adds the two waves' variances: right for independent draws of
    the council, conservative when the same officials answer twice (their slants cancel)."""
    _waves, rows = study
    same, redrawn = rows["same"]["gap"], rows["redrawn"]["gap"]
    assert same[3] > redrawn[3] + 0.1, (same, redrawn)   # width ratio
    assert same[0] >= redrawn[0], (same, redrawn)         # coverage
    assert abs(same[2] - redrawn[2]) < 0.01               # same width: the interval does not know
