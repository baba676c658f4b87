"""The coverage study (bench/coverage.py), small: 200 surveys of 400 residents with 19 of
60 officials answering, on the main population. It drives the publication code itself
(compute_results on answers written to a SQLite file of its own), so it does not use the
`app` fixture and runs once, whatever the backends. Seeded: the same figures every run.

The tolerance is wide (88–99 %) because 200 surveys give a Monte-Carlo error of about
1.5 points; the full study (1,000 surveys, every size and officials' configuration) holds
the published figures to 93–97 %."""
from __future__ import annotations

import dataclasses

import pytest

from bench.coverage import simulate
from plateforme.surveys import results

SURVEYS = 200


@pytest.fixture(scope="module")
def study():
    return simulate("main", surveys=SURVEYS, sizes=[400], configs=[(19, 60)], seed=2026, processes=1,
                    progress=False)


def test_every_survey_publishes_the_residents_share_and_the_gap(study):
    assert study["residents"][0]["published"] == study["residents"][0]["figures"] == SURVEYS * 3
    assert study["gap"][0]["published"] == study["gap"][0]["figures"] == SURVEYS * 3


def test_residents_interval_covers_the_population_share_about_95_times_in_100(study):
    row = study["residents"][0]
    assert 0.88 <= row["coverage_not_approximate"] <= 0.99, row
    # Weighting removes most of the bias that response three times lower among young men
    # puts in the raw sample.
    assert abs(row["bias"]) < abs(row["unweighted"]["bias"]), row


def test_gap_interval_covers_the_officials_gap_about_95_times_in_100(study):
    row = study["gap"][0]
    assert row["officials"] == "19/60"
    assert 0.88 <= row["coverage_not_approximate"] <= 0.99, row


def test_the_study_sees_a_published_interval_half_as_wide_as_it_should_be(monkeypatch):
    """The study measures the code that publishes: halve the gap interval there and its
    coverage falls to about 70 %."""
    original = results.gap

    def narrow(*args, **kwargs):
        g = original(*args, **kwargs)
        return dataclasses.replace(g, ci_low=g.gap - (g.gap - g.ci_low) / 2, ci_high=g.gap + (g.ci_high - g.gap) / 2)

    monkeypatch.setattr(results, "gap", narrow)
    narrowed = simulate("main", surveys=100, sizes=[400], configs=[(19, 60)], seed=2026, processes=1,
                        progress=False)
    assert narrowed["gap"][0]["coverage_not_approximate"] < 0.85
