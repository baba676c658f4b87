"""Small-cell suppression so published tables do not single out respondents."""

from __future__ import annotations

from typing import Collection, Hashable, Iterable, Mapping

# Counts below this are hidden (the usual "rule of 11": 1 to 10 never shown).
DEFAULT_THRESHOLD = 11
# Fewer officials than this and their answers are as good as named.
DEFAULT_MINIMUM_OFFICIALS = 3


def suppress_cells(
    cells: Mapping[Hashable, int],
    threshold: int = DEFAULT_THRESHOLD,
    groups: Iterable[Collection[Hashable]] | None = None,
) -> set[Hashable]:
    """Keys of the cells to hide, primary and secondary suppression included.

    Primary: every count below ``threshold`` — zeros too, since "nobody in
    this commune agrees" discloses as much as "one person". Secondary: a group
    is a set of cells whose total is published (e.g. the communes of an
    intercommunality); if exactly one of its cells is hidden, the smallest
    visible cell of the group is hidden too, else the hidden one could be
    recomputed by subtraction. Suppressions can cascade across overlapping
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

    suppressed = {key for key, count in cells.items() if count < threshold}
    changed = True
    while changed:
        changed = False
        for group in group_list:
            hidden = [key for key in group if key in suppressed]
            if len(hidden) != 1:
                continue
            visible = [key for key in group if key not in suppressed]
            if visible:
                suppressed.add(min(visible, key=cells.__getitem__))
                changed = True
    return suppressed


def officials_publishable(m: int, minimum: int = DEFAULT_MINIMUM_OFFICIALS) -> bool:
    """Whether ``m`` officials' answers are enough to publish their summary."""
    return m >= minimum
