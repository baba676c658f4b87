"""Small-cell suppression so published tables do not single out respondents."""

from __future__ import annotations

from typing import Collection, Hashable, Iterable, Mapping

# Counts below this are hidden (the usual "rule of 11": 1 to 10 never shown).
DEFAULT_THRESHOLD = 11
# Fewer officials than this and their answers are as good as named.
DEFAULT_MINIMUM_OFFICIALS = 3
# Below this many officials only their mean is published: mean, median and standard
# deviation of three numbers give the three numbers back (and with the mean, the mean
# absolute error and the shares below/above an interval solve for single estimates).
MINIMUM_OFFICIALS_FOR_DISTRIBUTION = 5


def suppress_cells(
    cells: Mapping[Hashable, int],
    threshold: int = DEFAULT_THRESHOLD,
    groups: Iterable[Collection[Hashable]] | None = None,
    also_hide: Collection[Hashable] = (),
) -> set[Hashable]:
    """Keys of the cells to hide, primary and secondary suppression included.

    Primary: every count below ``threshold`` — zeros too, since "nobody in
    this commune agrees" discloses as much as "one person". Secondary: a group
    is a set of cells whose total is published (e.g. the communes of an
    intercommunality); the hidden cells of a group can be recomputed together,
    as the total minus the visible ones, so while a group's hidden cells are a
    single cell or add up to less than ``threshold`` (cells {1, 2, 50, 60}
    hiding 1 and 2 still give away 3), the smallest visible cell of the group
    is hidden too. ``also_hide`` lists cells to hide whatever their count (e.g.
    a commune where everyone agrees: the share discloses each answer).
    Suppressions can cascade across overlapping
    groups, so this repeats until stable. ``groups=None`` means all cells form
    one group. Ties go to the cell listed first in ``cells``. A group of a
    single cell cannot be protected this way: hide its total instead.
    """
    if any(count < 0 for count in cells.values()):
        raise ValueError("cell counts must be non-negative")
    group_list = [list(cells)] if groups is None else [list(g) for g in groups]
    order = {key: i for i, key in enumerate(cells)}
    for group in group_list:
        unknown = [key for key in group if key not in cells]
        if unknown:
            raise KeyError(f"group refers to unknown cells: {unknown!r}")
        # Dict order gives deterministic tie-breaking whatever the group's type.
        group.sort(key=order.__getitem__)

    unknown = [key for key in also_hide if key not in cells]
    if unknown:
        raise KeyError(f"also_hide refers to unknown cells: {unknown!r}")
    suppressed = {key for key, count in cells.items() if count < threshold} | set(also_hide)
    changed = True
    while changed:
        changed = False
        for group in group_list:
            hidden = [key for key in group if key in suppressed]
            if not hidden or (len(hidden) > 1 and sum(cells[key] for key in hidden) >= threshold):
                continue
            visible = [key for key in group if key not in suppressed]
            if visible:  # none left: only hiding the group's total would protect it
                suppressed.add(min(visible, key=cells.__getitem__))
                changed = True
    return suppressed


def officials_publishable(m: int, minimum: int = DEFAULT_MINIMUM_OFFICIALS) -> bool:
    """Whether ``m`` officials' answers are enough to publish their summary."""
    return m >= minimum


def officials_distribution_publishable(m: int) -> bool:
    """Whether ``m`` officials are enough to publish more than their mean estimate."""
    return m >= MINIMUM_OFFICIALS_FOR_DISTRIBUTION
