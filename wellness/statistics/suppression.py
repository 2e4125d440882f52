"""Small-cell suppression for program statistics. Pure: no Flask, no database.

A count under the threshold (1 to 4 by default) could point at one person, so it is hidden.
Rows and columns are shown with their totals, so a lone hidden cell in a row or column could be
worked out by subtraction: a second cell there is hidden too (complementary suppression), the
smallest visible non-zero one (or, with none, the line's total), repeated until every row and
column with a hidden cell has two or more. A total that is itself small is hidden as well.
The margins get the same treatment against the grand total, and statistics.service hides the
same months' totals in every table it shows together. This is the usual line-by-line heuristic,
not an audit against every linear combination of a large table's margins; the tables shown
here are small (months x a few categories).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 5


@dataclass(frozen=True)
class Table:
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]  # None: suppressed
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int | None


def _small(n: int, threshold: int) -> bool:
    return 0 < n < threshold


def _hide(n: int, threshold: int) -> int | None:
    return None if _small(n, threshold) else n


def _complement(
    lines: list[list[tuple[int, int]]],
    counts: list[list[int]],
    hidden: set[tuple[int, int]],
    hidden_lines: set[int],
) -> bool:
    """Hide one more cell in each line that has exactly one hidden cell; True if any changed.

    The partner is the smallest visible non-zero cell. A zero is no partner: the line's total
    would show that the two hidden cells hold the whole remainder. With no non-zero cell left,
    the line's total is hidden instead.
    """
    changed = False
    for number, line in enumerate(lines):
        inside = [cell for cell in line if cell in hidden]
        if len(inside) != 1 or number in hidden_lines:
            continue
        visible = [cell for cell in line if cell not in hidden and counts[cell[0]][cell[1]]]
        if visible:
            hidden.add(min(visible, key=lambda rc: (counts[rc[0]][rc[1]], rc)))
        else:
            hidden_lines.add(number)
        changed = True
    return changed


def _protect_margin(
    totals: list[int | None], counts: list[int], grand: int | None
) -> tuple[list[int | None], int | None]:
    """A lone hidden total next to a visible grand total is a subtraction away: hide a second
    total (the smallest visible non-zero one), or else the grand total."""
    hidden = [i for i, t in enumerate(totals) if t is None]
    if len(hidden) != 1 or grand is None:
        return totals, grand
    visible = [i for i, t in enumerate(totals) if t is not None and counts[i]]
    if not visible:
        return totals, None
    partner = min(visible, key=lambda i: (counts[i], i))
    return [None if i == partner else t for i, t in enumerate(totals)], grand


def suppress(
    rows: Sequence[str],
    columns: Sequence[str],
    counts: Sequence[Sequence[int]],
    threshold: int = THRESHOLD,
    hide_rows: frozenset[int] = frozenset(),
) -> Table:
    """The table with small cells hidden and complementary cells hidden so totals cannot
    reveal them."""
    grid = [list(map(int, row)) for row in counts]
    if len(grid) != len(rows) or any(len(r) != len(columns) for r in grid):
        raise ValueError("counts do not match the rows and columns")
    hidden = {
        (r, c) for r, row in enumerate(grid) for c, n in enumerate(row) if _small(n, threshold)
    }
    row_lines = [[(r, c) for c in range(len(columns))] for r in range(len(rows))]
    column_lines = [[(r, c) for r in range(len(rows))] for c in range(len(columns))]
    hidden_rows: set[int] = set()
    hidden_columns: set[int] = set()
    while _complement(row_lines, grid, hidden, hidden_rows) | _complement(
        column_lines, grid, hidden, hidden_columns
    ):
        pass
    cells = tuple(
        tuple(None if (r, c) in hidden else n for c, n in enumerate(row))
        for r, row in enumerate(grid)
    )
    row_totals = tuple(
        None if r in hidden_rows else _hide(sum(row), threshold) for r, row in enumerate(grid)
    )
    sums = [sum(col) for col in zip(*grid, strict=True)] if grid else [0] * len(columns)
    column_totals = tuple(
        None if c in hidden_columns else _hide(n, threshold) for c, n in enumerate(sums)
    )
    total = _hide(sum(map(sum, grid)), threshold)
    row_list = [None if r in hide_rows else t for r, t in enumerate(row_totals)]
    row_list, total = _protect_margin(row_list, [sum(row) for row in grid], total)
    column_list, total = _protect_margin(list(column_totals), sums, total)
    return Table(tuple(rows), tuple(columns), cells, tuple(row_list), tuple(column_list), total)


def suppress_value(n: int, value: float | None, threshold: int = THRESHOLD) -> float | None:
    """A statistic over ``n`` people (a median, a rate), hidden when ``n`` is small."""
    return None if n < threshold else value
