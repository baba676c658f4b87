"""Weighting cells: which categories are raked together when the sample is thin."""
from __future__ import annotations

from typing import Mapping, Sequence


def collapse_adjacent(order: Sequence[str], counts: Mapping[str, Sequence[int]], minimum: int) -> list[list[str]]:
    """Merge adjacent ordered categories (age bands) until each group reaches ``minimum``.

    ``counts[category]`` lists that category's respondents in each cell it is crossed with
    (one count per sex; a single count for a one-way margin). The group whose smallest
    cell is smallest is merged with its neighbour holding fewer respondents, until every
    cell of every group reaches ``minimum`` or a single group is left.
    """
    groups = [[category] for category in order]

    def cells(group: list[str]) -> list[int]:
        return [sum(values) for values in zip(*(counts[c] for c in group))]

    while len(groups) > 1:
        smallest = min(range(len(groups)), key=lambda i: (min(cells(groups[i])), i))
        if min(cells(groups[smallest])) >= minimum:
            break
        neighbours = [i for i in (smallest - 1, smallest + 1) if 0 <= i < len(groups)]
        other = min(neighbours, key=lambda i: (sum(cells(groups[i])), i))
        first, second = sorted((smallest, other))
        groups[first:second + 1] = [groups[first] + groups[second]]
    return groups
