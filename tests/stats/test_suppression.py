"""Unit tests for small-cell suppression."""

import pytest

from plateforme.stats import officials_publishable, suppress_cells


def test_nothing_small_nothing_hidden():
    assert suppress_cells({"A": 11, "B": 50}) == set()


def test_threshold_is_exclusive():
    # Rule of 11: 10 is hidden, 11 is shown.
    assert suppress_cells({"A": 10, "B": 11, "C": 12, "D": 13}) == {"A", "B"}
    assert suppress_cells({"A": 10, "B": 11}, threshold=10) == set()


def test_single_hidden_cell_triggers_secondary_suppression():
    # Publishing the total 80 and B, C, D would give A = 80 - 75 = 5: hide C too.
    assert suppress_cells({"A": 5, "B": 20, "C": 15, "D": 40}) == {"A", "C"}


def test_two_hidden_cells_that_reach_the_threshold_together_need_no_secondary():
    assert suppress_cells({"A": 5, "B": 7, "C": 50, "D": 60}) == {"A", "B"}


def test_hidden_cells_whose_sum_is_small_are_protected_as_a_group():
    # {1, 2, 50, 60}: hiding 1 and 2 publishes their sum, 3 = total − 50 − 60.
    assert suppress_cells({"A": 1, "B": 2, "C": 50, "D": 60}) == {"A", "B", "C"}
    assert suppress_cells({"A": 3, "B": 4, "C": 50}) == {"A", "B", "C"}


def test_no_group_of_hidden_cells_is_small_or_alone():
    import random

    rng = random.Random(20)
    for _ in range(500):
        cells = {f"c{i}": rng.choice([0, 1, 2, 3, 4, 6, 9, 12, 15, 30, 80]) for i in range(rng.randint(2, 8))}
        hidden = suppress_cells(cells)
        visible = set(cells) - hidden
        if hidden and visible:
            # What subtraction from the total reveals: the hidden cells' sum.
            assert len(hidden) > 1 and sum(cells[k] for k in hidden) >= 11, (cells, hidden)


def test_cells_given_to_hide_are_hidden_and_protected():
    # A commune where everyone agrees (100 %) is hidden whatever its size.
    assert suppress_cells({"A": 30, "B": 40, "C": 50}, also_hide={"B"}) == {"A", "B"}


def test_zero_counts_are_hidden():
    assert suppress_cells({"A": 0, "B": 30, "C": 40}) == {"A", "B"}


def test_ties_go_to_the_first_listed_cell():
    assert suppress_cells({"A": 2, "B": 12, "C": 12}) == {"A", "B"}
    assert suppress_cells({"A": 2, "C": 12, "B": 12}) == {"A", "C"}


def test_separate_groups_are_protected_separately():
    cells = {"a1": 4, "a2": 30, "a3": 20, "b1": 50, "b2": 60}
    groups = [{"a1", "a2", "a3"}, {"b1", "b2"}]
    assert suppress_cells(cells, groups=groups) == {"a1", "a3"}


def test_secondary_suppression_cascades_across_rows_and_columns():
    # 2 x 2 table with row and column totals published.
    cells = {("r1", "c1"): 5, ("r1", "c2"): 30, ("r2", "c1"): 20, ("r2", "c2"): 40}
    rows = [[("r1", "c1"), ("r1", "c2")], [("r2", "c1"), ("r2", "c2")]]
    cols = [[("r1", "c1"), ("r2", "c1")], [("r1", "c2"), ("r2", "c2")]]
    # r1c1 primary; row r1 hides r1c2, column c1 hides r2c1, then row r2 is
    # left with r2c1 alone hidden, so r2c2 goes too.
    assert suppress_cells(cells, groups=rows + cols) == set(cells)


def test_invalid_input():
    with pytest.raises(ValueError):
        suppress_cells({"A": -1})
    with pytest.raises(KeyError, match="Z"):
        suppress_cells({"A": 1}, groups=[["A", "Z"]])


def test_officials_publishable():
    assert not officials_publishable(2)
    assert officials_publishable(3)
    assert officials_publishable(4, minimum=4)
    assert not officials_publishable(0)
